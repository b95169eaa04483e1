// The fault matrix through DifyClient: every row asserts the ApiError (kind, status, code, Retry-After, a
// message a user can read) AND what was delivered before the failure; then that closing the client leaves no
// connection open. Plus the same client-side errors on info/parameters/upload, and a 10 MB answer.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { RunEvent } from '../../../src/providers/types';
import { answerFor } from '../../support/dify/frames';
import { apiError, CHAT, client, collect, rejection, requestFor, settles } from './helpers';
import { checkError, DISABLED, FAULTS, MatrixEnv, partialOf, scriptFor, SMALL_UPLOADS, startMatrixEnv, until } from './matrix';

describe('private deployments: fault matrix through DifyClient', function () {
  let env: MatrixEnv;
  before(async function () {
    this.timeout(30_000);
    env = await startMatrixEnv();
  });
  after(() => env?.close());

  for (const c of FAULTS) {
    it(`run: ${c.name} → ${c.expect.kind}${c.expect.status ? ` ${c.expect.status}` : ''}${c.expect.code ? ` ${c.expect.code}` : ''}`, async () => {
      const script = scriptFor(c);
      if (script) env.dify.script(c.key, script);
      const base = c.base?.(env) ?? env.front.origin + '/v1';
      const cl = client(base, c.key, { transport: c.transport?.(env), idleTimeoutMs: c.idleTimeoutMs ?? 2000 });
      const run = await settles(collect(cl.run(c.mode, c.request ?? requestFor(c.mode, c.name), new AbortController().signal)), 8000, 'the run');
      checkError(run.error, c);
      assert.ok(!run.events.some((e) => e.type === 'finished'), 'no finished event after a failure');
      if (c.partial === 'none') {
        assert.deepEqual(run.events, []);
      } else {
        const expected = partialOf(c);
        assert.ok(run.answer.length > 0, 'some answer arrived before the failure');
        assert.ok(expected.startsWith(run.answer), `the partial answer is a prefix of the real one: ${JSON.stringify(run.answer)}`);
        if (c.expect.kind !== 'malformed') assert.notEqual(run.answer, expected);
        const meta = run.events.find((e): e is Extract<RunEvent, { type: 'meta' }> => e.type === 'meta');
        assert.ok(meta?.taskId, 'the ids were delivered before the failure');
      }
      await settles(cl.close(), 5000, 'client.close()');
      await until(() => (c.open ?? ((e: MatrixEnv) => e.front.open()))(env) === 0, 'every connection is closed');
    });
  }

  describe('info / parameters / upload', () => {
    const ops = ['info', 'parameters'] as const;
    const rows: { name: string; key: string; base?: (e: MatrixEnv) => string; transport?: (e: MatrixEnv) => object; kind: string; status?: number; code?: string }[] = [
      { name: '401 unknown key', key: 'app-not-a-real-key', kind: 'http', status: 401, code: 'unauthorized' },
      { name: '403 app disabled', key: DISABLED.key, kind: 'http', status: 403, code: 'forbidden' },
      { name: '404 base URL without /v1', key: CHAT.key, base: (e) => e.front.origin, kind: 'http', status: 404, code: 'not_found' },
      { name: '502 HTML from a reverse proxy', key: CHAT.key, base: (e) => e.deadUpstream.origin + '/v1', kind: 'http', status: 502 },
      { name: 'DNS failure', key: CHAT.key, base: () => 'http://dify.private-deployment.invalid/v1', kind: 'dns' },
      { name: 'connection refused', key: CHAT.key, base: (e) => `http://127.0.0.1:${e.closedPort}/v1`, kind: 'refused' },
      { name: 'TLS untrusted', key: CHAT.key, base: (e) => e.https.origin + '/v1', kind: 'tls' },
      { name: 'proxy authentication required', key: CHAT.key, transport: (e) => ({ proxy: e.authProxy.url }), kind: 'proxy' },
    ];
    for (const r of rows) {
      it(`${ops.join(' and ')}: ${r.name} → ${r.kind}${r.status ? ` ${r.status}` : ''}`, async () => {
        const cl = client(r.base?.(env) ?? env.front.origin + '/v1', r.key, { transport: r.transport?.(env), requestTimeoutMs: 5000 });
        for (const op of ops) {
          const e = apiError(await settles(rejection(cl[op]()), 10_000, op), r.kind as never);
          if (r.status) assert.equal(e.status, r.status);
          if (r.code) assert.equal(e.code, r.code);
          assert.ok(!/<[a-z!/]/i.test(e.message), 'no HTML in the message');
          assert.match(e.route ?? '', new RegExp(`^GET /.*${op}$`));
        }
        await settles(cl.close(), 5000, 'client.close()');
      });
    }

    const file = (size: number, mimeType = 'text/markdown') => ({ name: 'notes.md', data: new Uint8Array(size).fill(65), mimeType });

    it('upload: 401 unknown key → http 401', async () => {
      const cl = client(env.front.origin + '/v1', 'app-not-a-real-key');
      const e = apiError(await rejection(cl.upload(file(10), 'u')), 'http');
      assert.equal(e.status, 401);
      assert.equal(e.route, 'POST /v1/files/upload');
      await cl.close();
    });

    it('upload: 413 file_too_large from the server (a 2 KB file on a 1 KB limit)', async () => {
      const cl = client(env.front.origin + '/v1', SMALL_UPLOADS.key);
      const e = apiError(await rejection(cl.upload(file(2048), 'u')), 'http');
      assert.equal(e.status, 413);
      assert.equal(e.code, 'file_too_large');
      assert.match(e.message, /HTTP 413/);
      const ok = await cl.upload(file(100), 'u');
      assert.equal(ok.size, 100);
      await cl.close();
    });

    it('upload: 415 unsupported_file_type from a gateway in front of Dify, multipart sent intact', async () => {
      const { startReverseProxy } = await import('../../support/proxy/reverseProxy');
      const gw = await startReverseProxy({
        upstream: env.front.origin,
        intercept: (r) => (r.path === '/v1/files/upload' ? { status: 415, body: JSON.stringify({ code: 'unsupported_file_type', message: 'File type not allowed.', status: 415 }) } : undefined),
      });
      try {
        const cl = client(gw.origin + '/v1', CHAT.key);
        const e = apiError(await rejection(cl.upload(file(10, 'application/x-msdownload'), 'u')), 'http');
        assert.equal(e.status, 415);
        assert.equal(e.code, 'unsupported_file_type');
        assert.equal((await cl.info()).mode, 'chat', 'other routes pass through the gateway');
        assert.deepEqual(gw.seen.map((s) => [s.path, s.intercepted]), [['/v1/files/upload', true], ['/v1/info', false]]);
        await cl.close();
      } finally {
        await gw.close();
      }
    });
  });

  it('a 10 MB answer streams fully and correctly (length and SHA-256 match the server’s answer)', async function () {
    this.timeout(60_000);
    const bytes = 10 * 1024 * 1024;
    env.dify.script(CHAT.key, { answerBytes: bytes, pings: 'between', splitAt: 'random' });
    const cl = client(env.front.origin + '/v1', CHAT.key, { idleTimeoutMs: 10_000 });
    const run = await collect(cl.run('chat', requestFor('chat', 'big'), new AbortController().signal));
    assert.equal(run.error, undefined, String(run.error));
    const expected = answerFor(CHAT, bytes);
    assert.ok(Buffer.byteLength(expected) >= bytes);
    const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
    assert.equal(run.answer.length, expected.length);
    assert.equal(sha(run.answer), sha(expected));
    const fin = run.events.at(-1);
    assert.ok(fin?.type === 'finished' && fin.status === 'succeeded');
    await cl.close();
    await until(() => env.front.open() === 0, 'every connection is closed');
  });
});
