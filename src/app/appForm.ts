// The panel's compact form for an app: its /parameters fields minus the one the message box fills and the
// ones its templates fill from the editor. Pure (no `vscode`): the host builds it, the webview renders it,
// and the host coerces what comes back against the same fields.
import type { AppForm, FormField, FormFieldKind } from '../protocol';
import { attachmentsField, coerceForm, hasDefault, isFileField, layoutForText, type Say } from '../run/inputForm';
import type { AppParameters, InputField, InputFieldKind } from '../providers/types';

const KINDS: Partial<Record<InputFieldKind, FormFieldKind>> = {
  'text-input': 'text',
  paragraph: 'paragraph',
  select: 'select',
  number: 'number',
  checkbox: 'checkbox',
  json_object: 'json',
  file: 'file',
  'file-list': 'files',
};

function defaultOf(f: InputField): FormField['default'] {
  const d = f.default;
  if (!hasDefault(f) || isFileField(f)) return undefined;
  if (f.kind === 'checkbox') return d === true || d === 'true';
  return typeof d === 'object' ? JSON.stringify(d, null, 2) : String(d);
}

function formField(f: InputField, kind: FormFieldKind): FormField {
  return {
    variable: f.variable,
    label: f.label || f.variable,
    kind,
    required: f.required,
    description: f.description || undefined,
    options: f.kind === 'select' ? f.options ?? [] : undefined,
    maxLength: f.kind === 'text-input' || f.kind === 'paragraph' ? f.maxLength || undefined : undefined,
    default: defaultOf(f),
  };
}

/** The form the panel shows for an app (`chat`: the message is the query). The app's attachments, when it takes
 * them, come last, labelled `attachments` (see `attachmentsField`). */
export function appForm(
  app: string,
  params: AppParameters,
  templates: Record<string, string> | undefined,
  chat: boolean,
  files: Record<string, string[]> = {},
  attachments = 'Attachments',
): AppForm {
  const layout = layoutForText(params.fields, templates, chat);
  const fields: FormField[] = [];
  for (const f of layout.form) {
    // A kind newer than this extension is typed as text (the server validates it).
    fields.push(formField(f, KINDS[f.kind] ?? 'text'));
  }
  const attach = attachmentsField(params, attachments);
  if (attach) fields.push(formField(attach, 'files'));
  const m = layout.message;
  return {
    app,
    messageField: m && { variable: m.variable, label: m.label || m.variable, required: m.required },
    messageOptional: !chat && (!m || !m.required),
    fields,
    fromEditor: layout.fromEditor.map((f) => f.label || f.variable),
    files: Object.fromEntries(Object.entries(files).filter(([v]) => fields.some((f) => f.variable === v && (f.kind === 'file' || f.kind === 'files')))),
    droppedFields: params.droppedFields,
  };
}

/** Coerces the values the panel's form sent for the app's form fields (files are kept by the host); problems in
 * the words of `say`. */
export function formInputs(params: AppParameters, templates: Record<string, string> | undefined, chat: boolean, raw: Record<string, string | boolean>, say?: Say) {
  return coerceForm(layoutForText(params.fields, templates, chat).form, raw, say);
}
