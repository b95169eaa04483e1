// `npm test`: the tooling first (installed on a fresh machine, found in milliseconds after), then every layer in
// order: static checks (types, lint), build, unit (plain Node), webview (headless Chromium), host (the real VS Code extension
// host) and UI end to end (the real workbench). Each layer runs in its own process group under a time limit, so
// none can hang the run; a layer that fails or cannot start is reported and the next one runs.
// Prints each layer's counts and one closing line "N passed, M failed"; exits non-zero on any failure.
//
//   npm test [-- layer…]      e.g. `npm test -- unit host`
import { spawn } from 'node:child_process';
import { ensureBrowser, ensureServer, NeedsAdminError, ToolingError } from './tooling.mjs';

const only = process.argv.slice(2);
const minutes = (n) => n * 60_000;
const layers = [
  { name: 'typecheck', cmd: 'npm', args: ['run', '-s', 'typecheck'], limit: minutes(5), gate: true },
  { name: 'lint', cmd: 'npx', args: ['eslint', 'src', 'test', 'bench', 'scripts'], limit: minutes(5), gate: true },
  { name: 'build', cmd: 'node', args: ['esbuild.mjs', '--production'], limit: minutes(3), gate: true },
  { name: 'unit', cmd: 'npx', args: ['mocha'], counts: true, limit: minutes(10) },
  { name: 'webview', cmd: 'npx', args: ['mocha', '--config', 'test/webview/.mocharc.json'], counts: true, limit: minutes(15), needs: 'browser' },
  { name: 'host', cmd: 'npx', args: ['tsx', 'test/host/run.ts', '--no-build'], counts: true, limit: minutes(15), needs: 'server' },
  { name: 'e2e', cmd: 'npx', args: ['tsx', 'test/e2e/run.ts', '--no-build'], counts: true, limit: minutes(25), needs: 'server' },
].filter((l) => !only.length || only.includes(l.name));

/** Installs or finds what the chosen layers need, before any of them runs. Returns why a part is missing. */
function prepareTooling() {
  const missing = {};
  const wanted = new Set(layers.map((l) => l.needs).filter(Boolean));
  if (!wanted.size) return missing;
  console.log('\n=== tooling: Chromium and fonts' + (wanted.has('server') ? ', Node 24 and the VS Code server' : ''));
  const started = Date.now();
  for (const [part, ensure] of [['browser', ensureBrowser], ['server', ensureServer]]) {
    if (!wanted.has(part) || missing.browser) {
      if (missing.browser) missing[part] = missing.browser;
      continue;
    }
    try {
      ensure();
    } catch (e) {
      if (e instanceof NeedsAdminError) {
        // Packages only an administrator can install: say the one command and stop here.
        console.error(`\n${e.message}`);
        process.exit(1);
      }
      missing[part] = e instanceof ToolingError ? e.message : String(e?.stack ?? e);
      console.error(`[tooling] ${missing[part]}`);
    }
  }
  console.log(`tooling ready in ${((Date.now() - started) / 1000).toFixed(1)} s` + (Object.keys(missing).length ? ' (with problems, see above)' : ''));
  return missing;
}

function run(layer) {
  return new Promise((resolve) => {
    const started = Date.now();
    // Its own process group: at the time limit the whole tree (browsers, servers) is ended, not only npx.
    const child = spawn(layer.cmd, layer.args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env, detached: true });
    let tail = '';
    const tee = (stream, out) =>
      stream.on('data', (b) => {
        out.write(b);
        tail = (tail + b.toString()).slice(-20000);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    let timedOut = false;
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n[test] ${layer.name} still running after ${layer.limit / 60_000} min: stopping it`);
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5000).unref();
    }, layer.limit);
    const onSignal = () => kill('SIGTERM');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // eslint-disable-next-line no-control-regex
      const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
      const last = (re) => {
        const all = [...plain.matchAll(re)];
        return all.length ? Number(all[all.length - 1][1]) : 0;
      };
      resolve({
        name: layer.name,
        code: timedOut ? 124 : (code ?? (signal ? 1 : 0)),
        note: timedOut ? `timed out after ${layer.limit / 60_000} min` : undefined,
        passed: layer.counts ? last(/(\d+) passing/g) : undefined,
        failed: layer.counts ? last(/(\d+) failing/g) : undefined,
        pending: layer.counts ? last(/(\d+) pending/g) : undefined,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

const missing = prepareTooling();
const results = [];
let gateFailed;
for (const layer of layers) {
  const blocked = gateFailed ? `${gateFailed} failed` : missing[layer.needs];
  if (blocked) {
    results.push({ name: layer.name, code: 1, note: `NOT RUN: ${blocked.split('\n')[0]}`, seconds: 0 });
    continue;
  }
  console.log(`\n=== ${layer.name}: ${layer.cmd} ${layer.args.join(' ')}`);
  const r = await run(layer);
  results.push(r);
  // Static checks and the build gate the rest: later layers would test a broken bundle.
  if (r.code !== 0 && layer.gate) gateFailed = layer.name;
}

console.log('\n=== summary');
let passed = 0;
let failed = 0;
for (const r of results) {
  const counts =
    r.passed === undefined
      ? r.code === 0
        ? 'ok'
        : 'FAILED'
      : `${r.passed} passing, ${r.failed} failing${r.pending ? `, ${r.pending} pending` : ''}`;
  const extra = [r.code !== 0 && r.note === undefined ? `exit ${r.code}` : undefined, r.note].filter(Boolean).join('; ');
  console.log(`${r.name.padEnd(10)} ${counts}${extra ? ` (${extra})` : ''}  [${r.seconds.toFixed(1)} s]`);
  passed += r.passed ?? 0;
  failed += r.failed ?? 0;
  // A layer that exits non-zero without a failing count (crash, timeout, not run) still counts as a failure.
  if (r.code !== 0 && !r.failed) failed += 1;
  if (r.code === 0 && r.passed === 0) {
    console.log(`${r.name}: ran no test`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
