// When the view follows a stream (kept at the bottom), how often it scrolls.
//
// While an answer streams, the view follows every frame. While a long answer is rendered in slices — a burst
// (a fast or local server, a replaced answer, a restored long history) that the renderer takes in over many
// frames — following every slice would make the browser lay out and paint every slice's text as it races
// past the viewport, text nobody can read at that speed: at 1 MB, that layout and paint cost more than
// rendering the markdown. The view then follows at most once a second (CATCH_UP_FOLLOW_MS), the first time
// FIRST_CATCH_UP_FOLLOW_MS after the burst starts, so the slices in
// between land below the viewport, where they are held back out of the document (src/webview/markdown/chunks.ts)
// until the next follow or the end, and `content-visibility: auto` (media/panel.css, .md-chunk and .md-section)
// skips the style, layout and paint of what is put in away from the view; it follows at once when the renderer
// has caught up. What was held back is put in by a frame of its own, before the follow's.
// Each follow reveals a chunk the browser has not laid out yet (a ~10 ms frame of layout, style and paint,
// measured in a CPU trace), so it gets a frame of its own: that frame renders no slice. A burst of 50 KB (a
// quarter of a second of slices) follows only at its end, and 1 MB (about two seconds) three times on the way.

/** How often the view follows while a burst is being rendered in slices, ms. */
export const CATCH_UP_FOLLOW_MS = 1000;
/** The first follow of a burst comes this long after it starts (or CATCH_UP_FOLLOW_MS after the last follow, if
 * later), ms. A 50 KB burst (12–16 slices: about a quarter of a second) then follows only at its end; it had
 * followed at once too (its first release and follow cost 10–14 ms of its frames, with what the next slices then
 * laid out in view), and a second later would leave a long burst at the bottom of a full panel unseen that long. */
export const FIRST_CATCH_UP_FOLLOW_MS = 300;

/**
 * The follow decisions of a view kept at the bottom, frame by frame (the panel, and the render bench's model
 * of it): `followNow()` at the start of a frame, `rendered()` after its render, `free` for a regular follow.
 */
export class FollowPolicy {
  private last = -Infinity;
  /** The last render left text for the next frames (a burst rendered in slices). */
  private catchingUp = false;
  /** The burst has ended; its follow to the end waits for the next frame. */
  private ending = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Whether this frame only follows, rendering no slice: about once a second while a burst catches up. */
  followNow(): boolean {
    return this.catchingUp && this.now() - this.last >= CATCH_UP_FOLLOW_MS;
  }

  /** After a render, `more`: text is left for the next frames. True when a burst has just caught up: call
   * `ended()` in the next frame, then follow to the end. */
  rendered(more: boolean): boolean {
    if (more && !this.catchingUp) this.last = Math.max(this.last, this.now() - CATCH_UP_FOLLOW_MS + FIRST_CATCH_UP_FOLLOW_MS);
    const caughtUp = this.catchingUp && !more;
    this.catchingUp = more;
    if (caughtUp) this.ending = true;
    return caughtUp;
  }

  /** The frame after a burst caught up. */
  ended(): void {
    this.ending = false;
  }

  /** Whether a regular follow (after the frame's layout) may scroll: not while a burst is sliced or ends. */
  get free(): boolean {
    return !this.catchingUp && !this.ending;
  }

  /** The view was scrolled to the bottom. */
  followed(): void {
    this.last = this.now();
  }
}
