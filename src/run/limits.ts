// How much of one run is kept, shown and stored (RUN_BOUNDS), and the functions that cut to it.
import type { AppParameters } from '../providers/types';

export interface RunBounds {
  liveAnswerChars: number;
  totalChars: number;
  thinkingChars: number;
  depth: number;
  entries: number;
  stringChars: number;
  formFields: number;
}

/** How much of one run is kept, shown and stored: past these, text is cut with a message, never a crash. */
export const RUN_BOUNDS: Readonly<RunBounds> = Object.freeze({
  /** Characters of the answer the live panel shows; the rest is kept for "Open in Editor" only. */
  liveAnswerChars: 4_000_000,
  /** Characters of one run's answer and thinking kept at all; past this the run is stopped on the server. */
  totalChars: 32_000_000,
  /** Characters of the thinking part kept (it is read, never inserted). */
  thinkingChars: 1_000_000,
  /** Nesting of outputs and trace details kept (deeper levels become "…"). */
  depth: 16,
  /** Entries of one object or array in outputs. */
  entries: 1000,
  /** Characters of one string in outputs and trace details. */
  stringChars: 100_000,
  /** Inputs of an app's form that are shown and asked for. */
  formFields: 100,
});

/** JSON of any size or depth cut to RUN_BOUNDS: deeper levels, longer arrays and strings end in "…". */
export function bounded(value: unknown, depth: number = RUN_BOUNDS.depth): unknown {
  if (typeof value === 'string') return value.length > RUN_BOUNDS.stringChars ? `${value.slice(0, RUN_BOUNDS.stringChars)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth <= 0) return '…';
  if (Array.isArray(value)) {
    const kept = value.slice(0, RUN_BOUNDS.entries).map((v) => bounded(v, depth - 1));
    return value.length > RUN_BOUNDS.entries ? [...kept, `… ${value.length - RUN_BOUNDS.entries} more`] : kept;
  }
  const entries = Object.entries(value);
  // fromEntries defines own properties: a `__proto__` key stays a plain key.
  const kept = entries.slice(0, RUN_BOUNDS.entries).map(([k, v]) => [k, bounded(v, depth - 1)] as const);
  if (entries.length > RUN_BOUNDS.entries) return Object.fromEntries([...kept, ['…', `${entries.length - RUN_BOUNDS.entries} more`]]);
  return Object.fromEntries(kept);
}

/** An app's form cut to RUN_BOUNDS.formFields (it is asked for step by step and shown beside the message box),
 * saying how many fields were left out. */
export function boundedForm(params: AppParameters): AppParameters {
  const n = params.fields.length - RUN_BOUNDS.formFields;
  return n > 0 ? { ...params, fields: params.fields.slice(0, RUN_BOUNDS.formFields), droppedFields: n } : params;
}

/** A string from a server cut to `max` characters. */
export function clip(s: string, max: number = RUN_BOUNDS.stringChars): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
