// Code blocks: syntax highlighting with highlight.js core (a fixed set of common languages keeps the
// bundle small) and a header with the language and Copy / Insert at Cursor buttons. Buttons are created
// here by script, never from HTML, so markdown cannot forge one.
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { t } from '../strings';
import { sanitizeToString } from './purify';

const LANGUAGES = { bash, css, diff, go, java, javascript, json, markdown, python, rust, sql, typescript, xml, yaml };
for (const [name, def] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, def);
const AUTO_LANGUAGES = Object.keys(LANGUAGES);
/** Auto-detection is skipped for blocks this large (it runs every registered grammar). */
const AUTO_MAX_CHARS = 20_000;
/** Highlighting is skipped for blocks this large (plain text stays fast and correct). */
const HIGHLIGHT_MAX_CHARS = 200_000;

export interface CodeActions {
  copy(text: string): void;
  insert(text: string): void;
}

export interface EnhanceOptions {
  /** Syntax highlighting on (default true). */
  highlight?: boolean;
  /** Run auto-detection for fences without a language (finished blocks only; default true). */
  auto?: boolean;
  actions?: CodeActions;
}

/** A language name from a fence info string, reduced to safe characters; '' when unusable. */
export function safeLanguage(lang: string | undefined | null): string {
  const m = /^[A-Za-z0-9_+#.-]{1,32}$/.exec((lang ?? '').trim());
  return m ? m[0].toLowerCase() : '';
}

function languageOf(code: Element): string {
  for (const c of Array.from(code.classList)) if (c.startsWith('language-')) return safeLanguage(c.slice(9));
  return '';
}


function iconButton(icon: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'icon-button';
  b.title = label;
  b.setAttribute('aria-label', label);
  const i = document.createElement('span');
  i.className = `codicon codicon-${icon}`;
  i.setAttribute('aria-hidden', 'true');
  b.append(i);
  b.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** Highlights every `pre > code` under `root` and wraps it with a header. Idempotent per block. */
export function enhanceCodeBlocks(root: ParentNode, opts: EnhanceOptions = {}): void {
  const highlight = opts.highlight !== false;
  for (const code of Array.from(root.querySelectorAll('pre > code'))) {
    const pre = code.parentElement as HTMLElement;
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const text = code.textContent ?? '';
    let lang = languageOf(code);
    code.className = lang ? `language-${lang}` : '';
    if (highlight && text.length <= HIGHLIGHT_MAX_CHARS) {
      let html: string | undefined;
      if (lang && hljs.getLanguage(lang)) {
        html = hljs.highlight(text, { language: lang, ignoreIllegals: true }).value;
      } else if (!lang && opts.auto !== false && text.length <= AUTO_MAX_CHARS && text.trim()) {
        const r = hljs.highlightAuto(text, AUTO_LANGUAGES);
        if (r.language && r.relevance >= 5) {
          html = r.value;
          lang = r.language;
        }
      }
      if (html !== undefined) {
        code.innerHTML = sanitizeToString(html);
        code.classList.add('hljs');
      }
    }
    const block = document.createElement('div');
    block.className = 'code-block';
    const header = document.createElement('div');
    header.className = 'code-header';
    const label = document.createElement('span');
    label.className = 'code-lang';
    label.textContent = lang || t('Code');
    const tools = document.createElement('span');
    tools.className = 'code-tools';
    const actions = opts.actions;
    tools.append(
      iconButton('copy', t('Copy code'), () => actions?.copy(code.textContent ?? '')),
      iconButton('insert', t('Insert code at cursor'), () => actions?.insert(code.textContent ?? '')),
    );
    header.append(label, tools);
    pre.replaceWith(block);
    block.append(header, pre);
  }
}

/** Code touching the common modes of every grammar (keywords, strings, numbers, comments, calls, markup):
 * V8 compiles each of a grammar's regular expressions on first use, not when the grammar is compiled. */
const WARM_CODE = [
  'import { a } from "m"; // comment',
  'export async function f(x: string, n = 42): Promise<void> { const r = await g(`t ${x}`); return r?.y ?? null; }',
  'def f(x, *args): """doc""" return [i for i in range(10) if i % 2]  # comment',
  "SELECT a, COUNT(*) AS n FROM t WHERE b > NOW() - INTERVAL '7 days' GROUP BY a ORDER BY n DESC LIMIT 20; -- c",
  'func F(ctx context.Context) error { for i := 0; i < n; i++ { if err != nil { return err } } }',
  'curl -N -X POST "$URL/x" -H \'A: b\' | jq .a  # comment',
  '{ "k": [1, 2.5, true, null], "s": "v" }',
  '<div class="a" id=\'b\'>text &amp; <b>bold</b></div>',
  'key: value\nlist:\n  - 1',
].join('\n');

/**
 * Compiles the grammars (highlight.js compiles each lazily on first use, 2–15 ms each) and runs each once on
 * realistic code, one language per idle period, so the first code block of a stream does not pay for it
 * inside a frame.
 */
export function warmUpHighlighting(schedule: (cb: () => void) => void): void {
  const names = AUTO_LANGUAGES.slice();
  const next = () => {
    const name = names.shift();
    if (!name) return;
    hljs.highlight(WARM_CODE, { language: name, ignoreIllegals: true });
    schedule(next);
  };
  schedule(next);
}
