import * as assert from 'node:assert/strict';
import { FlowiseClient } from '../../../src/providers/flowise/client';
import { inlineFile } from '../../../src/providers/flowise/request';
import type { RunEvent } from '../../../src/providers/types';
import { startFlowiseServer, tokenize, type FlowiseTestFlow, type FlowiseTestServer } from '../../support/flowise/server';
import { answerOf, clientFor, collect, expectApiError, lastOf, ofType, predictions, reasoningOf, run } from './helpers';

const KEY = 'sk-flowise-secret-1234567890';
const ANSWER = '<think>Check the guide.</think>Flowise streams **tokens** and ends with metadata. 6 × 7 = 42.';
const ZH = '你好，世界！这是一个流式传输的测试：数据按字节被切开，多字节字符也不能出错。😀 Done — ünïcödé.';

const flows: FlowiseTestFlow[] = [
  {
    id: 'helper',
    name: 'Helper',
    apiKey: KEY,
    streaming: true,
    answer: ANSWER,
    thinking: 'Let me look at the docs first.',
    tools: true,
    sources: true,
    followUpPrompts: ['How do I add memory?', 'Which models are supported?'],
    uploads: { isImageUploadAllowed: true, isRAGFileUploadAllowed: true, isSpeechToTextEnabled: true },
  },
  { id: 'open', name: 'Open', streaming: true },
  { id: 'images', name: 'Images', streaming: true, uploads: { isImageUploadAllowed: true } },
  { id: 'zh', name: 'Chinese', streaming: true, answer: ZH },
  { id: 'blocking', name: 'Blocking', streaming: false, tools: true, sources: true },
  { id: 'blocking-keyed', name: 'Blocking keyed', streaming: false, apiKey: KEY },
  { id: 'agents', name: 'Agents', streaming: true, agentflow: true },
  { id: 'long', name: 'Long', streaming: true, answer: Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ') },
];

describe('FlowiseClient against the Flowise test server', () => {
  let server: FlowiseTestServer;

  before(async () => {
    server = await startFlowiseServer({ flows });
  });
  after(async () => {
    await server.close();
  });

  describe('streaming happy path', () => {
    it('maps text, thinking, tools, sources, usage, metadata and suggestions', async () => {
      const client = clientFor(server, 'helper', { apiKey: KEY });
      const { events, error } = await collect(run(client, { query: 'What is Flowise?' }));
      assert.equal(error, undefined);

      // The very first event carries the client-chosen chatId, before any byte from the server.
      const first = events[0];
      assert.equal(first.type, 'meta');
      const chatId = first.type === 'meta' ? first.taskId : undefined;
      assert.match(chatId ?? '', /^[0-9a-f-]{36}$/);

      assert.equal(answerOf(events), ANSWER, '<think> tags stay in the answer text');
      assert.equal(reasoningOf(events), 'Let me look at the docs first.');

      const citations = ofType(events, 'citations').flatMap((c) => c.citations);
      assert.deepEqual(citations.map((c) => c.documentName), ['docs/guide.md', 'https://docs.flowiseai.com/']);
      assert.equal(citations[0].score, 0.91);
      assert.equal(citations[0].position, 1);
      assert.match(citations[0].content ?? '', /prediction call streams tokens/);

      const tools = ofType(events, 'node').map((n) => n.node);
      assert.equal(tools[0].status, 'running', 'calledTools arrives first as a running node');
      const done = tools[tools.length - 1];
      assert.equal(done.id, tools[0].id, 'usedTools updates the same trace node');
      assert.equal(done.kind, 'tool');
      assert.equal(done.title, 'calculator');
      assert.equal(done.status, 'succeeded');
      assert.match(done.detail ?? '', /calculator/);
      assert.match(done.detail ?? '', /6 \* 7/);
      assert.match(done.detail ?? '', /Output: 42/);

      const usage = ofType(events, 'usage');
      assert.equal(usage.length, 1);
      assert.equal(usage[0].usage.promptTokens, 12);
      assert.equal(usage[0].usage.totalTokens, 12 + tokenize(ANSWER).length);

      const metas = ofType(events, 'meta');
      const final = metas[metas.length - 1];
      assert.equal(final.taskId, chatId);
      assert.equal(final.conversationId, chatId, 'a new session is keyed by the chatId');
      assert.match(final.messageId ?? '', /^[0-9a-f-]{36}$/);

      assert.deepEqual(ofType(events, 'suggestions')[0]?.questions, ['How do I add memory?', 'Which models are supported?']);
      const fin = lastOf(events);
      assert.equal(fin?.type, 'finished');
      assert.equal(fin?.type === 'finished' && fin.status, 'succeeded');
      assert.equal(fin?.type === 'finished' && fin.totalTokens, usage[0].usage.totalTokens);

      const req = predictions(server, 'helper').at(-1)!;
      assert.equal(req.json.question, 'What is Flowise?');
      assert.equal(req.json.streaming, true);
      assert.equal(req.json.chatId, chatId);
      assert.equal(req.json.overrideConfig, undefined, 'no sessionId for a new conversation');
      assert.equal(req.headers.authorization, `Bearer ${KEY}`);
      assert.match(String(req.headers['content-type']), /application\/json/);
    });

    it('maps agentflow events to trace nodes and agent steps', async () => {
      const { events, error } = await collect(run(clientFor(server, 'agents'), { query: 'route me' }));
      assert.equal(error, undefined);
      assert.equal(answerOf(events), 'You asked: route me');
      const nodes = ofType(events, 'node').map((e) => e.node);
      const llm = nodes.filter((n) => n.id === 'llmAgentflow_0');
      assert.deepEqual(llm.map((n) => n.status).slice(0, 2), ['running', 'succeeded']);
      assert.equal(llm[0].kind, 'llm');
      assert.equal(llm[0].title, 'Writer');
      const agents = nodes.filter((n) => n.kind === 'agent');
      assert.deepEqual(agents.map((a) => a.title), ['Supervisor', 'Writer']);
      assert.match(agents[0].detail ?? '', /Routing the question to Writer/);
      assert.equal(new Set(agents.map((a) => a.id)).size, 2);
      assert.equal(lastOf(events)?.type === 'finished' && (lastOf(events) as { status: string }).status, 'succeeded');
    });
  });

  describe('framing', () => {
    it('reassembles frames cut at every third byte, including inside multi-byte UTF-8', async () => {
      const offsets = Array.from({ length: 4000 }, (_, i) => (i + 1) * 3);
      server.script('zh', { splitAt: offsets, chunkDelayMs: 1 });
      const { events, error } = await collect(run(clientFor(server, 'zh'), { query: '中文' }));
      assert.equal(error, undefined);
      assert.equal(answerOf(events), ZH);
      assert.equal(lastOf(events)?.type, 'finished');
    });

    it('reassembles frames cut at random byte boundaries', async () => {
      for (let i = 0; i < 3; i++) {
        server.script('zh', { splitAt: 'random' });
        const { events, error } = await collect(run(clientFor(server, 'zh'), { query: '中文' }));
        assert.equal(error, undefined);
        assert.equal(answerOf(events), ZH);
      }
    });

    it('treats :heartbeat comments first and between frames as activity, not content', async () => {
      server.script('zh', { heartbeatFirst: true, heartbeatBetween: true });
      const { events, error } = await collect(run(clientFor(server, 'zh'), { query: '中文' }));
      assert.equal(error, undefined);
      assert.equal(answerOf(events), ZH);
      assert.equal(ofType(events, 'finished')[0]?.status, 'succeeded');
    });

    it('keeps a quiet stream alive while heartbeats arrive', async () => {
      server.script('open', { heartbeatFirst: true, stallAfterTokens: 1, stallMs: 800, heartbeatIntervalMs: 40 });
      const client = clientFor(server, 'open', { idleTimeoutMs: 300 });
      const { events, error } = await collect(run(client, { query: 'patience' }));
      assert.equal(error, undefined);
      assert.equal(answerOf(events), 'You asked: patience');
    });
  });

  describe('non-streaming flows', () => {
    it('maps the blocking JSON reply to the same events', async () => {
      const { events, error } = await collect(run(clientFor(server, 'blocking'), { query: 'plain' }));
      assert.equal(error, undefined);
      const req = predictions(server, 'blocking').at(-1)!;
      assert.equal(req.json.streaming, undefined, 'streaming is only requested when chatflows-streaming says so');
      assert.equal(answerOf(events), 'You asked: plain');
      assert.equal(ofType(events, 'citations')[0]?.citations.length, 2);
      const tool = ofType(events, 'node')[0]?.node;
      assert.equal(tool?.kind, 'tool');
      assert.match(tool?.detail ?? '', /Output: 42/);
      const meta = ofType(events, 'meta').at(-1)!;
      assert.equal(meta.conversationId, req.json.chatId);
      assert.match(meta.messageId ?? '', /^[0-9a-f-]{36}$/);
      assert.deepEqual(ofType(events, 'suggestions')[0]?.questions, ['Tell me more', 'Give me an example']);
      assert.equal(ofType(events, 'finished')[0]?.status, 'succeeded');
    });

    it('accepts a JSON reply when the server ignores streaming', async () => {
      const reply = {
        text: 'Blocking answer',
        question: 'q',
        chatId: 'server-chat',
        chatMessageId: 'msg-1',
        sessionId: 'session-9',
        isStreamValid: false,
        followUpPrompts: '["Next?"]',
      };
      server.script('open', { http: { status: 200, body: JSON.stringify(reply), contentType: 'application/json; charset=utf-8' } });
      const { events, error } = await collect(run(clientFor(server, 'open')));
      assert.equal(error, undefined);
      assert.equal(predictions(server, 'open').at(-1)!.json.streaming, true);
      assert.equal(answerOf(events), 'Blocking answer');
      const meta = ofType(events, 'meta').at(-1)!;
      assert.equal(meta.conversationId, 'session-9', 'sessionId wins over chatId');
      assert.equal(meta.messageId, 'msg-1');
      assert.deepEqual(ofType(events, 'suggestions')[0]?.questions, ['Next?']);
    });
  });

  describe('keys', () => {
    it('surfaces a wrong key (error event inside a 200 stream) as ApiError 401', async () => {
      const { events, error } = await collect(run(clientFor(server, 'helper', { apiKey: 'wrong-key-000' })));
      const e = expectApiError(error, 'stream', 401);
      assert.match(e.message, /Unauthorized/);
      assert.equal(answerOf(events), '');
      assert.equal(ofType(events, 'finished').length, 0);
      assert.equal(predictions(server, 'helper').at(-1)!.headers.authorization, 'Bearer wrong-key-000');
    });

    it('surfaces a missing key as ApiError 401 and sends no Authorization header', async () => {
      const { error } = await collect(run(clientFor(server, 'helper')));
      expectApiError(error, 'stream', 401);
      assert.equal(predictions(server, 'helper').at(-1)!.headers.authorization, undefined);
    });

    it('maps a 401 JSON answer of a non-streaming keyed flow to ApiError http 401', async () => {
      const { error } = await collect(run(clientFor(server, 'blocking-keyed', { apiKey: 'nope-nope' })));
      expectApiError(error, 'http', 401);
      const ok = await collect(run(clientFor(server, 'blocking-keyed', { apiKey: KEY }), { query: 'k' }));
      assert.equal(ok.error, undefined);
      assert.equal(answerOf(ok.events), 'You asked: k');
    });

    it('keeps the key in the Authorization header only, never in bodies, paths or messages', async () => {
      const logs: string[] = [];
      const log = (_l: string, m: string) => void logs.push(m);
      const client = clientFor(server, 'helper', { apiKey: KEY, log });
      const before = server.requests.length;
      await collect(run(client, { query: 'safe?' }));
      server.script('helper', { errorAfterTokens: 1, errorMessage: `401 Incorrect API key provided: ${KEY}` });
      const streamErr = await collect(run(client));
      const se = expectApiError(streamErr.error, 'stream', 401);
      server.script('helper', {
        http: { status: 500, contentType: 'application/json', body: JSON.stringify({ statusCode: 500, success: false, message: `Bad key ${KEY}` }) },
      });
      const httpErr = await collect(run(client));
      const he = expectApiError(httpErr.error, 'http', 500);
      await client.stop('flowise', { taskId: 'finished-chat' }, 'tester');
      for (const e of [se, he]) {
        assert.ok(!e.message.includes(KEY), `key leaked into: ${e.message}`);
        assert.ok(!String(e.stack).includes(KEY));
      }
      assert.ok(logs.length > 0, 'the log hook was used');
      for (const m of logs) assert.ok(!m.includes(KEY), `key leaked into log: ${m}`);
      const mine = server.requests.slice(before);
      assert.ok(mine.length >= 4);
      for (const r of mine) {
        assert.equal(r.headers.authorization, `Bearer ${KEY}`);
        assert.ok(!r.body.includes(KEY) && !r.path.includes(KEY) && !JSON.stringify(r.query).includes(KEY));
        const otherHeaders = Object.entries(r.headers).filter(([k]) => k !== 'authorization');
        assert.ok(!JSON.stringify(otherHeaders).includes(KEY));
      }
    });
  });

  describe('HTTP errors', () => {
    it('unknown chatflow → 404 from info() and run()', async () => {
      const client = clientFor(server, 'no-such-flow');
      await assert.rejects(client.info(), (e) => {
        expectApiError(e, 'http', 404);
        assert.match((e as Error).message, /Chatflow no-such-flow not found/);
        return true;
      });
      const { events, error } = await collect(run(client));
      expectApiError(error, 'http', 404);
      assert.deepEqual(events.map((e) => e.type), ['meta']);
    });

    it('missing chatflow id → 412 without a request', async () => {
      const before = server.requests.length;
      const client = new FlowiseClient({ baseUrl: server.url, chatflowId: '' });
      const { error } = await collect(run(client));
      expectApiError(error, 'http', 412);
      assert.equal(server.requests.length, before);
    });

    it('429 with a plain-text body → ApiError http 429 with the text and Retry-After', async () => {
      server.script('open', {
        http: { status: 429, body: 'Too many requests, please try again later.', contentType: 'text/plain', headers: { 'Retry-After': '7' } },
      });
      const { error } = await collect(run(clientFor(server, 'open')));
      const e = expectApiError(error, 'http', 429);
      assert.match(e.message, /Too many requests, please try again later\./);
      assert.equal(e.retryAfterSeconds, 7);
    });

    it('500 with a Flowise error body → ApiError http 500 with its message', async () => {
      const body = JSON.stringify({ statusCode: 500, success: false, message: 'Error: buildChatflow - Ending node must be either a Chain or Agent', stack: {} });
      server.script('open', { http: { status: 500, body, contentType: 'application/json; charset=utf-8' } });
      const { error } = await collect(run(clientFor(server, 'open')));
      const e = expectApiError(error, 'http', 500);
      assert.match(e.message, /Ending node must be either a Chain or Agent/);
    });
  });

  describe('broken streams', () => {
    it('an error event mid-stream throws after the partial answer was delivered', async () => {
      server.script('zh', { errorAfterTokens: 3, errorMessage: 'Error: model provider failed' });
      const { events, error } = await collect(run(clientFor(server, 'zh')));
      const e = expectApiError(error, 'stream');
      assert.equal(e.message, 'Error: model provider failed');
      assert.equal(e.status, undefined);
      assert.equal(answerOf(events), tokenize(ZH).slice(0, 3).join(''));
      assert.equal(ofType(events, 'finished').length, 0);
    });

    it('reads an HTTP-like status from the error text', async () => {
      server.script('open', { errorAfterTokens: 0, errorMessage: '429 Rate limit reached for requests' });
      const { error } = await collect(run(clientFor(server, 'open')));
      expectApiError(error, 'stream', 429);
    });

    it('a stream that closes without `end` → incomplete', async () => {
      server.script('zh', { closeEarlyAfterTokens: 2 });
      const { events, error } = await collect(run(clientFor(server, 'zh')));
      expectApiError(error, 'incomplete');
      assert.equal(answerOf(events), tokenize(ZH).slice(0, 2).join(''));
    });

    it('a reset connection → reset', async () => {
      server.script('zh', { resetAfterTokens: 2 });
      const { events, error } = await collect(run(clientFor(server, 'zh')));
      expectApiError(error, 'reset');
      assert.equal(answerOf(events), tokenize(ZH).slice(0, 2).join(''));
    });

    it('a stalled stream → idle-timeout', async () => {
      server.script('zh', { stallAfterTokens: 2 });
      const { events, error } = await collect(run(clientFor(server, 'zh', { idleTimeoutMs: 200 })));
      expectApiError(error, 'idle-timeout');
      assert.equal(answerOf(events), tokenize(ZH).slice(0, 2).join(''));
    });

    it('cancelling the signal mid-stream → aborted', async () => {
      server.script('long', { chunkDelayMs: 5 });
      const ctl = new AbortController();
      const { events, error } = await collect(run(clientFor(server, 'long'), {}, ctl.signal), (e) => {
        if (e.type === 'answer') ctl.abort();
      });
      expectApiError(error, 'aborted');
      assert.equal(ofType(events, 'answer').length, 1);
    });
  });

  describe('stop', () => {
    it('Stop during a stream calls the abort route and the stream ends as stopped', async () => {
      server.script('long', { chunkDelayMs: 10 });
      const client = clientFor(server, 'long');
      let chatId: string | undefined;
      let stopped: Promise<void> | undefined;
      const { events, error } = await collect(run(client, { query: 'a long one' }), (e, all) => {
        if (e.type === 'meta' && !chatId) chatId = e.taskId;
        if (e.type === 'answer' && ofType(all, 'answer').length === 2) {
          stopped = client.stop('flowise', { taskId: chatId, conversationId: chatId }, 'tester');
        }
      });
      await stopped;
      assert.equal(error, undefined);
      const abort = server.requests.find((r) => r.method === 'PUT' && r.path === `/api/v1/chatmessage/abort/long/${chatId}`);
      assert.ok(abort, 'abort route called with the chatflow id and chatId');
      assert.equal(abort.flowId, 'long');
      assert.equal(abort.chatId, chatId);
      const fin = lastOf(events) as Extract<RunEvent, { type: 'finished' }>;
      assert.equal(fin.type, 'finished');
      assert.equal(fin.status, 'stopped');
      assert.ok(answerOf(events).length < flows.find((f) => f.id === 'long')!.answer!.length, 'the answer was cut short');
    });

    it('Stop before any token (right after the first meta) still aborts the run', async () => {
      server.script('long', { heartbeatFirst: true, stallAfterTokens: 0 });
      const client = clientFor(server, 'long');
      let stopped: Promise<void> | undefined;
      const it = run(client, { query: 'stop early' });
      const { events, error } = await collect(it, async (e) => {
        if (e.type === 'meta' && !stopped) {
          const chatId = e.taskId!;
          // The server registers the run only once the prediction arrived; stop when it did.
          void server
            .waitForRequest((r) => r.method === 'POST' && r.json?.chatId === chatId, 5000)
            .then(() => (stopped = client.stop('flowise', { taskId: chatId }, 'tester')));
        }
      });
      await stopped;
      assert.equal(error, undefined);
      assert.equal(answerOf(events), '');
      assert.equal(ofType(events, 'finished')[0]?.status, 'stopped');
    });

    it('Stop for a finished or unknown run does not throw', async () => {
      const client = clientFor(server, 'open');
      const { events } = await collect(run(client));
      const chatId = ofType(events, 'meta')[0].taskId;
      await client.stop('flowise', { taskId: chatId }, 'tester');
      await client.stop('flowise', { taskId: 'never-ran' }, 'tester');
      await client.stop('flowise', {}, 'tester');
      await clientFor(server, 'no-such-flow').stop('flowise', { taskId: 'x' }, 'tester');
    });
  });

  describe('conversation memory', () => {
    it('a second run sends the first run\'s sessionId and the server remembers', async () => {
      const client = clientFor(server, 'open');
      const one = await collect(run(client, { query: 'What is a chatflow?' }));
      assert.equal(one.error, undefined);
      const conversationId = ofType(one.events, 'meta').at(-1)!.conversationId!;
      assert.ok(conversationId);

      const two = await collect(run(client, { query: 'And an agentflow?', conversationId }));
      assert.equal(two.error, undefined);
      const req = predictions(server, 'open').at(-1)!;
      assert.equal(req.json.overrideConfig.sessionId, conversationId);
      assert.equal(req.json.chatId, conversationId);
      assert.match(answerOf(two.events), /Earlier you asked: "What is a chatflow\?"/);
      assert.equal(ofType(two.events, 'meta').at(-1)!.conversationId, conversationId);
      assert.equal(server.memory(conversationId).length, 2);
    });

    it('sends inputs as overrideConfig.vars, explicit history and uploads', async () => {
      const client = clientFor(server, 'open');
      const { error, events } = await collect(
        run(client, {
          query: undefined,
          inputs: { topic: 'vector stores', empty: undefined },
          history: [
            { role: 'user', content: 'Earlier question' },
            { role: 'assistant', content: 'Earlier answer' },
          ],
          files: [
            { type: 'image', transfer_method: 'local_file', url: 'data:image/png;base64,iVBORw0KGgo=', name: 'shot.png' },
            { type: 'document', transfer_method: 'remote_url', url: 'https://example.com/docs/spec.pdf' },
            { type: 'document', transfer_method: 'local_file', upload_file_id: 'dify-only' },
          ],
        }),
      );
      assert.equal(error, undefined);
      const req = predictions(server, 'open').at(-1)!;
      assert.equal(req.json.question, 'vector stores');
      assert.deepEqual(req.json.overrideConfig, { vars: { topic: 'vector stores' } });
      assert.deepEqual(req.json.history, [
        { role: 'userMessage', content: 'Earlier question' },
        { role: 'apiMessage', content: 'Earlier answer' },
      ]);
      assert.deepEqual(req.json.uploads, [
        { data: 'data:image/png;base64,iVBORw0KGgo=', type: 'file', name: 'shot.png', mime: 'image/png' },
        { data: 'https://example.com/docs/spec.pdf', type: 'url', name: 'spec.pdf', mime: 'application/pdf' },
      ]);
      assert.match(answerOf(events), /Earlier question/);
      assert.match(answerOf(events), /received 2 upload\(s\): shot\.png, spec\.pdf/);
    });

    it('a file attached from VS Code goes inline: its exact bytes as a data URI upload', async () => {
      const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00]);
      // A view into a larger buffer, as file reads may return.
      const view = new Uint8Array([1, 2, ...bytes, 3]).subarray(2, 2 + bytes.length);
      const { error, events } = await collect(run(clientFor(server, 'open'), { query: 'what is in it?', files: [inlineFile({ name: 'diagram.png', data: view, mimeType: 'image/png' }, 'image')] }));
      assert.equal(error, undefined);
      const [upload] = predictions(server, 'open').at(-1)!.json.uploads;
      assert.deepEqual(upload, { data: `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`, type: 'file', name: 'diagram.png', mime: 'image/png' });
      assert.match(answerOf(events), /received 1 upload\(s\): diagram\.png/);
    });
  });

  describe('info and parameters', () => {
    it('info() names the flow and accepts a base URL ending in /api/v1', async () => {
      const a = await clientFor(server, 'helper').info();
      assert.deepEqual({ name: a.name, mode: a.mode }, { name: 'helper', mode: 'flowise' });
      const b = await new FlowiseClient({ baseUrl: `${server.url}/api/v1/`, chatflowId: 'blocking', name: 'My Flow' }).info();
      assert.equal(b.name, 'My Flow');
      assert.equal(b.mode, 'flowise');
      assert.ok(b.tags?.includes('blocking'));
      const c = new FlowiseClient({ baseUrl: `${server.url}/api/v1/prediction/open`, chatflowId: '' });
      assert.equal(c.chatflowId, 'open');
      assert.equal((await c.info()).name, 'open');
    });

    it('caches the streaming check per client', async () => {
      const client = clientFor(server, 'open');
      const count = () => server.requests.filter((r) => r.path === '/api/v1/chatflows-streaming/open').length;
      const before = count();
      await collect(run(client));
      await collect(run(client));
      await client.info();
      assert.equal(count() - before, 1);
    });

    it('parameters() maps chatflows-uploads to fileUpload (images, and documents for RAG), with no form fields', async () => {
      const p = await clientFor(server, 'helper').parameters();
      assert.deepEqual(p.fields, []);
      assert.equal(p.fileUpload?.enabled, true);
      assert.deepEqual(p.fileUpload?.allowedFileTypes, ['image', 'custom'], 'images, and documents by the extensions the flow reads; no speech');
      assert.ok(p.fileUpload?.allowedFileExtensions?.includes('.png'));
      assert.ok(p.fileUpload?.allowedFileExtensions?.includes('.pdf'));
      assert.deepEqual(p.fileUpload?.allowedUploadMethods, ['local_file'], 'documents are upserted from the file itself');
      assert.equal(p.limits.imageFileSizeLimitMb, 5);
      assert.equal(p.limits.fileSizeLimitMb, 500);
      const images = await clientFor(server, 'images').parameters();
      assert.deepEqual(images.fileUpload?.allowedFileTypes, ['image'], 'a flow without RAG uploads takes images only');
      assert.deepEqual(images.fileUpload?.allowedUploadMethods, ['local_file', 'remote_url']);
      const none = await clientFor(server, 'open').parameters();
      assert.equal(none.fileUpload?.enabled, false);
    });

    it('parameters() tolerates a server without the uploads route', async () => {
      const p = await clientFor(server, 'no-such-flow').parameters();
      assert.deepEqual(p.fields, []);
      assert.equal(p.fileUpload, undefined);
    });

    it('network failures reach the caller as ApiError', async () => {
      const dead = await startFlowiseServer({ flows: [] });
      const url = dead.url;
      await dead.close();
      const client = new FlowiseClient({ baseUrl: url, chatflowId: 'x' });
      await assert.rejects(client.info(), (e) => !!expectApiError(e, 'refused'));
      const { events, error } = await collect(run(client));
      expectApiError(error, 'refused');
      assert.deepEqual(events.map((e) => e.type), ['meta']);
    });
  });

  describe('feedback', () => {
    it('rates an answer by its chatMessageId and chatId, then changes the rating by the id the server gave', async () => {
      const client = clientFor(server, 'open');
      const { events } = await collect(run(client, { query: '评价这个回答' }));
      const meta = ofType(events, 'meta').find((e) => e.messageId) as { messageId: string; conversationId: string };
      assert.ok(meta.messageId && meta.conversationId);
      const id = await client.feedback({ messageId: meta.messageId, conversationId: meta.conversationId }, 'like', 'u', '很好 👍');
      assert.ok(id);
      assert.deepEqual(server.feedbackOf(meta.messageId), { rating: 'THUMBS_UP', content: '很好 👍' });
      const post = server.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/feedback')!;
      assert.deepEqual(post.json, { chatflowid: 'open', chatId: meta.conversationId, messageId: meta.messageId, rating: 'THUMBS_UP', content: '很好 👍' });
      assert.equal(await client.feedback({ messageId: meta.messageId, conversationId: meta.conversationId, feedbackId: id }, 'dislike', 'u'), id);
      assert.deepEqual(server.feedbackOf(meta.messageId), { rating: 'THUMBS_DOWN', content: '' });
      assert.ok(server.requests.some((r) => r.method === 'PUT' && r.path === `/api/v1/feedback/${id}`));
    });

    it('a message the server does not know is refused; a rating cannot be taken back', async () => {
      const client = clientFor(server, 'open');
      const unknown = await client.feedback({ messageId: 'nope', conversationId: 'nope' }, 'like', 'u').catch((e: unknown) => e);
      assert.match(expectApiError(unknown, 'http', 404).message, /Message nope not found/);
      const revoke = await client.feedback({ messageId: 'x', conversationId: 'y', feedbackId: 'z' }, null, 'u').catch((e: unknown) => e);
      assert.equal(expectApiError(revoke, 'http', 405).code, 'unsupported');
    });
  });

});
