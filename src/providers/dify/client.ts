// DifyClient: the whole Dify service API contract behind the provider-neutral AppClient interface.
// vscode-free; every request goes through src/net (Bearer auth, dispatcher, ApiError mapping, redaction).
import { Dispatcher, FormData } from 'undici';
import { openStream, postMultipart, requestJson, HttpEndpoint, HttpRequest, LogFn } from '../../net/http';
import { redact } from '../../net/redact';
import { ByteStream, readSseBatches } from '../../net/sse';
import { createDispatcher, TransportOptions } from '../../net/transport';
import { withRetry } from '../../net/retry';
import { ApiError, isApiError } from '../../net/apiError';
import type {
  AnswerRef, AppClient, AppInfo, AppMode, AppParameters, AppSite, FileRef, FollowOptions, FormAnswer, HumanInputForm, LocalFile, Conversation,
  ConversationMessage, ConversationPage, ConversationRename, Rating, RunEvent, RunLogQuery, RunRef, RunRequest, RunStatus, StopHandle, UploadedFile,
  WorkflowRunDetail, WorkflowRunPage,
} from '../types';
import { blockingToEvents } from './blocking';
import { parseDifyEvent, DifyStreamEvent } from './events';
import { normalizeInfo, normalizeParameters } from './parameters';
import { RunEventMapper } from './runEvents';
import { formFromWire, submitBody } from './humanInput';
import { modeFamily } from '../../shared/model';
import { conversationOf, runDetailOf, runPageOf, siteOf, suggestionsAreOff } from './extras';
import type {
  DifyConversation, DifyMessage, DifyPage, DifySite, DifyUploadResponse, DifyWorkflowLog, DifyWorkflowLogQuery, DifyWorkflowRun,
} from './wire';

const rating = (r: unknown): { rating?: Rating } => (r === 'like' || r === 'dislike' ? { rating: r } : {});

/** How to reach one Dify app. */
export interface DifyClientOptions {
  /** Service API base, e.g. `https://api.dify.ai/v1` or `http://dify.corp/v1`. */
  baseUrl: string;
  /** The app's API key (`app-…`); only ever sent in the Authorization header. */
  apiKey: string;
  /** A shared dispatcher; when absent one is created from `transport` (and closed by `close()`). */
  dispatcher?: Dispatcher;
  transport?: TransportOptions;
  /** Connect timeout when the client creates its own dispatcher (default 15 s). */
  connectTimeoutMs?: number;
  /** Stream idle timeout: no bytes (pings included) for this long fails the run (default 120 s). */
  idleTimeoutMs?: number;
  /** Deadline for introspection and list requests (default 30 s). */
  requestTimeoutMs?: number;
  /** Pin a published workflow version (workflow route `/workflows/{id}/run`, advanced-chat `workflow_id`). */
  workflowId?: string;
  log?: LogFn;
  userAgent?: string;
}

/** Per-run options beyond the provider-neutral RunRequest. */
export interface DifyRunOptions {
  /** Default 'streaming'. Agent-chat apps are always streamed (Dify refuses blocking for them). */
  responseMode?: 'streaming' | 'blocking';
  /** Overrides the client's pinned workflow id for this run. */
  workflowId?: string;
  /** Chat apps: let Dify name a new conversation (default true). */
  autoGenerateName?: boolean;
  /** Trace id (`^[A-Za-z0-9_-]{1,128}$`), sent as X-Trace-Id. */
  traceId?: string;
}

export class DifyClient implements AppClient {
  readonly provider = 'dify' as const;
  private readonly ep: HttpEndpoint;
  private readonly ownsDispatcher: boolean;
  private readonly idleTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly stopRequested = new Set<string>();

  constructor(private readonly opts: DifyClientOptions) {
    const dispatcher = opts.dispatcher ?? createDispatcher({ ...opts.transport, connectTimeoutMs: opts.connectTimeoutMs ?? opts.transport?.connectTimeoutMs });
    this.ownsDispatcher = !opts.dispatcher;
    const secrets: string[] = [];
    if (opts.transport?.proxy) {
      try {
        const p = new URL(opts.transport.proxy).password;
        if (p) secrets.push(decodeURIComponent(p));
      } catch {
        /* invalid proxy URL: undici reports it */
      }
    }
    if (opts.transport?.proxyAuthorization) secrets.push(opts.transport.proxyAuthorization);
    this.ep = {
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      dispatcher,
      log: opts.log,
      headers: { 'user-agent': opts.userAgent ?? 'dify-vscode' },
      secrets,
    };
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 120_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  }

  redact(text: string): string {
    return redact(text, [this.ep.apiKey, ...(this.ep.secrets ?? [])]);
  }

  /** Closes the dispatcher if this client created it. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.ep.dispatcher?.close();
  }

  // ---- introspection -------------------------------------------------------------------------------------

  /** GET /info (old builds without `mode` give mode 'unknown'). */
  async info(signal?: AbortSignal): Promise<AppInfo> {
    return normalizeInfo(await this.get('/info', undefined, signal));
  }

  /** GET /parameters, normalized. */
  async parameters(signal?: AbortSignal): Promise<AppParameters> {
    return normalizeParameters(await this.parametersRaw(signal));
  }

  /** GET /parameters as sent by the server. */
  parametersRaw(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.get('/parameters', undefined, signal);
  }

  /** GET /site as sent (403 when the app has no web site). */
  siteRaw(signal?: AbortSignal): Promise<DifySite> {
    return this.get('/site', undefined, signal);
  }

  /** The app's web site settings; undefined when it has none (403, or 404 from builds without the route). */
  async site(signal?: AbortSignal): Promise<AppSite | undefined> {
    try {
      return siteOf(await this.siteRaw(signal));
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'http' && (e.status === 403 || e.status === 404)) return undefined;
      throw e;
    }
  }

  // ---- runs ----------------------------------------------------------------------------------------------

  /**
   * Runs the app and yields the raw Dify events (pings and unknown events included). A blocking answer, or a
   * 200 JSON answer to a streaming request, is converted to the equivalent events (see blockingToEvents).
   */
  async *streamEvents(mode: AppMode, request: RunRequest, signal: AbortSignal, options: DifyRunOptions = {}): AsyncGenerator<DifyStreamEvent> {
    const opened = await this.openRun(mode, request, signal, options);
    if (Array.isArray(opened)) {
      yield* opened;
      return;
    }
    const route = opened.route;
    for await (const batch of readSseBatches(opened.body, { idleTimeoutMs: this.idleTimeoutMs, signal, route })) {
      for (let i = 0; i < batch.length; i++) yield parseDifyEvent(batch[i].data, batch[i].event, route);
    }
  }

  /** Runs the app and yields provider-neutral RunEvents; ends with 'finished' or throws ApiError. */
  run(mode: AppMode, request: RunRequest, signal: AbortSignal, options: DifyRunOptions = {}): AsyncGenerator<RunEvent> {
    // Not an async generator itself: the returned generator is the only one per event (a wrapper with `yield*`
    // would add a second async hop to every event). Nothing runs until the first `next()`, as before.
    let route: string;
    try {
      route = `POST ${this.runPath(mode, options)}`;
    } catch (err) {
      // eslint-disable-next-line require-yield -- throws on the first next(), as the async generator run used to
      return (async function* (): AsyncGenerator<RunEvent> {
        throw err;
      })();
    }
    const mapper = new RunEventMapper(mode, { route, stopRequested: (t) => !!t && this.stopRequested.has(t) });
    return difyRunEvents(() => this.openRun(mode, request, signal, options), mapper, {
      route,
      signal,
      idleTimeoutMs: this.idleTimeoutMs,
      log: this.opts.log,
      onFinally: () => {
        const t = mapper.ids.taskId;
        if (t) this.stopRequested.delete(t);
      },
    });
  }

  /** Asks Dify to stop a streaming run (the route depends on the mode). Never throws; failures are logged. */
  async stop(mode: AppMode, handle: StopHandle, user: string): Promise<void> {
    if (!handle.taskId) {
      this.opts.log?.('debug', 'stop: no task id yet; nothing to stop on the server');
      return;
    }
    this.stopRequested.add(handle.taskId);
    const family = modeFamily(mode);
    const id = encodeURIComponent(handle.taskId);
    const path = family === 'workflow' ? `/workflows/tasks/${id}/stop` : family === 'completion' ? `/completion-messages/${id}/stop` : `/chat-messages/${id}/stop`;
    try {
      await requestJson(this.ep, { method: 'POST', path, json: { user }, timeoutMs: this.requestTimeoutMs });
    } catch (err) {
      this.opts.log?.('info', `stop ${family} run: ${(err as Error).message} (the run may already have finished)`);
    }
  }

  // ---- workflow extras -----------------------------------------------------------------------------------

  /** GET /workflows/run/{id}; `inputs` (a JSON-encoded string on the wire) is parsed. */
  async workflowRun(runId: string, signal?: AbortSignal): Promise<DifyWorkflowRun> {
    const raw = await this.get<Record<string, unknown>>(`/workflows/run/${encodeURIComponent(runId)}`, undefined, signal);
    let inputs: Record<string, unknown> = {};
    let inputsRaw: string | undefined;
    if (typeof raw.inputs === 'string') {
      inputsRaw = raw.inputs;
      try {
        const parsed = JSON.parse(raw.inputs);
        if (parsed && typeof parsed === 'object') inputs = parsed as Record<string, unknown>;
      } catch {
        /* keep {} and the raw text */
      }
    } else if (raw.inputs && typeof raw.inputs === 'object') {
      inputs = raw.inputs as Record<string, unknown>;
    }
    return { ...(raw as object), inputs, inputsRaw, outputs: (raw.outputs as Record<string, unknown>) ?? null } as DifyWorkflowRun;
  }

  // ---- human input and following a run (§I) -------------------------------------------------------------

  /** GET /form/human_input/{token}: the form as the server has it now (412 once answered or expired, 404). */
  async humanInputForm(token: string, nodeId: string, signal?: AbortSignal): Promise<HumanInputForm> {
    const raw = await this.get<Record<string, unknown>>(`/form/human_input/${encodeURIComponent(token)}`, undefined, signal);
    const form = formFromWire({ ...raw, form_token: token }, nodeId);
    if (!form) throw new ApiError({ kind: 'malformed', message: 'The server\'s answer is not a form.', route: 'GET /form/human_input' });
    return form;
  }

  /** POST /form/human_input/{token}: the server queues the resume and answers `{}` (nothing streams here). */
  async submitForm(token: string, answer: FormAnswer, user: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.ep, { method: 'POST', path: `/form/human_input/${encodeURIComponent(token)}`, json: submitBody(answer, user), signal, timeoutMs: this.requestTimeoutMs });
  }

  /** Answers the form, then follows the run at once (events published before subscribing are otherwise lost). */
  async answerForm(mode: AppMode, run: RunRef, form: HumanInputForm, answer: FormAnswer, user: string, signal: AbortSignal, opts: FollowOptions = {}): Promise<AsyncIterable<RunEvent>> {
    if (!form.token) throw new ApiError({ kind: 'http', status: 400, code: 'form_elsewhere', message: 'This form can only be answered where it was sent (email or console).' });
    await this.submitForm(form.token, answer, user, signal);
    const answered = [...(opts.answered ?? []), form.token, form.nodeId];
    return this.followRun(mode, run, user, signal, { ...opts, answered, continueOnPause: true });
  }

  /**
   * Follows a run on GET /workflow/{run_id}/events with the state snapshot: what the run did so far (text the
   * person has is not repeated, answered forms are not sent again), then its live events, to its end. With
   * `checkStatus` it first asks GET /workflows/run/{id}: a finished run shows how it ended, an unknown one throws
   * ApiError 404 `run_not_found`. A server that closes the stream early (its 300 s idle close) is subscribed to again.
   */
  followRun(mode: AppMode, run: RunRef, user: string, signal: AbortSignal, opts: FollowOptions = {}): AsyncGenerator<RunEvent> {
    const runId = run.runId ?? '';
    const path = `/workflow/${encodeURIComponent(runId)}/events`;
    const route = `GET ${path}`;
    const mapper = new RunEventMapper(mode, {
      route,
      stopRequested: (t) => !!t && this.stopRequested.has(t),
      follow: { knownText: opts.knownText ?? '', answered: new Set(opts.answered ?? []), continueOnPause: !!opts.continueOnPause },
    });
    const query = { user, include_state_snapshot: 'true', ...(opts.continueOnPause ? { continue_on_pause: 'true' } : {}) };
    return this.follow(mode, runId, { path, route, query, signal, mapper, checkStatus: !!opts.checkStatus });
  }

  private async *follow(
    _mode: AppMode, runId: string,
    o: { path: string; route: string; query: Record<string, string>; signal: AbortSignal; mapper: RunEventMapper; checkStatus: boolean },
  ): AsyncGenerator<RunEvent> {
    const { path, route, query, signal, mapper } = o;
    if (!runId) throw new ApiError({ kind: 'http', status: 404, code: 'run_not_found', message: 'The run has no id to follow.', route });
    if (o.checkStatus) {
      const ended = await this.endedRun(runId, signal);
      if (ended) {
        // The record as the one frame the events route would send for a finished run.
        yield* mapper.map({ event: 'workflow_finished', task_id: runId, workflow_run_id: runId, data: ended });
        return;
      }
    }
    for (let subscription = 0; ; subscription++) {
      try {
        yield* difyRunEvents(async () => {
          const opened = await openStream(this.ep, { method: 'GET', path, query, signal });
          if (!opened.isEventStream) return blockingToEvents(await opened.json(), opened.route);
          return { body: opened.body, route: opened.route };
        }, mapper, { route, signal, idleTimeoutMs: this.idleTimeoutMs, log: this.opts.log });
        return;
      } catch (e) {
        if (isApiError(e) && e.status === 404 && e.kind === 'http') throw runNotFound(e, route);
        if (!(isApiError(e) && e.code === 'follow_closed') || subscription >= 4 || signal.aborted) throw e;
        this.opts.log?.('info', `${route}: the stream closed before the run ended; following again`);
        mapper.resubscribed();
      }
    }
  }

  /** GET /workflows/run/{id}: the run's status; 404 → `run_not_found`; undefined where the server answers only for
   * workflow apps (older builds, for a chatflow). */
  async runState(run: RunRef, signal?: AbortSignal): Promise<RunStatus | undefined> {
    try {
      const r = await this.workflowRun(run.runId ?? '', signal);
      return (['running', 'succeeded', 'failed', 'stopped', 'partial-succeeded', 'paused'] as const).find((s) => s === r.status);
    } catch (e) {
      if (isApiError(e) && e.status === 404) throw runNotFound(e, 'GET /workflows/run');
      if (isApiError(e) && e.code === 'not_workflow_app') return undefined;
      throw e;
    }
  }

  /** The run's record when it has ended (undefined while it runs or waits); 404 → `run_not_found`. A server that
   * answers only for workflow apps (older builds, for a chatflow: 400 not_workflow_app) is followed instead. */
  private async endedRun(runId: string, signal: AbortSignal): Promise<DifyWorkflowRun | undefined> {
    try {
      const r = await this.workflowRun(runId, signal);
      return r.status === 'running' || r.status === 'paused' || !r.status ? undefined : r;
    } catch (e) {
      if (isApiError(e) && e.status === 404) throw runNotFound(e, `GET /workflows/run/${runId}`);
      if (isApiError(e) && e.code === 'not_workflow_app') return undefined;
      throw e;
    }
  }

  /** GET /workflows/logs. */
  workflowLogs(query: DifyWorkflowLogQuery = {}, signal?: AbortSignal): Promise<DifyPage<DifyWorkflowLog>> {
    return this.get('/workflows/logs', { ...query }, signal);
  }

  /** A page of the app's runs, newest first (the app's log). */
  async runLog(query: RunLogQuery, signal?: AbortSignal): Promise<WorkflowRunPage> {
    const page = query.page ?? 1;
    const q: DifyWorkflowLogQuery = { page, limit: query.limit ?? 20 };
    if (query.status) q.status = query.status;
    if (query.keyword) q.keyword = query.keyword;
    return runPageOf(await this.workflowLogs(q, signal), page);
  }

  /** One run in full (`inputs` decoded from the JSON text Dify sends). */
  async runDetail(runId: string, signal?: AbortSignal): Promise<WorkflowRunDetail> {
    return runDetailOf(await this.workflowRun(runId, signal));
  }

  // ---- conversations -------------------------------------------------------------------------------------

  /** GET /conversations (one page, raw). */
  listConversations(q: { user: string; last_id?: string; limit?: number; sort_by?: string }, signal?: AbortSignal): Promise<DifyPage<DifyConversation>> {
    return this.get('/conversations', { limit: 20, ...q }, signal);
  }

  /** The user's most recently updated conversations (up to 100). */
  async conversations(user: string, signal?: AbortSignal): Promise<Conversation[]> {
    return (await this.conversationPage(user, { limit: 100 }, signal)).conversations;
  }

  /** One page of the user's conversations, most recently updated first. */
  async conversationPage(user: string, opts: { lastId?: string; limit?: number }, signal?: AbortSignal): Promise<ConversationPage> {
    const page = await this.listConversations({ user, limit: opts.limit ?? 20, sort_by: '-updated_at', ...(opts.lastId ? { last_id: opts.lastId } : {}) }, signal);
    return { conversations: (page.data ?? []).map(conversationOf), hasMore: page.has_more === true };
  }

  /** GET /messages (one page, raw). Pass the oldest id as `first_id` to page backwards. */
  listMessages(q: { conversation_id: string; user: string; first_id?: string; limit?: number }, signal?: AbortSignal): Promise<DifyPage<DifyMessage>> {
    return this.get('/messages', { limit: 20, ...q }, signal);
  }

  /** A conversation's messages, oldest first (pages backwards with first_id; at most `maxMessages`). */
  async messages(conversationId: string, user: string, signal?: AbortSignal, opts: { maxMessages?: number; pageSize?: number } = {}): Promise<ConversationMessage[]> {
    const maxMessages = opts.maxMessages ?? 500;
    const all = new Map<string, DifyMessage>();
    let firstId: string | undefined;
    for (let guard = 0; guard < 50 && all.size < maxMessages; guard++) {
      const page = await this.listMessages({ conversation_id: conversationId, user, first_id: firstId, limit: opts.pageSize ?? 100 }, signal);
      const data = [...(page.data ?? [])].sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0));
      for (const m of data) all.set(m.id, m);
      if (!page.has_more || !data.length || data[0].id === firstId) break;
      firstId = data[0].id;
    }
    return [...all.values()]
      .sort((a, b) => (a.created_at ?? 0) - (b.created_at ?? 0))
      .map((m) => ({ id: m.id, query: m.query ?? '', answer: m.answer ?? '', createdAt: m.created_at, ...rating(m.feedback?.rating) }));
  }

  /** POST /conversations/{id}/name: a typed name, or one Dify generates from the first message. */
  async renameConversation(id: string, rename: ConversationRename, user: string, signal?: AbortSignal): Promise<Conversation> {
    const json = 'name' in rename ? { name: rename.name, auto_generate: false, user } : { auto_generate: true, user };
    const c = await requestJson<DifyConversation>(this.ep, {
      method: 'POST', path: `/conversations/${encodeURIComponent(id)}/name`, json, signal, timeoutMs: this.requestTimeoutMs,
    });
    return conversationOf(c);
  }

  /** DELETE /conversations/{id} (204). */
  async deleteConversation(id: string, user: string, signal?: AbortSignal): Promise<void> {
    await requestJson(this.ep, { method: 'DELETE', path: `/conversations/${encodeURIComponent(id)}`, json: { user }, signal, timeoutMs: this.requestTimeoutMs });
  }

  /** POST /messages/{id}/feedbacks; `null` revokes earlier feedback. Dify keeps one rating per answer: no id. */
  async feedback(ref: AnswerRef, rating: Rating | null, user: string, content?: string): Promise<undefined> {
    const json = { rating, user, ...(content ? { content } : {}) };
    await requestJson(this.ep, { method: 'POST', path: `/messages/${encodeURIComponent(ref.messageId)}/feedbacks`, json, timeoutMs: this.requestTimeoutMs });
    return undefined;
  }

  /** GET /messages/{id}/suggested. */
  async suggested(messageId: string, user: string, signal?: AbortSignal): Promise<string[]> {
    const r = await this.get<{ data?: unknown[] }>(`/messages/${encodeURIComponent(messageId)}/suggested`, { user }, signal);
    return (r?.data ?? []).filter((q): q is string => typeof q === 'string');
  }

  /** Follow-up questions for an answer: [] when the app has them switched off (both ways Dify says so). */
  async suggestions(messageId: string, user: string, signal?: AbortSignal): Promise<string[]> {
    try {
      return await this.suggested(messageId, user, signal);
    } catch (e) {
      if (suggestionsAreOff(e)) return [];
      throw e;
    }
  }

  // ---- files ---------------------------------------------------------------------------------------------

  /** POST /files/upload (multipart: part `file` with filename and MIME type, field `user`). */
  /** Uploads the file, then refers to it by its upload id (`local_file`), as inputs and `files` take it. */
  async attach(file: LocalFile, type: FileRef['type'], user: string, signal?: AbortSignal): Promise<FileRef> {
    const up = await this.upload(file, user, signal);
    return { type, transfer_method: 'local_file', upload_file_id: up.id };
  }

  async upload(file: LocalFile, user: string, signal?: AbortSignal): Promise<UploadedFile> {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(file.data)], { type: file.mimeType || 'application/octet-stream' }), file.name);
    form.append('user', user);
    const r = await postMultipart<DifyUploadResponse>(this.ep, { path: '/files/upload', form, signal });
    return { id: r.id, name: r.name, size: r.size, extension: r.extension, mimeType: r.mime_type };
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private get<T>(path: string, query: HttpRequest['query'], signal?: AbortSignal): Promise<T> {
    return withRetry(() => requestJson<T>(this.ep, { path, query, signal, timeoutMs: this.requestTimeoutMs }), {
      idempotent: true,
      signal,
      log: this.opts.log,
    });
  }

  /** Sends the run request: the equivalent events of a blocking (or 200 JSON) answer, or the open SSE body. */
  private async openRun(
    mode: AppMode, request: RunRequest, signal: AbortSignal, options: DifyRunOptions,
  ): Promise<DifyStreamEvent[] | { body: ByteStream; route: string }> {
    const req = this.runRequest(mode, request, options, signal);
    const blocking = (req.json as { response_mode: string }).response_mode === 'blocking';
    if (blocking) {
      const body = await requestJson<unknown>(this.ep, req);
      return blockingToEvents(body, `POST ${req.path}`);
    }
    const stream = await openStream(this.ep, req);
    if (!stream.isEventStream) return blockingToEvents(await stream.json(), stream.route);
    return { body: stream.body, route: stream.route };
  }

  private runPath(mode: AppMode, options: DifyRunOptions): string {
    const family = modeFamily(mode);
    if (family === 'workflow') {
      const pin = options.workflowId ?? this.opts.workflowId;
      return pin ? `/workflows/${encodeURIComponent(pin)}/run` : '/workflows/run';
    }
    return family === 'completion' ? '/completion-messages' : '/chat-messages';
  }

  private runRequest(mode: AppMode, request: RunRequest, options: DifyRunOptions, signal: AbortSignal): HttpRequest {
    if (!request.user) throw new ApiError({ kind: 'http', status: 400, code: 'invalid_param', message: 'A user id is required for every run.' });
    const family = modeFamily(mode);
    const responseMode = mode === 'agent-chat' ? 'streaming' : options.responseMode ?? 'streaming';
    const body: Record<string, unknown> = { inputs: request.inputs ?? {}, response_mode: responseMode, user: request.user };
    if (request.files?.length) body.files = request.files;
    if (family === 'chat') {
      body.query = request.query ?? '';
      if (request.conversationId) body.conversation_id = request.conversationId;
      body.auto_generate_name = options.autoGenerateName ?? true;
      const pin = options.workflowId ?? this.opts.workflowId;
      if (pin && mode === 'advanced-chat') body.workflow_id = pin;
    } else if (family === 'completion') {
      if (request.query !== undefined) body.query = request.query;
    }
    const headers: Record<string, string> = {};
    if (options.traceId && /^[A-Za-z0-9_-]{1,128}$/.test(options.traceId)) headers['x-trace-id'] = options.traceId;
    return { method: 'POST', path: this.runPath(mode, options), json: body, signal, headers };
  }
}

/** What opening a run gives: the equivalent events of a blocking (or 200 JSON) answer, or the open SSE body. */
export type OpenedRun = DifyStreamEvent[] | { body: ByteStream; route: string };

/**
 * The body of `DifyClient.run`: opens the run (lazily, on the first `next()`), then Dify events → RunEvents through
 * `mapper`, ending with 'finished' or throwing ApiError (a stream `error` event, malformed JSON, idle timeout, abort,
 * or 'incomplete' when the terminal event never came). `opts.route` names the run in its own messages; frame-level
 * messages (malformed JSON, idle timeout) name the opened stream's route. Exported so the stream benchmark drives
 * exactly this loop.
 *
 * Hot path (once per streamed event): events arrive as one batch per network read (readSseBatches) and are parsed
 * and mapped synchronously; the only per-event async hop left is this generator's own `yield` of each RunEvent
 * (pings and unknown events produce none). Pings are not materialized (`pings: false`): the mapper ignores them and
 * the idle clock counts bytes, not events.
 */
export async function* difyRunEvents(
  open: () => Promise<OpenedRun>,
  mapper: RunEventMapper,
  opts: { route: string; signal?: AbortSignal; idleTimeoutMs?: number; log?: LogFn; onFinally?: () => void },
): AsyncGenerator<RunEvent, void, undefined> {
  const { route, signal, log } = opts;
  try {
    const opened = await open();
    if (Array.isArray(opened)) {
      for (const ev of opened) {
        if (ev.event === 'unknown') log?.('debug', `unknown stream event ${JSON.stringify(ev.name ?? null)}`);
        const out = mapper.map(ev);
        for (let j = 0; j < out.length; j++) yield out[j];
        if (mapper.done) return;
      }
    } else {
      const frameRoute = opened.route;
      for await (const batch of readSseBatches(opened.body, { idleTimeoutMs: opts.idleTimeoutMs, signal, route: frameRoute, pings: false })) {
        for (let i = 0; i < batch.length; i++) {
          const m = batch[i];
          const ev = parseDifyEvent(m.data, m.event, frameRoute);
          if (ev.event === 'unknown') log?.('debug', `unknown stream event ${JSON.stringify(ev.name ?? null)}`);
          const out = mapper.map(ev);
          for (let j = 0; j < out.length; j++) yield out[j];
          if (mapper.done) return;
        }
      }
    }
    if (signal?.aborted) throw new ApiError({ kind: 'aborted', message: `The request was cancelled (${route}).`, route });
    const end = mapper.end();
    for (let j = 0; j < end.length; j++) yield end[j];
  } finally {
    opts.onFinally?.();
  }
}

/** A run the server does not know (any more): one code for both routes that can say so. A server without the
 * events route at all (before 1.14) answers Flask's generic 404: `follow_unsupported`. */
function runNotFound(e: ApiError, route: string): ApiError {
  const generic = /requested URL was not found/i.test(`${e.serverMessage ?? ''} ${e.message}`);
  return new ApiError({ kind: 'http', status: 404, code: generic ? 'follow_unsupported' : 'run_not_found', message: e.message, serverMessage: e.serverMessage, route });
}
