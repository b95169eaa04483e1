// `npm run bench`: every benchmark, each with its baseline measured in the same run, printed as ONE table
// (benchmark, ours, baseline, floor, ratio, target, met?) and written to bench/results/summary.json + summary.md.
// Steps (each bounded): sizes (production build + a baseline build with undici's full index), stream pipeline,
// host→webview traffic, render (bench/render/run.ts, if present), the real panel (bench/panel/run.ts: a long answer
// through the real VS Code, if its tooling is installed), activation (bundle load in Node; the real extension host
// via test/host/run.ts if its tooling is installed), first character on screen (bench/workbench/firstChar.ts, the real
// VS Code, if its tooling is installed), opening the panel with a full history (bench/history/run.ts), VSIX.
//   npm run bench [-- --skip stream,render,host,...]
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { ensureServer } from './tooling.mjs';

const root = join(import.meta.dirname, '..');
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
const skipArg = process.argv.indexOf('--skip');
const skip = new Set(skipArg === -1 ? [] : process.argv[skipArg + 1].split(','));
const rows = [];
const notes = [];
const t0 = Date.now();
const say = (m) => console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const ms = (x) => (x === undefined ? '—' : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const readJson = (f) => JSON.parse(readFileSync(join(results, f), 'utf8'));
/**
 * Runs one benchmark step in its own process group, so a timeout ends the whole tree (the step's browser and
 * servers too), not only the npx wrapper. The timeout is for a stalled step: it runs out after `silentS` seconds
 * without output on stdout or stderr (every step reports its progress), so a slow minute of this shared machine
 * does not cut a step that is still working. Returns its stdout, or undefined when it failed.
 */
async function step(name, cmd, args, silentS) {
  say(`${name}: ${[cmd, ...args].join(' ')}`);
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child.pid);
  let timedOut = false;
  let timer;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 3000).unref();
    }, silentS * 1000);
  };
  watch();
  let out = '';
  child.stdout.on('data', (b) => {
    out += b;
    process.stdout.write(b);
    watch();
  });
  child.stderr.on('data', (b) => {
    process.stderr.write(b);
    watch();
  });
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  running.delete(child.pid);
  if (code !== 0) {
    notes.push(`${name} failed (${timedOut ? `silent for ${silentS} s, stopped` : `exit ${code ?? signal}`}); its rows are missing.`);
    return undefined;
  }
  return out;
}
const running = new Set();
function killGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const pid of running) killGroup(pid, 'SIGKILL');
    process.exit(130);
  });
}
/** row: lower is better unless `higher`; ratio = ours / baseline (or floor when no baseline). */
function row(benchmark, ours, baseline, floor, ratio, target, met, fmt = (x) => x) {
  rows.push({ benchmark, ours: fmt(ours), baseline: baseline === undefined ? '—' : fmt(baseline), floor: floor === undefined ? '—' : fmt(floor), ratio, target, met: met === undefined ? '—' : met ? 'yes' : 'NO', raw: { ours, baseline, floor } });
}

// ---- sizes ----------------------------------------------------------------------------------------------
if (!skip.has('sizes')) {
  await step('build', process.execPath, ['esbuild.mjs', '--production'], 120);
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'extension.meta.json'), 'utf8'));
  const out = meta.outputs['dist/extension.js'];
  const bytes = readFileSync(join(root, 'dist', 'extension.js'));
  const byPkg = {};
  let srcBytes = 0;
  for (const [k, v] of Object.entries(out.inputs)) {
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(k);
    byPkg[m ? m[1] : 'src'] = (byPkg[m ? m[1] : 'src'] ?? 0) + v.bytesInOutput;
    if (!m) srcBytes += v.bytesInOutput;
  }
  const largest = Object.entries(out.inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 12)
    .map(([k, v]) => ({ module: k, bytes: v.bytesInOutput }));
  // Baseline in the same run: the same build with undici's own index (the bundle before the slim entry).
  const base = await esbuild.build({
    absWorkingDir: root, entryPoints: ['src/extension.ts'], bundle: true, minify: true, platform: 'node', format: 'cjs',
    target: 'node20', external: ['vscode'], mainFields: ['module', 'main'], write: false, outdir: 'out/bench-baseline', logLevel: 'error',
  });
  const baseBytes = base.outputFiles.find((f) => f.path.endsWith('.js')).contents.length;
  row('dist/extension.js, minified', bytes.length, baseBytes, srcBytes, `${(bytes.length / baseBytes).toFixed(2)}× baseline`, '≤ 300 KB', bytes.length <= 300 * 1024, kb);
  row('dist/extension.js, gzip', gzipSync(bytes).length, undefined, undefined, '', '', undefined, kb);
  writeFileSync(join(results, 'sizes.json'), JSON.stringify({ extensionBytes: bytes.length, gzipBytes: gzipSync(bytes).length, baselineBytes: baseBytes, srcBytes, byPackage: byPkg, largest }, null, 2));
  console.log('largest modules in dist/extension.js:');
  for (const l of largest) console.log(`  ${String(l.bytes).padStart(7)}  ${l.module}`);
  console.log(`by package: ${JSON.stringify(byPkg)}`);
}

// ---- stream pipeline -----------------------------------------------------------------------------------
if (!skip.has('stream') && await step('stream', 'npx', ['tsx', 'bench/stream/run.ts'], 300)) {
  const s = readJson('stream.json');
  const mb = (s.recording.bytes / 1e6).toFixed(1);
  for (const [label, r] of Object.entries(s.inProcess)) {
    // Judged by CPU time (process.cpuUsage; wall time of the same run swings 2× on this shared machine).
    const x = r.ours.cpuMs / r.floorJson.cpuMs;
    const v = r.oursVsFloorJson;
    row(`stream ${mb} MB, ${label}: ours vs raw read + split frames + JSON.parse each (CPU ms)`, r.ours.cpuMs, r.sdk.cpuMs, r.floorJson.cpuMs,
      `${x.toFixed(2)}× floor (median CPU; rounds ${v.pairedMin.toFixed(2)}–${v.pairedMax.toFixed(2)}×; wall ${v.wall.toFixed(2)}×; ${v.keepCpu.toFixed(2)}× the floor that also keeps the answer)`, '≤ 1.3× floor', x <= 1.3, ms);
    row(`stream ${mb} MB, ${label}: SDK parser vs ours (information, CPU ms)`, r.ours.cpuMs, r.sdk.cpuMs, r.floor.cpuMs, `SDK ${(r.sdk.cpuMs / r.ours.cpuMs).toFixed(2)}× ours; raw read alone ${r.floor.cpuMs} ms`, '', undefined, ms);
  }
  if (s.http) {
    const h = s.http;
    row(`stream ${mb} MB over HTTP: DifyClient.run vs dify-client 2.3.2 (information, CPU ms)`, h.ours.cpuMs, h.sdk.cpuMs, h.floor.cpuMs, `${(h.sdk.cpuMs / h.ours.cpuMs).toFixed(2)}× faster (wall ${(h.sdk.medianMs / h.ours.medianMs).toFixed(2)}×)`, '', undefined, ms);
  }
  if (s.memory) {
    for (const name of ['ours', 'sdk']) {
      const m = s.memory[name];
      const grow = m.full.peakAboveBaseline - m.half.peakAboveBaseline;
      row(`stream peak live memory (${name}), ${(m.half.streamBytes / 1e6).toFixed(0)} → ${(m.full.streamBytes / 1e6).toFixed(0)} MB`, m.full.peakAboveBaseline, m.half.peakAboveBaseline, s.memory.floor.full.peakAboveBaseline,
        `+${(grow / 1e6).toFixed(2)} MB for +${((m.full.answerChars - m.half.answerChars) / 1e6).toFixed(2)}M answer chars`, 'flat beyond the answer', undefined, (b) => `${(b / 1e6).toFixed(2)} MB`);
    }
  }
}

// ---- traffic -------------------------------------------------------------------------------------------
if (!skip.has('traffic') && await step('traffic', 'npx', ['tsx', 'bench/traffic/run.ts'], 120)) {
  const t = readJson('traffic.json');
  for (const [label, v] of Object.entries(t)) {
    row(`host→webview msgs/s, ${label}`, v.ours.worstWindowPerSecond, v.baseline.perSecond, undefined, `${(v.baseline.perSecond / Math.max(1, v.ours.perSecond)).toFixed(0)}× fewer`, '≤ 60/s', v.ours.worstWindowPerSecond <= 60, (x) => `${x}/s`);
    row(`host→webview bytes, ${label}`, v.ours.bytes, v.baseline.bytes, undefined, `${(v.ours.bytes / v.baseline.bytes).toFixed(2)}×`, '', undefined, kb);
  }
}

// ---- render (another engineer's bench; run as a step) ----------------------------------------------------
if (!skip.has('render')) {
  if (existsSync(join(root, 'bench', 'render', 'run.ts'))) {
    if (await step('render', 'npx', ['tsx', 'bench/render/run.ts'], 180) && existsSync(join(results, 'render.json'))) {
      const r = readJson('render.json');
      const list = Array.isArray(r) ? r : Array.isArray(r.rows) ? r.rows : Array.isArray(r.results) ? r.results : undefined;
      if (list) {
        for (const x of list) {
          rows.push({ benchmark: `render: ${x.benchmark ?? x.name ?? x.case ?? '?'}`, ours: String(x.ours ?? '—'), baseline: String(x.baseline ?? '—'), floor: String(x.floor ?? '—'), ratio: String(x.ratio ?? ''), target: String(x.target ?? ''), met: x.met === undefined ? '—' : x.met ? 'yes' : 'NO' });
        }
      } else {
        notes.push('bench/results/render.json has no row list; see its own table above.');
      }
    }
  } else {
    notes.push('bench/render/run.ts not present yet: no render rows.');
  }
}

// ---- the real panel ------------------------------------------------------------------------------------
// A 2 MiB answer of one paragraph (log lines, no blank line) from the Dify test server in 4-character chunk events,
// through the extension in the real VS Code and its webview, against the same answer in one chunk event (the
// panel showing an answer it receives whole), both in the same run.
/** Whether the real VS Code is installed and the production bundle built (each done once for the steps that need it). */
let realVsCode;
async function realVsCodeReady(rows) {
  if (realVsCode === undefined) {
    try {
      ensureServer();
      realVsCode = (await step('build for the real VS Code', process.execPath, ['esbuild.mjs', '--production'], 120)) !== undefined;
    } catch (e) {
      realVsCode = false;
      console.error(`[bench] ${e.message}`);
    }
  }
  if (!realVsCode) notes.push(`The real VS Code could not be installed or the extension built (see above): no ${rows} rows.`);
  return realVsCode;
}

if (!skip.has('panel')) {
  if (await realVsCodeReady('real-panel')
    && await step('panel', 'npx', ['tsx', 'bench/panel/run.ts', '--runs', '3'], 600) && existsSync(join(results, 'panel.json'))) {
    const p = readJson('panel.json');
    for (const shape of [...new Set(p.results.map((r) => r.shape))]) {
      const rs = p.results.filter((r) => r.shape === shape);
      const mb = (rs[0].chars / 1048576).toFixed(1);
      const streamed = median(rs.map((r) => r.streamed.completeMs));
      const whole = median(rs.map((r) => r.whole.completeMs));
      const serverS = median(rs.map((r) => r.streamed.streamMs)) / 1000;
      const ok = rs.every((r) => r.streamed.completeMs >= 0 && r.whole.completeMs >= 0);
      row(`real panel: ${mb} MiB ${shape} answer in ${p.chunk}-char chunks (server ${serverS.toFixed(1)} s): server's end → all of it on screen (median of ${rs.length})`, streamed, whole, undefined,
        `${(streamed / whole).toFixed(2)}× the same answer sent in one chunk`, '≤ 2 s', ok && streamed <= 2000, ms);
      const flicker = rs.reduce((n, r) => n + r.streamed.shrinks + r.whole.shrinks, 0);
      const jumps = rs.reduce((n, r) => n + r.streamed.jumps + r.whole.jumps, 0);
      const early = rs.filter((r) => r.streamed.statusMs < r.streamed.completeMs || r.streamed.copyMs < r.streamed.completeMs || r.whole.statusMs < r.whole.completeMs || r.whole.copyMs < r.whole.completeMs).length;
      row(`real panel: ${mb} MiB ${shape} answer: polls with less text than before / the view moved up / "Succeeded" or Copy before the text`, `${flicker} / ${jumps} / ${early}`, undefined, undefined, `longest webview frame ${median(rs.map((r) => r.streamed.longestFrameMs))} ms`, '0 / 0 / 0', flicker + jumps + early === 0);
    }
  }
}

// ---- first character on screen (issue 30 item 1) ---------------------------------------------------------
// From the Dify test server's write of a run's first chunk to that character in the panel's DOM, in the real VS Code,
// against a bare webview fed the raw chunks by the same extension host (bench/workbench/firstChar.ts).
if (!skip.has('firstchar')) {
  if (await realVsCodeReady('first-character')
    && await step('first character', 'npx', ['tsx', 'bench/workbench/firstChar.ts', '30'], 300) && existsSync(join(results, 'first-char.json'))) {
    const f = readJson('first-char.json');
    for (const [name, c] of Object.entries(f.cases)) {
      const label = c.firstChunkAfterMs ? `first chunk ${c.firstChunkAfterMs} ms after the request` : 'first chunk at once (the new entry still being drawn)';
      const over = c.ours.median - c.baseline.median;
      row(`first character on screen (${name}: ${label}), median of ${c.ours.n}; baseline: bare webview, raw chunk`, c.ours.median, c.baseline.median, undefined,
        `${over >= 0 ? '+' : '−'}${Math.abs(over).toFixed(1)} ms (paired median ${c.paired.median.toFixed(1)} ms)`, '≤ baseline + 17 ms', over <= 17, ms);
      row(`first character on screen (${name}), 95th percentile`, c.ours.p95, c.baseline.p95, undefined, `+${(c.ours.p95 - c.baseline.p95).toFixed(1)} ms; painted: median ${c.painted.ours.median.toFixed(1)} vs ${c.painted.baseline.median.toFixed(1)} ms`, '', undefined, ms);
    }
  }
}

// ---- activation ----------------------------------------------------------------------------------------
if (!skip.has('activation')) {
  const load = (file) => {
    const r = spawnSync(process.execPath, ['bench/activation/load.cjs', file], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    return JSON.parse(r.stdout);
  };
  const empty = join(root, 'out', 'bench-empty-extension.js');
  mkdirSync(join(root, 'out'), { recursive: true });
  writeFileSync(empty, 'exports.activate = function () {}; exports.deactivate = function () {};\n');
  const ours = [];
  const base = [];
  let builtins = [];
  for (let i = 0; i < 7; i++) {
    const o = load('dist/extension.js');
    ours.push(o.loadMs);
    builtins = o.builtins;
    base.push(load(empty).loadMs);
  }
  row('bundle load (require) in plain Node, cold process', median(ours), median(base), undefined, `+${(median(ours) - median(base)).toFixed(1)} ms`, '', undefined, ms);
  writeFileSync(join(results, 'activation-node.json'), JSON.stringify({ loadMs: ours, emptyLoadMs: base, builtinsAtLoad: builtins }, null, 2));
  console.log(`Node built-ins required while loading dist/extension.js: ${builtins.join(', ')}`);
  let tooling = true;
  try {
    if (!skip.has('host')) ensureServer();
  } catch (e) {
    tooling = false;
    console.error(`[bench] ${e.message}`);
  }
  if (!skip.has('host') && tooling) {
    // Baseline: an empty extension (no code but `activate`) timed the same way in the same kind of host.
    const empty = mkdtempSync(join(tmpdir(), 'dify-bench-empty-'));
    writeFileSync(join(empty, 'package.json'), JSON.stringify({ name: 'empty', publisher: 'bench', version: '0.0.0', engines: { vscode: '^1.95.0' }, main: './extension.js', activationEvents: [] }));
    writeFileSync(join(empty, 'extension.js'), 'exports.activate = () => undefined;\n');
    // Interleaved, five each: fresh hosts on a shared machine vary a lot, and both sides should see the same.
    const timeOnce = async (label, extra) => {
      const out = await step(label, 'npx', ['tsx', 'test/host/run.ts', '--no-build', '--grep', 'activation-bench', ...extra, '--timeout', '90'], 120);
      const m = out && /BENCH_ACTIVATION (\{.*\})/.exec(out);
      return m ? JSON.parse(m[1]).ms : undefined;
    };
    const hostMs = [];
    const emptyMs = [];
    for (let i = 0; i < 5; i++) {
      const a = await timeOnce(`activation in a fresh extension host (${i + 1}/5)`, ['--config-json', '{"bench":true}']);
      const b = await timeOnce(`activation of an empty extension, baseline (${i + 1}/5)`, ['--extension', empty, '--config-json', '{"bench":true,"extensionId":"bench.empty"}']);
      if (a !== undefined) hostMs.push(a);
      if (b !== undefined) emptyMs.push(b);
    }
    rmSync(empty, { recursive: true, force: true });
    if (hostMs.length) {
      const med = median(hostMs);
      const base = emptyMs.length ? median(emptyMs) : undefined;
      const own = base === undefined ? med : med - base;
      row(`activate() in the real extension host (VS Code 1.139, median of ${hostMs.length} fresh hosts; baseline: an empty extension)`, med, base, undefined, base === undefined ? '' : `${own >= 0 ? '+' : '−'}${Math.abs(own).toFixed(1)} ms vs an empty extension`, '≤ 20 ms', own <= 20, ms);
      writeFileSync(join(results, 'activation-host.json'), JSON.stringify({ ms: hostMs, emptyMs }, null, 2));
      if (base === undefined) notes.push('The empty-extension activation baseline failed: the row compares against nothing.');
    }
  } else {
    notes.push('The real VS Code could not be installed (see scripts/tooling.mjs above): no in-host activation row.');
  }
}

// ---- VSIX ----------------------------------------------------------------------------------------------
if (!skip.has('package') && await step('package', process.execPath, ['scripts/package.mjs'], 180)) {
  const v = readJson('vsix.json');
  row(`VSIX (${v.files.length} files)`, v.bytes, undefined, undefined, '', '≤ 1 MB', v.bytes <= 1024 * 1024, kb);
}

// ---- the table -----------------------------------------------------------------------------------------
const cols = ['benchmark', 'ours', 'baseline', 'floor', 'ratio', 'target', 'met'];
const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
const line = (vals) => vals.map((v, i) => String(v).padEnd(widths[i])).join(' │ ');
console.log('\n' + line(cols) + '\n' + widths.map((w) => '─'.repeat(w)).join('─┼─'));
for (const r of rows) console.log(line(cols.map((c) => r[c])));
for (const n of notes) console.log(`note: ${n}`);
const md = [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => String(r[c]).replace(/\|/g, '\\|')).join(' | ')} |`)].join('\n');
const stamp = new Date().toISOString();
writeFileSync(join(results, 'summary.md'), `<!-- npm run bench, ${stamp}, Node ${process.version}, ${(await import('node:os')).cpus().length} CPUs -->\n${md}\n${notes.map((n) => `\n- ${n}`).join('')}\n`);
writeFileSync(join(results, 'summary.json'), JSON.stringify({ date: stamp, node: process.version, seconds: Math.round((Date.now() - t0) / 1000), rows, notes }, null, 2));
say(`done → bench/results/summary.md, summary.json`);
