// Render benchmark: streaming a realistic markdown answer (5-character chunks) into the chat panel's
// renderer in headless Chromium, compared with the naive way and with a single one-shot render.
//   npx tsx bench/render/run.ts     (≈4–6 min: 3 runs of 50 KB at 1000, 20000 and 2 M chars/s and of 1 MB at 20000 and 2 M)
//   env: BENCH_SIZES=50000,1000000  BENCH_RUNS=n (default 3)
//        BENCH_RATES=a,b (all sizes; default 1000,20000 below 200 KB, 20000 above)  BENCH_CODE=0 (no code-block rows)
//        BENCH_TRACE_DETAIL=1 (diagnosis: prints each phase's 4 longest stream tasks by CPU, with what ran in them)
// Writes bench/results/render.json. See the printed notes for method and caveats.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT, startHarness } from '../../test/webview/harness';
import { measureCodeBlocks } from './codeBlocks';
import { makeAnswer } from './corpus';
import { measure } from './trace';
import type { Phase } from './trace';
import { COST_FACTOR, MAX_WAIT_MS } from '../../src/webview/scheduler';
import { CATCH_UP_FOLLOW_MS } from '../../src/webview/follow';

const SIZES = (process.env.BENCH_SIZES ?? '50000,1000000').split(',').map(Number);
const LARGE = 200_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Simulated model output rates in characters per second (≈4 chars per token). */
const ratesFor = (size: number) => (process.env.BENCH_RATES ?? (size > LARGE ? `20000,${BURST}` : `1000,20000,${BURST}`)).split(',').map(Number);
/** A burst: the answer as fast as a local server sends it (the host parses ≈5 M chars/s of 5-char text
 * events, bench/stream), e.g. a replayed or cached answer — the whole 50 KB within one frame. */
const BURST = 2_000_000;
const CHUNK = 5;
const FRAME_MS = 1000 / 60;
/** Naive baseline: number of sampled chunk updates (their cost is interpolated over all chunks). */
const NAIVE_SAMPLES = (size: number) => (size > 200_000 ? 12 : 40);
const PLAIN = 'plain:';
const FLOOR = 'floor:';

interface Ours extends Phase {
  frames: number;
  renders: number;
  /** Renders that took the fast append path (text appended to the tail's last Text node, no re-render). */
  fastAppends: number;
  /** Renders that re-rendered only the changed last items of a list / rows of a table. */
  partialRenders: number;
  /** Time spent rendering blocks as they finished (work the one-shot render does too), ms. */
  commitMs: number;
  skipped: number;
  /** Σ of the render (frame) tasks and of the patch handlers, and the final `finish()` task, ms. */
  frameMs: number;
  patchMs: number;
  finishMs: number;
  /** Where the longest task happened: 'finish', or 'frame' with its index and the text length then. */
  longestAt: { kind: string; frame: number; chars: number };
  /** The longest task among the first 10 frames, ms. */
  firstFramesLongestMs: number;
}

interface Floor extends Phase {
  /** After the floor: the style and layout of ALL of the answer (the wrappers' content-visibility off), ms. The
   * one-shot render lays out only what is near the screen; a stream shown as it arrives lays out every block
   * once, as it arrives. Not part of the floor's figures. */
  allLaidOutMs: number;
}

async function floor(page: Page, text: string): Promise<Omit<Phase, 'cdpTaskMs'>> {
  await page.evaluate(() => window.__difyBench.setupPage());
  return page.evaluate(async (text) => {
    const B = window.__difyBench;
    const { sc, el } = B.answerBox();
    const highlightCost = B.highlightCost();
    const t0 = performance.now();
    el.append(B.renderOneShot(text));
    sc.scrollTop = sc.scrollHeight;
    const ms = performance.now() - t0;
    // The highlight worker's results, each put in by its own task, and their layout.
    await B.highlightIdle();
    const t1 = performance.now();
    sc.scrollTop = sc.scrollHeight;
    const relayout = performance.now() - t1;
    const hl = highlightCost();
    return { workMs: ms + relayout + hl.ms, longestMs: Math.max(ms, relayout, hl.longestMs), tasks: 2 + hl.results };
  }, text);
}

/** After `floor` (outside its trace): the style and layout of all of the answer, ms (see Floor). */
async function allLaidOut(page: Page): Promise<number> {
  return page.evaluate(() => {
    const { sc, el } = window.__difyBench.answerBox();
    const t0 = performance.now();
    el.classList.add('bench-all-visible');
    void sc.scrollHeight;
    return performance.now() - t0;
  });
}

/** The real panel path: host messages (one per 16.7 ms window of chunks at `rate`) append to an
 * IncrementalMarkdown; a FrameScheduler (with its adaptive budget) coalesces them into renders. Each message
 * and each frame runs as its own task; frames are driven back to back (no 16 ms sleep, so a 1 MB stream
 * does not take a minute of wall time) on a virtual clock that advances 16.7 ms per frame — what the
 * scheduler would see in real time, as long as frames fit in 16.7 ms. */
async function ours(page: Page, windows: string[]): Promise<Omit<Ours, 'cdpTaskMs'>> {
  await page.evaluate(() => window.__difyBench.setupPage());
  return page.evaluate(
    async ({ windows, FRAME_MS }) => {
      const B = window.__difyBench;
      const { sc, el } = B.answerBox();

      const md = new B.IncrementalMarkdown(el);
      const commit0 = B.renderProgressMs();
      const highlightCost = B.highlightCost();
      let clock = 0;
      let pendingFrame: (() => void) | undefined;
      /** A second animation-frame callback (the follow to the end of a burst), run after `pendingFrame`. */
      let endFrame: (() => void) | undefined;
      // The panel's pinned scroll (src/webview/panel.ts), after the frame's layout: every frame, except while a
      // burst is rendered in slices, when it follows about once a second in a frame without a slice, and at its
      // end in the next frame (src/webview/follow.ts). Reading scrollHeight is the frame's layout, counted
      // whether or not the view moves.
      const follow = new B.FollowPolicy(() => clock);
      const scrollToEnd = () => {
        sc.scrollTop = sc.scrollHeight;
        follow.followed();
      };
      const gap = () => sc.scrollHeight - sc.scrollTop - sc.clientHeight;
      const stick = () => {
        if (gap() >= 1 && follow.free) scrollToEnd();
      };
      // As in the panel, the flush only writes (its cost, which spaces the renders, is the render's); the frame's
      // layout follows it (`stick`, below), outside what the scheduler measures.
      const scheduler = new B.FrameScheduler(
        () => {
          if (follow.followNow() && gap() >= 1) {
            scrollToEnd(); // a follow while catching up: this frame renders no slice
            scheduler.schedule(true);
            return;
          }
          md.render();
          rendered();
        },
        (cb) => (pendingFrame = cb),
        () => clock,
        B.renderProgressMs,
      );
      /** After a render: the rest of a burst is the next slice, next frame; its end is followed in a frame of its own. */
      const rendered = () => {
        const more = md.pending;
        if (more) scheduler.schedule(true);
        if (follow.rendered(more)) {
          endFrame = () => {
            follow.ended();
            stick();
          };
        }
      };
      /** One animation frame: the scheduler's callback, then the end-of-burst follow, then the layout. */
      const frame = () => {
        const f = pendingFrame;
        const g = endFrame;
        pendingFrame = endFrame = undefined;
        f?.();
        g?.();
        stick();
      };
      let longTasks = 0;
      const obs = new PerformanceObserver((l) => (longTasks += l.getEntries().length));
      obs.observe({ type: 'longtask' });
      let work = 0;
      let longest = 0;
      let tasks = 0;
      let frameMs = 0;
      let patchMs = 0;
      let firstFramesLongestMs = 0;
      let longestAt = { kind: '', frame: 0, chars: 0 };
      let received = 0;
      performance.mark('bench-stream'); // tasks after this one are the stream's (see cpuLongestStreamMs)
      const timed = (kind: string, frame: number, f: () => void) => {
        const t0 = performance.now();
        f();
        const ms = performance.now() - t0;
        work += ms;
        tasks++;
        if (kind === 'frame') frameMs += ms;
        if (kind === 'patch') patchMs += ms;
        if (frame < 10) firstFramesLongestMs = Math.max(firstFramesLongestMs, ms);
        if (ms > longest) {
          longest = ms;
          longestAt = { kind, frame, chars: received };
        }
      };
      for (let w = 0; w < windows.length; w++) {
        const batch = windows[w];
        await B.nextTask();
        received += batch.length;
        timed('patch', w, () => {
          md.append(batch); // the entryPatch handler
          scheduler.schedule();
        });
        await B.nextTask();
        clock += FRAME_MS;
        if (pendingFrame || endFrame) timed('frame', w, frame); // the animation frame (skipped by the budget: re-requests itself)
      }
      await B.nextTask();
      const t0 = performance.now();
      timed('finish', windows.length, () => {
        md.finish(); // status → succeeded (an urgent flush)
        rendered();
        stick();
      });
      const finishMs = performance.now() - t0;
      let frames = windows.length;
      while (pendingFrame || endFrame) {
        // What is left of a burst, one slice per frame.
        await B.nextTask();
        clock += FRAME_MS;
        timed('frame', frames++, frame);
      }
      // The highlight worker's results (put in by their own tasks, during the stream and after it) and the
      // layout of the last ones.
      await B.highlightIdle();
      timed('highlight', frames, stick);
      const hl = highlightCost();
      work += hl.ms;
      tasks += hl.results;
      if (hl.longestMs > longest) {
        longest = hl.longestMs;
        longestAt = { kind: 'highlight result', frame: frames, chars: received };
      }
      await new Promise((r) => setTimeout(r, 50));
      obs.disconnect();
      return {
        workMs: work, longestMs: longest, tasks, longTasks, frames, renders: md.stats.renders,
        fastAppends: md.stats.fastAppends, partialRenders: md.stats.partialRenders, commitMs: B.renderProgressMs() - commit0,
        skipped: scheduler.stats.skipped, frameMs, patchMs, finishMs, longestAt, firstFramesLongestMs,
      };
    },
    { windows, FRAME_MS },
  );
}

/** What the host posts when the answer arrives in CHUNK-character chunks at `rate` chars/s: chunk i lands
 * at (i+1)·CHUNK/rate s, and each 16.7 ms window of chunks becomes one entryPatch (≤ 60/s). */
function hostPatches(text: string, rate: number): string[] {
  const windows: string[] = [];
  const charsPerWindow = (rate * FRAME_MS) / 1000;
  let current = '';
  let windowEnd = charsPerWindow;
  for (let i = 0; i < text.length; i += CHUNK) {
    const arrival = i + CHUNK; // characters received when this chunk lands
    if (arrival > windowEnd && current) {
      windows.push(current);
      current = '';
      while (windowEnd < arrival) windowEnd += charsPerWindow;
    }
    current += text.slice(i, i + CHUNK);
  }
  if (current) windows.push(current);
  return windows;
}

/** A lower bound for ANY renderer that shows the stream as it arrives: the same patches, each appended as
 * plain text (no markdown, no sanitizer) to the last paragraph of the answer (a new paragraph at each blank
 * line), placed in the same md-chunk / md-section wrappers as the rendered answer, one update and layout per
 * frame in the same scroller. What is left is the browser's own cost of changing and laying out a frame, which the
 * one-shot floor pays once. */
async function plainText(page: Page, windows: string[]): Promise<Omit<Phase, 'cdpTaskMs'>> {
  await page.evaluate(() => window.__difyBench.setupPage());
  return page.evaluate(
    async ({ windows }) => {
      const B = window.__difyBench;
      const { sc, el } = B.answerBox();
      const placer = new B.ChunkPlacer(el);
      let last: Text | undefined;
      let work = 0;
      let longest = 0;
      performance.mark('bench-stream');
      for (const batch of windows) {
        await B.nextTask();
        const t0 = performance.now();
        const paras = batch.split('\n\n');
        for (let p = 0; p < paras.length; p++) {
          if (p > 0 || !last) {
            const para = document.createElement('p');
            para.append((last = document.createTextNode('')));
            placer.place([para]);
          }
          last.appendData(paras[p]);
        }
        sc.scrollTop = sc.scrollHeight;
        const ms = performance.now() - t0;
        work += ms;
        longest = Math.max(longest, ms);
      }
      return { workMs: work, longestMs: longest, tasks: windows.length };
    },
    { windows },
  );
}

/** Naive: `el.innerHTML = DOMPurify.sanitize(marked.parse(all))` on every chunk. Sampled: S chunk
 * updates spread over the stream are timed and the per-chunk cost is linearly interpolated over all
 * n chunks (it grows with the prefix length). The longest task is the largest sample (the last chunk). */
async function naive(page: Page, text: string): Promise<Omit<Phase, 'cdpTaskMs'> & { sampled: number; chunks: number }> {
  await page.evaluate(() => window.__difyBench.setupPage());
  return page.evaluate(
    async ({ text, CHUNK, S }) => {
      const B = window.__difyBench;
      const { sc, el } = B.answerBox();
      const n = Math.ceil(text.length / CHUNK);
      const points: [number, number][] = [];
      for (let s = 1; s <= S; s++) {
        const k = Math.max(2, Math.round((s / S) * n)); // chunk index (1-based)
        el.innerHTML = B.naive(text.slice(0, (k - 1) * CHUNK)); // the DOM as it was before this chunk
        sc.scrollTop = sc.scrollHeight;
        await new Promise((r) => setTimeout(r, 0));
        const t0 = performance.now();
        el.innerHTML = B.naive(text.slice(0, k * CHUNK));
        sc.scrollTop = sc.scrollHeight;
        points.push([k, performance.now() - t0]);
      }
      // Σ over k = 1..n of cost(k), cost linear between samples (and from 0 at k = 0).
      const pts: [number, number][] = [[0, 0], ...points];
      let total = 0;
      for (let i = 1; i < pts.length; i++) {
        const [k0, c0] = pts[i - 1];
        const [k1, c1] = pts[i];
        total += ((c0 + c1) / 2) * (k1 - k0);
      }
      return { workMs: total, longestMs: Math.max(...points.map((p) => p[1])), tasks: n, sampled: S, chunks: n };
    },
    { text, CHUNK, S: NAIVE_SAMPLES(text.length) },
  );
}

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
      const naiveRuns: (Phase & { sampled: number; chunks: number })[] = [];
      for (let run = 0; run < RUNS; run++) {
        // A fresh page per run and phase keeps GC and DOM state independent. Each rate's phase comes right
        // after a one-shot render of its own, so the two see the same machine (this one is shared: a floor
        // measured 316 ms in one minute and 645 ms in another). The naive baseline is sampled once per size
        // (its extrapolation, not run-to-run noise, dominates its uncertainty).
        for (const phase of [...RATES.flatMap((r) => [FLOOR + r, String(r)]), ...RATES.map((r) => PLAIN + r), ...(run === 0 ? ['naive'] : [])]) {
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
          else if (phase.startsWith(PLAIN)) {
            const rate = Number(phase.slice(PLAIN.length));
            plainRuns.set(rate, [...(plainRuns.get(rate) ?? []), await measure(cdp, () => plainText(tp.page, patches.get(rate)!))]);
          } else {
            const rate = Number(phase);
            oursRuns.set(rate, [...(oursRuns.get(rate) ?? []), await measure(cdp, () => ours(tp.page, patches.get(rate)!))]);
          }
          const problems = await tp.problems();
          if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
          await tp.close();
        }
        process.stderr.write(`  ${label}: run ${run + 1}/${RUNS} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
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
        const wallX = paired(oursRuns.get(rate)!, floors, 'workMs');
        const cpuX = paired(oursRuns.get(rate)!, floors, 'cpuSumMs');
        /** Against the floor plus the layout of everything (see Floor). */
        const laidOutX = paired(oursRuns.get(rate)!, floors.map((f) => ({ ...f, workMs: f.workMs + f.allLaidOutMs })), 'workMs');
        rows.push([label, `ours @ ${rate} chars/s`, fmt(o.workMs), fmt(o.cpuSumMs ?? NaN), `${fmt(o.longestMs)} / ${fmt(o.cpuLongestStreamMs ?? o.cpuLongestMs ?? NaN)}`, ratio(o.workMs, nv.workMs), `${times(wallX)} / ${times(cpuX)}`, `${o.frames} frames, ${o.renders} renders (${o.fastAppends} fast appends, ${o.partialRenders} by list item), ${o.longTasks ?? 0} long tasks; ${times(laidOutX)} the floor with all of it laid out`]);
        rows.push([label, `plain text @ ${rate} chars/s (lower bound)`, fmt(lb.workMs), fmt(lb.cpuSumMs ?? NaN), `${fmt(lb.longestMs)} / ${fmt(lb.cpuLongestStreamMs ?? lb.cpuLongestMs ?? NaN)}`, ratio(lb.workMs, nv.workMs), `${ratio(lb.workMs, fr.workMs)} / ${ratio(lb.cpuSumMs ?? NaN, fr.cpuSumMs ?? NaN)}`, `${lb.tasks} frames, each: append the patch as plain text + layout; ours is ${ratio(o.workMs, lb.workMs)} of it`]);
        const within = wallX <= 1.3;
        const cpuRatio = times(cpuX);
        // The stream's tasks: the driver's setup task (passing the whole text and the host's patches into the
        // page, 35 ms at 1 MB) is not the panel's work.
        const cpuLongest = o.cpuLongestStreamMs ?? o.cpuLongestMs ?? o.longestMs;
        const short = cpuLongest <= 10;
        const verdict = `${label} @ ${rate} chars/s: total ${times(wallX)} of floor wall (${cpuRatio} by trace CPU time) (target ≤ 1.30×, judged on wall main-thread ms) ${within ? 'MET' : 'MISSED'}; longest task of the stream ${fmt(cpuLongest)} ms CPU (wall ${fmt(o.longestMs)} ms) (target ≤ 10 ms, judged on CPU time) ${short ? 'MET' : 'MISSED'}.`;
        const bound = ` Lower bound at this rate: showing the same patches as plain text, one update per frame, costs ${fmt(lb.workMs)} ms = ${ratio(lb.workMs, fr.workMs)} of the floor${lb.workMs > 1.3 * fr.workMs ? ' — above the 1.3× target before any markdown is rendered' : ''}; ours is ${ratio(o.workMs, lb.workMs)} of that bound.`;
        const laidOut = ` Against the floor plus the style and layout of the whole answer (${fmt(fr.allLaidOutMs)} ms more: the one-shot render lays out only the end, near the screen; a stream shown as it arrives lays out every block once): ${times(laidOutX)}.`;
        notes.push(verdict + bound + laidOut + explain(o, fr, within, short, text.length, rate));
        summary.push(
          { benchmark: `${label} @ ${rate} chars/s, 5-char chunks: main-thread total`, ours: `${fmt(o.workMs)} ms`, baseline: `${fmt(nv.workMs)} ms (naive, extrapolated)`, floor: `${fmt(fr.workMs)} ms`, ratio: `${times(wallX)} floor (CPU ${cpuRatio}; ${times(laidOutX)} the floor with all of it laid out; plain-text lower bound ${ratio(lb.workMs, fr.workMs)}), ${ratio(nv.workMs, o.workMs)} faster than naive`, target: '≤ 1.3× floor', met: within },
          { benchmark: `${label} @ ${rate} chars/s: longest task (CPU)`, ours: `${fmt(cpuLongest)} ms`, baseline: `${fmt(nv.longestMs)} ms (naive, wall)`, floor: `${fmt(fr.cpuLongestMs ?? fr.longestMs)} ms`, ratio: `plain-text lower bound: ${fmt(lb.cpuLongestStreamMs ?? lb.cpuLongestMs ?? lb.longestMs)} ms`, target: '≤ 10 ms', met: short },
        );
        results.push({ size, rate, phase: 'ours', runCount: RUNS, ...o, runs: oursRuns.get(rate) }, { size, rate, phase: 'plain', runCount: RUNS, ...lb, runs: plainRuns.get(rate) });
      }
      rows.push([label, 'floor (one-shot of final)', fmt(fl.workMs), fmt(fl.cpuSumMs ?? NaN), `${fmt(fl.longestMs)} / ${fmt(fl.cpuLongestMs ?? NaN)}`, ratio(fl.workMs, nv.workMs), '1.00×', `1 render; laying all of it out (content-visibility off) takes ${fmt(fl.allLaidOutMs)} ms more`]);
      results.push({ size, phase: 'naive', ...nv, runs: naiveRuns }, { size, phase: 'floor', runCount: RUNS, ...fl, runs: Object.fromEntries(floorRuns) });
    }
    if (process.env.BENCH_CODE !== '0') codeBlocks = await measureCodeBlocks(h, 3, median);
  } finally {
    await h.close();
  }
  const head = ['answer', 'method', 'main-thread ms (wall)', 'CPU ms (trace)', 'longest task ms wall / CPU', 'vs naive', 'vs floor wall / CPU', 'notes'];
  printTable([head, ...rows]);
  const method = [
    `Medians of ${RUNS} run(s) at ${SIZES.join(' and ')} chars (naive: 1 sampled run per size). Headless Chromium (/usr/bin/chromium), production-minified bench bundle of the real renderer, media/panel.css applied, answer in a 600 px scroller kept at the bottom as in the panel. Wall time ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    'main-thread ms = Σ performance.now() around each task\'s work incl. the layout forced by scrolling to the bottom (what the frame would cost); CPU ms = Σ thread time of the page\'s main-thread tasks in a CDP trace (adds the driver\'s small tasks and GC; not inflated by other processes on a shared machine); CDP TaskDuration (Performance.getMetrics delta) is in render.json.',
    `ours: the answer arrives in ${CHUNK}-char chunks at the given rate; the host coalesces each ${FRAME_MS.toFixed(1)} ms window into one entryPatch (≤60/s); each patch is a task; the FrameScheduler renders in animation frames, at most every max(1 frame, min(${MAX_WAIT_MS} ms, ${COST_FACTOR}× the last render's repeated work — its JavaScript minus the time spent rendering newly finished blocks; the layout after it is not counted, as in the panel)) (frames it skips cost ~nothing and carry the text to the next render); frames are driven back to back on a virtual clock (+${FRAME_MS.toFixed(1)} ms per frame) instead of waiting. Every frame reads scrollHeight (its layout) and, as the panel does, scrolls to the bottom — while a burst is rendered in slices only every ${CATCH_UP_FOLLOW_MS} ms of that clock, in a frame without a slice, and at its end in the next frame (src/webview/follow.ts).`,
    'naive: el.innerHTML = DOMPurify.sanitize(marked.parse(all)) on EVERY chunk (no highlighting). Not run in full (hours for 1 MB): the cost of sampled chunk updates is linearly interpolated over all chunks — an extrapolation.',
    `longest task: wall = the longest timed task (performance.now(), counts time the OS gave other processes); CPU = the longest main-thread RunTask by thread time in a CDP trace, among the tasks after the page marks the stream's start (ours, GC, the browser's frames; not the driver's setup task, which passes the whole text and the host's patches into the page: render.json keeps it as cpuLongestMs). The ≤ 10 ms target is judged on CPU time because the bench machine is shared.`,
    'Before each phase the page runs the same idle-time warm-up the panel runs after load (samples of every block kind and CJK text laid out off-screen; the highlight worker is started and compiles its grammars on its own thread).',
    'code blocks: a one-block answer shown at once. "main thread (before)": render, highlight.js, sanitizing its HTML and layout in one task, as the panel did before the worker. "worker (now)": the render and layout (one task), then the worker\'s result put in as spans (a block of more than 64 lines: in groups of 16 lines over the next animation frames, at most one on screen per frame), and the browser\'s frames that style, lay out and paint them (in the CPU figures). Both start with the grammar warm on their thread.',
    'plain text (lower bound): the same host patches appended as plain text to the last paragraph (a new one at each blank line; paragraphs in the same md-chunk / md-section wrappers as the answer), with the same per-frame layout and scroll — the browser\'s own cost of showing a stream frame by frame, with no markdown at all. Any renderer that updates every frame costs at least this.',
    'floor, all laid out: after the floor is measured, the wrappers\' content-visibility is turned off and the whole answer styled and laid out (not counted in the floor). A stream shown as it arrives lays out every block once, the one-shot render only those near the screen; "the floor with all of it laid out" adds that time to the floor.',
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
  console.log('\nMethod:\n' + method.map((m) => '  - ' + m).join('\n'));
  console.log('\nTargets:\n' + notes.map((n) => '  - ' + n).join('\n'));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/render.json'), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, chunk: CHUNK, rates: Object.fromEntries(SIZES.map((s) => [s, ratesFor(s)])), wallSeconds: (Date.now() - started) / 1000, method, targets: notes, rows: summary, results, codeBlocks }, null, 2));
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

/** The median of the runs' ratios, each run against the one-shot render measured right before it. */
function paired(runs: Phase[], floors: Phase[], key: 'workMs' | 'cpuSumMs'): number {
  return median(runs.map((r, i) => (r[key] ?? NaN) / (floors[i]?.[key] ?? NaN)));
}

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
