// When the view follows a stream (kept at the bottom), how often it scrolls.
//
// While an answer streams, the view follows every frame. While a long answer is rendered in slices — a burst
// (a fast or local server, a replaced answer, a restored long history) that the renderer takes in over many
// frames — following every slice would make the browser lay out and paint every slice's text as it races
// past the viewport, text nobody can read at that speed: at 1 MB, that layout and paint cost more than
// rendering the markdown. The view then follows at most once a second (CATCH_UP_FOLLOW_MS), so the slices in
// between land below the viewport, where `content-visibility: auto` (media/panel.css, .md-chunk and
// .md-section) skips their style, layout and paint, and it follows at once when the renderer has caught up.
// Each follow reveals a chunk the browser has not laid out yet (a ~10 ms frame of layout, style and paint,
// measured in a CPU trace), so it gets a frame of its own: that frame renders no slice. A burst of 50 KB (a
// third of a second of slices) follows only at its end, and 1 MB (about two seconds) twice on the way.

/** How often the view follows while a burst is being rendered in slices, ms. */
export const CATCH_UP_FOLLOW_MS = 1000;

export class FollowPolicy {
  private last = -Infinity;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The view was scrolled to the bottom. */
  followed(): void {
    this.last = this.now();
  }

  /** While a burst is rendered in slices: whether this frame follows (and renders no slice). */
  due(): boolean {
    return this.now() - this.last >= CATCH_UP_FOLLOW_MS;
  }
}
