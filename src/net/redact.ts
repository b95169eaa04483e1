// Keeping secrets out of messages and logs. Every error message and log line produced by src/net and the
// provider clients passes through `redact`; requests are described by method and path only.

const BEARER = /(bearer\s+)[^\s"',;]+/gi;
const APP_KEY = /\b(app|dataset)-[A-Za-z0-9]{12,}\b/g;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;

/**
 * Replaces every occurrence of the given secrets (API keys, proxy passwords) with `***`, and also masks
 * anything that looks like a bearer token, a Dify `app-…` key, or credentials inside a URL.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('***');
  }
  return out.replace(BEARER, '$1***').replace(APP_KEY, '***').replace(URL_CREDENTIALS, '$1***@');
}

/** `METHOD /path` for messages and logs: never the query string, the host's credentials, or headers. */
export function describeRequest(method: string, url: string | URL): string {
  let path: string;
  try {
    path = (typeof url === 'string' ? new URL(url) : url).pathname;
  } catch {
    path = String(url).split('?')[0];
  }
  return `${method.toUpperCase()} ${path}`;
}
