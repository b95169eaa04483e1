// Validation and coercion of input values against an app's form (Dify `user_input_form`), so that
// Dify's 400 invalid_param is the exception. Mirrors the server's `_validate_inputs`. No `vscode`.
import { extname } from 'node:path';
import { fileTypeOf } from '../providers/dify/files';
import { templateNeeds } from './templates';
import type { AppParameters, FileRef, InputField, SystemLimits } from '../providers/types';

export type FieldValue = string | number | boolean | object | FileRef | FileRef[] | undefined;

/** File and file-list fields: filled with uploads or URLs, never from typed text. */
export function isFileField(f: InputField): boolean {
  return f.kind === 'file' || f.kind === 'file-list';
}

/** The form variable of the app's attachments (the request's `files`: Dify's sys.files, Flowise's uploads). Not
 * a Dify variable name (those have no dot), so it never collides with a Start-node field. */
export const ATTACHMENTS = 'sys.files';

/** The app's attachments as a file-list field, when the app takes them (`file_upload` in /parameters, or the
 * Flowise chatflow's upload settings): their count limit, file types and upload methods. */
export function attachmentsField(params: AppParameters, label: string): InputField | undefined {
  const fu = params.fileUpload;
  if (!fu?.enabled) return undefined;
  const field: InputField = { kind: 'file-list', variable: ATTACHMENTS, label, required: false };
  if (fu.numberLimits && fu.numberLimits > 0) field.maxLength = fu.numberLimits;
  if (fu.allowedFileTypes?.length) field.allowedFileTypes = fu.allowedFileTypes;
  if (fu.allowedFileExtensions?.length) field.allowedFileExtensions = fu.allowedFileExtensions;
  if (fu.allowedUploadMethods?.length) field.allowedFileUploadMethods = fu.allowedUploadMethods;
  return field;
}

/** Whether the app gives the field a default value. */
export function hasDefault(f: InputField): boolean {
  return f.default !== undefined && f.default !== null && f.default !== '';
}

/** Fields a person fills in: hidden fields and external data tools are filled by the server. */
export function visibleFields(fields: InputField[]): InputField[] {
  return fields.filter((f) => !f.hide && f.kind !== 'external_data_tool');
}

const TRUE = new Set(['true', '1', 'yes', 'on', 'y']);
const FALSE = new Set(['false', '0', 'no', 'off', 'n']);

export interface Coerced {
  value?: FieldValue;
  /** Why the value is not acceptable (in the words of `say`). */
  error?: string;
}

/** Fills a message template's `{0}`, `{1}`… — `vscode.l10n.t` in the glue (translated), `english` here. */
export type Say = (template: string, ...args: (string | number)[]) => string;

export const english: Say = (template, ...args) => template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));

/** Every template the checks below say a problem with: the l10n bundles translate them (scripts/l10n.mjs). */
export const PROBLEM_TEXTS = [
  '{0} is required.',
  '{0} must be a number.',
  '{0} must be yes or no.',
  '{0} must be one of: {1}.',
  '{0} must be a JSON object.',
  '{0} is not valid JSON: {1}',
  '{0} needs a file.',
  '{0} is longer than {1} characters.',
  '{0} must be text.',
  '{0} needs one file.',
  '{0} needs a list of files.',
  '{0} takes at most {1} files.',
  '"{0}" does not accept {1}: allowed are {2}.',
  '{0} is larger than the {1} MB the app accepts.',
] as const;
type ProblemText = (typeof PROBLEM_TEXTS)[number];

/** Coerces text typed by a person (or a template) into the field's value and validates it. */
export function coerceText(field: InputField, raw: string, say: Say = english): Coerced {
  const problem = (t: ProblemText, ...args: (string | number)[]) => say(t, field.label, ...args);
  const text = raw;
  if (text.trim() === '') {
    return field.required ? { error: problem('{0} is required.') } : { value: undefined };
  }
  switch (field.kind) {
    case 'number': {
      const n = Number(text.trim());
      return Number.isFinite(n) ? { value: n } : { error: problem('{0} must be a number.') };
    }
    case 'checkbox': {
      const t = text.trim().toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { error: problem('{0} must be yes or no.') };
    }
    case 'select':
      return field.options && !field.options.includes(text)
        ? { error: problem('{0} must be one of: {1}.', field.options.join(', ')) }
        : { value: text };
    case 'json_object': {
      try {
        const v: unknown = JSON.parse(text);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: problem('{0} must be a JSON object.') };
        return { value: v as object };
      } catch (e) {
        return { error: problem('{0} is not valid JSON: {1}', (e as Error).message) };
      }
    }
    case 'file':
    case 'file-list':
      return { error: problem('{0} needs a file.') };
    default:
      if (field.maxLength && [...text].length > field.maxLength) {
        return { error: problem('{0} is longer than {1} characters.', field.maxLength) };
      }
      return { value: text };
  }
}

/** Validates a complete input object before sending; returns the problems (empty when fine). */
export function validateInputs(fields: InputField[], inputs: Record<string, unknown>, say: Say = english): string[] {
  const problems: string[] = [];
  for (const f of fields) {
    const problem = (t: ProblemText, ...args: (string | number)[]) => problems.push(say(t, f.label, ...args));
    if (f.kind === 'external_data_tool') continue;
    const v = inputs[f.variable];
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    if (empty) {
      if (f.required) problem('{0} is required.');
      continue;
    }
    switch (f.kind) {
      case 'text-input':
      case 'paragraph':
      case 'select':
        if (typeof v !== 'string') problem('{0} must be text.');
        else if (f.kind === 'select' && f.options && !f.options.includes(v)) problem('{0} must be one of: {1}.', f.options.join(', '));
        else if (f.maxLength && [...v].length > f.maxLength) problem('{0} is longer than {1} characters.', f.maxLength);
        break;
      case 'number':
        if (!(typeof v === 'number' && Number.isFinite(v)) && !(typeof v === 'string' && Number.isFinite(Number(v)))) problem('{0} must be a number.');
        break;
      case 'checkbox':
        if (typeof v !== 'boolean') problem('{0} must be yes or no.');
        break;
      case 'json_object':
        if (typeof v !== 'object' || Array.isArray(v)) problem('{0} must be a JSON object.');
        break;
      case 'file':
        if (!isFileRef(v)) problem('{0} needs one file.');
        break;
      case 'file-list':
        if (!Array.isArray(v) || !v.every(isFileRef)) problem('{0} needs a list of files.');
        else {
          const tooMany = countProblem(f, v.length, say);
          if (tooMany) problems.push(tooMany);
        }
        break;
    }
  }
  return problems;
}

export function isFileRef(v: unknown): v is FileRef {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as FileRef;
  return (f.transfer_method === 'local_file' && typeof f.upload_file_id === 'string') || (f.transfer_method === 'remote_url' && typeof f.url === 'string');
}

/** Dify's file type for a file name, from its extension (document when unsure). */
export function fileTypeFor(name: string): FileRef['type'] {
  const type = fileTypeOf(name);
  return type === 'custom' ? 'document' : type;
}

/** Whether an app field accepts a file of that name (allowed types / extensions from /parameters). */
export function fileAllowed(field: { allowedFileTypes?: string[]; allowedFileExtensions?: string[] }, name: string): boolean {
  const type = fileTypeFor(name);
  const ext = '.' + name.slice(name.lastIndexOf('.') + 1).toLowerCase();
  const types = field.allowedFileTypes ?? [];
  if (types.length === 0 || types.includes(type)) return true;
  if (types.includes('custom')) {
    const exts = (field.allowedFileExtensions ?? []).map((e) => (e.startsWith('.') ? e : '.' + e).toLowerCase());
    return exts.includes(ext);
  }
  return false;
}

/**
 * The `type` of a reference to that file for that field: its kind, or `custom` where the field takes it only as
 * one of its extra extensions — Dify refuses a reference whose type the field does not allow, unless it is
 * `custom` (then it checks the extension).
 */
export function fileRefType(field: { allowedFileTypes?: string[]; allowedFileExtensions?: string[] }, name: string): FileRef['type'] {
  const type = fileTypeFor(name);
  const types = field.allowedFileTypes ?? [];
  return types.length > 0 && !types.includes(type) && types.includes('custom') ? 'custom' : type;
}

/** The app's upload limit for a file of that name, MB: Dify has one each for images, audio and video, and one
 * for everything else. */
export function sizeLimitMb(name: string, limits: SystemLimits): number {
  switch (fileTypeFor(name)) {
    case 'image':
      return limits.imageFileSizeLimitMb;
    case 'audio':
      return limits.audioFileSizeLimitMb;
    case 'video':
      return limits.videoFileSizeLimitMb;
    default:
      return limits.fileSizeLimitMb;
  }
}

/** Why `n` files are too many for a file-list field (its `max_length`), or undefined. */
export function countProblem(f: InputField, n: number, say: Say = english): string | undefined {
  return f.maxLength && n > f.maxLength ? say('{0} takes at most {1} files.', f.label, f.maxLength) : undefined;
}

/** Why a file of that name and size cannot go into the field (its types, the app's size limits), or undefined. */
export function fileProblem(f: InputField, name: string, bytes: number, limits: SystemLimits, say: Say = english): string | undefined {
  if (!fileAllowed(f, name)) return say('"{0}" does not accept {1}: allowed are {2}.', f.label, name, [...(f.allowedFileTypes ?? []), ...(f.allowedFileExtensions ?? [])].join(', '));
  const limitMb = sizeLimitMb(name, limits);
  return bytes > limitMb * 1024 * 1024 ? say('{0} is larger than the {1} MB the app accepts.', name, limitMb) : undefined;
}

/** The name the editor's text (the current file, the selection) goes up under: source files go up as text
 * documents (`.txt` added) when the field takes documents but not their extension. */
export function textUploadName(f: InputField, name: string): string {
  if (fileAllowed(f, name) && fileTypeFor(name) !== 'document') return name;
  const ext = extname(name).toLowerCase();
  const docExts = ['.txt', '.md', '.markdown', '.mdx', '.pdf', '.html', '.xlsx', '.xls', '.docx', '.csv', '.eml', '.msg', '.pptx', '.xml', '.epub'];
  const customOk = (f.allowedFileExtensions ?? []).some((e) => e.toLowerCase().replace(/^\.?/, '.') === ext);
  return docExts.includes(ext) || customOk ? name : `${name}.txt`;
}

/** Where a run started from typed text (the panel's message box) puts things: the field the message fills,
 * the fields a person fills in a form, and the fields the app's templates fill from the editor. */
export interface TextRunLayout {
  /** The first free-text field no template fills — unless a template already places `${input}`. */
  message?: InputField;
  form: InputField[];
  fromEditor: InputField[];
}

export function layoutForText(fields: InputField[], templates: Record<string, string> | undefined, chat: boolean): TextRunLayout {
  const visible = visibleFields(fields);
  const templated = (f: InputField) => templates?.[f.variable] !== undefined;
  const placed = Object.values(templates ?? {}).some((t) => templateNeeds(t).includes('input'));
  const message = chat || placed ? undefined : visible.find((f) => (f.kind === 'paragraph' || f.kind === 'text-input') && !templated(f));
  return {
    message,
    form: visible.filter((f) => f !== message && !templated(f)),
    fromEditor: visible.filter(templated),
  };
}

/** The app's defaults of those of `fields` that have one. */
export function defaultsOf(fields: InputField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (hasDefault(f)) out[f.variable] = f.default;
  return out;
}

/** Hidden fields with a default still go to the server. */
export function hiddenDefaults(fields: InputField[]): Record<string, unknown> {
  return defaultsOf(fields.filter((f) => f.hide));
}

/** Coerces a form's raw values (text as typed, checkboxes as booleans) for the given fields. File fields are
 * not in a form's raw values. Returns the inputs and, per variable, why a value is refused. */
export function coerceForm(fields: InputField[], raw: Record<string, string | boolean>, say: Say = english): { inputs: Record<string, unknown>; errors: Record<string, string> } {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (isFileField(f) || !Object.prototype.hasOwnProperty.call(raw, f.variable)) continue;
    const v = raw[f.variable];
    if (typeof v === 'boolean') {
      if (f.kind === 'checkbox') inputs[f.variable] = v;
      else errors[f.variable] = say('{0} must be text.', f.label);
      continue;
    }
    const c = coerceText(f, v, say);
    if (c.error) errors[f.variable] = c.error;
    else if (c.value !== undefined) inputs[f.variable] = c.value;
  }
  return { inputs, errors };
}

/** The values a caller passed (panel form, LM tool) do not make a valid run: shown where they were typed. */
export class InputProblems extends Error {
  override readonly name = 'InputProblems';
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
  }
}
