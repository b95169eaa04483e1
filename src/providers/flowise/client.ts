// The Flowise prediction client: `AppClient` for Flowise chatflows and agentflows, vscode-free, built on src/net.
// Wire contract: /work/shared/dify-api.md §G.
import { randomUUID } from 'node:crypto';
import { FormData, type Dispatcher } from 'undici';
import { ApiError, isApiError } from '../../net/apiError';
import { DEFAULT_LIMITS } from '../limits';
import type {
  AnswerRef, AppClient, AppInfo, AppMode, AppParameters, FileRef, FileUploadConfig, FormAnswer, HumanInputForm, LocalFile, Rating, RunEvent, RunRef, StopHandle,
} from '../types';
import { openStream, postMultipart, requestJson, type HttpEndpoint, type LogLevel } from '../../net/http';
import { readSse } from '../../net/sse';
import { createDispatcher, type TransportOptions } from '../../net/transport';
import { redact } from '../../net/redact';
import { FlowiseEventMapper, type FlowiseFrame } from './events';
import { buildPredictionBody, inlineBytes, inlineFile, type FlowiseFileRef, type FlowiseHumanInput, type FlowiseRunRequest } from './request';

export type FlowiseLog = (level: 'trace' | 'info' | 'warn' | 'error', message: string) => void;

export interface FlowiseClientOptions {
  /** Server root (`http://127.0.0.1:3000`); a trailing `/api/v1` (or a whole prediction URL) is accepted. */
  baseUrl: string;
  /** The chatflow/agentflow id. May be empty when `baseUrl` is a full `/api/v1/prediction/{id}` URL. */
  chatflowId: string;
  /** Only for flows that have an API key: sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Display name for `info()` (default: the chatflow id). */
  name?: string;
  /** A shared undici dispatcher (proxy/TLS/connect timeout). Otherwise one is built from `transport`. */
  dispatcher?: Dispatcher;
  transport?: TransportOptions;
  /** Used when no dispatcher is given (default 15 s). */
  connectTimeoutMs?: number;
  /** No byte (not even a `:heartbeat`) for this long ends a stream with 'idle-timeout' (default 120 s; 0 = off). */
  idleTimeoutMs?: number;
  /** Deadline for the small GET/PUT calls (streaming check, uploads, abort). Default 30 s. */
  requestTimeoutMs?: number;
  log?: FlowiseLog;
}

/** Upload capabilities from `GET /api/v1/chatflows-uploads/{id}`. */
interface UploadsInfo {
  isSpeechToTextEnabled?: boolean;
  isImageUploadAllowed?: boolean;
  isRAGFileUploadAllowed?: boolean;
  imgUploadSizeAndTypes?: Array<{ fileTypes?: string[]; maxUploadSize?: number }>;
  fileUploadSizeAndTypes?: Array<{ fileTypes?: string[]; maxUploadSize?: number }>;
}

const DEFAULT_IDLE_MS = 120_000;
const DEFAULT_REQUEST_MS = 30_000;

/** Splits a configured URL into the server root and (when the URL names one) a chatflow id. */
export function parseFlowiseUrl(url: string): { root: string; chatflowId?: string } {
  let u = url.trim().replace(/\/+$/, '');
  let chatflowId: string | undefined;
  const m = /^(.*?)\/api\/v1(?:\/(?:prediction|chatflows)\/([^/?#]+))?(?:[/?#].*)?$/i.exec(u);
  if (m) {
    u = m[1];
    if (m[2]) chatflowId = decodeURIComponent(m[2]);
  }
  return { root: u.replace(/\/+$/, ''), chatflowId };
}

function mimeToExtensions(types: string[] | undefined): string[] {
  const out = new Set<string>();
  for (const t of types ?? []) {
    const s = t.trim().toLowerCase();
    if (!s) continue;
    if (s.startsWith('.')) out.add(s);
    else if (s.includes('/')) {
      const sub = s.split('/')[1].split('+')[0];
      if (sub === 'jpeg') {
        out.add('.jpg');
        out.add('.jpeg');
      } else if (sub && sub !== '*') out.add(`.${sub}`);
    } else out.add(`.${s}`);
  }
  return [...out];
}

export class FlowiseClient implements AppClient {
  readonly provider = 'flowise' as const;
  readonly chatflowId: string;
  /** The server root, without `/api/v1`. */
  readonly root: string;
  private readonly o: FlowiseClientOptions;
  private readonly ep: HttpEndpoint;
  private streamingCache: boolean | undefined;

  constructor(o: FlowiseClientOptions) {
    this.o = o;
    const parsed = parseFlowiseUrl(o.baseUrl);
    this.root = parsed.root;
    this.chatflowId = (o.chatflowId || parsed.chatflowId || '').trim();
    const log = o.log;
    this.ep = {
      baseUrl: this.root,
      apiKey: o.apiKey || undefined,
      dispatcher: o.dispatcher ?? createDispatcher({ ...o.transport, connectTimeoutMs: o.connectTimeoutMs ?? o.transport?.connectTimeoutMs }),
      log: log ? (level: LogLevel, message: string) => log(level === 'debug' ? 'trace' : level, message) : undefined,
    };
  }

  private path(route: string, ...rest: string[]): string {
    return ['/api/v1', route, ...rest.map(encodeURIComponent)].join('/');
  }

  private requireId(): string {
    if (!this.chatflowId) {
      throw new ApiError({ kind: 'http', status: 412, code: 'missing_chatflow_id', message: 'No Flowise chatflow id is configured.' });
    }
    return this.chatflowId;
  }

  redact(text: string): string {
    return redact(text, [this.o.apiKey]);
  }

  /**
   * Flowise takes files inline with the run (a data: URI in `uploads`): nothing is sent now. An image goes to the
   * model; anything else is a document for the chatflow's vector store (`parameters` offers documents only where
   * the chatflow allows them), upserted when the run starts.
   */
  async attach(file: LocalFile, type: FileRef['type']): Promise<FileRef> {
    const ref: FlowiseFileRef = inlineFile(file, type);
    if (type !== 'image') ref.rag = true;
    return ref;
  }

  private logMsg(level: 'trace' | 'info' | 'warn' | 'error', message: string): void {
    this.o.log?.(level, this.redact(message));
  }

  /**
   * Whether the flow can stream (`GET /api/v1/chatflows-streaming/{id}`), cached per client after a definite
   * answer. 404 (unknown chatflow) and network failures throw; 401/403 (a gateway guarding a route stock
   * Flowise leaves open) are not definite: `undefined`, and the run asks for streaming and accepts JSON.
   */
  async isStreaming(signal?: AbortSignal): Promise<boolean | undefined> {
    if (this.streamingCache !== undefined) return this.streamingCache;
    const id = this.requireId();
    try {
      const r = await requestJson<{ isStreaming?: unknown }>(this.ep, {
        path: this.path('chatflows-streaming', id),
        signal,
        timeoutMs: this.o.requestTimeoutMs ?? DEFAULT_REQUEST_MS,
      });
      this.streamingCache = r?.isStreaming === true || r?.isStreaming === 'true';
      return this.streamingCache;
    } catch (e) {
      if (isApiError(e) && e.kind === 'http' && (e.status === 401 || e.status === 403)) {
        this.logMsg('warn', `Flowise streaming check answered ${e.status}; assuming the flow may stream.`);
        return undefined;
      }
      throw e;
    }
  }

  async info(signal?: AbortSignal): Promise<AppInfo> {
    const streaming = await this.isStreaming(signal);
    const info: AppInfo = { name: this.o.name || this.chatflowId, mode: 'flowise' };
    info.tags = ['flowise', ...(streaming === true ? ['streaming'] : streaming === false ? ['blocking'] : [])];
    return info;
  }

  async parameters(signal?: AbortSignal): Promise<AppParameters> {
    const id = this.requireId();
    const params: AppParameters = {
      suggestedQuestions: [],
      fields: [],
      limits: { ...DEFAULT_LIMITS },
    };
    let u: UploadsInfo | undefined;
    try {
      u = await requestJson<UploadsInfo>(this.ep, {
        path: this.path('chatflows-uploads', id),
        signal,
        timeoutMs: this.o.requestTimeoutMs ?? DEFAULT_REQUEST_MS,
      });
    } catch (e) {
      // Older servers have no such route (an HTML 404), gateways may guard it: no upload information then.
      if (isApiError(e) && (e.kind === 'http' || e.kind === 'malformed')) {
        this.logMsg('trace', `Flowise uploads check unavailable: ${e.message}`);
        return params;
      }
      throw e;
    }
    if (!u || typeof u !== 'object') return params;
    // What can be attached from VS Code: images, inline (a base64 data URI, upload type `file`) or by URL, and
    // documents for the chatflow's vector store (upserted, then `file:rag`) where it allows them, with the types
    // and size its chat offers. Speech (recorded audio) is not offered.
    const img = u.isImageUploadAllowed ? (u.imgUploadSizeAndTypes ?? []).filter((x) => x && typeof x === 'object') : [];
    const docs = u.isRAGFileUploadAllowed ? (u.fileUploadSizeAndTypes ?? []).filter((x) => x && typeof x === 'object') : [];
    const fileUpload: FileUploadConfig = { enabled: !!u.isImageUploadAllowed || !!u.isRAGFileUploadAllowed };
    if (fileUpload.enabled) {
      // Documents go by the extensions the chatflow's loaders read (`custom`); `*` takes any file.
      const anyDoc = docs.some((x) => (x.fileTypes ?? []).some((t) => t.trim() === '*'));
      const types = [...(u.isImageUploadAllowed ? ['image'] : []), ...(u.isRAGFileUploadAllowed ? ['custom'] : [])];
      if (!anyDoc) fileUpload.allowedFileTypes = types;
      fileUpload.allowedUploadMethods = u.isRAGFileUploadAllowed ? ['local_file'] : ['local_file', 'remote_url'];
      const exts = mimeToExtensions([...img, ...docs].flatMap((x) => x.fileTypes ?? []).filter((t) => t.trim() !== '*'));
      if (exts.length && !anyDoc) fileUpload.allowedFileExtensions = [...new Set(exts)];
      const maxOf = (list: typeof img) => Math.max(0, ...list.map((x) => Number(x.maxUploadSize) || 0));
      if (maxOf(img) > 0) params.limits.imageFileSizeLimitMb = maxOf(img);
      if (maxOf(docs) > 0) params.limits.fileSizeLimitMb = maxOf(docs);
    }
    params.fileUpload = fileUpload;
    return params;
  }

  /**
   * One prediction. The first event is a `meta` with the client-chosen chatId as `taskId` (Stop works from then
   * on); `conversationId` is the memory session (Flowise's sessionId, which defaults to the chatId).
   */
  run(_mode: AppMode, request: FlowiseRunRequest, signal: AbortSignal): AsyncGenerator<RunEvent, void, undefined> {
    return this.predict(request, request.conversationId || randomUUID(), signal);
  }

  /**
   * Answers an Agentflow v2 human input: the prediction again, with the chatId of the run that stopped (the form's
   * token) and `humanInput` (proceed or reject, from the node, with the feedback); its question is the feedback, or
   * the decision. The continued run streams like any other.
   */
  async answerForm(_mode: AppMode, run: RunRef, form: HumanInputForm, answer: FormAnswer, user: string, signal: AbortSignal): Promise<AsyncIterable<RunEvent>> {
    const type = answer.action === 'reject' ? 'reject' : 'proceed';
    const feedback = typeof answer.values.feedback === 'string' && answer.values.feedback.trim() ? answer.values.feedback.trim() : undefined;
    const humanInput: FlowiseHumanInput = { type, startNodeId: form.nodeId, ...(feedback ? { feedback } : {}) };
    const request: FlowiseRunRequest = { inputs: {}, query: feedback ?? (type === 'reject' ? 'Reject' : 'Proceed'), conversationId: run.conversationId, user, humanInput };
    return this.predict(request, form.token || run.conversationId || randomUUID(), signal);
  }

  private async *predict(request: FlowiseRunRequest, chatId: string, signal: AbortSignal): AsyncGenerator<RunEvent, void, undefined> {
    const id = this.requireId();
    const route = `POST ${this.path('prediction', id)}`;
    const mapper = new FlowiseEventMapper({
      chatId,
      sessionId: request.conversationId,
      baseUrl: this.root,
      chatflowId: id,
      secrets: [this.o.apiKey],
      route,
    });
    yield mapper.initialMeta();

    const streaming = (await this.isStreaming(signal)) !== false;
    const documents = (request.files ?? []).filter((f) => f.rag);
    if (documents.length) await this.upsert(id, chatId, documents, signal);
    const { body, skippedFiles } = buildPredictionBody(request, { chatId, streaming });
    if (skippedFiles) this.logMsg('warn', `${skippedFiles} file(s) without a data: or http(s) URL were not sent to Flowise.`);
    this.logMsg('trace', `Flowise prediction ${id} chatId=${chatId} streaming=${streaming}${request.humanInput ? ` humanInput=${request.humanInput.type}` : ''}`);

    const opened = await openStream(this.ep, { method: 'POST', path: this.path('prediction', id), json: body, signal });
    if (!opened.isEventStream) {
      // Not streamable (or the server ignored `streaming`): the whole reply as JSON.
      const reply = await opened.json<unknown>();
      yield* mapper.blocking(reply);
      return;
    }
    const idle = this.o.idleTimeoutMs ?? DEFAULT_IDLE_MS;
    for await (const msg of readSse(opened.body, { idleTimeoutMs: idle, signal, route: opened.route })) {
      const frame = parseFrame(msg.data, route);
      if (!frame) continue;
      for (const ev of mapper.frame(frame)) yield ev;
      if (mapper.finished) return;
    }
    yield* mapper.streamClosed();
  }

  /**
   * `POST /api/v1/vector/upsert/{id}`: the documents into the chatflow's vector store, tagged with the chat's id (so
   * this chat's questions find them). Flowise wraps every failure here, a refused key too, as a 500 whose message
   * names it: a refused key is told as a 401, anything else as `upsert_failed` with the server's words.
   */
  private async upsert(id: string, chatId: string, documents: FlowiseFileRef[], signal: AbortSignal): Promise<void> {
    const form = new FormData();
    for (const f of documents) {
      const bytes = inlineBytes(f);
      if (!bytes) continue;
      form.append('files', new Blob([Buffer.from(bytes)], { type: f.mimeType || 'application/octet-stream' }), f.name ?? 'document');
    }
    form.append('chatId', chatId);
    this.logMsg('trace', `Flowise upsert of ${documents.length} document(s) for chatId=${chatId}`);
    try {
      await postMultipart(this.ep, { path: this.path('vector', 'upsert', id), form, signal });
    } catch (e) {
      if (!isApiError(e) || e.kind !== 'http') throw e;
      const said = e.serverMessage ?? e.message;
      if (e.status === 401 || /-\s*Unauthorized\s*$/i.test(said)) {
        throw new ApiError({ kind: 'http', status: 401, code: 'unauthorized', message: e.message, serverMessage: e.serverMessage, route: e.route });
      }
      throw new ApiError({ kind: 'http', status: e.status, code: 'upsert_failed', message: said.replace(/^Error:\s*vectorsService\.upsertVector\s*-\s*/i, ''), serverMessage: e.serverMessage, route: e.route });
    }
  }

  /** `PUT /api/v1/chatmessage/abort/{chatflowid}/{chatId}`. Quiet for runs that are already over. */
  async stop(_mode: AppMode, handle: StopHandle, _user: string): Promise<void> {
    const chatId = handle.taskId || handle.conversationId;
    if (!chatId || !this.chatflowId) return;
    try {
      await requestJson(this.ep, {
        method: 'PUT',
        path: this.path('chatmessage', 'abort', this.chatflowId, chatId),
        timeoutMs: this.o.requestTimeoutMs ?? DEFAULT_REQUEST_MS,
      });
    } catch (e) {
      // A finished or unknown run is not an error for Stop; a rejected key is worth telling.
      if (isApiError(e) && (e.kind === 'http' || e.kind === 'malformed') && e.status !== 401 && e.status !== 403) {
        this.logMsg('info', `Flowise abort for chatId ${chatId}: ${e.message}`);
        return;
      }
      throw e;
    }
  }

  /**
   * Rates an answer: `POST /api/v1/feedback` the first time, `PUT /api/v1/feedback/{id}` to change it (Flowise
   * has no route to take a rating back). Resolves with the rating's id.
   */
  async feedback(ref: AnswerRef, rating: Rating | null, _user: string, content?: string): Promise<string | undefined> {
    if (!rating) throw new ApiError({ kind: 'http', status: 405, code: 'unsupported', message: 'Flowise cannot take a rating back; change it instead.' });
    const id = this.requireId();
    const fields = { rating: rating === 'like' ? 'THUMBS_UP' : 'THUMBS_DOWN', content: content ?? '' };
    const timeoutMs = this.o.requestTimeoutMs ?? DEFAULT_REQUEST_MS;
    const r = ref.feedbackId
      ? await requestJson<{ id?: unknown }>(this.ep, { method: 'PUT', path: this.path('feedback', ref.feedbackId), json: fields, timeoutMs })
      : await requestJson<{ id?: unknown }>(this.ep, {
          method: 'POST',
          path: this.path('feedback'),
          json: { chatflowid: id, chatId: ref.conversationId, messageId: ref.messageId, ...fields },
          timeoutMs,
        });
    return typeof r?.id === 'string' ? r.id : ref.feedbackId;
  }
}

/** `data:` of a Flowise frame → `{event, data}`; empty data is skipped; non-JSON is 'malformed'. */
export function parseFrame(data: string, route?: string): FlowiseFrame | undefined {
  const t = data.trim();
  if (!t) return undefined;
  if (t === '[DONE]') return { event: 'end', data: '[DONE]' };
  let j: unknown;
  try {
    j = JSON.parse(t);
  } catch (err) {
    throw new ApiError({ kind: 'malformed', message: 'The Flowise stream contained a frame that is not JSON.', route, cause: err });
  }
  if (!j || typeof j !== 'object' || Array.isArray(j) || typeof (j as { event?: unknown }).event !== 'string') return undefined;
  return j as FlowiseFrame;
}
