import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { matchesNoProxy, tlsOptions } from '../../../src/net/transport';
import { describeRequest, redact } from '../../../src/net/redact';
import { errorFromResponse, parseRetryAfter, toApiError } from '../../../src/net/errors';
import { retryDelayMs, withRetry } from '../../../src/net/retry';
import { ApiError } from '../../../src/net/apiError';

describe('net/transport, redact, errors, retry', () => {
  it('matchesNoProxy: exact, suffix, wildcard, host:port', () => {
    assert.equal(matchesNoProxy('dify.corp', 443, ['dify.corp']), true);
    assert.equal(matchesNoProxy('a.dify.corp', 443, ['dify.corp']), true);
    assert.equal(matchesNoProxy('x.corp', 443, ['.corp']), true);
    assert.equal(matchesNoProxy('corp', 443, ['.corp']), true);
    assert.equal(matchesNoProxy('x.corp', 443, ['*.corp']), true);
    assert.equal(matchesNoProxy('notcorp', 443, ['.corp']), false);
    assert.equal(matchesNoProxy('evilcorp', 443, ['corp']), false);
    assert.equal(matchesNoProxy('anything', 80, ['*']), true);
    assert.equal(matchesNoProxy('h', 8080, ['h:8080']), true);
    assert.equal(matchesNoProxy('h', 443, ['h:8080']), false);
    assert.equal(matchesNoProxy('DIFY.Corp', 443, [' dify.corp ']), true);
    assert.equal(matchesNoProxy('[::1]', 80, ['::1']), true);
    assert.equal(matchesNoProxy('::1', 80, ['[::1]:80']), true);
    assert.equal(matchesNoProxy('api.dify.ai', 443, []), false);
  });

  it('tlsOptions adds extra CAs to the default roots', () => {
    const o = tlsOptions({ ca: ['-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----'] });
    assert.equal(o.rejectUnauthorized, true);
    assert.ok(o.ca!.length >= tls.rootCertificates.length + 1);
    assert.equal(tlsOptions({}).ca, undefined);
    assert.equal(tlsOptions({ allowSelfSigned: true }).rejectUnauthorized, false);
    assert.equal(tlsOptions({ strictSSL: false }).rejectUnauthorized, false);
  });

  it('redact masks a secret in every encoded form it may be echoed in', () => {
    const key = 'app-Secret+Key/With=Odd?Chars1';
    const forms = [
      key,
      encodeURIComponent(key),
      encodeURIComponent(key).replace(/%20/g, '+'),
      Buffer.from(key).toString('base64'),
      Buffer.from(key).toString('base64').replace(/=+$/, ''),
      Buffer.from(key).toString('base64url'),
      Buffer.from(key).toString('hex'),
      Buffer.from(`Bearer ${key}`).toString('base64').replace(/=+$/, ''),
    ];
    for (const f of forms) assert.equal(redact(`before ${f} after`, [key]), 'before *** after', f);
    assert.equal(redact('Authorization: Basic dXNlcjpwYXNz, next'), 'Authorization: ***, next');
  });

  it('redact removes secrets, bearer tokens, app keys and URL credentials', () => {
    const s = redact('key app-abcdefghijklmnop1234 Authorization: Bearer xyz.123 http://u:p@proxy:3128 mysecretvalue', ['mysecretvalue']);
    assert.equal(s, 'key *** Authorization: Bearer *** http://***@proxy:3128 ***');
  });

  it('describeRequest shows method and path only', () => {
    assert.equal(describeRequest('get', 'https://u:p@h/v1/messages?user=abc&key=1'), 'GET /v1/messages');
  });

  it('parseRetryAfter handles seconds, dates, garbage', () => {
    assert.equal(parseRetryAfter('12'), 12);
    assert.equal(parseRetryAfter(new Date(1_000_000 + 30_000).toUTCString(), 1_000_000), 30);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('errorFromResponse: 407 is proxy, plain text kept short, HTML never copied', () => {
    assert.equal(errorFromResponse(407, {}, '', { route: 'GET /x' }).kind, 'proxy');
    assert.equal(errorFromResponse(503, { 'content-type': 'text/html' }, '<h1>down</h1>', { route: 'GET /x' }).message, 'Service Unavailable (HTTP 503) from the server or a proxy in front of it');
    assert.equal(errorFromResponse(404, {}, '<!DOCTYPE html><p>nope', { route: 'GET /x' }).message, 'Not Found (HTTP 404) from the server or a proxy in front of it');
    const e = errorFromResponse(400, { 'content-type': 'application/json' }, '{"code":"invalid_param","message":"Arg user must be provided.","status":400}', { route: 'POST /x' });
    assert.equal(e.code, 'invalid_param');
    assert.equal(e.message, 'Arg user must be provided. (HTTP 400 invalid_param)');
  });

  it('toApiError maps error codes, including nested causes and AggregateError', () => {
    const k = (err: unknown): string => toApiError(err, { route: 'GET /x', host: 'h' }).kind;
    const c = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
    assert.equal(k(c('ENOTFOUND')), 'dns');
    assert.equal(k(c('EAI_AGAIN')), 'dns');
    assert.equal(k(new AggregateError([c('ECONNREFUSED'), c('ECONNREFUSED')])), 'refused');
    assert.equal(k(Object.assign(new Error('fetch failed'), { cause: c('ECONNRESET') })), 'reset');
    assert.equal(k(c('UND_ERR_SOCKET', 'other side closed')), 'reset');
    assert.equal(k(c('UND_ERR_CONNECT_TIMEOUT')), 'connect-timeout');
    for (const t of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER']) assert.equal(k(c(t)), 'tls', t);
    assert.equal(k(new Error('Proxy response (403) !== 200 when HTTP Tunneling')), 'proxy');
    assert.equal(k(Object.assign(new Error('aborted'), { name: 'AbortError' })), 'aborted');
    assert.equal(k(new Error('weird')), 'network');
    const ctl = new AbortController();
    ctl.abort();
    assert.equal(toApiError(c('ECONNRESET'), { route: 'GET /x', signal: ctl.signal }).kind, 'aborted');
  });

  it('retryDelayMs: refused always, 429 bounded, never other POST failures', () => {
    const refused = new ApiError({ kind: 'refused', message: 'x' });
    const r429 = new ApiError({ kind: 'http', status: 429, retryAfterSeconds: 2, message: 'x' });
    const r429long = new ApiError({ kind: 'http', status: 429, retryAfterSeconds: 600, message: 'x' });
    const reset = new ApiError({ kind: 'reset', message: 'x' });
    const s500 = new ApiError({ kind: 'http', status: 500, message: 'x' });
    const s503 = new ApiError({ kind: 'http', status: 503, message: 'x' });
    assert.equal(retryDelayMs(refused, 0, { idempotent: false, baseDelayMs: 10 }), 10);
    assert.equal(retryDelayMs(r429, 0, { idempotent: false }), 2000);
    assert.equal(retryDelayMs(r429long, 0, { idempotent: true }), undefined);
    assert.equal(retryDelayMs(reset, 0, { idempotent: false }), undefined);
    assert.equal(retryDelayMs(reset, 1, { idempotent: true, baseDelayMs: 10 }), 20);
    assert.equal(retryDelayMs(s500, 0, { idempotent: true }), undefined);
    assert.equal(retryDelayMs(s503, 0, { idempotent: true, baseDelayMs: 5 }), 5);
  });

  it('withRetry retries then succeeds, and gives up after the limit', async () => {
    let n = 0;
    const v = await withRetry(async () => {
      if (n++ < 2) throw new ApiError({ kind: 'refused', message: 'x' });
      return 'ok';
    }, { idempotent: true, baseDelayMs: 1 });
    assert.equal(v, 'ok');
    assert.equal(n, 3);
    n = 0;
    await assert.rejects(withRetry(async () => {
      n++;
      throw new ApiError({ kind: 'refused', message: 'x' });
    }, { idempotent: true, retries: 1, baseDelayMs: 1 }));
    assert.equal(n, 2);
    n = 0;
    await assert.rejects(withRetry(async () => {
      n++;
      throw new ApiError({ kind: 'http', status: 400, message: 'x' });
    }, { idempotent: true, baseDelayMs: 1 }));
    assert.equal(n, 1);
  });
});
