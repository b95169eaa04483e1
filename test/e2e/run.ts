/**
 * `npm run test:e2e` — UI specs (test/e2e/**\/*.spec.ts) that drive the real VS Code workbench through headless
 * Chromium. Plain Node + mocha (BDD); specs use the helpers in test/e2e/workbench.ts.
 *
 *   npm run test:e2e [-- options] [spec files…]
 *     --grep <regexp>     only tests whose full title matches
 *     --no-build          skip `node esbuild.mjs`
 *     --timeout <ms>      per-test timeout (default 120000)
 *   E2E_CONSOLE=1         relay the extension host's console (E2E_CONSOLE=all: every page console message)
 *   DIFY_HOST_VERBOSE=1   VS Code server log; DIFY_HOST_KEEP=1 keeps the sandboxes
 *
 * Failed tests leave screenshots in out/e2e/ when the spec's afterEach calls screenshot().
 */
import Mocha from 'mocha';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cleanupAll, ensureTooling, repoRoot } from '../host/harness';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let grep: string | undefined;
  let build = true;
  let timeout = 120_000;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grep' || a === '-g') grep = argv[++i];
    else if (a === '--no-build') build = false;
    else if (a === '--timeout') timeout = Number(argv[++i]);
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else files.push(resolve(a));
  }
  ensureTooling();
  if (build) {
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('node esbuild.mjs failed: the extension does not build (pass --no-build)');
  }
  const dir = join(repoRoot, 'test', 'e2e');
  const specs = files.length
    ? files
    : (readdirSync(dir, { recursive: true }) as string[])
        .filter((f) => f.endsWith('.spec.ts'))
        .sort()
        .map((f) => join(dir, f));
  const mocha = new Mocha({ ui: 'bdd', timeout, slow: 15_000, reporter: 'spec', grep });
  for (const f of specs) mocha.addFile(f);
  await mocha.loadFilesAsync();
  const failures = await new Promise<number>((r) => mocha.run(r));
  return failures ? 1 : 0;
}

main()
  .catch((e: Error) => {
    console.error(`[e2e] ${e.stack ?? e.message}`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  });
