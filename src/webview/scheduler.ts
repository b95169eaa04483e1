// Coalesces work into animation frames: any number of `schedule()` calls between two frames produce one
// `flush`. The frame source and the clock are injectable so the benchmark can drive frames without
// waiting 16 ms each (on a virtual clock that advances one frame per frame).
//
// Adaptive budget: a flush that cost `c` ms is followed by the next one no sooner than COST_FACTOR × c
// later, and no more than MAX_WAIT_MS later (but see RELAX below). `c` is the flush's own JavaScript (the panel's flush only
// writes; the browser's style, layout and paint of what it changed come after it and are not measured) minus
// its progress (the `progress()` clock: time spent rendering blocks as they finish, which a one-shot render
// pays too), so only repeated work spaces renders out. What that gives while an answer streams:
//   * text that only extends the unfinished block's last Text node (plain prose, open code fences: ~0.05 ms)
//     is shown every frame;
//   * a render that has to re-render the unfinished block (markup arrived: ~0.3–1 ms of JavaScript, and then
//     the browser's work on the replaced block, usually more) is followed by the next one 75–200 ms later, so
//     a fast stream full of markup updates 5–13 times a second, with more text per update, instead of
//     spending every frame re-rendering the same block. Measured (npm run bench, 50 KB at 20 000 chars/s):
//     COST_FACTOR 6 → 128 took the stream from 3.4× to 2.0× the one-shot render; at 1 000 chars/s 17× → 14×.
//     128 → 256 with MAX_WAIT_MS 100 → 200 (issue 30: at a model's rate, ≤ 1.5× the plain-text bound of the same
//     frames and ≤ 2% of a core), same minute, 2 runs each: 50 KB at 200 / 1 000 / 5 000 chars/s went from
//     1.38–1.57× / 1.77–2.36× / 4.3–5.0× the plain-text bound to 1.09× / 1.22× / 3.0×, and from 0.84–0.86% /
//     1.35–1.62% / 2.1–2.4% of a core to 0.70% / 1.10% / 1.67%.
// A render whose repeated work is long (the unfinished block is huge: a long paragraph, list, table or code block
// the browser lays out again whole after each change) is followed by the next one no sooner than RELAX × its cost,
// past MAX_WAIT_MS: at most about a quarter of the time goes to it, and the panel stays responsive between. Its
// cost then includes the browser's work after the flush — style, layout, paint of what it changed, and anything
// else before the next frame — measured as how much later than one frame the next frame came.
// `schedule(true)` (structure and terminal-status changes, the next slice of a burst: taking in new text is
// not repeated work) and `flushNow()` ignore the budget.
export type FrameRequester = (cb: () => void) => void;

/** The next flush waits at least this many times the last flush's repeated work (see above). */
export const COST_FACTOR = 256;
/** Renders are no further apart than this while text arrives, ms (the stream keeps moving), unless they cost more
 * than MAX_WAIT_MS / RELAX (see above). */
export const MAX_WAIT_MS = 200;
/** A render and the browser's work after it take at most about 1 / (RELAX + 1) of the time (see above). */
export const RELAX = 3;
/** Frame-timing jitter tolerated before a frame is skipped, ms. */
const SLACK_MS = 2;
/** One frame at 60 Hz, ms: a frame that came later than this after a flush measures the browser's work. */
const FRAME_MS = 1000 / 60;

export class FrameScheduler {
  private queued = false;
  private urgent = false;
  private notBefore = -Infinity;
  /** The last flush: its start (on the scheduler's clock), its repeated work, when it ended (performance.now()),
   * and whether the frame after it is still to be measured. */
  private last = { start: 0, cost: 0, end: 0, measure: false };
  private readonly request: FrameRequester;
  private readonly now: () => number;
  /** Frames skipped by the budget, the last flush's cost and the browser's work after it (ms), for tests and the
   * benchmark. */
  readonly stats = { flushes: 0, skipped: 0, lastCostMs: 0, lastBrowserMs: 0 };

  constructor(
    private readonly flush: () => void,
    request?: FrameRequester,
    now?: () => number,
    private readonly progress: () => number = () => 0,
  ) {
    this.request = request ?? ((cb) => void requestAnimationFrame(() => cb()));
    this.now = now ?? (() => performance.now());
  }

  schedule(urgent = false): void {
    if (urgent) this.urgent = true;
    if (this.queued) return;
    this.queued = true;
    this.request(this.tick);
  }

  private readonly tick = (): void => {
    if (!this.queued) return; // flushed by flushNow() meanwhile
    if (this.last.measure) {
      this.last.measure = false;
      const browser = Math.max(0, performance.now() - this.last.end - FRAME_MS);
      this.stats.lastBrowserMs = browser;
      const total = this.last.cost + browser;
      if (total > MAX_WAIT_MS / RELAX) this.notBefore = Math.max(this.notBefore, this.last.start + RELAX * total - SLACK_MS);
    }
    if (!this.urgent && this.now() < this.notBefore) {
      this.stats.skipped++;
      this.request(this.tick);
      return;
    }
    this.run();
  };

  private run(): void {
    this.queued = false;
    this.urgent = false;
    const start = this.now();
    const p0 = this.progress();
    const t0 = performance.now();
    this.flush();
    const end = performance.now();
    const cost = Math.max(0, end - t0 - (this.progress() - p0));
    this.stats.flushes++;
    this.stats.lastCostMs = cost;
    this.notBefore = start + Math.min(Math.max(MAX_WAIT_MS, RELAX * cost), COST_FACTOR * cost) - SLACK_MS;
    this.last = { start, cost, end, measure: true };
  }

  /** Runs a pending flush now (used before reading the DOM in tests and on visibility changes). */
  flushNow(): void {
    if (!this.queued) return;
    this.run();
  }

  get isQueued(): boolean {
    return this.queued;
  }
}
