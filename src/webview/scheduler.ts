// Coalesces work into animation frames: any number of `schedule()` calls between two frames produce one
// `flush`. The frame source and the clock are injectable so the benchmark can drive frames without
// waiting 16 ms each (on a virtual clock that advances one frame per frame).
//
// Adaptive budget: a flush that cost `c` ms is followed by the next one no sooner than COST_FACTOR × c
// later, and never more than MAX_WAIT_MS later. `c` is the flush's own JavaScript (the panel's flush only
// writes; the browser's style, layout and paint of what it changed come after it and are not measured) minus
// its progress (the `progress()` clock: time spent rendering blocks as they finish, which a one-shot render
// pays too), so only repeated work spaces renders out. What that gives while an answer streams:
//   * text that only extends the unfinished block's last Text node (plain prose, open code fences: ~0.05 ms)
//     is shown every frame;
//   * a render that has to re-render the unfinished block (markup arrived: ~0.3–1 ms of JavaScript, and then
//     the browser's work on the replaced block, usually more) is followed by the next one 40–100 ms later, so
//     a fast stream full of markup updates 10–25 times a second, with more text per update, instead of
//     spending every frame re-rendering the same block. Measured (npm run bench, 50 KB at 20 000 chars/s):
//     COST_FACTOR 6 → 128 took the stream from 3.4× to 2.0× the one-shot render; at 1 000 chars/s 17× → 14×.
// `schedule(true)` (structure and terminal-status changes, the next slice of a burst: taking in new text is
// not repeated work) and `flushNow()` ignore the budget.
export type FrameRequester = (cb: () => void) => void;

/** The next flush waits at least this many times the last flush's repeated work (see above). */
export const COST_FACTOR = 128;
/** Renders are never further apart than this while text arrives, ms (the stream keeps moving). */
export const MAX_WAIT_MS = 100;
/** Frame-timing jitter tolerated before a frame is skipped, ms. */
const SLACK_MS = 2;

export class FrameScheduler {
  private queued = false;
  private urgent = false;
  private notBefore = -Infinity;
  private readonly request: FrameRequester;
  private readonly now: () => number;
  /** Frames skipped by the budget, and the last flush's cost (ms), for tests and the benchmark. */
  readonly stats = { flushes: 0, skipped: 0, lastCostMs: 0 };

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
    const cost = Math.max(0, performance.now() - t0 - (this.progress() - p0));
    this.stats.flushes++;
    this.stats.lastCostMs = cost;
    this.notBefore = start + Math.min(MAX_WAIT_MS, COST_FACTOR * cost) - SLACK_MS;
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
