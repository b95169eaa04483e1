// Coalesces entry patches so the webview gets at most one message per entry per frame (< 60/s),
// whatever the chunk rate of the stream. No `vscode` import.
import type { EntryPatch } from '../shared/entry';
import { mergePatch } from '../shared/entry';

export class PatchBatcher {
  private pending = new Map<string, EntryPatch>();
  private timer?: NodeJS.Timeout;
  /** When the oldest patch waiting arrived (performance.now()). */
  private since = 0;
  /** Running entries whose text has started showing (their first text went out at once). */
  private readonly started = new Set<string>();

  constructor(private readonly send: (patch: EntryPatch) => void, private readonly intervalMs = 17) {}

  push(patch: EntryPatch): void {
    if (!this.pending.size) this.since = performance.now();
    const cur = this.pending.get(patch.id);
    this.pending.set(patch.id, cur ? mergePatch(cur, patch) : { ...patch, nodes: patch.nodes && [...patch.nodes] });
    // A status change ends the entry's stream: deliver without waiting for the next frame.
    if (patch.status !== undefined && patch.status !== 'running') {
      this.started.delete(patch.id);
      this.flush();
      return;
    }
    // The first text of a run is what the person waits for, and nothing is on screen yet to batch it with:
    // it goes at once (held for the interval, it came 17 ms later on every run); what follows is batched.
    if ((patch.answerAppend || patch.thinkingAppend || patch.answer) && !this.started.has(patch.id)) {
      this.started.add(patch.id);
      this.flush();
      return;
    }
    // A stream read faster than it is parsed keeps the host busy from one chunk to the next, and the timer below
    // waits for that to end: a batch that is due goes out on the way.
    if (performance.now() - this.since >= this.intervalMs) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    for (const p of batch) this.send(p);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending.clear();
    this.started.clear();
  }
}
