/**
 * Activation time in the real extension host, for `npm run bench` only: skipped unless the runner passes
 * `--config-json '{"bench":true}'` (so `npm test` never runs timings). Must run first in a fresh host (mocha loads
 * suites in name order, and `--grep activation-bench` runs it alone): it times the first `ext.activate()` (VS Code
 * loads dist/extension.js and calls activate()) and prints one `BENCH_ACTIVATION {json}` line for the bench.
 */
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { hostTestConfig } from '../config';

const EXTENSION_ID = 'dify-vscode.dify-vscode';

describe('activation-bench', () => {
  before(function () {
    if (hostTestConfig().bench !== true) this.skip();
  });

  it('times the first activation', async () => {
    // The bench also times an empty extension the same way (its id comes through the config) as the baseline.
    const ext = vscode.extensions.getExtension((hostTestConfig().extensionId as string | undefined) ?? EXTENSION_ID)!;
    assert.equal(ext.isActive, false, 'the extension was already active: not a fresh host');
    const cached = Object.keys(require.cache).length;
    const t0 = performance.now();
    await ext.activate();
    const ms = performance.now() - t0;
    // Activating again is a no-op in VS Code: the same call on an already active extension, as a floor.
    const t1 = performance.now();
    await ext.activate();
    const againMs = performance.now() - t1;
    console.log(`BENCH_ACTIVATION ${JSON.stringify({ ms, againMs, modulesLoadedBefore: cached, vscode: vscode.version })}`);
  });
});
