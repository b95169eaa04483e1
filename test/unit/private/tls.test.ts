// Certificates on a real HTTPS Dify: a private CA made at test time (openssl), the Dify test server behind a
// TLS front with that CA's leaf, a wrong-host leaf and a self-signed leaf.
import * as assert from 'node:assert/strict';
import { answerFor } from '../../support/dify/frames';
import { DifyTestServer, startDifyServer } from '../../support/dify/server';
import { Front, startFront } from '../../support/tls/front';
import { hasOpenssl, testPki, TestPki } from '../../support/tls/pki';
import { apiError, CHAT, client, execution, rejection, requestFor, runThrough, settles } from './helpers';

describe('private deployments: TLS (private CA, self-signed, host-name mismatch)', function () {
  let dify: DifyTestServer;
  let pki: TestPki;
  let trusted: Front;
  let selfSigned: Front;
  let wrongHost: Front;
  const rejectUnauthorizedBefore = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  before(async function () {
    this.timeout(30_000);
    assert.ok(hasOpenssl(), 'the openssl CLI is needed to make the test certificates (apt-get install openssl)');
    pki = testPki();
    dify = await startDifyServer();
    trusted = await startFront({ targetPort: dify.port, tls: pki.leaf });
    selfSigned = await startFront({ targetPort: dify.port, tls: pki.selfSigned });
    wrongHost = await startFront({ targetPort: dify.port, tls: pki.wrongHost });
  });
  after(async () => {
    await Promise.all([trusted?.close(), selfSigned?.close(), wrongHost?.close(), dify?.close()]);
  });
  afterEach(() => {
    // No test (and no code under test) may switch off certificate checks for the whole process.
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, rejectUnauthorizedBefore);
  });

  it('a certificate from an unknown private CA is refused by default: ApiError tls, nothing sent', async () => {
    const before = dify.requests.length;
    const c = client(trusted.origin + '/v1', CHAT.key);
    const e = apiError(await rejection(c.info()), 'tls');
    assert.equal(e.causeCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.match(e.message, /not trusted \(add the CA certificate\)/);
    const run = await runThrough(c, 'chat');
    apiError(run.error, 'tls');
    assert.equal(run.events.length, 0);
    assert.equal(dify.requests.length, before, 'no request reached the server through an untrusted connection');
    await c.close();
    await trusted.drained();
  });

  it('the CA added through TransportOptions.ca is trusted: info and a full streaming run over HTTPS', async () => {
    const c = client(trusted.origin + '/v1', CHAT.key, { transport: { ca: [pki.caCert] } });
    assert.equal((await c.info()).mode, 'chat');
    dify.script(CHAT.key, { pings: 'both', splitAt: 'random' });
    const run = await runThrough(c, 'chat', 'over https');
    assert.equal(run.error, undefined, String(run.error));
    assert.equal(run.answer, answerFor(CHAT));
    assert.equal(run.events.at(-1)?.type, 'finished');
    await c.close();
    await trusted.drained();
  });

  it('trusting the CA for one dispatcher does not trust it for another', async () => {
    const withCa = client(trusted.origin + '/v1', CHAT.key, { transport: { ca: [pki.caCert] } });
    await withCa.info();
    const without = client(trusted.origin + '/v1', CHAT.key);
    apiError(await rejection(without.info()), 'tls');
    await Promise.all([withCa.close(), without.close()]);
  });

  it('a self-signed certificate is refused by default (tls), accepted with allowSelfSigned for that dispatcher only', async () => {
    const strict = client(selfSigned.origin + '/v1', CHAT.key);
    const e = apiError(await rejection(strict.info()), 'tls');
    assert.equal(e.causeCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(e.message, /self-signed/);

    const lenient = client(selfSigned.origin + '/v1', CHAT.key, { transport: { allowSelfSigned: true } });
    const run = await runThrough(lenient, 'chat', 'self-signed');
    assert.equal(run.error, undefined, String(run.error));
    assert.equal(run.answer, answerFor(CHAT));

    // The switch is per dispatcher: one created afterwards without it still refuses, and so does plain fetch.
    const again = client(selfSigned.origin + '/v1', CHAT.key);
    apiError(await rejection(again.info()), 'tls');
    await assert.rejects(fetch(selfSigned.origin + '/v1/info'));
    assert.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, rejectUnauthorizedBefore);
    await Promise.all([strict.close(), lenient.close(), again.close()]);
  });

  it('a trusted certificate for another host name is refused: tls (host-name mismatch)', async () => {
    const c = client(wrongHost.origin + '/v1', CHAT.key, { transport: { ca: [pki.caCert] } });
    const e = apiError(await rejection(c.info()), 'tls');
    assert.equal(e.causeCode, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.match(e.message, /does not match the host name/);
    await c.close();
  });

  it('a streaming run through RunExecution on an untrusted server ends failed with one tls error, nothing hanging', async () => {
    const c = client(trusted.origin + '/v1', CHAT.key);
    const { exec, errors } = execution(c, 'chat', requestFor('chat', 'x'));
    await settles(exec.start(), 8000, 'start()');
    assert.equal(exec.entry.status, 'failed');
    assert.deepEqual(errors.map((e) => e.kind), ['tls']);
    assert.equal(exec.entry.answer, '');
    await settles(c.close(), 5000, 'client.close()');
    await trusted.drained();
  });
});
