// Applies provider-neutral RunEvents to the view model of one entry and says what changed, as an
// EntryPatch the panel can send. Pure: no I/O, no timers, no `vscode`.
import type { EntryPatch, EntryView } from '../protocol';
import type { RunEvent, TraceNode } from './types';
import { ThinkSplitter, type SplitDelta } from './thinkSplitter';
import { bounded, clip, RUN_BOUNDS } from './limits';

export class EntryState {
  private readonly splitter = new ThinkSplitter();
  private nodeIndex = new Map<string, number>();
  /** The answer past what the live panel shows (RUN_BOUNDS.liveAnswerChars): kept for "Open in Editor". */
  private overflow: string[] = [];
  private overflowChars = 0;
  /** The run passed RUN_BOUNDS.totalChars: the runner stops it. */
  overSize = false;

  constructor(
    readonly entry: EntryView,
    /** RUN_BOUNDS, smaller in tests. */
    private readonly bounds: Pick<typeof RUN_BOUNDS, 'liveAnswerChars' | 'totalChars' | 'thinkingChars'> = RUN_BOUNDS,
  ) {
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
        e.answer = '';
        this.overflow = [];
        this.overflowChars = 0;
        this.appendAnswer(d.answer + tail.answer, patch);
        patch.answer = e.answer;
        delete patch.answerAppend;
        return patch;
      }
      case 'reasoning':
        return this.appendThinking(ev.text, patch) ? patch : undefined;
      case 'node': {
        const node = boundedNode(ev.node);
        this.upsertNode(node);
        patch.nodes = [node];
        return patch;
      }
      case 'outputs': {
        // An output that only repeats the streamed answer (the usual `text`/`answer` of an End node) is not shown twice.
        const extra = Object.entries(ev.outputs).filter(([, v]) => !(typeof v === 'string' && sameText(v, e.answer)));
        if (!extra.length) return undefined;
        e.outputs = bounded(Object.fromEntries(extra)) as Record<string, unknown>;
        patch.outputs = e.outputs;
        return patch;
      }
      case 'usage':
        e.usage = { ...e.usage, ...ev.usage };
        patch.usage = e.usage;
        return patch;
      case 'citations':
        e.citations = [...(e.citations ?? []), ...ev.citations.map((c) => (c.content ? { ...c, content: clip(c.content, 10_000) } : c))].slice(0, 100);
        patch.citations = e.citations;
        return patch;
      case 'file':
        if ((e.files?.length ?? 0) >= 100) return undefined;
        e.files = [...(e.files ?? []), { url: clip(ev.url, 8192), fileType: ev.fileType }];
        patch.files = e.files;
        return patch;
      case 'paused':
        e.paused = clip(ev.reason, 10_000);
        patch.paused = e.paused;
        return patch;
      case 'suggestions':
        e.suggestions = ev.questions.slice(0, 10).map((q) => clip(q, 1000));
        patch.suggestions = e.suggestions;
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

  /** The whole answer, including what the live panel does not show. */
  get fullAnswer(): string {
    return this.overflowChars ? this.entry.answer + this.overflow.join('') : this.entry.answer;
  }

  /** Flushes held-back text when a stream ends abnormally (error, stop). */
  flush(): EntryPatch | undefined {
    return this.applySplit(this.splitter.end(), { id: this.entry.id });
  }

  private applySplit(d: SplitDelta, patch: EntryPatch): EntryPatch | undefined {
    const e = this.entry;
    let changed = false;
    if (d.movedToThinking !== undefined) {
      this.appendThinking(d.movedToThinking, patch);
      e.answer = '';
      patch.answer = '';
      changed = true;
    }
    if (d.thinking) changed = this.appendThinking(d.thinking, patch) || changed;
    if (d.answer) {
      this.appendAnswer(d.answer, patch);
      changed = true;
      if (!e.thinkingDone && e.thinking && d.answer.trim()) {
        e.thinkingDone = true;
        patch.thinkingDone = true;
      }
    }
    return changed ? patch : undefined;
  }

  /** Answer text: into the live answer up to its bound, past it into the overflow (with `answerCut` once). */
  private appendAnswer(text: string, patch: EntryPatch): void {
    const e = this.entry;
    let room = this.overflowChars ? 0 : Math.max(0, this.bounds.liveAnswerChars - e.answer.length);
    // Never split a surrogate pair between what is shown and what is kept aside.
    if (room > 0 && room < text.length && isHighSurrogate(text.charCodeAt(room - 1))) room--;
    const shown = room >= text.length ? text : text.slice(0, room);
    if (shown) {
      e.answer += shown;
      patch.answerAppend = (patch.answerAppend ?? '') + shown;
    }
    if (shown.length < text.length) {
      this.overflow.push(text.slice(shown.length));
      this.overflowChars += text.length - shown.length;
      if (!e.answerCut) e.answerCut = patch.answerCut = true;
    }
    this.checkSize();
  }

  /** Thinking text up to its bound; past it, dropped (it is read, never inserted). Returns whether it changed. */
  private appendThinking(text: string, patch: EntryPatch): boolean {
    const e = this.entry;
    const room = this.bounds.thinkingChars - e.thinking.length;
    if (!text || room <= 0) return false;
    const kept = text.length > room ? `${text.slice(0, room)}…` : text;
    e.thinking += kept;
    patch.thinkingAppend = (patch.thinkingAppend ?? '') + kept;
    this.checkSize();
    return true;
  }

  private checkSize(): void {
    if (this.entry.answer.length + this.overflowChars + this.entry.thinking.length > this.bounds.totalChars) this.overSize = true;
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

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A trace node with its server-sent texts cut to size. */
function boundedNode(n: TraceNode): TraceNode {
  const out = { ...n, title: clip(n.title, 500) };
  if (n.error) out.error = clip(n.error, 10_000);
  if (n.detail) out.detail = clip(n.detail, 10_000);
  return out;
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
  for (const k of ['thinkingDone', 'answerCut', 'outputs', 'usage', 'citations', 'files', 'suggestions', 'paused', 'conversationId', 'status', 'error'] as const) {
    if (p[k] !== undefined) (into as unknown as Record<string, unknown>)[k] = p[k];
  }
  return into;
}
