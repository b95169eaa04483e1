// Shared helpers for the private-deployment tests (proxies, certificates, faults).
import { collectRun } from '../dify/helpers';
import * as assert from 'node:assert/strict';
import { DifyClient, DifyClientOptions } from '../../../src/providers/dify/client';
import type { ErrorView, EntryPatch, EntryView } from '../../../src/protocol';
import { ApiError } from '../../../src/net/apiError';
import { RunExecution, type RunnerOptions } from '../../../src/run/runner';
import type { AppMode, RunRequest } from '../../../src/providers/types';
import { demoApps, DifyTestApp } from '../../support/dify/apps';

export const USER = 'private-deploy-user';
/** One demo app per mode (the apps that pause for a person are tested in test/unit/dify/humanInput.test.ts). */
export const apps = demoApps().filter((a) => !a.humanInput);
export const app = (mode: AppMode): DifyTestApp => apps.find((a) => a.mode === mode)!;
export const CHAT = app('chat');
export const WORKFLOW = app('workflow');

/** A client with short timeouts (idle 2 s, connect 2 s) unless overridden. */
export function client(baseUrl: string, key: string, extra: Partial<DifyClientOptions> = {}): DifyClient {
  return new DifyClient({ baseUrl, apiKey: key, idleTimeoutMs: 2000, connectTimeoutMs: 2000, requestTimeoutMs: 5000, ...extra });
}

/** A request that fits each demo app's form. */
export function requestFor(mode: AppMode, text: string, user = USER): RunRequest {
  if (mode === 'workflow') return { inputs: { code: text }, user };
  if (mode === 'completion') return { inputs: { diff: text }, user };
  return { inputs: {}, query: text, user };
}

/** Consumes a run; a failure is returned with everything delivered before it. */
export const collect = collectRun;
export type Collected = Awaited<ReturnType<typeof collectRun>>;

/** Runs `mode` through the client and collects it. */
export function runThrough(c: DifyClient, mode: AppMode, text = 'hello', signal = new AbortController().signal): Promise<Collected> {
  return collect(c.run(mode, requestFor(mode, text), signal));
}

/** Asserts an ApiError of `kind` and returns it. */
export function apiError(e: unknown, kind: ApiError['kind']): ApiError {
  assert.ok(e instanceof ApiError, `expected an ApiError, got ${e instanceof Error ? e.stack : String(e)}`);
  assert.equal(e.kind, kind, `kind '${e.kind}' (${e.message})`);
  return e;
}

/** Awaits a promise that must reject, returning the rejection. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  assert.fail('expected a rejection');
}

export function newEntry(id = 'e1'): EntryView {
  return { id, app: 'Test', question: 'q', answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'running', startedAt: Date.now(), canReplaceSelection: false };
}

/** A RunExecution whose describeError records every ApiError it is given. */
export function execution(c: DifyClient, mode: AppMode, req: RunRequest, extra: { maxRunMs?: number; stopGraceMs?: number; bounds?: RunnerOptions['bounds']; onPatch?: (p: EntryPatch, x: RunExecution) => void; events?: RunnerOptions['events']; entry?: EntryView } = {}): {
  exec: RunExecution;
  errors: ApiError[];
  patches: EntryPatch[];
} {
  const errors: ApiError[] = [];
  const patches: EntryPatch[] = [];
  const exec: RunExecution = new RunExecution(c, mode, req, extra.entry ?? newEntry(), {
    onPatch: (p) => {
      patches.push(p);
      extra.onPatch?.(p, exec);
    },
    describeError: (e): ErrorView => {
      errors.push(e);
      return { message: `failed: ${e.kind}`, actions: [] };
    },
    maxRunMs: extra.maxRunMs,
    stopTimeoutMs: 2000,
    stopGraceMs: extra.stopGraceMs,
    bounds: extra.bounds,
    events: extra.events,
  });
  return { exec, errors, patches };
}

/** Resolves `p`, or fails the test if it has not settled within `ms` (a guard against hangs, not a timing check). */
export async function settles<T>(p: Promise<T>, ms = 8000, what = 'the promise'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Saves and restores environment variables around a test. */
export function envSandbox(names: string[]): { set(vars: Record<string, string | undefined>): void; restore(): void } {
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  return {
    set(vars) {
      for (const n of names) delete process.env[n];
      for (const [k, v] of Object.entries(vars)) if (v !== undefined) process.env[k] = v;
    },
    restore() {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
