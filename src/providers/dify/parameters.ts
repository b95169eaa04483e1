// GET /info and GET /parameters, normalized into the provider-neutral AppInfo / AppParameters.
// Tolerant: old builds (info with only name/description), unknown modes and field kinds, both the legacy
// `file_upload.image` part and the newer flat fields.
import type { AppInfo, AppParameters, FileUploadConfig, InputField, SystemLimits } from '../types';
import { DEFAULT_LIMITS } from '../limits';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;

/** Normalizes GET /info. A missing mode (very old builds) is reported as 'unknown'; unknown modes are kept. */
export function normalizeInfo(raw: unknown): AppInfo {
  const o = isObj(raw) ? raw : {};
  return {
    name: str(o.name) ?? '',
    description: str(o.description) || undefined,
    mode: str(o.mode) ?? 'unknown',
    tags: strings(o.tags),
    author: str(o.author_name) ?? str(o.author),
  };
}

/** Normalizes one `user_input_form` item (`{"<kind>": {...}}`); returns undefined for junk. */
export function normalizeField(item: unknown): InputField | undefined {
  if (!isObj(item)) return undefined;
  const keys = Object.keys(item);
  if (!keys.length) return undefined;
  // Single-key object; if a build ever sends extra keys, take the first whose value is an object.
  const key = keys.find((k) => isObj(item[k])) ?? keys[0];
  const f = isObj(item[key]) ? (item[key] as Obj) : {};
  const kind = str(f.type) && key === 'external_data_tool' ? 'external_data_tool' : key;
  const variable = str(f.variable) ?? '';
  if (!variable) return undefined;
  const options = Array.isArray(f.options)
    ? f.options.map((x) => (typeof x === 'string' ? x : isObj(x) ? String(x.value ?? x.label ?? '') : String(x))).filter(Boolean)
    : undefined;
  const field: InputField = {
    kind,
    variable,
    label: str(f.label) || variable,
    required: f.required === true || f.required === 'true',
  };
  if (f.default !== undefined && f.default !== null && f.default !== '') field.default = f.default;
  const maxLength = num(f.max_length);
  if (maxLength !== undefined && maxLength > 0) field.maxLength = maxLength;
  if (options && options.length) field.options = options;
  if (f.hide === true) field.hide = true;
  const description = str(f.description) ?? str(f.hint);
  if (description) field.description = description;
  const types = strings(f.allowed_file_types);
  if (types?.length) field.allowedFileTypes = types;
  const exts = strings(f.allowed_file_extensions);
  if (exts?.length) field.allowedFileExtensions = exts;
  const methods = strings(f.allowed_file_upload_methods);
  if (methods?.length) field.allowedFileUploadMethods = methods;
  if (f.json_schema !== undefined && f.json_schema !== null && f.json_schema !== '') {
    let schema = f.json_schema;
    if (typeof schema === 'string') {
      try {
        schema = JSON.parse(schema);
      } catch {
        /* keep the string */
      }
    }
    field.jsonSchema = schema;
  }
  return field;
}

function normalizeFileUpload(raw: unknown): FileUploadConfig | undefined {
  if (!isObj(raw)) return undefined;
  const image = isObj(raw.image) ? raw.image : undefined;
  const enabled = raw.enabled === true || image?.enabled === true;
  const cfg: FileUploadConfig = { enabled };
  const types = strings(raw.allowed_file_types) ?? (image?.enabled ? ['image'] : undefined);
  if (types?.length) cfg.allowedFileTypes = types;
  const exts = strings(raw.allowed_file_extensions);
  if (exts?.length) cfg.allowedFileExtensions = exts;
  const methods = strings(raw.allowed_file_upload_methods) ?? strings(raw.allowed_upload_methods) ?? strings(image?.transfer_methods);
  if (methods?.length) cfg.allowedUploadMethods = methods;
  const limit = num(raw.number_limits) ?? num(image?.number_limits);
  if (limit !== undefined) cfg.numberLimits = limit;
  return cfg;
}

function normalizeLimits(raw: unknown): SystemLimits {
  const o = isObj(raw) ? raw : {};
  return {
    fileSizeLimitMb: num(o.file_size_limit) ?? DEFAULT_LIMITS.fileSizeLimitMb,
    imageFileSizeLimitMb: num(o.image_file_size_limit) ?? DEFAULT_LIMITS.imageFileSizeLimitMb,
    audioFileSizeLimitMb: num(o.audio_file_size_limit) ?? DEFAULT_LIMITS.audioFileSizeLimitMb,
    videoFileSizeLimitMb: num(o.video_file_size_limit) ?? DEFAULT_LIMITS.videoFileSizeLimitMb,
    workflowFileUploadLimit: num(o.workflow_file_upload_limit) ?? DEFAULT_LIMITS.workflowFileUploadLimit,
  };
}

/** Normalizes GET /parameters. */
export function normalizeParameters(raw: unknown): AppParameters {
  const o = isObj(raw) ? raw : {};
  const form = Array.isArray(o.user_input_form) ? o.user_input_form : [];
  const params: AppParameters = {
    suggestedQuestions: (strings(o.suggested_questions) ?? []).slice(0, 20),
    fields: form.map(normalizeField).filter((f): f is InputField => !!f),
    limits: normalizeLimits(o.system_parameters),
  };
  const opening = str(o.opening_statement);
  if (opening) params.openingStatement = opening;
  const fu = normalizeFileUpload(o.file_upload);
  if (fu) params.fileUpload = fu;
  if (suggestionsEnabled(o)) params.suggestionsAfterAnswer = true;
  return params;
}

/** True when the app has "suggested questions after answer" switched on. */
export function suggestionsEnabled(raw: unknown): boolean {
  return isObj(raw) && isObj(raw.suggested_questions_after_answer) && raw.suggested_questions_after_answer.enabled === true;
}
