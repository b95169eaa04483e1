/**
 * Proves the e2e helpers against built-in VS Code behaviour (independent of the Dify extension's features):
 * the workbench loads the sandbox workspace and settings, Quick Open opens a file, the command palette runs
 * built-in commands, and their effects are visible in the UI.
 */
import * as assert from 'node:assert/strict';
import {
  activeEditorText,
  activeTabTitle,
  openFile,
  openWorkbench,
  runCommand,
  screenshot,
  artifactPath,
  waitForActiveTab,
  waitForNotification,
  type Workbench,
} from '../workbench';

describe('workbench helpers (built-in commands)', function () {
  let wb: Workbench;

  before(async () => {
    wb = await openWorkbench({ settings: { 'editor.wordWrap': 'off' } });
  });
  after(async () => {
    await wb?.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath(`${this.currentTest.title}.png`));
  });

  it('opens a workspace file through Quick Open', async () => {
    await openFile(wb.page, 'sample.ts');
    assert.equal(await activeTabTitle(wb.page), 'sample.ts');
    assert.match(await activeEditorText(wb.page), /export function add\(a: number, b: number\)/);
  });

  it('toggles word wrap from the command palette', async () => {
    const { page } = wb;
    const viewLines = page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    // A line far wider than the editor: one view line without wrap, several with it.
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(`// ${'wrap me '.repeat(80)}`);
    const unwrapped = await viewLines.count();
    await runCommand(page, 'View: Toggle Word Wrap');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.editor-group-container.active .monaco-editor .view-lines .view-line').length > n,
      unwrapped,
    );
    await runCommand(page, 'View: Toggle Word Wrap');
    await page.waitForFunction(
      (n) => document.querySelectorAll('.editor-group-container.active .monaco-editor .view-lines .view-line').length === n,
      unwrapped,
    );
    await runCommand(page, 'File: Revert File');
  });

  it('opens the user settings JSON written by the harness', async () => {
    await runCommand(wb.page, 'Preferences: Open User Settings (JSON)');
    await waitForActiveTab(wb.page, 'settings.json');
    const text = await activeEditorText(wb.page);
    assert.match(text, /"chat\.disableAIFeatures": true/);
    assert.match(text, /"editor\.wordWrap": "off"/);
  });

  it('reads notifications from the notification center', async () => {
    // sample.ts belongs to no tsconfig: the built-in TypeScript extension says so with showInformationMessage,
    // which lands in the notification center (no toasts with the smoke-test driver).
    await openFile(wb.page, 'sample.ts');
    await runCommand(wb.page, 'TypeScript: Go to Project Configuration (tsconfig)', 30_000);
    const message = await waitForNotification(wb.page, /project/i, 30_000);
    assert.match(message, /tsconfig|TypeScript project/i);
  });
});
