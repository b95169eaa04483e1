// The chat docked in the side bar, as a user works with it: the selection goes into the composer as a chip (by the
// keybinding), the question goes with it, and a code block of the answer is applied to the file it names through a
// reviewed diff (nothing written before Apply).
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { setKeyThroughUi } from '../dify';
import { activeEditorText, artifactPath, openFile, openWorkbench, runCommand, screenshot, webviewFrame, type Workbench } from '../workbench';

/** Selects the editor's first three lines with the keyboard (Ctrl+Home, then Shift+Down three times). */
async function selectFirstLines(page: Page): Promise<void> {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowDown');
  await page.locator('.statusbar-item').filter({ hasText: /\(\d+ selected\)/ }).first().waitFor();
}

describe('the docked chat in the real workbench', function () {
  let server: DifyTestServer;
  let wb: Workbench;
  const view = () => webviewFrame(wb.page);

  before(async () => {
    server = await startDifyServer({ apps: demoApps(), chunkDelayMs: [2, 6] });
    wb = await openWorkbench({
      settings: { 'dify.apps': demoApps().map((a) => ({ name: a.name, baseUrl: server.url })), 'dify.defaultApp': 'Helper Chat' },
    });
    await setKeyThroughUi(wb.page, 'Helper Chat', 'app-demo-chat');
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath(`docked-${this.currentTest.title.replace(/\W+/g, '-')}.png`));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('a selection added with the keybinding shows as a chip and goes with the question; Apply to File changes the file only after Apply', async () => {
    await runCommand(wb.page, 'Dify: Focus on Chat View');
    await view().locator('.composer textarea').waitFor({ timeout: 30_000 });
    await openFile(wb.page, 'sample.ts');
    await selectFirstLines(wb.page);
    await wb.page.keyboard.press('Control+Alt+Shift+C');
    const chip = view().locator('.context-chip');
    await chip.waitFor({ timeout: 20_000 });
    assert.equal((await chip.innerText()).trim(), 'sample.ts:1-3');

    server.script('app-demo-chat', { answer: '改好了：\n\n```ts sample.ts\n// 一个小文件\nexport const add = (a: number, b: number) => a + b;\n```\n' });
    await view().locator('.composer textarea').fill('请把 add 改成箭头函数');
    await view().locator('.composer textarea').press('Enter');
    const entry = view().locator('.entry').last();
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.equal(await view().locator('.context-chip').count(), 0, 'the chip went with the message');
    const query = String((server.requests.filter((r) => r.path === '/v1/chat-messages').at(-1)!.body as { query: string }).query);
    assert.match(query, /^请把 add 改成箭头函数/);
    assert.match(query, /export function add\(a: number, b: number\): number \{/, 'the selected lines went along');

    await entry.locator('.code-block button[aria-label="Apply code to a file (review the diff first)"]').click();
    await wb.page.locator('.editor-group-container.active .tab.active').filter({ hasText: '↔' }).waitFor({ timeout: 20_000 });
    await openFile(wb.page, 'sample.ts');
    assert.match(await activeEditorText(wb.page), /export function add/, 'nothing is written before Apply');
    await runCommand(wb.page, 'Dify: Apply Change');
    await wb.page.waitForFunction(() => document.querySelector('.editor-group-container.active .view-lines')?.textContent?.includes('一个小文件'), undefined, { timeout: 20_000 }).catch(() => undefined);
    await openFile(wb.page, 'sample.ts');
    const text = await activeEditorText(wb.page);
    assert.match(text, /一个小文件/);
    assert.match(text, /export const add = \(a: number, b: number\) => a \+ b;/);
  });
});
