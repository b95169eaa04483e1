// Incremental markdown rendering for streamed answers (after Cline's MarkdownBlock, made exact).
//
// The answer is split into top-level blocks with marked's lexer. Finished blocks ("segments") keep their
// DOM untouched; each update re-lexes only from the start of the LAST finished segment (an overlap used to
// verify that the segment is still lexed the same way — setext headings, lazy continuations, a `def`
// swallowed by a paragraph… would change its boundary or type) and re-renders only the unfinished tail.
// The final DOM equals a one-shot `sanitize(parse(all))` of the whole answer (see test/webview):
//   * a segment is only finished when another non-space block follows it;
//   * raw HTML that opens an element in one block and closes it in a later one keeps those blocks in one
//     segment (they are sanitized together, as the browser would nest them);
//   * reference definitions (`[x]: url`) found in finished text are fed to every later lex, and when a new
//     one is finished, everything is re-rendered once (earlier blocks may use it);
//   * `finish()` renders the tail with auto-detected highlighting, which is skipped while streaming.
// Per frame the work is kept proportional to the NEW text, not to the unfinished block:
//   * fast append path (`fastAppend`): text that provably only extends the tail's last text (plain prose at
//     the end of a paragraph / heading / list item / table cell, any text but a backtick or tilde in an open
//     fence) is appended to that DOM Text node — never parsed as HTML, so it needs no sanitizing — without
//     lexing or rendering; anything doubtful takes the full path;
//   * a tail that is still the same list or table re-renders only its changed last items / rows;
//   * a long tail (a paragraph of log lines, a list, a table, deep quotes or lists: RESUME_MIN_CHARS and more) is
//     resumed (resume.ts): only its end, from a line where the lexer needs nothing before it but the open path, is
//     lexed and rendered, and grafted into its DOM — re-rendering it whole made every update cost the block's size;
//   * blocks finished in one update and the tail go through ONE sanitizer call (`renderParts`);
//   * the text is split at the last finished segment, so no frame copies the whole answer;
//   * a burst (a fast server, a replaced answer, a long answer shown at once) is rendered in slices: one
//     render takes in about SLICE_MS of new text (at the page's measured cost per character; half of it when
//     the slice lands in view, where its layout follows in the same frame) and leaves the rest `pending` for
//     the next frames, as if it had not arrived yet — no frame freezes on a long answer. A slice renders only
//     the blocks it finishes: its unfinished last block is left to the next slice, and is lexed block-level
//     only (`lexDeferred`), as is the last finished segment re-lexed to check its boundary.
// Layout: the rendered nodes are placed in `div.md-chunk` and `div.md-section` wrappers by position (chunks.ts).
import type { Token } from 'marked';
import { codeUnsafe, dropLastChar, fastTailOf, inlineSafe } from './fastAppend';
import type { FastTail } from './fastAppend';
import { ChunkPlacer, chunked } from './chunks';
import { HtmlDepth, collectDefs, hasHtml, lexDeferred, lexWithLinks, renderParts, renderTokens, shapeOf } from './pipeline';
import type { DeferredLex } from './pipeline';
import type { Links, MarkdownOptions } from './pipeline';
import { highlighter } from './highlighter';
import { contextOf, graftPlan, outerLevels, pathOf, sealable, stripLines } from './resume';
import type { Graft, OpenPath, Plan } from './resume';

interface Segment {
  start: number;
  end: number;
  /** Token types and raw lengths: the lexer's verdict on this text, compared on re-lex. */
  shape: string;
  nodes: Node[];
  defs: [string, Links[string]][];
}

/** A run of tokens finished together (raw HTML spanning blocks keeps them in one group). */
interface Group {
  tokens: Token[];
  start: number;
  end: number;
}

/** The items of a tail that is one list (or table): how each was written, and (when rendered) their elements. */
interface TailItems {
  key: string;
  start: number;
  table: boolean;
  raws: string[];
  box: Element;
  els: Element[];
}

/** Describes a tail made of one list or table (plus blank lines); `nodes` null: from the tokens only. */
function itemsOf(tokens: Token[], nodes: Node[] | null, start: number): TailItems | null {
  const tok = tokens[0];
  if (!tok || (tok.type !== 'list' && tok.type !== 'table')) return null;
  for (let i = 1; i < tokens.length; i++) if (tokens[i].type !== 'space') return null;
  // A reference definition in one item can turn text of another into a link; raw HTML can span items.
  if (hasHtml(tok) || tok.raw.includes(']:')) return null;
  let key: string;
  let raws: string[];
  const table = tok.type === 'table';
  if (!table) {
    const l = tok as unknown as { ordered: boolean; start: number | ''; loose: boolean; items: Token[] };
    key = `list:${l.ordered}:${l.start}:${l.loose}`;
    raws = l.items.map((it) => it.raw);
  } else {
    const t = tok as unknown as { header: { text: string }[]; align: unknown[]; rows: unknown[] };
    const lines = tok.raw.replace(/\n+$/, '').split('\n');
    if (lines.length !== t.rows.length + 2) return null;
    key = `table:${lines[0]}\n${lines[1]}`;
    raws = lines.slice(2);
    if (!raws.length) return null; // no <tbody> yet
  }
  if (!nodes) return { key, start, table, raws, box: null as unknown as Element, els: [] };
  const root = nodes.find((n) => n.nodeType === Node.ELEMENT_NODE) as Element | undefined;
  const box = table ? root?.querySelector(':scope > tbody') : root;
  if (!root || !box || root.tagName !== (table ? 'TABLE' : (tok as unknown as { ordered: boolean }).ordered ? 'OL' : 'UL')) return null;
  const els = Array.from(box.children);
  if (els.length !== raws.length || els.some((e) => e.tagName !== (table ? 'TR' : 'LI'))) return null;
  return { key, start, table, raws, box, els };
}

/** CRLF / CR → LF, as marked's lexer does, but across chunk borders. */
class NewlineNormalizer {
  private pendingCR = false;
  push(chunk: string): string {
    let s = this.pendingCR ? '\r' + chunk : chunk;
    this.pendingCR = s.endsWith('\r');
    if (this.pendingCR) s = s.slice(0, -1);
    return s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s;
  }
  flush(): string {
    const s = this.pendingCR ? '\n' : '';
    this.pendingCR = false;
    return s;
  }
  reset(): void {
    this.pendingCR = false;
  }
}

let committedMs = 0;

/** Time one render of a burst may take, ms (the rest waits for the next frames); with the layout that
 * follows, a slice stays within a 10 ms task. A slice whose text lands in view is laid out in its frame
 * (3–5 ms for a screenful, measured): it gets half of it. */
export const SLICE_MS = 5;
const IN_VIEW_SLICE_MS = SLICE_MS / 2;
/** At most this many slices are held back at once (about 0.4 s of a burst): what one frame puts in and lays out
 * stays bounded however long the answer, and a 50 KB burst (12–16 slices) still goes in at once. Measured with
 * 15 on a loaded minute of this machine (6 runs): the 1 MB burst's longest task 16.2 → 13.0 ms (median) against
 * holding everything until the once-a-second follow; its total unchanged. */
const MAX_HELD_SLICES = 24;
/** A line with only these characters so far may still become any block (see `settled`). */
const UNSETTLED = /^[\s>*+\-_=#`~|:.)\d]*$/;
/** An unfinished block this long or longer is resumed (resume.ts) instead of rendered whole by every update. */
export const RESUME_MIN_CHARS = 4096;
/** A resumed block whose live part (what cannot be sealed yet) grows past this is rendered whole again. */
const LIVE_MAX = 65_536;
/** Bounds of a slice, characters, and the first estimate of the rendering cost per character, ms. */
const MIN_SLICE = 1_000;
const MAX_SLICE = 200_000;
const FIRST_MS_PER_CHAR = 0.006;

/**
 * The page's measured cost of a burst's render per character it renders (taken in, or the unfinished block it
 * renders again), ms: sizes the slices of every answer
 * on the page. The warm-up gives the first figure (`calibrateRenderCost`); each slice then updates it: up at
 * once (a slice that ran long — a table, many code blocks, GC — shrinks the next ones), down by a quarter of
 * the difference (faster, the slices after a light one overran their budget: 7–12 ms tasks). Kept per answer
 * from 6 µs, the estimate took 15 slices to come down to the real cost (≈0.6–1 µs here): a 50 KB burst went
 * in 19–22 slices of 0.5–6 KB, now in 12–16.
 */
let msPerChar = FIRST_MS_PER_CHAR;

function noteSliceCost(ms: number, chars: number): void {
  const m = ms / chars;
  msPerChar = m > msPerChar ? m : (3 * msPerChar + m) / 4;
}

/** Sets the estimate from a render of `chars` characters that took `ms` (the warm-up's, after the code is
 * optimized). A small text carries the fixed cost of a render: the figure errs on the side of small slices. */
export function calibrateRenderCost(ms: number, chars: number): void {
  if (chars > 0 && ms > 0) msPerChar = Math.min(FIRST_MS_PER_CHAR, ms / chars);
}

/** The first `from + budget` characters of `text` or fewer (more than `from + budget / 2`), ending after a
 * line break when one is near. */
function slice(text: string, from: number, budget: number): string {
  const n = from + budget;
  if (text.length <= n) return text;
  const nl = text.lastIndexOf('\n', n - 1);
  if (nl + 1 > from + budget / 2) return text.slice(0, nl + 1);
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code < 0xdc00 ? n - 1 : n); // never split a surrogate pair
}
/**
 * The browser's own work in the last frame past a frame's time (style, layout, paint of what the render changed),
 * ms, as the panel's frame scheduler measured it. A slice may take as long: when every render makes the browser lay
 * out a huge block again (a table of 20 000 rows: 100–200 ms, whatever the slice added), slices of a few ms would
 * take the block in a few KB per such frame and fall minutes behind the stream.
 */
let frameOverheadMs = 0;
export function noteFrameOverhead(ms: number): void {
  frameOverheadMs = ms;
}

/** How long a slice's render may take, ms. */
function sliceMs(belowView: boolean): number {
  return Math.max(belowView ? SLICE_MS : IN_VIEW_SLICE_MS, frameOverheadMs);
}

/**
 * Milliseconds spent so far (all instances) rendering blocks as they FINISH — work a one-shot render of the
 * final answer does as well. The frame budget (src/webview/scheduler.ts) subtracts it from a flush's cost:
 * only repeated work (re-lexing and re-rendering the unfinished tail, layout) makes renders sparser, so more
 * text per render cannot feed back into ever longer renders.
 */
export function renderProgressMs(): number {
  return committedMs;
}

export class IncrementalMarkdown {
  /**
   * The text is kept in three parts: `head` (before `base`, the start of the last finished segment or
   * earlier), `src` (from `base`: what renders work on) and `inbox` (text received and not taken in yet).
   * Slicing or indexing a string built by appending chunks makes V8 flatten it: a copy of all of it. So no
   * frame touches `head`, and a burst's text waits in `inbox` until a slice takes it in: were it appended to
   * `src`, every slice would copy all the text still to come (1 MB shown at once: 80 ms of copies).
   */
  private head = '';
  private src = '';
  private base = 0;
  private inbox: string[] = [];
  private inboxChars = 0;
  private readonly nl = new NewlineNormalizer();
  private segments: Segment[] = [];
  private tailNodes: Node[] = [];
  /** Puts the rendered top-level nodes in their wrappers. */
  private readonly placer: ChunkPlacer;
  private knownLinks: Links = Object.create(null) as Links;
  private dirty = false;
  private finished = false;
  /** The stream is finished AND the last render took in all of it (then the tail is final). */
  private done = false;
  /** Where the text the DOM shows ends (set by every render, fast appends included): the next slice starts
   * there, so a render never shows less than the last one, and each slice goes further, even in one block. */
  private end = 0;
  /** The next `render()` only puts in what was held back. */
  private releaseNext = false;
  /** Slices held back since the last release. */
  private heldSlices = 0;
  /** Counters for tests and the benchmark. */
  readonly stats = { releases: 0, renders: 0, fastAppends: 0, partialRenders: 0, lexedChars: 0, renderedChars: 0, resets: 0, rollbacks: 0, resumes: 0, seals: 0 };
  /** What the last full tail render lets the next appends do without re-rendering (see `fastAppend`). */
  private fast: FastTail | null = null;
  /** The tail's list items / table rows as last rendered (see `partialTail`). */
  private items: TailItems | null = null;
  /**
   * The tail resumed in windows (resume.ts): where it starts, where its next window starts (`seal`, a line start:
   * what is before is rendered for good), its open path there and the context that opens it, and the nodes the
   * last window grafted (replaced by the next one).
   */
  private open: { start: number; seal: number; path: OpenPath; ctx: Map<number, string>; live: Graft[] } | null = null;
  /** A tail that could not be resumed is not tried again before the text reaches this length. */
  private resumeAfter = 0;

  constructor(
    readonly root: HTMLElement,
    private readonly opts: MarkdownOptions = {},
    /** Tests: resume shorter tails. */
    private readonly resumeMin = RESUME_MIN_CHARS,
  ) {
    this.placer = new ChunkPlacer(root);
  }

  /** The (newline-normalized) markdown received so far. */
  get value(): string {
    return this.head + this.src + this.inbox.join('');
  }

  /** How much of the text (`value`) the DOM shows: it never shrinks, and is all of it once nothing is pending, but
   * for a last line still made of block markers only (see `settled`). */
  get shown(): number {
    return this.end;
  }

  private get length(): number {
    return this.base + this.src.length + this.inboxChars;
  }

  /** Moves received text into `src` until it reaches `upTo` (or all of it): whole chunks, the last one cut. */
  private take(upTo = Infinity): void {
    let need = upTo - (this.base + this.src.length);
    if (need <= 0 || !this.inbox.length) return;
    let k = 0;
    let cut = '';
    for (; k < this.inbox.length && need > 0; k++) {
      const c = this.inbox[k];
      if (c.length > need) {
        cut = c.slice(0, need);
        this.inbox[k] = c.slice(need);
        break;
      }
      need -= c.length;
    }
    const taken = this.inbox.splice(0, k);
    if (cut) taken.push(cut);
    const text = taken.length === 1 ? taken[0] : taken.join('');
    this.src += text;
    this.inboxChars -= text.length;
  }

  /** Moves the split between `head` and `src` to `to` (forward: cheap; backward: rebuilds, rare). */
  private rebase(to: number): void {
    if (to === this.base) return;
    if (to > this.base) {
      this.head += this.src.slice(0, to - this.base);
      this.src = this.src.slice(to - this.base);
    } else {
      const all = this.head + this.src;
      this.head = all.slice(0, to);
      this.src = all.slice(to);
    }
    this.base = to;
  }

  append(delta: string): void {
    if (!delta) return;
    this.receive(this.nl.push(delta));
    this.finished = false;
    this.dirty = true;
  }

  private receive(text: string): void {
    if (!text) return;
    this.inbox.push(text);
    this.inboxChars += text.length;
  }

  /** Replaces the whole text; finished segments that are still a prefix of it are kept. */
  setText(full: string): void {
    this.nl.reset();
    const next = this.nl.push(full) + this.nl.flush();
    const text = this.value;
    if (next === text) return;
    const max = Math.min(next.length, text.length);
    let p = 0;
    if (!next.startsWith(text)) while (p < max && next.charCodeAt(p) === text.charCodeAt(p)) p++;
    else p = text.length;
    while (this.segments.length && this.segments[this.segments.length - 1].end > p) this.dropLastSegment();
    this.placer.trim();
    this.end = Math.min(this.end, p); // the new text after the kept prefix is sliced like any burst
    this.head = '';
    this.src = next;
    this.base = 0;
    this.inbox = [];
    this.inboxChars = 0;
    this.fast = null;
    this.open = null; // the next update renders the tail whole
    this.finished = false;
    this.dirty = true;
  }

  /** Puts slices held back by `render(true)` into the document now. */
  release(): void {
    if (this.placer.holding) this.stats.releases++;
    this.releaseNext = false;
    this.heldSlices = 0;
    this.placer.release();
  }

  /** Whether slices are held back out of the document. */
  get holding(): boolean {
    return this.placer.holding;
  }

  /** True when `render()` has work to do. */
  get pending(): boolean {
    return this.dirty || this.releaseNext;
  }

  /** Marks the stream complete: the next render finishes every block (auto highlighting included). */
  finish(belowView = false): void {
    const rest = this.nl.flush();
    this.receive(rest);
    if (!this.finished) {
      this.finished = true;
      this.dirty = true;
    }
    this.render(belowView);
  }

  /**
   * Brings the DOM up to date with the text. Synchronous; call once per animation frame.
   * @param belowView the end of the text is below the viewport (from the last frame's layout): the slices of a
   * burst are then held back out of the document, and put in by a render of their own once the burst is taken
   * in (or by a render without it, or `release()`). Held-back text is always `pending`.
   */
  render(belowView = false): void {
    if (this.releaseNext) {
      this.release(); // a frame of its own for the layout of what was held back; other work waits for the next
      return;
    }
    if (!this.dirty) return;
    this.dirty = false;
    this.stats.renders++;
    if (!this.finished && this.fast && this.fastAppend(this.fast)) {
      this.stats.fastAppends++;
      return;
    }
    this.fast = null;
    if (this.open) {
      if (this.resume(belowView)) {
        this.stats.resumes++;
        return;
      }
      this.giveUp(this.open.start);
    }
    const sigBefore = this.linksSignature();
    const hadSegments = this.segments.length;
    this.update(belowView);
    if (hadSegments && this.linksSignature() !== sigBefore) {
      // A newly finished reference definition may change links in blocks rendered before it.
      this.stats.resets++;
      this.reset();
      this.update(belowView);
    }
    this.placer.trim(); // wrappers the new tail did not refill
  }

  private reset(): void {
    this.releaseNext = false;
    this.fast = null;
    this.open = null;
    this.segments = [];
    this.tailNodes = [];
    this.knownLinks = Object.create(null) as Links;
    this.placer.reset();
    this.root.textContent = '';
  }

  private linksSignature(): string {
    const keys = Object.keys(this.knownLinks);
    if (!keys.length) return '';
    return JSON.stringify(keys.sort().map((k) => [k, this.knownLinks[k]]));
  }

  private dropLastSegment(): void {
    this.removeTail(); // nodes are placed by position: the tail follows the segment
    const seg = this.segments.pop()!;
    this.placer.unplace(seg.nodes);
    if (seg.defs.length) this.rebuildLinks();
    this.stats.rollbacks++;
  }

  private rebuildLinks(): void {
    const links = Object.create(null) as Links;
    for (const s of this.segments) for (const [k, v] of s.defs) if (!(k in links)) links[k] = v;
    this.knownLinks = links;
  }

  /** A slice below the view is held back; the end of a burst, or one in view, puts in what was. */
  private holdOrRelease(cut: boolean, belowView: boolean): void {
    if (cut && belowView && this.heldSlices < MAX_HELD_SLICES) {
      this.placer.holdBack();
      this.heldSlices++;
    } else {
      // The burst is in, its end is in view, or enough is held: this slice waits with the rest, all put in by
      // the next frame (nothing held: placed directly).
      if (this.placer.holding) this.releaseNext = true;
      else this.placer.release();
      this.heldSlices = 0;
    }
    if (cut) {
      this.dirty = true; // the rest is rendered by the next frames
      if (this.opts.highlight !== false) highlighter.hold(); // its code blocks are highlighted once it is in
    }
  }

  /** `belowView`: see `render`. */
  private update(belowView: boolean): void {
    // 1. Lex from the start of the last finished segment, dropping segments the lexer no longer agrees with.
    let tokens: Token[];
    let base: number;
    /** The lex, and the index of `tokens[0]` in it (inline content is lexed only for what is rendered). */
    let lex: DeferredLex;
    let first: number;
    let cut = false;
    let fresh = 0;
    let redo = 0;
    const shown = this.end;
    const t0 = performance.now();
    for (;;) {
      const overlap = this.segments[this.segments.length - 1];
      const start = overlap ? overlap.start : 0;
      if (start < this.base) this.rebase(start);
      const from = Math.max(overlap ? overlap.end - start : 0, this.end - start);
      // What this render lexes and renders again: the unfinished block the DOM shows. A slice takes in at least as
      // much new text, so the renders of a block that keeps growing add up to a few renders of the whole block,
      // not one per slice of it.
      redo = Math.max(0, this.end - (overlap ? overlap.end : 0));
      // The first slice of an answer is laid out in view, in a page whose layout is cold: the smallest.
      const timed = Math.round(sliceMs(belowView) / msPerChar) - redo;
      const budget = this.end === 0 ? MIN_SLICE : Math.max(redo, Math.min(MAX_SLICE, Math.max(MIN_SLICE, timed)));
      this.take(start + from + budget + 1); // one character more than a slice: whether there is more
      const all = start === this.base ? this.src : this.src.slice(start - this.base);
      const src = slice(all, from, budget);
      this.end = start + src.length;
      cut = src.length < all.length || this.inboxChars > 0;
      this.done = this.finished && !cut;
      fresh = src.length - from;
      this.holdOrRelease(cut, belowView);
      lex = lexDeferred(src, this.knownLinks);
      const lexed = lex.tokens;
      this.stats.lexedChars += src.length;
      let total = 0;
      for (const tok of lexed) total += tok.raw.length;
      if (total !== src.length) {
        // The lexer's raws do not tile the text (should not happen with plain marked): render it all as tail.
        while (this.segments.length) this.dropLastSegment();
        if (start !== 0) continue;
        lex.inline(0);
        this.renderTail(lexed, false, 0);
        return;
      }
      if (!overlap) {
        tokens = lexed;
        base = 0;
        first = 0;
        break;
      }
      const len = overlap.end - overlap.start;
      let k = 0;
      let acc = 0;
      while (k < lexed.length && acc < len) acc += lexed[k++].raw.length;
      if (acc === len && shapeOf(lexed.slice(0, k)) === overlap.shape) {
        tokens = lexed.slice(k);
        base = overlap.end;
        first = k;
        break;
      }
      this.dropLastSegment();
    }

    // 2. Split the new tokens into segments; all but the one holding the last non-space block are finished.
    let last = tokens.length - 1;
    if (!this.done) while (last >= 0 && tokens[last].type === 'space') last--;
    const limit = this.done ? tokens.length : Math.max(0, last);
    lex.inline(first, first + limit); // the blocks that may finish now (raw HTML in them decides where groups end)
    const depth = new HtmlDepth();
    let groupStart = 0;
    let offset = base;
    let groupOffset = base;
    const groups: Group[] = [];
    for (let i = 0; i < limit; i++) {
      depth.token(tokens[i]);
      offset += tokens[i].raw.length;
      // Blank lines stay with the block before them: the next update re-lexes the last segment to check it, and a
      // list must be in it (blank lines and then `1. x` continue it, not only a segment of blank lines).
      if (depth.depth === 0 && tokens[i + 1]?.type !== 'space') {
        groups.push({ tokens: tokens.slice(groupStart, i + 1), start: groupOffset, end: offset });
        groupStart = i + 1;
        groupOffset = offset;
      }
    }
    // A slice of a burst that finished blocks leaves its unfinished block to the next slice, which has the
    // rest of it already: rendering it now would be thrown away (the DOM still shows at least what it did).
    const skipTail = cut && groups.length > 0 && groupOffset >= shown;
    const tail = skipTail ? [] : tokens.slice(groupStart);
    if (skipTail) this.end = groupOffset;
    else lex.inline(first + limit);

    // 3. Render the newly finished groups and the tail: in ONE sanitizer call when none has raw HTML
    //    (DOMPurify parses every call into a new document: ≈0.1 ms each, more than most blocks cost). All but
    //    the last group become one segment: only the last one is re-lexed by the next update, and a burst's
    //    slice (hundreds of blocks) would otherwise put one separator element per block through the sanitizer.
    //    With raw HTML (an element left open would nest what follows) each group is rendered on its own.
    const plain = !groups.some((g) => g.tokens.some(hasHtml));
    if (plain && groups.length > 2) {
      const n = groups.length - 1;
      groups.splice(0, n, { tokens: groups.slice(0, n).flatMap((g) => g.tokens), start: groups[0].start, end: groups[n - 1].end });
    }
    const resumable = this.resumable(tail, groupOffset);
    const batch = groups.length && plain && !tail.some(hasHtml) ? this.renderBatch(groups, resumable ? [] : tail) : null;
    if (batch) {
      for (let g = 0; g < groups.length; g++) this.addSegment(groups[g], batch[g]);
    } else {
      for (const g of groups) this.commit(g.tokens, g.start, g.end);
    }

    // 4. The tail (the text before the last finished segment is not needed any more).
    const lastSeg = this.segments[this.segments.length - 1];
    if (lastSeg && lastSeg.start > this.base) this.rebase(lastSeg.start);
    if (resumable && this.establish(resumable, groupOffset, shown)) this.stats.resumes++;
    else if (batch && !resumable) this.setTail(tail, batch[groups.length], groupOffset);
    else if (groups.length || this.done || !this.partialTail(tail, groupOffset)) this.renderTail(tail, this.done, groupOffset);
    if (cut && shown > 0 && fresh >= MIN_SLICE / 2) noteSliceCost(performance.now() - t0, fresh + redo); // (not the small first one: see `budget`)
  }

  /** Renders groups (finished: auto highlighting) and the tail, none with raw HTML, through one sanitizer call,
   * split back at separators; null when the split does not come out exact. The time is counted as finishing
   * work in proportion to the groups' share. */
  private renderBatch(groups: Group[], tail: Token[]): Node[][] | null {
    const t0 = performance.now();
    const parts = renderParts([...groups.map((g) => g.tokens), tail], this.opts, [...groups.map(() => true), this.done]);
    if (!parts) return null;
    const ms = performance.now() - t0;
    let done = 0;
    let rest = 0;
    for (const g of groups) done += g.end - g.start;
    for (const tok of tail) rest += tok.raw.length;
    committedMs += (ms * done) / Math.max(1, done + rest);
    return parts;
  }

  private addSegment(g: Group, nodes: Node[]): void {
    const defs: [string, Links[string]][] = [];
    collectDefs(g.tokens, defs);
    this.removeTail();
    this.stats.renderedChars += g.end - g.start;
    this.placer.place(nodes);
    this.segments.push({ start: g.start, end: g.end, shape: shapeOf(g.tokens), nodes, defs });
    if (defs.length) for (const [k, v] of defs) if (!(k in this.knownLinks)) this.knownLinks[k] = v;
  }

  private commit(group: Token[], start: number, end: number): void {
    const t0 = performance.now();
    try {
      this.commitNow(group, start, end);
    } finally {
      committedMs += performance.now() - t0;
    }
  }

  private commitNow(group: Token[], start: number, end: number): void {
    const frag = renderTokens(group, this.opts, true);
    this.addSegment({ tokens: group, start, end }, Array.from(frag.childNodes));
  }

  private removeTail(): void {
    this.fast = null;
    this.items = null;
    this.open = null;
    if (this.tailNodes.length) this.placer.unplace(this.tailNodes);
    this.tailNodes = [];
  }

  private renderTail(tokens: Token[], auto: boolean, start: number): void {
    this.removeTail();
    if (!tokens.length) return;
    // While streaming, a fence without a language is shown plain; `finish()` auto-detects it.
    this.setTail(tokens, Array.from(renderTokens(tokens, this.opts, auto).childNodes), start);
  }

  private setTail(tokens: Token[], nodes: Node[], start: number): void {
    this.removeTail();
    if (!tokens.length) return;
    for (const tok of tokens) this.stats.renderedChars += tok.raw.length;
    this.tailNodes = nodes;
    this.placer.place(nodes);
    if (this.done) return;
    this.fast = fastTailOf(tokens, nodes, this.src.slice(start - this.base, this.end - this.base), start);
    this.items = itemsOf(tokens, nodes, start);
  }

  /** The tail's one block when it is long enough to be resumed and of a kind that can be (see resume.ts). */
  private resumable(tail: Token[], start: number): Token | null {
    const tok = tail[0];
    if (!tok || this.end - start < this.resumeMin || this.end < this.resumeAfter) return null;
    if (!['paragraph', 'list', 'blockquote', 'table'].includes(tok.type)) return null;
    for (let i = 1; i < tail.length; i++) if (tail[i].type !== 'space') return null;
    const defs: [string, Links[string]][] = [];
    collectDefs([tok], defs);
    return defs.length || hasHtml(tok) ? null : tok;
  }

  /** After a failed attempt, the tail starting at `start` is rendered whole until it has doubled. */
  private giveUp(start: number): void {
    this.open = null;
    this.resumeAfter = start + 2 * (this.end - start);
  }

  /**
   * Renders the tail block `tok` (from `start` to `this.end`) resumable: the block up to its last line start
   * whole, then the rest in a window (see `resume`). False, with nothing changed, when it cannot be resumed.
   */
  private establish(tok: Token, start: number, shown: number): boolean {
    const end = this.finished ? this.end : Math.max(shown, this.base + this.settled(this.src.slice(0, this.end - this.base), shown - this.base));
    const text = this.src.slice(start - this.base, end - this.base);
    const cut = text.lastIndexOf('\n', text.length - 1) + 1;
    const fail = () => (this.giveUp(start), false);
    if (cut <= 0) return fail();
    const lex = lexDeferred(text.slice(0, cut), this.knownLinks);
    lex.inline(0);
    this.stats.lexedChars += cut;
    const toks = lex.tokens.filter((t) => t.type !== 'space');
    if (toks.length !== 1 || toks[0].type !== tok.type) return fail();
    const frag = renderTokens(toks, this.opts, true);
    const el = frag.firstElementChild;
    const path = el && frag.childElementCount === 1 ? pathOf(toks[0], el) : null;
    if (!path || !sealable(path, text.slice(text.lastIndexOf('\n', cut - 2) + 1, cut - 1))) return fail();
    const shownBefore = this.end;
    this.removeTail();
    this.tailNodes = Array.from(frag.childNodes);
    this.placer.place(this.tailNodes);
    this.stats.renderedChars += cut;
    this.open = { start, seal: start + cut, path, ctx: new Map(), live: [] };
    if (end > start + cut && !this.extend(end)) {
      // The rest does not continue the block as the window says: the caller renders it whole.
      this.end = shownBefore;
      return fail();
    }
    this.end = end;
    return true;
  }

  /**
   * Brings a resumed tail up to the text (a slice of it, in a burst): the lines that may start a later window go
   * in for good ("sealed"), the last line (or the lines that cannot be sealed yet) as live nodes. False when the
   * text no longer continues the block as its open path says (it ended, or changed what it is): the caller renders
   * it whole.
   */
  private resume(belowView: boolean): boolean {
    const o = this.open!;
    const t0 = performance.now();
    // What cannot be sealed (inline markup left open early in a paragraph…) is rendered again by every window.
    if (this.end - o.seal > LIVE_MAX) return false;
    if (o.seal > this.base) this.rebase(o.seal);
    const redo = this.end - o.seal;
    const timed = Math.round(sliceMs(belowView) / msPerChar) - redo;
    const budget = Math.max(redo, Math.min(MAX_SLICE, Math.max(MIN_SLICE, timed)));
    this.take(this.end + budget + 1);
    let src = slice(this.src, this.end - this.base, budget);
    const cut = src.length < this.src.length || this.inboxChars > 0;
    if (!this.finished || cut) src = src.slice(0, this.settled(src, this.end - this.base));
    const end = this.base + src.length;
    if (end === this.end && !this.finished) return true; // only a line of markers came: it waits (see `settled`)
    this.holdOrRelease(cut, belowView);
    this.done = this.finished && !cut;
    if (!this.extend(end)) return false;
    const fresh = end - this.end;
    this.end = end;
    if (cut && fresh >= MIN_SLICE / 2) noteSliceCost(performance.now() - t0, fresh + redo);
    return true;
  }

  /**
   * Where `text` ends but for a last line (from `from` on) that is only markers so far (`> > `, `  - `, `1`, `--`,
   * `|`): what it is depends on what comes next (`-` under a paragraph line is a heading underline until ` item`
   * arrives, a partial prefix of 200 quotes ends them all), so it waits for its first other character.
   */
  private settled(text: string, from: number): number {
    const nl = text.lastIndexOf('\n') + 1;
    return nl >= from && nl < text.length && UNSETTLED.test(text.slice(nl)) ? nl : text.length;
  }

  /** Renders the resumed tail from its seal to `end`: sealed windows as far as they may go, the rest live. */
  private extend(end: number): boolean {
    const o = this.open!;
    const text = this.src.slice(o.seal - this.base, end - this.base);
    this.placer.removeNodes(o.live.flatMap((g) => g.nodes));
    o.live = [];
    const line = text.lastIndexOf('\n', text.length - 1) + 1;
    if (line > 0) {
      const t0 = performance.now();
      const a = this.window(text.slice(0, line), true);
      if (!a || a === 'ended') return false;
      const next = a.next();
      if (next && sealable(next, text.slice(text.lastIndexOf('\n', line - 2) + 1, line - 1))) {
        for (const g of a.grafts) this.placer.appendTo(g.target, g.nodes);
        // Sealed: rendered for good, as the one-shot render does it.
        committedMs += performance.now() - t0;
        this.stats.seals++;
        o.path = next;
        o.ctx.clear();
        o.seal += line;
        this.rebase(o.seal);
        return this.extendLive(text.slice(line));
      }
    }
    return this.extendLive(text);
  }

  private extendLive(text: string): boolean {
    if (!text) return true;
    const b = this.window(text, this.done);
    if (!b || b === 'ended') return false;
    for (const g of b.grafts) this.placer.appendTo(g.target, g.nodes);
    this.open!.live = b.grafts;
    return true;
  }

  /** Lexes and renders a window (the open path's context, then `text`) and plans its graft (resume.ts). */
  private window(text: string, auto: boolean): Plan {
    const o = this.open!;
    // Lines inside the path's outer levels are lexed without them (resume.ts, `outerLevels`).
    const { depth, strip } = outerLevels(o.path, text);
    const path = depth ? { levels: o.path.levels.slice(depth), leaf: o.path.leaf } : o.path;
    let ctx = o.ctx.get(depth);
    if (ctx === undefined) o.ctx.set(depth, (ctx = contextOf(path)));
    const src = ctx + stripLines(text, strip);
    const lex = lexDeferred(src, this.knownLinks);
    this.stats.lexedChars += text.length;
    let total = 0;
    for (const tok of lex.tokens) total += tok.raw.length;
    if (total !== src.length) return null;
    const defs: [string, Links[string]][] = [];
    collectDefs(lex.tokens, defs);
    if (defs.length) return null;
    lex.inline(0);
    if (lex.tokens.some(hasHtml)) return null;
    this.stats.renderedChars += text.length;
    const plan = graftPlan(lex.tokens, renderTokens(lex.tokens, this.opts, auto), path);
    if (!depth || !plan || plan === 'ended') return plan;
    const outer = o.path.levels.slice(0, depth);
    return { grafts: plan.grafts, next: () => {
      const n = plan.next();
      return n && { levels: [...outer, ...n.levels], leaf: n.leaf };
    } };
  }

  /**
   * When the tail is still the same list (or table) and only its last items (rows) changed — a new item, more
   * text in the last one — re-renders just those and swaps them in: items render independently of each other
   * (same list kind, start and looseness; same header and alignment; no reference definition inside).
   */
  private partialTail(tokens: Token[], start: number): boolean {
    const old = this.items;
    const now = itemsOf(tokens, null, start);
    if (!old || !now || now.key !== old.key || now.start !== old.start) return false;
    let m = 0;
    while (m < old.raws.length && m < now.raws.length && old.raws[m] === now.raws[m]) m++;
    if (m === 0 || m > old.els.length || (m === old.raws.length && m === now.raws.length)) return false;
    const tok = tokens[0] as unknown as { items?: Token[]; rows?: unknown[] };
    const sub = tok.items ? { ...tok, items: tok.items.slice(m) } : { ...tok, rows: tok.rows!.slice(m) };
    const frag = renderTokens([sub as unknown as Token], this.opts, false);
    const box = frag.querySelector(old.table ? 'tbody' : 'ul, ol');
    if (!box) return false;
    // Lists: keep the items before m, drop the rest from the newline after item m-1 (the new list's children
    // start with that newline). Tables: drop from row m (the new body's children start with the row).
    const from = old.table ? old.els[m] ?? null : old.els[m - 1].nextSibling;
    for (let n = from; n; ) {
      const next = n.nextSibling;
      n.remove();
      n = next;
    }
    old.box.append(...Array.from(box.childNodes));
    let chars = 0;
    for (let i = m; i < now.raws.length; i++) chars += now.raws[i].length;
    this.stats.renderedChars += chars;
    this.stats.partialRenders++;
    this.items = itemsOf(tokens, this.tailNodes, start);
    this.fast = fastTailOf(tokens, this.tailNodes, this.src.slice(start - this.base, this.end - this.base), start);
    return true;
  }

  /**
   * Brings the DOM up to date WITHOUT lexing or rendering when the text added since the last render provably
   * renders as nothing but more characters at the end of the tail's last text (see `fastTailOf`): appended as
   * a DOM Text node's data, never parsed as HTML. Returns false (nothing changed) when in doubt.
   */
  private fastAppend(f: FastTail): boolean {
    this.take();
    const delta = this.src.slice(f.upTo - this.base);
    if (!delta) return true;
    if (f.code) {
      if (codeUnsafe(f.line, delta)) return false;
      // Re-highlight a long block now and then (a full render) instead of showing it plain until it finishes.
      if (f.fastChars + delta.length > f.refreshAfter && delta.includes('\n')) return false;
      if (!f.body) {
        // The code text ends with a newline marked adds (`abc` → "abc\n"): hand it to a trailing node that
        // holds it only while the text does not end with one.
        if (f.synthetic) dropLastChar(f.leaf);
        f.body = f.leaf.appendChild(document.createTextNode(''));
        f.trail = f.leaf.appendChild(document.createTextNode(f.synthetic ? '\n' : ''));
      }
      f.body.appendData(delta);
      const nl = delta.lastIndexOf('\n');
      f.line = nl < 0 ? f.line + delta : delta.slice(nl + 1);
      const want = delta.endsWith('\n') ? '' : '\n';
      if (f.trail!.data !== want) f.trail!.data = want;
    } else {
      if (!inlineSafe(f, delta)) return false;
      let add = f.pending + delta;
      if (f.trims) {
        // Headings, list items and table cells do not show trailing whitespace: hold it back.
        const ws = /[ \t]*$/.exec(add)![0];
        f.pending = ws;
        add = add.slice(0, add.length - ws.length);
      } else f.pending = '';
      if (add) f.text.appendData(add);
    }
    f.fastChars += delta.length;
    f.upTo = this.end = this.length;
    return true;
  }
}

/** The reference: the whole markdown rendered at once through the same pipeline. */
export function renderOneShot(markdown: string, opts: MarkdownOptions = {}): DocumentFragment {
  const src = markdown.replace(/\r\n?/g, '\n');
  return chunked(renderTokens(lexWithLinks(src), opts, true));
}
