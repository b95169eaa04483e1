// What a user does, in the real workbench: store a key with "Dify: Set API Key", run "Run Dify Workflow"
// from the palette, "Ask Dify About Selection" from the editor's context menu, read the streamed answer
// inside the webview, press Stop on a slow stream, run a workflow from the panel's form, and find the panel
// restored after a reload.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { setKeyThroughUi } from '../dify';
import {
  artifactPath,
  closeQuickInput,
  openFile,
  openWorkbench,
  pickQuickItem,
  quickInput,
  rightClickEditorAndChoose,
  runCommand,
  screenshot,
  typeInQuickInput,
  waitForQuickInputPrompt,
  webviewFrame,
  type Workbench,
} from '../workbench';

/** Selects the whole active editor and waits until the status bar shows the selection. The click first
 * collapses any earlier selection and that is awaited too: otherwise a status bar still showing the previous
 * test's selection (it updates asynchronously) would pass for this one. */
async function selectAll(page: Page): Promise<void> {
  const selected = page.locator('.statusbar-item').filter({ hasText: /\(\d+ selected\)/ });
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    if (!(await selected.first().waitFor({ state: 'hidden', timeout: 2000 }).then(() => true, () => false))) continue;
    await page.keyboard.press('Control+A');
    if (await selected.first().waitFor({ timeout: 2000 }).then(() => true, () => false)) return;
  }
  throw new Error('could not select the editor text');
}

describe('Dify in the real workbench', function () {
  let server: DifyTestServer;
  let wb: Workbench;
  const panel = () => webviewFrame(wb.page);
  /** The entry the next run will add. `.entry.last()` would be the previous run's entry until the new one
   * appears, and that one also "Succeeded" — so a test takes the position the new entry will have. */
  const nextEntry = async () => {
    const n = await Promise.race([panel().locator('.entry').count(), new Promise<number>((r) => setTimeout(() => r(0), 5000))]);
    return panel().locator('.entry').nth(n);
  };

  before(async () => {
    server = await startDifyServer({ apps: demoApps(), chunkDelayMs: [5, 15] });
    wb = await openWorkbench({
      settings: {
        'dify.apps': demoApps().map((a) => ({ name: a.name, baseUrl: server.url })),
        'dify.defaultApp': 'Helper Chat',
      },
    });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath(`dify-${this.currentTest.title.replace(/\W+/g, '-')}.png`));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('stores a key with "Dify: Set API Key" (password box, secret storage)', async () => {
    await setKeyThroughUi(wb.page, 'Commit Message Writer', 'app-demo-completion');
    await setKeyThroughUi(wb.page, 'Helper Chat', 'app-demo-chat');
    // The key is nowhere in the settings the user can see.
    await runCommand(wb.page, 'Preferences: Open User Settings (JSON)');
    await wb.page.locator('.monaco-editor .view-lines').first().waitFor();
    assert.ok(!(await wb.page.locator('.monaco-editor .view-lines').first().innerText()).includes('app-demo-'));
  });

  it('runs "Run Dify Workflow" from the palette and streams the answer into the panel', async () => {
    await openFile(wb.page, 'sample.ts');
    await selectAll(wb.page);
    await runCommand(wb.page, 'Run Dify Workflow');
    await pickQuickItem(wb.page, 'Commit Message Writer');
    // Step 1: the diff, prefilled with the selection; step 2: the style (its default is active).
    // A multi-line selection is offered whole (an input box would drop its line breaks).
    await waitForQuickInputPrompt(wb.page, /Diff/);
    await pickQuickItem(wb.page, /Use the prefilled text \(\d+ lines\)/);
    await waitForQuickInputPrompt(wb.page, /Style/);
    await wb.page.keyboard.press('Enter');
    const answer = panel().locator('.entry').last().locator('.answer');
    await answer.filter({ hasText: 'feat(net): add proxy support' }).waitFor({ timeout: 30_000 });
    await panel().locator('.entry').last().locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    const runReq = server.requests.filter((r) => r.path === '/v1/completion-messages').at(-1)!;
    assert.match(String((runReq.body as { inputs: { diff: string } }).inputs.diff), /^\/\/ A small file to select code in\.\nexport function add\(a: number, b: number\): number \{\n/, 'the selection arrives with its line breaks');
  });

  it('runs a workflow whose form has every field kind, attaching the current file (uploaded, then referenced) and as the app\'s attachments', async () => {
    await setKeyThroughUi(wb.page, 'Code Reviewer', 'app-demo-workflow');
    await openFile(wb.page, 'sample.ts');
    await selectAll(wb.page);
    const entry = await nextEntry();
    await runCommand(wb.page, 'Run Dify Workflow');
    await pickQuickItem(wb.page, 'Code Reviewer');
    // paragraph (prefilled with the selection), select, text, number, checkbox, JSON: accept each with Enter.
    // Each step's title counts the steps ("Code Reviewer (2/9)"), so a step is never mistaken for the last.
    await waitForQuickInputPrompt(wb.page, '(1/9)');
    await pickQuickItem(wb.page, /Use the prefilled text/); // Code: the multi-line selection, whole
    const labels = [/Language/, /Focus/, /Max issues/, /Strict mode/, /Options/];
    for (const [j, label] of labels.entries()) {
      const i = j + 1;
      await waitForQuickInputPrompt(wb.page, `(${i + 1}/9)`);
      await waitForQuickInputPrompt(wb.page, label);
      await wb.page.keyboard.press('Enter');
    }
    await waitForQuickInputPrompt(wb.page, '(7/9)');
    await pickQuickItem(wb.page, /Current file/);
    await waitForQuickInputPrompt(wb.page, '(8/9)');
    await wb.page.keyboard.press('Enter'); // Context files are optional: Enter skips
    // The app takes attachments (file upload on): the last step, optional too.
    await waitForQuickInputPrompt(wb.page, '(9/9)');
    await waitForQuickInputPrompt(wb.page, /Files with this message/);
    const uploadsBefore = server.requests.filter((r) => r.path === '/v1/files/upload').length;
    await pickQuickItem(wb.page, /Current file/);
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.equal(server.requests.filter((r) => r.path === '/v1/files/upload').length, uploadsBefore + 1, 'the attachment is uploaded');
    const upload = server.requests.filter((r) => r.path === '/v1/files/upload').at(-2)!;
    const run = server.requests.filter((r) => r.path === '/v1/workflows/run').at(-1)!;
    const sent = (run.body as { files?: { type: string; transfer_method: string; upload_file_id?: string }[] }).files;
    assert.deepEqual(sent?.map((f) => [f.type, f.transfer_method]), [['document', 'local_file']], 'the attachment goes as `files`');
    assert.notEqual(sent![0].upload_file_id, (run.body as { inputs: { attachment: { upload_file_id: string } } }).inputs.attachment.upload_file_id, 'its own upload');
    await entry.locator('.inputs').filter({ hasText: /Files with this message/ }).waitFor();
    const inputs = (run.body as { inputs: Record<string, unknown> }).inputs;
    assert.match(String(inputs.code), /\nexport function add/);
    assert.equal(inputs.language, 'TypeScript');
    assert.equal(inputs.max_issues, 5);
    assert.equal(inputs.strict, false);
    const files = (upload.body as { files: { filename: string }[] }).files;
    assert.match(files[0].filename, /^sample\.ts/);
    const attachment = inputs.attachment as { transfer_method: string; upload_file_id: string };
    assert.equal(attachment.transfer_method, 'local_file');
    assert.ok(attachment.upload_file_id, 'the uploaded file is referenced by id');
    assert.equal(inputs.context_files, undefined);
  });

  it('"Ask Dify About Selection" from the context menu: thinking apart, the answer rendered', async () => {
    await openFile(wb.page, 'sample.ts');
    await selectAll(wb.page);
    const entry = await nextEntry();
    await rightClickEditorAndChoose(wb.page, 'Ask Dify About Selection');
    await waitForQuickInputPrompt(wb.page, /question/i);
    await typeInQuickInput(wb.page, 'What does this file do?');
    await entry.locator('.answer h2').filter({ hasText: 'Review summary' }).waitFor({ timeout: 30_000 });
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.ok(!(await entry.locator('.answer').innerText()).includes('<think>'));
    assert.equal(await entry.locator('details.thinking').getAttribute('open'), null, 'thinking collapses once the answer starts');
    assert.ok((await entry.locator('pre code').count()) >= 1, 'the code block is rendered');
    // Highlighted by the highlight worker, which the webview starts from a blob: URL under VS Code's CSP.
    await entry.locator('pre code.hljs span.hljs-keyword').first().waitFor({ timeout: 10_000 });
    const sent = server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!;
    assert.match((sent.body as { query: string }).query, /What does this file do\?[\s\S]*```typescript[\s\S]*export function add/);
  });

  it('Stop on a slow stream aborts it and calls the stop route', async () => {
    const input = panel().locator('.composer textarea');
    await input.fill('please answer /slow');
    const entry = await nextEntry();
    await input.press('Enter');
    assert.match(await entry.locator('.entry-app, .question').first().innerText(), /Helper Chat|please answer/);
    await entry.locator('.answer').filter({ hasText: /\S/ }).waitFor({ timeout: 30_000 });
    await panel().locator('.composer .send-button').click(); // the Send button is Stop while running
    const stop = await server.waitForRequest((r) => /\/chat-messages\/[^/]+\/stop$/.test(r.path), 15_000);
    assert.ok(stop, 'the stop route was called');
    await entry.locator('.status').filter({ hasText: /Stopped/ }).waitFor({ timeout: 15_000 });
  });

  it('a question in Chinese gets a Chinese answer, its thinking apart, all of it readable in the panel', async () => {
    const input = panel().locator('.composer textarea');
    await input.fill('这段代码有什么可以改进的地方？');
    const entry = await nextEntry();
    await input.press('Enter');
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.equal(await entry.locator('.question').innerText(), '这段代码有什么可以改进的地方？');
    const answer = await entry.locator('.answer').innerText();
    assert.match(answer, /代码评审 🔍/);
    assert.match(answer, /命名：tmp 改成更有意义的名字/);
    assert.ok(!answer.includes('用户用中文提问'), 'the thinking is not in the answer');
    await entry.locator('details.thinking summary').click();
    assert.match(await entry.locator('details.thinking').innerText(), /用户用中文提问，想知道这段代码有什么可以改进的地方/);
    // Drawn with real glyphs, not empty boxes: two characters a font lacks both draw as the same box.
    const distinct = await entry.locator('.answer').evaluate((el) => {
      const font = `24px ${getComputedStyle(el).fontFamily}`;
      // (No named helpers in here: tsx would wrap them in a function the page does not have.)
      const [han1, han2, emoji1, emoji2] = ['中', '丁', '🔍', '🚀'].map((ch) => {
        const c = document.createElement('canvas');
        c.width = c.height = 32;
        const g = c.getContext('2d')!;
        g.font = font;
        g.fillText(ch, 2, 26);
        return c.toDataURL();
      });
      return { han: han1 !== han2, emoji: emoji1 !== emoji2 };
    });
    assert.deepEqual(distinct, { han: true, emoji: true }, 'Chinese and emoji glyphs are drawn by fonts that have them');
  });

  it('runs a workflow from the panel: its form beside the message box, checked there, files attached with Choose…', async () => {
    await openFile(wb.page, 'sample.ts'); // the editor beside the panel is "the current file" for the form
    await runCommand(wb.page, 'Open Dify Chat');
    await panel().locator('.app-select').selectOption('Code Reviewer');
    const form = panel().locator('.app-form');
    // The label exactly, with the required mark if any.
    const row = (label: string) => form.locator('.form-row').filter({ has: panel().locator('.form-label', { hasText: new RegExp(`^${label}\\*?$`) }) });
    await row('Focus').waitFor({ timeout: 20_000 });
    const input = panel().locator('.composer textarea');
    assert.equal(await input.getAttribute('placeholder'), 'Type the Code for Code Reviewer…', 'the message box says it fills the Code field');
    assert.equal(await row('Language').locator('select').inputValue(), 'TypeScript', 'defaults are shown');
    await row('Focus').locator('input').fill('naming');
    await row('Max issues').locator('input').fill('a few');
    await input.fill('function f(a, b) { return a + b }');
    await input.press('Enter');
    await row('Max issues').locator('.form-error').filter({ hasText: 'Max issues must be a number.' }).waitFor();
    await row('Max issues').locator('input').fill('3');
    await row('Language').locator('select').selectOption('Go');
    await row('Strict mode').locator('input').check();
    await row('Options').locator('textarea').fill('{"tone": "brief"}');
    await row('Attachment').locator('button').filter({ hasText: 'Choose…' }).click();
    await pickQuickItem(wb.page, /Current file/);
    await row('Attachment').locator('.form-chip').filter({ hasText: 'sample.ts' }).waitFor({ timeout: 20_000 });
    // The app has file upload on: its attachments (sys.files) are the form's last row.
    await row('Files with this message').locator('button').filter({ hasText: 'Choose…' }).click();
    await pickQuickItem(wb.page, /Current file/);
    await row('Files with this message').locator('.form-chip').filter({ hasText: 'sample.ts' }).waitFor({ timeout: 20_000 });
    const runs = server.requests.filter((r) => r.path === '/v1/workflows/run').length;
    const entry = await nextEntry();
    await input.press('Enter');
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    const run = server.requests.filter((r) => r.path === '/v1/workflows/run');
    assert.equal(run.length, runs + 1, 'one run, after the form was fixed');
    const inputs = (run.at(-1)!.body as { inputs: Record<string, unknown> }).inputs;
    assert.equal(inputs.code, 'function f(a, b) { return a + b }');
    assert.equal(inputs.focus, 'naming');
    assert.equal(inputs.max_issues, 3);
    assert.equal(inputs.language, 'Go');
    assert.equal(inputs.strict, true);
    assert.deepEqual(inputs.options, { tone: 'brief' });
    const attachment = inputs.attachment as { transfer_method: string; upload_file_id: string };
    assert.equal(attachment.transfer_method, 'local_file');
    const upload = server.requests.filter((r) => r.path === '/v1/files/upload').at(-1)!;
    assert.match((upload.body as { files: { filename: string }[] }).files[0].filename, /^sample\.ts/);
    assert.equal(inputs.context_files, undefined);
    const files = (run.at(-1)!.body as { files?: { transfer_method: string; upload_file_id: string }[] }).files;
    assert.equal(files?.length, 1, 'the attachment is sent as files');
    assert.notEqual(files![0].upload_file_id, attachment.upload_file_id, 'uploaded on its own');
    await row('Files with this message').locator('.form-chip').waitFor({ state: 'detached' });
    // The entry lists the run's inputs, the attachment by its name.
    assert.match(await entry.locator('dl.inputs').innerText(), /Attachment\s+sample\.ts/);
    assert.match(await entry.locator('dl.inputs').innerText(), /Files with this message\s+sample\.ts/);
    // The values stay for the next run (a form, not a one-shot prompt).
    assert.equal(await row('Focus').locator('input').inputValue(), 'naming');
  });

  it('restores the panel with its history after a window reload', async () => {
    const before = await panel().locator('.entry').count();
    assert.ok(before >= 3);
    // Right after the last run: the history is on disk the moment a run ends. "Developer: Reload Window" saves
    // which editors are open first; a browser refresh may not (README, known limitations; the VSIX spec covers it).
    await wb.reload('command');
    // The panel shows its saved copy at once and is busy until the extension's own state replaces it.
    await panel().locator('.dify-panel:not([aria-busy])').waitFor({ timeout: 30_000 });
    assert.equal(await panel().locator('.entry').count(), before, 'every entry is back after the reload');
    // An older entry far above the view renders when it is scrolled to (a long history opens with its latest answer).
    await panel().locator('.entry').first().scrollIntoViewIfNeeded();
    for (const e of await panel().locator('.entry').all()) await e.scrollIntoViewIfNeeded();
    await panel().locator('.entry .answer').filter({ hasText: 'feat(net): add proxy support' }).first().waitFor();
  });

  it('typing in the panel for an app without a key shows one sentence with "Set API Key" there', async () => {
    await panel().locator('.app-select').selectOption('Docs Chat');
    await panel().locator('.composer textarea').fill('hello?');
    const entry = await nextEntry();
    await panel().locator('.composer textarea').press('Enter');
    const error = entry.locator('.inline-error');
    await error.filter({ hasText: 'No API key is stored for "Docs Chat"' }).waitFor({ timeout: 20_000 });
    assert.equal(await error.locator('button').filter({ hasText: 'Set API Key' }).count(), 1);
  });

  it('a chat answer\'s follow-up questions ask themselves; "Dify: Conversations…" renames the conversation from its row', async () => {
    await setKeyThroughUi(wb.page, 'Helper Chat', 'app-demo-chat');
    await runCommand(wb.page, 'Open Dify Chat');
    await panel().locator('.app-select').selectOption('Helper Chat');
    await panel().locator('button[aria-label="New Conversation"]').click();
    const input = panel().locator('.composer textarea');
    await input.fill('How do I deploy? 部署');
    const entry = await nextEntry();
    await input.press('Enter');
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    // Asked of Dify once the answer is complete, shown under it.
    const chip = entry.locator('.suggestion').filter({ hasText: '能否举个例子？' });
    await chip.waitFor({ timeout: 20_000 });
    const next = await nextEntry();
    await chip.click();
    await next.locator('.question').filter({ hasText: '能否举个例子？' }).waitFor({ timeout: 20_000 });
    await next.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    const asked = server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!.body as { query: string; conversation_id?: string };
    assert.equal(asked.query, '能否举个例子？');
    assert.ok(asked.conversation_id, 'in the same conversation');
    assert.equal(await entry.locator('.suggestion').first().isVisible(), false, 'only the latest answer offers follow-ups');
    // The palette's list: the conversation by its name, renamed from its row's button.
    await runCommand(wb.page, 'Dify: Conversations…');
    await pickQuickItem(wb.page, 'Helper Chat');
    const row = quickInput(wb.page).locator('.monaco-list-row').filter({ hasText: 'How do I deploy? 部署' }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.hover();
    await row.locator('.action-label.codicon-edit').click();
    await waitForQuickInputPrompt(wb.page, /name it from its first message/);
    await typeInQuickInput(wb.page, 'E2E 会话 ✅');
    const deadline = Date.now() + 20_000;
    while (!server.requests.some((r) => r.path.endsWith('/name') && (r.body as { name?: string }).name === 'E2E 会话 ✅')) {
      assert.ok(Date.now() < deadline, 'the rename reached the server');
      await wb.page.waitForTimeout(100);
    }
    // The list opens again, with the new name.
    await quickInput(wb.page).locator('.monaco-list-row').filter({ hasText: 'E2E 会话 ✅' }).first().waitFor({ timeout: 20_000 });
    await closeQuickInput(wb.page);
  });
});
