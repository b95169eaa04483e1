// The provider interface: what src/providers/dify and src/providers/flowise implement (AppClient) and what they
// yield (RunEvent). Everything above (the run layer, the application layer, the adapters) consumes RunEvents and
// never sees a wire event. No `vscode` import.
import type { Dispatcher } from 'undici';
import type { LogFn } from '../net/http';
import type { AppMode, Citation, HumanInputForm, RunStatus, TraceNode, Usage } from '../shared/model';

export type { AppMode, Citation, NodeStatus, RunStatus, TraceNode, Usage } from '../shared/model';
export type { HumanInputAction, HumanInputActionStyle, HumanInputField, HumanInputForm } from '../shared/model';

export interface AppInfo {
  name: string;
  description?: string;
  mode: AppMode;
  tags?: string[];
  author?: string;
}

/** One field of an app's input form (Dify `user_input_form`, normalized). */
export type InputFieldKind =
  | 'text-input' | 'paragraph' | 'select' | 'number' | 'checkbox' | 'json_object' | 'file' | 'file-list'
  | 'external_data_tool' | (string & {});

export interface InputField {
  kind: InputFieldKind;
  variable: string;
  label: string;
  required: boolean;
  default?: unknown;
  maxLength?: number;
  options?: string[];
  hide?: boolean;
  description?: string;
  allowedFileTypes?: string[];
  allowedFileExtensions?: string[];
  allowedFileUploadMethods?: string[];
  jsonSchema?: unknown;
}

export interface FileUploadConfig {
  enabled: boolean;
  allowedFileTypes?: string[];
  allowedFileExtensions?: string[];
  allowedUploadMethods?: string[];
  numberLimits?: number;
}

export interface SystemLimits {
  fileSizeLimitMb: number;
  imageFileSizeLimitMb: number;
  audioFileSizeLimitMb: number;
  videoFileSizeLimitMb: number;
  workflowFileUploadLimit: number;
}

export interface AppParameters {
  openingStatement?: string;
  suggestedQuestions: string[];
  fields: InputField[];
  /** How many fields past RUN_BOUNDS.formFields were left out. */
  droppedFields?: number;
  fileUpload?: FileUploadConfig;
  limits: SystemLimits;
  /** The app suggests follow-up questions after each answer (Dify `suggested_questions_after_answer`). */
  suggestionsAfterAnswer?: boolean;
}

/** What an app's web site says about it (Dify `/site`): what its own chat page shows around the message box. */
export interface AppSite {
  title?: string;
  description?: string;
  /** What the message box invites the person to type. */
  inputPlaceholder?: string;
  /** A line the app's owner wants shown under the message box. */
  disclaimer?: string;
  copyright?: string;
  privacyPolicy?: string;
}

/** A file reference as Dify's inputs / `files` take it. */
export interface FileRef {
  type: 'document' | 'image' | 'audio' | 'video' | 'custom';
  transfer_method: 'local_file' | 'remote_url';
  upload_file_id?: string;
  url?: string;
}

/** A file read from the workspace or disk, on its way to an app. */
export interface LocalFile {
  name: string;
  data: Uint8Array;
  mimeType: string;
}

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
  extension?: string;
  mimeType?: string;
}

export interface RunRequest {
  /** Start-node / prompt variables. */
  inputs: Record<string, unknown>;
  /** The user's question (chat, chatflow, agent, Flowise; optional legacy field for completion). */
  query?: string;
  /** Continue a conversation (Dify conversation_id, Flowise sessionId). */
  conversationId?: string;
  /** sys.files for Dify; uploads for Flowise. */
  files?: FileRef[];
  /** Stable end-user id (per install). */
  user: string;
}

export type RunEvent =
  /** Ids learned from the stream; may arrive more than once as more become known. */
  | { type: 'meta'; taskId?: string; runId?: string; conversationId?: string; messageId?: string }
  /** A delta of the answer text (may contain `<think>` tags; the run layer splits them). */
  | { type: 'answer'; text: string }
  /** The whole answer so far is replaced (text_replace, message_replace, closing full-answer repeats). */
  | { type: 'answerReplace'; text: string }
  /** A delta of model reasoning sent out of band (reasoning_chunk, Flowise `thinking`). */
  | { type: 'reasoning'; text: string }
  | { type: 'node'; node: TraceNode }
  /** Workflow outputs (workflow_finished), shown when complete. */
  | { type: 'outputs'; outputs: Record<string, unknown> }
  | { type: 'usage'; usage: Usage }
  | { type: 'citations'; citations: Citation[] }
  | { type: 'file'; url: string; fileType?: string }
  /** The run waits for a person (Human Input node). */
  | { type: 'paused'; reason: string }
  /** A form the run waits on (one per waiting Human Input node; a form replayed after it was answered is not sent). */
  | { type: 'form'; form: HumanInputForm }
  /** A form was answered (here or elsewhere): the action taken, the content with the values filled in. */
  | { type: 'formAnswered'; nodeId: string; title?: string; actionId?: string; actionText?: string; content?: string }
  /** A form got no answer in time: the run goes on along the node's timeout branch. */
  | { type: 'formTimedOut'; nodeId: string; title?: string }
  | { type: 'suggestions'; questions: string[] }
  /** The terminal event. A stream that ends without one is an error (the client throws). */
  | { type: 'finished'; status: RunStatus; error?: string; elapsedSeconds?: number; totalTokens?: number };

/** An answer to a Human Input form: the action (button) chosen and a value for every field, by field name (files
 * as FileRefs: one for `file`, a list for `file-list`). */
export interface FormAnswer {
  action: string;
  values: Record<string, unknown>;
}

/** The ids of a run on its server, as an entry keeps them (enough to answer its forms or follow it again). */
export interface RunRef {
  runId?: string;
  taskId?: string;
  conversationId?: string;
  messageId?: string;
}

/** How to follow a run that goes on on the server. */
export interface FollowOptions {
  /** The run's text the person already has: a server that replays it is not shown it twice. */
  knownText?: string;
  /** Tokens and node ids of forms already answered: replayed, they are not sent again. */
  answered?: string[];
  /** Read past a pause (a stale one the server replays while the answer is being taken); default false. */
  continueOnPause?: boolean;
  /** Ask the run's state first (after a reload): a finished run shows how it ended, an unknown one throws 404. */
  checkStatus?: boolean;
}

/** Ids needed to stop a run on the server. */
export interface StopHandle {
  taskId?: string;
  conversationId?: string;
}

export interface Conversation {
  id: string;
  name: string;
  /** Unix seconds. */
  createdAt?: number;
  /** Unix seconds. */
  updatedAt?: number;
}

/** One page of the user's conversations, newest first; `hasMore`: pass the last one's id for the next page. */
export interface ConversationPage {
  conversations: Conversation[];
  hasMore: boolean;
}

/** A new name for a conversation: typed, or generated by the app from its first message. */
export type ConversationRename = { name: string } | { autoGenerate: true };

export type WorkflowRunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded' | 'paused' | (string & {});

/** Which runs of a workflow app to list (Dify `/workflows/logs`). */
export interface RunLogQuery {
  /** 1-based. */
  page?: number;
  limit?: number;
  status?: 'succeeded' | 'failed' | 'stopped';
  keyword?: string;
}

/** One run in an app's log. Times in unix seconds. */
export interface WorkflowRunSummary {
  id: string;
  status: WorkflowRunStatus;
  error?: string;
  elapsedSeconds?: number;
  totalTokens?: number;
  totalSteps?: number;
  createdAt?: number;
  finishedAt?: number;
  /** Where it was started: `service-api`, `web-app`, `debugging`, … */
  createdFrom?: string;
  /** The end user's id as its caller named it (the `user` of the API call). */
  sessionId?: string;
}

export interface WorkflowRunPage {
  runs: WorkflowRunSummary[];
  page: number;
  hasMore: boolean;
  total?: number;
}

/** One run in full: what went in and what came out. */
export interface WorkflowRunDetail extends WorkflowRunSummary {
  workflowId?: string;
  inputs: Record<string, unknown>;
  /** The inputs as the server sent them, when they were not a JSON object. */
  inputsText?: string;
  outputs?: Record<string, unknown>;
}

export interface ConversationMessage {
  id: string;
  query: string;
  answer: string;
  createdAt: number;
  /** The rating the answer has on the server. */
  rating?: Rating;
}

export type Rating = 'like' | 'dislike';

/** Which answer a rating is about. */
export interface AnswerRef {
  messageId: string;
  /** Dify's conversation, Flowise's chatId. */
  conversationId?: string;
  /** The rating's own id from an earlier call, when the provider has one. */
  feedbackId?: string;
}

/** What every provider implements. All methods honour the AbortSignal. */
export interface AppClient {
  readonly provider: 'dify' | 'flowise';
  /** Masks this client's secrets (its key, any proxy password, in any encoding) in a string a server sent. */
  redact(text: string): string;
  info(signal?: AbortSignal): Promise<AppInfo>;
  parameters(signal?: AbortSignal): Promise<AppParameters>;
  /** Streams one run. Throws a provider error (ApiError, src/net/apiError.ts) on failure, keeping partial state in the caller. */
  run(mode: AppMode, request: RunRequest, signal: AbortSignal): AsyncIterable<RunEvent>;
  /** Asks the server to stop the run (Dify stop routes, Flowise abort). Never throws for an already-finished run. */
  stop(mode: AppMode, handle: StopHandle, user: string): Promise<void>;
  /** A file as this app takes it: uploaded to its server (Dify), or carried inline with the run (Flowise). */
  attach(file: LocalFile, type: FileRef['type'], user: string, signal?: AbortSignal): Promise<FileRef>;
  /** One page of the user's conversations (`lastId`: the last of the page before). */
  conversationPage?(user: string, opts: { lastId?: string; limit?: number }, signal?: AbortSignal): Promise<ConversationPage>;
  renameConversation?(id: string, rename: ConversationRename, user: string, signal?: AbortSignal): Promise<Conversation>;
  deleteConversation?(id: string, user: string, signal?: AbortSignal): Promise<void>;
  /** Follow-up questions for an answer; [] when the app has them switched off. */
  suggestions?(messageId: string, user: string, signal?: AbortSignal): Promise<string[]>;
  /** The app's web site settings; undefined when it has no site. */
  site?(signal?: AbortSignal): Promise<AppSite | undefined>;
  /** A page of the app's workflow runs, newest first. */
  runLog?(query: RunLogQuery, signal?: AbortSignal): Promise<WorkflowRunPage>;
  runDetail?(runId: string, signal?: AbortSignal): Promise<WorkflowRunDetail>;
  /**
   * Rates an answer (`null` takes the rating back, where `Provider.feedback` is 'revocable'). Resolves with the
   * server's id of the rating when it has one (Flowise updates a rating by it), to pass back as `ref.feedbackId`.
   */
  feedback?(ref: AnswerRef, rating: Rating | null, user: string, content?: string): Promise<string | undefined>;
  messages?(conversationId: string, user: string, signal?: AbortSignal): Promise<ConversationMessage[]>;
  /**
   * Answers a form the run waits on. Resolves once the server took the answer, with the rest of the run to stream
   * into the same entry; throws ApiError when it refuses (Dify: 412 `human_input_form_submitted` or
   * `human_input_form_expired`, 400 `invalid_form_data`, 404).
   */
  answerForm?(mode: AppMode, run: RunRef, form: HumanInputForm, answer: FormAnswer, user: string, signal: AbortSignal, opts?: FollowOptions): Promise<AsyncIterable<RunEvent>>;
  /** Where a run stands on its server (after a reload): running, paused, or how it ended; undefined when the server
   * cannot say. Throws ApiError 404 `run_not_found` for a run it does not know. */
  runState?(run: RunRef, signal?: AbortSignal): Promise<RunStatus | undefined>;
  /** Streams a run that goes on on the server: after a form was answered elsewhere, or after a window reload. */
  followRun?(mode: AppMode, run: RunRef, user: string, signal: AbortSignal, opts?: FollowOptions): AsyncIterable<RunEvent>;
}

/** What every client is made from, whatever the provider. */
export interface ClientSettings {
  /** The app's name, as the person configured it. */
  name: string;
  baseUrl: string;
  apiKey?: string;
  dispatcher: Dispatcher;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  log?: LogFn;
  /** The app's settings this provider asks for (`appFields`), by name. */
  fields: Record<string, string | undefined>;
}

/** A setting of an app a provider needs besides its URL and key (Flowise: the chatflow id). */
export interface AppField {
  setting: string;
  /** What the person is asked (English; translated by the glue, listed in PROVIDER_TEXTS). */
  prompt: string;
  required: boolean;
}

export interface Provider {
  id: string;
  /** The product's name, in pickers. */
  label: string;
  defaultBaseUrl: string;
  /** A key is needed to run (a Flowise chatflow may have none). */
  keyRequired: boolean;
  /** The mode every app of this provider has, when there is no server to ask (Flowise chatflows). */
  fixedMode?: AppMode;
  /** A failing /parameters still lets the app run, with an empty form. */
  optionalParameters: boolean;
  /** The app settings (in `dify.apps`) this provider reads besides `baseUrl`: Dify's `workflowId`, Flowise's `chatflowId`. */
  settings: string[];
  /** Those of them Add App asks for. */
  appFields: AppField[];
  /** The server keeps a user's conversations, to list, rename, delete and resume (Dify's /conversations). */
  conversations: boolean;
  /** The server logs workflow runs that can be listed and opened (Dify's /workflows/logs). */
  runLog: boolean;
  /** How answers can be rated: 'revocable' (a rating can be taken back, Dify) or 'changeable' (only changed, Flowise). */
  feedback?: 'revocable' | 'changeable';
  /** Texts the glue shows (English; translated by the glue, listed in PROVIDER_TEXTS). */
  texts: { description: string; urlPrompt: string; keyPrompt: string };
  /** The client, loaded on first use (the HTTP stack is not part of activation). */
  createClient(settings: ClientSettings): Promise<AppClient>;
}
