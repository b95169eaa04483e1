// The rendering pipeline shared by the incremental and the one-shot render: marked's lexer with reference
// definitions carried over, its renderer with raw HTML pre-neutralized, one DOMPurify call per render (or per
// batch of runs) and code blocks enhanced.
import { Lexer, Parser, Renderer } from 'marked';
import type { Token, TokensList } from 'marked';
import { enhanceCodeBlocks } from './highlight';
import type { CodeActions } from './highlight';
import { remoteImages } from './images';
import { hadRemoteImages, sanitizeToFragment } from './purify';

export type Links = TokensList['links'];

export interface MarkdownOptions {
  /** Syntax highlighting and code headers (default true). */
  highlight?: boolean;
  actions?: CodeActions;
}

const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*?)?(\/?)>/g;

/** Open-element bookkeeping for raw HTML across blocks. */
export class HtmlDepth {
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

export function collectDefs(tokens: Token[], out: [string, Links[string]][]): void {
  for (const tok of tokens) {
    if (tok.type === 'def') out.push([tok.tag, { href: tok.href, title: tok.title }]);
    const t = tok as unknown as { tokens?: Token[]; items?: Token[] };
    if (t.tokens && (tok.type === 'blockquote' || tok.type === 'list_item')) collectDefs(t.tokens, out);
    if (t.items) collectDefs(t.items, out);
  }
}

export function shapeOf(tokens: Token[]): string {
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

/** Block-level tokens of a text whose inline tokens are lexed on demand (`inline`), per top-level token. */
export interface DeferredLex {
  tokens: TokensList;
  /** Lexes the inline content of top-level tokens `from` (inclusive) to `to` (exclusive) not lexed yet. */
  inline(from: number, to?: number): void;
}

/** The arrays a block token's inline content goes into (marked fills them from its inline queue). */
function inlineArrays(tok: Token, out: Map<Token[], number>, owner: number): void {
  const t = tok as unknown as { tokens?: Token[]; items?: { tokens: Token[] }[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
  if (tok.type === 'blockquote') for (const c of t.tokens ?? []) inlineArrays(c, out, owner);
  else if (tok.type === 'list') for (const item of t.items ?? []) for (const c of item.tokens) inlineArrays(c, out, owner);
  else if (tok.type === 'table') {
    for (const cell of t.header ?? []) out.set(cell.tokens, owner);
    for (const row of t.rows ?? []) for (const cell of row) out.set(cell.tokens, owner);
  } else if (t.tokens) out.set(t.tokens, owner);
}

/**
 * `lexWithLinks` in two steps, giving the same tokens once every top-level token's inline content is lexed:
 * marked's block pass over all of `src` (reference definitions anywhere in it apply to all of it), then its
 * inline pass only for the tokens asked for. The incremental renderer compares some tokens only by their
 * block shape (the re-lexed last segment) and drops others unrendered (a burst's unfinished last block):
 * their inline lexing — the larger part of lexing — is skipped.
 */
export function lexDeferred(src: string, links?: Links): DeferredLex {
  const lexer = new Lexer();
  if (links) Object.assign(lexer.tokens.links, links);
  lexer.blockTokens(src, lexer.tokens);
  const tokens = lexer.tokens;
  const queue = lexer.inlineQueue;
  lexer.inlineQueue = [];
  let owners: number[] | undefined;
  return {
    tokens,
    inline(from, to = tokens.length) {
      if (!owners) {
        const byArray = new Map<Token[], number>();
        tokens.forEach((tok, i) => inlineArrays(tok, byArray, i));
        owners = queue.map((q) => byArray.get(q.tokens) ?? -1);
      }
      for (let q = 0; q < queue.length; q++) {
        const owner = owners[q];
        // Entries of no known token (a token kind marked adds later) are lexed with the first request.
        if (owner === -2 || (owner !== -1 && (owner < from || owner >= to))) continue;
        owners[q] = -2;
        lexer.state.inRawBlock = false; // as marked's lex() does for each entry
        lexer.inlineTokens(queue[q].src, queue[q].tokens);
      }
    },
  };
}

/**
 * Raw HTML from markdown is pre-neutralized before DOMPurify parses it: Chromium checks the page's CSP
 * while parsing even into an inert document, so `onerror=` / `style=` / `<style>` would log CSP violations
 * (blocked, but noisy). Renaming them to `data-blocked-*` / `<blocked-style>` leaves nothing to report;
 * DOMPurify, the actual security boundary, then drops them.
 *
 * Elements whose content the parser takes as raw text to their end tag (`<script>`, `<xmp>`, `<plaintext>`…),
 * keeps out of the tree (`<template>`), puts in place of the body (`<frameset>`) or DOMPurify drops with their
 * content (`<video>`, `<audio>`) are renamed the same way: an unclosed one would swallow every block after it.
 * As unknown elements they end with their parent, and DOMPurify drops them keeping their content (but a script's).
 */
export function neutralizeHtml(html: string): string {
  return html
    .replace(/<[A-Za-z][^>]*>/g, (tag) => tag.replace(/(\s)(on[a-z]+|style|srcdoc|formaction|background)(?=\s*=|[\s/>])/gi, '$1data-blocked-$2'))
    .replace(/(<\/?)(style|script|xmp|iframe|noembed|noframes|noscript|plaintext|title|template|frameset|frame|video|audio)(?=[\s/>])/gi, '$1blocked-$2');
}

class SafeHtmlRenderer extends Renderer<string, string> {
  override html(token: Parameters<Renderer<string, string>['html']>[0]): string {
    return neutralizeHtml(super.html(token));
  }

  /** marked keeps only the info string's first word (the language); the rest can name the file (Apply to File). */
  override code(token: Parameters<Renderer<string, string>['code']>[0]): string {
    const html = super.code(token);
    const info = (token.lang ?? '').trim();
    if (!/\s/.test(info) && !info.includes(':')) return html;
    return html.replace('<pre>', `<pre data-info="${escapeAttribute(info.slice(0, 300))}">`);
  }
}

function escapeAttribute(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let parseOptions: ConstructorParameters<typeof Parser<string, string>>[0] | undefined;
/** marked's HTML for tokens, raw HTML neutralized (not sanitized yet). */
export function toHtml(tokens: Token[]): string {
  parseOptions ??= { ...new Lexer().options, renderer: new SafeHtmlRenderer() } as ConstructorParameters<typeof Parser<string, string>>[0];
  return Parser.parse<string, string>(tokens, parseOptions);
}

/** Whether a token has raw HTML (block or inline). */
export function hasHtml(tok: Token): boolean {
  if (!tok.raw.includes('<')) return false;
  if (tok.type === 'html') return true;
  const t = tok as unknown as { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };
  if (t.tokens?.some(hasHtml) || t.items?.some(hasHtml)) return true;
  if (t.header?.some((cell) => cell.tokens.some(hasHtml))) return true;
  return !!t.rows?.some((row) => row.some((cell) => cell.tokens.some(hasHtml)));
}

/** Separates the parts of a batched render. Markdown cannot produce it: batches never hold raw HTML. */
const SEPARATOR_ID = 'md-part-separator';
const SEPARATOR = `<hr id="${SEPARATOR_ID}">`;

/**
 * Renders several token runs (none with raw HTML) through ONE sanitizer call, as `renderTokens` renders each:
 * marked's HTML for a run without raw HTML is balanced, so parsing the runs joined by a separator element
 * yields the same nodes as parsing each alone. Null when the split does not come out exact.
 */
export function renderParts(runs: Token[][], opts: MarkdownOptions, autos: boolean[]): Node[][] | null {
  const frag = sanitizeToFragment(runs.map((r) => toHtml(r)).join(SEPARATOR));
  const remote = hadRemoteImages();
  const seps = Array.from(frag.querySelectorAll(`hr#${SEPARATOR_ID}`));
  if (seps.length !== runs.length - 1 || seps.some((s) => s.parentNode !== frag)) return null;
  // Code blocks are enhanced in place, each with its run's `auto` (the separators before it), so the nodes
  // move only once: into the answer.
  const runOf = (code: Element) => {
    let i = 0;
    while (i < seps.length && seps[i].compareDocumentPosition(code) & Node.DOCUMENT_POSITION_FOLLOWING) i++;
    return i;
  };
  enhanceCodeBlocks(frag, { highlight: opts.highlight, auto: (code) => autos[runOf(code)], actions: opts.actions });
  if (remote) remoteImages.show(frag);
  const parts: Node[][] = [[]];
  for (let n = frag.firstChild; n; n = n.nextSibling) {
    if (n === seps[parts.length - 1]) parts.push([]);
    else parts[parts.length - 1].push(n);
  }
  return parts;
}

/** Renders tokens to a sanitized fragment (code highlighted and given headers unless disabled). */
export function renderTokens(tokens: Token[], opts: MarkdownOptions, auto: boolean): DocumentFragment {
  const frag = sanitizeToFragment(toHtml(tokens));
  const remote = hadRemoteImages();
  // Code first: a placeholder's label is not code text (the highlighter paints what the block holds now).
  enhanceCodeBlocks(frag, { highlight: opts.highlight, auto, actions: opts.actions });
  if (remote) remoteImages.show(frag);
  return frag;
}
