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
//   * blocks finished in one update and the tail go through ONE sanitizer call (`renderParts`);
//   * the text is split at the last finished segment, so no frame copies the whole answer.
// Layout: past the first CHUNK_NODES top-level nodes, the rendered markdown is placed in plain `div.md-chunk`
// wrappers of CHUNK_NODES nodes each, by position, in the one-shot render as well (so the DOMs stay
// identical; short answers have no wrapper). They keep a streamed answer from being ONE block container
// with thousands of children: appending to the last chunk re-lays out that chunk and the list of chunks,
// not every block of the answer (≈30 ms → <1 ms per frame at 1 MB), and with `content-visibility: auto`
// (media/panel.css) off-screen chunks skip style, layout and paint.
import { Lexer, Parser, Renderer } from 'marked';
import type { Token, TokensList } from 'marked';
import { enhanceCodeBlocks, warmUpHighlighting } from './highlight';
import type { CodeActions } from './highlight';
import { sanitizeToFragment } from './purify';

type Links = TokensList['links'];

export interface MarkdownOptions {
  /** Syntax highlighting and code headers (default true). */
  highlight?: boolean;
  actions?: CodeActions;
}

interface Segment {
  start: number;
  end: number;
  /** Token types and raw lengths: the lexer's verdict on this text, compared on re-lex. */
  shape: string;
  nodes: Node[];
  defs: [string, Links[string]][];
}

/** Top-level nodes (elements and the newline text nodes between them) per `div.md-chunk` wrapper. */
export const CHUNK_NODES = 128;

function newChunk(): HTMLDivElement {
  const c = document.createElement('div');
  c.className = 'md-chunk';
  return c;
}

/** Places a rendered fragment's top-level nodes as the incremental DOM holds them: the first CHUNK_NODES
 * directly, every further CHUNK_NODES in one chunk (short answers have no wrapper at all). */
function chunked(frag: DocumentFragment): DocumentFragment {
  const nodes = Array.from(frag.childNodes);
  for (let i = CHUNK_NODES; i < nodes.length; i += CHUNK_NODES) {
    const c = newChunk();
    c.append(...nodes.slice(i, i + CHUNK_NODES));
    frag.append(c);
  }
  return frag;
}

const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*?)?(\/?)>/g;

/** Open-element bookkeeping for raw HTML across blocks. */
class HtmlDepth {
  private open = new Map<string, number>();
  depth = 0;
  feed(html: string): void {
    TAG.lastIndex = 0;
    for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
      const name = m[2].toLowerCase();
      if (VOID.has(name) || m[3]) continue;
      const n = this.open.get(name) ?? 0;
      if (m[1]) {
        if (n > 0) {
          this.open.set(name, n - 1);
          this.depth--;
        }
      } else {
        this.open.set(name, n + 1);
        this.depth++;
      }
    }
  }
  /** Walks a token for raw HTML (block or inline). Code and text are escaped by marked and skipped. */
  token(tok: Token): void {
    if (!tok.raw.includes('<')) return;
    if (tok.type === 'html') {
      this.feed(tok.text);
      return;
    }
    const t = tok as unknown as { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
    if (t.tokens) for (const c of t.tokens) this.token(c);
    if (t.items) for (const c of t.items) this.token(c);
    if (t.header) for (const cell of t.header) for (const c of cell.tokens) this.token(c);
    if (t.rows) for (const row of t.rows) for (const cell of row) for (const c of cell.tokens) this.token(c);
  }
}

function collectDefs(tokens: Token[], out: [string, Links[string]][]): void {
  for (const tok of tokens) {
    if (tok.type === 'def') out.push([tok.tag, { href: tok.href, title: tok.title }]);
    const t = tok as unknown as { tokens?: Token[]; items?: Token[] };
    if (t.tokens && (tok.type === 'blockquote' || tok.type === 'list_item')) collectDefs(t.tokens, out);
    if (t.items) collectDefs(t.items, out);
  }
}

function shapeOf(tokens: Token[]): string {
  let s = '';
  for (const tok of tokens) s += `${tok.type}:${tok.raw.length};`;
  return s;
}

/** Lexes `src` as marked would, with reference definitions from earlier text already known. */
export function lexWithLinks(src: string, links?: Links): TokensList {
  const lexer = new Lexer();
  if (links) Object.assign(lexer.tokens.links, links);
  return lexer.lex(src);
}

/**
 * Raw HTML from markdown is pre-neutralized before DOMPurify parses it: Chromium checks the page's CSP
 * while parsing even into an inert document, so `onerror=` / `style=` / `<style>` would log CSP violations
 * (blocked, but noisy). Renaming them to `data-blocked-*` / `<blocked-style>` leaves nothing to report;
 * DOMPurify, the actual security boundary, then drops them.
 */
export function neutralizeHtml(html: string): string {
  return html
    .replace(/<[A-Za-z][^>]*>/g, (tag) => tag.replace(/(\s)(on[a-z]+|style|srcdoc|formaction|background)(?=\s*=|[\s/>])/gi, '$1data-blocked-$2'))
    .replace(/(<\/?)(style)(?=[\s/>])/gi, '$1blocked-$2');
}

class SafeHtmlRenderer extends Renderer<string, string> {
  override html(token: Parameters<Renderer<string, string>['html']>[0]): string {
    return neutralizeHtml(super.html(token));
  }
}

let parseOptions: ConstructorParameters<typeof Parser<string, string>>[0] | undefined;
function parse(tokens: Token[]): string {
  parseOptions ??= { ...new Lexer().options, renderer: new SafeHtmlRenderer() } as ConstructorParameters<typeof Parser<string, string>>[0];
  return Parser.parse<string, string>(tokens, parseOptions);
}

/** A run of tokens finished together (raw HTML spanning blocks keeps them in one group). */
interface Group {
  tokens: Token[];
  start: number;
  end: number;
}

/** Whether a token has raw HTML (block or inline). */
function hasHtml(tok: Token): boolean {
  if (!tok.raw.includes('<')) return false;
  if (tok.type === 'html') return true;
  const t = tok as unknown as { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
  if (t.tokens?.some(hasHtml) || t.items?.some(hasHtml)) return true;
  if (t.header?.some((cell) => cell.tokens.some(hasHtml))) return true;
  return !!t.rows?.some((row) => row.some((cell) => cell.tokens.some(hasHtml)));
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

/** Separates the parts of a batched render. Markdown cannot produce it: batches never hold raw HTML. */
const SEPARATOR_ID = 'md-part-separator';
const SEPARATOR = `<hr id="${SEPARATOR_ID}">`;

/**
 * Renders several token runs (none with raw HTML) through ONE sanitizer call, as `renderTokens` renders each:
 * marked's HTML for a run without raw HTML is balanced, so parsing the runs joined by a separator element
 * yields the same nodes as parsing each alone. Null when the split does not come out exact.
 */
function renderParts(runs: Token[][], opts: MarkdownOptions, autos: boolean[]): Node[][] | null {
  const frag = sanitizeToFragment(runs.map((r) => parse(r)).join(SEPARATOR));
  const parts: Node[][] = [[]];
  for (const n of Array.from(frag.childNodes)) {
    if (n.nodeType === Node.ELEMENT_NODE && (n as Element).id === SEPARATOR_ID) parts.push([]);
    else parts[parts.length - 1].push(n);
  }
  if (parts.length !== runs.length) return null;
  return parts.map((nodes, i) => {
    if (!nodes.length) return nodes;
    const f = document.createDocumentFragment();
    f.append(...nodes);
    enhanceCodeBlocks(f, { highlight: opts.highlight, auto: autos[i], actions: opts.actions });
    return Array.from(f.childNodes);
  });
}

/** Renders tokens to a sanitized fragment (code highlighted and given headers unless disabled). */
function renderTokens(tokens: Token[], opts: MarkdownOptions, auto: boolean): DocumentFragment {
  const frag = sanitizeToFragment(parse(tokens));
  enhanceCodeBlocks(frag, { highlight: opts.highlight, auto, actions: opts.actions });
  return frag;
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
   * The text is kept in two parts: `head` (before `base`, the start of the last finished segment or earlier)
   * and `src` (from `base`). Every frame works on `src` only: slicing or indexing the whole text would make
   * V8 flatten the concatenation of all chunks, a copy of the whole answer per frame (≈0.4 ms at 1 MB).
   */
  private head = '';
  private src = '';
  private base = 0;
  private readonly nl = new NewlineNormalizer();
  private segments: Segment[] = [];
  private tailNodes: Node[] = [];
  /** The chunk wrappers in `root`, and how many top-level nodes they hold (all but the last are full). */
  private chunks: HTMLElement[] = [];
  private placed = 0;
  private knownLinks: Links = Object.create(null) as Links;
  private dirty = false;
  private finished = false;
  /** Counters for tests and the benchmark. */
  readonly stats = { renders: 0, fastAppends: 0, partialRenders: 0, lexedChars: 0, renderedChars: 0, resets: 0, rollbacks: 0 };
  /** What the last full tail render lets the next appends do without re-rendering (see `fastAppend`). */
  private fast: FastTail | null = null;
  /** The tail's list items / table rows as last rendered (see `partialTail`). */
  private items: TailItems | null = null;

  constructor(readonly root: HTMLElement, private readonly opts: MarkdownOptions = {}) {}

  /** The (newline-normalized) markdown received so far. */
  get value(): string {
    return this.head + this.src;
  }

  private get length(): number {
    return this.base + this.src.length;
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
    this.src += this.nl.push(delta);
    this.finished = false;
    this.dirty = true;
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
    this.head = '';
    this.src = next;
    this.base = 0;
    this.fast = null;
    this.finished = false;
    this.dirty = true;
  }

  /** True when `render()` has work to do. */
  get pending(): boolean {
    return this.dirty;
  }

  /** Marks the stream complete: the next render finishes every block (auto highlighting included). */
  finish(): void {
    const rest = this.nl.flush();
    if (rest) this.src += rest;
    if (!this.finished) {
      this.finished = true;
      this.dirty = true;
    }
    this.render();
  }

  /** Brings the DOM up to date with the text. Synchronous; call once per animation frame. */
  render(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.stats.renders++;
    if (!this.finished && this.fast && this.fastAppend(this.fast)) {
      this.stats.fastAppends++;
      return;
    }
    this.fast = null;
    const sigBefore = this.linksSignature();
    const hadSegments = this.segments.length;
    this.update();
    if (hadSegments && this.linksSignature() !== sigBefore) {
      // A newly finished reference definition may change links in blocks rendered before it.
      this.stats.resets++;
      this.reset();
      this.update();
    }
  }

  private reset(): void {
    this.fast = null;
    this.segments = [];
    this.tailNodes = [];
    this.knownLinks = Object.create(null) as Links;
    this.chunks = [];
    this.placed = 0;
    this.root.textContent = '';
  }

  /** Appends top-level nodes after the ones already placed: the first CHUNK_NODES into `root`, the rest
   * into chunks of CHUNK_NODES (the last one filled first). */
  private place(nodes: Node[]): void {
    let i = 0;
    while (i < nodes.length) {
      let target: ParentNode = this.root;
      let room = CHUNK_NODES - this.placed;
      if (room <= 0) {
        room = CHUNK_NODES - ((this.placed - CHUNK_NODES) % CHUNK_NODES);
        if (room === CHUNK_NODES) {
          const c = newChunk();
          this.chunks.push(c);
          this.root.append(c);
        }
        target = this.chunks[this.chunks.length - 1];
      }
      const part = i === 0 && nodes.length <= room ? nodes : nodes.slice(i, i + room);
      target.append(...part);
      this.placed += part.length;
      i += part.length;
    }
  }

  /** Removes the LAST `nodes.length` placed nodes (a tail or the last segment) and chunks left empty. */
  private unplace(nodes: Node[]): void {
    for (const n of nodes) (n as ChildNode).remove();
    this.placed -= nodes.length;
    const keep = Math.max(0, Math.ceil((this.placed - CHUNK_NODES) / CHUNK_NODES));
    while (this.chunks.length > keep) this.chunks.pop()!.remove();
  }

  private linksSignature(): string {
    const keys = Object.keys(this.knownLinks);
    if (!keys.length) return '';
    return JSON.stringify(keys.sort().map((k) => [k, this.knownLinks[k]]));
  }

  private dropLastSegment(): void {
    this.removeTail(); // nodes are placed by position: the tail follows the segment
    const seg = this.segments.pop()!;
    this.unplace(seg.nodes);
    if (seg.defs.length) this.rebuildLinks();
    this.stats.rollbacks++;
  }

  private rebuildLinks(): void {
    const links = Object.create(null) as Links;
    for (const s of this.segments) for (const [k, v] of s.defs) if (!(k in links)) links[k] = v;
    this.knownLinks = links;
  }

  private update(): void {
    // 1. Lex from the start of the last finished segment, dropping segments the lexer no longer agrees with.
    let tokens: Token[];
    let base: number;
    for (;;) {
      const overlap = this.segments[this.segments.length - 1];
      const start = overlap ? overlap.start : 0;
      if (start < this.base) this.rebase(start);
      const src = start === this.base ? this.src : this.src.slice(start - this.base);
      const lexed = lexWithLinks(src, this.knownLinks);
      this.stats.lexedChars += src.length;
      let total = 0;
      for (const tok of lexed) total += tok.raw.length;
      if (total !== src.length) {
        // The lexer's raws do not tile the text (should not happen with plain marked): render it all as tail.
        while (this.segments.length) this.dropLastSegment();
        if (start !== 0) continue;
        this.renderTail(lexed, false, 0);
        return;
      }
      if (!overlap) {
        tokens = lexed;
        base = 0;
        break;
      }
      const len = overlap.end - overlap.start;
      let k = 0;
      let acc = 0;
      while (k < lexed.length && acc < len) acc += lexed[k++].raw.length;
      if (acc === len && shapeOf(lexed.slice(0, k)) === overlap.shape) {
        tokens = lexed.slice(k);
        base = overlap.end;
        break;
      }
      this.dropLastSegment();
    }

    // 2. Split the new tokens into segments; all but the one holding the last non-space block are finished.
    let last = tokens.length - 1;
    if (!this.finished) while (last >= 0 && tokens[last].type === 'space') last--;
    const limit = this.finished ? tokens.length : Math.max(0, last);
    const depth = new HtmlDepth();
    let groupStart = 0;
    let offset = base;
    let groupOffset = base;
    const groups: Group[] = [];
    for (let i = 0; i < limit; i++) {
      depth.token(tokens[i]);
      offset += tokens[i].raw.length;
      if (depth.depth === 0) {
        groups.push({ tokens: tokens.slice(groupStart, i + 1), start: groupOffset, end: offset });
        groupStart = i + 1;
        groupOffset = offset;
      }
    }
    const tail = tokens.slice(groupStart);

    // 3. Render the newly finished groups and the tail: in ONE sanitizer call when none has raw HTML
    //    (DOMPurify parses every call into a new document: ≈0.1 ms each, more than most blocks cost).
    const batch = groups.length ? this.renderBatch(groups, tail) : null;
    if (batch) {
      for (let g = 0; g < groups.length; g++) this.addSegment(groups[g], batch[g]);
    } else {
      for (const g of groups) this.commit(g.tokens, g.start, g.end);
    }

    // 4. The tail (the text before the last finished segment is not needed any more).
    const lastSeg = this.segments[this.segments.length - 1];
    if (lastSeg && lastSeg.start > this.base) this.rebase(lastSeg.start);
    if (batch) this.setTail(tail, batch[groups.length], groupOffset);
    else if (groups.length || this.finished || !this.partialTail(tail, groupOffset)) this.renderTail(tail, this.finished, groupOffset);
  }

  /** Renders groups (finished: auto highlighting) and the tail through one sanitizer call, split back at
   * separators; null when a group has raw HTML (an element left open would nest what follows) or the split
   * does not come out exact. The time is counted as finishing work in proportion to the groups' share. */
  private renderBatch(groups: Group[], tail: Token[]): Node[][] | null {
    for (const g of groups) for (const tok of g.tokens) if (hasHtml(tok)) return null;
    for (const tok of tail) if (hasHtml(tok)) return null;
    const t0 = performance.now();
    const parts = renderParts([...groups.map((g) => g.tokens), tail], this.opts, [...groups.map(() => true), this.finished]);
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
    this.place(nodes);
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
    if (this.tailNodes.length) this.unplace(this.tailNodes);
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
    this.place(nodes);
    if (this.finished) return;
    this.fast = fastTailOf(tokens, nodes, this.src.slice(start - this.base), start);
    this.items = itemsOf(tokens, nodes, start);
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
    this.fast = fastTailOf(tokens, this.tailNodes, this.src.slice(start - this.base), start);
    return true;
  }

  /**
   * Brings the DOM up to date WITHOUT lexing or rendering when the text added since the last render provably
   * renders as nothing but more characters at the end of the tail's last text (see `fastTailOf`): appended as
   * a DOM Text node's data, never parsed as HTML. Returns false (nothing changed) when in doubt.
   */
  private fastAppend(f: FastTail): boolean {
    const delta = this.src.slice(f.upTo - this.base);
    if (!delta) return true;
    if (f.code) {
      if (CODE_UNSAFE.test(delta)) return false;
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
    f.upTo = this.length;
    return true;
  }
}

// ---- The fast append path -------------------------------------------------------------------------------
// Most frames of a stream add a few characters to the unfinished last block. When those characters cannot
// change how the block renders except by extending its last text, they are appended to that Text node
// (never parsed as HTML, so no sanitizing is needed) instead of re-lexing, re-rendering and re-sanitizing
// the whole block. The tail is still fully re-rendered as soon as a doubtful character arrives, blocks are
// still committed (rendered for good) exactly as before, and `finish()` always renders — so the final DOM is
// unchanged, and while streaming the DOM equals the one-shot render of the text so far (code: its text;
// highlighting resumes at the next full render). Anything not provably safe takes the full path.

interface FastTail {
  /** An open fenced code block (else: inline text at the end of a paragraph, heading, list item or cell). */
  code: boolean;
  /** The `<code>` element (code) — not used for inline text. */
  leaf: HTMLElement;
  /** The Text node that receives inline appends. */
  text: Text;
  /** The text length the DOM reflects. */
  upTo: number;
  /** Characters appended by this path since the full render. */
  fastChars: number;
  /** Inline: the container trims trailing whitespace (h1–h6, li, td, th); `pending` is what it holds back. */
  trims: boolean;
  pending: string;
  /** Code: the rendered code ends with a newline marked added (the text does not end with one). */
  synthetic: boolean;
  body?: Text;
  trail?: Text;
  /** Code: a full render (re-highlighting) is due once this many characters were appended plain. */
  refreshAfter: number;
  /** Inline: the tail is a table (a `|` would start a cell). */
  table: boolean;
  /** Inline: the block's source has a `<` (a `>` could close a tag or autolink) / a `](` (a `)` could close a
   * link destination). */
  lt: boolean;
  linkish: boolean;
  /** Inline: how many runs of each delimiter character the block's source has. */
  runs: Record<string, number>;
  /** Inline: the block's source, as far as the DOM shows it. */
  src: string;
}

/** In an open fence only a backtick or tilde can close it (or start a new fence line); NUL is dropped by the
 * HTML parser. */
const CODE_UNSAFE = /[`~\0]/;
/** Characters that may start or end inline markup (emphasis, code spans, links, autolinks, raw HTML, entities,
 * escapes, table cells, heading closers), any newline or control character, and any whitespace but space and tab
 * (marked treats trailing Unicode whitespace in a list item as a new block). The tail's last run free of them
 * must end the DOM's last text for the fast path to start. */
// eslint-disable-next-line no-control-regex -- control characters are what these exclude
const INLINE_UNSAFE = /[`*_~[\]<>&\\|#@:()!\x00-\x08\x0a-\x1f\x7f]|[^\S \t]/;
/** The subset that is never appended on the fast path; the others are checked in context (`inlineSafe`). */
// eslint-disable-next-line no-control-regex -- control characters are what these exclude
const INLINE_NEVER = /[[\]&\\#@\x00-\x08\x0a-\x1f\x7f]|[^\S \t]/;
const DELIMITERS = '`*_~';

function countRuns(src: string, prev: string, runs: Record<string, number>): void {
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (DELIMITERS.includes(c) && c !== (i ? src[i - 1] : prev)) runs[c] = (runs[c] ?? 0) + 1;
  }
}

/**
 * Whether `delta`, appended to the text (whose DOM is up to date), only extends the tail's last text:
 *   * no newline, entity, escape, bracket (links), `#` (heading closers), `@` (e-mail autolinks), no control
 *     character or Unicode whitespace (`INLINE_NEVER`);
 *   * `` ` `` `*` `_` `~` only while the block has ONE run of that character: a single run is literal (a code
 *     span, emphasis or strikethrough needs an opener and a closer), so the opener streams as text and the
 *     closer takes the full path;
 *   * `|` not in a table, `>` not after a `<`, `)` not after a `](`;
 *   * the word it extends cannot become an autolink (`www.`, `://`) or an e-mail address.
 */
function inlineSafe(f: FastTail, delta: string): boolean {
  if (INLINE_NEVER.test(delta)) return false;
  if (f.table && delta.includes('|')) return false;
  if (delta.includes('<')) f.lt = true;
  if (f.lt && delta.includes('>')) return false;
  if (f.linkish && delta.includes(')')) return false;
  if (!plainWord(f.src, delta)) return false;
  if (/[`*_~]/.test(delta)) {
    const runs = { ...f.runs };
    countRuns(delta, f.src[f.src.length - 1] ?? '', runs);
    for (const c of DELIMITERS) if ((runs[c] ?? 0) > 1) return false;
    f.runs = runs;
  }
  f.src += delta;
  return true;
}
/** Block-level prefixes of a line: indentation, quote markers, list markers. */
const LINE_PREFIX = /^[ \t]*(?:(?:>|(?:[-+*]|\d{1,9}[.)])[ \t])[ \t]*)*/;
const STRUCTURAL = new Set(['UL', 'OL', 'LI', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR']);
const LEAVES = new Set(['P', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TD', 'TH']);
const TRIMMING = new Set(['LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TD', 'TH']);

/** True when the whitespace-free run ending at `at`, continued by `delta`, is not (and so, with `@` and `&`
 * never appended, cannot become) an extended autolink (`www.`, `http://`), an e-mail address or an entity. */
function plainWord(text: string, delta: string): boolean {
  const at = text.length;
  let i = at;
  const stop = Math.max(0, at - 512);
  while (i > stop && text.charCodeAt(i - 1) !== 32 && text.charCodeAt(i - 1) !== 9) i--;
  if (i === stop && stop > 0) return false;
  const word = text.slice(i, at);
  if (/[@&]/.test(word)) return false;
  const joined = word + delta;
  return !/www|:\/\//i.test(joined);
}

function lastTextOf(node: Node): Text | null {
  for (let n: Node | null = node.lastChild; n; n = n.lastChild) {
    if (n.nodeType === Node.TEXT_NODE) return n as Text;
  }
  return null;
}

function dropLastChar(code: HTMLElement): void {
  // The last text of the code (highlighted or not) ends with the newline marked added.
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  let last: Text | null = null;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) if ((n as Text).data) last = n as Text;
  if (last) last.deleteData(last.data.length - 1, 1);
}

/** What marked renders as the content of a fenced block left open, for the text after its opening line. */
export function openFenceText(after: string): string {
  return after === '' || after.endsWith('\n') ? after : after + '\n';
}

/** Decides, after a full render of the tail, whether and how later appends can take the fast path. */
function fastTailOf(tokens: Token[], nodes: Node[], block: string, start: number): FastTail | null {
  if (!tokens.length) return null;
  const tok = tokens[0];
  let len = 0;
  for (const t of tokens) len += t.raw.length;
  for (let i = 1; i < tokens.length; i++) if (tokens[i].type !== 'space') return null;
  if (len !== block.length) return null;
  let el: Element | undefined;
  for (let i = nodes.length - 1; i >= 0 && !el; i--) if (nodes[i].nodeType === Node.ELEMENT_NODE) el = nodes[i] as Element;
  if (!el) return null;
  const base = { upTo: start + block.length, src: block, fastChars: 0, trims: false, pending: '', synthetic: false, refreshAfter: Infinity, table: false, lt: false, linkish: false, runs: {} };

  if (tok.type === 'code') {
    const open = /^(?:`{3,}|~{3,})[^\n]*\n/.exec(tok.raw);
    if (!open) return null; // indented, or the opening line (language) is still arriving
    const code = el.querySelector('pre > code') as HTMLElement | null;
    const after = tok.raw.slice(open[0].length);
    // Verifies the block is still open (a closed one would not show its closing fence).
    if (!code || code.textContent !== openFenceText(after)) return null;
    const t = lastTextOf(code);
    return { ...base, code: true, leaf: code, text: t ?? document.createTextNode(''), synthetic: after !== '' && !after.endsWith('\n'), refreshAfter: Math.max(2048, 2 * after.length) };
  }

  if (block.endsWith('\n')) return null;
  const nl = block.lastIndexOf('\n');
  const line = block.slice(nl + 1);
  let content: string;
  if (tok.type === 'heading') {
    const h = /^ {0,3}#{1,6}[ \t]+/.exec(tok.raw);
    if (!h || nl >= 0) return null; // setext headings, or a heading still without text
    content = line.slice(h[0].length);
  } else if (tok.type === 'table') {
    // A row with as many cells as the header: appending can only extend the last one.
    if (!/^ {0,3}\|/.test(line) || line.includes('\\') || nl < 0) return null;
    const cells = line.trim().split('|').length - 2 + (line.trimEnd().endsWith('|') ? 0 : 1);
    if (cells !== (tok as unknown as { header: unknown[] }).header.length) return null;
    content = line.slice(line.lastIndexOf('|') + 1);
  } else if (tok.type === 'paragraph' || tok.type === 'list' || tok.type === 'blockquote') {
    content = line.slice(LINE_PREFIX.exec(line)![0].length);
    // The line's block structure is settled only once it starts with a letter (not `1.`, `-`, `#`, `>`, `|`…),
    // possibly after a short delimiter run (`**Note`, `` `code``: no bullet, rule or fence starts so).
    if (!/^(?:\*+|_+|`{1,2}|~{1,2})?[A-Za-z\u0080-\uffff]/.test(content) || /^\s/.test(content)) return null;
  } else return null;

  // The DOM's last text must sit directly in the innermost block, and end with the line's last plain run.
  let node: Element = el;
  let leafText: Text | null = null;
  for (;;) {
    let c = node.lastChild;
    while (c && c.nodeType === Node.TEXT_NODE && /^\n*$/.test((c as Text).data) && STRUCTURAL.has(node.tagName)) c = c.previousSibling;
    if (!c) return null;
    if (c.nodeType === Node.TEXT_NODE) {
      if (!LEAVES.has(node.tagName)) return null;
      leafText = c as Text;
      break;
    }
    if (c.nodeType !== Node.ELEMENT_NODE) return null;
    const tag = (c as Element).tagName;
    if (!STRUCTURAL.has(tag) && !LEAVES.has(tag)) return null;
    node = c as Element;
  }
  let k = content.length;
  while (k > 0 && !INLINE_UNSAFE.test(content[k - 1])) k--;
  // Where the run starts the line's content, the block does not show its leading whitespace either.
  const plain = k === 0 ? content.replace(/^[ \t]+/, '') : content.slice(k);
  const trims = TRIMMING.has(node.tagName) || !!node.closest('li');
  // After markup, a run of only whitespace is safe, except in a heading, where it may be trimmed with what
  // precedes it (`## a # ` renders "a").
  if (!plain || (/^H\d$/.test(node.tagName) && !/\S/.test(plain))) return null;
  const pending = trims ? /[ \t]*$/.exec(plain)![0] : '';
  const shown = plain.slice(0, plain.length - pending.length);
  if (!leafText.data.endsWith(shown)) return null;
  const runs: Record<string, number> = {};
  countRuns(block, '', runs);
  return { ...base, code: false, leaf: node as HTMLElement, text: leafText, trims, pending, table: tok.type === 'table', lt: block.includes('<'), linkish: block.includes(']('), runs };
}

/** The reference: the whole markdown rendered at once through the same pipeline. */
export function renderOneShot(markdown: string, opts: MarkdownOptions = {}): DocumentFragment {
  const src = markdown.replace(/\r\n?/g, '\n');
  return chunked(renderTokens(lexWithLinks(src), opts, true));
}

/**
 * Warm-up samples, one per idle callback: every block and inline kind a model answer uses (lexer rules,
 * the renderer, DOMPurify and highlight.js code paths are compiled and optimized on first use) and CJK
 * text (the first layout of CJK text looks up fallback fonts: 10–45 ms measured). Without them the first
 * frames of the first answer pay for all of it (a 50–100 ms first frame in the benchmark).
 */
const WARM_SAMPLES = [
  '# Title\n\n## 1. Overview\n\nSome *emphasis*, **strong**, `code`, [a link](https://example.com) and ~~del~~.\n\n---\n',
  '- item one\n- item `two`\n  - nested **item**\n\n1. first\n2. second\n   - nested\n\n> **Note:** quoted [text](https://e)\n',
  '| Setting | Default | 说明 |\n|---|---:|---|\n| `opt0` | 12 | 默认配置 |\n| `opt1` | 3 | text |\n',
  '这个函数会把输入拆分成若干块，并在每个块完成后立即渲染。在大多数情况下，默认配置已经足够；如果需要代理，请在设置中填写。',
  '```ts\nexport async function f(url: string): Promise<void> {\n  const r = await fetch(url);\n}\n```\n\n```python\ndef f(x):\n    return x\n```\n\n```\nplain\n```\n',
];

/** Warms the pipeline (lexer, sanitizer, highlighting grammars, first layout of each kind of block, CJK
 * fonts) in idle time after the panel loads, one small step per idle callback. */
export function warmUp(schedule: (cb: () => void) => void = idle): void {
  const samples = WARM_SAMPLES.slice();
  const next = () => {
    const sample = samples.shift();
    if (sample === undefined) {
      warmUpHighlighting(schedule);
      return;
    }
    const host = document.createElement('div');
    host.className = 'markdown md-warmup';
    host.setAttribute('aria-hidden', 'true');
    // Rendered twice: the second pass runs the code the first one compiled (closer to a frame's cost).
    renderOneShot(sample);
    host.append(renderOneShot(sample));
    (document.body ?? document.documentElement).append(host);
    void host.offsetHeight;
    host.remove();
    schedule(next);
  };
  schedule(next);
}

function idle(cb: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => cb(), { timeout: 2000 });
  else setTimeout(cb, 50);
}
