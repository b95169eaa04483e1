// highlight.js with a fixed set of common languages (keeps the bundle small). Runs only in the highlight
// worker (highlightWorker.ts): the main thread never imports it.
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
import type { HighlightJob, HighlightResult, HighlightTokens } from './highlightProtocol';

const LANGUAGES = { bash, css, diff, go, java, javascript, json, markdown, python, rust, sql, typescript, xml, yaml };
for (const [name, def] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, def);
const AUTO_LANGUAGES = Object.keys(LANGUAGES);
/** Auto-detection is skipped for blocks this large (it runs every registered grammar). */
const AUTO_MAX_CHARS = 20_000;
/** Auto-detection must be at least this sure (highlight.js relevance) to colour a block. */
const AUTO_MIN_RELEVANCE = 5;

/** highlight.js's HTML for one block: with its language when known, else by auto-detection when asked;
 * null when it stays plain. */
export function highlightHtml(text: string, lang: string, auto: boolean): { html: string; lang: string } | null {
  if (lang) return hljs.getLanguage(lang) ? { html: hljs.highlight(text, { language: lang, ignoreIllegals: true }).value, lang } : null;
  if (!auto || text.length > AUTO_MAX_CHARS || !text.trim()) return null;
  const r = hljs.highlightAuto(text, AUTO_LANGUAGES);
  return r.language && r.relevance >= AUTO_MIN_RELEVANCE ? { html: r.value, lang: r.language } : null;
}

/** Highlights one block for the panel: its DOM-building steps, or null when it stays plain. */
export function highlightCode(job: HighlightJob): HighlightResult {
  const r = highlightHtml(job.text, job.lang, job.auto);
  return r ? { id: job.id, tokens: tokensOf(r.html), lang: r.lang } : { id: job.id, tokens: null, lang: job.lang };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'" };

/**
 * highlight.js's HTML as DOM-building steps. Its output has exactly two kinds of tags, `<span class="…">`
 * and `</span>`, and text escaped with the five entities above (its escapeHTML); anything else would make
 * the result unusable, and the block stays plain (null) rather than shown wrong.
 */
export function tokensOf(html: string): HighlightTokens | null {
  const ops: (string | number)[] = [];
  const classes: string[] = [];
  const index = new Map<string, number>();
  let depth = 0;
  const TAG = /<span class="([\w .-]*)">|<\/span>|<|>/g;
  let at = 0;
  const text = (raw: string) => {
    if (!raw) return true;
    if (/&(?!(?:amp|lt|gt|quot|#x27);)/.test(raw)) return false;
    ops.push(raw.replace(/&(?:amp|lt|gt|quot|#x27);/g, (e) => ENTITIES[e]));
    return true;
  };
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    if (!text(html.slice(at, m.index))) return null;
    at = m.index + m[0].length;
    if (m[1] !== undefined) {
      let n = index.get(m[1]);
      if (n === undefined) index.set(m[1], (n = classes.push(m[1]) - 1));
      ops.push(n);
      depth++;
    } else if (m[0] === '</span>' && depth > 0) {
      ops.push(-1);
      depth--;
    } else return null;
  }
  if (!text(html.slice(at)) || depth !== 0) return null;
  return { ops, classes };
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

/** The languages still to warm up: highlight.js compiles each grammar lazily on first use (2–15 ms each). */
const cold = AUTO_LANGUAGES.slice();

/** Compiles one more grammar and runs it once on realistic code; false when all are warm. */
export function warmOneGrammar(): boolean {
  const name = cold.shift();
  if (!name) return false;
  hljs.highlight(WARM_CODE, { language: name, ignoreIllegals: true });
  return true;
}
