// The panel as it loads in the real extension host, and the history file it is restored from.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { HistoryFile } from '../../../src/config/historyFile';
import { PANEL_VIEW_TYPE } from '../../../src/panel/panel';
import type { EntryView, HostMessage } from '../../../src/protocol';
import { History, LEGACY_HISTORY_KEY } from '../../../src/run/history';
import { MemoryMemento, until, withApps } from './support';

const stored = (id: string): EntryView => ({ id, app: 'Helper Chat', question: id, answer: `answer ${id}`, thinking: '', thinkingDone: false, nodes: [], status: 'succeeded', startedAt: 0, canReplaceSelection: false });

describe('the panel as it loads', function () {
  this.timeout(30_000);
  const fx = withApps();

  it('says ready, and the selected app\'s form and opening are fetched and sent to it', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
    try {
      const before = fx.server.requests.length;
      await vscode.commands.executeCommand('dify.openChat');
      const init = await until(() => posted.find((m): m is Extract<HostMessage, { type: 'init' }> => m.type === 'init'), 'the panel to load', 20_000);
      const selected = fx.apps.find((a) => a.name === init.state.selectedApp)!;
      assert.ok(selected, 'an app is selected');
      assert.equal(init.state.form, undefined, 'this suite\'s server was not asked yet');
      const apps = await until(() => posted.find((m): m is Extract<HostMessage, { type: 'apps' }> => m.type === 'apps' && !!m.form), 'the app\'s form');
      assert.equal(apps.selectedApp, selected.name);
      assert.equal(apps.form?.app, selected.name);
      const asked = fx.server.requests.slice(before).filter((r) => r.method === 'GET' && r.path.endsWith('/parameters'));
      assert.deepEqual(asked.map((r) => r.headers.authorization), [`Bearer ${selected.key}`], 'one /parameters call, for the selected app');
    } finally {
      fx.api.panel.tap = undefined;
    }
  });

  it('a panel VS Code restores closes when "Open Dify Chat" has opened the panel already; the open one stays the panel', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('dify.openChat');
    const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
    await until(() => tabs().length === 1, 'the panel to open');
    const late = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Dify Chat', vscode.ViewColumn.Beside, {});
    let closed = false;
    late.onDidDispose(() => (closed = true));
    await until(() => tabs().length === 2, 'the second panel to open');
    fx.api.panel.restore(late);
    await until(() => closed && tabs().length === 1, 'the late panel to close');
    // The one left is still the panel host's: it answers a message posted to it.
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(m);
    try {
      fx.api.session.refreshApps();
      await until(() => posted.some((m) => m.type === 'apps'), 'the open panel to get the apps');
      assert.ok(fx.api.panel.visible);
    } finally {
      fx.api.panel.tap = undefined;
    }
  });
});

describe('the history file', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'dify-history-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('moves history kept in workspace state by earlier versions into history.json, written whole on each save', async () => {
    const legacy = new MemoryMemento();
    legacy.values.set(LEGACY_HISTORY_KEY, { version: 1, entries: [stored('old')], conversations: { 'Helper Chat': 'conv-1' } });
    const store = new HistoryFile(vscode.Uri.file(join(folder, 'nested')), legacy);
    const history = await History.load(store);
    assert.deepEqual(history.entries.map((e) => e.id), ['old']);
    assert.equal(history.conversationOf('Helper Chat'), 'conv-1');
    history.add(stored('new'));
    await history.save();
    const written = JSON.parse(readFileSync(join(folder, 'nested', 'history.json'), 'utf8'));
    assert.deepEqual(written.entries.map((e: { id: string }) => e.id), ['old', 'new']);
    assert.deepEqual(readdirSync(join(folder, 'nested')), ['history.json'], 'no temporary file left behind');
    assert.equal(legacy.get(LEGACY_HISTORY_KEY), undefined, 'the old copy is gone once the file is written');
    assert.deepEqual((await History.load(new HistoryFile(vscode.Uri.file(join(folder, 'nested')), legacy))).entries.map((e) => e.id), ['old', 'new']);
  });

  it('a file that is not JSON is set aside and reported; the history starts empty and saves again', async () => {
    writeFileSync(join(folder, 'history.json'), '{"version":1,"entr');
    const errors: string[] = [];
    const store = new HistoryFile(vscode.Uri.file(folder), new MemoryMemento());
    const history = await History.load(store, { onError: (e, doing) => errors.push(`${doing}: ${e.message}`) });
    assert.equal(history.entries.length, 0);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^read: .*history\.json is not valid JSON; it was renamed to history\.unreadable\.json\.$/);
    assert.equal(readFileSync(join(folder, 'history.unreadable.json'), 'utf8'), '{"version":1,"entr');
    history.add(stored('1'));
    await history.save();
    assert.equal(JSON.parse(readFileSync(join(folder, 'history.json'), 'utf8')).entries[0].id, '1');
  });
});

describe('the chat docked in the side bar, and context added from the editor', function () {
  this.timeout(30_000);
  const fx = withApps();
  // A visible docked view is where runs show: later suites expect the panel beside the editor.
  after(() => vscode.commands.executeCommand('workbench.action.closeSidebar'));

  it('the view shows the same history as the panel', async () => {
    const inits: HostMessage[] = [];
    fx.api.panel.tap = (m) => m.type === 'init' && inits.push(m);
    try {
      await vscode.commands.executeCommand('dify.chatView.focus');
      await until(() => inits.length > 0, 'the docked view to load');
      assert.equal(fx.api.panel.visible, true);
      const start = (await fx.api.prepare('Helper Chat', 'from the view'))!;
      const entry = await fx.api.runs.start({ ...start, continueConversation: false });
      const init = inits.at(-1) as Extract<HostMessage, { type: 'init' }>;
      assert.ok(Array.isArray(init.state.entries));
      assert.ok(fx.api.session.state().entries.some((e) => e.id === entry.id), 'one history for every chat surface');
    } finally {
      fx.api.panel.tap = undefined;
    }
  });

  it('"Add Selection to Dify Chat" puts the selection in the composer as a removable chip; it goes with the next message', async () => {
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(m);
    try {
      const doc = await vscode.workspace.openTextDocument({ content: 'const a = 1;\nconst b = 2;\nconst c = 3;\n', language: 'typescript' });
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(0, 0, 1, 12);
      await vscode.commands.executeCommand('dify.addSelectionToChat');
      editor.selection = new vscode.Selection(2, 0, 2, 12);
      await vscode.commands.executeCommand('dify.addSelectionToChat');
      const chips = (posted.filter((m) => m.type === 'contexts').at(-1) as Extract<HostMessage, { type: 'contexts' }>).contexts;
      assert.equal(chips.length, 2);
      assert.match(chips[0].name, /:1-2$/);
      assert.match(chips[1].name, /:3$/);
      await fx.api.session.handle({ type: 'removeContext', id: chips[1].id });
      assert.equal(fx.api.session.state().contexts?.length, 1);
      await fx.api.session.handle({ type: 'send', text: 'Explain this.', app: 'Helper Chat' });
      const sent = fx.server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!;
      const query = (sent.body as { query: string }).query;
      assert.match(query, /^Explain this\.\n\n.*:1-2:\n```typescript\nconst a = 1;\nconst b = 2;\n```$/);
      assert.ok(!query.includes('const c'), 'the removed chip stays out');
      assert.deepEqual(fx.api.session.state().contexts, [], 'a chip goes with one message');
    } finally {
      fx.api.panel.tap = undefined;
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
