// 50 concurrent runs against one server, all five modes, sharing one client (and connection pool) per app:
// every answer, conversation and stop call must belong to its own run (no cross-talk).
import * as assert from 'node:assert/strict';
import type { DifyClient } from '../../../src/providers/dify/client';
import type { RunExecution } from '../../../src/run/runner';
import type { AppMode } from '../../../src/providers/types';
import type { DifyTestApp } from '../../support/dify/apps';
import type { RecordedRequest } from '../../support/dify/server';
import { DifyTestServer, startDifyServer } from '../../support/dify/server';
import { Front, startFront } from '../../support/tls/front';
import { apps, client, execution, requestFor, settles } from './helpers';
import { until } from './matrix';

const RUNS = 50;
const PER_APP = RUNS / apps.length;
const STOP_MARK = 'STOP-ME';

/** The k-th run request an app receives gets script k: even k stream fully, odd k stall until stopped. */
const answerOf = (a: DifyTestApp, k: number): string =>
  `${k % 2 ? STOP_MARK : 'FULL'} answer ${k} of ${a.mode}, long enough to arrive in several pieces, 第${k}个回答。 `.repeat(3);

const queryOf = (r: RecordedRequest): string | undefined => {
  const b = r.body as { query?: string; inputs?: { code?: string; diff?: string } };
  return b.query ?? b.inputs?.code ?? b.inputs?.diff;
};

const stopPath: Record<string, string> = {
  workflow: '/v1/workflows/tasks/{t}/stop',
  completion: '/v1/completion-messages/{t}/stop',
  chat: '/v1/chat-messages/{t}/stop',
  'advanced-chat': '/v1/chat-messages/{t}/stop',
  'agent-chat': '/v1/chat-messages/{t}/stop',
};

describe('private deployments: 50 concurrent runs, no cross-talk', function () {
  this.timeout(60_000);
  let dify: DifyTestServer;
  let front: Front;
  before(async () => {
    dify = await startDifyServer({ chunkDelayMs: [0, 4] });
    front = await startFront({ targetPort: dify.port });
  });
  after(async () => {
    await front?.close();
    await dify?.close();
  });

  it('each run gets its own answer, conversation and stop call; every other run is stopped', async () => {
    for (const a of apps) {
      dify.script(a.key, Array.from({ length: PER_APP }, (_, k) => (k % 2 ? { answer: answerOf(a, k), stallAfterChunks: 1 } : { answer: answerOf(a, k) })));
    }
    const clients = new Map<string, DifyClient>(apps.map((a) => [a.key, client(front.origin + '/v1', a.key, { idleTimeoutMs: 10_000 })]));
    const runs: { i: number; app: DifyTestApp; query: string; user: string; exec: RunExecution; stopping?: Promise<void> }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = apps[i % apps.length];
      const query = `question ${i} for ${a.mode}`;
      const user = `user-${i}`;
      const run = { i, app: a, query, user } as (typeof runs)[number];
      run.exec = execution(clients.get(a.key)!, a.mode as AppMode, requestFor(a.mode, query, user), {
        onPatch: (_p, x) => {
          if (!run.stopping && x.entry.answer.startsWith(STOP_MARK)) run.stopping = x.stop();
        },
      }).exec;
      runs.push(run);
    }
    await settles(Promise.all(runs.map((r) => r.exec.start())), 30_000, 'all 50 runs');
    await settles(Promise.all(runs.map((r) => r.stopping)), 10_000, 'all stops');

    const taskIds = new Set<string>();
    let stopped = 0;
    for (const r of runs) {
      const runReqs = dify.requests.filter((q) => q.method === 'POST' && q.appKey === r.app.key && !q.path.endsWith('/stop'));
      assert.equal(runReqs.length, PER_APP);
      const mine = runReqs.filter((q) => queryOf(q) === r.query);
      assert.equal(mine.length, 1, `run ${r.i}: one request carried its query`);
      assert.equal(mine[0].body && (mine[0].body as { user?: string }).user, r.user);
      const k = runReqs.indexOf(mine[0]);
      const expected = answerOf(r.app, k);
      const e = r.exec.entry;
      const tid = r.exec.taskId;
      assert.ok(tid, `run ${r.i} learned its task id`);
      assert.ok(!taskIds.has(tid), 'task ids are distinct');
      taskIds.add(tid);
      const stops = dify.requests.filter((q) => q.path.endsWith('/stop') && q.path.includes(tid));
      if (k % 2) {
        stopped++;
        assert.equal(e.status, 'stopped', `run ${r.i}`);
        assert.ok(e.answer.length > 0 && expected.startsWith(e.answer) && e.answer !== expected, `run ${r.i}: its own partial answer`);
        assert.equal(stops.length, 1, `run ${r.i}: one stop call named its task`);
        assert.equal(stops[0].path, stopPath[r.app.mode].replace('{t}', tid));
        assert.deepEqual(stops[0].body, { user: r.user });
        assert.equal(stops[0].appKey, r.app.key);
      } else {
        assert.equal(e.status, 'succeeded', `run ${r.i}: ${e.error?.message ?? ''}`);
        assert.equal(e.answer, expected, `run ${r.i}: its own answer`);
        assert.equal(stops.length, 0, `run ${r.i} was not stopped`);
      }
      if (['chat', 'advanced-chat', 'agent-chat'].includes(r.app.mode)) {
        assert.ok(e.conversationId, `run ${r.i} has a conversation`);
        const msgs = await clients.get(r.app.key)!.messages(e.conversationId!, r.user);
        assert.deepEqual(msgs.map((m) => [m.query, m.answer]), [[r.query, expected]], `run ${r.i}: the conversation is its own`);
      }
    }
    assert.equal(stopped, apps.length * Math.floor(PER_APP / 2));
    assert.equal(dify.requests.filter((q) => q.path.endsWith('/stop')).length, stopped, 'no stray stop calls');
    await settles(Promise.all([...clients.values()].map((c) => c.close())), 5000, 'closing the clients');
    await until(() => front.open() === 0, 'every connection is closed');
  });
});
