import * as assert from 'node:assert/strict';
import { FormData } from 'undici';
import { openStream, postMultipart, requestJson, HttpEndpoint } from '../../../src/net/http';
import { readSse } from '../../../src/net/sse';
import { createDispatcher } from '../../../src/net/transport';
import { ApiError } from '../../../src/net/apiError';
import { closedPort, LocalServer, startHttp, startHttps, startProxy } from '../../support/net/servers';
import { TEST_CERT, TEST_KEY } from '../../support/net/tls-fixture';

const KEY = 'app-SECRETkey1234567890abcd';

function isApi(kind: string, extra?: (e: ApiError) => boolean) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof ApiError, `not an ApiError: ${String(e)}`);
    assert.equal(e.kind, kind, `kind ${e.kind}: ${e.message}`);
    assert.ok(!e.message.includes(KEY), 'key leaked into the message');
    if (extra) assert.ok(extra(e), `unexpected: ${e.message}`);
    return true;
  };
}

describe('net/http', () => {
  let server: LocalServer;
  let ep: HttpEndpoint;
  const logs: string[] = [];

  before(async () => {
    server = await startHttp((req, res, body) => {
      const url = new URL(req.url!, 'http://x');
      switch (url.pathname) {
        case '/v1/ok':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: req.headers.authorization, q: url.search, body: body.toString() }));
          return;
        case '/v1/empty':
          res.writeHead(204).end();
          return;
        case '/v1/dify401':
          res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api"' })
            .end(JSON.stringify({ code: 'unauthorized', message: 'Access token is invalid', status: 401 }));
          return;
        case '/v1/flowise':
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ statusCode: 404, success: false, message: 'Chatflow not found', stack: {} }));
          return;
        case '/v1/html502':
          res.writeHead(502, { 'content-type': 'text/html' }).end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
          return;
        case '/v1/429':
          res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '7' }).end('Too many requests, slow down');
          return;
        case '/v1/429date':
          res.writeHead(429, { 'retry-after': new Date(Date.now() + 20_000).toUTCString() }).end();
          return;
        case '/v1/echo-key':
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'internal_server_error', message: `bad key ${KEY}`, status: 500 }));
          return;
        case '/v1/notjson':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"broken":');
          return;
        case '/v1/sse':
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
          res.write('event: ping\n\n');
          res.end('data: {"event":"message","answer":"hi"}\n\n');
          return;
        case '/v1/hang':
          return; // never answers
        case '/v1/upload': {
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ ct: req.headers['content-type'], body: body.toString('latin1') }));
          return;
        }
        default:
          res.writeHead(404).end();
      }
    });
    ep = { baseUrl: server.url + '/v1/', apiKey: KEY, dispatcher: createDispatcher({ connectTimeoutMs: 2000 }), log: (_l, m) => logs.push(m) };
  });
  after(() => server.close());

  it('sends Bearer auth, query and JSON body; parses JSON', async () => {
    const r = await requestJson<{ auth: string; q: string; body: string }>(ep, { method: 'POST', path: '/ok', query: { a: 1, b: undefined, c: 'x y' }, json: { user: 'u' } });
    assert.equal(r.auth, `Bearer ${KEY}`);
    assert.equal(r.q, '?a=1&c=x+y');
    assert.deepEqual(JSON.parse(r.body), { user: 'u' });
  });

  it('returns undefined for 204', async () => {
    assert.equal(await requestJson(ep, { method: 'DELETE', path: '/empty' }), undefined);
  });

  it('maps a Dify JSON error body', async () => {
    await assert.rejects(requestJson(ep, { path: '/dify401' }), isApi('http', (e) => e.status === 401 && e.code === 'unauthorized' && e.message.startsWith('Access token is invalid') && e.route === 'GET /v1/dify401'));
  });

  it('maps a Flowise JSON error body', async () => {
    await assert.rejects(requestJson(ep, { path: '/flowise' }), isApi('http', (e) => e.status === 404 && /Chatflow not found/.test(e.message)));
  });

  it('never puts HTML into the message (nginx 502)', async () => {
    await assert.rejects(requestJson(ep, { path: '/html502' }), isApi('http', (e) => e.status === 502 && e.message === 'Bad Gateway (HTTP 502) from the server or a proxy in front of it'));
  });

  it('reads Retry-After in seconds and as an HTTP date', async () => {
    await assert.rejects(requestJson(ep, { path: '/429' }), isApi('http', (e) => e.status === 429 && e.retryAfterSeconds === 7 && /slow down/.test(e.message)));
    await assert.rejects(requestJson(ep, { path: '/429date' }), isApi('http', (e) => e.retryAfterSeconds! >= 15 && e.retryAfterSeconds! <= 21));
  });

  it('redacts the key even when the server echoes it, and in logs', async () => {
    await assert.rejects(requestJson(ep, { path: '/echo-key' }), isApi('http', (e) => e.message.includes('***')));
    assert.ok(logs.length > 0);
    for (const l of logs) assert.ok(!l.includes(KEY), l);
  });

  it('a 200 with broken JSON is malformed', async () => {
    await assert.rejects(requestJson(ep, { path: '/notjson' }), isApi('malformed'));
  });

  it('timeoutMs on a request that never answers → idle-timeout', async () => {
    await assert.rejects(requestJson(ep, { path: '/hang', timeoutMs: 200 }), isApi('idle-timeout'));
  });

  it('abort before the answer → aborted', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await assert.rejects(requestJson(ep, { path: '/hang', signal: ctl.signal }), isApi('aborted'));
  });

  it('openStream matches text/event-stream by prefix and reads SSE', async () => {
    const s = await openStream(ep, { method: 'POST', path: '/sse', json: {} });
    assert.equal(s.isEventStream, true);
    const got: string[] = [];
    for await (const m of readSse(s.body)) got.push(m.event ?? m.data);
    assert.deepEqual(got, ['ping', '{"event":"message","answer":"hi"}']);
  });

  it('openStream throws ApiError for non-2xx', async () => {
    await assert.rejects(openStream(ep, { method: 'POST', path: '/dify401', json: {} }), isApi('http', (e) => e.status === 401));
  });

  it('postMultipart sends a file part with filename and type', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('hello')], { type: 'text/markdown' }), 'notes.md');
    form.append('user', 'u-1');
    const r = await postMultipart<{ ct: string; body: string }>(ep, { path: '/upload', form });
    assert.match(r.ct, /^multipart\/form-data; boundary=/);
    assert.match(r.body, /name="file"; filename="notes.md"\r\nContent-Type: text\/markdown\r\n\r\nhello/);
    assert.match(r.body, /name="user"\r\n\r\nu-1/);
  });

  it('connection refused on a closed port', async () => {
    const port = await closedPort();
    await assert.rejects(requestJson({ ...ep, baseUrl: `http://127.0.0.1:${port}/v1` }, { path: '/ok' }), isApi('refused', (e) => e.causeCode === 'ECONNREFUSED'));
  });

  it('DNS failure for a .invalid host', async () => {
    await assert.rejects(requestJson({ ...ep, baseUrl: 'http://dify.example.invalid/v1' }, { path: '/ok' }), isApi('dns', (e) => /dify\.example\.invalid/.test(e.message)));
  });

  describe('TLS', () => {
    let tlsServer: LocalServer;
    before(async () => {
      tlsServer = await startHttps((_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), TEST_CERT, TEST_KEY);
    });
    after(() => tlsServer.close());

    it('rejects a self-signed certificate by default (kind tls)', async () => {
      await assert.rejects(requestJson({ ...ep, baseUrl: tlsServer.url, dispatcher: createDispatcher() }, { path: '/' }), isApi('tls', (e) => !!e.causeCode));
    });
    it('accepts it with allowSelfSigned on that dispatcher only', async () => {
      assert.deepEqual(await requestJson({ ...ep, baseUrl: tlsServer.url, dispatcher: createDispatcher({ allowSelfSigned: true }) }, { path: '/' }), { ok: true });
      await assert.rejects(requestJson({ ...ep, baseUrl: tlsServer.url, dispatcher: createDispatcher() }, { path: '/' }), isApi('tls'));
      assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined);
    });
    it('accepts it when its certificate is added as an extra CA', async () => {
      assert.deepEqual(await requestJson({ ...ep, baseUrl: tlsServer.url, dispatcher: createDispatcher({ ca: [TEST_CERT] }) }, { path: '/' }), { ok: true });
    });
  });

  describe('proxy', () => {
    it('goes through an explicit proxy with credentials from the URL', async () => {
      const proxy = await startProxy('Basic ' + Buffer.from('bob:s3cret').toString('base64'));
      try {
        const d = createDispatcher({ proxy: `http://bob:s3cret@127.0.0.1:${proxy.port}` });
        const r = await requestJson<{ auth: string }>({ ...ep, dispatcher: d }, { path: '/ok' });
        assert.equal(r.auth, `Bearer ${KEY}`);
        assert.ok(proxy.seen.some((s) => s.includes(`127.0.0.1:${server.port}`)), proxy.seen.join());
      } finally {
        await proxy.close();
      }
    });

    it('407 from the proxy → kind proxy', async () => {
      const proxy = await startProxy('Basic nope');
      try {
        const d = createDispatcher({ proxy: `http://127.0.0.1:${proxy.port}` });
        await assert.rejects(requestJson({ ...ep, dispatcher: d }, { path: '/ok' }), isApi('proxy'));
        const tls = createDispatcher({ proxy: `http://127.0.0.1:${proxy.port}` });
        await assert.rejects(requestJson({ ...ep, baseUrl: 'https://127.0.0.1:9/v1', dispatcher: tls }, { path: '/ok' }), isApi('proxy', (e) => /407/.test(e.message)));
      } finally {
        await proxy.close();
      }
    });

    it('proxyAuthorization is sent as Proxy-Authorization', async () => {
      const proxy = await startProxy('Bearer proxy-token');
      try {
        const d = createDispatcher({ proxy: `http://127.0.0.1:${proxy.port}`, proxyAuthorization: 'Bearer proxy-token' });
        await requestJson({ ...ep, dispatcher: d }, { path: '/ok' });
        assert.equal(proxy.auth[0], 'Bearer proxy-token');
      } finally {
        await proxy.close();
      }
    });

    it('noProxy hosts bypass the proxy', async () => {
      const proxy = await startProxy();
      try {
        const d = createDispatcher({ proxy: `http://127.0.0.1:${proxy.port}`, noProxy: ['127.0.0.1'] });
        await requestJson({ ...ep, dispatcher: d }, { path: '/ok' });
        assert.deepEqual(proxy.seen, []);
        const d2 = createDispatcher({ proxy: `http://127.0.0.1:${proxy.port}`, noProxy: ['other.corp'] });
        await requestJson({ ...ep, dispatcher: d2 }, { path: '/ok' });
        assert.equal(proxy.seen.length, 1);
      } finally {
        await proxy.close();
      }
    });
  });
});
