// One workflow run in full as a Markdown document (Recent Runs → a run): its status and times, its error, what went
// in and what came out. Pure: the words and the date format come from the caller (translated there).
import type { WorkflowRunDetail } from '../providers/types';

export interface RunDetailLabels {
  /** `{0}`: the app, `{1}`: the status in words. */
  title: string;
  status: string;
  runId: string;
  workflowId: string;
  started: string;
  finished: string;
  elapsed: string;
  /** `{0}`: seconds. */
  seconds: string;
  tokens: string;
  steps: string;
  error: string;
  inputs: string;
  outputs: string;
  none: string;
  /** The run is still going: outputs come at its end. */
  stillRunning: string;
}

/** A fence that no line of `body` can close early. */
export function fenced(lang: string, body: string): string {
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${body}\n${ticks}`;
}

function valueBlock(v: unknown): string {
  if (typeof v === 'string') return v.includes('\n') || v.length > 80 ? fenced('text', v) : `\`${v.replace(/`/g, 'ˋ')}\``;
  return fenced('json', JSON.stringify(v, null, 2) ?? String(v));
}

function section(title: string, values: Record<string, unknown> | undefined, labels: RunDetailLabels, raw?: string): string[] {
  const out = [`## ${title}`, ''];
  const entries = Object.entries(values ?? {});
  if (raw !== undefined) out.push(fenced('text', raw), '');
  else if (!entries.length) out.push(`_${labels.none}_`, '');
  for (const [k, v] of entries) out.push(`### ${k}`, '', valueBlock(v), '');
  return out;
}

export function runDetailMarkdown(app: string, d: WorkflowRunDetail, statusText: string, labels: RunDetailLabels, formatDate: (unixSeconds: number) => string): string {
  const out: string[] = [`# ${labels.title.replace('{0}', app).replace('{1}', statusText)}`, ''];
  const rows: [string, string | undefined][] = [
    [labels.status, statusText],
    [labels.runId, `\`${d.id}\``],
    [labels.workflowId, d.workflowId && `\`${d.workflowId}\``],
    [labels.started, d.createdAt !== undefined ? formatDate(d.createdAt) : undefined],
    [labels.finished, d.finishedAt ? formatDate(d.finishedAt) : undefined],
    [labels.elapsed, d.elapsedSeconds !== undefined ? labels.seconds.replace('{0}', d.elapsedSeconds.toFixed(2)) : undefined],
    [labels.tokens, d.totalTokens !== undefined ? String(d.totalTokens) : undefined],
    [labels.steps, d.totalSteps !== undefined ? String(d.totalSteps) : undefined],
  ];
  for (const [k, v] of rows) if (v) out.push(`- **${k}:** ${v}`);
  out.push('');
  if (d.error) out.push(`## ${labels.error}`, '', fenced('text', d.error), '');
  out.push(...section(labels.inputs, d.inputs, labels, d.inputsText));
  if (d.status === 'running' || d.status === 'paused') out.push(`## ${labels.outputs}`, '', `_${labels.stillRunning}_`, '');
  else out.push(...section(labels.outputs, d.outputs, labels));
  return out.join('\n');
}
