/**
 * A Dify-compatible test server: a real node:http server on 127.0.0.1 (random port) speaking the Dify service
 * API for all five app modes, with scriptable failures. Used by unit tests, UI tests and `npm run demo`.
 *
 * API (keep stable):
 *   startDifyServer(opts?: { apps?: DifyTestApp[]; port?: number; host?: '127.0.0.1'; idleShutdownMs?: number;
 *                           chunkDelayMs?: number | [min, max] }): Promise<DifyTestServer>
 *   interface DifyTestServer {
 *     url: string;                     // http://127.0.0.1:PORT/v1
 *     requests: RecordedRequest[];     // every request: method, path, query, headers (Authorization kept), body
 *     script(key, s: StreamScript | StreamScript[]): void  // queue; one script consumed per run request
 *     waitForRequest(pred, timeoutMs?): Promise<RecordedRequest>
 *     close(): Promise<void>
 *   }
 *   StreamScript: splitAt ('random' | absolute byte offsets), pings ('first' | 'between' | 'both' | 'none'),
 *     jsonStyle ('compact' | 'python'), errorAfterChunks, closeEarlyAfterChunks, stallAfterChunks,
 *     resetAfterChunks, chunkDelayMs, http ({status, body, contentType?, headers?}), answerBytes, unknownEvents,
 *     crlf, answer (override text), chunkChars (answer characters per chunk event).
 * Behaviour: auth exactly as Dify (401 messages, WWW-Authenticate, 403 for a disabled app), `user` required
 * (400 invalid_param "Arg user must be provided."), required inputs validated, agent-chat refuses blocking,
 * completion route on another mode → 400 app_unavailable, conversations persist (unknown id → 404
 * "Conversation Not Exists."), stop routes really stop a running stream (terminal events with status
 * 'stopped'), uploads (201; 413/415/400 errors), file references in inputs and `files` checked as Dify checks
 * them (test/support/dify/fileRefs.ts), `event: ping` frames, no `[DONE]`.
 * Around the runs: /site per app (`site: false` → 403, Werkzeug's words); /messages/{id}/suggested (uuid path, the
 * message's owner, chat modes only; off → 400 bad_request or, with `suggestionsOff: 'forbidden'`, the newest 403);
 * conversation list, rename (typed, or `auto_generate` from the first message) and delete (204) with Dify's checks
 * (uuid paths, not_chat_app, no `user` → DEFAULT-USER, who owns nothing); /workflows/logs with its arguments checked
 * (status, page, limit, ISO dates → 400 invalid_param), keyword and session filters, workflow apps' runs only (a
 * chatflow's are not in the app log); /workflows/run/{id} with `inputs` as JSON text and a failed run's error.
 * A query or input value containing "/slow" makes that stream slow (250 ms per frame) for UI tests.
 * Human input (§I, test/support/dify/humanInput.ts): an app with a `humanInput` node pauses there — the stream closes
 * after `human_input_required` + `workflow_paused` (no message_end for a chatflow), a blocking call answers the paused
 * body — and goes on only on GET /v1/workflow/{id}/events after its form is answered on /v1/form/human_input/{token}
 * (every error of the contract) or expires (the timeout branch). The events route serves every workflow and chatflow
 * run: a finished one in one frame, others with the state snapshot and live (test/support/dify/runHub.ts). A query
 * or input containing "/email" makes the form email-only (no token); "/expire" makes it expire after 20 s.
 * The server is unref'd (never keeps a process alive) and can shut itself down after `idleShutdownMs`.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import type { DifyTestApp } from './apps';
import { answerFor, blockingBody, finishedFrame, Frame, framesUntilHumanInput, resumeFrames, RunContext, runFrames, stoppedFrames } from './frames';
import { branchText, checkOpen, checkSubmission, formBody, FormFail, newForm, pauseReason, renderedContent, requiredData, type FormRecord } from './humanInput';
import { RunHub, type HubRun } from './runHub';
import { extensionOf, fileRefProblem } from './fileRefs';
import type { FileConfig, StoredUpload } from './fileRefs';
import { parseMultipart } from './multipart';
import { toJson } from './wireFormat';

export type { DifyTestApp } from './apps';

/** Per-request stream behaviour. */
export interface StreamScript {
  /** Write bytes split at arbitrary boundaries (also inside multi-byte UTF-8): 'random' or absolute offsets. */
  splitAt?: 'random' | number[];
  /** Where to put `event: ping` frames. */
  pings?: 'first' | 'between' | 'both' | 'none';
  jsonStyle?: 'compact' | 'python';
  /** After N answer chunks, send an `error` event (no task_id) and close. */
  errorAfterChunks?: number;
  /** After N answer chunks, end the response without a terminal event. */
  closeEarlyAfterChunks?: number;
  /** After N answer chunks, stop writing but keep the socket open. */
  stallAfterChunks?: number;
  /** After N answer chunks, destroy the socket (connection reset). */
  resetAfterChunks?: number;
  /** Delay between frames (ms); while stalled nothing is written. */
  chunkDelayMs?: number;
  /** Answer with this HTTP response instead of running (e.g. an nginx 502 page, a 429 with Retry-After). */
  http?: { status: number; body: string; contentType?: string; headers?: Record<string, string> };
  /** Generate an answer of about this many bytes. */
  answerBytes?: number;
  /** Sprinkle events the client does not know. */
  unknownEvents?: boolean;
  /** Use CRLF line endings. */
  crlf?: boolean;
  /** Override the answer text for this run. */
  answer?: string;
  /** Answer characters per chunk event, or a [min, max] range (default 20–60; 1500–2500 above 200 000 characters). */
  chunkChars?: number | [number, number];
  /** Extra output variables for workflow_finished (workflow apps). */
  outputs?: Record<string, unknown>;
  /** The message of the `error` event sent with errorAfterChunks (default: a rate-limit message). */
  errorMessage?: string;
  /** The stop route answers success but the task goes on streaming (a server that does not apply stops). */
  ignoreStop?: boolean;
  /** With stallAfterChunks: send only a ping every N ms for six intervals, then resume the stream (a slow run kept alive by pings). */
  pingEveryMs?: number;
  /** Human input: the form expires this long after the pause (then the run takes its timeout branch). */
  formExpiresInMs?: number;
  /** Human input: the form is delivered by email and console only (the Service API gets no token). */
  formElsewhere?: boolean;
  /** Human input, blocking chatflow: the older body with `data.human_input_forms` (and no `reasons`). */
  olderPausedBody?: boolean;
  /** Wait this long before the first answer chunk, the response's headers sent (a model's time to first token). */
  firstChunkAfterMs?: number;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/v1/chat-messages`. */
  path: string;
  query: Record<string, string>;
  /** The raw URL (path + query). */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, a multipart summary `{fields, files:[{name, filename, contentType, size}]}`, or raw text. */
  body: unknown;
  rawBody: string;
  /** The app selected by the key (when valid). */
  appKey?: string;
}

export interface DifyTestServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Every stop route call, and whether it found the task still running (as Dify's own log says). */
  stops: { taskId: string; found: boolean; clientConnected: boolean }[];
  /**
   * How each streamed task ended on the server: finished, stopped by the stop route, failed, or abandoned when this
   * server closed. As in Dify, a task goes on after its client leaves, until it finishes or is stopped.
   */
  taskEnds: Map<string, 'finished' | 'stopped' | 'failed' | 'abandoned' | 'paused'>;
  /** When each streamed task's response had gone out (its last byte to the system, Date.now()), by task id. */
  taskEndedAt: Map<string, number>;
  /**
   * When each stream's first answer chunk was written to its socket, as `performance.timeOrigin + performance.now()`
   * (epoch ms, the clock a browser page reads the same way): the start of the first-character latency the bench
   * measures. Keyed by task id, with the run's query.
   */
  firstChunkWrites: Map<string, { query: string; at: number }>;
  script(key: string, s: StreamScript | StreamScript[]): void;
  /** Human input: the forms on this server, and what a person elsewhere (or the clock) does to them. */
  humanInput: {
    forms(): FormRecord[];
    /** The form passes its expiry now: the form routes answer 412, the run takes its timeout branch. */
    expire(token: string): void;
    /** Someone else answers the form (the web app, another client): later answers get 412 submitted. */
    answer(token: string, action: string, inputs: Record<string, unknown>): void;
  };
  /** Every workflow and chatflow run, as the events route follows it. */
  hub: RunHub;
  /** The rating an answer has on this server, as Dify's logs show it. */
  feedbackOf(messageId: string): { rating: string; content?: string } | undefined;
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export interface DifyServerOptions {
  apps?: DifyTestApp[];
  port?: number;
  host?: '127.0.0.1';
  /** Shut down after this long without requests. */
  idleShutdownMs?: number;
  /** Default delay between frames (ms or [min,max]); default 0. */
  chunkDelayMs?: number | [number, number];
  /** The events route's snapshot: rebuilt from the run's state (released builds), or its events replayed (newest). */
  eventsReplay?: 'snapshot' | 'stream';
  /** The events route pings this often (Dify: 10 s) and closes after this long without an event (Dify: 300 s). */
  eventsPingMs?: number;
  eventsIdleMs?: number;
  /** How long after an accepted answer the run goes on (Dify queues it: a Celery task). Default 30 ms. */
  resumeDelayMs?: number;
}

interface Conversation {
  id: string;
  appKey: string;
  user: string;
  name: string;
  inputs: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  messages: { id: string; query: string; answer: string; created_at: number; inputs: Record<string, unknown>; feedback: string | null }[];
}

interface RunningTask {
  taskId: string;
  appKey: string;
  user: string;
  stopped: boolean;
  /** The client is still reading the stream. */
  connected: boolean;
  ignoresStop?: boolean;
  wake?: () => void;
}

interface WorkflowRunRecord {
  id: string;
  appKey: string;
  workflow_id: string;
  status: string;
  inputs: string;
  outputs: Record<string, unknown>;
  error: string | null;
  total_steps: number;
  total_tokens: number;
  created_at: number;
  finished_at: number | null;
  elapsed_time: number;
  user: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const now = (): number => Math.floor(Date.now() / 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref?.());

class HttpFail extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** Starts the server. */
export async function startDifyServer(opts: DifyServerOptions = {}): Promise<DifyTestServer> {
  const { demoApps } = await import('./apps');
  const apps = new Map((opts.apps ?? demoApps()).map((a) => [a.key, a]));
  const scripts = new Map<string, StreamScript[]>();
  const requests: RecordedRequest[] = [];
  const waiters = new Set<{ pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }>();
  const conversations = new Map<string, Conversation>();
  /** Every answer by message id (chat and completion alike: both take feedback), with who asked. */
  const answers = new Map<string, { appKey: string; user: string; feedback: string | null; content?: string }>();
  const tasks = new Map<string, RunningTask>();
  const stops: DifyTestServer['stops'] = [];
  const taskEnds: DifyTestServer['taskEnds'] = new Map();
  const taskEndedAt = new Map<string, number>();
  const firstChunkWrites: DifyTestServer['firstChunkWrites'] = new Map();
  const runs = new Map<string, WorkflowRunRecord>();
  const uploads = new Map<string, StoredUpload>();
  const hub = new RunHub();
  /** Runs of apps with a Human Input node: what a resume needs. */
  const paused = new Map<string, { app: DifyTestApp; ctx: RunContext; run: HubRun; user: string; form: FormRecord; script: StreamScript }>();
  const forms = new Map<string, FormRecord>();
  const sockets = new Set<Socket>();
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const record = (r: RecordedRequest): void => {
    requests.push(r);
    for (const w of [...waiters]) if (w.pred(r)) {
      waiters.delete(w);
      w.resolve(r);
    }
  };

  const delayFor = (app: DifyTestApp, s: StreamScript, slow: boolean): (() => number) => {
    if (slow) return () => 250;
    const d = s.chunkDelayMs ?? app.chunkDelayMs ?? opts.chunkDelayMs ?? 0;
    if (Array.isArray(d)) return () => d[0] + Math.floor(Math.random() * (d[1] - d[0] + 1));
    return () => d;
  };

  function authenticate(req: http.IncomingMessage): DifyTestApp {
    const h = req.headers.authorization;
    if (!h || !h.includes(' ')) throw new HttpFail(401, 'unauthorized', "Authorization header must be provided and start with 'Bearer'", { 'WWW-Authenticate': 'Bearer realm="api"' });
    const [scheme, token] = [h.slice(0, h.indexOf(' ')), h.slice(h.indexOf(' ') + 1)];
    if (scheme.toLowerCase() !== 'bearer') throw new HttpFail(401, 'unauthorized', "Authorization scheme must be 'Bearer'", { 'WWW-Authenticate': 'Bearer realm="api"' });
    const app = apps.get(token.trim());
    if (!app) throw new HttpFail(401, 'unauthorized', 'Access token is invalid', { 'WWW-Authenticate': 'Bearer realm="api"' });
    if (app.disabled) throw new HttpFail(403, 'forbidden', "The app's API service has been disabled.");
    return app;
  }

  function requireUser(body: Record<string, unknown>): string {
    const u = body.user;
    if (typeof u !== 'string' || !u) throw new HttpFail(400, 'invalid_param', 'Arg user must be provided.');
    return u;
  }

  function formOf(app: DifyTestApp): Record<string, Record<string, unknown>>[] {
    const p = (app.parameters ?? {}) as { user_input_form?: Record<string, Record<string, unknown>>[] };
    return p.user_input_form ?? [];
  }

  function validateInputs(app: DifyTestApp, inputs: unknown): Record<string, unknown> {
    if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) throw new HttpFail(400, 'invalid_param', 'inputs is required');
    const o = inputs as Record<string, unknown>;
    for (const item of formOf(app)) {
      const [kind, f] = Object.entries(item)[0] ?? [];
      if (!f || kind === 'external_data_tool') continue;
      const v = o[f.variable as string];
      const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
      if (f.required && empty) throw new HttpFail(400, 'invalid_param', `${f.variable} is required in input form`);
      if (empty) continue;
      if ((kind === 'text-input' || kind === 'paragraph' || kind === 'select') && typeof v !== 'string') {
        throw new HttpFail(400, 'invalid_param', `${f.variable} in input form must be a string`);
      }
      if (kind === 'select' && Array.isArray(f.options) && !f.options.includes(v)) {
        throw new HttpFail(400, 'invalid_param', `${f.variable} in input form must be one of the following: ${JSON.stringify(f.options)}`);
      }
      if (typeof v === 'string' && typeof f.max_length === 'number' && v.length > f.max_length) {
        throw new HttpFail(400, 'invalid_param', `${f.variable} in input form must be less than ${f.max_length} characters`);
      }
      if (kind === 'number' && !(typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v))))) {
        throw new HttpFail(400, 'invalid_param', `${f.variable} in input form must be a valid number`);
      }
      if (kind === 'file-list' && !Array.isArray(v)) throw new HttpFail(400, 'invalid_param', `${f.variable} in input form must be a list of files`);
      if (kind === 'file' && (typeof v !== 'object' || Array.isArray(v))) throw new HttpFail(400, 'invalid_param', `${f.variable} in input form must be a file`);
      if (kind === 'file' || kind === 'file-list') checkFiles(Array.isArray(v) ? v : [v], f as FileConfig);
    }
    return o;
  }

  /** Dify's checks of file references against a field's or the app's file upload configuration. */
  function checkFiles(refs: unknown[], cfg: FileConfig): void {
    for (const ref of refs) {
      const problem = fileRefProblem(ref, cfg, uploads);
      if (problem) throw new HttpFail(400, 'invalid_param', problem);
    }
  }

  /** `files` (sys.files): checked against the app's file_upload, and dropped when the app has none. */
  function runFiles(app: DifyTestApp, files: unknown): unknown[] {
    const cfg = (app.parameters as { file_upload?: FileConfig & { enabled?: boolean } } | undefined)?.file_upload;
    if (!Array.isArray(files) || !cfg || !(cfg.enabled || cfg.image?.enabled)) return [];
    checkFiles(files, cfg);
    return files;
  }

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  function conversationFor(app: DifyTestApp, id: unknown, user: string): Conversation | undefined {
    if (id === undefined || id === null || id === '') return undefined;
    if (typeof id !== 'string' || !UUID.test(id)) throw new HttpFail(400, 'invalid_param', 'Conversation ID must be a valid UUID');
    const c = conversations.get(id);
    if (!c || c.appKey !== app.key || c.user !== user) throw new HttpFail(404, 'not_found', 'Conversation Not Exists.');
    return c;
  }

  async function handleRun(app: DifyTestApp, kind: 'workflow' | 'chat' | 'completion', req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, unknown>, pinned?: string): Promise<void> {
    if (kind === 'workflow' && app.mode !== 'workflow') throw new HttpFail(400, 'not_workflow_app', 'Please check if your Workflow app mode matches the right API route.');
    if (kind === 'chat' && !['chat', 'agent-chat', 'advanced-chat'].includes(app.mode)) throw new HttpFail(400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
    if (kind === 'completion' && app.mode !== 'completion') throw new HttpFail(400, 'app_unavailable', 'App unavailable, please check your app configurations.');
    const user = requireUser(body);
    const inputs = validateInputs(app, body.inputs);
    runFiles(app, body.files);
    const responseMode = body.response_mode === 'streaming' ? 'streaming' : 'blocking';
    if (kind === 'chat' && (typeof body.query !== 'string' || !body.query)) throw new HttpFail(400, 'invalid_param', 'query is required');
    if (app.mode === 'agent-chat' && responseMode === 'blocking') throw new HttpFail(400, 'invalid_param', 'Agent Chat App does not support blocking mode');
    if (body.workflow_id !== undefined && app.mode === 'advanced-chat') pinned = String(body.workflow_id);
    if (pinned !== undefined) {
      if (!UUID.test(pinned)) throw new HttpFail(400, 'bad_request', 'Invalid workflow ID format');
      if (pinned === '00000000-0000-0000-0000-000000000000') throw new HttpFail(404, 'not_found', 'Workflow not found');
    }
    let conv = kind === 'chat' ? conversationFor(app, body.conversation_id, user) : undefined;
    const queue = scripts.get(app.key);
    const s: StreamScript = queue?.length ? queue.shift()! : {};
    if (s.http) {
      res.writeHead(s.http.status, { 'Content-Type': s.http.contentType ?? 'application/json', ...s.http.headers });
      res.end(s.http.body);
      return;
    }
    const query = typeof body.query === 'string' ? body.query : '';
    const slow = query.includes('/slow') || Object.values(inputs).some((v) => typeof v === 'string' && v.includes('/slow'));
    if (kind === 'chat' && !conv) {
      const id = randomUUID();
      conv = { id, appKey: app.key, user, name: body.auto_generate_name === false ? 'New conversation' : query.slice(0, 30) || 'New conversation', inputs, created_at: now(), updated_at: now(), messages: [] };
      conversations.set(id, conv);
    }
    const ctx: RunContext = {
      taskId: randomUUID(), runId: randomUUID(), messageId: randomUUID(), conversationId: conv?.id,
      workflowId: pinned ?? 'f7b0c8a2-4c1d-4b7e-9a53-2f7f3f0d1e11', inputs, query, createdAt: now(),
      answer: s.answer ?? answerFor(app, s.answerBytes, [query, ...Object.values(inputs).filter((v) => typeof v === 'string')].join('\n')),
      extraOutputs: s.outputs,
      chunkChars: typeof s.chunkChars === 'number' ? [s.chunkChars, s.chunkChars] : s.chunkChars,
    };
    if (kind !== 'workflow') answers.set(ctx.messageId, { appKey: app.key, user, feedback: null });
    if (conv) {
      conv.messages.push({ id: ctx.messageId, query, answer: ctx.answer, created_at: Math.max(ctx.createdAt, (conv.messages.at(-1)?.created_at ?? 0) + 1), inputs, feedback: null });
      conv.updated_at = now();
    }
    let hubRun: HubRun | undefined;
    if (app.mode === 'workflow' || app.mode === 'advanced-chat') {
      runs.set(ctx.runId, { id: ctx.runId, appKey: app.key, workflow_id: ctx.workflowId, status: 'running', inputs: JSON.stringify(inputs), outputs: {}, error: null, total_steps: 0, total_tokens: 0, created_at: ctx.createdAt, finished_at: null, elapsed_time: 0, user });
      hubRun = hub.create({ id: ctx.runId, taskId: ctx.taskId, appKey: app.key, mode: app.mode === 'workflow' ? 'workflow' : 'advanced-chat', user, workflowId: ctx.workflowId, conversationId: ctx.conversationId, messageId: ctx.messageId, createdAt: ctx.createdAt });
    }
    const finishRun = (status: string): void => {
      const r = runs.get(ctx.runId);
      if (r && (r.status === 'running' || r.status === 'paused')) Object.assign(r, { status, outputs: status === 'succeeded' ? (app.mode === 'advanced-chat' ? { answer: ctx.answer } : { text: ctx.answer }) : {}, finished_at: now(), elapsed_time: 1.5, total_steps: 6, total_tokens: 150 });
    };
    const asked = [query, ...Object.values(inputs).filter((v): v is string => typeof v === 'string')].join('\n');
    const pause = app.humanInput && hubRun
      ? { run: hubRun, form: newForm(app, ctx.runId, { elsewhere: s.formElsewhere || asked.includes('/email'), expiresInMs: s.formExpiresInMs ?? (asked.includes('/expire') ? 20_000 : undefined) }) }
      : undefined;
    if (responseMode === 'blocking') {
      if (s.chunkDelayMs || slow) await sleep(slow ? 500 : s.chunkDelayMs!);
      if (pause) {
        // The run goes as far as the Human Input node before the answer (nobody follows a blocking run).
        for (const f of framesUntilHumanInput(app, ctx)) if (f !== 'ping') hub.publish(pause.run, f.obj);
        const frame = pauseRun(app, ctx, pause.run, pause.form, user, s);
        json(res, 200, pausedBody(app, ctx, frame, pause.form, s));
        return;
      }
      finishRun('succeeded');
      json(res, 200, blockingBody(app, ctx));
      return;
    }
    await writeStream(app, res, req, s, ctx, slow, finishRun, user, hubRun, pause?.form);
  }

  /** The run reaches its Human Input node: the form is waiting, the run paused. Returns the `workflow_paused` frame. */
  function pauseRun(app: DifyTestApp, ctx: RunContext, run: HubRun, form: FormRecord, user: string, s: StreamScript): Record<string, unknown> {
    forms.set(form.token, form);
    const env = app.mode === 'advanced-chat'
      ? { conversation_id: ctx.conversationId, message_id: ctx.messageId, created_at: ctx.createdAt, task_id: ctx.taskId, workflow_run_id: ctx.runId }
      : { task_id: ctx.taskId, workflow_run_id: ctx.runId };
    run.waiting = [{ data: requiredData(form) }];
    hub.publish(run, { event: 'human_input_required', ...env, data: requiredData(form) });
    const frame = {
      event: 'workflow_paused', ...env,
      data: { workflow_run_id: ctx.runId, paused_nodes: [form.node.node_id], outputs: {}, reasons: [pauseReason(form)], status: 'paused', created_at: ctx.createdAt, elapsed_time: 0.8, total_tokens: 120, total_steps: 4 },
    };
    hub.publish(run, frame);
    const r = runs.get(ctx.runId);
    if (r) r.status = 'paused';
    paused.set(ctx.runId, { app, ctx, run, user, form, script: s });
    form.timer = setTimeout(() => expire(form), Math.max(0, form.expiresAt - Date.now()));
    form.timer.unref?.();
    return frame;
  }

  /** The answer of a blocking run that paused (workflow: WorkflowPausedBlockingResponse; chatflow: ChatPausedBlockingResponse). */
  function pausedBody(app: DifyTestApp, ctx: RunContext, paused: Record<string, unknown>, form: FormRecord, s: StreamScript): Record<string, unknown> {
    const data = paused.data as Record<string, unknown>;
    if (app.mode === 'workflow') {
      return {
        task_id: ctx.taskId, workflow_run_id: ctx.runId,
        data: { id: ctx.runId, workflow_id: ctx.workflowId, status: 'paused', outputs: {}, error: null, elapsed_time: data.elapsed_time, total_tokens: data.total_tokens, total_steps: data.total_steps, created_at: ctx.createdAt, finished_at: null, paused_nodes: data.paused_nodes, reasons: data.reasons },
      };
    }
    const inner: Record<string, unknown> = {
      id: ctx.messageId, mode: 'advanced-chat', conversation_id: ctx.conversationId, message_id: ctx.messageId, workflow_run_id: ctx.runId, answer: ctx.answer,
      metadata: {}, created_at: ctx.createdAt, paused_nodes: data.paused_nodes, status: 'paused', elapsed_time: data.elapsed_time, total_tokens: data.total_tokens, total_steps: data.total_steps,
    };
    if (s.olderPausedBody) inner.human_input_forms = [requiredData(form)];
    else inner.reasons = data.reasons;
    return {
      event: 'workflow_paused', task_id: ctx.taskId, id: ctx.messageId, message_id: ctx.messageId, conversation_id: ctx.conversationId, mode: 'advanced-chat',
      answer: ctx.answer, metadata: {}, created_at: ctx.createdAt, workflow_run_id: ctx.runId, data: inner,
    };
  }

  /** The form's expiry: the form routes answer 412 expired, and the run goes on along the node's timeout branch. */
  function expire(form: FormRecord): void {
    clearTimeout(form.timer);
    if (form.state !== 'waiting' || closed) return;
    form.state = 'expired';
    form.expiresAt = Math.min(form.expiresAt, Date.now());
    const p = paused.get(form.runId);
    if (!p) return;
    const timeout = { node_id: form.node.node_id, node_title: form.node.title, expiration_time: Math.floor(form.expiresAt / 1000) };
    void resume(p, { timeout }, branchText(form.node, 'timeout', {}));
  }

  /** An accepted answer: Dify queues the resume (a Celery task); the run goes on a moment later, on the events route only. */
  function submitted(form: FormRecord, action: string, inputs: Record<string, unknown>, user: string): void {
    clearTimeout(form.timer);
    form.state = 'submitted';
    form.submission = { action, inputs, user };
    const p = paused.get(form.runId);
    if (!p) return;
    const title = form.node.actions.find((a) => a.id === action)?.title ?? action;
    const filled = { node_id: form.node.node_id, node_title: form.node.title, rendered_content: renderedContent(form.node, inputs), action_id: action, action_text: title };
    const t = setTimeout(() => void resume(p, { filled }, branchText(form.node, action, inputs)), opts.resumeDelayMs ?? 30);
    t.unref?.();
  }

  /** The run goes on after its pause: published to whoever follows it, stoppable by its task id as before. */
  async function resume(p: { app: DifyTestApp; ctx: RunContext; run: HubRun; user: string; script: StreamScript }, outcome: Parameters<typeof resumeFrames>[2], text: string): Promise<void> {
    const { app, ctx, run } = p;
    paused.delete(ctx.runId);
    const r = runs.get(ctx.runId);
    if (r) r.status = 'running';
    const task: RunningTask = { taskId: ctx.taskId, appKey: app.key, user: p.user, stopped: false, connected: true };
    tasks.set(ctx.taskId, task);
    const delay = delayFor(app, p.script, false);
    const before = ctx.answer;
    try {
      for (const f of resumeFrames(app, ctx, outcome, text)) {
        if (closed) return;
        if (task.stopped) {
          for (const sf of stoppedFrames(app, ctx)) if (sf !== 'ping') hub.publish(run, sf.obj);
          finishRun(ctx, app, 'stopped');
          return;
        }
        if (f === 'ping') continue;
        if (f.obj.event === 'workflow_started') run.waiting = [];
        hub.publish(run, f.obj);
        const d = Math.max(2, delay());
        await new Promise<void>((resolve) => {
          task.wake = resolve;
          setTimeout(resolve, d).unref?.();
        });
      }
      ctx.answer = before + text;
      const conv = ctx.conversationId ? conversations.get(ctx.conversationId) : undefined;
      const msg = conv?.messages.find((m) => m.id === ctx.messageId);
      if (msg) msg.answer = ctx.answer;
      finishRun(ctx, app, 'succeeded');
    } finally {
      tasks.delete(ctx.taskId);
      taskEnds.set(ctx.taskId, task.stopped ? 'stopped' : closed ? 'abandoned' : 'finished');
    }
  }

  function finishRun(ctx: RunContext, app: DifyTestApp, status: string): void {
    const r = runs.get(ctx.runId);
    if (r && r.status !== 'succeeded' && r.status !== 'failed' && r.status !== 'stopped') {
      Object.assign(r, { status, outputs: status === 'succeeded' ? (app.mode === 'advanced-chat' ? { answer: ctx.answer } : { text: ctx.answer }) : {}, finished_at: now(), elapsed_time: 2.5, total_steps: 9, total_tokens: 160 });
    }
  }

  async function writeStream(app: DifyTestApp, res: http.ServerResponse, req: http.IncomingMessage, s: StreamScript, ctx: RunContext, slow: boolean, finishRun: (status: string) => void, user: string, run?: HubRun, form?: FormRecord): Promise<void> {
    const task: RunningTask = { taskId: ctx.taskId, appKey: app.key, user, stopped: false, connected: true, ignoresStop: s.ignoreStop };
    tasks.set(ctx.taskId, task);
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.socket?.setNoDelay(true);
    let gone = false;
    res.on('close', () => {
      gone = true;
      task.connected = false;
    });
    const nl = s.crlf ? '\r\n' : '\n';
    const delay = delayFor(app, s, slow);
    const splitter = makeSplitter(s.splitAt);
    /** `written` is told right after the first byte of `text` went to the socket. */
    const write = async (text: string, written?: () => void): Promise<void> => {
      for (const piece of splitter.push(Buffer.from(text, 'utf8'))) {
        if (gone) return;
        // As a real server does: it waits while the client is behind (the socket's buffer full), and so yields.
        const ok = res.write(piece);
        written?.();
        written = undefined;
        if (!ok) {
          await new Promise<void>((resolve) => {
            const go = () => {
              res.off('drain', go).off('close', go);
              resolve();
            };
            res.on('drain', go).on('close', go);
          });
        }
        if (s.splitAt) await new Promise((r) => setImmediate(r));
      }
    };
    const ping = (): Promise<void> => write(`event: ping${nl}${nl}`);
    // What the run emits also goes to whoever follows it on the events route.
    const frame = (o: Record<string, unknown>, written?: () => void): Promise<void> => {
      if (run && o.event !== 'future_event_kind') hub.publish(run, o);
      return write(`data: ${toJson(o, s.jsonStyle)}${nl}${nl}`, written);
    };
    const pings = s.pings ?? 'none';
    const frames: Frame[] = form ? framesUntilHumanInput(app, ctx) : runFrames(app, ctx);
    let chunks = 0;
    let index = 0;
    const flush = (): void => {
      for (const piece of splitter.flush()) if (!gone) res.write(piece);
    };
    try {
      if (pings === 'first' || pings === 'both') await ping();
      for (const f of frames) {
        // A client that left does not end the task (Dify's worker goes on): only the stop route or the end does.
        if (closed) return;
        if (task.stopped) {
          for (const sf of stoppedFrames(app, ctx)) if (sf !== 'ping') await frame(sf.obj);
          finishRun('stopped');
          flush();
          res.end();
          return;
        }
        if (index > 0 && (pings === 'between' || pings === 'both')) await ping();
        if (s.unknownEvents && index % 3 === 1) await frame({ event: 'future_event_kind', task_id: ctx.taskId, data: { hello: '世界' } });
        if (f === 'ping') await ping();
        else {
          const first = f.chunk && chunks === 0;
          if (first && s.firstChunkAfterMs) {
            res.flushHeaders();
            await sleep(s.firstChunkAfterMs);
            if (closed) return;
          }
          await frame(f.obj, first ? () => firstChunkWrites.set(ctx.taskId, { query: ctx.query, at: performance.timeOrigin + performance.now() }) : undefined);
        }
        index++;
        if (f !== 'ping' && f.chunk) {
          chunks++;
          if (s.errorAfterChunks !== undefined && chunks >= s.errorAfterChunks) {
            const message = s.errorMessage ?? '[openai] Rate limit reached for requests';
            await frame({ event: 'error', workflow_run_id: app.mode === 'workflow' ? ctx.runId : undefined, conversation_id: ctx.conversationId, message_id: ctx.messageId, status: 400, code: 'completion_request_error', message });
            finishRun('failed');
            const failed = runs.get(ctx.runId);
            if (failed) failed.error = message;
            flush();
            res.end();
            return;
          }
          if (s.closeEarlyAfterChunks !== undefined && chunks >= s.closeEarlyAfterChunks) {
            flush();
            res.end();
            return;
          }
          if (s.resetAfterChunks !== undefined && chunks >= s.resetAfterChunks) {
            flush();
            await sleep(20);
            res.socket?.destroy();
            return;
          }
          if (s.stallAfterChunks !== undefined && chunks >= s.stallAfterChunks) {
            flush();
            while (!closed && !task.stopped) {
              await new Promise<void>((r) => {
                task.wake = r;
                setTimeout(r, s.pingEveryMs ?? 1000).unref?.();
              });
              if (s.pingEveryMs && !gone && !task.stopped) {
                if (pingsSent(task) >= 6) {
                  break;
                }
                await ping();
                flush();
              }
            }
            if (closed) return;
          }
        }
        const d = delay();
        if (d > 0) {
          flush();
          await new Promise<void>((r) => {
            task.wake = r;
            setTimeout(r, d).unref?.();
          });
        }
      }
      if (form && run) {
        // The Human Input node: the form and the pause, then the stream closes (no message_end for a chatflow).
        const toClient = (o: Record<string, unknown>): Promise<void> => write(`data: ${toJson(o, s.jsonStyle)}${nl}${nl}`);
        const paused = pauseRun(app, ctx, run, form, user, s);
        await toClient(run.log.at(-2)!);
        await toClient(paused);
      } else {
        finishRun('succeeded');
      }
      flush();
      res.end();
    } finally {
      tasks.delete(ctx.taskId);
      // Writes are not held back for the socket: the response has ended when its last byte went to the system.
      const ended = () => taskEndedAt.set(ctx.taskId, Date.now());
      if (res.writableFinished || res.destroyed) ended();
      else {
        res.once('finish', ended);
        res.once('close', () => taskEndedAt.has(ctx.taskId) || ended());
      }
      taskEnds.set(ctx.taskId, task.stopped ? 'stopped' : closed ? 'abandoned' : runs.get(ctx.runId)?.status === 'failed' ? 'failed' : runs.get(ctx.runId)?.status === 'paused' ? 'paused' : 'finished');
      void req;
    }
  }

  const pingCounts = new WeakMap<RunningTask, number>();
  function pingsSent(t: RunningTask): number {
    const n = (pingCounts.get(t) ?? 0) + 1;
    pingCounts.set(t, n);
    return n - 1;
  }

  /** The checks of Dify's conversation routes before their view runs: a `<uuid:…>` path (else the generic 404),
   * then a chat-style app. */
  function chatRoute(app: DifyTestApp, id: string): void {
    if (!UUID.test(decodeURIComponent(id))) throw new HttpFail(404, 'not_found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');
    if (!['chat', 'agent-chat', 'advanced-chat'].includes(app.mode)) throw new HttpFail(400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
  }

  function stop(app: DifyTestApp, taskId: string, body: Record<string, unknown>): void {
    const user = requireUser(body);
    const t = tasks.get(taskId);
    const found = !!t && t.appKey === app.key && t.user === user;
    stops.push({ taskId, found, clientConnected: found && t.connected });
    if (found && !t.ignoresStop) {
      t.stopped = true;
      t.wake?.();
    }
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, raw: Buffer): Promise<void> {
    const app = authenticate(req);
    rec.appKey = app.key;
    const p = rec.path.replace(/^\/v1/, '');
    const m = req.method ?? 'GET';
    const body = (rec.body && typeof rec.body === 'object' ? rec.body : {}) as Record<string, unknown>;
    let match: RegExpExecArray | null;
    if (m === 'GET' && p === '/info') return json(res, 200, { name: app.name, description: app.description ?? '', tags: [], mode: app.mode, author_name: 'Demo' });
    if (m === 'GET' && p === '/parameters') return json(res, 200, app.parameters ?? {});
    if (m === 'GET' && p === '/meta') return json(res, 200, { tool_icons: {} });
    if (m === 'GET' && p === '/site') {
      // No site (or an archived workspace): a bare Werkzeug Forbidden, its generic message.
      if (app.site === false) throw new HttpFail(403, 'forbidden', "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.");
      return json(res, 200, { title: app.name, chat_color_theme: null, chat_color_theme_inverted: false, icon_type: 'emoji', icon: '🤖', icon_background: '#FFEAD5', icon_url: null, description: app.description ?? '', copyright: null, privacy_policy: null, input_placeholder: null, custom_disclaimer: '', default_language: 'en-US', show_workflow_steps: true, use_icon_as_answer_icon: false, ...app.site });
    }
    if (m === 'POST' && p === '/workflows/run') return handleRun(app, 'workflow', req, res, body);
    if (m === 'POST' && (match = /^\/workflows\/([^/]+)\/run$/.exec(p)) && match[1] !== 'run') return handleRun(app, 'workflow', req, res, body, decodeURIComponent(match[1]));
    if (m === 'GET' && (match = /^\/workflows\/run\/([^/]+)$/.exec(p))) {
      if (app.mode !== 'workflow' && app.mode !== 'advanced-chat') throw new HttpFail(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.');
      const r = runs.get(decodeURIComponent(match[1]));
      if (!r || r.appKey !== app.key) throw new HttpFail(404, 'not_found', 'Workflow run not found.');
      const out: Record<string, unknown> = { ...r };
      delete out.appKey;
      delete out.user;
      return json(res, 200, out);
    }
    if (m === 'GET' && (match = /^\/workflow\/([^/]+)\/events$/.exec(p))) {
      // Re-attach (§I): the `user` who started the run, a workflow or chatflow app, a run of this app and user.
      if (!rec.query.user) throw new HttpFail(400, 'invalid_param', 'Arg user must be provided.');
      if (app.mode !== 'workflow' && app.mode !== 'advanced-chat') throw new HttpFail(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.');
      const id = decodeURIComponent(match[1]);
      const r = runs.get(id);
      const run = hub.runs.get(id);
      if (!r || !run || r.appKey !== app.key || r.user !== rec.query.user) throw new HttpFail(404, 'not_found', 'Workflow run not found');
      const flag = (v: string | undefined) => (v ?? '').toLowerCase() === 'true';
      if (r.finished_at !== null) {
        // Exactly one frame, json.dumps style, the run id as task id, no conversation or message id; no ping.
        const ctx = { runId: r.id, workflowId: r.workflow_id, createdAt: r.created_at } as RunContext;
        const f = finishedFrame(ctx, r.status, r.status === 'succeeded' ? r.outputs : null);
        const text = `data: ${toJson(f, 'python')}\n\n`;
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      hub.follow(run, res, {
        snapshot: flag(rec.query.include_state_snapshot), continueOnPause: flag(rec.query.continue_on_pause), replay: opts.eventsReplay ?? 'snapshot',
        pingMs: opts.eventsPingMs ?? 10_000, idleMs: opts.eventsIdleMs ?? 300_000,
      });
      return;
    }
    if ((m === 'GET' || m === 'POST') && (match = /^\/form\/human_input\/([^/]+)$/.exec(p))) {
      if (m === 'POST') requireUser(body);
      if (m === 'POST' && (!body.inputs || typeof body.inputs !== 'object' || Array.isArray(body.inputs))) throw new HttpFail(400, 'invalid_param', 'inputs: Input should be a valid dictionary');
      if (m === 'POST' && typeof body.action !== 'string') throw new HttpFail(400, 'invalid_param', 'action: Input should be a valid string');
      // Another app's form, or one for a recipient the Service API may not use (email/console): "not found".
      const form = forms.get(decodeURIComponent(match[1]));
      if (!form || form.appKey !== app.key || form.elsewhere) throw new HttpFail(404, 'not_found', 'Form not found');
      try {
        checkOpen(form);
        if (m === 'GET') {
          // json.dumps(…, ensure_ascii=False): Python separators, raw UTF-8.
          const text = toJson(formBody(form), 'python-utf8');
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
          res.end(text);
          return;
        }
        checkSubmission(form, body.inputs as Record<string, unknown>, body.action as string, uploads);
      } catch (e) {
        if (e instanceof FormFail) {
          if (e.code === 'human_input_form_expired') expire(form);
          throw new HttpFail(e.status, e.code, e.message);
        }
        throw e;
      }
      submitted(form, body.action as string, body.inputs as Record<string, unknown>, body.user as string);
      return json(res, 200, {});
    }
    if (m === 'POST' && (match = /^\/workflows\/tasks\/([^/]+)\/stop$/.exec(p))) {
      if (app.mode !== 'workflow') throw new HttpFail(400, 'not_workflow_app', 'Please check if your app mode matches the right API route.');
      stop(app, decodeURIComponent(match[1]), body);
      return json(res, 200, { result: 'success' });
    }
    if (m === 'GET' && p === '/workflows/logs') {
      // reqparse: `status` one of three, `page` 1–99999, `limit` 1–100, the dates ISO 8601; anything else is 400.
      const q = rec.query;
      const intIn = (name: string, v: string | undefined, lo: number, hi: number, def: number): number => {
        if (v === undefined) return def;
        const n = Number(v);
        if (!/^-?\d+$/.test(v) || n < lo || n > hi) throw new HttpFail(400, 'invalid_param', JSON.stringify({ [name]: `Invalid ${name}: ${v}. Must be between ${lo} and ${hi}` }));
        return n;
      };
      if (q.status !== undefined && !['succeeded', 'failed', 'stopped'].includes(q.status)) {
        throw new HttpFail(400, 'invalid_param', JSON.stringify({ status: `${q.status} is not a valid choice` }));
      }
      const date = (name: string): number | undefined => {
        const v = q[name];
        if (v === undefined) return undefined;
        const t = Date.parse(v);
        if (Number.isNaN(t)) throw new HttpFail(400, 'invalid_param', `Invalid isoformat string: '${v}'`);
        return t / 1000;
      };
      const page = intIn('page', q.page, 1, 99999, 1);
      const limit = intIn('limit', q.limit, 1, 100, 20);
      const before = date('created_at__before');
      const after = date('created_at__after');
      // The keyword is looked for in the run's inputs and outputs (and the end user's session id), as Dify's log search does.
      const matches = (r: WorkflowRunRecord) => !q.keyword || `${r.inputs} ${JSON.stringify(r.outputs)} ${r.user}`.includes(q.keyword);
      // Only workflow apps write the app log (a chatflow's runs are not in it, as in Dify).
      const all = [...runs.values()].filter((r) => r.appKey === app.key && app.mode === 'workflow' && (!q.status || r.status === q.status) && matches(r)
        && (before === undefined || r.created_at < before) && (after === undefined || r.created_at > after)
        && (!q.created_by_end_user_session_id || r.user === q.created_by_end_user_session_id)).reverse();
      const data = all.slice((page - 1) * limit, page * limit).map((r) => ({
        id: randomUUID(),
        workflow_run: { id: r.id, version: '2025-01-01 00:00:00', status: r.status, error: r.error, elapsed_time: r.elapsed_time, total_tokens: r.total_tokens, total_steps: r.total_steps, created_at: r.created_at, finished_at: r.finished_at, exceptions_count: 0, triggered_from: 'app-run' },
        created_from: 'service-api', created_by_role: 'end_user', created_by_account: null,
        created_by_end_user: { id: randomUUID(), type: 'service_api', is_anonymous: false, session_id: r.user }, created_at: r.created_at,
      }));
      return json(res, 200, { page, limit, total: all.length, has_more: page * limit < all.length, data });
    }
    if (m === 'POST' && p === '/chat-messages') return handleRun(app, 'chat', req, res, body);
    if (m === 'POST' && (match = /^\/chat-messages\/([^/]+)\/stop$/.exec(p))) {
      if (!['chat', 'agent-chat', 'advanced-chat'].includes(app.mode)) throw new HttpFail(400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
      stop(app, decodeURIComponent(match[1]), body);
      return json(res, 200, { result: 'success' });
    }
    if (m === 'POST' && p === '/completion-messages') return handleRun(app, 'completion', req, res, body);
    if (m === 'POST' && (match = /^\/completion-messages\/([^/]+)\/stop$/.exec(p))) {
      if (app.mode !== 'completion') throw new HttpFail(400, 'app_unavailable', 'App unavailable, please check your app configurations.');
      stop(app, decodeURIComponent(match[1]), body);
      return json(res, 200, { result: 'success' });
    }
    if (m === 'GET' && p === '/conversations') {
      if (!['chat', 'agent-chat', 'advanced-chat'].includes(app.mode)) throw new HttpFail(400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
      const user = rec.query.user;
      if (!user) throw new HttpFail(400, 'invalid_param', 'Arg user must be provided.');
      const limit = Math.min(100, Math.max(1, Number(rec.query.limit ?? 20)));
      const sort = rec.query.sort_by ?? '-updated_at';
      const key = sort.replace('-', '') as 'created_at' | 'updated_at';
      const dir = sort.startsWith('-') ? -1 : 1;
      let list = [...conversations.values()].filter((c) => c.appKey === app.key && c.user === user).sort((a, b) => dir * (a[key] - b[key]));
      if (rec.query.last_id) {
        const i = list.findIndex((c) => c.id === rec.query.last_id);
        if (i === -1) throw new HttpFail(404, 'not_found', 'Last Conversation Not Exists.');
        list = list.slice(i + 1);
      }
      const data = list.slice(0, limit).map((c) => ({ id: c.id, name: c.name, inputs: c.inputs, status: 'normal', introduction: '', created_at: c.created_at, updated_at: c.updated_at }));
      return json(res, 200, { limit, has_more: list.length > limit, data });
    }
    if (m === 'GET' && p === '/messages') {
      const user = rec.query.user;
      if (!user) throw new HttpFail(400, 'invalid_param', 'Arg user must be provided.');
      const conv = conversationFor(app, rec.query.conversation_id, user);
      if (!conv) throw new HttpFail(400, 'invalid_param', 'conversation_id is required');
      const limit = Math.min(100, Math.max(1, Number(rec.query.limit ?? 20)));
      let msgs = conv.messages;
      if (rec.query.first_id) {
        const i = msgs.findIndex((x) => x.id === rec.query.first_id);
        if (i === -1) throw new HttpFail(404, 'not_found', 'First Message Not Exists.');
        msgs = msgs.slice(0, i);
      }
      const page = msgs.slice(Math.max(0, msgs.length - limit));
      // Newest first on the wire (as the 2026 spec describes); clients must sort by created_at.
      const data = [...page].reverse().map((x) => ({
        id: x.id, conversation_id: conv.id, parent_message_id: null, inputs: x.inputs, query: x.query, answer: x.answer, status: 'normal', error: null,
        message_files: [], feedback: x.feedback ? { rating: x.feedback } : null, retriever_resources: [], agent_thoughts: [], created_at: x.created_at,
      }));
      return json(res, 200, { limit, has_more: msgs.length > limit, data });
    }
    if (m === 'POST' && (match = /^\/conversations\/([^/]+)\/name$/.exec(p))) {
      chatRoute(app, match[1]);
      // `user` is optional here: without it the caller is DEFAULT-USER, who owns none of these conversations.
      const user = typeof body.user === 'string' && body.user ? body.user : 'DEFAULT-USER';
      const autoGenerate = body.auto_generate === true;
      if (!autoGenerate && !(typeof body.name === 'string' && body.name.trim())) throw new HttpFail(400, 'invalid_param', 'name is required when auto_generate is false');
      const conv = conversationFor(app, decodeURIComponent(match[1]), user)!;
      if (autoGenerate) {
        // An LLM names it from the first message; a conversation without one cannot be named so.
        if (!conv.messages.length) throw new HttpFail(400, 'invalid_param', 'Conversation has no messages to generate a name from.');
        conv.name = `✨ ${conv.messages[0].query.slice(0, 20)}`;
      } else conv.name = (body.name as string).trim();
      conv.updated_at = now();
      return json(res, 200, { id: conv.id, name: conv.name, inputs: conv.inputs, status: 'normal', introduction: '', created_at: conv.created_at, updated_at: conv.updated_at });
    }
    if (m === 'DELETE' && (match = /^\/conversations\/([^/]+)$/.exec(p))) {
      chatRoute(app, match[1]);
      const user = typeof body.user === 'string' && body.user ? body.user : 'DEFAULT-USER';
      const conv = conversationFor(app, decodeURIComponent(match[1]), user)!;
      conversations.delete(conv.id);
      res.writeHead(204).end();
      return;
    }
    if (m === 'POST' && (match = /^\/messages\/([^/]+)\/feedbacks$/.exec(p))) {
      const user = requireUser(body);
      const id = decodeURIComponent(match[1]);
      if (!UUID.test(id)) throw new HttpFail(404, 'not_found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');
      const answer = answers.get(id);
      if (!answer || answer.appKey !== app.key || answer.user !== user) throw new HttpFail(404, 'not_found', 'Message Not Exists.');
      if (body.rating !== null && body.rating !== 'like' && body.rating !== 'dislike') throw new HttpFail(400, 'invalid_param', "Input should be 'like' or 'dislike'");
      if (body.rating === null && !answer.feedback) throw new HttpFail(400, 'invalid_param', 'rating cannot be None when feedback not exists');
      answer.feedback = (body.rating as string | null) ?? null;
      answer.content = typeof body.content === 'string' ? body.content : undefined;
      const msg = [...conversations.values()].flatMap((c) => c.messages).find((x) => x.id === id);
      if (msg) msg.feedback = answer.feedback;
      return json(res, 200, { result: 'success' });
    }
    if (m === 'GET' && (match = /^\/messages\/([^/]+)\/suggested$/.exec(p))) {
      const id = decodeURIComponent(match[1]);
      if (!UUID.test(id)) throw new HttpFail(404, 'not_found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');
      if (!rec.query.user) throw new HttpFail(400, 'invalid_param', 'Arg user must be provided.');
      if (!['chat', 'agent-chat', 'advanced-chat'].includes(app.mode)) throw new HttpFail(400, 'not_chat_app', 'Please check if your app mode matches the right API route.');
      const answer = answers.get(id);
      if (!answer || answer.appKey !== app.key || answer.user !== rec.query.user) throw new HttpFail(404, 'not_found', 'Message Not Exists.');
      const params = app.parameters as { suggested_questions_after_answer?: { enabled?: boolean } } | undefined;
      if (!params?.suggested_questions_after_answer?.enabled) {
        // Released builds say 400 bad_request; the newest main a 403 of its own.
        if (app.suggestionsOff === 'forbidden') throw new HttpFail(403, 'app_suggested_questions_after_answer_disabled', 'Function Suggested questions after answer disabled.');
        throw new HttpFail(400, 'bad_request', 'Suggested Questions Is Disabled.');
      }
      // A model call that fails gives 200 with no questions (newest builds).
      return json(res, 200, { result: 'success', data: app.suggestions ?? ['How do I configure a proxy?', '能否举个例子？', 'What about self-signed certificates?'] });
    }
    if (m === 'POST' && p === '/files/upload') {
      const parts = parseMultipart(raw, req.headers['content-type']);
      if (!parts) throw new HttpFail(400, 'invalid_param', 'Expected multipart/form-data');
      const files = parts.filter((x) => x.filename !== undefined || x.name === 'file');
      if (!files.length) throw new HttpFail(400, 'no_file_uploaded', 'Please upload your file.');
      if (files.length > 1) throw new HttpFail(400, 'too_many_files', 'Only one file is allowed.');
      const f = files[0];
      if (!f.filename) throw new HttpFail(400, 'filename_not_exists_error', 'The specified filename does not exist.');
      if (/[/\\]/.test(f.filename)) throw new HttpFail(400, 'invalid_param', 'Filename contains invalid characters.');
      if (!f.contentType) throw new HttpFail(415, 'unsupported_file_type', 'File type not allowed.');
      if (f.data.length > (app.uploadLimitBytes ?? 15 * 1024 * 1024)) throw new HttpFail(413, 'file_too_large', '');
      const user = parts.find((x) => x.name === 'user' && x.filename === undefined)?.data.toString('utf8') || 'DEFAULT-USER';
      const id = randomUUID();
      const extension = extensionOf(f.filename);
      uploads.set(id, { extension });
      return json(res, 201, { id, name: f.filename, size: f.data.length, extension: extension.slice(1), mime_type: f.contentType, created_by: user, created_at: now(), preview_url: null });
    }
    throw new HttpFail(404, 'not_found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');
  }

  const server = http.createServer((req, res) => {
    if (idleTimer) idleTimer.refresh();
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(parts);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ct = String(req.headers['content-type'] ?? '');
      let body: unknown = raw.length ? raw.toString('utf8') : undefined;
      if (ct.includes('application/json') && raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          /* keep text */
        }
      } else if (ct.includes('multipart/form-data')) {
        const mp = parseMultipart(raw, ct) ?? [];
        body = {
          fields: Object.fromEntries(mp.filter((x) => x.filename === undefined).map((x) => [x.name, x.data.toString('utf8')])),
          files: mp.filter((x) => x.filename !== undefined).map((x) => ({ name: x.name, filename: x.filename, contentType: x.contentType, size: x.data.length })),
        };
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), url: req.url ?? '/',
        headers: req.headers, body, rawBody: ct.includes('multipart') ? raw.toString('latin1') : raw.toString('utf8'),
      };
      record(rec);
      if (!url.pathname.startsWith('/v1/')) {
        json(res, 404, { code: 'not_found', message: 'Not Found', status: 404 });
        return;
      }
      if (ct.includes('application/json') && raw.length && typeof body === 'string') {
        json(res, 400, { code: 'invalid_param', message: 'Failed to decode JSON object', status: 400 });
        return;
      }
      route(req, res, rec, raw).catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof HttpFail) json(res, err.status, { code: err.code, message: err.message, status: err.status }, err.headers);
        else json(res, 500, { code: 'internal_server_error', message: 'Internal Server Error, please contact support.', status: 500 });
      });
    });
  });
  server.on('connection', (sock: Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    if (idleTimer) clearTimeout(idleTimer);
    for (const t of tasks.values()) t.wake?.();
    for (const f of forms.values()) clearTimeout(f.timer);
    for (const r of hub.runs.values()) for (const sub of [...r.subscribers]) sub.close();
    await new Promise<void>((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  };
  if (opts.idleShutdownMs) {
    idleTimer = setTimeout(() => void close(), opts.idleShutdownMs);
    idleTimer.unref();
  }

  return {
    url: `http://${host}:${port}/v1`,
    port,
    requests,
    stops,
    taskEnds,
    hub,
    humanInput: {
      forms: () => [...forms.values()],
      expire(token) {
        const f = forms.get(token);
        if (f) expire(f);
      },
      answer(token, action, inputs) {
        const f = forms.get(token);
        if (f && f.state === 'waiting') submitted(f, action, inputs, 'someone-else');
      },
    },
    firstChunkWrites,
    feedbackOf(messageId) {
      const a = answers.get(messageId);
      return a?.feedback ? { rating: a.feedback, content: a.content } : undefined;
    },
    taskEndedAt,
    script(key, s) {
      const q = scripts.get(key) ?? [];
      q.push(...(Array.isArray(s) ? s : [s]));
      scripts.set(key, q);
    },
    waitForRequest(pred, timeoutMs = 5000) {
      const found = requests.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (r: RecordedRequest) => (clearTimeout(t), resolve(r)) };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`waitForRequest: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    close,
  };
}

/** Splits written bytes per `splitAt`: 'random' cuts each write at 1–3 random points and holds the tail so
 *  pieces straddle frame boundaries; numbers are absolute byte offsets in the stream. */
function makeSplitter(splitAt: StreamScript['splitAt']): { push(b: Buffer): Buffer[]; flush(): Buffer[] } {
  if (!splitAt) return { push: (b) => [b], flush: () => [] };
  let pending = Buffer.alloc(0);
  let offset = 0; // stream offset of pending[0]
  const cuts = Array.isArray(splitAt) ? [...splitAt].sort((a, b) => a - b) : undefined;
  return {
    push(b) {
      pending = Buffer.concat([pending, b]);
      const out: Buffer[] = [];
      let points: number[];
      if (cuts) {
        points = cuts.filter((c) => c > offset && c < offset + pending.length).map((c) => c - offset);
      } else {
        const n = 1 + Math.floor(Math.random() * 3);
        points = Array.from({ length: n }, () => 1 + Math.floor(Math.random() * Math.max(1, pending.length - 1))).sort((a, b) => a - b);
      }
      let prev = 0;
      for (const p of points) {
        if (p > prev && p < pending.length) {
          out.push(pending.subarray(prev, p));
          prev = p;
        }
      }
      if (cuts) {
        // Offsets decide everything: keep the rest until the next cut or flush.
        pending = pending.subarray(prev);
      } else {
        pending = pending.subarray(prev);
      }
      offset += prev;
      return out;
    },
    flush() {
      const out = pending.length ? [pending] : [];
      offset += pending.length;
      pending = Buffer.alloc(0);
      return out;
    },
  };
}
