// Fetches an answer's image for the panel, whose webview loads nothing from outside (see the panel's CSP).
// No credentials of any kind go with it: no Authorization header, no cookies (undici sends neither unless
// told to). Image types only, at most MAX_IMAGE_BYTES. No vscode import: tested as plain Node.
import { request } from 'undici';
import type { Dispatcher } from 'undici';

export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const IMAGE_TYPE = /^image\/[a-z0-9.+-]+$/;

/** Why an image was not fetched. */
export type ImageFailure =
  | { kind: 'status'; status: number }
  | { kind: 'type'; contentType: string }
  | { kind: 'size' }
  /** Too many redirects, or one to a URL that may not be fetched. */
  | { kind: 'redirect' }
  | { kind: 'network'; message: string };

export interface ImageFetchOptions {
  dispatcher?: Dispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Whether a URL may be fetched: checked for a redirect's target too. */
  allowed(url: URL): boolean;
  maxBytes?: number;
}

/** The origin of an http(s) URL; undefined for anything else. */
export function httpOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Fetches an image as a data: URI. */
export async function fetchImage(url: string, opts: ImageFetchOptions): Promise<{ dataUri: string } | { failure: ImageFailure }> {
  let target = new URL(url);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!httpOrigin(target.href) || !opts.allowed(target)) return { failure: { kind: 'redirect' } };
      const res = await request(target, {
        method: 'GET',
        headers: { accept: 'image/*' },
        dispatcher: opts.dispatcher,
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
      });
      const location = header(res.headers, 'location');
      if (REDIRECTS.has(res.statusCode) && location) {
        await res.body.dump();
        target = new URL(location, target);
        continue;
      }
      return await readImage(res, opts.maxBytes ?? MAX_IMAGE_BYTES);
    }
    return { failure: { kind: 'redirect' } };
  } catch (e) {
    return { failure: { kind: 'network', message: (e as Error)?.message ?? String(e) } };
  }
}

async function readImage(res: Dispatcher.ResponseData, maxBytes: number): Promise<{ dataUri: string } | { failure: ImageFailure }> {
  if (res.statusCode !== 200) {
    await res.body.dump();
    return { failure: { kind: 'status', status: res.statusCode } };
  }
  const contentType = header(res.headers, 'content-type') ?? '';
  const mime = contentType.split(';')[0].trim().toLowerCase();
  if (!IMAGE_TYPE.test(mime)) {
    await res.body.dump();
    return { failure: { kind: 'type', contentType: mime || '?' } };
  }
  if (Number(header(res.headers, 'content-length')) > maxBytes) {
    discard(res.body);
    return { failure: { kind: 'size' } };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      discard(res.body);
      return { failure: { kind: 'size' } };
    }
    chunks.push(chunk as Buffer);
  }
  return { dataUri: `data:${mime};base64,${Buffer.concat(chunks).toString('base64')}` };
}

/** Stops reading a body (undici reports the abort as an error: nobody waits for it any more). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
