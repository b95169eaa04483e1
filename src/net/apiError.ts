// The one error type of the kernel: net, the providers and the run layer throw it. No `vscode` import; the
// words a person reads live in the application layer (src/app/errors.ts), so they can be translated.

export type ApiErrorKind =
  /** The server answered with a non-2xx status (status, code, message from the body). */
  | 'http'
  /** An `error` event inside a 200 stream. */
  | 'stream'
  /** Host name did not resolve. */
  | 'dns'
  /** TCP connection refused (nothing listening). */
  | 'refused'
  /** Connection reset / closed by the peer while a request or stream was in flight. */
  | 'reset'
  /** TLS failure: untrusted/self-signed certificate, host name mismatch, handshake failure. */
  | 'tls'
  /** Could not connect within the connect timeout. */
  | 'connect-timeout'
  /** No bytes (not even a ping) within the idle timeout. */
  | 'idle-timeout'
  /** The proxy asked for authentication (407) or refused the tunnel. */
  | 'proxy'
  /** The stream ended before its terminal event. */
  | 'incomplete'
  /** A frame or body that could not be understood. */
  | 'malformed'
  /** A body or answer larger than the extension keeps (see RUN_BOUNDS and the JSON body limit). */
  | 'too-large'
  /** Cancelled by the caller (Stop). */
  | 'aborted'
  /** Any other network failure. */
  | 'network';

export interface ApiErrorInit {
  kind: ApiErrorKind;
  message: string;
  status?: number;
  code?: string;
  /** Seconds from a Retry-After header (429/503). */
  retryAfterSeconds?: number;
  /** Underlying error code (ECONNREFUSED, UND_ERR_CONNECT_TIMEOUT, DEPTH_ZERO_SELF_SIGNED_CERT, …). */
  cause?: unknown;
  causeCode?: string;
  /** Request method and path (never the query string, never headers). */
  route?: string;
  /** What the server itself said about an HTTP failure (its JSON message or short plain text), redacted. */
  serverMessage?: string;
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterSeconds?: number;
  readonly causeCode?: string;
  readonly route?: string;
  readonly serverMessage?: string;

  constructor(init: ApiErrorInit) {
    super(init.message, { cause: init.cause });
    this.name = 'ApiError';
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.causeCode = init.causeCode;
    this.route = init.route;
    this.serverMessage = init.serverMessage;
  }
}

/** The same error with its message passed through `map` (redaction). */
export function mapMessage(e: ApiError, map: (message: string) => string): ApiError {
  const message = map(e.message);
  const serverMessage = e.serverMessage && map(e.serverMessage);
  if (message === e.message && serverMessage === e.serverMessage) return e;
  return new ApiError({ ...e, kind: e.kind, message, serverMessage, cause: e.cause });
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Anything thrown, as an Error (a rejected promise may carry anything). */
export const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
