// Maps Dify stream events to the provider-neutral RunEvents of src/run/types.ts, tracking ids, the answer
// so far, trace grouping (iteration/loop rounds) and which event ends the run for the app mode.
import { ApiError } from '../../net/apiError';
import type { AppMode, Citation, HumanInputForm, RunEvent, RunStatus, TraceNode, Usage } from '../types';
import type { DifyNodeData, DifyRetrieverResource, DifyStreamEvent, DifyUsage, DifyWorkflowRunData } from './events';
import { formFromWire, formsOfPause } from './humanInput';

type Obj = Record<string, unknown>;
const RUN_STATUSES = new Set(['running', 'succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused']);

/** The route family a mode uses. Unknown (future) modes are treated as chat apps. */
import { modeFamily } from '../../shared/model';

/** Converts Dify usage (prices are decimal strings) to `Usage`. */
export function toUsage(u: DifyUsage | undefined | null): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const out: Usage = {};
  if (typeof u.prompt_tokens === 'number') out.promptTokens = u.prompt_tokens;
  if (typeof u.completion_tokens === 'number') out.completionTokens = u.completion_tokens;
  if (typeof u.total_tokens === 'number') out.totalTokens = u.total_tokens;
  if (u.total_price !== undefined && u.total_price !== null) out.totalPrice = String(u.total_price);
  if (typeof u.currency === 'string') out.currency = u.currency;
  if (typeof u.latency === 'number') out.latencySeconds = u.latency;
  return Object.keys(out).length ? out : undefined;
}

/** Converts `retriever_resources` to citations. */
export function toCitations(list: DifyRetrieverResource[] | undefined | null): Citation[] {
  if (!Array.isArray(list)) return [];
  return list.map((r) => ({
    position: typeof r.position === 'number' ? r.position : undefined,
    datasetName: r.dataset_name,
    documentName: r.document_name,
    score: typeof r.score === 'number' ? r.score : undefined,
    content: r.content,
  }));
}

/** The answer text of a workflow's outputs when it is unambiguous (one string output, or a conventional key). */
export function answerFromOutputs(outputs: Obj | null | undefined): string | undefined {
  if (!outputs || typeof outputs !== 'object') return undefined;
  const entries = Object.entries(outputs);
  const strs = entries.filter(([, v]) => typeof v === 'string');
  if (entries.length === 1 && strs.length === 1) return strs[0][1] as string;
  for (const k of ['answer', 'text', 'result', 'output']) if (typeof outputs[k] === 'string') return outputs[k] as string;
  return undefined;
}

function runStatus(s: unknown, fallback: RunStatus): RunStatus {
  return typeof s === 'string' && RUN_STATUSES.has(s) ? (s as RunStatus) : fallback;
}

/** Following a run on GET /workflow/{id}/events (dify-api.md §I, client rules). */
export interface FollowMode {
  /** The text already shown: a replay of it (the newest servers replay the run from its start) is skipped. */
  knownText: string;
  /** Tokens and node ids of forms already answered: a snapshot replays them (forms with a token are matched by it,
   * so a node that pauses again in a loop is a new form). */
  answered: ReadonlySet<string>;
  /** The server does not close at a pause: a pause with no new form is the stale one of a snapshot taken before
   * the resume started, and reading goes on. */
  continueOnPause: boolean;
}

/**
 * Stateful mapper for one run. Call `map` per event (it throws ApiError 'stream' for an `error` event), check
 * `done` to stop reading, and call `end` when the stream ends (it throws ApiError 'incomplete' when the run's
 * terminal event never came). Terminal rules: workflow → workflow_finished / workflow_paused; chat, agent,
 * completion → message_end; chatflow → message_end and workflow_finished in either order (a server that stops
 * after only one of them is accepted at the end of the stream). Following a run (`follow`): workflow_finished
 * ends it for every mode (the server may keep the stream open), and a stream that closes before is 'incomplete'
 * with code `follow_closed` (the client subscribes again).
 */
export class RunEventMapper {
  /** The answer accumulated so far (after replacements). */
  answer = '';
  done = false;
  private deltas = 0;
  private taskId?: string;
  private runId?: string;
  private conversationId?: string;
  private messageId?: string;
  private messageEnded = false;
  private sawWorkflow = false;
  private pendingFinish?: RunEvent;
  private pausedSent = false;
  /** Forms sent since the stream began or the run resumed, by node id (and token). */
  private readonly formsSent = new Map<string, string | undefined>();
  /** Following: how far a replay of the known text has got, while it is one. */
  private replayAt = 0;
  private replaying = false;
  private readonly cycleExec = new Map<string, string>();
  private readonly cycleRound = new Map<string, number>();

  constructor(
    private readonly mode: AppMode,
    private readonly opts: { route?: string; stopRequested?: (taskId: string | undefined) => boolean; follow?: FollowMode } = {},
  ) {
    if (opts.follow) this.resubscribed(opts.follow.knownText);
  }

  /** Following again on a new subscription: what was shown so far may be replayed once more. */
  resubscribed(knownText = this.answer): void {
    this.answer = knownText;
    this.replayAt = 0;
    this.replaying = knownText.length > 0;
    this.formsSent.clear();
  }

  /** Ids learned so far (for Stop). */
  get ids(): { taskId?: string; runId?: string; conversationId?: string; messageId?: string } {
    return { taskId: this.taskId, runId: this.runId, conversationId: this.conversationId, messageId: this.messageId };
  }

  map(ev: DifyStreamEvent): RunEvent[] {
    if (ev.event === 'ping' || ev.event === 'unknown') return [];
    const out: RunEvent[] = [];
    this.meta(ev as Obj, out);
    switch (ev.event) {
      case 'error':
        throw new ApiError({
          kind: 'stream',
          status: typeof ev.status === 'number' ? ev.status : undefined,
          code: ev.code,
          message: ev.message || ev.code || 'The server reported an error during the run.',
          route: this.opts.route,
        });
      case 'text_chunk':
        this.delta(ev.data.text, out);
        break;
      case 'message':
      case 'agent_message':
        if (this.deltas >= 2 && ev.answer.length > 1 && ev.answer === this.answer) {
          // New-Agent closing repeat of the complete answer: a replacement, not more text.
          out.push({ type: 'answerReplace', text: ev.answer });
        } else {
          this.delta(ev.answer, out);
        }
        break;
      case 'text_replace':
        this.answer = ev.data.text;
        out.push({ type: 'answerReplace', text: ev.data.text });
        break;
      case 'message_replace':
        this.answer = ev.answer;
        this.replaying = false;
        out.push({ type: 'answerReplace', text: ev.answer });
        break;
      case 'reasoning_chunk':
        if (ev.data.reasoning) out.push({ type: 'reasoning', text: ev.data.reasoning });
        break;
      case 'workflow_started':
        this.sawWorkflow = true;
        // The run goes on after a pause: nothing is cleared; what follows is new, and a later pause is a new one.
        if (ev.data.reason === 'resumption') {
          this.replaying = false;
          this.pausedSent = false;
          this.formsSent.clear();
        }
        break;
      case 'node_started':
      case 'node_finished':
      case 'node_retry':
        out.push({ type: 'node', node: this.node(ev.event, ev.data) });
        break;
      case 'iteration_started':
      case 'iteration_next':
      case 'iteration_completed':
      case 'loop_started':
      case 'loop_next':
      case 'loop_completed':
        out.push({ type: 'node', node: this.cycle(ev.event, ev.data) });
        break;
      case 'agent_thought':
        if (ev.tool) {
          const label = (ev.tool_labels as Record<string, { en_US?: string } | undefined> | undefined)?.[ev.tool]?.en_US;
          const detail = [ev.tool_input, ev.observation ? `→ ${ev.observation}` : ''].filter(Boolean).join('\n');
          out.push({
            type: 'node',
            node: { id: ev.id, kind: 'tool', title: label || ev.tool, status: ev.observation ? 'succeeded' : 'running', detail: detail || undefined },
          });
        }
        break;
      case 'agent_log':
        out.push({
          type: 'node',
          node: {
            id: ev.data.id,
            nodeId: ev.data.node_id,
            kind: 'agent',
            title: ev.data.label || 'Agent',
            status: ev.data.status || 'running',
            parentId: ev.data.parent_id || ev.data.node_execution_id || undefined,
            error: ev.data.error || undefined,
          },
        });
        break;
      case 'message_file':
        if (ev.belongs_to !== 'user' && typeof ev.url === 'string') out.push({ type: 'file', url: ev.url, fileType: ev.type });
        break;
      case 'message_end': {
        const usage = toUsage(ev.metadata?.usage);
        if (usage) out.push({ type: 'usage', usage });
        const citations = toCitations(ev.metadata?.retriever_resources);
        if (citations.length) out.push({ type: 'citations', citations });
        this.files(ev.files, out);
        this.messageEnded = true;
        if (modeFamily(this.mode) === 'workflow') break;
        if (this.isChatflow()) {
          if (this.pendingFinish) this.finish(this.pendingFinish, out);
        } else {
          const stopped = this.opts.stopRequested?.(this.taskId) ?? false;
          this.finish({ type: 'finished', status: stopped ? 'stopped' : 'succeeded' }, out);
        }
        break;
      }
      case 'human_input_required': {
        const form = formFromWire(ev.data);
        if (form) this.form(form, out);
        break;
      }
      case 'human_input_form_filled':
        if (ev.data.node_id) {
          out.push({
            type: 'formAnswered', nodeId: ev.data.node_id, title: ev.data.node_title,
            actionId: ev.data.action_id, actionText: ev.data.action_text, content: typeof ev.data.rendered_content === 'string' ? ev.data.rendered_content : undefined,
          });
        }
        break;
      case 'human_input_form_timeout':
        if (ev.data.node_id) out.push({ type: 'formTimedOut', nodeId: ev.data.node_id, title: ev.data.node_title });
        break;
      case 'workflow_paused':
        this.paused(ev.data, out);
        break;
      case 'workflow_finished':
        this.workflowFinished(ev.data, out);
        break;
      default:
        break; // tts, parallel branches: nothing to show
    }
    return out;
  }

  /** Call when the stream ends. Returns any held-back terminal event; throws 'incomplete' if none came. */
  end(): RunEvent[] {
    if (this.done) return [];
    if (this.opts.follow) {
      throw new ApiError({ kind: 'incomplete', code: 'follow_closed', message: 'The server closed the run\'s event stream before the run ended.', route: this.opts.route });
    }
    const out: RunEvent[] = [];
    if (this.pendingFinish) {
      this.finish(this.pendingFinish, out);
      return out;
    }
    if (this.messageEnded && modeFamily(this.mode) !== 'workflow') {
      this.finish({ type: 'finished', status: 'succeeded' }, out);
      return out;
    }
    const expected = modeFamily(this.mode) === 'workflow' ? 'workflow_finished' : 'message_end';
    throw new ApiError({
      kind: 'incomplete',
      message: `The stream ended before the run finished (no ${expected}); the connection may have been cut by a proxy or the server.`,
      route: this.opts.route,
    });
  }

  /** A waiting form, unless it is one already answered (a snapshot replays it) or already sent. */
  private form(form: HumanInputForm, out: RunEvent[]): boolean {
    const answered = this.opts.follow?.answered;
    if (answered?.has(form.token ?? form.nodeId)) return false;
    if (this.formsSent.has(form.nodeId) && this.formsSent.get(form.nodeId) === form.token) return false;
    this.formsSent.set(form.nodeId, form.token);
    out.push({ type: 'form', form });
    if (!this.pausedSent) {
      this.pausedSent = true;
      out.push({ type: 'paused', reason: form.token ? `Waiting for human input${form.title ? `: ${form.title}` : ''}` : waitingElsewhere(form.channels) });
    }
    return true;
  }

  /**
   * The run pauses: its forms (a pause's reasons carry them where no human_input_required came: blocking answers,
   * 1.13 servers), then the end of this stream. Following past pauses, a pause with no new form is the stale one
   * of a snapshot, and reading goes on.
   */
  private paused(d: DifyWorkflowRunData & { paused_nodes?: unknown[] }, out: RunEvent[]): void {
    let fresh = 0;
    for (const f of formsOfPause(d)) if (this.form(f, out)) fresh++;
    const follow = this.opts.follow;
    const nodes = Array.isArray(d.paused_nodes) ? d.paused_nodes.filter((n): n is string => typeof n === 'string') : [];
    if (follow?.continueOnPause && fresh === 0 && this.formsSent.size === 0 && nodes.every((n) => follow.answered.has(n))) return;
    if (!this.pausedSent) {
      this.pausedSent = true;
      out.push({ type: 'paused', reason: waitingElsewhere(undefined) });
    }
    this.finish({ type: 'finished', status: 'paused', elapsedSeconds: d.elapsed_time, totalTokens: d.total_tokens }, out);
  }

  private isChatflow(): boolean {
    return this.mode === 'advanced-chat' || this.sawWorkflow;
  }

  private finish(ev: RunEvent, out: RunEvent[]): void {
    if (this.done) return;
    this.done = true;
    this.pendingFinish = undefined;
    out.push(ev);
  }

  private workflowFinished(d: DifyWorkflowRunData, out: RunEvent[]): void {
    this.sawWorkflow = true;
    const text = answerFromOutputs(d.outputs);
    if (modeFamily(this.mode) === 'workflow' && this.deltas === 0 && !this.answer) {
      if (text) this.delta(text, out);
    } else if (this.opts.follow && text && text !== this.answer && text.startsWith(this.opts.follow.knownText) && text.length >= this.answer.length) {
      // Following a run that went on partly unseen (one frame for a finished run; text published before the
      // subscription is lost): its whole answer, when it goes on from what was shown before.
      this.answer = text;
      out.push({ type: 'answerReplace', text });
    }
    if (d.outputs && typeof d.outputs === 'object') out.push({ type: 'outputs', outputs: d.outputs });
    if (typeof d.total_tokens === 'number' && modeFamily(this.mode) === 'workflow') out.push({ type: 'usage', usage: { totalTokens: d.total_tokens } });
    this.files(d.files, out);
    const fin: RunEvent = {
      type: 'finished',
      status: runStatus(d.status, 'succeeded'),
      error: d.error || undefined,
      elapsedSeconds: typeof d.elapsed_time === 'number' ? d.elapsed_time : undefined,
      totalTokens: typeof d.total_tokens === 'number' ? d.total_tokens : undefined,
    };
    if (modeFamily(this.mode) === 'workflow' || this.messageEnded || this.opts.follow) this.finish(fin, out);
    else this.pendingFinish = fin;
  }

  private files(list: unknown, out: RunEvent[]): void {
    if (!Array.isArray(list)) return;
    for (const f of list) {
      const o = f as Obj;
      const url = typeof o?.url === 'string' ? o.url : typeof o?.remote_url === 'string' ? o.remote_url : undefined;
      if (url) out.push({ type: 'file', url, fileType: typeof o.type === 'string' ? o.type : undefined });
    }
  }

  private delta(text: string, out: RunEvent[]): void {
    if (!text) return;
    if (this.replaying) {
      // A replay of what was shown before: skipped while it matches, whole deltas at a time.
      if (this.answer.startsWith(text, this.replayAt)) {
        this.replayAt += text.length;
        this.replaying = this.replayAt < this.answer.length;
        return;
      }
      this.replaying = false;
    }
    this.answer += text;
    this.deltas++;
    out.push({ type: 'answer', text });
  }

  private meta(o: Obj, out: RunEvent[]): void {
    const t = typeof o.task_id === 'string' && o.task_id ? o.task_id : undefined;
    const r = typeof o.workflow_run_id === 'string' && o.workflow_run_id ? o.workflow_run_id : undefined;
    const c = typeof o.conversation_id === 'string' && o.conversation_id ? o.conversation_id : undefined;
    const m = typeof o.message_id === 'string' && o.message_id ? o.message_id : undefined;
    if ((t && t !== this.taskId) || (r && r !== this.runId) || (c && c !== this.conversationId) || (m && m !== this.messageId)) {
      this.taskId = t ?? this.taskId;
      this.runId = r ?? this.runId;
      this.conversationId = c ?? this.conversationId;
      this.messageId = m ?? this.messageId;
      out.push({ type: 'meta', taskId: this.taskId, runId: this.runId, conversationId: this.conversationId, messageId: this.messageId });
    }
  }

  private node(event: 'node_started' | 'node_finished' | 'node_retry', d: DifyNodeData): TraceNode {
    const kind = d.node_type || 'node';
    if ((kind === 'iteration' || kind === 'loop') && d.node_id) this.cycleExec.set(d.node_id, d.id);
    const parentKey = d.iteration_id || d.loop_id || undefined;
    const meta = d.execution_metadata ?? undefined;
    const index = typeof meta?.iteration_index === 'number' ? meta.iteration_index
      : typeof meta?.loop_index === 'number' ? meta.loop_index
      : parentKey !== undefined ? this.cycleRound.get(parentKey) : undefined;
    const node: TraceNode = {
      id: d.id,
      nodeId: d.node_id,
      kind,
      title: d.title || d.node_id || kind,
      status: event === 'node_started' ? 'running' : event === 'node_retry' ? 'retry' : d.status || 'succeeded',
    };
    if (parentKey) node.parentId = this.cycleExec.get(parentKey) ?? parentKey;
    if (index !== undefined) node.index = index;
    if (typeof d.elapsed_time === 'number') node.elapsedSeconds = d.elapsed_time;
    if (typeof meta?.total_tokens === 'number') node.totalTokens = meta.total_tokens;
    if (d.error) node.error = d.error;
    return node;
  }

  private cycle(event: string, d: { id: string; node_id?: string; node_type?: string; title?: string; index?: number; status?: string; error?: string | null; elapsed_time?: number; total_tokens?: number }): TraceNode {
    const isLoop = event.startsWith('loop');
    const nodeId = d.node_id;
    let id = (nodeId && this.cycleExec.get(nodeId)) || d.id;
    if (nodeId && !this.cycleExec.has(nodeId)) this.cycleExec.set(nodeId, id);
    if (event.endsWith('_started') && nodeId) this.cycleRound.set(nodeId, 0);
    if (event.endsWith('_next') && nodeId && typeof d.index === 'number') this.cycleRound.set(nodeId, d.index);
    const done = event.endsWith('_completed');
    if (!id) id = nodeId ?? event;
    const node: TraceNode = {
      id,
      nodeId,
      kind: d.node_type || (isLoop ? 'loop' : 'iteration'),
      title: d.title || nodeId || (isLoop ? 'Loop' : 'Iteration'),
      status: done ? d.status || 'succeeded' : 'running',
    };
    const round = nodeId ? this.cycleRound.get(nodeId) : undefined;
    if (!done && round !== undefined) node.index = round;
    if (typeof d.elapsed_time === 'number') node.elapsedSeconds = d.elapsed_time;
    if (typeof d.total_tokens === 'number') node.totalTokens = d.total_tokens;
    if (d.error) node.error = d.error;
    return node;
  }
}

/** The pause reason of a run that waits for an answer elsewhere (Dify's email or console delivery). */
function waitingElsewhere(channels: string[] | undefined): string {
  return `Waiting for approval elsewhere${channels?.length ? ` (${channels.join(', ')})` : ''}`;
}
