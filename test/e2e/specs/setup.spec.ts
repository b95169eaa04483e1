// Setting up apps the way a user does: "Dify: Add App…" tests the connection before saving and names the
// app after its /info; "Dify: Test Connection" reports the mode; "Dify: Remove App" removes it and its key.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import {
  artifactPath,
  clickDialogButton,
  openWorkbench,
  pickQuickItem,
  runCommand,
  screenshot,
  typeInQuickInput,
  waitForNotification,
  waitForQuickInputPrompt,
  type Workbench,
} from '../workbench';

describe('setting up apps in the real workbench', function () {
  let server: DifyTestServer;
  let wb: Workbench;

  before(async () => {
    server = await startDifyServer({ apps: demoApps() });
    wb = await openWorkbench({ settings: { 'dify.apps': [] } });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath(`setup-${this.currentTest.title.replace(/\W+/g, '-')}.png`));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('"Dify: Add App…" tests the connection, names the app after /info and shows its mode', async () => {
    await runCommand(wb.page, 'Dify: Add App…');
    await pickQuickItem(wb.page, 'Dify');
    await waitForQuickInputPrompt(wb.page, /base URL/);
    await typeInQuickInput(wb.page, server.url);
    await waitForQuickInputPrompt(wb.page, /API key/);
    await typeInQuickInput(wb.page, 'app-demo-chatflow');
    // The name step is prefilled with the app's own name from /info, after the connection test.
    await waitForQuickInputPrompt(wb.page, /advanced-chat/);
    assert.equal(await wb.page.locator('.quick-input-widget .quick-input-box input').inputValue(), 'Docs Chat');
    await wb.page.keyboard.press('Enter');
    await waitForNotification(wb.page, /Added "Docs Chat" \(advanced-chat app on 127\.0\.0\.1:\d+\)/);
    const info = server.requests.find((r) => r.path === '/v1/info');
    assert.equal(info?.headers.authorization, 'Bearer app-demo-chatflow', 'the connection was tested with the key');
  });

  it('"Dify: Test Connection" reports the app\'s mode and server', async () => {
    await runCommand(wb.page, 'Dify: Test Connection');
    await waitForNotification(wb.page, /"Docs Chat" is reachable: advanced-chat app "Docs Chat"/);
  });

  it('a wrong key is caught before saving, with one clear sentence', async () => {
    await runCommand(wb.page, 'Dify: Add App…');
    await pickQuickItem(wb.page, 'Dify');
    await waitForQuickInputPrompt(wb.page, /base URL/);
    await typeInQuickInput(wb.page, server.url);
    await waitForQuickInputPrompt(wb.page, /API key/);
    await typeInQuickInput(wb.page, 'app-not-a-real-key');
    await waitForNotification(wb.page, /API key of "the new app" was rejected/);
  });

  it('"Dify: Remove App" removes the app and its key', async () => {
    await runCommand(wb.page, 'Dify: Remove App');
    await clickDialogButton(wb.page, 'Remove');
    // The removal is a settings write: the next command sees it once it has landed (a person is never that quick).
    const settings = join(wb.sandbox.userDataDir, 'User', 'settings.json');
    for (let i = 0; i < 50 && (JSON.parse(readFileSync(settings, 'utf8')) as { 'dify.apps'?: unknown[] })['dify.apps']?.length; i++) {
      await wb.page.waitForTimeout(100);
    }
    await runCommand(wb.page, 'Dify: Test Connection');
    await waitForNotification(wb.page, /No Dify app is configured yet/);
  });
});
