// Every Dify app mode end to end through the extension's own code in the real extension host:
// /info → /parameters → run → stream → panel entry, conversations, stop, errors, editor actions.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostMessage } from '../../../src/protocol';
import { History, type HistoryStore } from '../../../src/run/history';
import { until, withApps } from './support';

describe('runs in the real extension host', function () {
  this.timeout(30_000);
  const fx = withApps();

  for (const [name, mode] of [
    ['Code Reviewer', 'workflow'],
    ['Docs Chat', 'advanced-chat'],
    ['Commit Message Writer', 'completion'],
    ['Helper Chat', 'chat'],
    ['Research Agent', 'agent-chat'],
  ] as const) {
    it(`runs the ${mode} app "${name}" end to end`, async () => {
      const start = await fx.api.prepare(name, 'please review: const x = 1;');
      assert.ok(start, 'prepare returned nothing');
      assert.equal(start.mode, mode);
      const entry = await fx.api.runs.start({ ...start, continueConversation: false }, { showPanel: false });
      assert.equal(entry.status, 'succeeded', entry.error?.message);
      assert.ok(entry.answer.length > 20, `short answer: ${entry.answer}`);
      assert.ok(!entry.answer.includes('<think>'), 'think tags leaked into the answer');
      const runReq = fx.server.requests.filter((r) => r.method === 'POST' && /\/(workflows\/run|chat-messages|completion-messages)$/.test(r.path)).at(-1)!;
      assert.equal((runReq.body as { user?: string }).user, fx.api.userId, 'the stable user id is sent');
      if (mode === 'workflow' || mode === 'advanced-chat') assert.ok(entry.nodes.length >= 2, 'workflow nodes are traced');
      if (mode === 'agent-chat') assert.ok(entry.nodes.some((n) => n.kind === 'tool'), 'the agent tool call is traced');
    });
  }

  it('a panel that loads while a run streams shows exactly the run\'s answer (state at load + later patches)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
    try {
      fx.server.script('app-demo-workflow', { chunkDelayMs: 4, answer: Array.from({ length: 120 }, (_, i) => `Line ${i}: ${'文字 '.repeat(8)}`).join('\n\n') });
      const start = (await fx.api.prepare('Code Reviewer', 'long answer'))!;
      const entry = await fx.api.runs.start(start);
      assert.equal(entry.status, 'succeeded');
      await until(() => posted.some((m) => m.type === 'init'), 'the panel to load', 20_000);
      // What the webview ends up with: the entry as sent in the last init, then every later patch.
      const lastInit = posted.map((m) => m.type).lastIndexOf('init');
      const init = posted[lastInit] as Extract<HostMessage, { type: 'init' }>;
      let answer = init.state.entries.find((e) => e.id === entry.id)?.answer ?? '';
      for (const m of posted.slice(lastInit + 1)) {
        if (m.type !== 'entryPatch' || m.patch.id !== entry.id) continue;
        if (m.patch.answer !== undefined) answer = m.patch.answer;
        if (m.patch.answerAppend) answer += m.patch.answerAppend;
      }
      assert.equal(answer, entry.answer, 'the webview would show repeated or missing text');
    } finally {
      fx.api.panel.tap = undefined;
    }
  });

  it('the panel\'s form: values coerced and checked on the host, problems shown in the panel, valid ones run', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
    const config = vscode.workspace.getConfiguration('dify');
    const runs = () => fx.server.requests.filter((r) => r.path === '/v1/workflows/run');
    try {
      // A run started elsewhere (palette) switches the composer to its app, form included.
      await fx.api.runs.start((await fx.api.prepare('Commit Message Writer', 'diff --git a b'))!);
      const switched = posted.filter((m): m is Extract<HostMessage, { type: 'apps' }> => m.type === 'apps').at(-1)!;
      assert.equal(switched.selectedApp, 'Commit Message Writer');
      assert.deepEqual(switched.form?.fields.map((f) => f.variable), ['style']);

      await fx.api.session.handle({ type: 'selectApp', app: 'Code Reviewer' });
      const apps = posted.filter((m): m is Extract<HostMessage, { type: 'apps' }> => m.type === 'apps').at(-1)!;
      assert.equal(apps.form?.messageField?.variable, 'code', 'the message box fills Code');
      assert.deepEqual(apps.form?.fields.map((f) => f.variable), ['language', 'focus', 'max_issues', 'strict', 'options', 'attachment', 'context_files', 'sys.files'], 'the app takes attachments (file_upload): they come last');

      const before = runs().length;
      await fx.api.session.handle({ type: 'send', text: 'let y = 2;', app: 'Code Reviewer', inputs: { max_issues: 'many', strict: true } });
      const refused = posted.filter((m) => m.type === 'formErrors').at(-1) as Extract<HostMessage, { type: 'formErrors' }>;
      assert.match(refused.errors.max_issues, /must be a number/);
      assert.equal(runs().length, before, 'nothing ran');

      await fx.api.session.handle({ type: 'send', text: 'let y = 2;', app: 'Code Reviewer', inputs: { max_issues: '7', strict: true, language: 'Go', focus: '' } });
      await until(() => runs().length === before + 1 && fx.api.history.entries.at(-1)?.status === 'succeeded', 'the run');
      const inputs = (runs().at(-1)!.body as { inputs: Record<string, unknown> }).inputs;
      assert.deepEqual({ code: inputs.code, max_issues: inputs.max_issues, strict: inputs.strict, language: inputs.language, focus: inputs.focus }, { code: 'let y = 2;', max_issues: 7, strict: true, language: 'Go', focus: undefined });
      assert.deepEqual((posted.filter((m) => m.type === 'formErrors').at(-1) as { errors: object }).errors, {}, 'earlier problems are cleared');

      // A template fills Code from the selection; with no editor open it cannot, and the panel says so.
      await config.update('apps', fx.apps.map((a) => ({ name: a.name, baseUrl: fx.server.url, ...(a.name === 'Code Reviewer' ? { inputs: { code: '${selection}' } } : {}) })), vscode.ConfigurationTarget.Global);
      await until(() => fx.api.catalog.find('Code Reviewer')?.inputs?.code, 'the settings change');
      await fx.api.session.handle({ type: 'selectApp', app: 'Code Reviewer' });
      const templated = posted.filter((m): m is Extract<HostMessage, { type: 'apps' }> => m.type === 'apps').at(-1)!;
      assert.equal(templated.form?.messageField?.variable, 'focus', 'the message now fills the first free-text field left');
      assert.deepEqual(templated.form?.fromEditor, ['Code']);
      await fx.api.session.handle({ type: 'send', text: 'naming', app: 'Code Reviewer', inputs: {} });
      const missing = posted.filter((m) => m.type === 'formErrors').at(-1) as Extract<HostMessage, { type: 'formErrors' }>;
      assert.match(missing.errors[''], /Code is required/);
      assert.equal(runs().length, before + 1, 'nothing ran');
    } finally {
      fx.api.panel.tap = undefined;
      await config.update('apps', fx.apps.map((a) => ({ name: a.name, baseUrl: fx.server.url })), vscode.ConfigurationTarget.Global);
    }
  });

  it('attachments (file upload on): chosen in the form, uploaded, sent as `files` with that message only', async () => {
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
    const runs = () => fx.server.requests.filter((r) => r.path === '/v1/workflows/run');
    const uploads = () => fx.server.requests.filter((r) => r.path === '/v1/files/upload');
    try {
      await fx.api.session.handle({ type: 'selectApp', app: 'Code Reviewer' });
      // The editor the file comes from is the active one when "Choose…" is clicked.
      const doc = await vscode.workspace.openTextDocument({ content: '# Notes\n\nRename tmp.\n', language: 'markdown' });
      await vscode.window.showTextDocument(doc);
      const form = posted.filter((m): m is Extract<HostMessage, { type: 'apps' }> => m.type === 'apps').at(-1)!.form!;
      const field = form.fields.find((f) => f.variable === 'sys.files')!;
      assert.deepEqual({ kind: field.kind, label: field.label, required: field.required }, { kind: 'files', label: 'Files with this message', required: false });

      // "Choose…" on the field: the same quick pick as a file input's; its first item is the current file.
      const uploadsBefore = uploads().length;
      let picked = false;
      const picking = fx.api.session.handle({ type: 'pickFiles', app: 'Code Reviewer', variable: 'sys.files' }).then(() => (picked = true));
      // (Skip, the last item, is the active one of an optional field: move to the first before accepting.)
      await until(() => {
        if (!picked) void vscode.commands.executeCommand('quickInput.first').then(() => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'));
        return picked;
      }, 'the file to be picked and uploaded');
      await picking;
      assert.equal(uploads().length, uploadsBefore + 1, 'the file is uploaded when it is chosen');
      const shown = posted.filter((m): m is Extract<HostMessage, { type: 'formFiles' }> => m.type === 'formFiles').at(-1)!;
      assert.equal(shown.variable, 'sys.files');
      assert.equal(shown.files.length, 1);

      const before = runs().length;
      const send = { type: 'send', text: 'let y = 2;', app: 'Code Reviewer', inputs: { max_issues: '3', strict: false, language: 'Go', focus: '' } } as const;
      await fx.api.session.handle(send);
      await until(() => runs().length === before + 1 && fx.api.history.entries.at(-1)?.status === 'succeeded', 'the run');
      const files = (runs().at(-1)!.body as { files?: { type: string; transfer_method: string; upload_file_id?: string }[] }).files;
      assert.equal(files?.length, 1, 'the attachment is sent as files (sys.files)');
      assert.deepEqual({ type: files![0].type, transfer_method: files![0].transfer_method }, { type: 'document', transfer_method: 'local_file' });
      assert.match(files![0].upload_file_id ?? '', /^[0-9a-f-]{36}$/);
      assert.equal((runs().at(-1)!.body as { inputs: Record<string, unknown> }).inputs['sys.files'], undefined, 'not sent as an input');
      assert.ok(fx.api.history.entries.at(-1)!.inputs?.['Files with this message'], 'the entry lists its attachments');
      const cleared = posted.filter((m): m is Extract<HostMessage, { type: 'formFiles' }> => m.type === 'formFiles').at(-1)!;
      assert.deepEqual([cleared.variable, cleared.files], ['sys.files', []], 'the form lets go of them once sent');

      await fx.api.session.handle(send);
      await until(() => runs().length === before + 2 && fx.api.history.entries.at(-1)?.status === 'succeeded', 'the next run');
      assert.equal((runs().at(-1)!.body as { files?: unknown }).files, undefined, 'the next message has no attachments');
    } finally {
      fx.api.panel.tap = undefined;
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('continues a conversation: the second turn sends the first turn\'s conversation_id', async () => {
    fx.api.runs.newConversation(fx.api.catalog.find('Helper Chat'));
    const first = await fx.api.runs.start((await fx.api.prepare('Helper Chat', 'first question'))!, { showPanel: false });
    assert.ok(first.conversationId, 'no conversation id after the first turn');
    await fx.api.runs.start((await fx.api.prepare('Helper Chat', 'second question'))!, { showPanel: false });
    const sent = fx.server.requests.filter((r) => r.path.endsWith('/chat-messages')).slice(-2).map((r) => (r.body as { conversation_id?: string }).conversation_id);
    assert.ok(!sent[0], 'the first turn starts a new conversation');
    assert.equal(sent[1], first.conversationId);
  });

  it('a conversation the server no longer knows fails clearly once, then the next question starts a new one', async () => {
    fx.api.history.setConversation('Helper Chat', '00000000-0000-4000-8000-000000000000');
    const start = (await fx.api.prepare('Helper Chat', 'still there?'))!;
    const gone = await fx.api.runs.start(start, { showPanel: false });
    assert.equal(gone.status, 'failed');
    assert.match(gone.error!.message, /^This conversation of "Helper Chat" no longer exists on its server; retry to start a new one\.$/);
    const fresh = await fx.api.runs.start(start, { showPanel: false });
    assert.equal(fresh.status, 'succeeded', fresh.error?.message);
    assert.notEqual(fresh.conversationId, '00000000-0000-4000-8000-000000000000');
  });

  it('stops a slow run: the stop route first (with its task_id), the server stops the task, the partial answer kept', async () => {
    fx.server.script('app-demo-workflow', { chunkDelayMs: 200 });
    const start = (await fx.api.prepare('Code Reviewer', 'slow please'))!;
    const launched = await fx.api.runs.launch(start, { showPanel: false });
    await until(() => launched.entry.answer.length > 0 || launched.entry.thinking.length > 0, 'first text');
    await fx.api.runs.stopAll();
    const entry = await launched.done;
    assert.equal(entry.status, 'stopped');
    const stop = await fx.server.waitForRequest((r) => /\/workflows\/tasks\/[^/]+\/stop$/.test(r.path), 5000);
    assert.ok(launched.run.taskId, 'the stream named its task');
    assert.equal(stop.path, `/v1/workflows/tasks/${launched.run.taskId}/stop`);
    assert.equal((stop.body as { user?: string }).user, fx.api.userId);
    // The server's side: the stop reached a task that was still streaming to us, and ended it there.
    assert.deepEqual(fx.server.stops.at(-1), { taskId: launched.run.taskId, found: true, clientConnected: true });
    assert.equal(fx.server.taskEnds.get(launched.run.taskId!), 'stopped');
    assert.ok(entry.answer.length + entry.thinking.length > 0, 'partial answer kept');
  });

  it('a wrong key ends in one clear sentence with "Set API Key", the partial state kept, the key nowhere in it', async () => {
    const start = (await fx.api.prepare('Helper Chat', 'hi'))!;
    const wrong = 'app-WRONGwrongWRONGwrong';
    await fx.api.keys.set(fx.api.catalog.find('Helper Chat')!, wrong);
    try {
      const entry = await fx.api.runs.start({ ...start, continueConversation: false }, { showPanel: false });
      assert.equal(entry.status, 'failed');
      assert.match(entry.error!.message, /API key of "Helper Chat" was rejected/);
      assert.deepEqual(entry.error!.actions.map((a) => a.action), ['setApiKey']);
      assert.ok(!JSON.stringify(entry).includes(wrong), 'the key leaked into the entry');
      assert.ok(!JSON.stringify(fx.api.history.entries).includes(wrong), 'the key leaked into the history');
    } finally {
      await fx.api.keys.set(fx.api.catalog.find('Helper Chat')!, 'app-demo-chat');
    }
  });

  it('a keybinding runs one app with fixed inputs: `{ app, inputs }` as the command\'s arguments', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'function f(a) { return a }\n', language: 'javascript' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, 26);
    const runs = () => fx.server.requests.filter((r) => r.path === '/v1/workflows/run');
    const before = runs().length;
    await vscode.commands.executeCommand('dify.askSelection', { app: 'Code Reviewer', inputs: { language: 'Go', focus: 'naming' } });
    await until(() => runs().length > before, 'the run');
    const inputs = (runs().at(-1)!.body as { inputs: Record<string, unknown> }).inputs;
    assert.deepEqual({ code: inputs.code, language: inputs.language, focus: inputs.focus }, { code: 'function f(a) { return a }', language: 'Go', focus: 'naming' });
    await until(() => !fx.api.runs.running, 'the run to end');
    // An app name that is not configured: one message, nothing sent.
    const all = fx.server.requests.length;
    await vscode.commands.executeCommand('dify.askSelection', { app: 'No Such App' });
    assert.equal(fx.server.requests.length, all);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('inserts, replaces the selection the run started from, and opens the answer in an editor', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'const a = 1;\nconst b = 2;\n', language: 'typescript' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, 12);
    const start = (await fx.api.prepare('Commit Message Writer', 'const a = 1;'))!;
    const entry = await fx.api.runs.start(
      { ...start, selection: { uri: doc.uri, range: new vscode.Range(0, 0, 0, 12), languageId: 'typescript' } },
      { showPanel: false },
    );
    assert.equal(entry.status, 'succeeded');
    await vscode.commands.executeCommand('dify.replaceSelection', entry.id, 'REPLACED');
    assert.ok(doc.getText().startsWith('REPLACED'), 'exactly the text the panel sent');
    assert.ok(!doc.getText().startsWith('const a = 1;'), 'selection replaced');
    assert.ok(doc.getText().includes('const b = 2;'), `the rest of the file is untouched: ${JSON.stringify(doc.getText())}`);

    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('dify.insertText', 'INSERTED');
    assert.ok(doc.getText().includes('INSERTED'));

    await vscode.commands.executeCommand('dify.openInEditor', entry.id);
    const opened = vscode.window.activeTextEditor!.document;
    assert.equal(opened.languageId, 'markdown');
    assert.equal(opened.getText(), entry.answer);
  });

  it('an answer longer than the panel shows is cut there, said once, and opens whole in an editor', async function () {
    this.timeout(90_000);
    // In 64 KB chunk events: what is measured here is the cut, not the cost of a hundred thousand small events.
    fx.server.script('app-demo-chat', { answerBytes: 5_000_000, chunkChars: 65_536 });
    const start = (await fx.api.prepare('Helper Chat', 'a very long answer please'))!;
    const entry = await fx.api.runs.start({ ...start, continueConversation: false }, { showPanel: false });
    assert.equal(entry.status, 'succeeded');
    assert.equal(entry.answerCut, true);
    assert.equal(entry.answer.length, 4_000_000);
    await vscode.commands.executeCommand('dify.openInEditor', entry.id);
    const opened = vscode.window.activeTextEditor!.document;
    assert.ok(opened.getText().length > entry.answer.length, 'the editor has the whole answer');
    assert.ok(opened.getText().startsWith(entry.answer));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});

describe('applying an answer\'s code as a reviewed change', function () {
  this.timeout(30_000);
  const fx = withApps();

  /** A workspace file to change, and the text it has. */
  async function target(name: string, content: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, name);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    return doc;
  }
  /** The diff editor showing a proposed change, once it is there. */
  const proposalTab = () =>
    until(() => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff && input.modified.scheme === 'dify-proposal' ? input : undefined;
    }, 'the diff of the proposed change');

  it('shows the change as a diff; nothing is written until Apply, and one undo restores the file', async () => {
    const doc = await target('apply-me.ts', 'export const a = 1;\n');
    const applied = vscode.commands.executeCommand<boolean>('dify.applyCode', { text: 'export const a = 2;\n', target: 'file' });
    const diff = await proposalTab();
    assert.equal(diff.original.toString(), doc.uri.toString());
    assert.equal((await vscode.workspace.openTextDocument(diff.modified)).getText(), 'export const a = 2;\n', 'the diff shows the file as it would be');
    assert.equal(doc.getText(), 'export const a = 1;\n', 'nothing is written before the person applies it');
    await vscode.commands.executeCommand('dify.applyChange');
    assert.equal(await applied, true);
    assert.equal(doc.getText(), 'export const a = 2;\n');
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('undo');
    assert.equal(doc.getText(), 'export const a = 1;\n', 'one undo restores the file');
  });

  it('Discard writes nothing; a code block that names its file changes that file; a selection only the selection', async () => {
    const doc = await target('keep-me.ts', 'const keep = true;\n');
    const discarded = vscode.commands.executeCommand<boolean>('dify.applyCode', { text: 'gone', target: 'file' });
    await proposalTab();
    await vscode.commands.executeCommand('dify.discardChange');
    assert.equal(await discarded, false);
    assert.equal(doc.getText(), 'const keep = true;\n');

    const named = await target('named.ts', 'old\n');
    await vscode.window.showTextDocument(doc); // the active file is another one
    const toNamed = vscode.commands.executeCommand<boolean>('dify.applyCode', { text: 'new\n', target: 'file', info: 'ts named.ts' });
    assert.equal((await proposalTab()).original.toString(), named.uri.toString());
    await vscode.commands.executeCommand('dify.applyChange');
    assert.equal(await toNamed, true);
    assert.equal(named.getText(), 'new\n');
    assert.equal(doc.getText(), 'const keep = true;\n');

    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 6, 0, 10);
    const toSelection = vscode.commands.executeCommand<boolean>('dify.applyCode', { text: 'kept', target: 'selection' });
    await proposalTab();
    await vscode.commands.executeCommand('dify.applyChange');
    assert.equal(await toSelection, true);
    assert.equal(doc.getText(), 'const kept = true;\n');
    assert.ok(fx.api, 'the extension is active');
  });

  it('closing the diff discards the change, and a file changed meanwhile is not overwritten', async () => {
    const doc = await target('closed.ts', 'one\n');
    const closed = vscode.commands.executeCommand<boolean>('dify.applyCode', { text: 'two\n', target: 'file' });
    await proposalTab();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.equal(await closed, false);
    assert.equal(doc.getText(), 'one\n');

    const stale = vscode.commands.executeCommand<boolean>('dify.applyCode', { text: 'two\n', target: 'file' });
    await proposalTab();
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(0, 0), 'typed meanwhile\n');
    await vscode.workspace.applyEdit(edit);
    await vscode.commands.executeCommand('dify.applyChange');
    assert.equal(await stale, false);
    assert.equal(doc.getText(), 'typed meanwhile\none\n');
  });

  it('the panel\'s Apply on a code block proposes the change to the file the block names', async () => {
    const named = await target('from-panel.ts', 'const v = 0;\n');
    await target('other.ts', 'x\n');
    const entry = await fx.api.runs.start({ ...(await fx.api.prepare('Helper Chat', 'write it'))!, continueConversation: false }, { showPanel: false });
    const handled = fx.api.session.handle({ type: 'applyCode', id: entry.id, text: 'const v = 1;\n', target: 'file', info: 'ts from-panel.ts' });
    assert.equal((await proposalTab()).original.toString(), named.uri.toString());
    await handled;
    await vscode.commands.executeCommand('dify.applyChange');
    await until(() => named.getText() === 'const v = 1;\n', 'the change applied');
  });
});

describe('rating answers in the real extension host', function () {
  this.timeout(30_000);
  const fx = withApps();

  it('a like with a comment reaches Dify, shows in the panel and stays after a reload of the history; it can be taken back', async () => {
    const posted: HostMessage[] = [];
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
    try {
      const entry = await fx.api.runs.start({ ...(await fx.api.prepare('Helper Chat', '怎么部署？'))!, continueConversation: false }, { showPanel: false });
      assert.ok(entry.messageId, 'the answer keeps the server\'s message id');
      assert.equal(entry.rateable, 'revocable');
      await fx.api.runs.rate(entry.id, 'like', '清楚 clear');
      assert.deepEqual(fx.server.feedbackOf(entry.messageId), { rating: 'like', content: '清楚 clear' });
      // Patches go out batched, one per frame.
      const patch = await until(() => posted.find((m): m is Extract<HostMessage, { type: 'entryPatch' }> => m.type === 'entryPatch' && m.patch.id === entry.id && m.patch.feedback !== undefined), 'the rating to reach the panel');
      assert.deepEqual(patch.patch.feedback, { rating: 'like', content: '清楚 clear' });
      // What a reloaded window reads back.
      const reloaded = await History.load((fx.api.history as unknown as { store: HistoryStore }).store);
      assert.deepEqual(reloaded.find(entry.id)?.feedback, { rating: 'like', content: '清楚 clear' }, 'the rating is in the saved history');
      await fx.api.session.handle({ type: 'rate', id: entry.id, rating: null });
      assert.equal(fx.server.feedbackOf(entry.messageId), undefined);
      assert.equal(fx.api.runs.find(entry.id)?.feedback, undefined);
    } finally {
      fx.api.panel.tap = undefined;
    }
  });

  it('a rating the server refuses keeps the earlier one and says why', async () => {
    const entry = await fx.api.runs.start({ ...(await fx.api.prepare('Helper Chat', 'hello'))!, continueConversation: false }, { showPanel: false });
    await fx.api.session.handle({ type: 'rate', id: entry.id, rating: 'dislike' });
    const kept = fx.api.runs.find(entry.id)!;
    kept.messageId = '3c7d8f1e-0000-4000-8000-000000000000'; // the server does not know this answer
    await assert.rejects(fx.api.runs.rate(entry.id, 'like'), /The rating was not saved\. The server of "Helper Chat" no longer has it: Message Not Exists\.$/);
    assert.deepEqual(fx.api.runs.find(entry.id)?.feedback, { rating: 'dislike' });
  });
});
