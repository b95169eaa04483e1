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
