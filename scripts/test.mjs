// `npm test`: every layer, in order — static checks, build, unit (plain Node), webview (headless
// Chromium), host (the real VS Code extension host) and UI end to end (the real workbench).
// Prints the count of each layer and one closing line "N passed, M failed". Exits non-zero on any failure.
import { spawn } from 'node:child_process';

const only = process.argv.slice(2); // e.g. `npm test -- unit host`
const layers = [
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-p', '.', '--noEmit'] },
  { name: 'lint', cmd: 'npx', args: ['eslint', 'src', 'test', 'bench', 'scripts'] },
  { name: 'build', cmd: 'node', args: ['esbuild.mjs', '--production'] },
  { name: 'unit', cmd: 'npx', args: ['mocha'], counts: true },
  { name: 'webview', cmd: 'npx', args: ['mocha', '--config', 'test/webview/.mocharc.json'], counts: true },
  { name: 'host', cmd: 'npx', args: ['tsx', 'test/host/run.ts', '--no-build'], counts: true },
  { name: 'e2e', cmd: 'npx', args: ['tsx', 'test/e2e/run.ts', '--no-build'], counts: true },
];

function run(layer) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(layer.cmd, layer.args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let tail = '';
    const tee = (stream, out) =>
      stream.on('data', (b) => {
        out.write(b);
        tail = (tail + b.toString()).slice(-20000);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code, signal) => {
      // Strip ANSI colours before reading mocha's summary lines.
      // eslint-disable-next-line no-control-regex
      const plain = tail.replace(/\x1b\[[0-9;]*m/g, '');
      const last = (re) => {
        const all = [...plain.matchAll(re)];
        return all.length ? Number(all[all.length - 1][1]) : 0;
      };
      resolve({
        name: layer.name,
        code: code ?? (signal ? 1 : 0),
        passed: layer.counts ? last(/(\d+) passing/g) : undefined,
        failed: layer.counts ? last(/(\d+) failing/g) : undefined,
        pending: layer.counts ? last(/(\d+) pending/g) : undefined,
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

const results = [];
for (const layer of layers) {
  if (only.length && !only.includes(layer.name)) continue;
  console.log(`\n=== ${layer.name}: ${layer.cmd} ${layer.args.join(' ')}`);
  const r = await run(layer);
  results.push(r);
  if (r.code !== 0 && !r.counts && !layer.counts) {
    // Static checks and the build gate the rest: later layers would test a broken bundle.
    break;
  }
}

console.log('\n=== summary');
let passed = 0;
let failed = 0;
for (const r of results) {
  const counts = r.passed === undefined ? (r.code === 0 ? 'ok' : 'FAILED') : `${r.passed} passing, ${r.failed} failing${r.pending ? `, ${r.pending} pending` : ''}`;
  console.log(`${r.name.padEnd(10)} ${counts}${r.code !== 0 ? ` (exit ${r.code})` : ''}  [${r.seconds.toFixed(1)} s]`);
  if (r.passed !== undefined) {
    passed += r.passed;
    failed += r.failed;
  }
  // A layer that exits non-zero without a failing count (crash, timeout) still counts as a failure.
  if (r.code !== 0 && !r.failed) failed += 1;
  if (r.code === 0 && r.passed === 0 && r.passed !== undefined) {
    console.log(`${r.name}: ran no test`);
    failed += 1;
  }
}
const skipped = layers.filter((l) => !results.some((r) => r.name === l.name) && (!only.length || only.includes(l.name)));
for (const s of skipped) {
  console.log(`${s.name.padEnd(10)} NOT RUN (an earlier step failed)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
