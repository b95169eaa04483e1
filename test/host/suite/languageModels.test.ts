// Dify apps as VS Code language models, used by another extension (test/host/fixtures/lm-consumer) the way an
// assistant that offers "VS Code LM API" does: it finds the conversational apps, streams an answer without the
// thinking, continues the Dify conversation on its next turn, and can cancel.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { until, withApps } from './support';

interface Asked {
  models: string[];
  family?: string;
  text?: string;
  chunks?: number;
  tokens?: number;
  error?: string;
}

const ask = (model: string, messages: { role: 'user' | 'assistant'; text: string }[], cancelAfterChars?: number) =>
  vscode.commands.executeCommand<Asked>('difyTests.lmConsumer.ask', model, messages, cancelAfterChars);

describe('Dify apps as language models for other extensions', function () {
  this.timeout(60_000);
  const fx = withApps();

  before(async function () {
    if (!vscode.extensions.getExtension('dify-tests.lm-consumer')) this.skip(); // installed by test/host/run.ts
    // The apps' modes are known once asked: the models appear without a request of their own.
    for (const app of fx.api.catalog.apps()) await fx.api.catalog.info(app);
  });

  it('lists the conversational apps (chat, chatflow, agent) and not the workflow or completion ones', async () => {
    const r = await ask('Helper Chat', [{ role: 'user', text: 'hello' }]);
    assert.deepEqual([...r.models].sort(), ['Deploy Chat', 'Docs Chat', 'Helper Chat', 'Research Agent']);
    assert.equal(r.family, 'dify-chat');
  });

  it('streams the answer in several parts, without the thinking, and counts tokens', async () => {
    const before = fx.server.requests.length;
    const r = await ask('Helper Chat', [{ role: 'user', text: '这段代码有什么可以改进的地方？' }]);
    assert.equal(r.error, undefined);
    assert.match(r.text!, /^## 代码评审 🔍/);
    assert.ok(!r.text!.includes('用户用中文提问'), 'the thinking stays out of the text');
    assert.ok(r.chunks! > 1, 'streamed');
    assert.ok(r.tokens! >= 4 && r.tokens! <= 12, `a reasonable token count: ${r.tokens}`);
    const sent = fx.server.requests.slice(before).find((q) => q.path === '/v1/chat-messages')!;
    assert.equal((sent.body as { query: string }).query, '这段代码有什么可以改进的地方？');
    assert.equal(sent.headers.authorization, 'Bearer app-demo-chat');
  });

  it('continues the Dify conversation when the next request repeats the turns before it', async () => {
    const first = await ask('Docs Chat', [{ role: 'user', text: 'How do I deploy?' }]);
    const firstRun = fx.server.requests.filter((q) => q.path === '/v1/chat-messages').at(-1)!;
    const conversation = await until(() => fx.api.runs.entries.at(-1)?.conversationId, 'the conversation id');
    await ask('Docs Chat', [
      { role: 'user', text: 'How do I deploy?' },
      { role: 'assistant', text: first.text! },
      { role: 'user', text: 'And behind a proxy?' },
    ]);
    const second = fx.server.requests.filter((q) => q.path === '/v1/chat-messages').at(-1)!;
    assert.notEqual(second, firstRun);
    assert.deepEqual(
      { query: (second.body as { query: string }).query, conversation: (second.body as { conversation_id?: string }).conversation_id },
      { query: 'And behind a proxy?', conversation },
      'only the new question, in the same conversation',
    );
  });

  it('a history it did not run goes along as context, in a new conversation', async () => {
    await ask('Helper Chat', [
      { role: 'user', text: 'Earlier question' },
      { role: 'assistant', text: 'An answer from another model' },
      { role: 'user', text: 'Now this' },
    ]);
    const sent = fx.server.requests.filter((q) => q.path === '/v1/chat-messages').at(-1)!;
    const body = sent.body as { query: string; conversation_id?: string };
    assert.equal(body.conversation_id ?? '', '');
    assert.equal(body.query, 'User: Earlier question\n\nAssistant: An answer from another model\n\nUser: Now this');
  });

  it('cancelling the request stops the run on the server', async () => {
    fx.server.script('app-demo-chat', { chunkDelayMs: 150 });
    const r = await ask('Helper Chat', [{ role: 'user', text: 'a slow answer please' }], 20);
    assert.ok((r.text ?? '').length >= 20);
    const stop = await fx.server.waitForRequest((q) => /\/chat-messages\/[^/]+\/stop$/.test(q.path), 10_000);
    assert.ok(stop, 'the stop route was called');
  });

  it('a failure reaches the other extension as an error with the one sentence', async () => {
    fx.server.script('app-demo-chat', { http: { status: 502, contentType: 'text/html', body: '<html>Bad Gateway</html>' } });
    const r = await ask('Helper Chat', [{ role: 'user', text: 'fail please' }]);
    assert.match(r.error ?? '', /The gateway in front of "Helper Chat" could not reach its server \(HTTP 502\)/);
  });
});
