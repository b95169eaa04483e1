// Wire shapes of Dify's non-streaming service API answers (only the fields this extension reads; extra
// fields are kept by the index signatures).

export interface DifyConversation {
  id: string;
  name: string;
  inputs?: Record<string, unknown>;
  status?: string;
  introduction?: string;
  created_at?: number;
  updated_at?: number;
  [k: string]: unknown;
}

export interface DifyMessage {
  id: string;
  conversation_id?: string;
  parent_message_id?: string | null;
  inputs?: Record<string, unknown>;
  query: string;
  answer: string;
  status?: string;
  error?: string | null;
  message_files?: unknown[];
  feedback?: { rating?: string } | null;
  retriever_resources?: unknown[];
  agent_thoughts?: unknown[];
  created_at: number;
  [k: string]: unknown;
}

export interface DifyPage<T> {
  limit?: number;
  has_more?: boolean;
  data: T[];
  page?: number;
  total?: number;
}

export interface DifyWorkflowRun {
  id: string;
  workflow_id?: string;
  status: string;
  /** Parsed from the JSON-encoded string Dify returns (the raw text is kept in `inputsRaw`). */
  inputs: Record<string, unknown>;
  inputsRaw?: string;
  outputs: Record<string, unknown> | null;
  error?: string | null;
  total_steps?: number;
  total_tokens?: number;
  created_at?: number;
  finished_at?: number | null;
  elapsed_time?: number;
  [k: string]: unknown;
}

export interface DifyWorkflowLogQuery {
  keyword?: string;
  status?: 'succeeded' | 'failed' | 'stopped';
  created_at__before?: string;
  created_at__after?: string;
  created_by_end_user_session_id?: string;
  created_by_account?: string;
  page?: number;
  limit?: number;
}

export interface DifyWorkflowLog {
  id: string;
  workflow_run: { id: string; version?: string; status: string; error?: string | null; elapsed_time?: number; total_tokens?: number; total_steps?: number; created_at?: number; finished_at?: number | null; [k: string]: unknown };
  created_from?: string;
  created_by_role?: string;
  created_by_end_user?: { id: string; type?: string; is_anonymous?: boolean; session_id?: string } | null;
  created_at?: number;
  [k: string]: unknown;
}

export interface DifyUploadResponse {
  id: string;
  name: string;
  size: number;
  extension?: string;
  mime_type?: string;
  created_by?: string;
  created_at?: number;
  [k: string]: unknown;
}

export interface DifySite {
  title?: string;
  description?: string | null;
  icon?: string | null;
  icon_url?: string | null;
  copyright?: string | null;
  privacy_policy?: string | null;
  /** Newer builds only. */
  input_placeholder?: string | null;
  custom_disclaimer?: string | null;
  default_language?: string;
  show_workflow_steps?: boolean;
  [k: string]: unknown;
}
