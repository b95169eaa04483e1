// What an agent needs to run an app without guessing: its mode, whether it takes a question, and its inputs as a JSON
// schema built from the app's /parameters. Pure: no `vscode`.
import type { AppInfo, AppParameters, InputField } from '../providers/types';
import { attachmentsField, layoutForText, visibleFields } from '../run/inputForm';
import { isChatMode } from '../shared/model';

interface PropertySchema {
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  title: string;
  description?: string;
  enum?: string[];
  maxLength?: number;
  default?: unknown;
}

export interface AppDescription {
  name: string;
  mode: string;
  server: string;
  description?: string;
  /** What `query` is for this app: the question (chat apps), or the text of this input (workflow, completion). */
  query: string;
  /** The app's named inputs, as `inputs` takes them. */
  inputs: { type: 'object'; properties: Record<string, PropertySchema>; required: string[] };
  /** Paths the `files` argument may attach, when the app takes attachments. */
  files?: { max?: number; types?: string[] };
}

/** The description of one app for the agent tools. `templates`: the app's editor templates (filled automatically). */
export function describeApp(name: string, server: string, info: AppInfo, params: AppParameters, templates?: Record<string, string>): AppDescription {
  const chat = isChatMode(info.mode);
  const layout = layoutForText(params.fields, templates, chat);
  const properties: Record<string, PropertySchema> = {};
  const required: string[] = [];
  for (const f of visibleFields(params.fields)) {
    if (f === layout.message || f.kind === 'external_data_tool' || layout.fromEditor.includes(f)) continue;
    properties[f.variable] = propertyOf(f);
    if (f.required) required.push(f.variable);
  }
  const attach = attachmentsField(params, 'files');
  return {
    name,
    mode: info.mode,
    server,
    description: info.description || undefined,
    query: chat ? 'The question.' : layout.message ? `The "${layout.message.label || layout.message.variable}" input${layout.message.required ? ' (required)' : ''}.` : 'Not used: this app takes its inputs only.',
    inputs: { type: 'object', properties, required },
    files: attach ? { max: attach.maxLength, types: attach.allowedFileTypes } : undefined,
  };
}

function propertyOf(f: InputField): PropertySchema {
  const title = f.label || f.variable;
  const base = { title, description: f.description || undefined, default: f.default ?? undefined };
  switch (f.kind) {
    case 'number':
      return { ...base, type: 'number' };
    case 'checkbox':
      return { ...base, type: 'boolean' };
    case 'json_object':
      return { ...base, type: 'object' };
    case 'select':
      return { ...base, type: 'string', enum: f.options };
    case 'file':
    case 'file-list':
      return { ...base, type: f.kind === 'file' ? 'string' : 'array', description: [f.description, 'A file path (workspace-relative or absolute).'].filter(Boolean).join(' ') };
    default:
      return { ...base, type: 'string', maxLength: f.maxLength || undefined };
  }
}

/** Input names the app does not have (an agent's guesses): their names, and the ones it does have. */
export function unknownInputs(params: AppParameters, inputs: Record<string, unknown>): { unknown: string[]; known: string[] } {
  const known = visibleFields(params.fields).map((f) => f.variable);
  return { unknown: Object.keys(inputs).filter((k) => !known.includes(k)), known };
}
