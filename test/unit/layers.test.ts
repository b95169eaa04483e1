// A test layer that cannot start fails fast with the reason, and `npm test` reports it and goes on: proved here
// for the commonest case on a fresh machine, a missing browser.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** Runs a command with a browser path that does not exist; resolves with its exit code, output and duration. */
function runWithoutBrowser(cmd: string, args: string[]): Promise<{ code: number | null; out: string; seconds: number }> {
  const started = Date.now();
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, DIFY_CHROMIUM: '/nonexistent/chromium', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  // The bound this test proves; past it the whole process group goes, so the test itself cannot hang either.
  const limit = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(limit);
      done({ code, out, seconds: (Date.now() - started) / 1000 });
    }),
  );
}

describe('test layers without a browser', function () {
  this.timeout(90_000);

  it('the webview layer fails within a minute, saying the browser is missing', async () => {
    const r = await runWithoutBrowser('npx', ['mocha', '--config', 'test/webview/.mocharc.json']);
    assert.notEqual(r.code, null, `still running after 60 s:\n${r.out.slice(-2000)}`);
    assert.notEqual(r.code, 0);
    assert.ok(r.seconds < 60, `took ${r.seconds} s`);
    assert.match(r.out, /Chromium is not installed at \/nonexistent\/chromium/);
  });

  it('npm test reports the layer as not run, with the reason, and exits non-zero', async () => {
    const r = await runWithoutBrowser(process.execPath, ['scripts/test.mjs', 'webview']);
    assert.equal(r.code, 1, r.out.slice(-2000));
    assert.match(r.out, /webview\s+FAILED \(NOT RUN: DIFY_CHROMIUM is \/nonexistent\/chromium, which does not exist\.\)/);
    assert.match(r.out, /0 passed, 1 failed/);
  });
});
