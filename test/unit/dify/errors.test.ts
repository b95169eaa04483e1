import * as assert from 'node:assert/strict';
import { requestJson } from '../../../src/net/http';
import { demoApps } from '../../support/dify/apps';
import { DifyTestServer, startDifyServer } from '../../support/dify/server';
import { closedPort } from '../../support/net/servers';
import type { AppMode, RunEvent } from '../../../src/providers/types';
import { assertApiError, client, collectRun, finished, USER } from './helpers';

const apps = demoApps();
const app = (mode: string) => apps.find((a) => a.mode === mode)!;
const sig = () => new AbortController().signal;

describe('dify client: errors, stop, user and key hygiene', () => {
  let server: DifyTestServer;
  beforeEach(async () => {
    server = await startDifyServer({ apps: [...apps, { key: 'app-demo-disabled', name: 'Off', mode: 'chat', disabled: true }] });
  });
  afterEach(() => server.close());

  it('401 with the documented messages and WWW-Authenticate', async () => {
    await assert.rejects(client(server.url, 'app-nope').info(), (e) => !!assertApiError(e, 'http', (x) => {
      assert.equal(x.status, 401);
      assert.equal(x.code, 'unauthorized');
      assert.match(x.message, /^Access token is invalid/);
    }));
    const ep = { baseUrl: server.url };
    await assert.rejects(requestJson(ep, { path: '/info', headers: { authorization: 'Bearer' } }), (e) => !!assertApiError(e, 'http', (x) => assert.match(x.message, /^Authorization header must be provided and start with 'Bearer'/)));
    await assert.rejects(requestJson(ep, { path: '/info' }), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.status, 401)));
    await assert.rejects(requestJson(ep, { path: '/info', headers: { authorization: 'Basic abc' } }), (e) => !!assertApiError(e, 'http', (x) => assert.match(x.message, /^Authorization scheme must be 'Bearer'/)));
    const r = await fetch(server.url + '/info');
    assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="api"');
  });

  it('403 for a disabled app', async () => {
    await assert.rejects(client(server.url, 'app-demo-disabled').info(), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.status, 403)));
  });

  it('400 invalid_param: missing user, missing required input; agent blocking; completion on a wrong mode', async () => {
    const ep = { baseUrl: server.url, apiKey: app('chat').key };
    await assert.rejects(requestJson(ep, { method: 'POST', path: '/chat-messages', json: { inputs: {}, query: 'q' } }), (e) => !!assertApiError(e, 'http', (x) => {
      assert.equal(x.code, 'invalid_param');
      assert.match(x.message, /^Arg user must be provided\./);
    }));
    const wf = await collectRun(client(server.url, app('workflow').key).run('workflow', { inputs: {}, user: USER }, sig()));
    assertApiError(wf.error, 'http', (x) => assert.match(x.message, /code is required/));
    const agent = await requestJson({ baseUrl: server.url, apiKey: app('agent-chat').key }, { method: 'POST', path: '/chat-messages', json: { inputs: {}, query: 'q', user: USER, response_mode: 'blocking' } }).catch((e) => e);
    assertApiError(agent, 'http', (x) => assert.match(x.message, /does not support blocking/));
    // The client always streams agent apps, even when blocking is asked for.
    const a = await collectRun(client(server.url, app('agent-chat').key).run('agent-chat', { inputs: {}, query: 'q', user: USER }, sig(), { responseMode: 'blocking' }));
    assert.equal(a.error, undefined);
    const wrong = await collectRun(client(server.url, app('chat').key).run('completion', { inputs: {}, user: USER }, sig()));
    assertApiError(wrong.error, 'http', (x) => assert.equal(x.code, 'app_unavailable'));
  });

  it('429 with Retry-After, 500 JSON, HTML 502', async () => {
    const key = app('chat').key;
    server.script(key, [
      { http: { status: 429, body: JSON.stringify({ code: 'too_many_requests', message: 'Too many requests. Please try again later.', status: 429 }), headers: { 'Retry-After': '12' } } },
      { http: { status: 500, body: JSON.stringify({ code: 'internal_server_error', message: 'Internal Server Error, please contact support.', status: 500 }) } },
      { http: { status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>' } },
    ]);
    const c = client(server.url, key);
    const run = () => collectRun(c.run('chat', { inputs: {}, query: 'q', user: USER }, sig()));
    assertApiError((await run()).error, 'http', (x) => {
      assert.equal(x.status, 429);
      assert.equal(x.retryAfterSeconds, 12);
    });
    assertApiError((await run()).error, 'http', (x) => assert.equal(x.code, 'internal_server_error'));
    assertApiError((await run()).error, 'http', (x) => {
      assert.equal(x.message, 'Bad Gateway (HTTP 502) from the server or a proxy in front of it');
      assert.ok(!x.message.includes('<'));
    });
    // Runs are never retried.
    assert.equal(server.requests.filter((r) => r.method === 'POST').length, 3);
  });

  it('connection refused and DNS failure', async () => {
    const port = await closedPort();
    await assert.rejects(client(`http://127.0.0.1:${port}/v1`, 'app-x').run('chat', { inputs: {}, query: 'q', user: USER }, sig()).next(), (e) => !!assertApiError(e, 'refused'));
    await assert.rejects(client('http://dify.example.invalid/v1', 'app-x').info(), (e) => !!assertApiError(e, 'dns'));
  });

  for (const mode of ['workflow', 'advanced-chat', 'chat', 'agent-chat', 'completion'] as AppMode[]) {
    it(`stop reaches the ${mode} stop route with the task id and user, and the run ends stopped`, async () => {
      const a = app(mode);
      server.script(a.key, { chunkDelayMs: 40 });
      const c = client(server.url, a.key);
      const events: RunEvent[] = [];
      let taskId: string | undefined;
      let stopped: Promise<void> | undefined;
      const inputs = mode === 'workflow' ? { code: 'x' } : mode === 'completion' ? { diff: 'd' } : {};
      for await (const e of c.run(mode, { inputs, query: mode === 'completion' ? undefined : 'q', user: USER }, sig())) {
        events.push(e);
        if (e.type === 'meta' && e.taskId) taskId = e.taskId;
        if (e.type === 'answer' && !stopped) stopped = c.stop(mode, { taskId }, USER);
      }
      await stopped;
      const route = mode === 'workflow' ? `/v1/workflows/tasks/${taskId}/stop` : mode === 'completion' ? `/v1/completion-messages/${taskId}/stop` : `/v1/chat-messages/${taskId}/stop`;
      const rec = server.requests.find((r) => r.path.endsWith('/stop'))!;
      assert.equal(rec.path, route);
      assert.deepEqual(rec.body, { user: USER });
      assert.equal(finished(events).status, 'stopped');
    });
  }

  it('stop never throws (finished run, unknown task, no task id, server down)', async () => {
    const c = client(server.url, app('chat').key);
    await c.stop('chat', { taskId: 'already-done' }, USER);
    await c.stop('chat', {}, USER);
    const port = await closedPort();
    await client(`http://127.0.0.1:${port}/v1`, 'app-x').stop('workflow', { taskId: 't' }, USER);
  });

  it('the stable user goes everywhere; the key appears only in the Authorization header and in no error', async () => {
    const key = app('chat').key;
    const c = client(server.url, key);
    const logs: string[] = [];
    const lc = client(server.url, key, { log: (_l, m) => logs.push(m) });
    const r = await collectRun(lc.run('chat', { inputs: {}, query: 'q', user: USER }, sig()));
    const conv = (r.events.find((e) => e.type === 'meta') as { conversationId: string }).conversationId;
    await c.conversations(USER);
    await c.messages(conv, USER);
    await c.upload({ name: 'a.txt', data: Buffer.from('x'), mimeType: 'text/plain' }, USER);
    await c.stop('chat', { taskId: 'x' }, USER);
    await collectRun(client(server.url, app('completion').key).run('completion', { inputs: { diff: 'x' }, user: USER }, sig()));
    await collectRun(client(server.url, app('workflow').key).run('workflow', { inputs: { code: 'x' }, user: USER }, sig()));
    for (const rec of server.requests) {
      const userSeen = (rec.body as { user?: string; fields?: { user?: string } } | undefined)?.user ?? (rec.body as { fields?: { user?: string } })?.fields?.user ?? rec.query.user;
      if (rec.method !== 'GET' || rec.path.includes('conversations') || rec.path.includes('messages')) assert.equal(userSeen, USER, `${rec.method} ${rec.path}`);
      for (const k of [key, app('completion').key, app('workflow').key]) {
        assert.ok(!rec.url.includes(k), 'key in URL');
        assert.ok(!rec.rawBody.includes(k), 'key in body');
        for (const [h, v] of Object.entries(rec.headers)) if (h !== 'authorization') assert.ok(!String(v).includes(k), `key in header ${h}`);
      }
      assert.match(String(rec.headers.authorization), /^Bearer app-demo-/);
    }
    const e = await client(server.url, 'app-SECRET-123456789012345').info().catch((x) => x);
    assert.ok(!e.message.includes('app-SECRET-123456789012345'));
    for (const l of logs) assert.ok(!l.includes(key));
  });
});
