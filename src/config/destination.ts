// Where an app's requests, and so its API key, go: the server's origin, the proxy in between, and whether any
// certificate is accepted. A key is bound to the destination it was entered for (see secrets.ts, trust.ts).
import * as vscode from 'vscode';
import type { AppProfile } from './apps';

export interface Destination {
  /** `https://dify.example.com` (scheme, host and port of the base URL). */
  origin: string;
  /** The proxy between, without credentials (`http://proxy.corp:3128`); undefined: direct or the environment's. */
  proxy?: string;
  /** Any certificate is accepted (`allowSelfSignedCertificate`). */
  relaxedTls: boolean;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** A proxy URL without its user name and password (they are secrets, and do not change where requests go). */
function withoutCredentials(proxy: string): string {
  try {
    const u = new URL(proxy);
    u.username = '';
    u.password = '';
    return u.href.replace(/\/$/, '');
  } catch {
    return proxy;
  }
}

/** The app's destination as the transport will use it (per-app proxy, else `http.proxy`). */
export function destinationOf(app: AppProfile): Destination {
  const proxy = app.proxy || vscode.workspace.getConfiguration('http').get<string>('proxy') || undefined;
  return { origin: origin(app.baseUrl), proxy: proxy ? withoutCredentials(proxy) : undefined, relaxedTls: app.allowSelfSignedCertificate === true };
}

/** Whether a key bound to `bound` may go to `now` without asking: same server, same proxy, TLS no weaker. */
export function covers(bound: Destination, now: Destination): boolean {
  return bound.origin === now.origin && (bound.proxy ?? '') === (now.proxy ?? '') && (bound.relaxedTls || !now.relaxedTls);
}

/** "https://dify.example.com (through the proxy http://p:3128, accepting any certificate)", translated. */
export function describeDestination(d: Destination): string {
  const notes = [
    d.proxy ? vscode.l10n.t('through the proxy {0}', d.proxy) : undefined,
    d.relaxedTls ? vscode.l10n.t('accepting any certificate') : undefined,
  ].filter(Boolean);
  return notes.length ? `${d.origin} (${notes.join(', ')})` : d.origin;
}

/** A stable text form, for remembering what the person allowed. */
export function destinationKey(name: string, d: Destination): string {
  return JSON.stringify([name, d.origin, d.proxy ?? '', d.relaxedTls]);
}
