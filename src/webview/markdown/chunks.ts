// Where rendered markdown's top-level nodes go, by position, in the incremental and the one-shot render alike (so
// their DOMs stay identical): the first CHUNK_NODES directly in the answer, every further CHUNK_NODES in a
// `div.md-chunk`, every SECTION_CHUNKS chunks in a `div.md-section`. Both wrappers have `content-visibility: auto`
// (media/panel.css), so appending to a long answer lays out one chunk, not the whole answer.
// `holdBack()` keeps what a burst places below the view out of the document until `release()`, so the browser lays
// it out once. The sizes and their measurements: docs/performance.md, "Why the renderer is built this way".
/** Top-level nodes (elements and the newline text nodes between them) per `div.md-chunk`. */
export const CHUNK_NODES = 32;
/** Chunks per `div.md-section`. */
export const SECTION_CHUNKS = 16;

function wrapper(className: string): HTMLDivElement {
  const c = document.createElement('div');
  c.className = className;
  return c;
}

/** Wrappers created by one `place` call, not in the answer yet. */
interface Fresh {
  chunks: [HTMLElement, HTMLElement][];
  sections: HTMLElement[];
}

/** Appends and removes top-level nodes at the end of `root`, keeping the layout above. */
export class ChunkPlacer {
  private readonly chunks: HTMLElement[] = [];
  private readonly sections: HTMLElement[] = [];
  /** While held back: appends to what is in the document, in order (see `holdBack`). */
  private held: [ParentNode, Node[]][] | null = null;
  /** While held back: nodes taken out of the answer that are still in the document until `release()`. */
  private readonly leaving: Node[] = [];
  /** Wrappers `unplace` left empty, still in the document, last one first: the next `place` refills them, and
   * `trim()` removes those it did not. */
  private readonly spareChunks: HTMLElement[] = [];
  private readonly spareSections: HTMLElement[] = [];
  /** @param placed top-level nodes already in `root` (at most CHUNK_NODES, none wrapped). */
  constructor(
    private readonly root: ParentNode,
    private placed = 0,
  ) {}

  /** Appends nodes after the ones already placed (the last chunk is filled first). New wrappers are filled
   * before they are put in: nodes go into the live answer once, as in the one-shot render. */
  place(nodes: Node[]): void {
    let i = 0;
    /** New wrappers, put in once filled: each chunk into its section, then new sections into the answer. */
    const fresh: Fresh = { chunks: [], sections: [] };
    while (i < nodes.length) {
      let target: ParentNode = this.root;
      let room = CHUNK_NODES - this.placed;
      if (room <= 0) {
        room = CHUNK_NODES - ((this.placed - CHUNK_NODES) % CHUNK_NODES);
        if (room === CHUNK_NODES) this.addChunk(fresh);
        target = this.chunks[this.chunks.length - 1];
      }
      const part = i === 0 && nodes.length <= room ? nodes : nodes.slice(i, i + room);
      this.put(target, part, fresh);
      this.placed += part.length;
      i += part.length;
    }
    for (const [section, chunk] of fresh.chunks) this.put(section, [chunk], fresh);
    if (fresh.sections.length) this.put(this.root, fresh.sections, fresh);
  }

  /** Until `release()`, what is placed stays out of the document (see the top of this file). */
  holdBack(): void {
    this.held ??= [];
  }

  /** Puts what was held back into the document: first out what it replaces, then in what it adds. */
  release(): void {
    const q = this.held;
    this.held = null;
    for (const n of this.leaving.splice(0)) (n as ChildNode).remove();
    if (q) for (const [target, nodes] of q) target.append(...nodes);
  }

  /** Whether placed or removed nodes are waiting for `release()`. */
  get holding(): boolean {
    return !!this.held?.length || this.leaving.length > 0;
  }

  /** Takes a node out now or, held back and still shown, at `release()`: what is on screen stays there until
   * what replaces it goes in, so a held-back render never shows less than the one before (no flicker, and the
   * view keeps its place). */
  private remove(n: Node): void {
    if (this.held && n.isConnected) this.leaving.push(n);
    else (n as ChildNode).remove();
  }

  /** Appends nodes to an element inside what was placed (a resumed block's new lines, items, rows), held back as
   * `place` is. */
  appendTo(target: ParentNode, nodes: Node[]): void {
    if (this.held && (target as Node).isConnected) this.held.push([target, nodes]);
    else target.append(...nodes);
  }

  /** Removes nodes from inside what was placed, held back as `unplace` is. */
  removeNodes(nodes: Node[]): void {
    for (const n of nodes) this.remove(n);
    this.forget(nodes);
  }

  /** Drops removed nodes from the appends held back. */
  private forget(nodes: Node[]): void {
    if (!this.held?.length) return;
    const removed = new Set(nodes);
    this.held = this.held.map(([t, ns]): [ParentNode, Node[]] => [t, ns.filter((n) => !removed.has(n))]).filter(([, ns]) => ns.length > 0);
  }

  /** Appends now or, held back, queues appends to anything but this call's new wrappers. */
  private put(target: ParentNode, nodes: Node[], fresh: Fresh): void {
    const isFresh = target !== this.root && (fresh.sections.includes(target as HTMLElement) || fresh.chunks.some(([, c]) => c === target));
    if (this.held && !isFresh) this.held.push([target, nodes]);
    else target.append(...nodes);
  }

  /**
   * Removes the LAST `nodes.length` placed nodes (`nodes` themselves; held back, those on screen go at `release()`).
   * Wrappers left empty stay in the document until `trim()`, for the next `place` to refill — unless the next
   * nodes go directly into the answer (after its sections, out of order): then they all go at once. A render takes its unfinished
   * tail out and puts the new one in: when that tail starts a chunk, removing and re-creating the chunk on every
   * frame made each such frame pay for it — Chromium's style update after an element with `content-visibility`
   * leaves the document takes time in proportion to the whole answer (1 MB: 4 ms per removal, 15–20 ms frames
   * in a stream).
   */
  unplace(nodes: Node[]): void {
    const gone: Node[] = [...nodes];
    for (const n of nodes) this.remove(n);
    this.placed -= nodes.length;
    const chunks = Math.max(0, Math.ceil((this.placed - CHUNK_NODES) / CHUNK_NODES));
    const keep = this.placed >= CHUNK_NODES;
    if (!keep) this.trim();
    const empty = (w: HTMLElement, spares: HTMLElement[]) => (keep ? spares : gone).push(w);
    while (this.chunks.length > chunks) empty(this.chunks.pop()!, this.spareChunks);
    const sections = Math.ceil(chunks / SECTION_CHUNKS);
    while (this.sections.length > sections) empty(this.sections.pop()!, this.spareSections);
    for (const w of gone.slice(nodes.length)) this.remove(w);
    // Held back (a burst's slice that re-renders its unfinished tail): what was removed must not be put in later.
    this.forget(gone);
  }

  /** Removes the wrappers `unplace` left empty and `place` did not refill. */
  trim(): void {
    for (const w of this.spareChunks.splice(0)) this.remove(w);
    for (const w of this.spareSections.splice(0)) this.remove(w);
  }

  /** Forgets everything placed (the caller empties `root`). */
  reset(): void {
    this.held = null;
    this.leaving.length = 0;
    this.spareChunks.length = 0;
    this.spareSections.length = 0;
    this.chunks.length = 0;
    this.sections.length = 0;
    this.placed = 0;
  }

  private addChunk(fresh: Fresh): void {
    if (this.chunks.length % SECTION_CHUNKS === 0) {
      const spare = this.spareSections.pop();
      const s = spare ?? wrapper('md-section');
      this.sections.push(s);
      if (!spare) fresh.sections.push(s);
    }
    const spare = this.spareChunks.pop();
    if (spare) {
      this.chunks.push(spare); // in its section already
      return;
    }
    const c = wrapper('md-chunk');
    this.chunks.push(c);
    fresh.chunks.push([this.sections[this.sections.length - 1], c]);
  }
}

/** Lays a rendered fragment's top-level nodes out as the incremental DOM holds them. */
export function chunked(frag: DocumentFragment): DocumentFragment {
  const rest = Array.from(frag.childNodes).slice(CHUNK_NODES);
  if (rest.length) new ChunkPlacer(frag, CHUNK_NODES).place(rest);
  return frag;
}
