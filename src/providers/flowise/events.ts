// Flowise wire events → provider-neutral RunEvents. Pure and vscode-free: the client feeds it parsed SSE frames
// (`{event, data, …}`) or the blocking JSON reply. See /work/shared/dify-api.md §G for the wire format.
import { ApiError } from '../../net/apiError';
import type { Citation, HumanInputAction, HumanInputForm, NodeStatus, RunEvent, RunStatus, TraceNode, Usage } from '../types';
import { redact } from '../../net/redact';

/** One parsed Flowise SSE frame: `JSON.parse` of the `data:` line. */
export interface FlowiseFrame {
  event: string;
  data?: unknown;
  /** `thinking` frames carry the reasoning duration (seconds) at the top level. */
  duration?: number;
  [key: string]: unknown;
}

export interface FlowiseMapperOptions {
  /** The chatId this client chose for the run (sent as `chatId`). */
  chatId: string;
  /** The memory session (conversation) when continuing. */
  sessionId?: string;
  /** Server root (`http://host:3000`), to turn `FILE-STORAGE::` artifacts into download URLs. */
  baseUrl?: string;
  chatflowId?: string;
  /** Secrets to redact from error messages. */
  secrets?: ReadonlyArray<string | undefined>;
  /** Route for errors (`POST /api/v1/prediction/…`). */
  route?: string;
  /** Run start (ms since epoch) for `elapsedSeconds`. */
  startedAt?: number;
  now?: () => number;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Parses a JSON string when given one; arrays/objects pass through; anything else → undefined. */
function maybeJson(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (!t) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/** `followUpPrompts` is a JSON string in the blocking reply and parsed in `metadata`; accept both. */
export function parseFollowUps(v: unknown): string[] {
  const parsed = maybeJson(v);
  if (!Array.isArray(parsed)) return [];
  return parsed
    .map((q) => (typeof q === 'string' ? q : isObj(q) ? str(q.question) ?? str(q.text) : undefined))
    .filter((q): q is string => !!q && q.trim().length > 0)
    .map((q) => q.trim());
}

/** An HTTP-like status in a stream error message: "401 Unauthorized", "Error: 429 …", "Unauthorized". */
export function statusFromErrorMessage(message: string): number | undefined {
  const m = /^\s*(?:error:\s*)?(?:[\w.]+ - )?(\d{3})\b/i.exec(message);
  if (m) {
    const n = Number(m[1]);
    if (n >= 400 && n < 600) return n;
  }
  if (/\bunauthori[sz]ed\b|\bincorrect api key\b|\binvalid api key\b/i.test(message)) return 401;
  return undefined;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function clip(s: string, max = 4000): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Flowise node/agentflow statuses → NodeStatus. */
export function mapFlowStatus(s: unknown): NodeStatus {
  switch (String(s ?? '').toUpperCase()) {
    case 'INPROGRESS':
    case 'IN_PROGRESS':
    case 'RUNNING':
      return 'running';
    case 'FINISHED':
    case 'COMPLETED':
    case 'SUCCESS':
      return 'succeeded';
    case 'ERROR':
    case 'FAILED':
      return 'failed';
    case 'STOPPED':
    case 'TERMINATED':
      return 'stopped';
    case 'WAITING':
    case 'PAUSED':
      return 'paused';
    default:
      return typeof s === 'string' && s ? s.toLowerCase() : 'running';
  }
}

/** `llmAgentflow_0` → `llm`, `toolAgentflow_2` → `tool`, `startAgentflow_0` → `start`. */
function kindFromNodeId(nodeId: string): string {
  const base = nodeId.replace(/_\d+$/, '').replace(/Agentflow$/, '');
  return base || 'agentflow';
}

function citationsFrom(docs: unknown): Citation[] {
  const list = maybeJson(docs);
  if (!Array.isArray(list)) return [];
  const out: Citation[] = [];
  list.forEach((d, i) => {
    if (!isObj(d)) return;
    const md = isObj(d.metadata) ? d.metadata : {};
    const c: Citation = { position: i + 1 };
    const name = str(md.source) ?? str(md.title) ?? str(md.filename) ?? str(md.fileName) ?? str(md.url);
    if (name) c.documentName = name;
    const dataset = str(md.documentStore) ?? str(md.datasetName) ?? str(md.collection);
    if (dataset) c.datasetName = dataset;
    const score = num(md.score) ?? num(md.relevance_score) ?? num(d.score);
    if (score !== undefined) c.score = score;
    const content = str(d.pageContent);
    if (content !== undefined) c.content = content;
    out.push(c);
  });
  return out;
}

/**
 * Stateful mapper for one run. `frame()` returns the RunEvents for a frame and throws `ApiError` (kind 'stream')
 * for an `error` frame; after `end` (`done` true) the last event is `finished`. `streamClosed()` decides what a
 * stream that ended without `end` means. `blocking()` maps the non-streaming JSON reply.
 */
export class FlowiseEventMapper {
  private readonly o: FlowiseMapperOptions;
  private readonly now: () => number;
  private readonly startedAt: number;
  private done = false;
  private aborted = false;
  private pausedReason: string | undefined;
  private flowStatus: string | undefined;
  private conversationId: string | undefined;
  private readonly toolIds = new Map<string, string>();
  private toolSeq = 0;
  private readonly seenAgentSteps = new Map<string, string>();
  private agentSeq = 0;
  private readonly usage: Required<Pick<Usage, 'promptTokens' | 'completionTokens' | 'totalTokens'>> = {
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
  };
  private hasUsage = false;
  private readonly fileUrls = new Set<string>();
  /** Text received so far (for callers that want it; `<think>` tags kept). */
  answerText = '';

  constructor(o: FlowiseMapperOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.startedAt = o.startedAt ?? this.now();
    // Flowise's memory session defaults to the chatId when no sessionId is sent.
    this.conversationId = o.sessionId ?? o.chatId;
  }

  get finished(): boolean {
    return this.done;
  }

  /** The first meta event: the ids known before any byte arrives (chatId chosen by the client). */
  initialMeta(): RunEvent {
    return { type: 'meta', taskId: this.o.chatId, ...(this.conversationId ? { conversationId: this.conversationId } : {}) };
  }

  frame(f: FlowiseFrame): RunEvent[] {
    if (this.done) return [];
    const d = f.data;
    switch (f.event) {
      case 'start':
        // `start` carries the first token, which is also sent as a `token` (CustomChainHandler): no text here.
        return [];
      case 'token': {
        const t = typeof d === 'string' ? d : d === undefined || d === null ? '' : text(d);
        if (!t) return [];
        this.answerText += t;
        return [{ type: 'answer', text: t }];
      }
      case 'thinking': {
        const t = typeof d === 'string' ? d : '';
        return t ? [{ type: 'reasoning', text: t }] : [];
      }
      case 'sourceDocuments': {
        const c = citationsFrom(d);
        return c.length ? [{ type: 'citations', citations: c }] : [];
      }
      case 'calledTools':
        return this.tools(d, 'running');
      case 'usedTools':
        return this.tools(d, 'succeeded');
      case 'agentReasoning':
        return this.agentReasoning(d);
      case 'nextAgent':
        return [];
      case 'agentFlowEvent': {
        if (typeof d === 'string') this.flowStatus = d.toUpperCase();
        return [];
      }
      case 'nextAgentFlow': {
        if (!isObj(d)) return [];
        const nodeId = str(d.nodeId);
        if (!nodeId) return [];
        return [{ type: 'node', node: this.flowNode(nodeId, str(d.nodeLabel), d.status) }];
      }
      case 'agentFlowExecutedData':
        return this.executedData(d);
      case 'artifacts':
        return this.artifacts(d);
      case 'fileAnnotations':
        return [];
      case 'action':
        return this.action(d);
      case 'metadata':
        return this.metadata(d);
      case 'usageMetadata':
        return this.usageFrom(d);
      case 'error': {
        const message = typeof d === 'string' ? d : isObj(d) ? str(d.message) ?? text(d) : text(d);
        throw this.streamError(message || 'The Flowise run failed.');
      }
      case 'abort':
        this.aborted = true;
        return [];
      case 'end':
        return [this.terminal()];
      default:
        // tts_*, tool, question, unknown future events.
        return [];
    }
  }

  /** The stream closed. After `end` (or an `abort` frame): fine; otherwise the run is incomplete. */
  streamClosed(): RunEvent[] {
    if (this.done) return [];
    if (this.aborted) return [this.terminal()];
    throw new ApiError({
      kind: 'incomplete',
      message: 'The Flowise stream ended before the run finished.',
      route: this.o.route,
    });
  }

  /** Maps the blocking JSON reply (non-streaming flows, or a server that ignored `streaming`). */
  blocking(reply: unknown): RunEvent[] {
    if (!isObj(reply)) {
      throw new ApiError({ kind: 'malformed', message: 'The Flowise reply is not a JSON object.', route: this.o.route });
    }
    const out: RunEvent[] = [];
    const meta = this.metaFrom(reply);
    if (meta) out.push(meta);
    out.push(...this.executedData(reply.agentFlowExecutedData));
    out.push(...this.agentReasoning(reply.agentReasoning));
    out.push(...this.tools(reply.usedTools, 'succeeded'));
    let answer = str(reply.text);
    if (answer === undefined && reply.json !== undefined) answer = '```json\n' + JSON.stringify(reply.json, null, 2) + '\n```';
    if (answer) {
      this.answerText += answer;
      out.push({ type: 'answer', text: answer });
    }
    const c = citationsFrom(reply.sourceDocuments);
    if (c.length) out.push({ type: 'citations', citations: c });
    out.push(...this.artifacts(reply.artifacts));
    out.push(...this.action(reply.action));
    const q = parseFollowUps(reply.followUpPrompts);
    if (q.length) out.push({ type: 'suggestions', questions: q });
    out.push(this.terminal());
    return out;
  }

  private terminal(): RunEvent {
    this.done = true;
    let status: RunStatus = 'succeeded';
    let error: string | undefined;
    // A Human Input node stops the flow (STOPPED) to wait: that is a pause, not a stop.
    if (this.aborted) status = 'stopped';
    else if (this.pausedReason !== undefined) status = 'paused';
    else if (this.flowStatus === 'STOPPED' || this.flowStatus === 'TERMINATED') status = 'stopped';
    else if (this.flowStatus === 'ERROR') {
      status = 'failed';
      error = 'The agentflow reported an error.';
    }
    const ev: RunEvent = {
      type: 'finished',
      status,
      elapsedSeconds: Math.max(0, (this.now() - this.startedAt) / 1000),
      ...(this.hasUsage && this.usage.totalTokens ? { totalTokens: this.usage.totalTokens } : {}),
      ...(error ? { error } : {}),
    };
    return ev;
  }

  private streamError(message: string): ApiError {
    const status = statusFromErrorMessage(message);
    return new ApiError({
      kind: 'stream',
      message: redact(message.trim(), this.o.secrets),
      status,
      code: status === 401 ? 'unauthorized' : undefined,
      route: this.o.route,
    });
  }

  private metaFrom(d: Obj): RunEvent | undefined {
    const chatId = str(d.chatId);
    const conversationId = str(d.sessionId) || chatId;
    const messageId = str(d.chatMessageId);
    const runId = str(d.executionId);
    if (!conversationId && !messageId && !runId) return undefined;
    if (conversationId) this.conversationId = conversationId;
    return {
      type: 'meta',
      taskId: chatId || this.o.chatId,
      ...(this.conversationId ? { conversationId: this.conversationId } : {}),
      ...(messageId ? { messageId } : {}),
      ...(runId ? { runId } : {}),
    };
  }

  private metadata(d: unknown): RunEvent[] {
    if (!isObj(d)) return [];
    const out: RunEvent[] = [];
    const meta = this.metaFrom(d);
    if (meta) out.push(meta);
    const q = parseFollowUps(d.followUpPrompts);
    if (q.length) out.push({ type: 'suggestions', questions: q });
    if (this.pausedReason === undefined) out.push(...this.action(d.action));
    return out;
  }

  /**
   * A human-in-the-loop `action` (Agentflow v2's Human Input node stops the flow, which reports STOPPED): the run
   * waits, and its form is the node's two buttons (and feedback, when the node takes it). Answering runs the
   * prediction again with the same chatId (the form's token) and `humanInput`.
   */
  private action(d: unknown): RunEvent[] {
    const a = maybeJson(d);
    if (!isObj(a) || this.pausedReason !== undefined) return [];
    this.pausedReason = actionReason(a);
    const out: RunEvent[] = [];
    const form = actionForm(a, this.o.chatId);
    if (form) {
      out.push({ type: 'form', form });
      out.push({ type: 'node', node: { id: form.nodeId, nodeId: form.nodeId, kind: kindFromNodeId(form.nodeId), title: form.title || form.nodeId, status: 'paused' } });
    }
    out.push({ type: 'paused', reason: this.pausedReason });
    return out;
  }

  private tools(d: unknown, status: NodeStatus): RunEvent[] {
    const list = maybeJson(d);
    if (!Array.isArray(list)) return [];
    const out: RunEvent[] = [];
    for (const t of list) {
      if (!isObj(t)) continue;
      const name = str(t.tool) ?? str(t.name) ?? 'tool';
      const input = t.toolInput ?? t.args ?? t.input;
      const key = `${name}\u0000${text(input)}`;
      let id = this.toolIds.get(key);
      if (!id) {
        id = `flowise-tool-${++this.toolSeq}`;
        this.toolIds.set(key, id);
      }
      const err = t.error === undefined || t.error === null || t.error === false ? undefined : text(t.error);
      const lines = [`Tool: ${name}`];
      if (input !== undefined) lines.push(`Input: ${clip(text(input))}`);
      const output = t.toolOutput ?? t.output;
      if (status !== 'running' && output !== undefined && output !== '') lines.push(`Output: ${clip(text(output))}`);
      if (err) lines.push(`Error: ${clip(err)}`);
      const node: TraceNode = { id, kind: 'tool', title: name, status: err ? 'failed' : status, detail: lines.join('\n') };
      if (err) node.error = err;
      out.push({ type: 'node', node });
    }
    return out;
  }

  private agentReasoning(d: unknown): RunEvent[] {
    const list = maybeJson(d);
    if (!Array.isArray(list)) return [];
    const out: RunEvent[] = [];
    for (const step of list) {
      if (!isObj(step)) continue;
      const key = text(step);
      let id = this.seenAgentSteps.get(key);
      if (id) continue; // the same step sent again (some versions resend the whole list)
      id = `flowise-agent-${++this.agentSeq}`;
      this.seenAgentSteps.set(key, id);
      const name = str(step.agentName) ?? str(step.nodeName) ?? 'Agent';
      const lines: string[] = [];
      const messages = Array.isArray(step.messages) ? step.messages.map(text).filter(Boolean) : [];
      if (messages.length) lines.push(clip(messages.join('\n')));
      if (str(step.instructions)) lines.push(`Instructions: ${clip(str(step.instructions)!)}`);
      const used = Array.isArray(step.usedTools) ? step.usedTools.filter(isObj) : [];
      for (const t of used) lines.push(`Tool ${str(t.tool) ?? 'tool'}: ${clip(text(t.toolInput))} → ${clip(text(t.toolOutput))}`);
      if (str(step.next) && step.next !== 'FINISH' && step.next !== 'END') lines.push(`Next: ${str(step.next)}`);
      const node: TraceNode = { id, kind: 'agent', title: name, status: 'succeeded' };
      const nodeId = str(step.nodeId);
      if (nodeId) node.nodeId = nodeId;
      if (lines.length) node.detail = lines.join('\n');
      out.push({ type: 'node', node });
    }
    return out;
  }

  private flowNode(nodeId: string, label: string | undefined, status: unknown): TraceNode {
    return { id: nodeId, nodeId, kind: kindFromNodeId(nodeId), title: label || nodeId, status: mapFlowStatus(status) };
  }

  private executedData(d: unknown): RunEvent[] {
    const list = maybeJson(d);
    if (!Array.isArray(list)) return [];
    const out: RunEvent[] = [];
    for (const item of list) {
      if (!isObj(item)) continue;
      const nodeId = str(item.nodeId);
      if (!nodeId) continue;
      const node = this.flowNode(nodeId, str(item.nodeLabel), item.status);
      const data = isObj(item.data) ? item.data : {};
      const err = str(data.error) ?? str(item.error);
      if (err) {
        node.error = err;
        node.status = 'failed';
      }
      out.push({ type: 'node', node });
    }
    return out;
  }

  private artifacts(d: unknown): RunEvent[] {
    const list = maybeJson(d);
    if (!Array.isArray(list)) return [];
    const out: RunEvent[] = [];
    for (const a of list) {
      if (!isObj(a)) continue;
      const data = str(a.data);
      if (!data) continue;
      let url: string | undefined;
      if (/^(https?:|data:)/i.test(data)) url = data;
      else if (data.startsWith('FILE-STORAGE::') && this.o.baseUrl && this.o.chatflowId) {
        const u = new URL(this.o.baseUrl.replace(/\/+$/, '') + '/api/v1/get-upload-file');
        u.searchParams.set('chatflowId', this.o.chatflowId);
        u.searchParams.set('chatId', this.o.chatId);
        u.searchParams.set('fileName', data.slice('FILE-STORAGE::'.length));
        url = u.toString();
      }
      if (!url || this.fileUrls.has(url)) continue;
      this.fileUrls.add(url);
      out.push({ type: 'file', url, ...(str(a.type) ? { fileType: str(a.type) } : {}) });
    }
    return out;
  }

  private usageFrom(d: unknown): RunEvent[] {
    const list = Array.isArray(d) ? d : [d];
    let any = false;
    for (const u of list) {
      if (!isObj(u)) continue;
      const p = num(u.input_tokens) ?? num(u.promptTokens) ?? num(u.prompt_tokens);
      const c = num(u.output_tokens) ?? num(u.completionTokens) ?? num(u.completion_tokens);
      const t = num(u.total_tokens) ?? num(u.totalTokens) ?? (p !== undefined || c !== undefined ? (p ?? 0) + (c ?? 0) : undefined);
      if (p === undefined && c === undefined && t === undefined) continue;
      this.usage.promptTokens += p ?? 0;
      this.usage.completionTokens += c ?? 0;
      this.usage.totalTokens += t ?? 0;
      any = true;
    }
    if (!any) return [];
    this.hasUsage = true;
    return [{ type: 'usage', usage: { ...this.usage } }];
  }
}

function actionReason(d: unknown): string {
  const a = maybeJson(d);
  if (isObj(a)) {
    const labels = Array.isArray(a.elements)
      ? a.elements.filter(isObj).map((e) => str(e.label)).filter((l): l is string => !!l)
      : [];
    if (labels.length) return `Waiting for a decision: ${labels.join(' / ')}`;
  }
  return 'Waiting for human input';
}

/** Flowise's buttons as the form's actions: approve → `proceed`, reject → `reject` (what `humanInput.type` takes). */
function actionsOf(a: Obj): HumanInputAction[] {
  const out: HumanInputAction[] = [];
  for (const e of Array.isArray(a.elements) ? a.elements.filter(isObj) : []) {
    const type = str(e.type) ?? '';
    const id = /approve/.test(type) ? 'proceed' : /reject/.test(type) ? 'reject' : undefined;
    if (id && !out.some((x) => x.id === id)) out.push({ id, title: clip(str(e.label) || (id === 'proceed' ? 'Proceed' : 'Reject'), 200), style: id === 'proceed' ? 'primary' : 'default' });
  }
  return out.length ? out : [{ id: 'proceed', title: 'Proceed', style: 'primary' }, { id: 'reject', title: 'Reject', style: 'default' }];
}

/** The form of an Agentflow v2 `action`: its node, its buttons, a feedback paragraph when the node takes one. The
 * question itself streamed as the answer's text before it. */
function actionForm(a: Obj, chatId: string): HumanInputForm | undefined {
  const data = isObj(a.data) ? a.data : {};
  const nodeId = str(data.nodeId) ?? str(a.id);
  if (!nodeId) return undefined;
  const input = isObj(data.input) ? data.input : {};
  return {
    nodeId,
    title: clip(str(data.nodeLabel) ?? '', 200),
    token: chatId,
    content: '',
    fields: input.humanInputEnableFeedback === true ? [{ kind: 'paragraph', name: 'feedback' }] : [],
    actions: actionsOf(a),
  };
}
