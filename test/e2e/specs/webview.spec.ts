/** webviewFrame() against VS Code's own Markdown preview (a webview), independent of the Dify panel. */
import * as assert from 'node:assert/strict';
import { openFile, openWorkbench, runCommand, webviewFrame, type Workbench } from '../workbench';

describe('webview helpers (built-in Markdown preview)', function () {
  let wb: Workbench;
  before(async () => {
    wb = await openWorkbench({ extension: false });
  });
  after(async () => {
    await wb?.close();
  });

  it('reads the rendered content of a webview', async () => {
    await openFile(wb.page, 'notes.md');
    await runCommand(wb.page, 'Markdown: Open Preview to the Side', 30_000);
    const heading = webviewFrame(wb.page).locator('h1');
    await heading.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await heading.innerText()).trim(), 'Notes');
  });
});
