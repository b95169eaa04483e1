// What the answer actions take (Copy, Insert at Cursor, Replace Selection, a code block's Copy and Insert): the
// text the panel shows, never text it hides (an HTML comment, a dropped element, an unused link definition).
// Computed only when an action is clicked.
import type { Token, TokensList } from 'marked';
import { codeOf } from './answerCode';
import { HtmlDepth, hasHtml, lexWithLinks, neutralizeHtml, toHtml } from './pipeline';
import { sanitizeToFragment } from './purify';
import { visibleText } from './visibleText';

/** The answer's markdown without what the panel does not show: each raw-HTML token (block or inline) becomes the
 * text its sanitized rendering shows, and link definitions no link uses go; the rest of the markdown is kept. */
export function visibleMarkdown(markdown: string): string {
  const src = markdown.replace(/\r\n?/g, '\n');
  const tokens = lexWithLinks(src);
  if (!tokens.some(needsRebuild)) return markdown;
  let total = 0;
  for (const tok of tokens) total += tok.raw.length;
  if (total !== src.length) return shownText(tokens); // (marked's raws always tile the text; in case they do not)
  const rebuild = new Rebuild(tokens);
  let out = '';
  for (const group of groups(tokens)) out += rebuild.group(group);
  return out;
}

/** What Replace Selection puts in: the visible markdown, or the code of its one fenced block. */
export function replacementText(markdown: string): string {
  return codeOf(visibleMarkdown(markdown));
}

type Children = { tokens?: Token[]; items?: Token[]; header?: { tokens: Token[] }[]; rows?: { tokens: Token[] }[][] };

/** A token's child tokens, in the order their text appears in its raw. */
function childrenOf(tok: Token): Token[] {
  const t = tok as unknown as Children;
  if (t.items) return t.items;
  if (t.header) return [...t.header.flatMap((c) => c.tokens), ...(t.rows ?? []).flatMap((r) => r.flatMap((c) => c.tokens))];
  return t.tokens ?? [];
}

function hasDef(tok: Token): boolean {
  return tok.type === 'def' || ((tok.type === 'blockquote' || tok.type === 'list' || tok.type === 'list_item') && childrenOf(tok).some(hasDef));
}

function needsRebuild(tok: Token): boolean {
  return hasHtml(tok) || hasDef(tok);
}

/** Top-level tokens as the renderer sanitizes them together: raw HTML open across blocks keeps them in one. */
function groups(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  const depth = new HtmlDepth();
  let group: Token[] = [];
  for (const tok of tokens) {
    depth.token(tok);
    group.push(tok);
    if (depth.depth === 0) {
      out.push(group);
      group = [];
    }
  }
  if (group.length) out.push(group);
  return out;
}

/** The text tokens show once rendered and sanitized. */
function renderedText(tokens: Token[]): string {
  return visibleText(sanitizeToFragment(toHtml(tokens)));
}

/** Block text without the line breaks around it (the markup's), ending as `raw` ends (blank lines kept). */
function asBlock(text: string, raw: string): string {
  const inner = text.replace(/^\n+/, '').replace(/\s+$/, '');
  return inner && inner + /\s*$/.exec(raw)![0];
}

/** Tokens as the plain text they show (no markdown left). */
function shownText(tokens: Token[]): string {
  return asBlock(renderedText(tokens), tokens.map((t) => t.raw).join(''));
}

/** Text as markdown that shows it literally (every ASCII punctuation escaped): used only to check a rebuild. */
function literal(text: string): string {
  return text.replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

const sameText = (a: string, b: string) => a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
const normLabel = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
/** A reference link: `[text][label]`, `[label][]` or `[label]`. */
const REF_LINK = /^!?\[((?:\\.|[^\\\]])*)\](?:\[((?:\\.|[^\\\]])*)\])?$/;

/** A token's markdown as shown (`shown`) and with shown HTML text as literal markdown (`checked`). */
type Rebuilt = { shown: string; checked: string };

class Rebuild {
  private used?: Set<string>;

  constructor(private readonly tokens: TokensList) {}

  /**
   * A group's visible markdown: each token rebuilt from its children's raws, found in order in its own raw. The
   * result must show the same text as the group does in the panel (the context of raw HTML can hide markdown
   * after it: an unclosed `<template>`…); when it does not, or a child cannot be found, the group's shown text.
   */
  group(group: Token[]): string {
    if (!group.some(needsRebuild)) return group.map((t) => t.raw).join('');
    const parts = group.map((t) => this.token(t));
    if (parts.every((p) => p !== undefined)) {
      const again = lexWithLinks(parts.map((p) => p!.checked).join(''), this.tokens.links);
      if (!again.some(hasHtml) && sameText(renderedText(again), renderedText(group))) return parts.map((p) => p!.shown).join('');
    }
    return shownText(group);
  }

  /** `inCell`: inside a table, where a line break would end the row. */
  private token(tok: Token, inCell = false): Rebuilt | undefined {
    if (tok.type === 'html') return this.html(tok, inCell);
    if (tok.type === 'def') return this.usedLabels().has(normLabel(tok.tag)) ? { shown: tok.raw, checked: tok.raw } : { shown: '', checked: '' };
    if (!needsRebuild(tok)) return { shown: tok.raw, checked: tok.raw };
    let shown = '';
    let checked = '';
    let at = 0;
    for (const child of childrenOf(tok)) {
      const i = tok.raw.indexOf(child.raw, at);
      // Lines of a quote or list item lose their `>` / indent in its children: written again around them.
      if (i < 0) return tok.type === 'blockquote' || tok.type === 'list_item' ? this.container(tok) : undefined;
      const part = this.token(child, inCell || tok.type === 'table');
      if (!part) return undefined;
      const gap = tok.raw.slice(at, i);
      shown += gap + part.shown;
      checked += gap + part.checked;
      at = i + child.raw.length;
    }
    const rest = tok.raw.slice(at);
    return { shown: shown + rest, checked: checked + rest };
  }

  /** A quote or list item from its children's visible markdown, each line behind the quote's `> ` or the item's
   * marker (first line) and indent (the others). */
  private container(tok: Token): Rebuilt | undefined {
    const parts = childrenOf(tok).map((c) => this.token(c));
    if (parts.some((p) => !p)) return undefined;
    const marker = tok.type === 'blockquote' ? '> ' : /^[ \t]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]+|$)/.exec(tok.raw)?.[0];
    if (marker === undefined) return undefined;
    const indent = tok.type === 'blockquote' ? '> ' : ' '.repeat(marker.length);
    const trail = /\s*$/.exec(tok.raw)![0];
    const wrap = (text: string) => text.replace(/\s+$/, '').split('\n')
      .map((line, i) => (i === 0 ? marker + line : line ? indent + line : indent.trimEnd())).join('\n') + trail;
    return { shown: wrap(parts.map((p) => p!.shown).join('')), checked: wrap(parts.map((p) => p!.checked).join('')) };
  }

  /** Raw HTML as the text its sanitized rendering shows: a block keeps the blank lines after it (or goes, when it
   * shows nothing); in a table cell, line breaks become spaces. */
  private html(tok: Token, inCell: boolean): Rebuilt {
    const text = visibleText(sanitizeToFragment(neutralizeHtml(tok.raw)));
    const block = (tok as { block?: boolean }).block === true;
    const shown = block ? asBlock(text, tok.raw) : inCell ? text.replace(/\n/g, ' ') : text;
    return { shown, checked: literal(shown) };
  }

  /** Labels reference links use (their definitions show as the links' targets). */
  private usedLabels(): Set<string> {
    if (this.used) return this.used;
    const used = new Set<string>();
    const walk = (tokens: Token[]) => {
      for (const tok of tokens) {
        const m = tok.type === 'link' || tok.type === 'image' ? REF_LINK.exec(tok.raw) : null;
        if (m) used.add(normLabel(m[2] || m[1]));
        walk(childrenOf(tok));
      }
    };
    walk(this.tokens);
    return (this.used = used);
  }
}
