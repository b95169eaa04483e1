// Answers made of one huge block (or one deep nest) — the shapes a log, a CSV, a generated list or table, a long
// code listing take — for the render bench, the panel bench and the webview tests. Deterministic.
import { marked } from 'marked';

export const SHAPES = ['paragraph', 'list', 'table', 'code', 'quotes', 'nested-lists'] as const;
export type Shape = (typeof SHAPES)[number];

/** Nesting depth of the `quotes` and `nested-lists` shapes. */
export const DEPTH = 200;

/** One line of a log: ASCII with the punctuation logs have (brackets, underscores, colons, parentheses). */
export function logLine(i: number): string {
  const t = `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`;
  return `2024-05-${String((i % 28) + 1).padStart(2, '0')} ${t} INFO [worker-${i % 7}] processed job_${i} in ${(i * 13) % 997} ms (queue ${i % 31})`;
}

/**
 * A heading and then one block of about `chars` characters:
 *   paragraph     log lines with no blank line between them (one paragraph);
 *   list          one tight bullet list, an item per log line;
 *   table         one table, a row per log line;
 *   code          one fenced code block of log lines (closed at the end);
 *   quotes        DEPTH nested blockquotes, then log lines in the innermost one;
 *   nested-lists  DEPTH nested list items, then log lines as items of the innermost list.
 */
export function shapedAnswer(shape: Shape, chars: number): string {
  const parts: string[] = ['# Build log\n\n'];
  let size = parts[0].length;
  const push = (s: string) => {
    parts.push(s);
    size += s.length;
  };
  if (shape === 'table') push('| date | time | worker | message |\n|---|---|:---:|---|\n');
  if (shape === 'code') push('```text\n');
  if (shape === 'quotes') for (let d = 1; d <= DEPTH; d++) push(`${'> '.repeat(d)}level ${d}\n`);
  if (shape === 'nested-lists') for (let d = 0; d < DEPTH; d++) push(`${'  '.repeat(d)}- level ${d + 1}\n`);
  const deepQuote = '> '.repeat(DEPTH);
  const deepItem = '  '.repeat(DEPTH);
  for (let i = 0; size < chars; i++) {
    const line = logLine(i);
    switch (shape) {
      case 'paragraph':
      case 'code':
        push(`${line}\n`);
        break;
      case 'list':
        push(`- ${line}\n`);
        break;
      case 'table': {
        const [date, time, ...rest] = line.split(' ');
        push(`| ${date} | ${time} | ${rest[1]} | ${rest.slice(2).join(' ')} |\n`);
        break;
      }
      case 'quotes':
        push(`${deepQuote}${line}\n`);
        break;
      case 'nested-lists':
        push(`${deepItem}- ${line}\n`);
        break;
    }
  }
  if (shape === 'code') push('```\n');
  return parts.join('');
}

/** The length of the text a one-shot render of `markdown` shows (the DOM's textContent, code blocks' headers not
 * counted): what a panel shows once all of an answer is in. */
export function renderedLength(markdown: string): number {
  const html = marked.parse(markdown, { async: false }) as string;
  return html.replace(/<[^>]*>/g, '').replace(/&(?:amp|lt|gt|quot|#39);/g, 'x').length;
}
