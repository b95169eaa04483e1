// The event sequences the test server streams for each app mode, modelled on real Dify output.
import { randomUUID } from 'node:crypto';
import type { DifyTestApp } from './apps';

type Obj = Record<string, unknown>;

/** One frame to write: an event object (`chunk` marks answer deltas, counted by scripts) or a ping. */
export type Frame = { obj: Obj; chunk?: boolean } | 'ping';

/** Ids and inputs of one run. */
export interface RunContext {
  taskId: string;
  runId: string;
  messageId: string;
  conversationId?: string;
  workflowId: string;
  inputs: Obj;
  query: string;
  createdAt: number;
  answer: string;
  /** Extra output variables of workflow_finished (scripted). */
  extraOutputs?: Obj;
  /** The Human Input node's execution id, while the run waits there and after. */
  pausedNodeExec?: string;
  /** Answer characters per chunk event, [min, max] (scripted; default by the answer's length). */
  chunkChars?: [number, number];
}

/** Splits text into 20–60 character pieces at code-point boundaries (deterministic). */
export function chunkText(text: string, min = 20, max = 60): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  let seed = 7;
  for (let i = 0; i < cps.length; ) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = min + (seed % (max - min + 1));
    out.push(cps.slice(i, i + n).join(''));
    i += n;
  }
  return out;
}

/** Han characters: a question written in Chinese gets the app's Chinese answer, where it has one. */
const HAN = /\p{Script=Han}/u;

/**
 * The full answer of an app for a run: optional <think> part, then the answer (or a generated big answer). `asked`
 * is the query and the text inputs.
 */
export function answerFor(app: DifyTestApp, answerBytes?: number, asked = ''): string {
  const zh = app.chinese && HAN.test(asked) ? app.chinese : undefined;
  const thinking = zh?.thinking ?? app.thinking;
  const think = thinking ? `<think>\n${thinking}\n</think>\n\n` : '';
  const base = zh?.answer ?? app.answer ?? 'Hello from the Dify test server. 你好！\n';
  if (!answerBytes) return think + base;
  const parts: string[] = [think];
  let size = Buffer.byteLength(think);
  for (let i = 0; size < answerBytes; i++) {
    const line = `${i}. ${base.replace(/\n/g, ' ')}\n`;
    parts.push(line);
    size += Buffer.byteLength(line);
  }
  return parts.join('');
}

const usage = (tokens: number): Obj => ({
  prompt_tokens: 120, prompt_unit_price: '0.001', prompt_price_unit: '0.001', prompt_price: '0.00012',
  completion_tokens: tokens, completion_unit_price: '0.002', completion_price_unit: '0.001', completion_price: '0.0002',
  total_tokens: 120 + tokens, total_price: '0.00032', currency: 'USD', latency: 1.25,
});

const retriever = (ctx: RunContext): Obj[] => [
  {
    id: randomUUID(), message_id: ctx.messageId, position: 1, dataset_id: 'ds-1', dataset_name: 'Product Docs',
    document_id: 'doc-1', document_name: 'deploy.md', data_source_type: 'upload_file', segment_id: 'seg-1', score: 0.87,
    hit_count: 3, word_count: 120, segment_position: 2, index_node_hash: 'abc', content: 'Use docker compose to deploy.', created_at: ctx.createdAt,
  },
];

function chunkSizes(answerLength: number): [number, number] {
  return answerLength > 200_000 ? [1500, 2500] : [20, 60];
}

function node(ctx: RunContext, env: Obj, event: string, n: { id: string; node_id: string; node_type: string; title: string }, extra: Obj = {}): Obj {
  return {
    event, ...env,
    data: {
      id: n.id, node_id: n.node_id, node_type: n.node_type, title: n.title, index: 1, predecessor_node_id: null,
      inputs: event === 'node_started' ? null : ctx.inputs, created_at: ctx.createdAt, extras: {}, iteration_id: null, loop_id: null,
      ...(event === 'node_finished' ? { process_data: null, outputs: {}, status: 'succeeded', error: null, elapsed_time: 0.01, execution_metadata: null, finished_at: ctx.createdAt + 1, files: [] } : {}),
      ...extra,
    },
  };
}

/** Workflow nodes before the LLM: start, then an iteration with two rounds of a code node (default). */
function preNodes(app: DifyTestApp, ctx: RunContext, env: Obj, iteration: boolean): Frame[] {
  const frames: Frame[] = [];
  const list = app.workflowNodes ?? [{ node_id: 'start', node_type: 'start', title: 'Start' }];
  for (const n of list) {
    const x = { ...n, id: randomUUID() };
    frames.push({ obj: node(ctx, env, 'node_started', x) });
    frames.push({ obj: node(ctx, env, 'node_finished', x, { outputs: ctx.inputs }) });
  }
  if (iteration && !app.workflowNodes) {
    const it = { id: randomUUID(), node_id: 'split_files', node_type: 'iteration', title: 'For each file' };
    frames.push({ obj: node(ctx, env, 'node_started', it) });
    frames.push({ obj: { event: 'iteration_started', ...env, data: { id: it.id, node_id: it.node_id, node_type: 'iteration', title: it.title, created_at: ctx.createdAt, extras: {}, metadata: { iterator_length: 2 }, inputs: { iterator_selector: ['a', 'b'] } } } });
    for (let round = 0; round < 2; round++) {
      frames.push({ obj: { event: 'iteration_next', ...env, data: { id: it.id, node_id: it.node_id, node_type: 'iteration', title: it.title, index: round, created_at: ctx.createdAt, extras: {}, pre_iteration_output: round ? 'ok' : null } } });
      const child = { id: randomUUID(), node_id: 'check_file', node_type: 'code', title: 'Check file' };
      frames.push({ obj: node(ctx, env, 'node_started', child, { iteration_id: it.node_id }) });
      frames.push({ obj: node(ctx, env, 'node_finished', child, { iteration_id: it.node_id, outputs: { result: `file ${round} ok` }, execution_metadata: { iteration_id: it.node_id, iteration_index: round } }) });
    }
    frames.push({ obj: { event: 'iteration_completed', ...env, data: { id: it.id, node_id: it.node_id, node_type: 'iteration', title: it.title, outputs: { output: ['ok', 'ok'] }, created_at: ctx.createdAt, extras: {}, inputs: {}, status: 'succeeded', error: null, elapsed_time: 0.2, total_tokens: 0, execution_metadata: {}, finished_at: ctx.createdAt + 1, steps: 2 } } });
    frames.push({ obj: node(ctx, env, 'node_finished', it, { outputs: { output: ['ok', 'ok'] } }) });
  }
  return frames;
}

/** The frames of a successful run of `app` (terminal events included, last). */
export function runFrames(app: DifyTestApp, ctx: RunContext): Frame[] {
  const [min, max] = ctx.chunkChars ?? chunkSizes(ctx.answer.length);
  const pieces = chunkText(ctx.answer, min, max);
  const tokens = pieces.length;
  const frames: Frame[] = [];
  if (app.mode === 'workflow') {
    const env = { task_id: ctx.taskId, workflow_run_id: ctx.runId };
    frames.push({ obj: { event: 'workflow_started', ...env, data: { id: ctx.runId, workflow_id: ctx.workflowId, inputs: ctx.inputs, created_at: ctx.createdAt, reason: 'initial' } } });
    frames.push(...preNodes(app, ctx, env, true));
    const llm = { id: randomUUID(), node_id: 'llm', node_type: 'llm', title: 'Review' };
    frames.push({ obj: node(ctx, env, 'node_started', llm) });
    for (const text of pieces) frames.push({ obj: { event: 'text_chunk', ...env, data: { text, from_variable_selector: ['llm', 'text'] } }, chunk: true });
    frames.push({ obj: node(ctx, env, 'node_finished', llm, { outputs: { text: ctx.answer }, execution_metadata: { total_tokens: 120 + tokens, total_price: '0.00032', currency: 'USD' } }) });
    const end = { id: randomUUID(), node_id: 'end', node_type: 'end', title: 'End' };
    frames.push({ obj: node(ctx, env, 'node_started', end) });
    frames.push({ obj: node(ctx, env, 'node_finished', end, { outputs: { text: ctx.answer } }) });
    frames.push({ obj: workflowFinished(ctx, env, 'succeeded', { text: ctx.answer, ...ctx.extraOutputs }, 120 + tokens) });
    return frames;
  }
  const env: Obj = { conversation_id: ctx.conversationId, message_id: ctx.messageId, created_at: ctx.createdAt, task_id: ctx.taskId };
  if (app.mode === 'completion') delete env.conversation_id;
  if (app.mode === 'advanced-chat') {
    const wenv = { ...env, workflow_run_id: ctx.runId };
    frames.push({ obj: { event: 'workflow_started', ...wenv, data: { id: ctx.runId, workflow_id: ctx.workflowId, inputs: ctx.inputs, created_at: ctx.createdAt } } });
    frames.push(...preNodes(app, ctx, wenv, false));
    const llm = { id: randomUUID(), node_id: 'llm', node_type: 'llm', title: 'LLM' };
    frames.push({ obj: node(ctx, wenv, 'node_started', llm) });
    for (const answer of pieces) frames.push({ obj: { event: 'message', ...env, id: ctx.messageId, answer, from_variable_selector: ['llm', 'text'] }, chunk: true });
    frames.push({ obj: node(ctx, wenv, 'node_finished', llm, { outputs: { text: ctx.answer }, execution_metadata: { total_tokens: 120 + tokens } }) });
    const ans = { id: randomUUID(), node_id: 'answer', node_type: 'answer', title: 'Answer' };
    frames.push({ obj: node(ctx, wenv, 'node_started', ans) });
    frames.push({ obj: node(ctx, wenv, 'node_finished', ans, { outputs: { answer: ctx.answer } }) });
    frames.push({ obj: { event: 'message_end', ...env, id: ctx.messageId, metadata: { usage: usage(tokens), retriever_resources: retriever(ctx) }, files: [] } });
    frames.push({ obj: workflowFinished(ctx, wenv, 'succeeded', { answer: ctx.answer }, 120 + tokens) });
    return frames;
  }
  if (app.mode === 'agent-chat') {
    const thoughtId = randomUUID();
    frames.push({ obj: { event: 'agent_thought', ...env, id: thoughtId, position: 1, thought: '', observation: '', tool: 'web_search', tool_labels: { web_search: { en_US: 'Web Search', zh_Hans: '网页搜索' } }, tool_input: '{"query": "dify self-hosting"}', message_files: [] } });
    frames.push({ obj: { event: 'agent_thought', ...env, id: thoughtId, position: 1, thought: '', observation: 'Dify can be self-hosted with docker compose.', tool: 'web_search', tool_labels: {}, tool_input: '{"query": "dify self-hosting"}', message_files: [] } });
    for (const answer of pieces) frames.push({ obj: { event: 'agent_message', ...env, id: ctx.messageId, answer }, chunk: true });
    frames.push({ obj: { event: 'agent_thought', ...env, id: randomUUID(), position: 2, thought: ctx.answer, observation: '', tool: '', tool_labels: {}, tool_input: '', message_files: [] } });
    frames.push({ obj: { event: 'message_end', ...env, id: ctx.messageId, metadata: { usage: usage(tokens) } } });
    return frames;
  }
  for (const answer of pieces) frames.push({ obj: { event: 'message', ...env, id: ctx.messageId, answer }, chunk: true });
  const metadata: Obj = { usage: usage(tokens) };
  if (app.mode === 'chat') metadata.retriever_resources = retriever(ctx);
  frames.push({ obj: { event: 'message_end', ...env, id: ctx.messageId, metadata } });
  return frames;
}

function workflowFinished(ctx: RunContext, env: Obj, status: string, outputs: Obj | null, tokens: number): Obj {
  return {
    event: 'workflow_finished', ...env,
    data: {
      id: ctx.runId, workflow_id: ctx.workflowId, status, outputs, error: null, elapsed_time: 1.5, total_tokens: tokens, total_steps: 6,
      created_by: { id: 'u', user: 'end-user' }, created_at: ctx.createdAt, finished_at: ctx.createdAt + 2, exceptions_count: 0, files: [],
    },
  };
}

/** Terminal frames after a stop: Dify ends a stopped run with its usual terminal events, status 'stopped'. */
export function stoppedFrames(app: DifyTestApp, ctx: RunContext): Frame[] {
  const out: Frame[] = [];
  if (app.mode === 'workflow') {
    out.push({ obj: workflowFinished(ctx, { task_id: ctx.taskId, workflow_run_id: ctx.runId }, 'stopped', null, 0) });
    return out;
  }
  const env: Obj = { conversation_id: ctx.conversationId, message_id: ctx.messageId, created_at: ctx.createdAt, task_id: ctx.taskId };
  if (app.mode === 'completion') delete env.conversation_id;
  out.push({ obj: { event: 'message_end', ...env, id: ctx.messageId, metadata: { usage: usage(0) } } });
  if (app.mode === 'advanced-chat') out.push({ obj: workflowFinished(ctx, { ...env, workflow_run_id: ctx.runId }, 'stopped', null, 0) });
  return out;
}

/** The blocking answer equivalent to `runFrames`. */
export function blockingBody(app: DifyTestApp, ctx: RunContext): Obj {
  if (app.mode === 'workflow') {
    const f = workflowFinished(ctx, {}, 'succeeded', { text: ctx.answer }, 150);
    const d = f.data as Obj;
    delete d.created_by;
    return { task_id: ctx.taskId, workflow_run_id: ctx.runId, data: d };
  }
  const body: Obj = {
    event: 'message', task_id: ctx.taskId, id: ctx.messageId, message_id: ctx.messageId, conversation_id: ctx.conversationId,
    mode: app.mode === 'completion' ? 'completion' : 'chat', answer: ctx.answer,
    metadata: { usage: usage(30), retriever_resources: app.mode === 'completion' ? [] : retriever(ctx) }, created_at: ctx.createdAt,
  };
  if (app.mode === 'completion') delete body.conversation_id;
  return body;
}

/** The frames of a run of an app with a Human Input node up to the node (the server adds the form and the pause):
 * the start, the answer (the draft the person reviews), then the node starting. `ctx.pausedNodeExec` names it. */
export function framesUntilHumanInput(app: DifyTestApp, ctx: RunContext): Frame[] {
  const all = runFrames(app, ctx);
  // Everything up to the answer node's end, without the closing nodes and terminal events.
  const cut = all.findIndex((f) => f !== 'ping' && ((f.obj.event === 'node_started' && ['end', 'answer'].includes(String((f.obj.data as Obj).node_type))) || f.obj.event === 'message_end'));
  const frames = all.slice(0, cut < 0 ? all.length - 1 : cut);
  const env = envOf(app, ctx);
  const hin = app.humanInput!;
  ctx.pausedNodeExec ??= randomUUID();
  frames.push({ obj: humanNode(ctx, env, 'node_started', ctx.pausedNodeExec, hin.node_id, hin.title) });
  return frames;
}

/** The frames of a run going on after its form was answered (`filled`) or expired (`timeout`): the resumption, the
 * node's outcome, the branch's text, the terminal events. */
export function resumeFrames(app: DifyTestApp, ctx: RunContext, outcome: { filled: Obj } | { timeout: Obj }, text: string): Frame[] {
  const env = envOf(app, ctx);
  const hin = app.humanInput!;
  const exec = ctx.pausedNodeExec ?? randomUUID();
  const frames: Frame[] = [{ obj: { event: 'workflow_started', ...env, data: { id: ctx.runId, workflow_id: ctx.workflowId, inputs: ctx.inputs, created_at: ctx.createdAt, reason: 'resumption' } } }];
  if ('filled' in outcome) frames.push({ obj: { event: 'human_input_form_filled', ...env, data: outcome.filled } });
  else frames.push({ obj: { event: 'human_input_form_timeout', ...env, data: outcome.timeout } });
  frames.push({ obj: humanNode(ctx, env, 'node_finished', exec, hin.node_id, hin.title) });
  const llm = { id: randomUUID(), node_id: 'after_review', node_type: 'llm', title: 'Carry out' };
  frames.push({ obj: node(ctx, env, 'node_started', llm) });
  for (const piece of chunkText(text)) {
    frames.push(app.mode === 'advanced-chat'
      ? { obj: { event: 'message', conversation_id: ctx.conversationId, message_id: ctx.messageId, created_at: ctx.createdAt, task_id: ctx.taskId, id: ctx.messageId, answer: piece }, chunk: true }
      : { obj: { event: 'text_chunk', ...env, data: { text: piece, from_variable_selector: ['after_review', 'text'] } }, chunk: true });
  }
  frames.push({ obj: node(ctx, env, 'node_finished', llm, { outputs: { text } }) });
  const whole = ctx.answer + text;
  if (app.mode === 'advanced-chat') {
    frames.push({ obj: { event: 'message_end', conversation_id: ctx.conversationId, message_id: ctx.messageId, created_at: ctx.createdAt, task_id: ctx.taskId, id: ctx.messageId, metadata: { usage: usage(20) }, files: [] } });
    frames.push({ obj: workflowFinished(ctx, env, 'succeeded', { answer: whole }, 160) });
  } else {
    frames.push({ obj: workflowFinished(ctx, env, 'succeeded', { text: whole }, 160) });
  }
  return frames;
}

/** The one frame the events route sends for a run that has finished: Python's json.dumps, the run id as task id,
 * no conversation or message id (even for a chatflow). */
export function finishedFrame(ctx: RunContext, status: string, outputs: Obj | null): Obj {
  return workflowFinished(ctx, { task_id: ctx.runId, workflow_run_id: ctx.runId }, status, outputs, 160);
}

function envOf(app: DifyTestApp, ctx: RunContext): Obj {
  return app.mode === 'advanced-chat'
    ? { conversation_id: ctx.conversationId, message_id: ctx.messageId, created_at: ctx.createdAt, task_id: ctx.taskId, workflow_run_id: ctx.runId }
    : { task_id: ctx.taskId, workflow_run_id: ctx.runId };
}

function humanNode(ctx: RunContext, env: Obj, event: string, id: string, nodeId: string, title: string): Obj {
  return node(ctx, env, event, { id, node_id: nodeId, node_type: 'human-input', title });
}

