// Flowise document uploads in the real extension host: a chatflow that allows RAG uploads offers them in the
// panel's form; a document attached is checked against its types and size, upserted with the chat's id when the
// message goes, and the answer draws on it.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { attachFiles } from '../../../src/app/runPreparation';
import type { TestApi } from '../../../src/extension';
import type { HostMessage } from '../../../src/protocol';
import { startFlowiseServer, type FlowiseTestServer } from '../../support/flowise/server';
import { EXTENSION_ID, until } from './support';

describe('Flowise documents in the real extension host', function () {
  this.timeout(30_000);
  let server: FlowiseTestServer;
  let api: TestApi;
  let dir: string;
  const name = 'Flowise Docs';

  before(async () => {
    server = await startFlowiseServer({
      flows: [{ id: 'docs', name: 'Docs', streaming: true, uploads: { isRAGFileUploadAllowed: true, isImageUploadAllowed: true, fileUploadSizeAndTypes: [{ fileTypes: ['.md', '.txt'], maxUploadSize: 1 }] } }],
    });
    await vscode.workspace.getConfiguration('dify').update('apps', [{ name, provider: 'flowise', baseUrl: server.url, chatflowId: 'docs' }], vscode.ConfigurationTarget.Global);
    api = (await vscode.extensions.getExtension<TestApi>(EXTENSION_ID)!.activate())!;
    dir = mkdtempSync(join(tmpdir(), 'dify-docs-'));
  });

  after(async () => {
    await api?.runs.stopAll();
    await server?.close();
    await vscode.workspace.getConfiguration('dify').update('apps', undefined, vscode.ConfigurationTarget.Global);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the panel\'s form offers attachments where the chatflow allows documents', async () => {
    const posted: HostMessage[] = [];
    api.panel.tap = (m) => posted.push(structuredClone(m));
    try {
      await api.session.handle({ type: 'selectApp', app: name });
      const apps = await until(() => posted.filter((m): m is Extract<HostMessage, { type: 'apps' }> => m.type === 'apps' && m.form?.app === name).at(-1), 'the form');
      assert.deepEqual(apps.form?.fields.map((f) => [f.variable, f.kind]), [['sys.files', 'files']]);
    } finally {
      api.panel.tap = undefined;
    }
  });

  it('a document goes to the chatflow\'s vector store with the chat\'s id, then with the message as file:rag', async () => {
    const notes = join(dir, '部署说明.md');
    writeFileSync(notes, '先运行 docker compose up -d，再打开 http://localhost 🚀');
    const app = api.catalog.find(name)!;
    const { files, names } = await attachFiles(api.catalog, api.userId, app, [notes]);
    assert.deepEqual(names, ['部署说明.md']);
    assert.equal(server.requests.filter((r) => r.path.startsWith('/api/v1/vector/')).length, 0, 'nothing sent before the message');
    const start = (await api.prepare(name, '怎么部署？'))!;
    const entry = await api.runs.start({ ...start, files, continueConversation: false }, { showPanel: false });
    assert.equal(entry.status, 'succeeded', entry.error?.message);
    assert.deepEqual(server.upserted(entry.conversationId!).map((d) => d.name), ['部署说明.md']);
    assert.match(entry.answer, /From your documents: 部署说明\.md: "先运行 docker compose/);
  });

  it('a document of a type or size the chatflow does not take is refused before anything is sent', async () => {
    const app = api.catalog.find(name)!;
    const exe = join(dir, 'tool.exe');
    writeFileSync(exe, 'MZ');
    await assert.rejects(attachFiles(api.catalog, api.userId, app, [exe]), (e: Error) => /does not accept tool\.exe/.test(e.message));
    const big = join(dir, 'big.txt');
    writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 'a'));
    await assert.rejects(attachFiles(api.catalog, api.userId, app, [big]), (e: Error) => /larger than the 1 MB/.test(e.message));
    assert.equal(server.requests.filter((r) => r.path.startsWith('/api/v1/vector/')).length, 1, 'only the earlier test\'s upsert');
  });

  it('a chatflow that refuses the upsert fails the message with one sentence saying so; no prediction is asked', async () => {
    // The flow stops allowing RAG uploads after the file was attached (its vector store removed).
    server.flows[0].uploads = { isImageUploadAllowed: true };
    const notes = join(dir, 'notes.md');
    writeFileSync(notes, 'notes');
    const app = api.catalog.find(name)!;
    const { files } = await attachFiles(api.catalog, api.userId, app, [notes]);
    const before = server.requests.filter((r) => r.path === '/api/v1/prediction/docs').length;
    const start = (await api.prepare(name, 'and now?'))!;
    const entry = await api.runs.start({ ...start, files, continueConversation: false }, { showPanel: false });
    assert.equal(entry.status, 'failed');
    assert.match(entry.error!.message, /The documents could not be added to the knowledge base of "Flowise Docs" \(No vector node found/);
    assert.equal(server.requests.filter((r) => r.path === '/api/v1/prediction/docs').length, before);
  });
});
