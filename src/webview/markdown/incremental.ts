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
  private text = '';
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
  readonly stats = { renders: 0, lexedChars: 0, renderedChars: 0, resets: 0, rollbacks: 0 };

  constructor(readonly root: HTMLElement, private readonly opts: MarkdownOptions = {}) {}

  /** The (newline-normalized) markdown received so far. */
  get value(): string {
    return this.text;
  }

  append(delta: string): void {
    if (!delta) return;
    this.text += this.nl.push(delta);
    this.finished = false;
    this.dirty = true;
  }

  /** Replaces the whole text; finished segments that are still a prefix of it are kept. */
  setText(full: string): void {
    this.nl.reset();
    const next = this.nl.push(full) + this.nl.flush();
    if (next === this.text) return;
    const max = Math.min(next.length, this.text.length);
    let p = 0;
    if (!next.startsWith(this.text)) while (p < max && next.charCodeAt(p) === this.text.charCodeAt(p)) p++;
    else p = this.text.length;
    while (this.segments.length && this.segments[this.segments.length - 1].end > p) this.dropLastSegment();
    this.text = next;
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
    if (rest) this.text += rest;
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
      const src = this.text.slice(start);
      const lexed = lexWithLinks(src, this.knownLinks);
      this.stats.lexedChars += src.length;
      let total = 0;
      for (const tok of lexed) total += tok.raw.length;
      if (total !== src.length) {
        // The lexer's raws do not tile the text (should not happen with plain marked): render it all as tail.
        while (this.segments.length) this.dropLastSegment();
        if (start !== 0) continue;
        this.renderTail(lexed, false);
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
    for (let i = 0; i < limit; i++) {
      depth.token(tokens[i]);
      offset += tokens[i].raw.length;
      if (depth.depth === 0) {
        this.commit(tokens.slice(groupStart, i + 1), groupOffset, offset);
        groupStart = i + 1;
        groupOffset = offset;
      }
    }

    // 3. Re-render the tail.
    this.renderTail(tokens.slice(groupStart), this.finished);
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
    const defs: [string, Links[string]][] = [];
    collectDefs(group, defs);
    this.removeTail();
    const frag = renderTokens(group, this.opts, true);
    this.stats.renderedChars += end - start;
    const nodes = Array.from(frag.childNodes);
    this.place(nodes);
    this.segments.push({ start, end, shape: shapeOf(group), nodes, defs });
    if (defs.length) for (const [k, v] of defs) if (!(k in this.knownLinks)) this.knownLinks[k] = v;
  }

  private removeTail(): void {
    if (this.tailNodes.length) this.unplace(this.tailNodes);
    this.tailNodes = [];
  }

  private renderTail(tokens: Token[], auto: boolean): void {
    this.removeTail();
    if (!tokens.length) return;
    const frag = renderTokens(tokens, this.opts, auto);
    for (const tok of tokens) this.stats.renderedChars += tok.raw.length;
    this.tailNodes = Array.from(frag.childNodes);
    // While streaming, a fence without a language is shown plain; `finish()` auto-detects it.
    this.place(this.tailNodes);
  }
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
