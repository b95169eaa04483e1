// Human Input (dify-api.md §I) for the Dify-compatible test server: a workflow or chatflow app with a Human Input
// node pauses there (its stream ends after `workflow_paused`), its form is served and answered on
// /v1/form/human_input/{token} with Dify's checks and messages, and the run goes on only on the events route:
// `workflow_started` (reason resumption), the node's `human_input_form_filled` (or `human_input_form_timeout` once
// the form expires), the branch of the chosen action, the terminal events.
import { randomBytes, randomUUID } from 'node:crypto';
import type { DifyTestApp } from './apps';
import type { FileConfig, StoredUpload } from './fileRefs';
import { fileRefProblem } from './fileRefs';

type Obj = Record<string, unknown>;

/** The Human Input node of a demo app. */
export interface HumanInputNode {
  node_id: string;
  title: string;
  /** The form's markdown; `{{#$output.<name>#}}` where an input goes. */
  content: string;
  /** Dify's FormInputConfig list (`paragraph`, `select`, `file`, `file-list`). */
  inputs: Obj[];
  actions: { id: string; title: string; button_style: 'primary' | 'default' | 'accent' | 'ghost' }[];
  /** The node's timeout (default 36 hours, as Dify's). */
  timeoutSeconds?: number;
  /** What the run answers after each action, and after a timeout (`timeout`); `{{name}}` takes a submitted value. */
  branches: Record<string, string>;
}

/** One form on the server. */
export interface FormRecord {
  formId: string;
  /** The token the form routes take (also kept for email-only forms, which the API never sees). */
  token: string;
  appKey: string;
  runId: string;
  node: HumanInputNode;
  /** Email/console delivery only: the Service API gets no token and cannot act on the form. */
  elsewhere: boolean;
  expiresAt: number;
  state: 'waiting' | 'submitted' | 'expired';
  /** What was submitted, and by whom. */
  submission?: { action: string; inputs: Obj; user: string };
  timer?: NodeJS.Timeout;
}

export class FormFail extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A Dify-looking form token. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

const now = (): number => Math.floor(Date.now() / 1000);

/** The defaults resolved at pause time (paragraph constants). */
function resolvedDefaults(node: HumanInputNode): Obj {
  const out: Obj = {};
  for (const i of node.inputs) {
    const d = i.default as { type?: string; value?: unknown } | null | undefined;
    if (i.type === 'paragraph' && d && d.type === 'constant') out[String(i.output_variable_name)] = d.value;
  }
  return out;
}

/** `human_input_required.data` (also a pause reason's fields). */
export function requiredData(f: FormRecord): Obj {
  return {
    form_id: f.formId,
    node_id: f.node.node_id,
    node_title: f.node.title,
    form_content: f.node.content,
    inputs: f.node.inputs,
    actions: f.node.actions,
    display_in_ui: true,
    form_token: f.elsewhere ? null : f.token,
    ...(f.elsewhere ? { approval_channels: ['email', 'console'] } : {}),
    resolved_default_values: resolvedDefaults(f.node),
    expiration_time: Math.floor(f.expiresAt / 1000),
  };
}

/** A `workflow_paused.reasons` item. */
export function pauseReason(f: FormRecord): Obj {
  return { TYPE: 'human_input_required', ...requiredData(f) };
}

/** GET /form/human_input/{token}: defaults as strings (null → "", objects → JSON), actions as `user_actions`. */
export function formBody(f: FormRecord): Obj {
  const defaults = Object.fromEntries(Object.entries(resolvedDefaults(f.node)).map(([k, v]) => [k, v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)]));
  return { form_content: f.node.content, inputs: f.node.inputs, resolved_default_values: defaults, user_actions: f.node.actions, expiration_time: Math.floor(f.expiresAt / 1000) };
}

/** The state checks of both form routes, in Dify's order: submitted, then expired. */
export function checkOpen(f: FormRecord): void {
  if (f.state === 'submitted') throw new FormFail(412, 'human_input_form_submitted', `This form has already been submitted by another user, form_id=${f.formId}`);
  if (f.state === 'expired' || Date.now() >= f.expiresAt) throw new FormFail(412, 'human_input_form_expired', `This form has expired, form_id=${f.formId}`);
}

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** POST's value checks after the state checks: normalization (select, files), then the action, then missing keys. */
export function checkSubmission(f: FormRecord, inputs: Obj, action: string, uploads: Map<string, StoredUpload>): void {
  const bad = (m: string): FormFail => new FormFail(400, 'invalid_form_data', m);
  for (const i of f.node.inputs) {
    const name = String(i.output_variable_name);
    if (!(name in inputs)) continue;
    const v = inputs[name];
    if (i.type === 'select') {
      if (typeof v !== 'string') throw bad(`Invalid value for select input '${name}': expected string`);
      const source = i.option_source as { type?: string; value?: unknown } | undefined;
      if (source?.type === 'constant' && Array.isArray(source.value) && !source.value.includes(v)) throw bad(`Invalid value for select input '${name}': ${v}`);
    }
    if (i.type === 'file' || i.type === 'file-list') {
      const list = i.type === 'file' ? [v] : v;
      const label = i.type === 'file' ? `file input '${name}'` : `file list input '${name}'`;
      if (i.type === 'file' && !isObj(v)) throw bad(`Invalid value for ${label}: expected mapping`);
      if (!Array.isArray(list)) throw bad(`Invalid value for ${label}: expected list`);
      if (list.some((x) => !isObj(x))) throw bad(`Invalid value for ${label}: expected list of mappings`);
      const limit = typeof i.number_limits === 'number' ? i.number_limits : 0;
      if (limit > 0 && list.length > limit) throw bad(`Invalid value for ${label}: exceeds number limit`);
      const cfg: FileConfig = { allowed_file_types: i.allowed_file_types as string[], allowed_file_extensions: i.allowed_file_extensions as string[], allowed_file_upload_methods: i.allowed_file_upload_methods as string[] };
      for (const ref of list as Obj[]) {
        const types = cfg.allowed_file_types ?? [];
        if (types.length && !types.includes(String(ref.type)) && !types.includes('custom')) throw bad(`Invalid value for ${label}: unsupported file type`);
        const methods = cfg.allowed_file_upload_methods ?? [];
        if (methods.length && !methods.includes(String(ref.transfer_method))) throw bad(`Invalid value for ${label}: unsupported transfer method`);
        if (fileRefProblem(ref, cfg, uploads)) throw bad(`Invalid value for ${label}: file is not allowed by config`);
      }
    }
  }
  if (!f.node.actions.some((a) => a.id === action)) throw bad(`Invalid action: ${action}`);
  const missing = f.node.inputs.map((i) => String(i.output_variable_name)).filter((n) => !(n in inputs));
  if (missing.length) throw bad(`Missing required inputs: ${missing.join(', ')}`);
}

/** The content with the placeholders filled: a file shows as `[file]`, a list as `[N files]`, a missing value as "". */
export function renderedContent(node: HumanInputNode, inputs: Obj): string {
  return node.content.replace(/\{\{#\$output\.([a-zA-Z_][a-zA-Z0-9_]{0,29})#\}\}/g, (_, name: string) => {
    const v = inputs[name];
    const kind = node.inputs.find((i) => i.output_variable_name === name)?.type;
    if (v === undefined || v === null) return '';
    if (kind === 'file') return '[file]';
    if (kind === 'file-list' && Array.isArray(v)) return `[${v.length} files]`;
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

/** The branch text of an action (or `timeout`) with the submitted values in place of `{{name}}`: a paragraph of
 * its own after the text before the pause. */
export function branchText(node: HumanInputNode, branch: string, inputs: Obj): string {
  const text = `\n${node.branches[branch] ?? node.branches.timeout ?? ''}`;
  return text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => (typeof inputs[name] === 'string' ? (inputs[name] as string) : ''));
}

/** A new form for a run that reaches the app's Human Input node. */
export function newForm(app: DifyTestApp, runId: string, o: { elsewhere?: boolean; expiresInMs?: number } = {}): FormRecord {
  const node = app.humanInput!;
  return {
    formId: randomUUID(),
    token: newToken(),
    appKey: app.key,
    runId,
    node,
    elsewhere: !!o.elsewhere,
    expiresAt: Date.now() + (o.expiresInMs ?? (node.timeoutSeconds ?? 36 * 3600) * 1000),
    state: 'waiting',
  };
}

export { now as unixNow };
