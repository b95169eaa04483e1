// Turns provider-neutral RunEvents into EntryPatches for one entry (think-splitting, bounds, answers that repeat
// outputs) and keeps the entry in step through the shared patch rules. Pure: no I/O, no timers, no `vscode`.
import { applyPatch, mergePatch, type EntryPatch, type EntryView, type ErrorView } from '../shared/entry';
import type { EntryForm, HumanInputForm, TraceNode } from '../shared/model';
import type { RunEvent } from '../providers/types';
import { ThinkSplitter, type SplitDelta } from './thinkSplitter';
import { bounded, clip, RUN_BOUNDS, type RunBounds } from './limits';

export class EntryState {
  private readonly splitter = new ThinkSplitter();
  /** The answer past what the live panel shows (RUN_BOUNDS.liveAnswerChars): kept for "Open in Editor". */
  private overflow: string[] = [];
  private overflowChars = 0;
  /** The run passed RUN_BOUNDS.totalChars: the runner stops it. */
  overSize = false;

  constructor(
    readonly entry: EntryView,
    /** RUN_BOUNDS, smaller in tests. */
    private readonly bounds: Pick<RunBounds, 'liveAnswerChars' | 'totalChars' | 'thinkingChars'> = RUN_BOUNDS,
  ) {}

  /** Applies one event; returns the patch describing the change, or undefined if nothing visible changed. */
  apply(ev: RunEvent): EntryPatch | undefined {
    const e = this.entry;
    const patch: EntryPatch = { id: e.id };
    switch (ev.type) {
      case 'meta': {
        const ids: Omit<EntryPatch, 'id'> = {};
        if (ev.conversationId && ev.conversationId !== e.conversationId) ids.conversationId = ev.conversationId;
        if (ev.messageId && ev.messageId !== e.messageId) ids.messageId = ev.messageId;
        if (ev.runId && ev.runId !== e.runId) ids.runId = ev.runId;
        if (Object.keys(ids).length) this.change(patch, ids);
        break;
      }
      case 'answer':
        this.split(this.splitter.push(ev.text), patch);
        break;
      case 'answerReplace': {
        // Moderation or a closing full-answer repeat: the visible answer becomes this text (thinking removed).
        const fresh = new ThinkSplitter();
        this.overflow = [];
        this.overflowChars = 0;
        this.appendAnswer(fresh.push(ev.text).answer + fresh.end().answer, patch, true);
        break;
      }
      case 'reasoning':
        this.appendThinking(ev.text, patch);
        break;
      case 'node':
        this.change(patch, { nodes: [boundedNode(ev.node)] });
        break;
      case 'outputs': {
        // An output that only repeats the streamed answer (the usual `text`/`answer` of an End node) is not shown twice.
        const extra = Object.entries(ev.outputs).filter(([, v]) => !(typeof v === 'string' && sameText(v, e.answer)));
        if (extra.length) this.change(patch, { outputs: bounded(Object.fromEntries(extra)) as Record<string, unknown> });
        break;
      }
      case 'usage':
        this.change(patch, { usage: { ...e.usage, ...ev.usage } });
        break;
      case 'citations':
        this.change(patch, { citations: [...(e.citations ?? []), ...ev.citations.map((c) => (c.content ? { ...c, content: clip(c.content, 10_000) } : c))].slice(0, 100) });
        break;
      case 'file':
        if ((e.files?.length ?? 0) < 100) this.change(patch, { files: [...(e.files ?? []), { url: clip(ev.url, 8192), fileType: ev.fileType }] });
        break;
      case 'paused':
        this.change(patch, { paused: clip(ev.reason, 10_000) });
        break;
      case 'form':
        this.change(patch, { forms: withForm(e.forms, ev.form) });
        break;
      case 'formAnswered':
        this.change(patch, {
          forms: settled(e.forms, ev.nodeId, ev.title, { state: 'answered', answer: { actionId: ev.actionId, actionText: ev.actionText && clip(ev.actionText, 200), content: ev.content && clip(ev.content, 100_000) } }),
        });
        break;
      case 'formTimedOut':
        this.change(patch, { forms: settled(e.forms, ev.nodeId, ev.title, { state: 'timedOut' }) });
        break;
      case 'suggestions':
        this.change(patch, { suggestions: ev.questions.slice(0, 10).map((q) => clip(q, 1000)) });
        break;
      case 'finished':
        this.split(this.splitter.end(), patch);
        this.change(patch, { status: ev.status });
        this.endThinking(patch);
        break;
    }
    return Object.keys(patch).length > 1 ? patch : undefined;
  }

  /** The whole answer, including what the live panel does not show. */
  get fullAnswer(): string {
    return this.overflowChars ? this.entry.answer + this.overflow.join('') : this.entry.answer;
  }

  /** Flushes held-back text when a stream ends abnormally (error, stop). */
  flush(): EntryPatch | undefined {
    const patch: EntryPatch = { id: this.entry.id };
    this.split(this.splitter.end(), patch);
    return Object.keys(patch).length > 1 ? patch : undefined;
  }

  /** Ends the run: a final status (and the error that ended it), the thinking part closed. */
  finish(status: EntryView['status'], error?: ErrorView): EntryPatch {
    const patch: EntryPatch = { id: this.entry.id };
    this.change(patch, error ? { status, error } : { status });
    this.endThinking(patch);
    return patch;
  }

  /**
   * Every change goes through the shared patch rules: applied to the entry (as the webview and the history apply
   * it), and merged into the event's patch, so the patch sent is exactly what changed here.
   */
  private change(patch: EntryPatch, part: Omit<EntryPatch, 'id'>): void {
    const p: EntryPatch = { id: this.entry.id, ...part };
    applyPatch(this.entry, p);
    mergePatch(patch, p);
  }

  private endThinking(patch: EntryPatch): void {
    if (!this.entry.thinkingDone && this.entry.thinking) this.change(patch, { thinkingDone: true });
  }

  private split(d: SplitDelta, patch: EntryPatch): void {
    if (d.movedToThinking !== undefined) {
      this.appendThinking(d.movedToThinking, patch);
      this.change(patch, { answer: '' });
    }
    if (d.thinking) this.appendThinking(d.thinking, patch);
    if (d.answer) {
      this.appendAnswer(d.answer, patch);
      if (d.answer.trim()) this.endThinking(patch);
    }
  }

  /**
   * Answer text (`replace`: the whole answer anew): into the live answer up to its bound, past it into the
   * overflow (with `answerCut` once).
   */
  private appendAnswer(text: string, patch: EntryPatch, replace = false): void {
    const e = this.entry;
    let room = this.overflowChars ? 0 : Math.max(0, this.bounds.liveAnswerChars - (replace ? 0 : e.answer.length));
    // Never split a surrogate pair between what is shown and what is kept aside.
    if (room > 0 && room < text.length && isHighSurrogate(text.charCodeAt(room - 1))) room--;
    const shown = room >= text.length ? text : text.slice(0, room);
    if (replace) this.change(patch, { answer: shown });
    else if (shown) this.change(patch, { answerAppend: shown });
    if (shown.length < text.length) {
      this.overflow.push(text.slice(shown.length));
      this.overflowChars += text.length - shown.length;
      if (!e.answerCut) this.change(patch, { answerCut: true });
    }
    this.checkSize();
  }

  /** Thinking text up to its bound; past it, dropped (it is read, never inserted). */
  private appendThinking(text: string, patch: EntryPatch): void {
    const room = this.bounds.thinkingChars - this.entry.thinking.length;
    if (!text || room <= 0) return;
    this.change(patch, { thinkingAppend: text.length > room ? `${text.slice(0, room)}…` : text });
    this.checkSize();
  }

  private checkSize(): void {
    if (this.entry.answer.length + this.overflowChars + this.entry.thinking.length > this.bounds.totalChars) this.overSize = true;
  }
}

/** At most this many forms are kept per entry (a loop may pause again and again): the oldest settled ones go. */
const MAX_FORMS = 20;

/**
 * The entry's forms with a waiting one: a new node's form is added; a form the entry already has is kept as it
 * stands when the server sends it again (a snapshot replays it), and replaced when it is a new one for the same node
 * (a loop pauses there again).
 */
export function withForm(forms: readonly EntryForm[] | undefined, form: HumanInputForm): EntryForm[] {
  const list = [...(forms ?? [])];
  const i = list.findIndex((f) => f.nodeId === form.nodeId);
  const fresh: EntryForm = { ...form, state: form.token ? 'waiting' : 'elsewhere' };
  if (i < 0) list.push(fresh);
  else if (list[i].token !== form.token || list[i].state === 'waiting' || list[i].state === 'elsewhere') list[i] = { ...fresh, message: list[i].token === form.token ? list[i].message : undefined };
  while (list.length > MAX_FORMS) list.splice(Math.max(0, list.findIndex((f) => f.state !== 'waiting')), 1);
  return list;
}

/** The entry's forms with the node's form settled (answered, timed out, expired…); a form never seen is added. */
export function settled(forms: readonly EntryForm[] | undefined, nodeId: string, title: string | undefined, change: Partial<EntryForm> & { state: EntryForm['state'] }): EntryForm[] {
  const list = [...(forms ?? [])];
  const i = list.findIndex((f) => f.nodeId === nodeId);
  if (i < 0) list.push({ nodeId, title: clip(title ?? '', 200), content: '', fields: [], actions: [], ...change });
  else list[i] = { ...list[i], ...change };
  return list;
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
