// Asks for an app's inputs, one quick-input step per field of its /parameters form: text prefilled
// from templates or the selection, select → quick pick, number → validated box, checkbox → yes/no,
// JSON → validated box, file → current file / selection as file / choose file / URL / skip.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { sayTranslated } from './texts';
import { mimeOfName } from '../net/mime';
import { coerceText, countProblem, fileAllowed, fileProblem, fileRefType, hasDefault, hiddenDefaults, isFileField, textUploadName, visibleFields, type FieldValue } from '../run/inputForm';
import type { AppParameters, FileRef, InputField } from '../providers/types';
import type { CapturedContext } from './editorContext';

export interface UploadRequest {
  name: string;
  data: Uint8Array;
  mimeType: string;
}

export interface PromptOptions {
  title: string;
  params: AppParameters;
  /** Values from templates / the selection; a field with a value is shown prefilled. */
  prefill: Record<string, string>;
  /** When false, fields that already have a prefilled value are not asked (Ask About Selection). */
  askPrefilled: boolean;
  context: CapturedContext;
  /** Uploads a file; `type` is what its reference says (see fileRefType). */
  upload(file: UploadRequest, type: FileRef['type']): Promise<FileRef>;
}

/** Returns the inputs, or undefined if the person cancelled. */
export async function askInputs(opts: PromptOptions): Promise<Record<string, unknown> | undefined> {
  const fields = visibleFields(opts.params.fields);
  const inputs = hiddenDefaults(opts.params.fields);
  // The palette asks every field (optional ones skippable with Enter); elsewhere only what is still
  // missing: required fields without a template value or a default.
  const steps = fields.filter((f) =>
    opts.askPrefilled ? true : f.required && opts.prefill[f.variable] === undefined && (isFileField(f) || !hasDefault(f)),
  );
  let step = 0;
  for (const f of fields) {
    const pre = opts.prefill[f.variable];
    if (!steps.includes(f)) {
      if (pre === undefined) {
        if (hasDefault(f)) inputs[f.variable] = f.default;
        continue;
      }
      const c = coerceText(f, pre, sayTranslated);
      if (c.error) return failValidation(c.error);
      if (c.value !== undefined) inputs[f.variable] = c.value;
      continue;
    }
    step++;
    const title = `${opts.title} (${step}/${steps.length})`;
    const value = await askField(f, pre, title, opts);
    if (value === CANCEL) return undefined;
    if (value !== undefined) inputs[f.variable] = value;
  }
  return inputs;
}

const CANCEL = Symbol('cancel');
type Answer = FieldValue | typeof CANCEL;

async function askField(f: InputField, prefilled: string | undefined, title: string, opts: PromptOptions): Promise<Answer> {
  let pre = prefilled;
  const optional = f.required ? '' : vscode.l10n.t(' (optional — Enter to skip)');
  const placeholder = (f.description || f.label) + optional;
  switch (f.kind) {
    case 'select': {
      const items: (vscode.QuickPickItem & { value?: string })[] = (f.options ?? []).map((o) => ({ label: o, value: o }));
      if (!f.required) items.push({ label: vscode.l10n.t('$(circle-slash) Skip'), value: undefined });
      const def = pre ?? (typeof f.default === 'string' ? f.default : undefined);
      const picked = await pickOne(items, title, placeholder, items.find((i) => i.value === def));
      return picked === undefined ? CANCEL : picked.value;
    }
    case 'checkbox': {
      const items: (vscode.QuickPickItem & { value?: boolean })[] = [
        { label: vscode.l10n.t('Yes'), value: true },
        { label: vscode.l10n.t('No'), value: false },
      ];
      if (!f.required) items.push({ label: vscode.l10n.t('$(circle-slash) Skip'), value: undefined });
      const def = pre !== undefined ? coerceText(f, pre, sayTranslated).value : f.default;
      const picked = await pickOne(items, title, placeholder, items.find((i) => i.value === def));
      return picked === undefined ? CANCEL : picked.value;
    }
    case 'file':
    case 'file-list':
      return askFiles(f, title, opts);
    default: {
      // An input box is one line: multi-line text (a selection, a file) would lose its line breaks there, so it
      // is offered as a whole instead, with typing as the alternative.
      if (pre !== undefined && pre.includes('\n')) {
        const lines = pre.split('\n');
        const use = { label: vscode.l10n.t('$(check) Use the prefilled text ({0} lines)', lines.length), detail: lines.find((l) => l.trim())?.trim().slice(0, 120), use: true };
        const type = { label: vscode.l10n.t('$(edit) Type instead…'), use: false };
        const picked = await pickOne([use, type], title, f.label, use);
        if (!picked) return CANCEL;
        if (picked.use) {
          const c = coerceText(f, pre, sayTranslated);
          if (c.error) return failValidation(c.error) ?? CANCEL;
          return c.value;
        }
        pre = '';
      }
      const value = pre ?? (f.default !== undefined && f.default !== null ? String(typeof f.default === 'object' ? JSON.stringify(f.default) : f.default) : '');
      const typed = await vscode.window.showInputBox({
        title,
        prompt: f.label + (f.maxLength ? vscode.l10n.t(' (up to {0} characters)', f.maxLength) : ''),
        placeHolder: placeholder,
        value,
        ignoreFocusOut: true,
        validateInput: (text) => coerceText(f, text, sayTranslated).error,
      });
      if (typed === undefined) return CANCEL;
      return coerceText(f, typed, sayTranslated).value;
    }
  }
}

function pickOne<T extends vscode.QuickPickItem>(items: T[], title: string, placeholder: string, active?: T): Promise<T | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<T>();
    qp.title = title;
    qp.placeholder = placeholder;
    qp.items = items;
    qp.ignoreFocusOut = true;
    if (active) qp.activeItems = [active];
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0] ?? qp.activeItems[0]);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

type FileChoice = 'current' | 'selection' | 'choose' | 'url' | 'skip';

/** Asks for the file(s) of one file field (the panel's form: "Choose…"), uploads them, and returns the value
 * with the names to show; undefined when cancelled or skipped. */
export async function askFileField(f: InputField, opts: PromptOptions): Promise<{ value: FieldValue; names: string[] } | undefined> {
  const names: string[] = [];
  const value = await askFiles(f, `${opts.title}: ${f.label}`, opts, names);
  return value === CANCEL || value === undefined ? undefined : { value, names };
}

async function askFiles(f: InputField, title: string, opts: PromptOptions, names: string[] = []): Promise<Answer> {
  const ctx = opts.context;
  const methods = f.allowedFileUploadMethods ?? ['local_file', 'remote_url'];
  const local = methods.includes('local_file');
  // The editor's text is offered only where its upload would be accepted (not to a field that takes images only).
  const base = (ctx.document && path.basename(ctx.document.fileName)) || 'untitled.txt';
  const fits = (name: string) => local && fileAllowed(f, textUploadName(f, name));
  const items: (vscode.QuickPickItem & { choice: FileChoice })[] = [];
  if (ctx.document && fits(base)) items.push({ label: vscode.l10n.t('$(file) Current file'), description: ctx.fileName, choice: 'current' });
  if (ctx.selection && fits(`selection-${base}`)) items.push({ label: vscode.l10n.t('$(selection) The selection as a file'), choice: 'selection' });
  if (local) items.push({ label: vscode.l10n.t('$(folder-opened) Choose file…'), choice: 'choose' });
  if (methods.includes('remote_url')) items.push({ label: vscode.l10n.t('$(link) Remote URL…'), choice: 'url' });
  if (!f.required) items.push({ label: vscode.l10n.t('$(circle-slash) Skip'), choice: 'skip' });
  // Enter on an optional field skips it, as in every other step.
  const skip = items.find((i) => i.choice === 'skip');
  const picked = await pickOne(items, title, f.label + (f.required ? '' : vscode.l10n.t(' (optional — Enter to skip)')), skip);
  if (!picked) return CANCEL;
  const many = f.kind === 'file-list';
  const wrap = (refs: FileRef[]): FieldValue => {
    refs.forEach((r, i) => names[i] !== undefined && FILE_NAMES.set(r, names[i]));
    return many ? refs : refs[0];
  };
  switch (picked.choice) {
    case 'skip':
      return undefined;
    case 'url': {
      const url = await vscode.window.showInputBox({
        title,
        prompt: vscode.l10n.t('URL of the file for {0}', f.label),
        ignoreFocusOut: true,
        validateInput: (s) => (/^https?:\/\/\S+$/i.test(s.trim()) ? undefined : vscode.l10n.t('Enter an http(s) URL.')),
      });
      if (url === undefined) return CANCEL;
      const name = new URL(url.trim()).pathname.split('/').pop() || 'file';
      names.push(name);
      return wrap([{ type: fileRefType(f, name), transfer_method: 'remote_url', url: url.trim() }]);
    }
    case 'current':
    case 'selection': {
      const doc = ctx.document!;
      const text = picked.choice === 'current' ? doc.getText() : ctx.selection!;
      const name = picked.choice === 'current' ? base : `selection-${base}`;
      const ref = await uploadChecked(f, { name: textUploadName(f, name), data: new TextEncoder().encode(text), mimeType: 'text/plain' }, opts);
      names.push(name);
      return ref === CANCEL ? CANCEL : wrap([ref]);
    }
    case 'choose': {
      const uris = await vscode.window.showOpenDialog({ canSelectMany: many, openLabel: vscode.l10n.t('Attach'), title: f.label });
      if (!uris?.length) return CANCEL;
      const tooMany = many ? countProblem(f, uris.length, sayTranslated) : undefined;
      if (tooMany) {
        void vscode.window.showWarningMessage(tooMany);
        return CANCEL;
      }
      const refs: FileRef[] = [];
      for (const uri of uris) {
        const data = await vscode.workspace.fs.readFile(uri);
        const name = path.basename(uri.path);
        const ref = await uploadChecked(f, { name, data, mimeType: mimeFor(name) }, opts);
        if (ref === CANCEL) return CANCEL;
        refs.push(ref);
        names.push(name);
      }
      return wrap(refs);
    }
  }
}

/** What each attached file was called, for showing the run's inputs (never sent: FileRef is a wire type). */
const FILE_NAMES = new WeakMap<FileRef, string>();

export function fileNameOf(ref: FileRef): string | undefined {
  return FILE_NAMES.get(ref);
}

async function uploadChecked(f: InputField, file: UploadRequest, opts: PromptOptions): Promise<FileRef | typeof CANCEL> {
  const problem = fileProblem(f, file.name, file.data.byteLength, opts.params.limits, sayTranslated);
  if (problem) {
    void vscode.window.showWarningMessage(problem);
    return CANCEL;
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Uploading {0}…', file.name) },
    () => opts.upload(file, fileRefType(f, file.name)),
  );
}

/** A MIME type for an upload, from the file name (plain text when unknown). */
export function mimeFor(name: string): string {
  return mimeOfName(name) ?? 'text/plain';
}

function failValidation(message: string): undefined {
  void vscode.window.showErrorMessage(message);
  return undefined;
}
