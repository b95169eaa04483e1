// Render benchmark: streaming a realistic markdown answer (5-character chunks) into the chat panel's
// renderer in headless Chromium, compared with the naive way and with a single one-shot render.
//   npx tsx bench/render/run.ts     (≈8 min: 3 runs of 50 KB at 200, 1000 and 5000 chars/s and of 1 MB at 20000, 9 of
//                                    both at 2 M chars/s; each with its plain-text bound and the peer baseline)
//   env: BENCH_SIZES=50000,1000000  BENCH_RUNS=n (default 3)  BENCH_BURST_RUNS=n (default 9)
//        BENCH_RATES=a,b (all sizes; default 200,1000,5000 below 200 KB, 20000 above)  BENCH_CODE=0 (no code-block rows)
//        BENCH_SHAPES=0 (no one-huge-block rows)  BENCH_SHAPE_SIZE=n (default 1000000)  BENCH_SHAPE_RUNS=n (default 3)
//        BENCH_ONLY_SHAPES=1 (only those rows)
//        BENCH_TRACE_DETAIL=1 (diagnosis: prints each phase's 4 longest stream tasks by CPU, with what ran in them)
// Writes bench/results/render.json. See the printed notes for method and caveats.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startHarness } from '../../test/webview/harness';
import { measureCodeBlocks } from './codeBlocks';
import { measureShapes } from './shapesBench';
import type { ShapeRow } from './shapesBench';
import { makeAnswer } from './corpus';
import { measure } from './trace';
import type { Phase } from './trace';
import { CHUNK, FRAME_MS, PEER_FULL, PEER_SAMPLES, allLaidOut, floor, hostPatches, naive, ours, patchFrames, peer, plainText } from './phases';
import type { Floor, Ours } from './phases';
import { COST_FACTOR, MAX_WAIT_MS } from '../../src/webview/scheduler';
import { CATCH_UP_FOLLOW_MS, FIRST_CATCH_UP_FOLLOW_MS } from '../../src/webview/follow';

const SIZES = process.env.BENCH_ONLY_SHAPES === '1' ? [] : (process.env.BENCH_SIZES ?? '50000,1000000').split(',').map(Number);
const LARGE = 200_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/**
 * Paired runs of a burst (the rate BURST). A burst is a handful of short tasks, and on this 2-core shared machine
 * its ratio to the one-shot moves more from page to page than any change to the renderer: 30 paired runs of the
 * same 50 KB burst in one sitting ranged 0.83–1.87× (tenth to ninetieth percentile), middle half 1.02–1.50×, so
 * the median of 3 could land anywhere in that middle half. Each is cheap (2–3 s at 50 KB, ≈10 s at 1 MB).
 */
const BURST_RUNS = Number(process.env.BENCH_BURST_RUNS ?? 9);
const runsOf = (rate: number) => (rate === BURST ? Math.max(RUNS, BURST_RUNS) : RUNS);
/** Simulated model output rates in characters per second (≈4 chars per token). */
const ratesFor = (size: number) => (process.env.BENCH_RATES ?? (size > LARGE ? `20000,${BURST}` : `200,1000,5000,${BURST}`)).split(',').map(Number);
/** Targets at a model's rate (every rate but a burst): against the plain-text lower bound of the same frames,
 * the share of one core over the stream's duration, and the longest task. */
const PLAIN_TARGET = 1.5;
const CORE_TARGET = 0.02;
/** A burst: the answer as fast as a local server sends it (the host parses ≈5 M chars/s of 5-char text
 * events, bench/stream), e.g. a replayed or cached answer — the whole 50 KB within one frame. */
const BURST = 2_000_000;
const PLAIN = 'plain:';
const FLOOR = 'floor:';
const PEER = 'peer:';

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Field-wise medians; non-numeric fields come from the run whose total is the median. */
function medianPhase<T extends Phase>(runs: T[]): T {
  const mid = runs.slice().sort((a, b) => a.workMs - b.workMs)[(runs.length - 1) >> 1];
  const out = { ...mid } as Record<string, unknown>;
  for (const k of Object.keys(runs[0])) {
    if (typeof runs[0][k as keyof T] === 'number') out[k] = median(runs.map((r) => r[k as keyof T] as unknown as number));
  }
  return out as T;
}

async function main() {
  const started = Date.now();
  const h = await startHarness();
  const results: Record<string, unknown>[] = [];
  const rows: string[][] = [];
  const notes: string[] = [];
  /** Rows for `npm run bench` (scripts/bench.mjs reads render.json's `rows`). */
  const summary: { benchmark: string; ours: string; baseline: string; floor: string; ratio: string; target: string; met: boolean }[] = [];
  let codeBlocks: Awaited<ReturnType<typeof measureCodeBlocks>> = [];
  let shapes: ShapeRow[] = [];
  try {
    for (const size of SIZES) {
      const text = makeAnswer(size);
      const RATES = ratesFor(size);
      const label = size >= 1_000_000 ? `${size / 1_000_000} MB` : `${Math.round(size / 1000)} KB`;
      /** One-shot renders, each measured right before the phase it is the floor of (see `paired`). */
      const floorRuns = new Map<number, Floor[]>();
      const oursRuns = new Map<number, Ours[]>();
      const plainRuns = new Map<number, Phase[]>();
      const patches = new Map(RATES.map((rate) => [rate, hostPatches(text, rate)]));
      const frames = new Map(RATES.map((rate) => [rate, patchFrames(text, rate)]));
      for (const rate of RATES) if (frames.get(rate)!.length !== patches.get(rate)!.length) throw new Error(`patch frames do not match the patches at ${rate} chars/s`);
      const peerRuns = new Map<number, (Phase & { sampled: number; frames: number })[]>();
      const naiveRuns: (Phase & { sampled: number; chunks: number })[] = [];
      const runs = Math.max(...RATES.map(runsOf));
      for (let run = 0; run < runs; run++) {
        const active = RATES.filter((r) => run < runsOf(r));
        // A fresh page per run and phase keeps GC and DOM state independent. Each rate's phase comes right
        // after a one-shot render of its own, so the two see the same machine (this one is shared: a floor
        // measured 316 ms in one minute and 645 ms in another). The naive baseline is sampled once per size
        // (its extrapolation, not run-to-run noise, dominates its uncertainty).
        // The plain-text bound and the peer baseline of each rate in the same run, right after its ours.
        for (const phase of [...active.flatMap((r) => [FLOOR + r, String(r), PLAIN + r, ...((r !== BURST && size <= LARGE) || run === 0 ? [PEER + r] : [])]), ...(run === 0 ? ['naive'] : [])]) {
          const tp = await h.open({ bundle: 'bench' });
          const cdp = await tp.page.context().newCDPSession(tp.page);
          await cdp.send('Performance.enable', { timeDomain: 'threadTicks' } as never);
          // The panel warms the pipeline in idle time after load (src/webview/panel.ts); so does the bench.
          await tp.page.evaluate(() => window.__difyBench.warmUp());
          if (phase.startsWith(FLOOR)) {
            const rate = Number(phase.slice(FLOOR.length));
            const f = await measure(cdp, () => floor(tp.page, text));
            floorRuns.set(rate, [...(floorRuns.get(rate) ?? []), { ...f, allLaidOutMs: await allLaidOut(tp.page) }]);
          } else if (phase === 'naive') naiveRuns.push(await measure(cdp, () => naive(tp.page, text)));
          else if (phase.startsWith(PEER)) {
            const rate = Number(phase.slice(PEER.length));
            peerRuns.set(rate, [...(peerRuns.get(rate) ?? []), await measure(cdp, () => peer(tp.page, patches.get(rate)!))]);
          }
          else if (phase.startsWith(PLAIN)) {
            const rate = Number(phase.slice(PLAIN.length));
            plainRuns.set(rate, [...(plainRuns.get(rate) ?? []), await measure(cdp, () => plainText(tp.page, patches.get(rate)!))]);
          } else {
            const rate = Number(phase);
            oursRuns.set(rate, [...(oursRuns.get(rate) ?? []), await measure(cdp, () => ours(tp.page, patches.get(rate)!, frames.get(rate)))]);
          }
          const problems = await tp.problems();
          if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
          await tp.close();
          // Progress per phase: `npm run bench` stops a step that stays silent for minutes (a 1 MB phase can
          // take one on a loaded machine).
          if (size > LARGE) process.stderr.write(`    ${label}: ${phase} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
        }
        process.stderr.write(`  ${label}: run ${run + 1}/${runs} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      }
      const fl = medianPhase([...floorRuns.values()].flat());
      const nv = medianPhase(naiveRuns);
      // The naive phase's CDP figure only covers the sampled updates, so it is not reported.
      rows.push([label, 'naive (per chunk, extrapolated)', fmt(nv.workMs), '—', `${fmt(nv.longestMs)} / —`, '1.00×', ratio(nv.workMs, fl.workMs), `${nv.chunks} renders (${nv.sampled} sampled)`]);
      for (const rate of RATES) {
        const o = medianPhase(oursRuns.get(rate)!);
        const lb = medianPhase(plainRuns.get(rate)!);
        // Against the floor: the median of each run's ratio to the one-shot measured right before it.
        const floors = floorRuns.get(rate)!;
        const fr = medianPhase(floors);
        const rateRuns = oursRuns.get(rate)!;
        const wallRatios = pairedRatios(rateRuns, floors, 'workMs');
        const wallX = quantile(wallRatios, 0.5);
        const n = rateRuns.length;
        const spread = n >= 5 ? `; middle half of the ${n} paired runs ${quantile(wallRatios, 0.25).toFixed(2)}–${times(quantile(wallRatios, 0.75))}` : '';
        const cpuX = paired(rateRuns, floors, 'cpuSumMs');
        /** Against the floor plus the layout of everything (see Floor). */
        const laidOutX = paired(rateRuns, floors.map((f) => ({ ...f, workMs: f.workMs + f.allLaidOutMs })), 'workMs');
        rows.push([label, `ours @ ${rate} chars/s`, fmt(o.workMs), fmt(o.cpuSumMs ?? NaN), `${fmt(o.longestMs)} / ${fmt(o.cpuLongestStreamMs ?? o.cpuLongestMs ?? NaN)}`, ratio(o.workMs, nv.workMs), `${times(wallX)} / ${times(cpuX)}`, `median of ${n} run(s)${spread}; ${o.frames} frames, ${o.renders} renders (${o.fastAppends} fast appends, ${o.partialRenders} by list item), ${o.longTasks ?? 0} long tasks; ${times(laidOutX)} the floor with all of it laid out`]);
        rows.push([label, `plain text @ ${rate} chars/s (lower bound)`, fmt(lb.workMs), fmt(lb.cpuSumMs ?? NaN), `${fmt(lb.longestMs)} / ${fmt(lb.cpuLongestStreamMs ?? lb.cpuLongestMs ?? NaN)}`, ratio(lb.workMs, nv.workMs), `${ratio(lb.workMs, fr.workMs)} / ${ratio(lb.cpuSumMs ?? NaN, fr.cpuSumMs ?? NaN)}`, `${lb.tasks} frames, each: append the patch as plain text + layout; ours is ${ratio(o.workMs, lb.workMs)} of it`]);
        const pr = medianPhase(peerRuns.get(rate)!);
        const peerNote = `${pr.frames} frames${pr.sampled < pr.frames ? `, ${pr.sampled} sampled and interpolated` : ', all run'}`;
        rows.push([label, `peer @ ${rate} chars/s (marked + DOMPurify of all, per frame)`, fmt(pr.workMs), '—', `${fmt(pr.longestMs)} / ${fmt(pr.cpuLongestStreamMs ?? NaN)}`, ratio(pr.workMs, nv.workMs), ratio(pr.workMs, fr.workMs), `${peerNote}; ours is ${ratio(o.workMs, pr.workMs)} of it`]);
        // The stream's tasks: the driver's setup task (passing the whole text and the host's patches into the
        // page, 35 ms at 1 MB) is not the panel's work.
        const cpuLongest = o.cpuLongestStreamMs ?? o.cpuLongestMs ?? o.longestMs;
        const short = cpuLongest <= 10;
        const cpuRatio = times(cpuX);
        const peerVs = `peer (whole answer per frame${pr.sampled < pr.frames ? ', extrapolated' : ''})`;
        if (rate !== BURST) {
          // At a model's rate: against the plain-text bound of the same frames, measured in the same run.
          const plainRatios = pairedRatios(rateRuns, plainRuns.get(rate)!, 'workMs');
          const plainX = quantile(plainRatios, 0.5);
          const plainCpuX = paired(rateRuns, plainRuns.get(rate)!, 'cpuSumMs');
          const plainSpread = `range of the ${n} paired runs ${Math.min(...plainRatios).toFixed(2)}–${times(Math.max(...plainRatios))}`;
          const streamMs = (text.length / rate) * 1000;
          const shares = rateRuns.map((r) => r.workMs / streamMs);
          const share = median(shares);
          const cpuShare = median(rateRuns.map((r) => (r.cpuSumMs ?? NaN) / streamMs));
          const within = plainX <= PLAIN_TARGET;
          /** Showing the frames (the plain text) plus rendering the markdown once (the one-shot): what a
           * renderer that did no repeated work at all would cost. Information, next to the target. */
          const bothX = paired(rateRuns, plainRuns.get(rate)!.map((p, i) => ({ ...p, workMs: p.workMs + (floors[i]?.workMs ?? NaN) })), 'workMs');
          const light = share <= CORE_TARGET;
          notes.push(
            `${label} @ ${rate} chars/s (a ${(streamMs / 1000).toFixed(1)} s stream): ${times(plainX)} the plain-text lower bound of the same frames by wall main-thread time (${times(plainCpuX)} by trace CPU; ${plainSpread}) (target ≤ ${PLAIN_TARGET.toFixed(1)}×) ${within ? 'MET' : 'MISSED'};` +
              ` ${pct(share)} of one core over the stream (${pct(cpuShare)} by trace CPU, which adds GC and the driver) (target ≤ ${pct(CORE_TARGET)}) ${light ? 'MET' : 'MISSED'};` +
              ` longest task ${fmt(cpuLongest)} ms CPU (wall ${fmt(o.longestMs)} ms) (target ≤ 10 ms) ${short ? 'MET' : 'MISSED'}.` +
              ` The ${peerVs} costs ${fmt(pr.workMs)} ms, ${ratio(pr.workMs, o.workMs)} ours, longest frame ${fmt(pr.longestMs)} ms. For information: ${times(wallX)} a one-shot render of the final answer, ${times(bothX)} the plain text plus the one-shot (the frames shown, and the markdown rendered once).` +
              (within ? '' : explainPlain(o, lb)) + (short ? '' : explain(o, fr, true, false, text.length, rate)),
          );
          summary.push(
            { benchmark: `${label} @ ${rate} chars/s, 5-char chunks: main-thread total vs plain text of the same frames`, ours: `${fmt(o.workMs)} ms`, baseline: `${fmt(pr.workMs)} ms (${peerVs})`, floor: `${fmt(lb.workMs)} ms (plain text)`, ratio: `${times(plainX)} plain text (median of ${n} paired; ${plainSpread}; CPU ${times(plainCpuX)}; ${times(bothX)} plain text + one-shot); peer ${ratio(pr.workMs, o.workMs)} ours`, target: `≤ ${PLAIN_TARGET.toFixed(1)}× plain text`, met: within },
            { benchmark: `${label} @ ${rate} chars/s: share of one core over the ${(streamMs / 1000).toFixed(1)} s stream`, ours: pct(share), baseline: `${pct(pr.workMs / streamMs)} (peer)`, floor: `${pct(lb.workMs / streamMs)} (plain text)`, ratio: `CPU (trace) ${pct(cpuShare)}`, target: `≤ ${pct(CORE_TARGET)}`, met: light },
            { benchmark: `${label} @ ${rate} chars/s: longest task (CPU)`, ours: `${fmt(cpuLongest)} ms`, baseline: `${fmt(pr.longestMs)} ms (peer, wall)`, floor: `${fmt(lb.cpuLongestStreamMs ?? lb.cpuLongestMs ?? lb.longestMs)} ms (plain text)`, ratio: '', target: '≤ 10 ms', met: short },
          );
        } else {
          const within = wallX <= 1.3;
          const verdict = `${label} @ ${rate} chars/s: total ${times(wallX)} of floor wall (${cpuRatio} by trace CPU time) (target ≤ 1.30×, judged on wall main-thread ms: the median of ${n} paired runs${spread}) ${within ? 'MET' : 'MISSED'}; longest task of the stream ${fmt(cpuLongest)} ms CPU (wall ${fmt(o.longestMs)} ms) (target ≤ 10 ms, judged on CPU time) ${short ? 'MET' : 'MISSED'}.`;
          const bound = ` Lower bound at this rate: showing the same patches as plain text, one update per frame, costs ${fmt(lb.workMs)} ms = ${ratio(lb.workMs, fr.workMs)} of the floor; ours is ${ratio(o.workMs, lb.workMs)} of that bound. The ${peerVs} costs ${fmt(pr.workMs)} ms.`;
          const laidOut = ` Against the floor plus the style and layout of the whole answer (${fmt(fr.allLaidOutMs)} ms more: the one-shot render lays out only the end, near the screen; a stream shown as it arrives lays out every block once): ${times(laidOutX)}.`;
          notes.push(verdict + bound + laidOut + explain(o, fr, within, short, text.length, rate));
          summary.push(
            { benchmark: `${label} @ ${rate} chars/s (a burst), 5-char chunks: main-thread total`, ours: `${fmt(o.workMs)} ms`, baseline: `${fmt(pr.workMs)} ms (${peerVs})`, floor: `${fmt(fr.workMs)} ms`, ratio: `${times(wallX)} floor (median of ${n}${spread}; CPU ${cpuRatio}; ${times(laidOutX)} the floor with all of it laid out; plain-text lower bound ${ratio(lb.workMs, fr.workMs)}); naive per chunk ${fmt(nv.workMs)} ms (extrapolated)`, target: '≤ 1.3× floor', met: within },
            { benchmark: `${label} @ ${rate} chars/s (a burst): longest task (CPU)`, ours: `${fmt(cpuLongest)} ms`, baseline: `${fmt(pr.longestMs)} ms (peer, wall)`, floor: `${fmt(fr.cpuLongestMs ?? fr.longestMs)} ms`, ratio: `plain-text lower bound: ${fmt(lb.cpuLongestStreamMs ?? lb.cpuLongestMs ?? lb.longestMs)} ms`, target: '≤ 10 ms', met: short },
          );
        }
        results.push({ size, rate, phase: 'peer', runCount: peerRuns.get(rate)!.length, ...pr, runs: peerRuns.get(rate) });
        results.push({ size, rate, phase: 'ours', runCount: n, ...o, runs: rateRuns }, { size, rate, phase: 'plain', runCount: n, ...lb, runs: plainRuns.get(rate) });
      }
      rows.push([label, 'floor (one-shot of final)', fmt(fl.workMs), fmt(fl.cpuSumMs ?? NaN), `${fmt(fl.longestMs)} / ${fmt(fl.cpuLongestMs ?? NaN)}`, ratio(fl.workMs, nv.workMs), '1.00×', `1 render; laying all of it out (content-visibility off) takes ${fmt(fl.allLaidOutMs)} ms more`]);
      results.push({ size, phase: 'naive', ...nv, runs: naiveRuns }, { size, phase: 'floor', runCount: floorRuns.size ? Math.max(...[...floorRuns.values()].map((f) => f.length)) : 0, ...fl, runs: Object.fromEntries(floorRuns) });
    }
    if (process.env.BENCH_CODE !== '0' && process.env.BENCH_ONLY_SHAPES !== '1') codeBlocks = await measureCodeBlocks(h, 3, median);
    if (process.env.BENCH_SHAPES !== '0') shapes = await measureShapes(h, Number(process.env.BENCH_SHAPE_RUNS ?? 3), Number(process.env.BENCH_SHAPE_SIZE ?? 1_000_000), median, (m) => process.stderr.write(m + '\n'));
  } finally {
    await h.close();
  }
  const head = ['answer', 'method', 'main-thread ms (wall)', 'CPU ms (trace)', 'longest task ms wall / CPU', 'vs naive', 'vs floor wall / CPU', 'notes'];
  printTable([head, ...rows]);
  const method = [
    `Medians of ${RUNS} run(s) at ${SIZES.join(' and ')} chars, of ${runsOf(BURST)} at ${BURST} chars/s (naive: 1 sampled run per size). Headless Chromium (/usr/bin/chromium), production-minified bench bundle of the real renderer, media/panel.css applied, answer in a 600 px scroller kept at the bottom as in the panel. Wall time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    'main-thread ms = Σ performance.now() around each task\'s work incl. the layout forced by scrolling to the bottom (what the frame would cost); CPU ms = Σ thread time of the page\'s main-thread tasks in a CDP trace (adds the driver\'s small tasks and GC; not inflated by other processes on a shared machine); CDP TaskDuration (Performance.getMetrics delta) is in render.json.',
    `ours: the answer arrives in ${CHUNK}-char chunks at the given rate; the host coalesces each ${FRAME_MS.toFixed(1)} ms window into one entryPatch (≤60/s); each patch is a task; the FrameScheduler renders in animation frames, at most every max(1 frame, min(${MAX_WAIT_MS} ms, ${COST_FACTOR}× the last render's repeated work — its JavaScript minus the time spent rendering newly finished blocks; the layout after it is not counted, as in the panel)) (frames it skips cost ~nothing and carry the text to the next render); frames are driven back to back on a virtual clock (+${FRAME_MS.toFixed(1)} ms per frame) instead of waiting. Every frame reads scrollHeight (its layout) and, as the panel does, scrolls to the bottom — while a burst is rendered in slices only ${FIRST_CATCH_UP_FOLLOW_MS} ms after it starts and then every ${CATCH_UP_FOLLOW_MS} ms of that clock, in a frame without a slice, and at its end in the next frame (src/webview/follow.ts); slices whose text lands below the view are held back out of the document and put in by a frame of their own before each such follow and at the end (src/webview/markdown/chunks.ts).`,
    'naive: el.innerHTML = DOMPurify.sanitize(marked.parse(all)) on EVERY chunk (no highlighting). Not run in full (hours for 1 MB): the cost of sampled chunk updates is linearly interpolated over all chunks — an extrapolation.',
    `peer: what chat panels built on React-style markdown components do — the whole answer so far re-rendered with el.innerHTML = DOMPurify.sanitize(marked.parse(all)) (no highlighting) once per animation frame that brought text, on the same host patches as ours, each frame its own task with the same layout and scroll. Run in full up to ${PEER_FULL} frames; above, ${PEER_SAMPLES(50_000)} frames (${PEER_SAMPLES(1_000_000)} above 200 KB) spread over the stream are timed (each on the DOM of the frame before it) and the per-frame cost is linearly interpolated over all frames — an extrapolation. Measured in every run of a model rate below 200 KB, once per rate above and for a burst (sampled, its extrapolation dominates its uncertainty).`,
    `model rates (every rate but ${BURST}): the time a patch lands is simulated — the clock jumps to the frame it lands in (patches are driven back to back, each its own task, with the frames the scheduler asks for between them), so a 250 s stream at 200 chars/s takes seconds. Targets: ours ≤ ${PLAIN_TARGET}× the plain-text lower bound of the same patches (the median of each run's ratio to the plain-text phase measured in the same run, on a fresh page right after it); share of one core = Σ main-thread ms of ours / the stream's duration (chars ÷ rate) ≤ ${pct(CORE_TARGET)}; longest task ≤ 10 ms CPU. The one-shot floor is kept for information (and stays the target of a burst).`,
    `longest task: wall = the longest timed task (performance.now(), counts time the OS gave other processes); CPU = the longest main-thread RunTask by thread time in a CDP trace, among the tasks after the page marks the stream's start (ours, GC, the browser's frames; not the driver's setup task, which passes the whole text and the host's patches into the page: render.json keeps it as cpuLongestMs). The ≤ 10 ms target is judged on CPU time because the bench machine is shared.`,
    'Before each phase the page runs the same idle-time warm-up the panel runs after load (samples of every block kind and CJK text laid out off-screen; the highlight worker is started and compiles its grammars on its own thread).',
    'code blocks: a one-block answer shown at once. "main thread (before)": render, highlight.js, sanitizing its HTML and layout in one task, as the panel did before the worker. "worker (now)": the render and layout (one task), then the worker\'s result put in as spans (a block of more than 64 lines: in groups of 16 lines over the next animation frames, at most one on screen per frame), and the browser\'s frames that style, lay out and paint them (in the CPU figures). Both start with the grammar warm on their thread.',
    'plain text (lower bound): the same host patches appended as plain text to the last paragraph (a new one at each blank line; paragraphs in the same md-chunk / md-section wrappers as the answer), with the same per-frame layout and scroll — the browser\'s own cost of showing a stream frame by frame, with no markdown at all. Any renderer that updates every frame costs at least this.',
    'floor, all laid out: after the floor is measured, the wrappers\' content-visibility is turned off and the whole answer styled and laid out (not counted in the floor). A stream shown as it arrives lays out every block once, the one-shot render only those near the screen; "the floor with all of it laid out" adds that time to the floor.',
    'one huge block: bench/render/shapes.ts (a heading, then one paragraph of log lines without a blank line, one tight list, one table, one fenced code block, 200 nested blockquotes or 200 nested list items holding the log lines), streamed as the ours rows are (5-char chunks coalesced per frame) at 400 000 chars/s (4-char chunks from a local server, as the panel gets them) and at 2 M chars/s, each run against a one-shot render measured on a fresh page right before it. "frames after the end": frames from the stream\'s last patch and finish() to nothing left to render.',
    'floor: one renderOneShot() of the final answer (same pipeline as ours: marked + DOMPurify + code headers; highlight.js in the worker, its results put in on the main thread and counted) plus its layout, measured on a fresh page right before each run of each rate. "vs floor" is the median of the runs\' ratios to the floor measured right before them (paired: the machine is shared, and its speed drifts between minutes); the floor row is the median of all of them.',
  ];
  if (codeBlocks.length) {
    console.log('\nCode blocks: showing an answer with one long code block (medians of 3 runs; CPU = trace thread time)');
    const codeRows = [['block', 'highlight.js', 'main-thread ms (wall)', 'CPU ms (trace)', 'longest task ms wall / CPU', 'tasks']];
    for (const c of codeBlocks) {
      for (const [name, p] of [['on the main thread (before)', c.main], ['in the worker (now)', c.worker]] as const) {
        codeRows.push([c.label, name, fmt(p.workMs), fmt(p.cpuSumMs ?? NaN), `${fmt(p.longestMs)} / ${fmt(p.cpuLongestStreamMs ?? NaN)}`, String(p.tasks)]);
      }
      const longest = c.worker.cpuLongestStreamMs ?? NaN;
      summary.push({ benchmark: `${c.label}: longest main-thread task (CPU)`, ours: `${fmt(longest)} ms`, baseline: `${fmt(c.main.cpuLongestStreamMs ?? NaN)} ms (highlight.js on the main thread)`, floor: '—', ratio: `${ratio(c.main.cpuLongestStreamMs ?? NaN, longest)} shorter`, target: '≤ 10 ms', met: longest <= 10 });
      notes.push(`${c.label}: longest main-thread task ${fmt(longest)} ms CPU with highlighting in the worker (target ≤ 10 ms) ${longest <= 10 ? 'MET' : 'MISSED'}; ${fmt(c.main.cpuLongestStreamMs ?? NaN)} ms with highlight.js on the main thread, as before. Main-thread total ${fmt(c.worker.workMs)} ms vs ${fmt(c.main.workMs)} ms.`);
    }
    printTable(codeRows);
  }
  if (shapes.length) {
    console.log('\nOne huge block: a heading, then one block of the answer (medians; ratio = median of each run\'s ratio to the one-shot measured right before it)');
    const shapeRows = [['answer', 'rate chars/s', 'main-thread ms (wall)', 'CPU ms (trace)', 'floor ms', 'vs floor wall / CPU', 'longest task CPU ms', 'frames after the end']];
    for (const r of shapes) {
      const label = `${r.shape}, ${(r.chars / 1e6).toFixed(1)} MB`;
      shapeRows.push([label, String(r.rate), fmt(r.ours.workMs), fmt(r.ours.cpuSumMs ?? NaN), fmt(r.floor.workMs), `${times(r.ratio)} / ${times(r.cpuRatio)}`, fmt(r.longestCpuMs), String(r.framesAfterEnd)]);
      // Bursts against the existing bursts' target; a stream is judged on how soon after its end all of it is shown
      // (its total work lays the growing block out at every update the person sees: reported, not a target).
      const burst = r.rate >= 2_000_000;
      const soon = r.framesAfterEnd <= 120;
      const met = soon && (!burst || r.ratio <= 1.3);
      const target = burst ? '≤ 1.3× floor; ≤ 2 s (120 frames) after the end' : '≤ 2 s (120 frames) after the end';
      summary.push({
        benchmark: `one ${r.shape} of ${(r.chars / 1e6).toFixed(1)} MB @ ${r.rate} chars/s: main-thread total`,
        ours: `${fmt(r.ours.workMs)} ms`,
        baseline: '—',
        floor: `${fmt(r.floor.workMs)} ms`,
        ratio: `${times(r.ratio)} floor (median of ${r.runs}; CPU ${times(r.cpuRatio)}); all of it shown ${r.framesAfterEnd} frames after the ${r.streamS.toFixed(1)} s stream's end; longest task ${fmt(r.longestCpuMs)} ms CPU`,
        target,
        met,
      });
      notes.push(`One ${r.shape} block of ${r.chars} chars at ${r.rate} chars/s: ${times(r.ratio)} the one-shot render by wall main-thread time (${times(r.cpuRatio)} by CPU), all of it on screen ${r.framesAfterEnd} frames after the stream's end, longest task ${fmt(r.longestCpuMs)} ms CPU (the one-shot's: ${fmt(r.floor.cpuLongestMs ?? r.floor.longestMs)} ms). Target ${target}: ${met ? 'MET' : 'MISSED'}. ${r.ours.renders} renders in ${r.ours.frames} frames, ${r.ours.skipped} skipped by the budget.`);
    }
    printTable(shapeRows);
  }
  console.log('\nMethod:\n' + method.map((m) => '  - ' + m).join('\n'));
  console.log('\nTargets:\n' + notes.map((n) => '  - ' + n).join('\n'));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/render.json'), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, burstRuns: runsOf(BURST), chunk: CHUNK, rates: Object.fromEntries(SIZES.map((s) => [s, ratesFor(s)])), wallSeconds: (Date.now() - started) / 1000, method, targets: notes, rows: summary, results, codeBlocks, shapes }, null, 2));
  console.log('\nWrote bench/results/render.json');
}

/** The measured reasons a target was missed (numbers from this run, not a template). */
function explain(o: Ours, fl: Phase, within: boolean, short: boolean, chars: number, rate: number): string {
  const why: string[] = [];
  if (!within) {
    const over = o.workMs - fl.workMs;
    const perRender = o.frameMs / Math.max(1, o.renders);
    const full = o.renders - o.fastAppends;
    const allowed = 0.3 * fl.workMs;
    const neededRenders = Math.floor((allowed + fl.workMs - o.finishMs - o.patchMs) / Math.max(perRender, 1e-3));
    const streamS = chars / rate;
    why.push(
      ` Why: ${o.renders} renders over the ${streamS.toFixed(1)} s stream (${o.frames} frames, ${o.skipped} skipped by the budget; ${o.fastAppends} took the fast append path, ${full} re-lexed the unfinished block and rendered/sanitized it — ${o.partialRenders} of them only its changed list items / table rows) cost ${fmt(o.frameMs)} ms (${perRender.toFixed(2)} ms each incl. layout; ${fmt(o.commitMs)} ms of it rendering blocks as they finished, vs the floor's ${fmt(fl.workMs)} ms for all of them at once),` +
        ` patches ${fmt(o.patchMs)} ms, finish ${fmt(o.finishMs)} ms: ${fmt(over)} ms above the floor vs the ${fmt(allowed)} ms allowed.` +
        ` At this per-render cost the target allows ≈${Math.max(0, neededRenders)} renders, i.e. one every ${(streamS / Math.max(1, neededRenders)).toFixed(2)} s; the budget only thins renders when their repeated work exceeds 1/${COST_FACTOR} of the time between them (${o.skipped} of ${o.frames} frames skipped here), so the ratio is set by renders × per-render cost.` +
        (o.cpuSumMs !== undefined && o.cpuSumMs > 1.2 * o.workMs
          ? ` The trace also shows ${fmt(o.cpuSumMs - o.workMs)} ms of main-thread CPU outside the timed tasks (mostly GC of the live DOM and per-render garbage, plus the driver), not in the wall figure.`
          : ''),
    );
  }
  if (!short) {
    const a = o.longestAt;
    const where = a.kind === 'finish' ? `the final finish() render (auto-highlighting, last block)` : `${a.kind} #${a.frame} (${a.chars} chars received)`;
    why.push(` Longest task: ${fmt(o.cpuLongestStreamMs ?? NaN)} ms CPU among the stream's tasks (${fmt(o.cpuLongestMs ?? NaN)} ms counting the driver's setup task, which passes the whole text and the host's patches into the page); the longest timed task (wall) was ${where}, ${fmt(o.longestMs)} ms; longest of the first 10 frames ${fmt(o.firstFramesLongestMs)} ms (wall).`);
  }
  return why.join('');
}

/** Why ours is above the plain-text bound at a model's rate (numbers from this run). */
function explainPlain(o: Ours, lb: Phase): string {
  const full = o.renders - o.fastAppends;
  return ` Why: the plain text pays ${(lb.workMs / Math.max(1, lb.tasks)).toFixed(3)} ms per patch; ours ${fmt(o.patchMs)} ms in patches, ${fmt(o.frameMs)} ms in ${o.renders} renders (${o.fastAppends} fast appends, ${full} re-lexed the unfinished block, ${o.partialRenders} of them by list item / table row; ${(o.frameMs / Math.max(1, o.renders)).toFixed(3)} ms each incl. layout; ${fmt(o.commitMs)} ms rendering blocks as they finished) and ${fmt(o.finishMs)} ms in finish().`;
}

/** Each run's ratio to the one-shot render measured right before it. */
function pairedRatios(runs: Phase[], floors: Phase[], key: 'workMs' | 'cpuSumMs'): number[] {
  return runs.map((r, i) => (r[key] ?? NaN) / (floors[i]?.[key] ?? NaN));
}

/** The median of the runs' paired ratios. */
function paired(runs: Phase[], floors: Phase[], key: 'workMs' | 'cpuSumMs'): number {
  return median(pairedRatios(runs, floors, key));
}

/** The `p` quantile of `xs`, linearly interpolated (0.5: the median; 0.25 and 0.75 bound the middle half). */
function quantile(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (at - lo);
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const times = (x: number) => `${x.toFixed(2)}×`;
const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function printTable(rows: string[][]) {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  console.log(line(rows[0]));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
