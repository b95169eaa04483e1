import * as assert from 'node:assert/strict';
import { answerFor, runFrames } from '../../support/dify/frames';
import { demoApps } from '../../support/dify/apps';
import { DifyTestServer, startDifyServer, StreamScript } from '../../support/dify/server';
import type { DifyStreamEvent } from '../../../src/providers/dify/events';
import { assertApiError, client, collectRun, finished, USER } from './helpers';

const apps = demoApps();
const chat = apps.find((a) => a.mode === 'chat')!;
const wf = apps.find((a) => a.mode === 'workflow')!;
const WF_INPUTS = { code: 'x', language: 'Python' };

describe('dify client: stream robustness', () => {
  let server: DifyTestServer;
  beforeEach(async () => {
    server = await startDifyServer();
  });
  afterEach(() => server.close());

  const runChat = (s?: StreamScript, extra = {}) => {
    if (s) server.script(chat.key, s);
    return collectRun(client(server.url, chat.key, extra).run('chat', { inputs: {}, query: 'hi', user: USER }, new AbortController().signal));
  };
  const runWf = (s?: StreamScript, extra = {}, signal = new AbortController().signal) => {
    if (s) server.script(wf.key, s);
    return collectRun(client(server.url, wf.key, extra).run('workflow', { inputs: WF_INPUTS, user: USER }, signal));
  };

  it('frames split at random byte boundaries (inside multi-byte characters) give the exact text', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await runChat({ splitAt: 'random' });
      assert.equal(r.error, undefined);
      assert.equal(r.answer, answerFor(chat));
      finished(r.events);
    }
  });

  it('frames split at every byte offset of the first frames', async () => {
    const first = Buffer.byteLength(answerFor(chat).slice(0, 80)) + 400;
    const expected = answerFor(chat);
    for (let off = 1; off < first; off += 7) {
      const r = await runChat({ splitAt: [off, off + 1, off + 3] });
      assert.equal(r.answer, expected, `split at ${off}`);
    }
  });

  it('pings first and between, in both JSON styles and with CRLF', async () => {
    for (const script of [{ pings: 'first' }, { pings: 'between' }, { pings: 'both', jsonStyle: 'python' }, { jsonStyle: 'python', crlf: true, splitAt: 'random' }] as StreamScript[]) {
      const r = await runWf(script);
      assert.equal(r.error, undefined, JSON.stringify(script));
      assert.equal(r.answer, answerFor(wf));
      assert.equal(finished(r.events).status, 'succeeded');
    }
  });

  it('python style really escapes non-ASCII and uses ", " separators on the wire', async () => {
    server.script(chat.key, { jsonStyle: 'python', pings: 'first' });
    const c = client(server.url, chat.key);
    const raw: DifyStreamEvent[] = [];
    for await (const e of c.streamEvents('chat', { inputs: {}, query: 'hi', user: USER }, new AbortController().signal)) raw.push(e);
    assert.equal(raw[0].event, 'ping');
    const text = raw.filter((e) => e.event === 'message').map((e) => (e as { answer: string }).answer).join('');
    assert.equal(text, answerFor(chat));
    const { pythonJson } = await import('../../support/dify/wireFormat');
    assert.equal(pythonJson({ a: '中', b: [1, 2] }), '{"a": "\\u4e2d", "b": [1, 2]}');
  });

  it('unknown events are surfaced as unknown by streamEvents and ignored by run', async () => {
    server.script(wf.key, { unknownEvents: true });
    const c = client(server.url, wf.key);
    const raw: DifyStreamEvent[] = [];
    for await (const e of c.streamEvents('workflow', { inputs: WF_INPUTS, user: USER }, new AbortController().signal)) raw.push(e);
    const unknown = raw.filter((e) => e.event === 'unknown');
    assert.ok(unknown.length > 0);
    assert.deepEqual((unknown[0] as { raw: { data: unknown } }).raw.data, { hello: '世界' });
    const r = await runWf({ unknownEvents: true });
    assert.equal(r.answer, answerFor(wf));
  });

  it('an error event mid-stream throws kind stream after the partial text', async () => {
    const r = await runChat({ errorAfterChunks: 3 });
    assertApiError(r.error, 'stream', (e) => {
      assert.equal(e.code, 'completion_request_error');
      assert.equal(e.status, 400);
      assert.match(e.message, /Rate limit/);
    });
    assert.ok(r.answer.length > 0);
    assert.ok(answerFor(chat).startsWith(r.answer));
    assert.equal(r.events.filter((e) => e.type === 'answer').length, 3);
  });

  it('early close → incomplete, keeping the partial text', async () => {
    const r = await runWf({ closeEarlyAfterChunks: 2 });
    assertApiError(r.error, 'incomplete', (e) => assert.match(e.message, /workflow_finished/));
    assert.ok(r.answer.length > 0 && answerFor(wf).startsWith(r.answer));
  });

  it('connection reset mid-stream → reset', async () => {
    const r = await runChat({ resetAfterChunks: 2 });
    assertApiError(r.error, 'reset');
    assert.ok(r.answer.length > 0);
  });

  it('a stalled stream → idle-timeout', async () => {
    const r = await runChat({ stallAfterChunks: 2 }, { idleTimeoutMs: 300 });
    assertApiError(r.error, 'idle-timeout');
    assert.ok(r.answer.length > 0);
  });

  it('pings keep a slow stream alive past the idle timeout', async () => {
    const r = await runChat({ stallAfterChunks: 2, pingEveryMs: 100 }, { idleTimeoutMs: 300 });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.answer, answerFor(chat));
  });

  it('abort mid-stream rejects promptly with aborted and the server sees the disconnect', async () => {
    const ctl = new AbortController();
    server.script(wf.key, { chunkDelayMs: 50 });
    const c = client(server.url, wf.key);
    let got = 0;
    let error: unknown;
    try {
      for await (const e of c.run('workflow', { inputs: WF_INPUTS, user: USER }, ctl.signal)) {
        if (e.type === 'answer' && ++got === 2) ctl.abort();
      }
    } catch (err) {
      error = err;
    }
    assertApiError(error, 'aborted');
    assert.equal(got, 2);
    await c.close();
  });

  it('a multi-megabyte answer streams correctly', async () => {
    const r = await runWf({ answerBytes: 3 * 1024 * 1024 });
    assert.equal(r.error, undefined);
    assert.equal(Buffer.byteLength(r.answer), Buffer.byteLength(answerFor(wf, 3 * 1024 * 1024)));
    assert.equal(r.answer, answerFor(wf, 3 * 1024 * 1024));
  });

  it('a 200 JSON answer to a streaming request (blocking fallback) is handled', async () => {
    server.script(chat.key, { http: { status: 200, contentType: 'application/json', body: JSON.stringify({ event: 'message', task_id: 't1', id: 'm1', message_id: 'm1', conversation_id: 'c1', mode: 'chat', answer: '只有一次', metadata: { usage: { total_tokens: 3, total_price: '0.1' } }, created_at: 1 }) } });
    const r = await runChat();
    assert.equal(r.answer, '只有一次');
    assert.equal(finished(r.events).status, 'succeeded');
  });

  it('malformed JSON in a frame → malformed', async () => {
    server.script(chat.key, { http: { status: 200, contentType: 'text/event-stream; charset=utf-8', body: 'data: {"event":"message","answer":"a"}\n\ndata: {"event":"mess\n\n' } });
    const r = await runChat();
    assertApiError(r.error, 'malformed', (e) => assert.match(e.message, /Malformed JSON/));
    assert.equal(r.answer, 'a');
  });

  it('the test server writes no [DONE] and error frames carry no task_id', async () => {
    const frames = runFrames(chat, { taskId: 't', runId: 'r', messageId: 'm', conversationId: 'c', workflowId: 'w', inputs: {}, query: 'q', createdAt: 1, answer: 'x' });
    assert.ok(frames.every((f) => f === 'ping' || !JSON.stringify(f.obj).includes('[DONE]')));
    server.script(chat.key, { errorAfterChunks: 1 });
    const c = client(server.url, chat.key);
    const raw: DifyStreamEvent[] = [];
    for await (const e of c.streamEvents('chat', { inputs: {}, query: 'hi', user: USER }, new AbortController().signal)) raw.push(e);
    const err = raw.at(-1) as { event: string; task_id?: string };
    assert.equal(err.event, 'error');
    assert.equal(err.task_id, undefined);
  });
});
