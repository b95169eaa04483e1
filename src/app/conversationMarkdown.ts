// A whole conversation as a Markdown document ("Export Conversation"): a header naming the app and the dates, then
// each question and its answer as the panel shows them. A model's thinking (`<think>…</think>`, as local reasoning
// models write it into the answer) goes into a collapsed <details> block, as the panel collapses it. Pure: the words
// and the date format come from the caller (translated there).
import { ThinkSplitter } from '../run/thinkSplitter';

export interface ExportTurn {
  query: string;
  /** The answer as stored, thinking tags and all. */
  answer: string;
  /** Unix seconds. */
  createdAt?: number;
  rating?: 'like' | 'dislike';
}

export interface ExportHeader {
  app: string;
  /** The conversation's name ('' when it has none yet). */
  name: string;
  id: string;
  /** Unix seconds. */
  createdAt?: number;
  updatedAt?: number;
  /** Unix seconds. */
  exportedAt: number;
}

/** The document's words, in the person's language. */
export interface ExportLabels {
  untitled: string;
  app: string;
  started: string;
  updated: string;
  exported: string;
  conversationId: string;
  /** `{0}`: the turn's number. */
  question: string;
  answer: string;
  thinking: string;
  liked: string;
  disliked: string;
  empty: string;
  noAnswer: string;
}

/** The thinking and the answer proper of a stored answer, split as the panel splits a live one. */
export function splitThinking(answer: string): { thinking: string; answer: string } {
  const s = new ThinkSplitter();
  const a = s.push(answer);
  const b = s.end();
  return { thinking: (a.movedToThinking ?? '') + a.thinking + b.thinking, answer: a.answer + b.answer };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Thinking, as markdown inside the <details> block: a `</details>` in it would end the block early. */
function insideDetails(text: string): string {
  return text.replace(/<(\/?details)/gi, '&lt;$1');
}

export function conversationMarkdown(header: ExportHeader, turns: ExportTurn[], labels: ExportLabels, formatDate: (unixSeconds: number) => string): string {
  const out: string[] = [];
  out.push(`# ${oneLine(header.name) || labels.untitled}`, '');
  const meta: [string, string | undefined][] = [
    [labels.app, header.app],
    [labels.started, header.createdAt !== undefined ? formatDate(header.createdAt) : undefined],
    [labels.updated, header.updatedAt !== undefined ? formatDate(header.updatedAt) : undefined],
    [labels.exported, formatDate(header.exportedAt)],
    [labels.conversationId, `\`${header.id}\``],
  ];
  for (const [k, v] of meta) if (v) out.push(`- **${k}:** ${v}`);
  out.push('');
  if (!turns.length) out.push(labels.empty, '');
  turns.forEach((t, i) => {
    out.push('---', '');
    const when = t.createdAt !== undefined ? ` · ${formatDate(t.createdAt)}` : '';
    out.push(`## ${labels.question.replace('{0}', String(i + 1))}${when}`, '', t.query.trim(), '');
    const { thinking, answer } = splitThinking(t.answer);
    out.push(`### ${labels.answer}`, '');
    if (thinking.trim()) {
      out.push('<details>', `<summary>${escapeHtml(labels.thinking)}</summary>`, '', insideDetails(thinking.trim()), '', '</details>', '');
    }
    out.push(answer.trim() || `_${labels.noAnswer}_`, '');
    if (t.rating) out.push(`_${t.rating === 'like' ? labels.liked : labels.disliked}_`, '');
  });
  return out.join('\n');
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** A file name from a conversation's name: what file systems refuse replaced, Chinese and emoji kept. */
export function fileNameOf(title: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/[. ]+$/, '');
  return safe.slice(0, 80) || 'conversation';
}
