// Resuming the unfinished block: renders only the end of a long unfinished top-level block (a paragraph of log
// lines, a list, a table, blockquotes or lists nested at any depth) instead of all of it on every update.
//
// At a line start inside the block, what the lexer still needs from the text before is the OPEN PATH: the
// containers the line is in (blockquotes, list items: each with its marker, content indent and looseness) and the
// block that grows at the bottom (a paragraph, a tight item's text, a table with its header). The text from that
// line on is lexed in a WINDOW: a short synthetic context that opens the same path (`contextOf`: e.g. `- x` for a
// tight bullet item, `> > x` for a paragraph two quotes deep, a table's header and delimiter rows), followed by the
// real lines. The window's tokens must show the path exactly as synthesized (`graftPlan` checks every level);
// its rendered nodes are then grafted into the real block: the growing block's new inline nodes after its own
// (minus the synthetic `x`), and new siblings at every level (new items, new rows, new blocks in a quote or item)
// after the open child of the real container.
//
// Why the window lexes like the whole block: marked lexes a container's lines one after another, each decided by
// the open path and by the line before it — and a window's first real line follows a synthetic line of the same
// kind (paragraph text). What would look further back is excluded where the window may start (`sealable`):
//   * a line that could turn the one before it into a table header is not a window start (no `|` in the line
//     before);
//   * inline markup can span lines of a paragraph: a window starts only where nothing before it in the block
//     could still be closed after it (`pendingIn`: no unmatched emphasis, code span, strikethrough, link bracket or
//     tag opener), and not after a line whose end could be a hard break (trailing space or backslash);
//   * a setext underline, a blank line that makes a list loose, anything that ends the block: the window's tokens
//     no longer show the synthesized path, and the caller renders the whole block again (the lexer decides).
// A window's nodes are SEALED (kept for good) when the text after the window's end may start a new window;
// otherwise they are LIVE and replaced by the next update. Raw HTML and reference definitions are left to the
// caller's whole-block path. Lines that are inside the path's outer containers by their prefixes alone are lexed
// without them (`outerLevels`): 200 nested levels cost a window what its innermost ones do.
import type { Token, Tokens } from 'marked';

/** A container on the open path. `dummy`: its open child is not its first (the context puts one before it). */
export type Level =
  | { kind: 'quote'; el: Element; dummy: boolean }
  | {
      kind: 'list';
      /** The list element (new items go here) and its last item (new children of the item go there). */
      el: Element;
      li: Element;
      ordered: boolean;
      loose: boolean;
      /** The item's first-line prefix (indent, marker with its number written as 1 of the same width, spaces)
       * and the indent of its other lines. */
      first: string;
      cont: string;
      dummy: boolean;
    };

/** The block that grows: a paragraph (a tight item's text: the item itself holds its inline nodes) or a table. */
export type Leaf =
  | { kind: 'para'; type: 'paragraph' | 'text'; el: Element; pending: boolean }
  | { kind: 'table'; el: Element; body: Element; head: string };

export interface OpenPath {
  levels: Level[];
  leaf: Leaf;
}

/** Deeper paths are not resumed (the lexer's own recursion is the limit that matters long before). */
const MAX_DEPTH = 1000;

const nonSpace = (t: Token) => t.type !== 'space';
const elementsOf = (el: Element) => Array.from(el.children);
/** The elements marked renders block tokens as (a code block is enhanced into a div); an item's text and task
 * checkbox are inline, straight in the item. */
const BLOCK_TAGS = new Set(['P', 'UL', 'OL', 'BLOCKQUOTE', 'TABLE', 'PRE', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR']);
const isBlock = (t: Token) => t.type !== 'text' && t.type !== 'checkbox';
const blocksOf = (li: Element) => elementsOf(li).filter((e) => BLOCK_TAGS.has(e.tagName));

/** An item's first-line prefix and content indent, as marked's list tokenizer computes them; null when resuming
 * would need more of its rules (tabs, a blank first line, an indented code start). */
function itemPrefix(raw: string): { first: string; cont: string } | null {
  const m = /^( {0,3})(?:([*+-])|(\d{1,9})([.)]))( *)(\S?)/.exec(raw);
  if (!m || !m[6] || m[5].length < 1 || m[5].length > 4) return null;
  const marker = m[2] ?? '1'.padStart(m[3].length, '0') + m[4];
  const first = m[1] + marker + m[5];
  return { first, cont: ' '.repeat(first.length) };
}

/** The open path of `tok` (a block token) rendered as `el`; null when it ends in a block that is not resumed. */
export function pathOf(tok: Token, el: Element, levels: Level[] = []): OpenPath | null {
  for (let depth = levels.length; depth < MAX_DEPTH; depth++) {
    if (tok.type === 'blockquote') {
      const kids = (tok as Tokens.Blockquote).tokens.filter(nonSpace);
      const els = elementsOf(el);
      if (!kids.length || els.length !== kids.length) return null;
      levels.push({ kind: 'quote', el, dummy: kids.length > 1 });
      tok = kids[kids.length - 1];
      el = els[els.length - 1];
      continue;
    }
    if (tok.type === 'list') {
      const list = tok as Tokens.List;
      const lis = elementsOf(el);
      if (!list.items.length || lis.length !== list.items.length) return null;
      return itemPath(list, el, list.items[list.items.length - 1], lis[lis.length - 1], levels);
    }
    if (tok.type === 'paragraph') return { levels, leaf: { kind: 'para', type: 'paragraph', el, pending: pendingIn((tok as Tokens.Paragraph).tokens) } };
    if (tok.type === 'table') {
      const body = el.querySelector(':scope > tbody');
      const head = tok.raw.split('\n', 2);
      if (el.tagName !== 'TABLE' || !body || head.length < 2) return null;
      return { levels, leaf: { kind: 'table', el, body, head: head.join('\n') } };
    }
    return null;
  }
  return null;
}

/** The open path from a list's item `item` (rendered as `li` in the list element `el`) down. */
function itemPath(list: Tokens.List, el: Element, item: Tokens.ListItem, li: Element, levels: Level[]): OpenPath | null {
  const prefix = itemPrefix(item.raw);
  if (!prefix) return null;
  const kids = item.tokens.filter(nonSpace);
  const own = kids.filter((k) => k.type !== 'checkbox');
  const last = kids[kids.length - 1];
  if (!last || !own.length) return null;
  const blocks = kids.filter(isBlock);
  const els = blocksOf(li);
  if (els.length !== blocks.length) return null;
  levels.push({ kind: 'list', el, li, ordered: list.ordered, loose: list.loose, ...prefix, dummy: own.length > 1 });
  if (last.type === 'text') return { levels, leaf: { kind: 'para', type: 'text', el: li, pending: pendingIn((last as Tokens.Text).tokens ?? []) } };
  return pathOf(last, els[els.length - 1], levels);
}

/** The prefix every line inside a level's open child starts with: `> ` in a quote, the content indent in an item. */
export const contPrefix = (l: Level) => (l.kind === 'quote' ? '> ' : l.cont);

/**
 * How many of the path's outer levels a window of `text` can leave out: every line is inside them by its
 * prefixes alone, and inside the next level too (whose content then holds all the window: it never ends in it).
 * Such a window is lexed without them, each line stripped of their prefixes (`strip` characters), under the inner
 * levels' context, as marked lexes a container's content — deep nesting then costs a window what its innermost
 * levels do (marked re-lexes a container's content at every level: a 200-deep list's context alone took ~100 ms
 * to lex).
 */
export function outerLevels(path: OpenPath, text: string): { depth: number; strip: number } {
  const ends: number[] = [];
  let prefix = '';
  for (const l of path.levels) ends.push((prefix += contPrefix(l)).length);
  // The shortest run of the full prefix any line starts with.
  let common = prefix.length;
  for (let i = 0; i < text.length && common > 0; ) {
    let n = 0;
    while (n < common && text.charCodeAt(i + n) === prefix.charCodeAt(n)) n++;
    common = n;
    const nl = text.indexOf('\n', i);
    if (nl < 0) break;
    i = nl + 1;
  }
  let inside = 0;
  while (inside < ends.length && ends[inside] <= common) inside++;
  const depth = Math.max(0, inside - 1);
  return { depth, strip: depth ? ends[depth - 1] : 0 };
}

/** `text` without the first `n` characters of each line. */
export function stripLines(text: string, n: number): string {
  if (!n) return text;
  return text.split('\n').map((ln) => ln.slice(n)).join('\n');
}

/** The synthetic text that opens `path`: a window is this followed by real lines. */
export function contextOf(path: OpenPath): string {
  let lines = path.leaf.kind === 'table' ? path.leaf.head.split('\n') : ['x'];
  for (let i = path.levels.length - 1; i >= 0; i--) {
    const l = path.levels[i];
    if (l.kind === 'quote') {
      if (l.dummy) lines = ['x', '', ...lines];
      lines = lines.map((ln) => (ln ? `> ${ln}` : '>'));
    } else {
      if (l.dummy) lines = ['x', ...(l.loose ? [''] : []), ...lines];
      lines = lines.map((ln, k) => (k === 0 ? l.first + ln : ln ? l.cont + ln : ''));
      // A loose list stays loose: an item before the open one, a blank line between.
      if (l.loose) lines = [`${l.first}x`, '', ...lines];
    }
  }
  return lines.join('\n') + '\n';
}

/** Whether a paragraph's inline tokens leave something open that text after them could still close: a literal
 * emphasis, strikethrough or code-span delimiter, a `<` that may start a tag or autolink, a link bracket not
 * closed on its own line or followed by `(` / `[`. Complete constructs (emphasis, links, code spans…) are final. */
export function pendingIn(tokens: Token[]): boolean {
  for (const t of tokens) {
    if (t.type === 'html') return true;
    if (t.type !== 'text') continue;
    const s = t.raw;
    if (/[`*~]|<(?:[A-Za-z/!?]|$)|\](?:[([]|$)/.test(s)) return true;
    for (let i = s.indexOf('_'); i >= 0; i = s.indexOf('_', i + 1)) {
      if (!/[A-Za-z0-9]/.test(s[i - 1] ?? '') || !/[A-Za-z0-9]/.test(s[i + 1] ?? '')) return true;
    }
    if (s.includes('[') || s.includes(']')) {
      let depth = 0;
      for (const c of s) {
        if (c === '[') depth++;
        else if (c === ']' && --depth < 0) return true;
        else if (c === '\n' && depth) return true;
      }
      if (depth) return true;
    }
  }
  return false;
}

/** Whether a window may start right after `line` (the last line before it) in a block with this open path. */
export function sealable(path: OpenPath, line: string): boolean {
  if (!/[^\s>]/.test(line)) return false; // a blank line (in quotes too) ends the block, or may make a list loose
  if (path.leaf.kind === 'table') return true;
  return !path.leaf.pending && !/[ \t\\]$/.test(line) && !line.includes('|');
}

/** Appends `nodes` to a real container (through the caller's hold-back). */
export interface Graft {
  target: Element;
  nodes: Node[];
}

export type Plan =
  /** The window does not show the synthesized path: render the whole block instead. */
  | null
  /** The block ends inside the window (more top-level blocks follow). */
  | 'ended'
  | { grafts: Graft[]; next: () => OpenPath | null };

const isWhitespace = (n: Node | null | undefined) => !!n && n.nodeType === Node.TEXT_NODE && !/\S/.test((n as Text).data);

/** The nodes after `child` in its parent, without the newline marked puts after a block (the real container has
 * one after its open child already). */
function after(child: Element): Node[] {
  const out: Node[] = [];
  for (let n = child.nextSibling; n; n = n.nextSibling) out.push(n);
  if (isWhitespace(out[0])) out.shift();
  return out;
}

/** The synthetic `x` that starts a growing paragraph's text, taken off its first Text node. */
function dropX(el: Element): Node[] | null {
  const first = el.firstChild;
  if (!first || first.nodeType !== Node.TEXT_NODE || !(first as Text).data.startsWith('x')) return null;
  (first as Text).deleteData(0, 1);
  if (!(first as Text).data) first.remove();
  return Array.from(el.childNodes);
}

const isX = (t: Token | undefined) => !!t && (t.type === 'paragraph' || t.type === 'text') && (t as Tokens.Paragraph).text === 'x';

/**
 * Checks a window's tokens (`tokens`: its top-level tokens, inline lexed) against the path it was opened with, and
 * plans the graft of its rendered nodes (`frag`: the tokens rendered) into the real block. `next()` gives the open
 * path at the window's end once the grafts are done (their nodes then belong to the real block).
 */
export function graftPlan(tokens: Token[], frag: DocumentFragment, path: OpenPath): Plan {
  const top = tokens.filter(nonSpace);
  const roots = Array.from(frag.children);
  if (!top.length || roots.length !== top.length) return null;
  if (top.length > 1) return 'ended';
  let tok = top[0];
  let el = roots[0];
  const grafts: Graft[] = [];
  /** Levels where the window adds siblings after the open child: the last one added (rendered). */
  const news: News[] = [];
  for (let i = 0; i < path.levels.length; i++) {
    const l = path.levels[i];
    if (l.kind === 'quote') {
      if (tok.type !== 'blockquote' || el.tagName !== 'BLOCKQUOTE') return null;
      const kids = (tok as Tokens.Blockquote).tokens.filter(nonSpace);
      const els = elementsOf(el);
      const o = l.dummy ? 1 : 0;
      if (els.length !== kids.length || kids.length <= o || (l.dummy && !isX(kids[0]))) return null;
      const rest = after(els[o]);
      if (rest.length) grafts.push({ target: l.el, nodes: rest });
      if (kids.length > o + 1) news.push({ level: i, tok: kids[kids.length - 1], el: els[els.length - 1] });
      tok = kids[o];
      el = els[o];
      continue;
    }
    const list = tok as Tokens.List;
    if (tok.type !== 'list' || list.ordered !== l.ordered || list.loose !== l.loose) return null;
    const c = l.loose ? 1 : 0;
    const lis = elementsOf(el);
    if (lis.length !== list.items.length || list.items.length <= c || (l.loose && !isX(list.items[0].tokens.find(nonSpace)))) return null;
    const item = list.items[c];
    if (item.task || !item.raw.startsWith(l.first)) return null;
    const newItems = after(lis[c]);
    if (newItems.length) grafts.push({ target: l.el, nodes: newItems });
    if (list.items.length > c + 1) news.push({ level: i, tok: list, el: lis[lis.length - 1], item: list.items[list.items.length - 1] });
    const kids = item.tokens.filter(nonSpace);
    const o = l.dummy ? 1 : 0;
    const li = lis[c];
    const blocks = kids.filter(isBlock);
    const els = blocksOf(li);
    if (kids.length <= o || els.length !== blocks.length || (l.dummy && !isX(kids[0]))) return null;
    const open = kids[o];
    if (i === path.levels.length - 1 && path.leaf.kind === 'para' && path.leaf.type === 'text') {
      // The leaf is the item's text: everything in the window's item after the `x` goes at the end of the real one.
      if (open.type !== 'text' || !(open as Tokens.Text).text.startsWith('x') || o !== 0) return null;
      const nodes = dropX(li);
      if (!nodes) return null;
      if (nodes.length) grafts.push({ target: l.li, nodes });
      if (kids.length > 1) news.push({ level: i, tok: kids[kids.length - 1], el: els[els.length - 1] });
      return plan(grafts, news, path, kids[0] as Tokens.Text);
    }
    const k = blocks.indexOf(open);
    if (k < 0) return null;
    const rest = after(els[k]);
    if (rest.length) grafts.push({ target: l.li, nodes: rest });
    if (kids.length > o + 1) news.push({ level: i, tok: kids[kids.length - 1], el: els[els.length - 1] });
    tok = open;
    el = els[k];
  }
  const leaf = path.leaf;
  if (leaf.kind === 'para') {
    if (leaf.type !== 'paragraph' || tok.type !== 'paragraph' || el.tagName !== 'P' || !(tok as Tokens.Paragraph).text.startsWith('x')) return null;
    const nodes = dropX(el);
    if (!nodes) return null;
    if (nodes.length) grafts.push({ target: leaf.el, nodes });
    return plan(grafts, news, path, tok as Tokens.Paragraph);
  }
  if (tok.type !== 'table' || el.tagName !== 'TABLE' || !tok.raw.startsWith(leaf.head + '\n')) return null;
  const body = el.querySelector(':scope > tbody');
  if (body?.firstChild) grafts.push({ target: leaf.body, nodes: Array.from(body.childNodes) });
  return plan(grafts, news, path, null);
}

/** New siblings the window adds at a level: the last one, rendered (its element goes into the real block); for a
 * list level, `item` when they are new items (else new blocks in the open item). */
interface News {
  level: number;
  tok: Token;
  el: Element;
  item?: Tokens.ListItem;
}

function plan(grafts: Graft[], news: News[], path: OpenPath, leafTok: Tokens.Paragraph | Tokens.Text | null): Plan {
  return {
    grafts,
    next: () => {
      // Where the path first meets new siblings (the top-most level; at a list level, new items come after new
      // blocks in its open item), it goes on in the last of them; above, it is what it was.
      let n: News | undefined;
      for (const x of news) if (!n || x.level < n.level || (x.level === n.level && x.item)) n = x;
      if (!n) {
        if (path.leaf.kind === 'table') return path;
        return { levels: path.levels, leaf: { ...path.leaf, pending: path.leaf.pending || pendingIn(leafTok?.tokens ?? []) } };
      }
      const levels = path.levels.slice(0, n.level);
      const l = path.levels[n.level];
      if (l.kind === 'list' && n.item) return itemPath(n.tok as Tokens.List, l.el, n.item, n.el, levels);
      return pathOf(n.tok, n.el, [...levels, { ...l, dummy: true }]);
    },
  };
}
