// Turns "run this app" into a complete StartRun: the app's mode (/info), its form (/parameters),
// the editor context mapped through the app's templates, and quick-input steps for what is missing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { providerOf } from '../providers/registry';
import { isChatMode } from '../shared/model';
import { withAttachments, type StartRun } from './runs';
import { ATTACHMENTS, attachmentsField, countProblem, defaultsOf, fileProblem, fileRefType, hiddenDefaults, InputProblems, isFileField, type FieldValue, layoutForText, validateInputs, visibleFields } from '../run/inputForm';
import { expandTemplates, templateNeeds } from '../run/templates';
import { DEFAULT_LIMITS } from '../providers/limits';
import type { AppParameters, FileRef, HumanInputField, InputField } from '../providers/types';
import { fenced, type CapturedContext } from './editorContext';
import { askFileField, askInputs, fileNameOf, mimeFor, type PromptOptions } from './inputPrompts';
import { attachmentsLabel, sayTranslated } from './texts';

export type RunOrigin =
  /** `inputs`: values a keybinding's arguments fix (they are not asked for). */
  | { kind: 'palette'; inputs?: Record<string, unknown> }
  | { kind: 'selection'; inputs?: Record<string, unknown> }
  /** Text typed in the panel's composer, or by the chat participant / LM tool. */
  | { kind: 'text'; text: string; inputs?: Record<string, unknown> };

const EMPTY_PARAMS: AppParameters = {
  suggestedQuestions: [],
  fields: [],
  limits: DEFAULT_LIMITS,
};

/** Returns the run to start, or undefined when the person cancelled or the inputs are invalid. Throws provider errors. */
export async function prepareRun(catalog: AppCatalog, user: string, app: AppProfile, ctx: CapturedContext, origin: RunOrigin, interactive = true): Promise<StartRun | undefined> {
  const info = await catalog.info(app);
  const params = providerOf(app.provider).optionalParameters ? await catalog.parameters(app).catch(() => EMPTY_PARAMS) : await catalog.parameters(app);
  const chat = isChatMode(info.mode);
  if (params.droppedFields && interactive) {
    void vscode.window.showWarningMessage(vscode.l10n.t('"{0}" has {1} more inputs than the extension asks for; only the first {2} are used.', app.name, params.droppedFields, params.fields.length));
  }
  const typed = origin.kind === 'text' ? origin.text : undefined;
  const prefill = expandTemplates(app.inputs, { ...ctx, input: typed });
  let query: string | undefined;

  // Where the selection / typed text goes when no template says otherwise: the query of chat apps,
  // else the first text field the templates leave empty.
  // …unless a template already places it (`${selection}` / `${input}`): then it is not repeated elsewhere.
  // Text from the panel's compact form goes where that form said it would (the templates, not the context, decide).
  const fromForm = origin.kind === 'text' && origin.inputs !== undefined;
  const placed = Object.values(app.inputs ?? {}).some((tpl) => templateNeeds(tpl).includes(typed !== undefined ? 'input' : 'selection'));
  const freeText = fromForm
    ? layoutForText(params.fields, app.inputs, chat).message
    : placed ? undefined : visibleFields(params.fields).find((f) => (f.kind === 'paragraph' || f.kind === 'text-input') && prefill[f.variable] === undefined);
  if (chat) {
    if (origin.kind === 'text') {
      query = origin.text;
    } else if (origin.kind === 'selection' && ctx.selection) {
      const ask = interactive
        ? await vscode.window.showInputBox({
            title: vscode.l10n.t('Ask {0} about the selection', app.name),
            prompt: vscode.l10n.t('Your question (Enter alone: "Explain this code.")'),
            ignoreFocusOut: true,
          })
        : '';
      if (ask === undefined) return undefined;
      query = `${ask.trim() || vscode.l10n.t('Explain this code.')}\n\n${fenced(ctx.selection, ctx.languageId)}`;
    } else {
      const ask = await vscode.window.showInputBox({ title: vscode.l10n.t('Ask {0}', app.name), prompt: vscode.l10n.t('Your question'), ignoreFocusOut: true, validateInput: (s) => (s.trim() ? undefined : vscode.l10n.t('Type a question.')) });
      if (ask === undefined) return undefined;
      query = ask;
    }
  } else if (freeText) {
    const text = typed ?? (ctx.selection || undefined);
    if (text !== undefined) prefill[freeText.variable] = text;
  }

  let inputs: Record<string, unknown>;
  let attached: FileRef[] = [];
  if (origin.kind === 'text' && origin.inputs) {
    inputs = { ...hiddenDefaults(params.fields), ...prefill, ...origin.inputs };
  } else if (!interactive) {
    // Nobody to ask (chat participant): the app's defaults fill what the editor context does not.
    inputs = { ...defaultsOf(params.fields.filter((f) => !isFileField(f))), ...prefill };
  } else {
    // The palette asks for the app's attachments too (file upload on): its last step, optional, Enter skips.
    const attachments = origin.kind === 'palette' ? attachmentsField(params, attachmentsLabel()) : undefined;
    const fixed = origin.inputs ?? {};
    const toAsk = params.fields.filter((f) => !Object.prototype.hasOwnProperty.call(fixed, f.variable));
    const asked = await askInputs({
      title: app.name,
      params: { ...params, fields: attachments ? [...toAsk, attachments] : toAsk },
      prefill,
      askPrefilled: origin.kind === 'palette',
      context: ctx,
      upload: uploader(catalog, app, user),
    });
    if (!asked) return undefined;
    const { [ATTACHMENTS]: files, ...rest } = asked;
    inputs = { ...rest, ...fixed };
    if (Array.isArray(files)) attached = files as FileRef[];
  }

  const problems = validateInputs(params.fields, inputs, sayTranslated);
  if (problems.length && fromForm) throw new InputProblems(problems);
  if (problems.length) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot run {0}: {1}', app.name, problems.join(' ')));
    return undefined;
  }
  const start: StartRun = {
    app,
    mode: info.mode,
    inputs,
    query,
    question: query ?? summarize(params.fields, inputs),
    inputsView: inputsView(params.fields, inputs),
  };
  return attached.length ? withAttachments(start, attached, attached.map(display)) : start;
}

function uploader(catalog: AppCatalog, app: AppProfile, user: string): PromptOptions['upload'] {
  return async (file, type) => (await catalog.client(app)).attach(file, type, user);
}

/**
 * Files given by path (the agent tool's `files`: workspace-relative or absolute) as the app's attachments, checked
 * against what the app takes and uploaded (inline for Flowise). Throws InputProblems saying what does not fit.
 */
export async function attachFiles(catalog: AppCatalog, user: string, app: AppProfile, paths: string[]): Promise<{ files: FileRef[]; names: string[] }> {
  const params = await catalog.parameters(app);
  const field = attachmentsField(params, attachmentsLabel());
  if (!field) throw new InputProblems([vscode.l10n.t('{0} does not take attachments (its file upload is off).', app.name)]);
  return attachPaths(catalog, user, app, params, field, paths);
}

/**
 * File inputs given by path (an agent's `inputs`): each file field's paths read, checked against the field and
 * uploaded, in place of the paths. Other inputs are left as they are.
 */
export async function attachInputFiles(catalog: AppCatalog, user: string, app: AppProfile, inputs: Record<string, unknown>): Promise<{ inputs: Record<string, unknown>; names: Record<string, string[]> }> {
  const params = await catalog.parameters(app);
  const out = { ...inputs };
  const names: Record<string, string[]> = {};
  for (const f of params.fields.filter(isFileField)) {
    const v = inputs[f.variable];
    const paths = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((p) => typeof p === 'string') ? (v as string[]) : undefined;
    if (!paths?.length) continue;
    const attached = await attachPaths(catalog, user, app, params, f, paths);
    out[f.variable] = f.kind === 'file' ? attached.files[0] : attached.files;
    names[f.variable] = attached.names;
  }
  return { inputs: out, names };
}

async function attachPaths(catalog: AppCatalog, user: string, app: AppProfile, params: AppParameters, field: InputField, paths: string[]): Promise<{ files: FileRef[]; names: string[] }> {
  const tooMany = field.kind === 'file' && paths.length > 1 ? sayTranslated('{0} needs one file.', field.label) : countProblem(field, paths.length, sayTranslated);
  if (tooMany) throw new InputProblems([tooMany]);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  const read = await Promise.all(
    paths.map(async (p) => {
      const uri = path.isAbsolute(p) || !root ? vscode.Uri.file(p) : vscode.Uri.joinPath(root, p);
      const data = await vscode.workspace.fs.readFile(uri).then((d) => d, () => undefined);
      if (!data) throw new InputProblems([vscode.l10n.t('Cannot read {0}.', p)]);
      const name = path.basename(uri.path);
      const problem = fileProblem(field, name, data.byteLength, params.limits, sayTranslated);
      if (problem) throw new InputProblems([problem]);
      return { name, data, mimeType: mimeFor(name) };
    }),
  );
  const upload = uploader(catalog, app, user);
  const files: FileRef[] = [];
  for (const file of read) files.push(await upload(file, fileRefType(field, file.name)));
  return { files, names: read.map((f) => f.name) };
}

/** The panel form's "Choose…" on a file field: the same choices as the palette's file step, uploaded now. */
export async function pickFormFiles(catalog: AppCatalog, user: string, app: AppProfile, ctx: CapturedContext, variable: string): Promise<{ value: FieldValue; names: string[] } | undefined> {
  const params = await catalog.parameters(app);
  const field = [...params.fields, attachmentsField(params, attachmentsLabel())].find((f) => f?.variable === variable && isFileField(f));
  if (!field) return undefined;
  return askFileField(field, { title: app.name, params, prefill: {}, askPrefilled: true, context: ctx, upload: uploader(catalog, app, user) });
}

/** A Human Input form's file input as the app form's file field it asks like (same choices, same checks). */
export function formFileField(f: HumanInputField): InputField {
  return {
    kind: f.kind === 'file' ? 'file' : 'file-list', variable: f.name, label: f.label || f.name, required: f.kind === 'file',
    allowedFileTypes: f.allowedFileTypes, allowedFileExtensions: f.allowedFileExtensions, allowedFileUploadMethods: f.allowedFileUploadMethods,
    ...(f.maxFiles ? { maxLength: f.maxFiles } : {}),
  };
}

/** "Choose…" on a waiting form's file input: the palette's file step, uploaded now (the same `user` as the run). */
export async function pickHumanInputFiles(catalog: AppCatalog, user: string, app: AppProfile, ctx: CapturedContext, f: HumanInputField): Promise<{ value: FileRef | FileRef[]; names: string[] } | undefined> {
  const params = await catalog.parameters(app).catch(() => EMPTY_PARAMS);
  const picked = await askFileField(formFileField(f), { title: app.name, params, prefill: {}, askPrefilled: true, context: ctx, upload: uploader(catalog, app, user) });
  if (!picked) return undefined;
  const value = picked.value as FileRef | FileRef[] | undefined;
  return value && (!Array.isArray(value) || value.length) ? { value, names: picked.names } : undefined;
}

function display(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(display).join(', ');
  if (v && typeof v === 'object' && 'transfer_method' in v) {
    const f = v as FileRef;
    return fileNameOf(f) ?? f.url ?? vscode.l10n.t('uploaded file');
  }
  return JSON.stringify(v);
}

function inputsView(fields: InputField[], inputs: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const v = inputs[f.variable];
    if (v === undefined || f.hide) continue;
    const s = display(v);
    out[f.label || f.variable] = s.length > 400 ? s.slice(0, 400) + '…' : s;
  }
  return out;
}

/** A one-line question for runs without a query: the first text input, else the app's form labels. */
function summarize(fields: InputField[], inputs: Record<string, unknown>): string {
  const first = fields.find((f) => typeof inputs[f.variable] === 'string' && (inputs[f.variable] as string).trim());
  const text = first ? (inputs[first.variable] as string) : Object.keys(inputs).join(', ');
  return text.length > 300 ? text.slice(0, 300) + '…' : text;
}
