// A Flowise chatflow end to end in the real extension host: streaming (thinking, tools, sources),
// conversation memory through sessionId, and Stop reaching Flowise's abort route.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TestApi } from '../../../src/extension';
import { DEMO_FLOW_ID, DEMO_FLOW_KEY, startFlowiseServer, type FlowiseTestServer } from '../../support/flowise/server';
import { EXTENSION_ID, until } from './support';

describe('Flowise in the real extension host', function () {
  this.timeout(30_000);
  let server: FlowiseTestServer;
  let api: TestApi;
  const name = 'Flowise Helper';

  before(async () => {
    server = await startFlowiseServer();
    await vscode.workspace
      .getConfiguration('dify')
      .update('apps', [{ name, provider: 'flowise', baseUrl: server.url, chatflowId: DEMO_FLOW_ID }], vscode.ConfigurationTarget.Global);
    api = (await vscode.extensions.getExtension<TestApi>(EXTENSION_ID)!.activate())!;
    await api.keys.set(api.catalog.find(name)!, DEMO_FLOW_KEY);
  });

  after(async () => {
    await api?.runs.stopAll();
    await server?.close();
    await vscode.workspace.getConfiguration('dify').update('apps', undefined, vscode.ConfigurationTarget.Global);
    await api?.keys.delete(name);
  });

  it('streams an answer with thinking, tool calls and sources, and remembers the conversation', async () => {
    api.runs.newConversation(api.catalog.find(name));
    const first = await api.runs.start((await api.prepare(name, 'What is Flowise?'))!, { showPanel: false });
    assert.equal(first.status, 'succeeded', first.error?.message);
    assert.equal(first.mode, 'flowise');
    assert.ok(first.answer.length > 0);
    assert.ok(first.thinking.length > 0, 'thinking is shown apart from the answer');
    assert.ok(first.nodes.some((n) => n.kind === 'tool'), 'tool calls are traced');
    assert.ok((first.citations ?? []).length > 0, 'source documents become citations');
    assert.ok(first.conversationId, 'the session id is kept');

    const second = await api.runs.start((await api.prepare(name, 'And who made it?'))!, { showPanel: false });
    assert.equal(second.status, 'succeeded');
    const sent = server.requests.filter((r) => r.path.startsWith('/api/v1/prediction/')).at(-1)!;
    assert.equal((sent.json as { overrideConfig?: { sessionId?: string } }).overrideConfig?.sessionId, first.conversationId);
    assert.match(second.answer, /What is Flowise\?/, 'the follow-up answer knows the first question (server memory)');
    assert.equal(sent.headers.authorization, `Bearer ${DEMO_FLOW_KEY}`);
  });

  it('Stop aborts the stream and calls the abort route with the chat id', async () => {
    server.script(DEMO_FLOW_ID, { chunkDelayMs: 150 });
    const launched = await api.runs.launch((await api.prepare(name, 'a slow one'))!, { showPanel: false });
    await until(() => launched.entry.answer.length > 0 || launched.entry.thinking.length > 0, 'first tokens');
    await api.runs.stopAll();
    const entry = await launched.done;
    assert.equal(entry.status, 'stopped');
    const abort = await server.waitForRequest((r) => r.method === 'PUT' && r.path.startsWith('/api/v1/chatmessage/abort/'), 5000);
    assert.equal(abort.path, `/api/v1/chatmessage/abort/${DEMO_FLOW_ID}/${launched.run.taskId}`);
  });
});
