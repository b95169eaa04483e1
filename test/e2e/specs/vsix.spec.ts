// The packaged extension: `npm run package` builds the .vsix, the VS Code server installs it with its own
// CLI (no development path), and a workflow runs from it through the palette.
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
    wb = await openWorkbench({ vsix, settings: { 'dify.apps': [{ name: 'Code Reviewer', baseUrl: server.url }] } });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath('vsix-failed.png'));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('installs into the real VS Code server and runs a workflow from the palette', async () => {
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
});

