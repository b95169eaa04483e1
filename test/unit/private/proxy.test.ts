// Proxies with real local servers: a forward proxy (CONNECT + absolute-URI, optional Basic auth, Squid-like
// CONNECT port policy) in front of the Dify test server, over plain HTTP and over HTTPS with a private CA.
import * as assert from 'node:assert/strict';
import { answerFor } from '../../support/dify/frames';
import { DifyTestServer, startDifyServer } from '../../support/dify/server';
import { basicAuth, ForwardProxy, startForwardProxy } from '../../support/proxy/forwardProxy';
import { Front, startFront } from '../../support/tls/front';
import { hasOpenssl, testPki, TestPki } from '../../support/tls/pki';
import { apiError, CHAT, client, envSandbox, execution, rejection, requestFor, runThrough, settles, WORKFLOW } from './helpers';

const USERNAME = 'alice';
const PASSWORD = 'pr0xy s3cret/+';
const proxyUrlWithCreds = (p: ForwardProxy, user = USERNAME, pass = PASSWORD): string =>
  `http://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${p.port}`;

describe('private deployments: proxies', function () {
  let dify: DifyTestServer;
  let pki: TestPki;
  let https: Front;
  let httpBase: string;
  let httpsBase: string;
  let open: ForwardProxy;
  let authed: ForwardProxy;

  before(async function () {
    this.timeout(30_000);
    assert.ok(hasOpenssl(), 'the openssl CLI is needed to make the test certificates');
    pki = testPki();
    dify = await startDifyServer();
    https = await startFront({ targetPort: dify.port, tls: pki.leaf });
    httpBase = dify.url;
    httpsBase = https.origin + '/v1';
  });
  beforeEach(async () => {
    open = await startForwardProxy();
    authed = await startForwardProxy({ auth: { username: USERNAME, password: PASSWORD } });
  });
  afterEach(async () => {
    await Promise.all([open.close(), authed.close()]);
  });
  after(async () => {
    await Promise.all([https?.close(), dify?.close()]);
  });

  const difyTarget = (): string => `127.0.0.1:${dify.port}`;
  const httpsTarget = (): string => `127.0.0.1:${https.port}`;

  describe('explicit proxy', () => {
    it('http:// target: requests are forwarded as absolute-URI requests, a streaming run works', async () => {
      const c = client(httpBase, CHAT.key, { transport: { proxy: open.url } });
      assert.equal((await c.info()).mode, 'chat');
      const run = await runThrough(c, 'chat', 'via proxy');
      assert.equal(run.error, undefined, String(run.error));
      assert.equal(run.answer, answerFor(CHAT));
      assert.ok(open.records.length >= 2);
      for (const r of open.records) {
        assert.equal(r.target, difyTarget());
        assert.notEqual(r.method, 'CONNECT', 'plain-http targets are not tunnelled');
      }
      assert.deepEqual(open.records.map((r) => r.method), ['GET', 'POST']);
      await c.close();
    });

    it('http:// target behind a Squid-like proxy that only allows CONNECT to TLS ports still works', async () => {
      const squid = await startForwardProxy({ connectPorts: [443] });
      try {
        const c = client(httpBase, CHAT.key, { transport: { proxy: squid.url } });
        const run = await runThrough(c, 'chat', 'squid');
        assert.equal(run.error, undefined, String(run.error));
        assert.equal(run.answer, answerFor(CHAT));
        assert.deepEqual(squid.records.map((r) => [r.method, r.status]), [['POST', 200]]);
        await c.close();
      } finally {
        await squid.close();
      }
    });

    it('https:// target: one CONNECT tunnel, the private CA verifies the server, SSE streams through the tunnel', async () => {
      const c = client(httpsBase, WORKFLOW.key, { transport: { proxy: open.url, ca: [pki.caCert] } });
      dify.script(WORKFLOW.key, { pings: 'between', splitAt: 'random', unknownEvents: true });
      const run = await runThrough(c, 'workflow', 'tunnelled');
      assert.equal(run.error, undefined, String(run.error));
      assert.equal(run.answer, answerFor(WORKFLOW));
      const finished = run.events.at(-1);
      assert.ok(finished?.type === 'finished' && finished.status === 'succeeded');
      assert.deepEqual(open.records.map((r) => [r.method, r.target, r.status]), [['CONNECT', httpsTarget(), 200]]);
      await c.close();
    });

    it('https:// target through the proxy without the CA: the tunnel opens but the certificate is refused (tls)', async () => {
      const c = client(httpsBase, CHAT.key, { transport: { proxy: open.url } });
      apiError(await rejection(c.info()), 'tls');
      assert.equal(open.records[0]?.method, 'CONNECT');
      await c.close();
    });

    it('Basic auth from the credentials in the proxy URL (percent-encoded), for http and https targets', async () => {
      const plain = client(httpBase, CHAT.key, { transport: { proxy: proxyUrlWithCreds(authed) } });
      const tls = client(httpsBase, CHAT.key, { transport: { proxy: proxyUrlWithCreds(authed), ca: [pki.caCert] } });
      assert.equal((await plain.info()).mode, 'chat');
      const run = await runThrough(tls, 'chat', 'authed');
      assert.equal(run.error, undefined, String(run.error));
      assert.equal(run.answer, answerFor(CHAT));
      assert.deepEqual(authed.records.map((r) => [r.method, r.authGiven, r.authOk]), [['GET', true, true], ['CONNECT', true, true]]);
      await Promise.all([plain.close(), tls.close()]);
    });

    it('Basic auth from proxyAuthorization (the http.proxyAuthorization setting)', async () => {
      const c = client(httpsBase, CHAT.key, { transport: { proxy: authed.url, proxyAuthorization: basicAuth(USERNAME, PASSWORD), ca: [pki.caCert] } });
      assert.equal((await c.info()).mode, 'chat');
      assert.deepEqual(authed.records.map((r) => [r.method, r.authOk]), [['CONNECT', true]]);
      await c.close();
    });

    for (const [label, proxyOf] of [
      ['missing', (p: ForwardProxy) => p.url],
      ['wrong', (p: ForwardProxy) => proxyUrlWithCreds(p, USERNAME, 'not-the-password')],
    ] as const) {
      it(`${label} proxy credentials → ApiError proxy (407) for https (CONNECT) and http (forwarded) targets, password not in the message`, async () => {
        for (const base of [httpsBase, httpBase]) {
          const c = client(base, CHAT.key, { transport: { proxy: proxyOf(authed), ca: [pki.caCert] } });
          const info = apiError(await rejection(c.info()), 'proxy');
          assert.match(info.message, /407/);
          const run = await runThrough(c, 'chat');
          const e = apiError(run.error, 'proxy');
          assert.equal(run.events.length, 0);
          assert.ok(!e.message.includes('not-the-password') && !info.message.includes('not-the-password'));
          await c.close();
        }
        assert.ok(authed.records.length >= 4);
        assert.ok(authed.records.every((r) => r.status === 407 && !r.authOk));
        assert.deepEqual([...new Set(authed.records.map((r) => r.method === 'CONNECT'))].sort(), [false, true]);
      });
    }

    it('noProxy bypasses the proxy: the proxy sees nothing', async () => {
      for (const noProxy of [['127.0.0.1'], [`127.0.0.1:${https.port}`, `127.0.0.1:${dify.port}`], ['*']]) {
        const tls = client(httpsBase, CHAT.key, { transport: { proxy: authed.url, noProxy, ca: [pki.caCert] } });
        const plain = client(httpBase, CHAT.key, { transport: { proxy: authed.url, noProxy } });
        const run = await runThrough(tls, 'chat');
        assert.equal(run.error, undefined, String(run.error));
        assert.equal((await plain.info()).mode, 'chat');
        await Promise.all([tls.close(), plain.close()]);
      }
      assert.deepEqual(authed.records, []);
      // A list that does not name the host still proxies.
      const other = client(httpBase, CHAT.key, { transport: { proxy: open.url, noProxy: ['dify.corp', '.internal'] } });
      await other.info();
      assert.equal(open.records.length, 1);
      await other.close();
    });

    it('a streaming run through the proxy can be stopped: the stop call goes through the proxy and names the task', async () => {
      const c = client(httpsBase, CHAT.key, { transport: { proxy: open.url, ca: [pki.caCert] } });
      const answer = 'The first part arrives, then the run waits for a very long time before the rest. '.repeat(3);
      dify.script(CHAT.key, { stallAfterChunks: 1, answer });
      let stopping: Promise<void> | undefined;
      const { exec, errors } = execution(c, 'chat', requestFor('chat', 'stop me'), {
        onPatch: (p, x) => {
          if (p.answerAppend && !stopping) stopping = x.stop();
        },
      });
      await settles(exec.start(), 8000, 'start()');
      await settles(stopping!, 8000, 'stop()');
      assert.equal(exec.entry.status, 'stopped');
      assert.deepEqual(errors, []);
      assert.ok(exec.entry.answer.length > 0 && answer.startsWith(exec.entry.answer) && exec.entry.answer !== answer);
      const stop = await dify.waitForRequest((r) => r.path === `/v1/chat-messages/${exec.taskId}/stop`);
      assert.deepEqual(stop.body, { user: requestFor('chat', '').user });
      assert.ok(open.records.every((r) => r.method === 'CONNECT' && r.target === httpsTarget()));
      await settles(c.close(), 5000, 'client.close()');
      await https.drained();
    });
  });

  describe('environment proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY with useEnvProxy)', () => {
    const env = envSandbox(['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']);
    afterEach(() => env.restore());

    it('HTTPS_PROXY carries https targets (CONNECT), HTTP_PROXY carries http targets', async () => {
      const other = await startForwardProxy();
      try {
        env.set({ HTTPS_PROXY: open.url, HTTP_PROXY: other.url });
        const tls = client(httpsBase, CHAT.key, { transport: { useEnvProxy: true, ca: [pki.caCert] } });
        const plain = client(httpBase, CHAT.key, { transport: { useEnvProxy: true } });
        const run = await runThrough(tls, 'chat', 'env https');
        assert.equal(run.error, undefined, String(run.error));
        assert.equal(run.answer, answerFor(CHAT));
        assert.equal((await plain.info()).mode, 'chat');
        assert.deepEqual(open.records.map((r) => [r.method, r.target]), [['CONNECT', httpsTarget()]]);
        assert.deepEqual(other.records.map((r) => [r.method, r.target]), [['GET', difyTarget()]]);
        await Promise.all([tls.close(), plain.close()]);
      } finally {
        await other.close();
      }
    });

    it('lower-case https_proxy with credentials; a wrong password → proxy', async () => {
      env.set({ https_proxy: proxyUrlWithCreds(authed) });
      const ok = client(httpsBase, CHAT.key, { transport: { useEnvProxy: true, ca: [pki.caCert] } });
      assert.equal((await ok.info()).mode, 'chat');
      await ok.close();
      env.set({ https_proxy: proxyUrlWithCreds(authed, USERNAME, 'nope') });
      const bad = client(httpsBase, CHAT.key, { transport: { useEnvProxy: true, ca: [pki.caCert] } });
      apiError(await rejection(bad.info()), 'proxy');
      await bad.close();
      assert.deepEqual(authed.records.map((r) => r.authOk), [true, false]);
    });

    it('NO_PROXY names the host: the proxy sees nothing', async () => {
      env.set({ HTTPS_PROXY: open.url, HTTP_PROXY: open.url, NO_PROXY: 'localhost,127.0.0.1' });
      const tls = client(httpsBase, CHAT.key, { transport: { useEnvProxy: true, ca: [pki.caCert] } });
      const plain = client(httpBase, CHAT.key, { transport: { useEnvProxy: true } });
      await tls.info();
      await plain.info();
      assert.deepEqual(open.records, []);
      await Promise.all([tls.close(), plain.close()]);
    });

    it('without useEnvProxy the environment is ignored; an explicit proxy wins over the environment', async () => {
      env.set({ HTTPS_PROXY: authed.url, HTTP_PROXY: authed.url });
      const direct = client(httpBase, CHAT.key, { transport: {} });
      await direct.info();
      const explicit = client(httpBase, CHAT.key, { transport: { proxy: open.url, useEnvProxy: true } });
      await explicit.info();
      assert.deepEqual(authed.records, []);
      assert.equal(open.records.length, 1);
      await Promise.all([direct.close(), explicit.close()]);
    });
  });
});
