// Every event of the Dify streaming contract as ONE discriminated union, plus a tolerant parser.
// Fields are optional where older/newer builds differ; anything unknown is kept raw as `{event:'unknown'}`.
// JSON.parse accepts both wire styles (compact orjson and json.dumps' `", "` + \uXXXX) and key order is irrelevant.
import { ApiError } from '../../net/apiError';

type Obj = Record<string, unknown>;

/** Fields most Dify chunks carry at the top level. */
export interface DifyEnvelope {
  task_id?: string;
  workflow_run_id?: string;
  conversation_id?: string;
  message_id?: string;
  created_at?: number;
}

export interface DifyNodeData {
  id: string;
  node_id?: string;
  node_type?: string;
  title?: string;
  index?: number;
  predecessor_node_id?: string | null;
  inputs?: Obj | null;
  process_data?: Obj | null;
  outputs?: Obj | null;
  status?: string;
  error?: string | null;
  elapsed_time?: number;
  execution_metadata?: { total_tokens?: number; total_price?: string | number; currency?: string; iteration_index?: number; loop_index?: number; [k: string]: unknown } | null;
  created_at?: number;
  finished_at?: number;
  iteration_id?: string | null;
  loop_id?: string | null;
  parallel_id?: string | null;
  retry_index?: number;
  files?: unknown[];
  extras?: Obj;
  [k: string]: unknown;
}

export interface DifyCycleData {
  id: string;
  node_id?: string;
  node_type?: string;
  title?: string;
  index?: number;
  inputs?: Obj | null;
  outputs?: Obj | null;
  status?: string;
  error?: string | null;
  elapsed_time?: number;
  total_tokens?: number;
  steps?: number;
  created_at?: number;
  [k: string]: unknown;
}

export interface DifyWorkflowRunData {
  id?: string;
  workflow_id?: string;
  status?: string;
  outputs?: Obj | null;
  error?: string | null;
  elapsed_time?: number;
  total_tokens?: number;
  total_steps?: number;
  created_at?: number;
  finished_at?: number | null;
  files?: unknown[];
  exceptions_count?: number;
  [k: string]: unknown;
}

export interface DifyUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  total_price?: string | number;
  currency?: string;
  latency?: number;
  [k: string]: unknown;
}

export interface DifyRetrieverResource {
  id?: string;
  position?: number;
  dataset_id?: string;
  dataset_name?: string;
  document_id?: string;
  document_name?: string;
  score?: number;
  content?: string;
  [k: string]: unknown;
}

export interface DifyMessageFileRef {
  id?: string;
  type?: string;
  belongs_to?: 'user' | 'assistant' | string;
  url?: string;
  [k: string]: unknown;
}

export type DifyStreamEvent =
  | (DifyEnvelope & { event: 'workflow_started'; data: DifyWorkflowRunData & { inputs?: Obj; reason?: string } })
  | (DifyEnvelope & { event: 'node_started' | 'node_finished' | 'node_retry'; data: DifyNodeData })
  | (DifyEnvelope & { event: 'text_chunk'; data: { text: string; from_variable_selector?: string[] } })
  | (DifyEnvelope & { event: 'text_replace'; data: { text: string } })
  | (DifyEnvelope & { event: 'reasoning_chunk'; data: { reasoning: string; node_id?: string; is_final?: boolean } })
  | (DifyEnvelope & {
      event: 'iteration_started' | 'iteration_next' | 'iteration_completed' | 'loop_started' | 'loop_next' | 'loop_completed';
      data: DifyCycleData;
    })
  | (DifyEnvelope & { event: 'parallel_branch_started' | 'parallel_branch_finished'; data: { parallel_id?: string; parallel_branch_id?: string; status?: string; error?: string | null; [k: string]: unknown } })
  | (DifyEnvelope & { event: 'agent_log'; data: { id: string; node_execution_id?: string; label?: string; parent_id?: string | null; error?: string | null; status?: string; data?: unknown; metadata?: Obj; node_id?: string } })
  | (DifyEnvelope & { event: 'tts_message' | 'tts_message_end'; audio: string })
  | (DifyEnvelope & { event: 'human_input_required' | 'human_input_form_filled' | 'human_input_form_timeout'; data: { form_id?: string; form_token?: string | null; node_id?: string; node_title?: string; form_content?: string; actions?: unknown[]; rendered_content?: string; action_id?: string; action_text?: string; [k: string]: unknown } })
  | (DifyEnvelope & { event: 'workflow_paused'; data: DifyWorkflowRunData & { paused_nodes?: unknown[]; reasons?: unknown[]; human_input_forms?: unknown[] } })
  | (DifyEnvelope & { event: 'workflow_finished'; data: DifyWorkflowRunData })
  | (DifyEnvelope & { event: 'message' | 'agent_message'; id?: string; answer: string; from_variable_selector?: string[] })
  | (DifyEnvelope & { event: 'agent_thought'; id: string; position?: number; thought?: string; observation?: string; tool?: string; tool_labels?: Obj; tool_input?: string; message_files?: string[] })
  | (DifyEnvelope & DifyMessageFileRef & { event: 'message_file' })
  | (DifyEnvelope & { event: 'message_end'; id?: string; metadata?: { usage?: DifyUsage; retriever_resources?: DifyRetrieverResource[]; annotation_reply?: unknown }; files?: unknown[] })
  | (DifyEnvelope & { event: 'message_replace'; answer: string; reason?: string })
  | (DifyEnvelope & { event: 'error'; status?: number; code?: string; message?: string })
  | { event: 'ping' }
  | { event: 'unknown'; name?: string; raw: unknown };

/** The event names of the contract (anything else becomes `unknown`). */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  'workflow_started', 'node_started', 'node_finished', 'node_retry', 'text_chunk', 'text_replace', 'reasoning_chunk',
  'iteration_started', 'iteration_next', 'iteration_completed', 'loop_started', 'loop_next', 'loop_completed',
  'parallel_branch_started', 'parallel_branch_finished', 'agent_log', 'tts_message', 'tts_message_end',
  'human_input_required', 'human_input_form_filled', 'human_input_form_timeout', 'workflow_paused', 'workflow_finished',
  'message', 'agent_message', 'agent_thought', 'message_file', 'message_end', 'message_replace', 'error', 'ping',
]);

const WITH_DATA = new Set([
  'workflow_started', 'node_started', 'node_finished', 'node_retry', 'text_chunk', 'text_replace', 'reasoning_chunk',
  'iteration_started', 'iteration_next', 'iteration_completed', 'loop_started', 'loop_next', 'loop_completed',
  'parallel_branch_started', 'parallel_branch_finished', 'agent_log', 'human_input_required', 'human_input_form_filled',
  'human_input_form_timeout', 'workflow_paused', 'workflow_finished',
]);

const PING: DifyStreamEvent = { event: 'ping' };

// Per-name handling as bit flags, so the per-frame path does one Map lookup instead of several Set/string tests.
const F_DATA = 1; // requires an object `data`
const F_ANSWER = 2; // top-level `answer` is coerced to a string
const F_TEXT = 4; // `data.text` is coerced to a string
const F_REASONING = 8; // `data.reasoning` is coerced to a string
const FLAGS: ReadonlyMap<string, number> = new Map(
  [...KNOWN_EVENTS].map((name) => [
    name,
    (WITH_DATA.has(name) ? F_DATA : 0)
      | (name === 'message' || name === 'agent_message' || name === 'message_replace' ? F_ANSWER : 0)
      | (name === 'text_chunk' || name === 'text_replace' ? F_TEXT : 0)
      | (name === 'reasoning_chunk' ? F_REASONING : 0),
  ]),
);

/**
 * Parses one SSE data payload. Malformed JSON throws ApiError 'malformed': Dify never splits JSON across frames,
 * so a frame that does not parse means something in between (a proxy) broke the stream — we fail clearly instead
 * of silently losing text. Events with a missing required part (e.g. `data`) become `unknown`.
 */
export function parseDifyEvent(data: string, sseEvent?: string, route?: string): DifyStreamEvent {
  if (sseEvent === 'ping') return PING;
  let obj: unknown;
  try {
    obj = JSON.parse(data);
  } catch (err) {
    const preview = data.length > 60 ? data.slice(0, 60) + '…' : data;
    throw new ApiError({
      kind: 'malformed',
      message: `Malformed JSON in a stream frame${route ? ` (${route})` : ''}: ${JSON.stringify(preview)}. A proxy between you and Dify may be altering the stream.`,
      route,
      cause: err,
    });
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return { event: 'unknown', raw: obj };
  const o = obj as Obj;
  const own = o.event;
  const name = typeof own === 'string' ? own : sseEvent;
  const flags = name === undefined ? undefined : FLAGS.get(name);
  if (flags === undefined) return { event: 'unknown', name, raw: obj };
  if (name === 'ping') return PING;
  if (flags !== 0) {
    if (flags & F_DATA && (!o.data || typeof o.data !== 'object')) return { event: 'unknown', name, raw: obj };
    if (flags & F_ANSWER) {
      if (typeof o.answer !== 'string') o.answer = o.answer == null ? '' : String(o.answer);
    } else if (flags & F_TEXT) {
      const d = o.data as Obj;
      if (typeof d.text !== 'string') d.text = d.text == null ? '' : String(d.text);
    } else if (flags & F_REASONING) {
      const d = o.data as Obj;
      if (typeof d.reasoning !== 'string') d.reasoning = d.reasoning == null ? '' : String(d.reasoning);
    }
  }
  if (own !== name) o.event = name;
  return o as unknown as DifyStreamEvent;
}

/** True for the envelope-carrying events (everything except ping/unknown). */
export function hasEnvelope(e: DifyStreamEvent): e is Exclude<DifyStreamEvent, { event: 'ping' } | { event: 'unknown' }> {
  return e.event !== 'ping' && e.event !== 'unknown';
}
