// The one redactor: every string that comes from a server (HTTP errors, stream errors, failed runs, node errors)
// and every log line passes through `redact` before it is shown, stored or logged. Requests are described by
// method and path only.

const BEARER = /(bearer\s+)[^\s"',;]+/gi;
/** An Authorization header of another scheme (Basic, a bare token); Bearer values are masked by BEARER. */
const AUTH_HEADER = /(authorization["']?\s*[:=]\s*["']?)(?![\s"']*bearer\s)(?:[a-z]+\s+)?[^\s"',;]+/gi;
const APP_KEY = /\b(app|dataset)-[A-Za-z0-9]{12,}\b/g;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;

const base64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const base64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/**
 * The forms a secret may be echoed in: as is, URL-encoded (a query string, a form body), base64 and base64url
 * (a decoded header, a data URI; padding optional), hex, and the base64 of the whole `Bearer …` header value.
 */
export function encodedForms(secret: string): string[] {
  const forms = [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    base64(secret),
    base64(secret).replace(/=+$/, ''),
    base64url(secret),
    Buffer.from(secret, 'utf8').toString('hex'),
    base64(`Bearer ${secret}`).replace(/=+$/, ''),
  ];
  return [...new Set(forms)].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of the given secrets (API keys, proxy passwords), in any of their encoded forms, with
 * `***`, and also masks anything that looks like a bearer token, an Authorization header, a Dify `app-…` key, or
 * credentials inside a URL.
 */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of encodedForms(s)) if (out.includes(form)) out = out.split(form).join('***');
  }
  return out.replace(BEARER, '$1***').replace(AUTH_HEADER, '$1***').replace(APP_KEY, '***').replace(URL_CREDENTIALS, '$1***@');
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
