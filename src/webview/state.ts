// Pure state updates for the panel: applying host patches to entries. No DOM here.
import type { EntryPatch, EntryView } from '../protocol';
import type { TraceNode } from '../run/types';

/** What a patch changed, so the view touches only those parts. */
export interface EntryChanges {
  /** The answer was replaced (not only appended to). */
  answerReplaced?: boolean;
  answer?: boolean;
  /** The answer grew past what the panel shows. */
  answerCut?: boolean;
  thinking?: boolean;
  thinkingDone?: boolean;
  nodes?: boolean;
  outputs?: boolean;
  usage?: boolean;
  citations?: boolean;
  files?: boolean;
  suggestions?: boolean;
  paused?: boolean;
  status?: boolean;
  error?: boolean;
}

export function mergeChanges(into: EntryChanges, from: EntryChanges): EntryChanges {
  for (const k of Object.keys(from) as (keyof EntryChanges)[]) if (from[k]) into[k] = true;
  return into;
}

/** Upserts nodes by id, keeping first-arrival order. */
export function upsertNodes(nodes: TraceNode[], updates: TraceNode[]): TraceNode[] {
  const out = nodes.slice();
  const index = new Map(out.map((n, i) => [n.id, i]));
  for (const u of updates) {
    const i = index.get(u.id);
    if (i === undefined) {
      index.set(u.id, out.length);
      out.push(u);
    } else {
      out[i] = { ...out[i], ...u };
    }
  }
  return out;
}

/** Applies a patch in place (the entry object is the model the view reads). */
export function applyPatch(e: EntryView, p: EntryPatch): EntryChanges {
  const c: EntryChanges = {};
  if (typeof p.answer === 'string') {
    e.answer = p.answer;
    c.answer = c.answerReplaced = true;
  }
  if (typeof p.answerAppend === 'string' && p.answerAppend) {
    e.answer += p.answerAppend;
    c.answer = true;
  }
  if (typeof p.thinkingAppend === 'string' && p.thinkingAppend) {
    e.thinking += p.thinkingAppend;
    c.thinking = true;
  }
  if (p.thinkingDone !== undefined && p.thinkingDone !== e.thinkingDone) {
    e.thinkingDone = p.thinkingDone;
    c.thinkingDone = true;
  }
  if (Array.isArray(p.nodes) && p.nodes.length) {
    e.nodes = upsertNodes(e.nodes, p.nodes);
    c.nodes = true;
  }
  if (p.outputs !== undefined) {
    e.outputs = p.outputs;
    c.outputs = true;
  }
  if (p.usage !== undefined) {
    e.usage = p.usage;
    c.usage = true;
  }
  if (p.citations !== undefined) {
    e.citations = p.citations;
    c.citations = true;
  }
  if (p.files !== undefined) {
    e.files = p.files;
    c.files = true;
  }
  if (p.suggestions !== undefined) {
    e.suggestions = p.suggestions;
    c.suggestions = true;
  }
  if (p.paused !== undefined) {
    e.paused = p.paused;
    c.paused = true;
  }
  if (p.answerCut !== undefined && p.answerCut !== e.answerCut) {
    e.answerCut = p.answerCut;
    c.answerCut = true;
  }
  if (p.conversationId !== undefined) e.conversationId = p.conversationId;
  if (p.status !== undefined && p.status !== e.status) {
    e.status = p.status;
    c.status = true;
  }
  if (p.error !== undefined) {
    e.error = p.error;
    c.error = true;
  }
  return c;
}

/** Everything changed (a fresh entry or a restored one). */
export const ALL_CHANGES: EntryChanges = {
  answer: true, answerReplaced: true, answerCut: true, thinking: true, thinkingDone: true, nodes: true, outputs: true, usage: true,
  citations: true, files: true, suggestions: true, paused: true, status: true, error: true,
};
