// The entry model: one run or conversation turn as the panel shows it (EntryView), a partial update of it
// (EntryPatch), and the one function that applies a patch. The host keeps its entries with it, the history stores
// them, the webview renders them: all three apply patches the same way. No imports beyond the shared model.
import type { AppMode, Citation, EntryForm, RunStatus, TraceNode, Usage } from './model';

export type ErrorAction = 'setApiKey' | 'openSettings' | 'retry' | 'showLog' | 'addApp';

export interface ErrorView {
  /** One clear sentence, already translated. Never contains the API key. */
  message: string;
  actions: { action: ErrorAction; label: string }[];
}

/** One run (workflow/completion) or one turn of a conversation (chat/chatflow/agent/Flowise). */
export interface EntryView {
  id: string;
  app: string;
  mode?: AppMode;
  /** What was asked (the query, or a one-line summary of the inputs). */
  question: string;
  /** Inputs as shown to the user (strings, files by name). */
  inputs?: Record<string, string>;
  conversationId?: string;
  /** The server's id of the answer (a Dify message, a Flowise chat message): what feedback is about. */
  messageId?: string;
  /** The server's id of a workflow run: what re-attaching after a reload and the run's detail use. */
  runId?: string;
  /** The person's rating of the answer, as the server has it. */
  feedback?: Feedback;
  /** The answer can be rated once it has a `messageId`: 'revocable' (Dify) or only 'changeable' (Flowise). */
  rateable?: 'revocable' | 'changeable';
  answer: string;
  /** The answer is longer than the panel shows (RUN_BOUNDS.liveAnswerChars); "Open in Editor" shows all of it. */
  answerCut?: boolean;
  thinking: string;
  /** True once the answer proper has started (the thinking part collapses). */
  thinkingDone: boolean;
  nodes: TraceNode[];
  outputs?: Record<string, unknown>;
  usage?: Usage;
  citations?: Citation[];
  files?: { url: string; fileType?: string }[];
  suggestions?: string[];
  paused?: string;
  /** The forms the run waited on (Human Input), answered or not, in arrival order. */
  forms?: EntryForm[];
  status: RunStatus;
  error?: ErrorView;
  startedAt: number;
  /** Whether "Replace Selection" can act (the run started from a selection still known to the host). */
  canReplaceSelection: boolean;
}

/** A like or dislike of an answer, with what the person wrote. */
export interface Feedback {
  rating: 'like' | 'dislike';
  content?: string;
  /** The rating's id on the server, where it has one (Flowise changes a rating by it). */
  id?: string;
}

/** A partial update of a running entry; the host sends at most one per animation frame per entry. */
export interface EntryPatch {
  id: string;
  answerAppend?: string;
  /** Replaces the whole answer (text_replace / message_replace). Applied before answerAppend. */
  answer?: string;
  thinkingAppend?: string;
  thinkingDone?: boolean;
  answerCut?: boolean;
  /** Upserts by node id, in arrival order. */
  nodes?: TraceNode[];
  outputs?: Record<string, unknown>;
  usage?: Usage;
  citations?: Citation[];
  files?: { url: string; fileType?: string }[];
  suggestions?: string[];
  paused?: string;
  /** Replaces the entry's forms. */
  forms?: EntryForm[];
  conversationId?: string;
  messageId?: string;
  runId?: string;
  /** `null` takes the rating back. */
  feedback?: Feedback | null;
  status?: RunStatus;
  /** `null` takes the error away (a run that goes on again). */
  error?: ErrorView | null;
}

/** What a patch changed, so the view touches only those parts. */
export interface EntryChanges {
  /** The answer was replaced (not only appended to). */
  answerReplaced?: boolean;
  answer?: boolean;
  /** The answer grew past what the panel shows. */
  answerCut?: boolean;
  feedback?: boolean;
  thinking?: boolean;
  thinkingDone?: boolean;
  nodes?: boolean;
  outputs?: boolean;
  usage?: boolean;
  citations?: boolean;
  files?: boolean;
  suggestions?: boolean;
  paused?: boolean;
  forms?: boolean;
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

/** Fields a patch sets whole, each reported as changed under its own name. */
const REPLACED_WHOLE = ['outputs', 'usage', 'citations', 'files', 'suggestions', 'paused', 'forms'] as const;

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
  for (const k of REPLACED_WHOLE) {
    if (p[k] === undefined || (k === 'forms' && !Array.isArray(p.forms))) continue;
    (e as unknown as Record<string, unknown>)[k] = p[k];
    c[k] = true;
  }
  if (p.answerCut !== undefined && p.answerCut !== e.answerCut) {
    e.answerCut = p.answerCut;
    c.answerCut = true;
  }
  if (p.conversationId !== undefined) e.conversationId = p.conversationId;
  if (p.messageId !== undefined) e.messageId = p.messageId;
  if (p.runId !== undefined) e.runId = p.runId;
  if (p.feedback !== undefined) {
    e.feedback = p.feedback ?? undefined;
    c.feedback = true;
  }
  if (p.status !== undefined && p.status !== e.status) {
    e.status = p.status;
    c.status = true;
  }
  if (p.error !== undefined) {
    e.error = p.error ?? undefined;
    c.error = true;
  }
  return c;
}

/** Everything changed (a fresh entry or a restored one). */
export const ALL_CHANGES: EntryChanges = {
  answer: true, answerReplaced: true, answerCut: true, feedback: true, thinking: true, thinkingDone: true, nodes: true, outputs: true, usage: true,
  citations: true, files: true, suggestions: true, paused: true, forms: true, status: true, error: true,
};

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
  for (const k of ['thinkingDone', 'answerCut', 'messageId', 'runId', 'feedback', 'outputs', 'usage', 'citations', 'files', 'suggestions', 'paused', 'forms', 'conversationId', 'status', 'error'] as const) {
    if (p[k] !== undefined) (into as unknown as Record<string, unknown>)[k] = p[k];
  }
  return into;
}
