// ---- The fast append path -------------------------------------------------------------------------------
// Most frames of a stream add a few characters to the unfinished last block. When those characters cannot
// change how the block renders except by extending its last text, they are appended to that Text node
// (never parsed as HTML, so no sanitizing is needed) instead of re-lexing, re-rendering and re-sanitizing
// the whole block. The tail is still fully re-rendered as soon as a doubtful character arrives, blocks are
// still committed (rendered for good) exactly as before, and `finish()` always renders — so the final DOM is
// unchanged, and while streaming the DOM equals the one-shot render of the text so far (code: its text;
// highlighting resumes at the next full render). Anything not provably safe takes the full path.
import type { Token } from 'marked';

export interface FastTail {
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
  /** Code: the text's last (partial) line. */
  line: string;
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

/** In an open fence only a line of backticks or tildes (at most 3 spaces in) can close it; NUL is dropped by the
 * HTML parser. */
const FENCE_LIKE = /^ {0,3}(?:`+|~+)[ \t]*$/m;

/** Whether `delta`, appended to an open fence whose text ends with the (partial) line `line`, could close it:
 * a line so far made of backticks or tildes only (a closing fence, or the start of one), or a NUL. Backticks
 * inside code (template literals, inline code in a markdown listing) no longer leave the fast path. */
export function codeUnsafe(line: string, delta: string): boolean {
  return delta.includes('\0') || (/[`~]/.test(delta) && FENCE_LIKE.test(line + delta));
}
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
export function inlineSafe(f: FastTail, delta: string): boolean {
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

export function dropLastChar(code: HTMLElement): void {
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
export function fastTailOf(tokens: Token[], nodes: Node[], block: string, start: number): FastTail | null {
  if (!tokens.length) return null;
  const tok = tokens[0];
  let len = 0;
  for (const t of tokens) len += t.raw.length;
  for (let i = 1; i < tokens.length; i++) if (tokens[i].type !== 'space') return null;
  if (len !== block.length) return null;
  let el: Element | undefined;
  for (let i = nodes.length - 1; i >= 0 && !el; i--) if (nodes[i].nodeType === Node.ELEMENT_NODE) el = nodes[i] as Element;
  if (!el) return null;
  const base = { upTo: start + block.length, src: block, fastChars: 0, trims: false, pending: '', synthetic: false, refreshAfter: Infinity, table: false, lt: false, linkish: false, runs: {}, line: '' };

  if (tok.type === 'code') {
    const open = /^(?:`{3,}|~{3,})[^\n]*\n/.exec(tok.raw);
    if (!open) return null; // indented, or the opening line (language) is still arriving
    const code = el.querySelector('pre > code') as HTMLElement | null;
    const after = tok.raw.slice(open[0].length);
    // Verifies the block is still open (a closed one would not show its closing fence).
    if (!code || code.textContent !== openFenceText(after)) return null;
    const t = lastTextOf(code);
    return { ...base, code: true, leaf: code, text: t ?? document.createTextNode(''), synthetic: after !== '' && !after.endsWith('\n'), refreshAfter: Math.max(2048, 2 * after.length), line: after.slice(after.lastIndexOf('\n') + 1) };
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
