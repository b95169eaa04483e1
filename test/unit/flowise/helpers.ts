// Shared helpers for the Flowise unit tests.
import * as assert from 'node:assert/strict';
import { ApiError } from '../../../src/net/apiError';
import type { RunEvent } from '../../../src/providers/types';
import { FlowiseClient, type FlowiseClientOptions } from '../../../src/providers/flowise/client';
import type { FlowiseRunRequest } from '../../../src/providers/flowise/request';
import type { FlowiseTestServer } from '../../support/flowise/server';

export interface Collected {
  events: RunEvent[];
  error?: unknown;
}

/** Runs to completion, keeping the events received before any error (as the caller would). */
export async function collect(
  iter: AsyncIterable<RunEvent>,
  onEvent?: (e: RunEvent, all: RunEvent[]) => void | Promise<void>,
): Promise<Collected> {
  const events: RunEvent[] = [];
  try {
    for await (const e of iter) {
      events.push(e);
      await onEvent?.(e, events);
    }
    return { events };
  } catch (error) {
    return { events, error };
  }
}

export function answerOf(events: RunEvent[]): string {
  return events.map((e) => (e.type === 'answer' ? e.text : '')).join('');
}

export function reasoningOf(events: RunEvent[]): string {
  return events.map((e) => (e.type === 'reasoning' ? e.text : '')).join('');
}

export function ofType<T extends RunEvent['type']>(events: RunEvent[], type: T): Extract<RunEvent, { type: T }>[] {
  return events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);
}

export function lastOf(events: RunEvent[]): RunEvent | undefined {
  return events[events.length - 1];
}

export function expectApiError(error: unknown, kind: ApiError['kind'], status?: number): ApiError {
  assert.ok(error instanceof ApiError, `expected ApiError(${kind}), got ${error instanceof Error ? error.stack : String(error)}`);
  assert.equal(error.kind, kind, `kind (message: ${error.message})`);
  if (status !== undefined) assert.equal(error.status, status, `status (message: ${error.message})`);
  return error;
}

export function clientFor(
  server: FlowiseTestServer,
  chatflowId: string,
  extra: Partial<FlowiseClientOptions> = {},
): FlowiseClient {
  return new FlowiseClient({ baseUrl: server.url, chatflowId, idleTimeoutMs: 10_000, ...extra });
}

export function run(client: FlowiseClient, request: Partial<FlowiseRunRequest> = {}, signal?: AbortSignal) {
  return client.run('flowise', { inputs: {}, user: 'tester', query: 'hello', ...request }, signal ?? new AbortController().signal);
}

export function predictions(server: FlowiseTestServer, flowId: string) {
  return server.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/prediction/${flowId}`);
}
