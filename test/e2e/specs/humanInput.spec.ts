// Human input in the real workbench: a workflow run from the panel pauses at its Human Input node; the person fills
// the form where the run paused (checked there first), presses Approve, and sees the run go on to its end in the
// same entry. A run that waits survives a window reload and is answered after it.
import * as assert from 'node:assert/strict';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { setKeyThroughUi } from '../dify';
import { artifactPath, openWorkbench, runCommand, screenshot, typeInQuickInput, waitForNotification, waitForQuickInputPrompt, webviewFrame, type Workbench } from '../workbench';

describe('human input in the real workbench', function () {
  let server: DifyTestServer;
  let wb: Workbench;
  const panel = () => webviewFrame(wb.page);
  const nextEntry = async () => panel().locator('.entry').nth(await panel().locator('.entry').count());

  before(async () => {
    server = await startDifyServer({ apps: demoApps(), chunkDelayMs: [5, 15] });
    wb = await openWorkbench({ settings: { 'dify.apps': demoApps().map((a) => ({ name: a.name, baseUrl: server.url })), 'dify.defaultApp': 'Release Approval' } });
    await setKeyThroughUi(wb.page, 'Release Approval', 'app-demo-approval');
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath(`hitl-${this.currentTest.title.replace(/\W+/g, '-')}.png`));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  /** Sends the changes to Release Approval from the panel; resolves with the entry once its form waits. */
  async function pausedRun(text: string) {
    await runCommand(wb.page, 'Open Dify Chat');
    await panel().locator('.app-select').selectOption('Release Approval');
    const input = panel().locator('.composer textarea');
    await input.fill(text);
    const entry = await nextEntry();
    await input.press('Enter');
    const form = entry.locator('.hitl-form[data-state="waiting"]');
    await form.waitFor({ timeout: 30_000 });
    return { entry, form };
  }

  it('the form shows where the run paused; filled in there and approved, the run goes on to its end in the same entry', async () => {
    const { entry, form } = await pausedRun('Faster streams; 修复代理');
    await entry.locator('.answer h2').filter({ hasText: 'Release notes draft' }).waitFor();
    assert.equal(await form.locator('.hitl-content h3').innerText(), '发布审批 · Release approval');
    assert.equal(await form.locator('textarea').inputValue(), 'LGTM 👍', 'the default');
    // Checked in the panel first: the channel has no value yet.
    await form.locator('button', { hasText: 'Approve ✅' }).click();
    await form.locator('.form-error').filter({ hasText: 'Choose a value for channel.' }).waitFor();
    assert.equal(server.requests.filter((r) => r.path.startsWith('/v1/form/human_input/')).length, 0, 'nothing was sent');

    await form.locator('select').selectOption('beta');
    await form.locator('textarea').fill('Ship it 🚀');
    await form.locator('button', { hasText: 'Approve ✅' }).click();
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.match(await entry.locator('.answer').innerText(), /Published to beta\. 🎉 Comment: Ship it 🚀/);
    assert.match(await entry.locator('details.hitl-done summary').innerText(), /Answered: Review the release — Approve ✅/);
    assert.equal(await panel().locator('.entry').count(), await entry.evaluate((el) => [...el.parentElement!.children].indexOf(el) + 1), 'no new entry');
  });

  it('a run waiting for an answer survives a window reload and is answered after it', async () => {
    const { entry } = await pausedRun('reload while waiting');
    const index = await entry.evaluate((el) => [...el.parentElement!.children].indexOf(el));
    await wb.reload('command');
    await panel().locator('.dify-panel:not([aria-busy])').waitFor({ timeout: 30_000 });
    const again = panel().locator('.entry').nth(index);
    const form = again.locator('.hitl-form[data-state="waiting"]');
    await form.waitFor({ timeout: 30_000 });
    await form.locator('select').selectOption('stable');
    await form.locator('textarea').fill('下次再说');
    await form.locator('button', { hasText: 'Reject' }).click();
    // This web server keeps keys in memory only (README): the key is asked for right there, then the answer goes.
    if (await waitForQuickInputPrompt(wb.page, 'API key of Release Approval', 10_000).then(() => true, () => false)) {
      await typeInQuickInput(wb.page, 'app-demo-approval');
      await waitForNotification(wb.page, /secret storage/);
    }
    await again.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.match(await again.locator('.answer').innerText(), /Not published\. Reason: 下次再说/);
  });
});
