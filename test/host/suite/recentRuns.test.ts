// The Recent Runs view in the real extension host against the Dify-compatible test server: a workflow's runs as its
// server logs them (status icons, time, tokens; Load more; the status filter), a chatflow's from this workspace, one
// run opened in full as a read-only document, and the one line with its fix when an app cannot be listed.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunsNode } from '../../../src/commands/recentRuns';
import { DifyClient } from '../../../src/providers/dify/client';
import { withApps } from './support';

describe('Recent Runs in the real extension host', function () {
  this.timeout(60_000);
  const fx = withApps();
  const view = () => fx.api.recentRuns;
  const appNode = async (name: string) => (await view().getChildren()).find((n) => n.kind === 'app' && n.app.name === name);
  const children = async (name: string) => {
    const node = await appNode(name);
    assert.ok(node, `${name} is listed`);
    return view().getChildren(node);
  };
  const runIds: string[] = [];

  before(async () => {
    // 21 runs on the server (a page is 20), the second one failing; started as another caller would.
    const key = fx.apps.find((a) => a.name === 'Code Reviewer')!.key;
    fx.server.script(key, [{}, { errorAfterChunks: 1, errorMessage: '模型调用失败 (rate limit)' }]);
    const c = new DifyClient({ baseUrl: fx.server.url, apiKey: key });
    for (let i = 0; i < 21; i++) {
      try {
        for await (const ev of c.run('workflow', { inputs: { code: `第 ${i} 段 const x = ${i};` }, user: 'web-user' }, new AbortController().signal)) {
          if (ev.type === 'meta' && ev.runId && !runIds.includes(ev.runId)) runIds.push(ev.runId);
        }
      } catch {
        // the failing one
      }
    }
    await c.close();
  });

  afterEach(() => {
    view().setFilter(undefined);
  });

  it('lists a workflow\'s runs newest first with status, time and tokens; Load more brings the 21st', async () => {
    view().refresh();
    const first = await children('Code Reviewer');
    const runs = first.filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    assert.equal(runs.length, 20);
    assert.deepEqual(runs.map((n) => n.run.id), [...runIds].reverse().slice(0, 20));
    assert.equal(first.at(-1)!.kind, 'more');
    const item = view().getTreeItem(runs[0]);
    assert.match(String(item.description), /^Succeeded · \d+\.\d+ s · 150 tokens$/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'pass');
    assert.deepEqual(item.command?.arguments, ['Code Reviewer', runIds[20]]);
    const failed = view().getTreeItem(runs.find((n) => n.run.id === runIds[1])!);
    assert.equal((failed.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(String(failed.description), /^Failed/);
    assert.match((failed.tooltip as vscode.MarkdownString).value, /模型调用失败/);
    await vscode.commands.executeCommand('dify.loadMoreRuns', first.at(-1));
    const all = await children('Code Reviewer');
    assert.equal(all.filter((n) => n.kind === 'run').length, 21);
    assert.ok(!all.some((n) => n.kind === 'more'));
    assert.equal(fx.server.requests.filter((r) => r.path === '/v1/workflows/logs').at(-1)!.query.page, '2');
  });

  it('filters by status', async () => {
    view().setFilter('failed');
    const runs = (await children('Code Reviewer')).filter((n): n is Extract<RunsNode, { kind: 'run' }> => n.kind === 'run');
    assert.deepEqual(runs.map((n) => n.run.id), [runIds[1]]);
    assert.equal(fx.server.requests.filter((r) => r.path === '/v1/workflows/logs').at(-1)!.query.status, 'failed');
    view().setFilter('stopped');
    const none = await children('Code Reviewer');
    assert.equal(none.length, 1);
    assert.equal(view().getTreeItem(none[0]).label, 'No runs with this status.');
  });

  it('opens a run in full, read-only: its inputs (sent as JSON text, 中文 intact), outputs, error, times', async () => {
    const editor = (await vscode.commands.executeCommand('dify.openRun', 'Code Reviewer', runIds[1])) as vscode.TextEditor;
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'dify-run');
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    assert.match(text, /^# Code Reviewer: run Failed/);
    assert.ok(text.includes(`- **Run ID:** \`${runIds[1]}\``));
    assert.ok(text.includes('## Error\n\n```text\n模型调用失败 (rate limit)\n```'));
    assert.ok(text.includes('### code\n\n`第 1 段 const x = 1;`'), text);
    const ok = ((await vscode.commands.executeCommand('dify.openRun', 'Code Reviewer', runIds[0])) as vscode.TextEditor).document.getText();
    assert.ok(ok.includes('## Outputs\n\n### text'), ok);
    assert.ok(ok.includes('- **Tokens:** 150'));
    // An unknown run: the document says what the server said, as one sentence.
    const gone = ((await vscode.commands.executeCommand('dify.openRun', 'Code Reviewer', '3c7d8f1e-0000-4000-8000-000000000000')) as vscode.TextEditor).document.getText();
    assert.match(gone, /"Code Reviewer" has no run 3c7d8f1e/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a chatflow\'s runs come from this workspace (Dify\'s log holds workflows only); chat apps leave the view', async () => {
    const start = (await fx.api.prepare('Docs Chat', '部署？'))!;
    const entry = await fx.api.runs.start({ ...start, continueConversation: false }, { showPanel: false });
    for (const name of ['Helper Chat', 'Commit Message Writer']) await fx.api.catalog.info(fx.api.catalog.find(name)!);
    view().refresh();
    const runs = await children('Docs Chat');
    assert.ok(runs.some((n) => n.kind === 'run' && n.run.id === entry.runId), 'the run started here');
    assert.equal(view().getTreeItem((await appNode('Docs Chat'))!).description, 'runs from this workspace');
    const names = (await view().getChildren()).map((n) => n.app.name);
    assert.ok(!names.includes('Helper Chat') && !names.includes('Commit Message Writer'), names.join());
  });

  it('an app without a key shows one line saying so, which sets the key', async () => {
    const app = fx.api.catalog.find('Code Reviewer')!;
    const key = fx.apps.find((a) => a.name === 'Code Reviewer')!.key;
    await fx.api.keys.delete(app.name);
    try {
      view().refresh();
      const [note] = await children('Code Reviewer');
      assert.equal(note.kind, 'note');
      const item = view().getTreeItem(note);
      assert.match(String(item.label), /No API key is stored for "Code Reviewer"/);
      assert.deepEqual(item.command && { command: item.command.command, arguments: item.command.arguments }, { command: 'dify.setApiKey', arguments: ['Code Reviewer'] });
    } finally {
      await fx.api.keys.set(app, key);
    }
  });
});
