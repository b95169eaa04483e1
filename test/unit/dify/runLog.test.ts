// A workflow app's run log (GET /workflows/logs) and one run's detail (GET /workflows/run/{id}) against the
// Dify-compatible test server: paging, the filters, the detail's inputs sent as JSON text, and the refusals.
import * as assert from 'node:assert/strict';
import { request } from 'undici';
import { ApiError } from '../../../src/net/apiError';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { client, collectRun, USER } from './helpers';

const key = (mode: string) => demoApps().find((a) => a.mode === mode)!.key;
const sig = () => new AbortController().signal;

describe('Dify run log and run detail', function () {
  this.timeout(20_000);
  let server: DifyTestServer;
  const ids: string[] = [];

  before(async () => {
    server = await startDifyServer();
    const c = client(server.url, key('workflow'));
    // Three runs: one fails mid-stream, one is someone else's; all with 中文 inputs.
    server.script(key('workflow'), [{}, { errorAfterChunks: 1 }, {}]);
    for (const [i, user] of [[0, USER], [1, USER], [2, 'web-user-7']] as const) {
      const r = await collectRun(c.run('workflow', { inputs: { code: `第 ${i} 段代码 #${i}` }, user }, sig()));
      ids.push((r.events.find((e) => e.type === 'meta' && e.runId) as { runId: string }).runId);
    }
  });
  after(async () => {
    await server.close();
  });

  it('lists the runs newest first, a page at a time', async () => {
    const c = client(server.url, key('workflow'));
    const p1 = await c.runLog({ page: 1, limit: 2 });
    assert.deepEqual(p1.runs.map((r) => r.id), [ids[2], ids[1]]);
    assert.deepEqual({ page: p1.page, hasMore: p1.hasMore, total: p1.total }, { page: 1, hasMore: true, total: 3 });
    assert.deepEqual(server.requests.at(-1)!.query, { page: '1', limit: '2' });
    const p2 = await c.runLog({ page: 2, limit: 2 });
    assert.deepEqual(p2.runs.map((r) => r.id), [ids[0]]);
    assert.equal(p2.hasMore, false);
    const r = p2.runs[0];
    assert.equal(r.status, 'succeeded');
    assert.equal(typeof r.elapsedSeconds, 'number');
    assert.equal(r.totalTokens, 150);
    assert.equal(r.createdFrom, 'service-api');
    assert.equal(r.sessionId, USER);
  });

  it('filters by status and keyword; the failed run says why', async () => {
    const c = client(server.url, key('workflow'));
    const failed = await c.runLog({ status: 'failed' });
    assert.deepEqual(failed.runs.map((r) => r.id), [ids[1]]);
    assert.equal(server.requests.at(-1)!.query.status, 'failed');
    assert.deepEqual((await c.runLog({ status: 'stopped' })).runs, []);
    assert.deepEqual((await c.runLog({ keyword: '第 2 段' })).runs.map((r) => r.id), [ids[2]]);
    assert.equal(failed.runs[0].error, '[openai] Rate limit reached for requests');
    const d = await c.runDetail(ids[1]);
    assert.equal(d.status, 'failed');
    assert.equal(d.error, '[openai] Rate limit reached for requests');
  });

  it('refuses a status, a page or a limit out of range, and a date that is no date (400 invalid_param)', async () => {
    const c = client(server.url, key('workflow'));
    for (const q of [{ status: 'running' }, { page: 0 }, { limit: 101 }, { created_at__before: 'yesterday' }]) {
      await assert.rejects(c.workflowLogs(q as never), (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'invalid_param', JSON.stringify(q));
    }
    const since = await c.workflowLogs({ created_at__after: new Date(Date.now() + 60_000).toISOString() });
    assert.deepEqual(since.data, []);
  });

  it('a chatflow\'s runs are not in the app log (as in Dify); the detail of one is', async () => {
    const flow = client(server.url, key('advanced-chat'));
    const r = await collectRun(flow.run('advanced-chat', { inputs: {}, query: '你好', user: USER }, sig()));
    const runId = (r.events.find((e) => e.type === 'meta' && e.runId) as { runId: string }).runId;
    assert.deepEqual((await flow.runLog({})).runs, []);
    assert.equal((await flow.runDetail(runId)).status, 'succeeded');
  });

  it('the detail: inputs arrive as JSON text and are decoded (中文 intact), with outputs, times and counts', async () => {
    const raw = await request(`${server.url}/workflows/run/${ids[0]}`, { headers: { authorization: `Bearer ${key('workflow')}` } });
    const wire = (await raw.body.json()) as { inputs: unknown };
    assert.equal(typeof wire.inputs, 'string', 'Dify sends the inputs as a JSON string');
    const d = await client(server.url, key('workflow')).runDetail(ids[0]);
    assert.deepEqual(d.inputs, { code: '第 0 段代码 #0' });
    assert.equal(d.inputsText, undefined);
    assert.equal(d.status, 'succeeded');
    assert.equal(typeof d.outputs?.text, 'string');
    assert.equal(d.totalSteps, 6);
    assert.ok(d.finishedAt! >= d.createdAt!);
    assert.equal(typeof d.workflowId, 'string');
  });

  it('an unknown run is 404; a chat app has no runs (400 not_workflow_app)', async () => {
    await assert.rejects(client(server.url, key('workflow')).runDetail('3c7d8f1e-0000-4000-8000-000000000000'), (e: unknown) => e instanceof ApiError && e.status === 404);
    await assert.rejects(client(server.url, key('chat')).runDetail(ids[0]), (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'not_workflow_app');
  });
});
