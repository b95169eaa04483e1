// Server-Sent Events over a byte stream, built on eventsource-parser: streaming UTF-8 decoding (characters
// split across reads are joined), CR/LF/CRLF, comments and pings as activity, an idle timeout, and prompt abort.
import type { EventSourceMessage, EventSourceParser } from 'eventsource-parser' with { 'resolution-mode': 'import' };
import { ApiError } from './apiError';
import { toApiError } from './errors';

/** One SSE event. Dify keeps the event name inside `data`; a keep-alive ping arrives as `{event:'ping', data:''}`. */
export interface SseMessage {
  event?: string;
  data: string;
  id?: string;
}

/** Options for `readSse` and `readSseBatches`. */
export interface ReadSseOptions {
  /** No bytes at all (not even a ping or comment) for this long → ApiError 'idle-timeout'. 0/undefined: none. */
  idleTimeoutMs?: number;
  /** Abort → ApiError 'aborted' promptly; the body is destroyed (socket released). */
  signal?: AbortSignal;
  /** `METHOD /path`, for messages. */
  route?: string;
  /** Largest single event in characters before failing as 'malformed' (default 64 MiB). */
  maxEventChars?: number;
  /**
   * Yield a bare `event: ping` frame (no data line, which the SSE spec drops) as `{event:'ping', data:''}` (default
   * true). A consumer that ignores pings passes false and saves a scan of every read; pings still count as activity
   * for the idle timeout either way (the clock counts bytes, not events).
   */
  pings?: boolean;
}

/** A byte stream that can optionally be destroyed (undici's body, a Node Readable, …). */
export type ByteStream = AsyncIterable<Uint8Array> & { destroy?(err?: Error): unknown };

type ParserModule = { createParser: typeof import('eventsource-parser', { with: { 'resolution-mode': 'import' } }).createParser };
let parserModule: Promise<ParserModule> | undefined;
function loadParser(): Promise<ParserModule> {
  // eventsource-parser is ESM-only; this file compiles to CommonJS, so load it with a dynamic import (once).
  return (parserModule ??= import('eventsource-parser') as Promise<ParserModule>);
}

const STREAM = { stream: true } as const;
// A bare `event: ping` frame has no data line, so the parser would drop it; give it an empty data line.
const PING_LINE = /^(event: ?ping)(\r\n|\r|\n)/gm;
const MAX_HELD = 32;

/**
 * Reads SSE events from `body`, one array per network read (every event that read completed, in order; reads that
 * complete no event yield nothing). This is the hot path: a consumer that handles a whole batch synchronously pays
 * one async hop per read instead of one per event. The idle clock only runs while waiting for the network (time the
 * consumer spends between batches does not count). Ends when the body ends; an incomplete trailing event is dropped
 * (as the SSE spec says). Breaking out of the loop destroys the body. Each yielded array is fresh (the consumer may
 * keep it).
 */
export async function* readSseBatches(body: ByteStream, opts: ReadSseOptions = {}): AsyncGenerator<SseMessage[], void, undefined> {
  const { createParser } = await loadParser();
  const route = opts.route ?? 'stream';
  let batch: EventSourceMessage[] = [];
  let tooLarge = false;
  const parser: EventSourceParser = createParser({
    onEvent: (m) => batch.push(m),
    onComment: () => {},
    onError: (e) => {
      if ((e as { type?: string }).type === 'max-buffer-size-exceeded') tooLarge = true;
    },
    maxBufferSize: opts.maxEventChars ?? 64 * 1024 * 1024,
  });
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  const pings = opts.pings !== false;
  const feed = (input: string): void => {
    if (!pings) {
      if (input) parser.feed(input);
      return;
    }
    let text = carry ? carry + input : input;
    carry = '';
    const last = text.length - 1;
    if (last >= 0 && text.charCodeAt(last) !== 10 && text.charCodeAt(last) !== 13) {
      const start = text.lastIndexOf('\n') + 1;
      if (text.charCodeAt(start) === 101 /* e */ && text.length - start <= MAX_HELD && text.indexOf('\r', start) === -1) {
        carry = text.slice(start);
        text = text.slice(0, start);
      }
    }
    if (text.indexOf('event:') !== -1) text = text.replace(PING_LINE, '$1$2data:$2');
    if (text) parser.feed(text);
  };

  let failure: ApiError | undefined;
  // Rejects the network wait in progress (if any). One small promise per read instead of `Promise.race` against a
  // long-lived "stopped" promise: every race leaves a reaction on that never-settling promise which keeps its result
  // (the read's chunk) alive, so memory grew with the stream's length.
  let wake: ((e: ApiError) => void) | undefined;
  const stop = (e: ApiError): void => {
    if (failure) return;
    failure = e;
    wake?.(e);
    try {
      // No error argument: an 'error' event without listeners would be uncaught; `failure` carries the reason.
      body.destroy?.();
    } catch {
      /* already gone */
    }
  };
  const idle = opts.idleTimeoutMs && opts.idleTimeoutMs > 0 ? opts.idleTimeoutMs : 0;
  // The timer is re-armed (refresh) before every network wait and only counts while `waiting`: a tick that lands
  // while the consumer is busy with a batch is ignored (the next wait re-arms a full period). No per-event timer work.
  let waiting = false;
  const timer = idle
    ? setTimeout(() => {
        if (!waiting) return;
        stop(new ApiError({
          kind: 'idle-timeout',
          message: `The server sent nothing for ${formatSeconds(idle)} (${route}); the connection looks stalled.`,
          route,
        }));
      }, idle)
    : undefined;
  timer?.unref?.();
  const onAbort = (): void => stop(new ApiError({ kind: 'aborted', message: `The request was cancelled (${route}).`, route }));
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const it = body[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      if (failure) throw failure;
      timer?.refresh();
      waiting = true;
      let r: IteratorResult<Uint8Array>;
      try {
        r = await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
          wake = reject;
          it.next().then(resolve, reject);
        });
      } finally {
        waiting = false;
        wake = undefined;
      }
      if (r.done) break;
      feed(decoder.decode(r.value, STREAM));
      if (tooLarge) {
        throw new ApiError({ kind: 'malformed', message: `An event in the stream was larger than the limit (${route}).`, route });
      }
      if (batch.length) {
        const out = batch;
        batch = [];
        yield out;
      }
    }
    feed(decoder.decode());
    if (carry) {
      parser.feed(carry.replace(PING_LINE, '$1$2data:$2'));
      carry = '';
    }
    if (batch.length) {
      const out = batch;
      batch = [];
      yield out;
    }
    finished = true;
  } catch (err) {
    if (failure) throw failure;
    throw toApiError(err, { route, signal: opts.signal });
  } finally {
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!finished) {
      try {
        body.destroy?.();
      } catch {
        /* ignore */
      }
      void Promise.resolve(it.return?.()).catch(() => {});
    }
  }
}

/**
 * Reads SSE events from `body` one at a time (a thin wrapper over `readSseBatches`, same semantics: idle timeout,
 * abort, pings, comments, trailing incomplete event dropped, breaking out destroys the body). Hot paths that can
 * handle several events synchronously should use `readSseBatches`.
 */
export async function* readSse(body: ByteStream, opts: ReadSseOptions = {}): AsyncGenerator<SseMessage, void, undefined> {
  for await (const batch of readSseBatches(body, opts)) {
    for (let i = 0; i < batch.length; i++) yield batch[i];
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
