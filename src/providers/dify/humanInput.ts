// Dify's Human Input wire shapes (dify-api.md §I) → the provider-neutral form model, and back for the answer.
// The same form comes in four shapes: `human_input_required.data`, a `workflow_paused` reason (streams and blocking
// answers), an older blocking answer's `data.human_input_forms`, and GET /form/human_input/{token} (`user_actions`).
// Sizes are bounded here: everything below is kept in the entry and the history.
import type { FormAnswer, HumanInputAction, HumanInputActionStyle, HumanInputField, HumanInputForm } from '../types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** How much of a form is kept. */
export const FORM_BOUNDS = { contentChars: 100_000, fields: 50, options: 500, optionChars: 1_000, actions: 20, titleChars: 200, defaultChars: 100_000 } as const;

const STYLES: ReadonlySet<string> = new Set(['primary', 'default', 'accent', 'ghost']);

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A resolved default as the form shows it: strings as they are, anything else as JSON (GET-form style). */
function asText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function strings(v: unknown, max: number, chars: number): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === 'string').slice(0, max).map((x) => clip(x, chars));
}

/** One `FormInputConfig`; unknown input types are kept as paragraphs (any JSON value passes for them). */
function field(raw: unknown, defaults: Obj): HumanInputField | undefined {
  if (!isObj(raw)) return undefined;
  const name = str(raw.output_variable_name) ?? str(raw.variable) ?? str(raw.name);
  if (!name) return undefined;
  const type = str(raw.type);
  if (type === 'select') {
    // A constant source lists its options; a variable source is resolved by the server (shape unconfirmed: a
    // list in `options`, or in the source's `value`).
    const source = isObj(raw.option_source) ? raw.option_source : {};
    const options = strings(raw.options, FORM_BOUNDS.options, FORM_BOUNDS.optionChars) ?? strings(source.value, FORM_BOUNDS.options, FORM_BOUNDS.optionChars);
    const def = asText(defaults[name]);
    return { kind: 'select', name, ...(options ? { options } : {}), ...(def ? { default: def } : {}) };
  }
  if (type === 'file' || type === 'file-list') {
    const f: HumanInputField = { kind: type, name };
    const types = strings(raw.allowed_file_types, 10, 40);
    const exts = strings(raw.allowed_file_extensions, 100, 40);
    const methods = strings(raw.allowed_file_upload_methods, 4, 40);
    if (types?.length) f.allowedFileTypes = types;
    if (exts?.length) f.allowedFileExtensions = exts;
    if (methods?.length) f.allowedFileUploadMethods = methods;
    if (type === 'file-list' && typeof raw.number_limits === 'number' && raw.number_limits > 0) f.maxFiles = raw.number_limits;
    return f;
  }
  // paragraph: the resolved default wins over the node's configured one (a constant only; a variable is resolved
  // by the server).
  const configured = isObj(raw.default) && raw.default.type !== 'variable' ? asText(raw.default.value) : undefined;
  const def = asText(defaults[name]) ?? configured;
  return { kind: 'paragraph', name, ...(def !== undefined && def !== '' ? { default: clip(def, FORM_BOUNDS.defaultChars) } : {}) };
}

function action(raw: unknown): HumanInputAction | undefined {
  if (!isObj(raw)) return undefined;
  const id = str(raw.id);
  if (!id) return undefined;
  const style = str(raw.button_style);
  return { id, title: clip(str(raw.title) || id, FORM_BOUNDS.titleChars), style: (style && STYLES.has(style) ? style : 'default') as HumanInputActionStyle };
}

/**
 * A form from any of Dify's shapes (`human_input_required.data`, a pause reason, a GET-form answer with `nodeId`
 * given). Undefined when it names no node. A missing or null `form_token` makes a form only answerable elsewhere.
 */
export function formFromWire(d: unknown, nodeId?: string): HumanInputForm | undefined {
  if (!isObj(d)) return undefined;
  const node = str(d.node_id) || nodeId;
  if (!node) return undefined;
  const defaults = isObj(d.resolved_default_values) ? d.resolved_default_values : {};
  const fields = (Array.isArray(d.inputs) ? d.inputs : []).map((i) => field(i, defaults)).filter((f): f is HumanInputField => !!f).slice(0, FORM_BOUNDS.fields);
  const actions = (Array.isArray(d.actions) ? d.actions : Array.isArray(d.user_actions) ? d.user_actions : [])
    .map(action).filter((a): a is HumanInputAction => !!a).slice(0, FORM_BOUNDS.actions);
  const form: HumanInputForm = {
    nodeId: node,
    title: clip(str(d.node_title) ?? '', FORM_BOUNDS.titleChars),
    content: clip(str(d.form_content) ?? '', FORM_BOUNDS.contentChars),
    fields,
    actions,
  };
  const token = str(d.form_token);
  if (token) form.token = token;
  const channels = strings(d.approval_channels, 10, 40);
  if (channels?.length) form.channels = channels;
  if (typeof d.expiration_time === 'number' && d.expiration_time > 0) form.expiresAt = d.expiration_time * 1000;
  return form;
}

/** The forms of a `workflow_paused` (a stream's, or a blocking answer's `data`): its human-input reasons, and the
 * `human_input_forms` older builds put there. Reasons of another type are ignored. */
export function formsOfPause(data: unknown): HumanInputForm[] {
  if (!isObj(data)) return [];
  const reasons = Array.isArray(data.reasons) ? data.reasons.filter((r) => isObj(r) && (r.TYPE ?? r.type ?? 'human_input_required') === 'human_input_required') : [];
  const older = Array.isArray(data.human_input_forms) ? data.human_input_forms : [];
  const out: HumanInputForm[] = [];
  for (const raw of [...reasons, ...older]) {
    const f = formFromWire(raw);
    if (f && !out.some((o) => o.nodeId === f.nodeId)) out.push(f);
  }
  return out;
}

/** The body of POST /form/human_input/{token}. */
export function submitBody(answer: FormAnswer, user: string): { inputs: Record<string, unknown>; action: string; user: string } {
  return { inputs: { ...answer.values }, action: answer.action, user };
}
