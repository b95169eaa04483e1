// The render benchmark's phases, each run in a fresh page of the bench bundle (bench/render/entry.ts): the
// one-shot floor, the panel's streaming path (ours), the plain-text lower bound and the naive baseline. Used by
// run.ts (the table of `npm run bench`) and ab.ts (A/B comparisons of two versions of the renderer).
import type { Page } from 'playwright-core';
import type { Phase } from './trace';

export const CHUNK = 5;
export const FRAME_MS = 1000 / 60;
/** Naive baseline: number of sampled chunk updates (their cost is interpolated over all chunks). */
export const NAIVE_SAMPLES = (size: number) => (size > 200_000 ? 12 : 40);

export interface Ours extends Phase {
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
  /** Frames after the stream's end (its last patch, then the run's end) until the whole answer was shown. */
  framesAfterEnd: number;
}

export interface Floor extends Phase {
  /** After the floor: the style and layout of ALL of the answer (the wrappers' content-visibility off), ms. The
   * one-shot render lays out only what is near the screen; a stream shown as it arrives lays out every block
   * once, as it arrives. Not part of the floor's figures. */
  allLaidOutMs: number;
}

export async function floor(page: Page, text: string): Promise<Omit<Phase, 'cdpTaskMs'>> {
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
export async function allLaidOut(page: Page): Promise<number> {
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
export async function ours(page: Page, windows: string[], at?: number[]): Promise<Omit<Ours, 'cdpTaskMs'>> {
  await page.evaluate(() => window.__difyBench.setupPage());
  return page.evaluate(
    async ({ windows, FRAME_MS, at }) => {
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
      /** As the panel passes it (src/webview/views/entry.ts): the answer's end is below the viewport. */
      const belowView = () => el.getBoundingClientRect().bottom > sc.getBoundingClientRect().bottom;
      const stick = () => {
        if (gap() >= 1 && follow.free) scrollToEnd();
      };
      // As in the panel, the flush only writes (its cost, which spaces the renders, is the render's); the frame's
      // layout follows it (`stick`, below), outside what the scheduler measures.
      const scheduler = new B.FrameScheduler(
        () => {
          B.noteFrameOverhead(scheduler.stats.lastBrowserMs); // as the panel's flush does
          if (follow.followNow()) {
            if (md.holding) {
              md.release(); // what the slices held back, in a frame of its own; the follow is the next one
              scheduler.schedule(true);
              return;
            }
            if (gap() >= 1) {
              scrollToEnd(); // a follow while catching up: this frame renders no slice
              scheduler.schedule(true);
              return;
            }
          }
          md.render(belowView());
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
        const dbg = (window as unknown as { __benchDebug?: string[] }).__benchDebug;
        if (dbg) dbg.push(`${kind} ${frame} ${ms.toFixed(1)} ms, renders ${md.stats.renders}, resumes ${md.stats.resumes}, seals ${md.stats.seals}, holding ${md.holding}, shown ${md.shown}/${received}, overhead ${scheduler.stats.lastBrowserMs.toFixed(0)}`);
      };
      for (let w = 0; w < windows.length; w++) {
        const batch = windows[w];
        // At a model's rate a patch does not come every frame (`at`: the frame each one lands in); the clock
        // jumps to it, so 250 s of stream take seconds of wall time.
        const tick = at ? at[w] : w;
        clock = Math.max(clock, tick * FRAME_MS);
        await B.nextTask();
        received += batch.length;
        timed('patch', w, () => {
          md.append(batch); // the entryPatch handler
          scheduler.schedule();
        });
        // The animation frames until the next patch lands, while one is requested (a frame the budget skips
        // re-requests itself; frames nothing asked for do not run).
        const last = at && w + 1 < at.length ? at[w + 1] : tick + 1;
        for (let t = tick + 1; t <= last && (pendingFrame || endFrame || t === tick + 1); t++) {
          await B.nextTask();
          clock = t * FRAME_MS;
          if (pendingFrame || endFrame) timed('frame', w, frame); // the animation frame (skipped by the budget: re-requests itself)
        }
      }
      await B.nextTask();
      const t0 = performance.now();
      timed('finish', windows.length, () => {
        md.finish(belowView()); // status → succeeded (an urgent flush)
        rendered();
        stick();
      });
      const finishMs = performance.now() - t0;
      let frames = windows.length;
      const lastWindow = frames;
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
        skipped: scheduler.stats.skipped, frameMs, patchMs, finishMs, longestAt, firstFramesLongestMs, framesAfterEnd: frames - lastWindow,
      };
    },
    { windows, FRAME_MS, at },
  );
}

/** The frame (index of its 16.7 ms window) each of `hostPatches(text, rate)`'s patches lands in. */
export function patchFrames(text: string, rate: number): number[] {
  const frames: number[] = [];
  const charsPerWindow = (rate * FRAME_MS) / 1000;
  let pending = false;
  let window = 0;
  let windowEnd = charsPerWindow;
  for (let i = 0; i < text.length; i += CHUNK) {
    const arrival = i + CHUNK;
    if (arrival > windowEnd && pending) {
      frames.push(window);
      pending = false;
      while (windowEnd < arrival) {
        windowEnd += charsPerWindow;
        window++;
      }
    } else if (arrival > windowEnd) {
      while (windowEnd < arrival) {
        windowEnd += charsPerWindow;
        window++;
      }
    }
    pending = true;
  }
  if (pending) frames.push(window);
  return frames;
}

/** What the host posts when the answer arrives in CHUNK-character chunks at `rate` chars/s: chunk i lands
 * at (i+1)·CHUNK/rate s, and each 16.7 ms window of chunks becomes one entryPatch (≤ 60/s). */
export function hostPatches(text: string, rate: number): string[] {
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
export async function plainText(page: Page, windows: string[]): Promise<Omit<Phase, 'cdpTaskMs'>> {
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
export async function naive(page: Page, text: string): Promise<Omit<Phase, 'cdpTaskMs'> & { sampled: number; chunks: number }> {
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

/** Peer baseline: sampled frames it runs in full up to this many patches; above, PEER_SAMPLES(size) frames are timed. */
export const PEER_FULL = 200;
export const PEER_SAMPLES = (size: number) => (size > 200_000 ? 12 : 40);

/** The peer baseline: what chat panels built on React-style markdown components do, the WHOLE answer so far
 * re-rendered (`el.innerHTML = DOMPurify.sanitize(marked.parse(all))`, no highlighting) once per animation frame
 * that brought text — the same host patches as `ours`. Up to PEER_FULL patches (and 200 KB) every frame is run and
 * timed (each its own task, with the same layout and scroll); above, PEER_SAMPLES frames spread over the stream are timed on
 * the DOM of the frame before them and the per-frame cost is linearly interpolated over all frames (it grows with
 * the prefix): an extrapolation, like `naive`'s. */
export async function peer(page: Page, windows: string[]): Promise<Omit<Phase, 'cdpTaskMs'> & { sampled: number; frames: number }> {
  await page.evaluate(() => window.__difyBench.setupPage());
  const ends: number[] = [];
  let n = 0;
  for (const w of windows) ends.push((n += w.length));
  const text = windows.join('');
  return page.evaluate(
    async ({ text, ends, full, S }) => {
      const B = window.__difyBench;
      const { sc, el } = B.answerBox();
      const show = (k: number) => {
        el.innerHTML = B.naive(text.slice(0, ends[k]));
        sc.scrollTop = sc.scrollHeight;
      };
      performance.mark('bench-stream');
      const n = ends.length;
      const all = n <= full && text.length <= 200_000;
      const sampled = all ? Array.from({ length: n }, (_, k) => k) : Array.from({ length: S }, (_, s) => Math.max(1, Math.round(((s + 1) / S) * (n - 1))));
      const points: [number, number][] = [];
      for (const k of sampled) {
        if (!all && k > 0) show(k - 1); // the DOM as it was before this frame
        await B.nextTask();
        const t0 = performance.now();
        show(k);
        points.push([k, performance.now() - t0]);
      }
      let total = 0;
      if (all) total = points.reduce((a, p) => a + p[1], 0);
      else {
        // Σ over frames k = 0..n-1 of cost(k), linear between samples (and from 0 before the first).
        const pts: [number, number][] = [[-1, 0], ...points];
        for (let i = 1; i < pts.length; i++) {
          const [k0, c0] = pts[i - 1];
          const [k1, c1] = pts[i];
          total += ((c0 + c1) / 2) * (k1 - k0);
        }
      }
      return { workMs: total, longestMs: Math.max(...points.map((p) => p[1])), tasks: n, sampled: points.length, frames: n };
    },
    { text, ends, full: PEER_FULL, S: PEER_SAMPLES(text.length) },
  );
}
