// The panel's images, host side: which origins load without a click, and fetching one for the webview (which
// loads nothing from outside itself). What is fetched goes through the extension's proxy, CA and timeouts.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import { readCaCertificates, readTimeouts, transportOptions } from '../config/network';
import { createDispatcher } from '../net/transport';
import type { HostMessage } from '../protocol';
import { MAX_IMAGE_BYTES, fetchImage, httpOrigin } from './imageFetch';
import type { ImageFailure } from './imageFetch';

export const TRUSTED_IMAGE_ORIGINS = 'dify.trustedImageOrigins';

type ImageMessage = Extract<HostMessage, { type: 'image' }>;

/** Apps whose server the user chose: not one a workspace's settings decided (those are not trusted for images). */
function usersApps(apps: AppProfile[]): AppProfile[] {
  return apps.filter((a) => !a.fromWorkspace);
}

/** Origins whose images load without a click: the user's apps' own servers and `dify.trustedImageOrigins`, read
 * from the user's settings only (the setting is application-scoped: a workspace cannot add an origin). */
export function imageOrigins(apps: AppProfile[]): string[] {
  const origins = new Set<string>();
  for (const a of usersApps(apps)) {
    const o = httpOrigin(a.baseUrl);
    if (o) origins.add(o);
  }
  const trusted = vscode.workspace.getConfiguration().inspect<unknown>(TRUSTED_IMAGE_ORIGINS)?.globalValue;
  for (const v of Array.isArray(trusted) ? trusted : []) {
    const o = typeof v === 'string' ? httpOrigin(v.trim()) : undefined;
    if (o) origins.add(o);
  }
  return [...origins];
}

/**
 * Fetches an image for the panel. One the person did not click loads only from (and through redirects to) an
 * origin of `imageOrigins`: the webview asks so on its own, this is checked again here.
 */
export async function loadImage(url: string, userAsked: boolean, apps: AppProfile[], warn: (message: string) => void): Promise<ImageMessage> {
  const origins = new Set(imageOrigins(apps));
  const origin = httpOrigin(url);
  if (!origin) return { type: 'image', url, error: describe({ kind: 'redirect' }) };
  if (!userAsked && !origins.has(origin)) return { type: 'image', url, error: vscode.l10n.t('Images from {0} load only when clicked.', new URL(url).host) };
  const timeouts = readTimeouts();
  const ca = await readCaCertificates((file, e) => warn(`Cannot read CA certificate ${file}: ${e.message}`));
  // From an app's own server: that app's proxy and certificate choice; from anywhere else: VS Code's proxy only.
  const app: AppProfile = usersApps(apps).find((a) => httpOrigin(a.baseUrl) === origin) ?? { name: '', baseUrl: origin, provider: '', fields: {} };
  const dispatcher = createDispatcher(transportOptions(app, ca, timeouts));
  try {
    const r = await fetchImage(url, {
      dispatcher,
      headersTimeoutMs: timeouts.idleTimeoutMs,
      bodyTimeoutMs: timeouts.idleTimeoutMs,
      allowed: (u) => userAsked || origins.has(u.origin),
    });
    if ('dataUri' in r) return { type: 'image', url, dataUri: r.dataUri };
    warn(`Image not loaded (${r.failure.kind}): ${new URL(url).host}`);
    return { type: 'image', url, error: describe(r.failure) };
  } finally {
    void dispatcher.close().catch(() => undefined);
  }
}

function describe(f: ImageFailure): string {
  switch (f.kind) {
    case 'status':
      return vscode.l10n.t('The image server answered {0}.', f.status);
    case 'type':
      return vscode.l10n.t('Not an image ({0}).', f.contentType);
    case 'size':
      return vscode.l10n.t('The image is larger than {0} MB.', MAX_IMAGE_BYTES / (1024 * 1024));
    case 'redirect':
      return vscode.l10n.t('The image server redirected too often, or elsewhere.');
    case 'network':
      return vscode.l10n.t('The image could not be loaded: {0}', f.message);
  }
}
