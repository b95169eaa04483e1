// Retries only where they are safe: introspection GETs are retried after a refused connection or a 429 with a
// short Retry-After (bounded); POST runs are never retried, whatever the failure.
import * as assert from 'node:assert/strict';
import { DifyTestServer, startDifyServer } from '../../support/dify/server';
import { startReverseProxy } from '../../support/proxy/reverseProxy';
import { Front, startFront } from '../../support/tls/front';
import { apiError, CHAT, client, collect, rejection, requestFor, settles } from './helpers';

const tooMany = (retryAfter: string) => ({
  status: 429,
  headers: { 'Retry-After': retryAfter },
  body: JSON.stringify({ code: 'too_many_requests', message: 'Too many requests. Please try again later.', status: 429 }),
});

describe('private deployments: retries only where safe', function () {
  let dify: DifyTestServer;
  let late: Front | undefined;
  before(async () => {
    dify = await startDifyServer();
  });
  afterEach(async () => {
    await late?.close();
    late = undefined;
  });
  after(() => dify?.close());

  const count = (method: string, path: string, from: number): number => dify.requests.slice(from).filter((r) => r.method === method && r.path === path).length;
  const freePort = async (): Promise<number> => {
    const f = await startFront({ targetPort: 1 });
    await f.close();
    return f.port;
  };

  it('GET /info is retried after connection refused, and succeeds once the server is up (one request reaches it)', async () => {
    const port = await freePort();
    const from = dify.requests.length;
    const retries: string[] = [];
    let starting: Promise<Front> | undefined;
    const cl = client(`http://127.0.0.1:${port}/v1`, CHAT.key, {
      log: (_level, message) => {
        if (!message.startsWith('retrying')) return;
        retries.push(message);
        // The server comes up while the client waits to retry (e.g. Dify restarting after an upgrade).
        starting ??= startFront({ targetPort: dify.port, port });
      },
    });
    const info = await settles(cl.info(), 8000, 'info()');
    late = await starting;
    assert.equal(info.mode, 'chat');
    assert.equal(retries.length, 1, retries.join('\n'));
    assert.match(retries[0], /Connection refused/);
    assert.equal(count('GET', '/v1/info', from), 1);
    await cl.close();
  });

  it('GET retries after connection refused are bounded: 3 attempts, then ApiError refused', async () => {
    const port = await freePort();
    const retries: string[] = [];
    const cl = client(`http://127.0.0.1:${port}/v1`, CHAT.key, { log: (_l, m) => m.startsWith('retrying') && retries.push(m) });
    apiError(await settles(rejection(cl.parameters()), 8000, 'parameters()'), 'refused');
    assert.equal(retries.length, 2);
    await cl.close();
  });

  it('GET /parameters after 429 with Retry-After: 1 is retried once, after the server’s delay', async () => {
    const gw = await startReverseProxy({ upstream: `http://127.0.0.1:${dify.port}`, intercept: (r) => (r.path === '/v1/parameters' && r.n === 1 ? tooMany('1') : undefined) });
    try {
      const from = dify.requests.length;
      const retries: string[] = [];
      const cl = client(gw.origin + '/v1', CHAT.key, { log: (_l, m) => m.startsWith('retrying') && retries.push(m) });
      const p = await settles(cl.parameters(), 8000, 'parameters()');
      assert.ok(Array.isArray(p.fields));
      assert.deepEqual(gw.seen.map((s) => s.intercepted), [true, false]);
      assert.equal(retries.length, 1);
      assert.match(retries[0], /^retrying after 1000 ms/);
      assert.equal(count('GET', '/v1/parameters', from), 1);
      await cl.close();
    } finally {
      await gw.close();
    }
  });

  it('a 429 whose Retry-After is too long is not waited for: ApiError at once with retryAfterSeconds', async () => {
    const gw = await startReverseProxy({ upstream: `http://127.0.0.1:${dify.port}`, intercept: (r) => (r.path === '/v1/info' ? tooMany('600') : undefined) });
    try {
      const cl = client(gw.origin + '/v1', CHAT.key);
      const e = apiError(await settles(rejection(cl.info()), 8000, 'info()'), 'http');
      assert.equal(e.status, 429);
      assert.equal(e.retryAfterSeconds, 600);
      assert.equal(gw.seen.length, 1);
      await cl.close();
    } finally {
      await gw.close();
    }
  });

  describe('POST runs are never retried', () => {
    const oneRun = async (base: string, script: Parameters<DifyTestServer['script']>[1] | undefined, kind: string, query: string): Promise<{ runs: number; retries: string[] }> => {
      if (script) dify.script(CHAT.key, script);
      const retries: string[] = [];
      const cl = client(base, CHAT.key, { log: (_l, m) => m.startsWith('retrying') && retries.push(m) });
      const run = await settles(collect(cl.run('chat', requestFor('chat', query), new AbortController().signal)), 8000, 'run');
      apiError(run.error, kind as never);
      await cl.close();
      return { runs: dify.requests.filter((r) => r.path === '/v1/chat-messages' && (r.body as { query?: string })?.query === query).length, retries };
    };

    it('500 → exactly one POST reached the server', async () => {
      const r = await oneRun(dify.url, { http: { status: 500, body: JSON.stringify({ code: 'internal_server_error', message: 'Internal Server Error, please contact support.', status: 500 }) } }, 'http', 'post-500');
      assert.equal(r.runs, 1);
      assert.deepEqual(r.retries, []);
    });

    it('connection reset mid-stream → exactly one POST', async () => {
      const r = await oneRun(dify.url, { resetAfterChunks: 1 }, 'reset', 'post-reset');
      assert.equal(r.runs, 1);
      assert.deepEqual(r.retries, []);
    });

    it('429 with a short Retry-After → exactly one POST (a run is not repeated behind the user’s back)', async () => {
      const r = await oneRun(dify.url, { http: tooMany('1') }, 'http', 'post-429');
      assert.equal(r.runs, 1);
      assert.deepEqual(r.retries, []);
    });

    it('502 from a reverse proxy → exactly one POST reached the proxy', async () => {
      const gw = await startReverseProxy({ upstream: 'http://127.0.0.1:1' });
      try {
        const r = await oneRun(gw.origin + '/v1', undefined, 'http', 'post-502');
        assert.deepEqual(gw.seen.map((s) => `${s.method} ${s.path}`), ['POST /v1/chat-messages']);
        assert.deepEqual(r.retries, []);
      } finally {
        await gw.close();
      }
    });

    it('connection refused → no retry', async () => {
      const r = await oneRun(`http://127.0.0.1:${await freePort()}/v1`, undefined, 'refused', 'post-refused');
      assert.equal(r.runs, 0);
      assert.deepEqual(r.retries, []);
    });
  });
});
