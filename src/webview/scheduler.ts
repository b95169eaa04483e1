// Coalesces work into animation frames: any number of `schedule()` calls between two frames produce one
// `flush`. The frame source is injectable so the benchmark can drive frames without waiting 16 ms each.
export type FrameRequester = (cb: () => void) => void;

export class FrameScheduler {
  private queued = false;
  private readonly request: FrameRequester;

  constructor(private readonly flush: () => void, request?: FrameRequester) {
    this.request = request ?? ((cb) => void requestAnimationFrame(() => cb()));
  }

  schedule(): void {
    if (this.queued) return;
    this.queued = true;
    this.request(() => {
      this.queued = false;
      this.flush();
    });
  }

  /** Runs a pending flush now (used before reading the DOM in tests and on visibility changes). */
  flushNow(): void {
    if (!this.queued) return;
    this.queued = false;
    this.flush();
  }

  get isQueued(): boolean {
    return this.queued;
  }
}
