// Turning transport failures and non-2xx answers into the one `ApiError` type (src/run/errors.ts).
// Messages are single sentences a user can act on, never contain HTML, headers or the API key.
import { ApiError, ApiErrorKind } from './apiError';
import { redact } from './redact';

/** Context for error mapping: the route (`METHOD /path`), the target host, secrets to redact, the caller's signal. */
export interface ErrorContext {
  /** Absent for failures outside a request (a thrown value reaching the run layer). */
  route?: string;
  host?: string;
  secrets?: ReadonlyArray<string | undefined>;
  signal?: AbortSignal;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED', 'CERT_REVOKED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'UND_ERR_PRX_TLS', 'EPROTO',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_CLOSED']);

interface Found {
  code?: string;
  messages: string[];
  abort: boolean;
}

function collect(err: unknown, found: Found, depth = 0): void {
  if (!err || typeof err !== 'object' || depth > 6) return;
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.message === 'string') found.messages.push(e.message);
  if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED' || e.code === 'ABORT_ERR') found.abort = true;
  if (typeof e.code === 'string' && (!found.code || isGeneric(found.code))) found.code = e.code;
  if (Array.isArray(e.errors)) for (const inner of e.errors) collect(inner, found, depth + 1);
  if (e.cause) collect(e.cause, found, depth + 1);
}

function isGeneric(code: string): boolean {
  return code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR' || code === 'UND_ERR' || code === 'UND_ERR_SOCKET';
}

/**
 * Maps any thrown value from undici/Node to an `ApiError` (an `ApiError` passes through unchanged).
 * An aborted caller signal always wins, so Stop reads as 'aborted' whatever the socket reported.
 */
export function toApiError(err: unknown, ctx: ErrorContext = {}): ApiError {
  if (err instanceof ApiError) return err;
  const reason = ctx.signal?.aborted ? ctx.signal.reason : undefined;
  if (reason instanceof ApiError) return reason;
  const host = ctx.host ? ` ${ctx.host}` : ' the server';
  const on = ctx.route ? ` (${ctx.route})` : '';
  const make = (kind: ApiErrorKind, message: string, causeCode?: string): ApiError =>
    new ApiError({ kind, message: redact(message, ctx.secrets), causeCode, route: ctx.route, cause: err });
  if (ctx.signal?.aborted) return make('aborted', `The request was cancelled${on}.`);
  const found: Found = { messages: [], abort: false };
  collect(err, found);
  const code = found.code;
  const text = found.messages.join(' | ');
  if (/Proxy Authentication Required|Proxy response \(407\)/i.test(text)) {
    return make('proxy', 'The proxy requires authentication (HTTP 407); check the proxy credentials.', code);
  }
  const tunnel = /Proxy response \((\d+)\)/i.exec(text);
  if (tunnel) return make('proxy', `The proxy refused the connection (HTTP ${tunnel[1]}) to${host}.`, code);
  if (code && DNS_CODES.has(code)) return make('dns', `Could not resolve the host name${host} (${code}).`, code);
  if (code === 'ECONNREFUSED') return make('refused', `Connection refused by${host}: nothing is listening there.`, code);
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return make('connect-timeout', `Could not connect to${host} within the connect timeout.`, code);
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('CERT_'))) {
    return make('tls', `TLS failure talking to${host}: ${tlsReason(code)} (${code}).`, code);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return make('idle-timeout', `${host.trim()} stopped responding${on}.`, code);
  }
  if ((code && RESET_CODES.has(code)) || /other side closed|socket hang up/i.test(text)) {
    return make('reset', `The connection to${host} was closed unexpectedly${on}.`, code);
  }
  if (found.abort) return make('aborted', `The request was cancelled${on}.`, code);
  const first = found.messages[0] ?? String(err);
  return make('network', `Network error talking to${host}: ${first}`, code);
}

function tlsReason(code: string): string {
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'the certificate is self-signed or signed by an unknown authority';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'the certificate chain is not trusted (add the CA certificate)';
    case 'CERT_HAS_EXPIRED':
      return 'the certificate has expired';
    case 'CERT_NOT_YET_VALID':
      return 'the certificate is not valid yet';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'the certificate does not match the host name';
    default:
      return 'the secure connection could not be established';
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | string[] | undefined | null, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v == null) return undefined;
  const s = String(v).trim();
  if (!s) return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) return Math.ceil(Number(s));
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, Math.ceil((t - now) / 1000));
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** The standard reason phrase for a status (or "HTTP error"). */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'HTTP error';
}

/**
 * Builds the `ApiError` for a non-2xx answer. Understands Dify `{code,message,status}`, Flowise
 * `{statusCode,success,message}`, `{error}`/`{detail}` bodies and short plain text; HTML (a proxy's error page)
 * is never copied into the message.
 */
export function errorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  ctx: ErrorContext,
): ApiError {
  const contentType = String(header(headers, 'content-type') ?? '').toLowerCase();
  const retryAfterSeconds = parseRetryAfter(header(headers, 'retry-after'));
  let code: string | undefined;
  let message: string | undefined;
  const trimmed = bodyText.trim();
  if (contentType.includes('json') || trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as Record<string, unknown>;
      if (j && typeof j === 'object') {
        if (typeof j.code === 'string') code = j.code;
        const m = j.message ?? j.error ?? j.detail ?? j.msg;
        if (typeof m === 'string' && m.trim()) message = m.trim();
        else if (m && typeof m === 'object') message = JSON.stringify(m);
      }
    } catch {
      /* not JSON after all */
    }
  }
  const looksHtml = contentType.includes('html') || /^<(!doctype|html|head|body|\?xml)/i.test(trimmed) || /<\/?[a-z][^>]*>/i.test(trimmed.slice(0, 200));
  const reason = reasonPhrase(status);
  if (!message && trimmed && !looksHtml && trimmed.length <= 300 && !trimmed.startsWith('{')) {
    message = trimmed.replace(/\s+/g, ' ');
  }
  let full: string;
  if (message) {
    full = `${message} (HTTP ${status}${code ? ` ${code}` : ''})`;
  } else if (status === 502 || status === 503 || status === 504) {
    full = `${reason} (HTTP ${status}) from the server or a proxy in front of it`;
  } else {
    full = `${reason} (HTTP ${status})${looksHtml ? ' from the server or a proxy in front of it' : ''}`;
  }
  if (retryAfterSeconds !== undefined && status === 429) full += `; retry after ${retryAfterSeconds} s`;
  return new ApiError({
    kind: status === 407 ? 'proxy' : 'http',
    status,
    code,
    message: redact(full, ctx.secrets),
    serverMessage: message && redact(message, ctx.secrets),
    retryAfterSeconds,
    route: ctx.route,
  });
}

/** Case-insensitive header lookup on undici's lower-cased header record. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
