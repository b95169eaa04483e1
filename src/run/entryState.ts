// Applies provider-neutral RunEvents to the view model of one entry and says what changed, as an
// EntryPatch the panel can send. Pure: no I/O, no timers, no `vscode`.
import type { EntryPatch, EntryView } from '../protocol';
import type { RunEvent, TraceNode } from './types';
import { ThinkSplitter, type SplitDelta } from './thinkSplitter';

export class EntryState {
  private readonly splitter = new ThinkSplitter();
  private nodeIndex = new Map<string, number>();

  constructor(readonly entry: EntryView) {
    entry.nodes.forEach((n, i) => this.nodeIndex.set(n.id, i));
  }

  /** Applies one event; returns the patch describing the change, or undefined if nothing visible changed. */
  apply(ev: RunEvent): EntryPatch | undefined {
    const e = this.entry;
    const patch: EntryPatch = { id: e.id };
    switch (ev.type) {
      case 'meta':
        if (ev.conversationId && ev.conversationId !== e.conversationId) {
          e.conversationId = ev.conversationId;
          patch.conversationId = ev.conversationId;
          return patch;
        }
        return undefined;
      case 'answer':
        return this.applySplit(this.splitter.push(ev.text), patch);
      case 'answerReplace': {
        // Moderation or a closing full-answer repeat: the visible answer becomes this text (thinking removed).
        const fresh = new ThinkSplitter();
        const d = fresh.push(ev.text);
        const tail = fresh.end();
        e.answer = d.answer + tail.answer;
        patch.answer = e.answer;
        return patch;
      }
      case 'reasoning':
        if (!ev.text) return undefined;
        e.thinking += ev.text;
        patch.thinkingAppend = ev.text;
        return patch;
      case 'node':
        this.upsertNode(ev.node);
        patch.nodes = [ev.node];
        return patch;
      case 'outputs': {
        // An output that only repeats the streamed answer (the usual `text`/`answer` of an End node) is not shown twice.
        const extra = Object.entries(ev.outputs).filter(([, v]) => !(typeof v === 'string' && sameText(v, e.answer)));
        if (!extra.length) return undefined;
        e.outputs = Object.fromEntries(extra);
        patch.outputs = e.outputs;
        return patch;
      }
      case 'usage':
        e.usage = { ...e.usage, ...ev.usage };
        patch.usage = e.usage;
        return patch;
      case 'citations':
        e.citations = [...(e.citations ?? []), ...ev.citations];
        patch.citations = e.citations;
        return patch;
      case 'file':
        e.files = [...(e.files ?? []), { url: ev.url, fileType: ev.fileType }];
        patch.files = e.files;
        return patch;
      case 'paused':
        e.paused = ev.reason;
        patch.paused = ev.reason;
        return patch;
      case 'suggestions':
        e.suggestions = ev.questions;
        patch.suggestions = ev.questions;
        return patch;
      case 'finished': {
        this.applySplit(this.splitter.end(), patch);
        e.status = ev.status;
        patch.status = ev.status;
        if (!e.thinkingDone && e.thinking) {
          e.thinkingDone = true;
          patch.thinkingDone = true;
        }
        return patch;
      }
    }
  }

  /** Flushes held-back text when a stream ends abnormally (error, stop). */
  flush(): EntryPatch | undefined {
    return this.applySplit(this.splitter.end(), { id: this.entry.id });
  }

  private applySplit(d: SplitDelta, patch: EntryPatch): EntryPatch | undefined {
    const e = this.entry;
    let changed = false;
    if (d.movedToThinking !== undefined) {
      e.thinking += d.movedToThinking;
      patch.thinkingAppend = (patch.thinkingAppend ?? '') + d.movedToThinking;
      e.answer = '';
      patch.answer = '';
      changed = true;
    }
    if (d.thinking) {
      e.thinking += d.thinking;
      patch.thinkingAppend = (patch.thinkingAppend ?? '') + d.thinking;
      changed = true;
    }
    if (d.answer) {
      e.answer += d.answer;
      patch.answerAppend = (patch.answerAppend ?? '') + d.answer;
      changed = true;
      if (!e.thinkingDone && e.thinking && d.answer.trim()) {
        e.thinkingDone = true;
        patch.thinkingDone = true;
      }
    }
    return changed ? patch : undefined;
  }

  private upsertNode(node: TraceNode): void {
    const i = this.nodeIndex.get(node.id);
    if (i === undefined) {
      this.nodeIndex.set(node.id, this.entry.nodes.length);
      this.entry.nodes.push(node);
    } else {
      this.entry.nodes[i] = { ...this.entry.nodes[i], ...node };
    }
  }
}

/** Whether an output value is the answer again (ignoring think blocks and surrounding whitespace). */
function sameText(value: string, answer: string): boolean {
  if (!answer) return false;
  const split = new ThinkSplitter();
  const visible = split.push(value).answer + split.end().answer;
  return visible.trim() === answer.trim();
}

/** Merges a later patch into an earlier one for the same entry (for batching). */
export function mergePatch(into: EntryPatch, p: EntryPatch): EntryPatch {
  if (p.answer !== undefined) {
    into.answer = p.answer;
    delete into.answerAppend;
  }
  if (p.answerAppend) into.answerAppend = (into.answerAppend ?? '') + p.answerAppend;
  if (p.thinkingAppend) into.thinkingAppend = (into.thinkingAppend ?? '') + p.thinkingAppend;
  if (p.nodes) {
    const byId = new Map((into.nodes ?? []).map((n) => [n.id, n] as const));
    for (const n of p.nodes) byId.set(n.id, { ...byId.get(n.id), ...n });
    into.nodes = [...byId.values()];
  }
  for (const k of ['thinkingDone', 'outputs', 'usage', 'citations', 'files', 'suggestions', 'paused', 'conversationId', 'status', 'error'] as const) {
    if (p[k] !== undefined) (into as unknown as Record<string, unknown>)[k] = p[k];
  }
  return into;
}
