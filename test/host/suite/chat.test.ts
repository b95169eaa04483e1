// VS Code's own AI surfaces in the real extension host: the dify_runApp tool through vscode.lm.invokeTool,
// and the @dify handler (driven directly: the chat view cannot be scripted from tests) streaming markdown,
// progress and an insert button, continuing the Dify conversation across turns, and honouring cancellation.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { MAX_CONTEXT_CHARS as MAX_REFERENCE_CHARS } from '../../../src/app/editorContext';
import { until, withApps } from './support';

/** A ChatResponseStream that records what the handler streamed. */
function recorder() {
  const md: string[] = [];
  const progress: string[] = [];
  const buttons: vscode.Command[] = [];
  const stream = {
    markdown: (v: string | vscode.MarkdownString) => void md.push(typeof v === 'string' ? v : v.value),
    progress: (v: string) => void progress.push(v),
    button: (c: vscode.Command) => void buttons.push(c),
    anchor: () => undefined,
    filetree: () => undefined,
    reference: () => undefined,
    push: () => undefined,
  } as unknown as vscode.ChatResponseStream;
  return { md, progress, buttons, stream };
}

function request(prompt: string, command?: string, references: vscode.ChatPromptReference[] = []): vscode.ChatRequest {
  return { prompt, command, references, toolReferences: [] } as unknown as vscode.ChatRequest;
}

/** A previous turn as VS Code hands it back in `context.history`. */
function responseTurn(result: vscode.ChatResult): vscode.ChatResponseTurn {
  const turn = Object.create(vscode.ChatResponseTurn.prototype) as vscode.ChatResponseTurn;
  Object.defineProperty(turn, 'result', { value: result });
  return turn;
}

describe('@dify and the dify_runApp tool in the real extension host', function () {
  this.timeout(40_000);
  const fx = withApps();

  it('registers the tool with VS Code and answers through vscode.lm.invokeTool', async function () {
    const tool = vscode.lm.tools.find((t) => t.name === 'dify_runApp');
    assert.ok(tool, `tools: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    const result = await vscode.lm.invokeTool('dify_runApp', { input: { app: 'Commit Message Writer', query: 'diff --git a/x b/x' }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /feat\(net\): add proxy support/);
    const sent = fx.server.requests.filter((r) => r.path === '/v1/completion-messages').at(-1)!;
    assert.match(String((sent.body as { inputs: { diff: string } }).inputs.diff), /diff --git/);
  });

  it('the tool attaches files by path when the app takes attachments, and says why not otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dify-tool-files-'));
    const invoke = async (input: object) => {
      const result = await vscode.lm.invokeTool('dify_runApp', { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
      return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    };
    const runs = () => fx.server.requests.filter((r) => r.path === '/v1/workflows/run');
    const uploads = () => fx.server.requests.filter((r) => r.path === '/v1/files/upload');
    try {
      const notes = join(dir, 'notes.md');
      writeFileSync(notes, '# Notes\n\nRename tmp.\n');
      const [runsBefore, uploadsBefore] = [runs().length, uploads().length];
      const answer = await invoke({ app: 'Code Reviewer', query: 'let x = 1;', files: [notes] });
      assert.match(answer, /Review summary/);
      assert.equal(uploads().length, uploadsBefore + 1);
      assert.match((uploads().at(-1)!.body as { files: { filename: string }[] }).files[0].filename, /^notes\.md$/);
      const files = (runs().at(-1)!.body as { files?: { type: string; transfer_method: string; upload_file_id?: string }[] }).files;
      assert.equal(runs().length, runsBefore + 1);
      assert.deepEqual(files?.map((f) => [f.type, f.transfer_method]), [['document', 'local_file']]);
      assert.equal(fx.api.history.entries.at(-1)!.inputs?.['Files with this message'], 'notes.md');

      // A kind of file the app does not take (it takes images and documents), a missing one, an app without
      // attachments: one sentence each, and nothing runs.
      writeFileSync(join(dir, 'clip.mp4'), 'not really a video');
      assert.match(await invoke({ app: 'Code Reviewer', query: 'x', files: [join(dir, 'clip.mp4')] }), /does not accept clip\.mp4/);
      assert.match(await invoke({ app: 'Code Reviewer', query: 'x', files: [join(dir, 'gone.md')] }), /Cannot read .*gone\.md/);
      assert.match(await invoke({ app: 'Commit Message Writer', query: 'diff', files: [notes] }), /Commit Message Writer does not take attachments/);
      assert.equal(runs().length, runsBefore + 1, 'nothing else ran');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('dify_listApps describes each app so an agent can run it without guessing: mode, query, inputs as a JSON schema', async () => {
    const result = await vscode.lm.invokeTool('dify_listApps', { input: {}, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const apps = JSON.parse(result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('')) as {
      name: string; mode: string; server: string; query: string; inputs: { properties: Record<string, { type: string; enum?: string[]; title: string }>; required: string[] }; files?: { max?: number };
    }[];
    assert.deepEqual(apps.map((a) => a.name).sort(), fx.apps.map((a) => a.name).sort());
    const reviewer = apps.find((a) => a.name === 'Code Reviewer')!;
    assert.equal(reviewer.mode, 'workflow');
    assert.match(reviewer.server, /^127\.0\.0\.1:\d+$/);
    assert.equal(reviewer.query, 'The "Code" input (required).');
    const p = reviewer.inputs.properties;
    assert.deepEqual(
      Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.type])),
      { language: 'string', focus: 'string', max_issues: 'number', strict: 'boolean', options: 'object', attachment: 'string', context_files: 'array' },
    );
    assert.deepEqual(p.language.enum, ['TypeScript', 'Python', 'Go']);
    assert.deepEqual(reviewer.files, { max: 3, types: ['image', 'document'] });
    assert.equal(apps.find((a) => a.name === 'Helper Chat')!.query, 'The question.');
  });

  it('dify_runApp checks the inputs against the app\'s schema, takes file inputs by path, and its confirmation names the server and inputs', async () => {
    const invoke = async (input: object) => {
      const result = await vscode.lm.invokeTool('dify_runApp', { input, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
      return result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    };
    const runs = () => fx.server.requests.filter((r) => r.path === '/v1/workflows/run');
    const before = runs().length;
    assert.match(await invoke({ app: 'Code Reviewer', query: 'let x = 1;', inputs: { langauge: 'Go' } }), /^"Code Reviewer" has no input named langauge\. Its inputs are: code, language, focus, max_issues, strict, options, attachment, context_files\./);
    assert.equal(runs().length, before, 'nothing ran');
    assert.match(await invoke({ app: 'Code Reviewer', query: 'let x = 1;', inputs: { language: 'Rust' } }), /Language must be one of: TypeScript, Python, Go\./);
    assert.equal(runs().length, before, 'nothing ran');
    const workspace = vscode.workspace.workspaceFolders![0].uri;
    const answer = await invoke({ app: 'Code Reviewer', query: 'let x = 1;', inputs: { language: 'Go', max_issues: 2, attachment: 'notes.md' } });
    assert.match(answer, /Review summary/);
    const inputs = (runs().at(-1)!.body as { inputs: Record<string, unknown> }).inputs;
    assert.equal(inputs.language, 'Go');
    assert.equal(inputs.max_issues, 2);
    assert.deepEqual(Object.keys(inputs.attachment as object).sort(), ['transfer_method', 'type', 'upload_file_id']);
    assert.ok(workspace, 'notes.md came from the workspace');

    const { RunAppTool } = await import('../../../src/chat/lmTool');
    const prepared = new RunAppTool({ catalog: fx.api.catalog, runs: fx.api.runs, userId: fx.api.userId }).prepareInvocation({ input: { app: 'Code Reviewer', query: 'q', inputs: { language: 'Go' } } } as never);
    const message = (prepared as { confirmationMessages: { message: vscode.MarkdownString } }).confirmationMessages.message.value;
    assert.match(message, new RegExp(`to \\*\\*Code Reviewer\\*\\* on \\*\\*${new URL(fx.server.url).origin.replace(/[.]/g, '\\.')}\\*\\*`));
    assert.match(message, /`language`: `Go`/);
  });

  it('@dify /run <app> streams the answer, shows progress and offers Insert at Cursor', async () => {
    const r = recorder();
    const result = await fx.api.chat(request('Docs Chat how do I deploy?', 'run'), { history: [] } as unknown as vscode.ChatContext, r.stream, new vscode.CancellationTokenSource().token);
    assert.ok(r.md.join('').includes('Review summary'), r.md.join('').slice(0, 200));
    assert.ok(!r.md.join('').includes('<think>'), 'thinking is not streamed as answer');
    assert.ok(r.progress.some((p) => /Running Docs Chat/.test(p)));
    assert.ok(r.progress.length > 1, 'workflow nodes are reported as progress');
    assert.equal(r.buttons[0]?.command, 'dify.insertText');
    const sent = fx.server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!;
    assert.equal((sent.body as { query: string }).query, 'how do I deploy?');
    assert.equal((result.metadata as { app: string }).app, 'Docs Chat');

    // The next turn of the same chat thread continues the Dify conversation.
    const r2 = recorder();
    await fx.api.chat(request('and then?'), { history: [responseTurn(result)] } as unknown as vscode.ChatContext, r2.stream, new vscode.CancellationTokenSource().token);
    const second = fx.server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!;
    assert.equal((second.body as { conversation_id?: string }).conversation_id, (result.metadata as { conversationId: string }).conversationId);
  });

  it('@dify sends what the question refers to (#file, a selection) as fenced text, long text cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dify-refs-'));
    try {
      const file = join(dir, 'retry.py');
      writeFileSync(file, 'def retry(n):\n    for i in range(n):\n        pass\n');
      const big = join(dir, 'big.txt');
      writeFileSync(big, 'x'.repeat(MAX_REFERENCE_CHARS + 10));
      const uri = vscode.Uri.file(file);
      const refs: vscode.ChatPromptReference[] = [
        { id: 'vscode.file', value: uri, range: [23, 38] },
        { id: 'vscode.selection', value: new vscode.Location(uri, new vscode.Range(1, 4, 1, 22)) },
        { id: 'unknown.kind', value: { some: 'object' } },
        { id: 'vscode.file', value: vscode.Uri.file(big) },
        { id: 'vscode.file', value: vscode.Uri.file(join(dir, 'gone.py')) },
      ];
      await fx.api.chat(request('Docs Chat what does #file:retry.py do?', 'run', refs), { history: [] } as unknown as vscode.ChatContext, recorder().stream, new vscode.CancellationTokenSource().token);
      const query = (fx.server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!.body as { query: string }).query;
      assert.ok(query.startsWith('what does #file:retry.py do?\n\n'), query.slice(0, 80));
      assert.ok(query.includes('retry.py:\n```python\ndef retry(n):\n    for i in range(n):\n        pass\n\n```'), 'the file, fenced in its language');
      assert.ok(query.includes('retry.py:2:\n```python\nfor i in range(n):\n```'), 'the selection, with its line');
      assert.match(query, /big\.txt \(cut to its first \d+ characters\):/);
      assert.ok(query.length < MAX_REFERENCE_CHARS + 1000, `${query.length} characters sent`);
      assert.ok(!query.includes('gone.py') && !query.includes('some'), 'what cannot be read is left out');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancelling the chat request stops the run on the server', async () => {
    const r = recorder();
    const cts = new vscode.CancellationTokenSource();
    const done = fx.api.chat(request('Helper Chat explain /slow', 'run'), { history: [] } as unknown as vscode.ChatContext, r.stream, cts.token);
    await until(() => r.md.join('').length > 0, 'first streamed text', 20_000);
    cts.cancel();
    await done;
    await fx.server.waitForRequest((q) => /\/chat-messages\/[^/]+\/stop$/.test(q.path), 5000);
  });
});
