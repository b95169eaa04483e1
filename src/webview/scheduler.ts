// Coalesces work into animation frames: any number of `schedule()` calls between two frames produce one
// `flush`. The frame source and the clock are injectable so the benchmark can drive frames without
// waiting 16 ms each (on a virtual clock that advances one frame per frame).
//
// Adaptive budget: a flush that cost `c` ms is followed by the next one no sooner than COST_FACTOR × c
// later (cheap flushes: every frame). `c` excludes the flush's progress (the `progress()` clock: time spent
// rendering blocks as they finish, which a one-shot render pays too), so only repeated work spaces renders
// out, and a render that carries more text does not earn an even longer wait. When renders get expensive — a long answer, a large unfinished
// block — more text is coalesced into each render instead of spending most of every frame on it, so the
// main thread stays ≤ ~1/COST_FACTOR busy with rendering and the number of renders shrinks as their cost
// grows. `schedule(true)` (structure and terminal-status changes) and `flushNow()` ignore the budget.
export type FrameRequester = (cb: () => void) => void;

/** The next flush waits at least this many times the last flush's cost. */
export const COST_FACTOR = 6;
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
    this.notBefore = start + COST_FACTOR * cost - SLACK_MS;
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
