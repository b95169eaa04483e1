// A small request layer over undici: JSON requests, streaming requests (SSE bodies) and multipart uploads,
// with Bearer auth, AbortSignal, optional per-request timeout, and every failure mapped to `ApiError`.
import { Dispatcher, FormData, request } from 'undici';
import { ApiError } from './apiError';
import { errorFromResponse, header, toApiError } from './errors';
import { describeRequest, redact } from './redact';

/** Log levels understood by the optional log hook. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
/** Optional trace hook; every message it receives is already redacted. */
export type LogFn = (level: LogLevel, message: string) => void;

/** Where and how to send requests: base URL, key, dispatcher (see `createDispatcher`), log hook. */
export interface HttpEndpoint {
  /** e.g. `https://api.dify.ai/v1` (a trailing slash is fine). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set; redacted from every message. */
  apiKey?: string;
  dispatcher?: Dispatcher;
  log?: LogFn;
  /** Extra headers on every request (e.g. User-Agent). */
  headers?: Record<string, string>;
  /** Other secrets to redact from messages (proxy passwords, …). */
  secrets?: string[];
}

/** One request. `path` is relative to the base URL (`/info`); `json` is sent as the JSON body. */
export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | null | undefined>;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Whole-request deadline (headers and body); on expiry the error kind is 'idle-timeout'. */
  timeoutMs?: number;
}

/** An opened response whose body is still to be read (SSE or a JSON fallback). */
export interface OpenedStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The Content-Type, lower-cased ('' when absent). */
  contentType: string;
  /** True when the Content-Type starts with `text/event-stream` (matched by prefix: `; charset=utf-8`). */
  isEventStream: boolean;
  /** The raw body; destroy it to release the socket. */
  body: Dispatcher.ResponseData['body'];
  /** `METHOD /path` for messages. */
  route: string;
  /** The signal that governs this response (caller's, combined with any timeout). */
  signal?: AbortSignal;
  /** Reads the rest of the body as JSON (the blocking fallback of a streaming request). */
  json<T = unknown>(): Promise<T>;
}

const MAX_ERROR_BODY = 64 * 1024;
/** JSON answers (forms, lists, blocking runs) larger than this are refused, not read whole into memory. */
export const MAX_JSON_BODY = 32 * 1024 * 1024;

/** Joins base URL, path and query (undefined/null query values are left out). */
export function buildUrl(baseUrl: string, path: string, query?: HttpRequest['query']): URL {
  const base = baseUrl.replace(/\/+$/, '');
  const url = new URL(base + (path.startsWith('/') ? path : '/' + path));
  if (query) {
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
  }
  return url;
}

interface Prepared {
  url: URL;
  route: string;
  signal?: AbortSignal;
  cleanup: () => void;
  secrets: ReadonlyArray<string | undefined>;
}

function prepare(ep: HttpEndpoint, req: HttpRequest): Prepared {
  const url = buildUrl(ep.baseUrl, req.path, req.query);
  const route = describeRequest(req.method ?? 'GET', url);
  const secrets = [ep.apiKey, ...(ep.secrets ?? [])];
  if (!req.timeoutMs) return { url, route, signal: req.signal, cleanup: () => {}, secrets };
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort(req.signal?.reason);
  if (req.signal?.aborted) onAbort();
  else req.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    ctl.abort(
      new ApiError({ kind: 'idle-timeout', message: `No response within ${Math.round(req.timeoutMs! / 1000)} s (${route}).`, route }),
    );
  }, req.timeoutMs);
  timer.unref?.();
  const cleanup = (): void => {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  };
  return { url, route, signal: ctl.signal, cleanup, secrets };
}

function baseHeaders(ep: HttpEndpoint, req: HttpRequest, accept: string): Record<string, string> {
  const h: Record<string, string> = { accept, ...ep.headers, ...req.headers };
  if (ep.apiKey) h.authorization = `Bearer ${ep.apiKey}`;
  return h;
}

async function send(
  ep: HttpEndpoint,
  req: HttpRequest,
  p: Prepared,
  accept: string,
  body?: string | FormData,
): Promise<Dispatcher.ResponseData> {
  const headers = baseHeaders(ep, req, accept);
  if (typeof body === 'string') headers['content-type'] = 'application/json';
  ep.log?.('trace', redact(`→ ${p.route}`, p.secrets));
  const started = Date.now();
  try {
    const res = await request(p.url, {
      method: req.method ?? 'GET',
      headers,
      body,
      signal: p.signal,
      dispatcher: ep.dispatcher,
    });
    ep.log?.('trace', redact(`← ${res.statusCode} ${p.route} (${Date.now() - started} ms)`, p.secrets));
    return res;
  } catch (err) {
    const e = toApiError(err, { route: p.route, host: p.url.host, secrets: p.secrets, signal: p.signal });
    ep.log?.('debug', redact(`✗ ${p.route}: ${e.kind} ${e.message}`, p.secrets));
    throw e;
  }
}

/** Reads a body up to `limit` bytes; `over` says whether there was more (the rest is not read). */
async function readText(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; over: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) {
      over = true;
      body.destroy();
      break;
    }
  }
  return { text: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), over };
}

async function failFromResponse(ep: HttpEndpoint, res: Dispatcher.ResponseData, p: Prepared): Promise<never> {
  let text = '';
  try {
    text = (await readText(res.body, MAX_ERROR_BODY)).text;
  } catch {
    /* the status alone must do */
  }
  const e = errorFromResponse(res.statusCode, res.headers, text, { route: p.route, secrets: p.secrets });
  ep.log?.('debug', redact(`✗ ${p.route}: ${e.message}`, p.secrets));
  throw e;
}

function parseJson<T>(text: string, p: Prepared, status: number): T {
  if (!text.trim()) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ApiError({
      kind: 'malformed',
      status,
      message: `The server answered ${p.route} with a body that is not JSON (HTTP ${status}); a proxy may be rewriting responses.`,
      route: p.route,
      cause: err,
    });
  }
}

/** Reads a whole response body and parses it as JSON; read failures map to ApiError. */
async function readJson<T>(res: Dispatcher.ResponseData, p: Prepared, signal: AbortSignal | undefined): Promise<T> {
  let read: { text: string; over: boolean };
  try {
    read = await readText(res.body, MAX_JSON_BODY);
  } catch (err) {
    throw toApiError(err, { route: p.route, host: p.url.host, secrets: p.secrets, signal });
  }
  if (read.over) {
    throw new ApiError({ kind: 'too-large', status: res.statusCode, message: `the answer to ${p.route} is larger than ${MAX_JSON_BODY / 1024 / 1024} MB`, route: p.route });
  }
  return parseJson<T>(read.text, p, res.statusCode);
}

/** Sends a request and parses the JSON answer (`undefined` for 204/empty bodies). Non-2xx throws `ApiError`. */
export async function requestJson<T>(ep: HttpEndpoint, req: HttpRequest): Promise<T> {
  const p = prepare(ep, req);
  try {
    const res = await send(ep, req, p, 'application/json', req.json === undefined ? undefined : JSON.stringify(req.json));
    if (res.statusCode < 200 || res.statusCode >= 300) return await failFromResponse(ep, res, p);
    return await readJson<T>(res, p, p.signal);
  } finally {
    p.cleanup();
  }
}

/**
 * Sends a request expecting a stream. Resolves once headers arrive with a 2xx status; the caller reads and
 * eventually destroys `body` (see `readSse`). Non-2xx throws `ApiError` after reading a bounded error body.
 * A `timeoutMs` here only covers the wait for the response headers.
 */
export async function openStream(ep: HttpEndpoint, req: HttpRequest): Promise<OpenedStream> {
  const p = prepare(ep, req);
  let res: Dispatcher.ResponseData;
  try {
    res = await send(ep, req, p, 'text/event-stream, application/json', req.json === undefined ? undefined : JSON.stringify(req.json));
    if (res.statusCode < 200 || res.statusCode >= 300) await failFromResponse(ep, res, p);
  } finally {
    p.cleanup();
  }
  const contentType = String(header(res.headers, 'content-type') ?? '').toLowerCase();
  const signal = req.signal;
  return {
    status: res.statusCode,
    headers: res.headers,
    contentType,
    isEventStream: contentType.trimStart().startsWith('text/event-stream'),
    body: res.body,
    route: p.route,
    signal,
    json<T>(): Promise<T> {
      return readJson<T>(res, p, signal);
    },
  };
}

/** Posts a multipart form (undici `FormData`) and parses the JSON answer. Non-2xx throws `ApiError`. */
export async function postMultipart<T>(
  ep: HttpEndpoint,
  req: Omit<HttpRequest, 'json' | 'method'> & { form: FormData },
): Promise<T> {
  const p = prepare(ep, { ...req, method: 'POST' });
  try {
    const res = await send(ep, { ...req, method: 'POST' }, p, 'application/json', req.form);
    if (res.statusCode < 200 || res.statusCode >= 300) return await failFromResponse(ep, res, p);
    return await readJson<T>(res, p, p.signal);
  } finally {
    p.cleanup();
  }
}
