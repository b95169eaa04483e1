// The data model shared by the extension host, the panel's history and the webview: what a run is made of.
// Pure types, no imports: every layer may use it.

/** Dify app modes from GET /info, plus Flowise chatflows. Unknown future modes are kept as strings. */
export type AppMode = 'workflow' | 'advanced-chat' | 'chat' | 'agent-chat' | 'completion' | 'flowise' | (string & {});

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded' | 'paused';

export type NodeStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'exception' | 'retry' | 'paused' | (string & {});

/** One step of the trace: a workflow node, an iteration/loop round, an agent tool call, a Flowise agent step. */
export interface TraceNode {
  /** Stable id for updates (node execution id, thought id, …). */
  id: string;
  nodeId?: string;
  kind: string; // node_type ('llm', 'code', 'iteration', …), 'tool', 'agent'
  title: string;
  status: NodeStatus;
  /** Parent grouping: the iteration/loop node execution this node ran inside. */
  parentId?: string;
  /** Iteration/loop index inside the parent. */
  index?: number;
  elapsedSeconds?: number;
  totalTokens?: number;
  error?: string;
  /** Tool name and input/observation for agent thoughts and Flowise tools. */
  detail?: string;
}

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
  totalPrice?: string;
  currency?: string;
  latencySeconds?: number;
}

export interface Citation {
  position?: number;
  datasetName?: string;
  documentName?: string;
  score?: number;
  content?: string;
}

/**
 * The one table of how a mode runs: a workflow (inputs only), a completion (inputs, one answer), or a conversation
 * (a query that continues). A mode this extension does not know yet (a newer server, or an old one whose /info has
 * no mode) is taken as a conversation, as Dify's own clients do.
 */
export function modeFamily(mode: AppMode): 'workflow' | 'completion' | 'chat' {
  return mode === 'workflow' ? 'workflow' : mode === 'completion' ? 'completion' : 'chat';
}

/** Whether a run of this mode takes a question and continues a conversation (false while the mode is unknown). */
export function isChatMode(mode: AppMode | undefined): boolean {
  return mode !== undefined && modeFamily(mode) === 'chat';
}

/** One input of a Human Input form (Dify's `FormInputConfig`; Flowise's optional feedback). */
export interface HumanInputField {
  kind: 'paragraph' | 'select' | 'file' | 'file-list';
  /** Dify's `output_variable_name`: the key of the submitted value and of its `{{#$output.<name>#}}` placeholder. */
  name: string;
  /** What the field is called where no placeholder in the content shows it. */
  label?: string;
  /** The value it starts with (Dify's resolved default). */
  default?: string;
  /** select: the allowed values (absent when the server did not resolve them). */
  options?: string[];
  allowedFileTypes?: string[];
  allowedFileExtensions?: string[];
  allowedFileUploadMethods?: string[];
  /** file-list: the most files it takes (absent or 0: no limit). */
  maxFiles?: number;
}

export type HumanInputActionStyle = 'primary' | 'default' | 'accent' | 'ghost';

/** A button of a Human Input form: answering is choosing one of them. */
export interface HumanInputAction {
  id: string;
  title: string;
  style: HumanInputActionStyle;
}

/**
 * A form a paused run waits on (Dify's Human Input node, Flowise's Agentflow v2 human input), provider-neutral.
 * Forms are keyed by their node: Dify's "filled" and "timed out" events name only the node.
 */
export interface HumanInputForm {
  nodeId: string;
  /** The node's title. */
  title: string;
  /** What answering it needs (Dify's form_token, Flowise's chatId); absent when it can only be answered elsewhere. */
  token?: string;
  /** Where it can be answered instead, when not here (Dify: `email`, `console`, `webapp`). */
  channels?: string[];
  /** Markdown; `{{#$output.<name>#}}` marks where each field belongs. */
  content: string;
  fields: HumanInputField[];
  actions: HumanInputAction[];
  /** When the form stops taking answers (ms since the epoch). */
  expiresAt?: number;
}

/** Where a form of an entry stands. */
export type HumanInputState =
  /** Waiting for an answer from here. */
  | 'waiting'
  /** Waiting for an answer from elsewhere (an email, the console, the web app). */
  | 'elsewhere'
  | 'answered'
  /** Past its expiry: the server takes no answer. */
  | 'expired'
  /** The run went on without an answer (its timeout branch). */
  | 'timedOut'
  /** The server no longer knows the form. */
  | 'gone';

/** A form as an entry keeps it (in the history too, so a reload still shows and answers it). */
export interface EntryForm extends HumanInputForm {
  state: HumanInputState;
  /** How it was answered: the action, and the content with the values filled in (Dify's `rendered_content`). */
  answer?: { actionId?: string; actionText?: string; content?: string };
  /** What the server said about the last answer, or why the form takes none (one translated sentence). */
  message?: string;
}
