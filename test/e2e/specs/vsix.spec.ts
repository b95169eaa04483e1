// The packaged extension where teams run it: `npm run package` builds the .vsix, the VS Code server installs
// it with its own CLI (no development path) into code-server, and a workflow runs from it through the palette;
// after a reload the key and the user id are still there.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { repoRoot } from '../../host/harness';
import { artifactPath, openWorkbench, runCommand, screenshot, typeInQuickInput, waitForQuickInputPrompt, webviewFrame, type Workbench } from '../workbench';
import { setKeyThroughUi } from '../dify';

describe('the packaged VSIX', function () {
  let server: DifyTestServer;
  let wb: Workbench;

  before(async function () {
    this.timeout(240_000);
    const r = spawnSync(process.execPath, ['scripts/package.mjs'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
    const vsix = join(repoRoot, 'dist-vsix', `${pkg.name}-${pkg.version}.vsix`);
    server = await startDifyServer({ apps: demoApps() });
    wb = await openWorkbench({ vsix, flavor: 'code-server', settings: { 'dify.apps': [{ name: 'Code Reviewer', baseUrl: server.url }] } });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath('vsix-failed.png'));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('installs into code-server and runs a workflow from the palette', async () => {
    await setKeyThroughUi(wb.page, 'Code Reviewer', 'app-demo-workflow', { pick: false });
    await runCommand(wb.page, 'Run Dify Workflow');
    // One app: no app picker. The form: Code (required) and the optional fields, skipped with Enter.
    await waitForQuickInputPrompt(wb.page, /Code/);
    await typeInQuickInput(wb.page, 'function f() { return 1 }');
    for (let i = 0; i < 10; i++) {
      await wb.page.waitForTimeout(150);
      if (!(await wb.page.locator('.quick-input-widget').isVisible())) break;
      await wb.page.keyboard.press('Enter');
    }
    const entry = webviewFrame(wb.page).locator('.entry').last();
    await entry.locator('.answer h2').filter({ hasText: 'Review summary' }).waitFor({ timeout: 30_000 });
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    assert.ok((await entry.locator('.trace').count()) === 1, 'the workflow trace is shown');
    const run = server.requests.filter((r) => r.path === '/v1/workflows/run').at(-1)!;
    assert.equal((run.body as { inputs: { code: string } }).inputs.code, 'function f() { return 1 }');
  });

  it('after a reload, runs again with the stored key and the same user', async () => {
    const entries = () => webviewFrame(wb.page).locator('.entry');
    const before = await entries().count();
    await wb.reload();
    // code-server saves which editors are open a while later, and may not bring back a panel opened seconds
    // before the reload (the history is the extension's own file: it is all there). The user opens the chat;
    // a panel that does come back is revealed, and one restored after the command closes.
    await runCommand(wb.page, 'Open Dify Chat');
    await webviewFrame(wb.page).locator('.dify-panel:not([aria-busy])').waitFor({ timeout: 30_000 });
    assert.equal(await entries().count(), before);
    // code-server keeps secrets in the browser, sealed with a key from the server: no key to enter again.
    const input = webviewFrame(wb.page).locator('.composer textarea');
    await input.fill('function g() { return 2 }');
    await input.press('Enter');
    const entry = entries().nth(before);
    await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 30_000 });
    const runs = server.requests.filter((r) => r.path === '/v1/workflows/run');
    assert.equal(runs.length, 2);
    assert.equal((runs[1].body as { inputs: { code: string } }).inputs.code, 'function g() { return 2 }');
    const users = runs.map((r) => (r.body as { user: string }).user);
    assert.match(users[0], /^vscode-/);
    assert.equal(users[1], users[0], 'the same user id after the reload');
  });
});
