// Security proof in the real VS Code: hostile answers, thinking, output variables and node titles are
// rendered in the real panel; nothing executes script, opens a window, navigates, or runs a command, and
// clicking every javascript:/data:/command: link does nothing.
import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import type { DifyTestApp } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { hostileMarkdown, hostileNodeTitles, hostileOutputs, vectorCount } from '../../support/xss/vectors';
import { setKeyThroughUi } from '../dify';
import { artifactPath, openWorkbench, quickInput, runCommand, screenshot, webviewFrame, type Workbench } from '../workbench';

const form = (variable: string) => ({
  user_input_form: [{ paragraph: { type: 'paragraph', variable, label: 'Query', required: true, max_length: 100000 } }],
  file_upload: {},
  system_parameters: {},
});

const apps: DifyTestApp[] = [
  { key: 'app-xss-chat', name: 'Hostile Chat', mode: 'chat', answer: hostileMarkdown(), thinking: hostileMarkdown(), parameters: { ...form('unused'), user_input_form: [] } },
  { key: 'app-xss-flow', name: 'Hostile Flow', mode: 'workflow', answer: 'Outputs follow.', workflowNodes: hostileNodeTitles(), parameters: form('query') },
];

describe('hostile content in the real panel', function () {
  let server: DifyTestServer;
  let wb: Workbench;
  const dialogs: string[] = [];
  const popups: string[] = [];

  /** The webview's content frame (the one holding the panel's root). */
  async function panelFrame(): Promise<Frame> {
    for (const f of wb.page.frames()) {
      if (await f.evaluate(() => !!document.querySelector('.composer')).catch(() => false)) return f;
    }
    throw new Error('panel frame not found');
  }

  before(async () => {
    server = await startDifyServer({ apps });
    server.script('app-xss-flow', { outputs: hostileOutputs() });
    wb = await openWorkbench({ settings: { 'dify.apps': apps.map((a) => ({ name: a.name, baseUrl: server.url })), 'dify.defaultApp': 'Hostile Chat' } });
    wb.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    wb.context.on('page', (p) => popups.push(p.url()));
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath('xss-failed.png'));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it(`renders ${vectorCount()} hostile inputs without running any of them`, async () => {
    assert.ok(vectorCount() >= 100, `only ${vectorCount()} vectors`);
    await setKeyThroughUi(wb.page, 'Hostile Chat', 'app-xss-chat');
    await setKeyThroughUi(wb.page, 'Hostile Flow', 'app-xss-flow');
    await runCommand(wb.page, 'Open Dify Chat');
    const panel = webviewFrame(wb.page);
    // Chat: answer + thinking. Workflow: outputs + node titles.
    for (const [i, [app, text]] of ([['Hostile Chat', 'show me'], ['Hostile Flow', 'run']] as const).entries()) {
      await panel.locator('.app-select').selectOption(app);
      await panel.locator('.composer textarea').fill(text);
      await panel.locator('.composer textarea').press('Enter');
      // By position: the previous run's entry also says Succeeded.
      await panel.locator('.entry').nth(i).locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 60_000 });
    }
    const frame = await panelFrame();
    const urlBefore = frame.url();
    // Open every collapsed part so everything is in the live DOM and visible.
    await frame.evaluate(() => document.querySelectorAll('details').forEach((d) => ((d as HTMLDetailsElement).open = true)));
    await wb.page.waitForTimeout(1500); // give any onerror/onload/ontoggle/autofocus handler its chance

    const report = await frame.evaluate(() => {
      const root = document.body;
      const all = [...root.querySelectorAll('*')];
      return {
        pwned: (window as unknown as { __pwned?: number }).__pwned ?? 0,
        scripts: root.querySelectorAll('script').length - document.querySelectorAll('script[nonce]').length,
        handlers: all.filter((el) => [...el.attributes].some((a) => /^on/i.test(a.name))).map((el) => el.outerHTML.slice(0, 80)),
        dangerousUrls: all
          .flatMap((el) => ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'srcdoc'].map((n) => el.getAttribute(n) ?? ''))
          .filter((v) => /^\s*(javascript|vbscript|data:text\/html|command):/i.test(v)),
        // (Not the panel's own controls: the composer and its form, the conversation search, a rating's comment box.)
        embeds: [...root.querySelectorAll('iframe, object, embed, form, input, textarea, base, meta, link, style')].filter((el) => !el.closest('.composer-area, .conversation-search, .feedback-comment')).map((el) => el.outerHTML.slice(0, 80)),
        answerText: (document.querySelector('.entry .answer') as HTMLElement | null)?.innerText ?? '',
      };
    });
    assert.equal(report.pwned, 0, 'a payload ran');
    assert.equal(report.scripts, 0, 'script elements were rendered');
    assert.deepEqual(report.handlers, [], 'event-handler attributes were rendered');
    assert.deepEqual(report.dangerousUrls, [], 'dangerous URLs were rendered');
    assert.deepEqual(report.embeds, [], 'embedding/form/meta/style elements were rendered');
    assert.match(report.answerText, /Payload 0:/, 'the hostile answer is shown as text, not dropped');

    // Click every link left in the panel (dangerous ones lost their href above): none may run script,
    // navigate, open a window or run a command.
    const links = frame.locator('.entry a');
    const n = await links.count();
    assert.ok(n >= 1, 'no link left to click');
    for (let i = 0; i < n; i++) await links.nth(i).click({ timeout: 2000, force: true }).catch(() => undefined);
    await wb.page.waitForTimeout(1000);
    assert.equal(await frame.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0), 0, 'a link ran script');
    assert.equal(frame.url(), urlBefore, 'the panel navigated');
    assert.ok(!(await quickInput(wb.page).isVisible()), 'a command: link ran a command (dify.addApp opens a quick pick)');
    assert.deepEqual(dialogs, [], 'alert() ran');
    assert.deepEqual(popups, [], 'a window was opened');
  });
});
