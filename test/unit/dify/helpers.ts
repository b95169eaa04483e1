// Shared helpers for the Dify client tests.
import * as assert from 'node:assert/strict';
import { DifyClient, DifyClientOptions } from '../../../src/providers/dify/client';
import { ApiError } from '../../../src/net/apiError';
import type { RunEvent } from '../../../src/providers/types';

export const USER = 'vscode-user-3f2a';

export function client(url: string, key: string, extra: Partial<DifyClientOptions> = {}): DifyClient {
  return new DifyClient({ baseUrl: url, apiKey: key, idleTimeoutMs: 2000, connectTimeoutMs: 2000, ...extra });
}

/** Collects RunEvents; on failure returns the events received before the error too. */
export async function collectRun(it: AsyncIterable<RunEvent>): Promise<{ events: RunEvent[]; answer: string; error?: unknown }> {
  const events: RunEvent[] = [];
  let answer = '';
  try {
    for await (const e of it) {
      events.push(e);
      if (e.type === 'answer') answer += e.text;
      if (e.type === 'answerReplace') answer = e.text;
    }
  } catch (error) {
    return { events, answer, error };
  }
  return { events, answer };
}

export function assertApiError(e: unknown, kind: string, extra?: (e: ApiError) => void): ApiError {
  assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
  assert.equal(e.kind, kind, `kind ${e.kind}: ${e.message}`);
  extra?.(e);
  return e;
}

export function finished(events: RunEvent[]): Extract<RunEvent, { type: 'finished' }> {
  const f = events.filter((e) => e.type === 'finished');
  assert.equal(f.length, 1, 'exactly one finished event');
  assert.equal(events.at(-1)?.type, 'finished', 'finished is last');
  return f[0] as Extract<RunEvent, { type: 'finished' }>;
}
