// Retries only where they are safe: idempotent requests (GET introspection), 429 with a bounded Retry-After,
// and connections refused before anything was sent. Never used for POST runs.
import { ApiError } from './apiError';

/** Options for `withRetry`. */
export interface RetryOptions {
  /** Extra attempts after the first (default 2). */
  retries?: number;
  /** True for GET and other idempotent requests: also retry resets, DNS hiccups, 502/503/504. */
  idempotent: boolean;
  /** Retry-After values above this are not waited for (default 30 s); the error is thrown instead. */
  maxRetryAfterSeconds?: number;
  /** First back-off delay (default 300 ms, doubled per attempt). */
  baseDelayMs?: number;
  signal?: AbortSignal;
  log?: (level: 'debug', message: string) => void;
}

/** The delay before the next attempt for `err`, or undefined when it must not be retried. */
export function retryDelayMs(err: unknown, attempt: number, opts: RetryOptions): number | undefined {
  if (!(err instanceof ApiError)) return undefined;
  const backoff = (opts.baseDelayMs ?? 300) * 2 ** attempt;
  if (err.kind === 'refused') return backoff;
  if (err.status === 429) {
    if (err.retryAfterSeconds === undefined) return opts.idempotent ? backoff : undefined;
    return err.retryAfterSeconds <= (opts.maxRetryAfterSeconds ?? 30) ? err.retryAfterSeconds * 1000 : undefined;
  }
  if (!opts.idempotent) return undefined;
  if (err.kind === 'reset' || err.kind === 'connect-timeout') return backoff;
  if (err.kind === 'dns' && err.causeCode === 'EAI_AGAIN') return backoff;
  if (err.kind === 'http' && (err.status === 502 || err.status === 503 || err.status === 504)) {
    if (err.retryAfterSeconds !== undefined) {
      return err.retryAfterSeconds <= (opts.maxRetryAfterSeconds ?? 30) ? err.retryAfterSeconds * 1000 : undefined;
    }
    return backoff;
  }
  return undefined;
}

/** Runs `fn`, retrying per `retryDelayMs`. Aborting the signal stops waiting and rethrows the last error. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const retries = opts.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const delay = attempt < retries && !opts.signal?.aborted ? retryDelayMs(err, attempt, opts) : undefined;
      if (delay === undefined) throw err;
      opts.log?.('debug', `retrying after ${delay} ms: ${(err as Error).message}`);
      await sleep(delay, opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
