// The fault matrix shared by the client tests (faults.test.ts) and the RunExecution tests (runner.test.ts):
// every way a run against a private deployment can fail, each produced by a real local server, socket,
// certificate or proxy. `partial: 'some'` rows fail mid-stream: the answer delivered before must be kept.
import type { TransportOptions } from '../../../src/net/transport';
import * as assert from 'node:assert/strict';
import type { ApiError } from '../../../src/net/apiError';
import type { AppMode, RunRequest } from '../../../src/providers/types';
import type { DifyTestApp } from '../../support/dify/apps';
import { DifyTestServer, StreamScript, startDifyServer } from '../../support/dify/server';
import { ForwardProxy, startForwardProxy } from '../../support/proxy/forwardProxy';
import { ReverseProxy, startReverseProxy } from '../../support/proxy/reverseProxy';
import { Front, startFront } from '../../support/tls/front';
import { testPki } from '../../support/tls/pki';
import { apiError, apps, CHAT, requestFor, USER, WORKFLOW } from './helpers';

export const DISABLED: DifyTestApp = { key: 'app-private-disabled', name: 'Disabled', mode: 'chat', disabled: true };
export const SMALL_UPLOADS: DifyTestApp = { key: 'app-private-small', name: 'Small uploads', mode: 'chat', uploadLimitBytes: 1024 };

/** A known answer without a think part, long enough for several chunks (the test server cuts 20–60 chars). */
export const PARTIAL_ANSWER =
  'Self-hosted Dify answers arrive in pieces. This sentence is long enough to be cut into several chunks, ' +
  'so a failure in the middle leaves a partial answer that must be kept. 中文也要保留。 The end.';

export interface MatrixEnv {
  dify: DifyTestServer;
  /** Plain TCP front of the Dify server (counts client connections). */
  front: Front;
  /** TLS front with the private CA's leaf (not trusted unless the CA is given). */
  https: Front;
  /** A proxy that needs Basic auth. */
  authProxy: ForwardProxy;
  /** nginx-like reverse proxy whose upstream is down (502 HTML). */
  deadUpstream: ReverseProxy;
  /** A port nothing listens on. */
  closedPort: number;
  close(): Promise<void>;
}

export async function startMatrixEnv(): Promise<MatrixEnv> {
  const dify = await startDifyServer({ apps: [...apps, DISABLED, SMALL_UPLOADS] });
  const front = await startFront({ targetPort: dify.port });
  const https = await startFront({ targetPort: dify.port, tls: testPki().leaf });
  const authProxy = await startForwardProxy({ auth: { username: 'proxyuser', password: 'proxypass' } });
  const gone = await startFront({ targetPort: 1 });
  const closedPort = gone.port;
  await gone.close();
  const deadUpstream = await startReverseProxy({ upstream: `http://127.0.0.1:${closedPort}` });
  return {
    dify, front, https, authProxy, deadUpstream, closedPort,
    close: async () => {
      await Promise.all([front.close(), https.close(), authProxy.close(), deadUpstream.close()]);
      await dify.close();
    },
  };
}

const difyError = (status: number, code: string, message: string, headers?: Record<string, string>): StreamScript => ({
  http: { status, body: JSON.stringify({ code, message, status }), headers },
});

export interface FaultCase {
  name: string;
  mode: AppMode;
  key: string;
  /** Base URL (default: the plain TCP front + /v1). */
  base?(env: MatrixEnv): string;
  transport?(env: MatrixEnv): TransportOptions;
  script?: StreamScript;
  request?: RunRequest;
  idleTimeoutMs?: number;
  expect: {
    kind: ApiError['kind'];
    status?: number;
    code?: string;
    /** Retry-After in seconds: exact, or [min, max] for HTTP dates. */
    retryAfter?: number | [number, number];
    message?: RegExp;
  };
  /** 'none': failed before any event; 'some': part of PARTIAL_ANSWER arrived first. */
  partial: 'none' | 'some';
  /** Connections still open towards the server for this case (must reach 0 after close). */
  open?(env: MatrixEnv): number;
}

const NO_HTML = /^[^<>]*$/;
const mid = (s: StreamScript): StreamScript => ({ answer: PARTIAL_ANSWER, ...s });

export const FAULTS: FaultCase[] = [
  { name: '401 unknown API key', mode: 'chat', key: 'app-not-a-real-key', expect: { kind: 'http', status: 401, code: 'unauthorized', message: /^Access token is invalid/ }, partial: 'none' },
  { name: '403 app API disabled', mode: 'chat', key: DISABLED.key, expect: { kind: 'http', status: 403, code: 'forbidden', message: /has been disabled/ }, partial: 'none' },
  { name: '404 base URL without /v1', mode: 'chat', key: CHAT.key, base: (e) => e.front.origin, expect: { kind: 'http', status: 404, code: 'not_found' }, partial: 'none' },
  { name: '400 invalid_param (required input missing)', mode: 'workflow', key: WORKFLOW.key, request: { inputs: {}, user: USER }, expect: { kind: 'http', status: 400, code: 'invalid_param', message: /code is required/ }, partial: 'none' },
  { name: '400 app_unavailable (completion route on a chat app)', mode: 'completion', key: CHAT.key, expect: { kind: 'http', status: 400, code: 'app_unavailable' }, partial: 'none' },
  { name: '400 provider_not_initialize', mode: 'chat', key: CHAT.key, script: difyError(400, 'provider_not_initialize', 'No valid model provider credentials found. Please go to Settings -> Model Provider to complete your provider credentials.'), expect: { kind: 'http', status: 400, code: 'provider_not_initialize' }, partial: 'none' },
  { name: '400 provider_quota_exceeded', mode: 'chat', key: CHAT.key, script: difyError(400, 'provider_quota_exceeded', 'Your quota for Dify Hosted Model Provider has been exhausted.'), expect: { kind: 'http', status: 400, code: 'provider_quota_exceeded' }, partial: 'none' },
  { name: '429 too_many_requests with Retry-After seconds', mode: 'chat', key: CHAT.key, script: difyError(429, 'too_many_requests', 'Too many requests. Please try again later.', { 'Retry-After': '7' }), expect: { kind: 'http', status: 429, code: 'too_many_requests', retryAfter: 7, message: /retry after 7 s/ }, partial: 'none' },
  { name: '429 rate_limit_error with Retry-After as an HTTP date', mode: 'workflow', key: WORKFLOW.key, request: requestFor('workflow', 'x'), script: { http: { status: 429, body: JSON.stringify({ code: 'rate_limit_error', message: 'Rate Limit Error', status: 429 }) } }, expect: { kind: 'http', status: 429, code: 'rate_limit_error', retryAfter: [1, 120] }, partial: 'none' },
  { name: '500 JSON internal_server_error', mode: 'chat', key: CHAT.key, script: difyError(500, 'internal_server_error', 'Internal Server Error, please contact support.'), expect: { kind: 'http', status: 500, code: 'internal_server_error' }, partial: 'none' },
  { name: '502 HTML page from a reverse proxy (scripted)', mode: 'chat', key: CHAT.key, script: { http: { status: 502, contentType: 'text/html', body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>' } }, expect: { kind: 'http', status: 502, message: NO_HTML }, partial: 'none' },
  { name: '502 HTML from nginx-like reverse proxy whose upstream is down', mode: 'chat', key: CHAT.key, base: (e) => e.deadUpstream.origin + '/v1', expect: { kind: 'http', status: 502, message: NO_HTML }, partial: 'none' },
  { name: 'DNS failure (.invalid host)', mode: 'chat', key: CHAT.key, base: () => 'http://dify.private-deployment.invalid/v1', expect: { kind: 'dns' }, partial: 'none' },
  { name: 'connection refused', mode: 'chat', key: CHAT.key, base: (e) => `http://127.0.0.1:${e.closedPort}/v1`, expect: { kind: 'refused' }, partial: 'none' },
  { name: 'TLS: certificate from an untrusted CA', mode: 'chat', key: CHAT.key, base: (e) => e.https.origin + '/v1', expect: { kind: 'tls' }, partial: 'none', open: (e) => e.https.open() },
  { name: 'proxy authentication required (407)', mode: 'chat', key: CHAT.key, transport: (e) => ({ proxy: e.authProxy.url }), expect: { kind: 'proxy', message: /407/ }, partial: 'none', open: (e) => e.authProxy.openSockets() },
  { name: 'connection reset mid-stream', mode: 'chat', key: CHAT.key, script: mid({ resetAfterChunks: 2 }), expect: { kind: 'reset' }, partial: 'some' },
  { name: '`error` event mid-stream', mode: 'chat', key: CHAT.key, script: mid({ errorAfterChunks: 2 }), expect: { kind: 'stream', status: 400, code: 'completion_request_error', message: /Rate limit/ }, partial: 'some' },
  { name: 'stream closed without a terminal event', mode: 'workflow', key: WORKFLOW.key, request: requestFor('workflow', 'x'), script: mid({ closeEarlyAfterChunks: 2 }), expect: { kind: 'incomplete' }, partial: 'some' },
  { name: 'stall past the idle timeout', mode: 'chat', key: CHAT.key, script: mid({ stallAfterChunks: 2 }), idleTimeoutMs: 300, expect: { kind: 'idle-timeout', message: /sent nothing for 300 ms/ }, partial: 'some' },
  {
    name: 'malformed frame after a good one', mode: 'chat', key: CHAT.key,
    script: {
      http: {
        status: 200, contentType: 'text/event-stream; charset=utf-8',
        body:
          `data: {"event":"message","task_id":"t-1","id":"m-1","message_id":"m-1","conversation_id":"c-1","answer":${JSON.stringify(PARTIAL_ANSWER.slice(0, 40))},"created_at":1}\n\n` +
          'data: {"event":"message","task_id":"t-1","answer": "cut here\n\n',
      },
    },
    expect: { kind: 'malformed' }, partial: 'some',
  },
];

/** The expected partial answer for 'some' rows (the malformed row has a fixed prefix). */
export const partialOf = (c: FaultCase): string => (c.name.startsWith('malformed') ? PARTIAL_ANSWER.slice(0, 40) : PARTIAL_ANSWER);

/** The 429 rate_limit_error row needs its HTTP date computed when it runs. */
export function scriptFor(c: FaultCase): StreamScript | undefined {
  if (c.expect.code === 'rate_limit_error') {
    return { http: { ...c.script!.http!, headers: { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() } } };
  }
  return c.script;
}

/** Polls `cond` until true; fails after `timeoutMs` (a guard against leaks, not a timing check). */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} (still not true after ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Asserts the row's ApiError: kind, status, code, Retry-After, message; never a key or HTML in the message. */
export function checkError(e: unknown, c: FaultCase): void {
  const err = apiError(e, c.expect.kind);
  if (c.expect.status !== undefined) assert.equal(err.status, c.expect.status, 'status');
  if (c.expect.code !== undefined) assert.equal(err.code, c.expect.code, 'code');
  const ra = c.expect.retryAfter;
  if (typeof ra === 'number') assert.equal(err.retryAfterSeconds, ra, 'Retry-After');
  else if (ra) assert.ok(err.retryAfterSeconds !== undefined && err.retryAfterSeconds >= ra[0] && err.retryAfterSeconds <= ra[1], `Retry-After ${err.retryAfterSeconds}`);
  else assert.equal(err.retryAfterSeconds, undefined);
  if (c.expect.message) assert.match(err.message, c.expect.message);
  assert.ok(!err.message.includes('app-demo') && !err.message.includes('app-not-a-real-key') && !err.message.includes('app-private'), 'no API key in the message');
  assert.ok(!/<[a-z!/]/i.test(err.message), `no HTML in the message: ${err.message}`);
}
