// Conversations and what comes around an answer, in the real extension host against the Dify-compatible test
// server: follow-up questions reaching the panel, the app's site in the composer, the conversation commands (rename
// typed or by the app, delete after a confirmation, export to an editor or a file) from the palette and the panel.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HostMessage } from '../../../src/protocol';
import type { ConversationPrompts } from '../../../src/commands/conversations';
import { until, withApps } from './support';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

describe('conversations and follow-ups in the real extension host', function () {
  this.timeout(30_000);
  const fx = withApps();
  let posted: HostMessage[] = [];
  let prompts: ConversationPrompts;
  const last = <T extends HostMessage['type']>(type: T) => posted.filter((m): m is Of<T> => m.type === type).at(-1);

  beforeEach(() => {
    posted = [];
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
    prompts = { ...fx.api.conversationPrompts };
  });
  afterEach(() => {
    fx.api.panel.tap = undefined;
    Object.assign(fx.api.conversationPrompts, prompts);
  });

  /** One turn with the app, shown in the panel; resolves with its finished entry. */
  async function turn(app: string, question: string, newConversation = false) {
    const start = (await fx.api.prepare(app, question))!;
    const entry = await fx.api.runs.start({ ...start, continueConversation: !newConversation });
    assert.equal(entry.status, 'succeeded', entry.error?.message);
    return entry;
  }

  it('follow-up questions: asked once a Dify answer is complete, patched into the entry the panel shows', async () => {
    const entry = await turn('Helper Chat', '怎么配置代理？', true);
    await fx.api.followUps.settled();
    assert.deepEqual(entry.suggestions, ['How do I configure a proxy?', '能否举个例子？', 'What about self-signed certificates?']);
    const ask = fx.server.requests.filter((r) => r.path === `/v1/messages/${entry.messageId}/suggested`);
    assert.equal(ask.length, 1);
    assert.equal(ask[0].query.user, fx.api.userId);
    // Entry patches reach the panel once per frame.
    const patch = await until(() => posted.filter((m): m is Of<'entryPatch'> => m.type === 'entryPatch' && m.patch.id === entry.id && !!m.patch.suggestions).at(-1), 'the panel to hear of them');
    assert.deepEqual(patch.patch.suggestions, entry.suggestions);
    assert.deepEqual(fx.api.history.find(entry.id)?.suggestions, entry.suggestions, 'and the history keeps them');
  });

  it('follow-up questions: not asked of an app that has them off, nor for a run the panel does not show', async () => {
    const before = fx.server.requests.filter((r) => r.path.endsWith('/suggested')).length;
    await turn('Research Agent', 'search', true);
    const hidden = (await fx.api.prepare('Helper Chat', 'quietly'))!;
    assert.equal((await fx.api.runs.start({ ...hidden, continueConversation: false }, { showPanel: false })).status, 'succeeded');
    await fx.api.followUps.settled();
    assert.equal(fx.server.requests.filter((r) => r.path.endsWith('/suggested')).length, before);
  });

  it('the composer takes the app\'s placeholder and disclaimer, the opening its title and description; an app without a site has none', async () => {
    await fx.api.session.handle({ type: 'selectApp', app: 'Docs Chat' });
    const docs = await until(() => posted.filter((m): m is Of<'apps'> => m.type === 'apps' && m.selectedApp === 'Docs Chat' && !!m.form).at(-1), 'the form of Docs Chat');
    assert.equal(docs.form?.placeholder, '问问文档… Ask the docs…');
    assert.equal(docs.form?.disclaimer, 'Answers may be wrong; check the docs. 回答仅供参考。');
    assert.deepEqual(docs.opening, { title: 'Docs Chat', description: '文档助手：回答关于部署和配置的问题。', statement: 'Ask me anything about the docs.', questions: ['How do I deploy?', '如何配置代理？'] });
    const sites = () => fx.server.requests.filter((r) => r.path === '/v1/site' && r.headers.authorization === `Bearer ${fx.apps.find((a) => a.name === 'Helper Chat')!.key}`).length;
    fx.api.catalog.forget('Helper Chat');
    const before = sites();
    await fx.api.session.handle({ type: 'selectApp', app: 'Helper Chat' });
    const helper = await until(() => posted.filter((m): m is Of<'apps'> => m.type === 'apps' && m.selectedApp === 'Helper Chat' && !!m.form).at(-1), 'the form of Helper Chat');
    assert.equal(helper.form?.placeholder, undefined);
    assert.equal(helper.form?.disclaimer, undefined);
    const asked = sites();
    assert.equal(asked - before, 1, 'its 403 was asked once');
    await fx.api.session.handle({ type: 'selectApp', app: 'Docs Chat' });
    await fx.api.session.handle({ type: 'selectApp', app: 'Helper Chat' });
    assert.equal(sites(), asked, '…and is remembered as "no site"');
  });

  it('the panel lists the app\'s conversations a page at a time; a workflow keeps none', async () => {
    const a = await turn('Helper Chat', 'first conversation 一', true);
    // Dify's times are whole seconds: the second one is updated a second later.
    await new Promise((r) => setTimeout(r, 1100));
    const b = await turn('Helper Chat', 'second conversation 二', true);
    await fx.api.session.handle({ type: 'selectApp', app: 'Helper Chat' });
    await fx.api.session.handle({ type: 'listConversations' });
    const page = last('conversations')!;
    assert.equal(page.app, 'Helper Chat');
    const ids = page.conversations.map((c) => c.id);
    assert.equal(ids[0], b.conversationId, 'most recently updated first');
    assert.ok(ids.indexOf(a.conversationId!) > 0);
    assert.equal(page.hasMore, false);
    assert.equal(page.append, false);
    await fx.api.session.handle({ type: 'listConversations', lastId: a.conversationId! });
    assert.equal(last('conversations')!.append, true);
    assert.equal(fx.server.requests.filter((r) => r.path === '/v1/conversations').at(-1)!.query.last_id, a.conversationId);
    // A workflow keeps none: said without asking its server for a list (its mode says so).
    const lists = fx.server.requests.filter((r) => r.path === '/v1/conversations').length;
    await fx.api.session.handle({ type: 'selectApp', app: 'Commit Message Writer' });
    await fx.api.session.handle({ type: 'listConversations' });
    assert.equal(last('conversations')!.unsupported, true);
    assert.equal(fx.server.requests.filter((r) => r.path === '/v1/conversations').length, lists);
  });

  it('rename: typed (中文), or named by the app; the panel\'s list hears of it', async () => {
    const e = await turn('Helper Chat', 'How do I deploy behind nginx?', true);
    const id = e.conversationId!;
    // The panel's list (or the palette's) has listed it: the prompt offers its current name.
    await fx.api.conversations.page(fx.api.catalog.find('Helper Chat')!);
    const asked: string[] = [];
    fx.api.conversationPrompts.name = async (current) => (asked.push(current), { name: '部署笔记 🚀' });
    await vscode.commands.executeCommand('dify.renameConversation', { app: 'Helper Chat', conversationId: id });
    const list = await fx.api.conversations.page(fx.api.catalog.find('Helper Chat')!);
    assert.equal(list?.conversations.find((c) => c.id === id)?.name, '部署笔记 🚀');
    assert.deepEqual(last('conversationChanged'), { type: 'conversationChanged', app: 'Helper Chat', conversationId: id, conversation: { id, name: '部署笔记 🚀', updatedAt: last('conversationChanged')!.conversation!.updatedAt } });
    // From the panel's list: the same command, the same prompt (now offering the current name).
    fx.api.conversationPrompts.name = async (current) => (asked.push(current), { autoGenerate: true });
    await fx.api.session.handle({ type: 'conversationAction', action: 'rename', conversationId: id });
    await until(() => last('conversationChanged')?.conversation?.name.startsWith('✨'), 'the generated name');
    assert.equal(last('conversationChanged')!.conversation!.name, '✨ How do I deploy behi', 'Dify names it from the first message');
    assert.deepEqual(asked, ['How do I deploy behind nginx?', '部署笔记 🚀']);
    // Cancelled: nothing is sent.
    const renames = fx.server.requests.filter((r) => r.path.endsWith('/name')).length;
    fx.api.conversationPrompts.name = async () => undefined;
    await vscode.commands.executeCommand('dify.renameConversation', { app: 'Helper Chat', conversationId: id });
    assert.equal(fx.server.requests.filter((r) => r.path.endsWith('/name')).length, renames);
  });

  it('delete: only after the confirmation naming it; the current conversation then starts anew', async () => {
    const e = await turn('Helper Chat', 'to be deleted 删除', true);
    const id = e.conversationId!;
    assert.equal(fx.api.runs.conversationOf('Helper Chat'), id);
    await fx.api.conversations.page(fx.api.catalog.find('Helper Chat')!);
    const confirmations: [string, string][] = [];
    fx.api.conversationPrompts.confirmDelete = async (label, app) => (confirmations.push([label, app]), false);
    await vscode.commands.executeCommand('dify.deleteConversation', { app: 'Helper Chat', conversationId: id });
    assert.deepEqual(confirmations, [['to be deleted 删除', 'Helper Chat']]);
    assert.equal(fx.server.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(id)).length, 0, 'not confirmed: nothing sent');
    fx.api.conversationPrompts.confirmDelete = async () => true;
    await fx.api.session.handle({ type: 'conversationAction', action: 'delete', conversationId: id });
    await until(() => posted.some((m) => m.type === 'conversationChanged' && m.conversationId === id && !m.conversation), 'the list to hear of it');
    assert.equal(fx.server.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(id)).length, 1);
    assert.equal(fx.api.runs.conversationOf('Helper Chat'), undefined, 'the next question starts a new conversation');
    assert.ok(posted.some((m) => m.type === 'entries' && m.conversationId === undefined));
  });

  it('export: the whole conversation as Markdown into a new editor, or saved as a UTF-8 file', async () => {
    const first = await turn('Docs Chat', '怎么部署？🚀', true);
    await turn('Docs Chat', 'And behind nginx?');
    const id = first.conversationId!;
    fx.api.conversationPrompts.exportTarget = async () => 'editor';
    await vscode.commands.executeCommand('dify.exportConversation', { app: 'Docs Chat', conversationId: id });
    const doc = vscode.window.activeTextEditor!.document;
    assert.equal(doc.languageId, 'markdown');
    assert.equal(doc.isUntitled, true);
    const md = doc.getText();
    assert.match(md, /^# 怎么部署？🚀/);
    assert.ok(md.includes('- **App:** Docs Chat'));
    assert.ok(md.includes(`\`${id}\``));
    assert.ok(md.indexOf('怎么部署？🚀') < md.indexOf('And behind nginx?'), 'in order');
    assert.ok(md.includes('<summary>Thinking</summary>'), 'the thinking collapsed');
    assert.ok(!md.includes('<think>'));
    assert.ok(md.includes('整体结构清晰') || md.includes('Review summary'), 'the answers');
    // Saved as a file.
    const dir = mkdtempSync(join(tmpdir(), 'dify-export-'));
    try {
      let suggested = '';
      fx.api.conversationPrompts.exportTarget = async () => 'file';
      fx.api.conversationPrompts.saveAs = async (name) => ((suggested = name), vscode.Uri.file(join(dir, name)));
      await vscode.commands.executeCommand('dify.exportConversation', { app: 'Docs Chat', conversationId: id });
      assert.equal(suggested, '怎么部署？🚀.md');
      const saved = readFileSync(join(dir, suggested), 'utf8');
      assert.equal(saved.replace(/^- \*\*Exported:\*\*.*$/m, ''), md.replace(/^- \*\*Exported:\*\*.*$/m, ''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
