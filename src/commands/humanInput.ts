// "Dify: Answer Waiting Form…": the forms paused runs wait on, across apps, answered step by step in quick inputs
// (paragraph → input box, select → quick pick, files → the file step of Run Dify Workflow, then the action), or shown
// in the chat panel where the run paused.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { HumanInputs, PickedFormFiles, WaitingForm } from '../app/humanInput';
import type { FileRef, HumanInputField } from '../providers/types';
import { PLACEHOLDER, fieldLabel } from '../shared/humanInput';

export interface FormCommandDeps {
  forms: HumanInputs;
  find(app: string): AppProfile | undefined;
  /** Asks for and uploads files for a form's file input. */
  pickFiles(app: AppProfile, field: HumanInputField): Promise<PickedFormFiles | undefined>;
  /** Shows the chat panel at the entry's form. */
  revealForm(entryId: string, nodeId?: string): void;
}

const CANCEL = Symbol('cancel');

/** The command; `entryId` (from @dify's button) goes straight to that entry's form. */
export async function answerWaitingForm(deps: FormCommandDeps, entryId?: unknown): Promise<void> {
  const waiting = deps.forms.waiting();
  if (!waiting.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No Dify run is waiting for an answer.'));
    return;
  }
  const chosen = (typeof entryId === 'string' && waiting.find((w) => w.entry.id === entryId)) || (await pickForm(waiting));
  if (!chosen) return;
  const { entry, form } = chosen;
  const app = deps.find(entry.app);
  const title = `${entry.app}: ${form.title || vscode.l10n.t('Form')}`;
  const how = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('$(edit) Answer Here'), detail: preview(form.content), here: true },
      { label: vscode.l10n.t('$(comment-discussion) Show in the Chat Panel'), here: false },
    ],
    { title, placeHolder: vscode.l10n.t('How do you want to answer?'), ignoreFocusOut: true },
  );
  if (!how) return;
  if (!how.here || !app) return deps.revealForm(entry.id, form.nodeId);

  const texts: Record<string, string> = {};
  const files: Record<string, FileRef | FileRef[]> = {};
  for (const f of form.fields) {
    const answer = await askField(deps, app, f, title);
    if (answer === CANCEL) return;
    if (typeof answer === 'string') texts[f.name] = answer;
    else if (answer) files[f.name] = answer.value;
  }
  const action = await vscode.window.showQuickPick(form.actions.map((a) => ({ label: a.title, id: a.id })), { title, placeHolder: vscode.l10n.t('Your answer'), ignoreFocusOut: true });
  if (!action) return;
  const problems = await deps.forms.answer(entry.id, form.nodeId, action.id, texts, files);
  if (Object.keys(problems).length) {
    void vscode.window.showErrorMessage(Object.values(problems).join(' '));
    return;
  }
  // The run goes on in its entry; what the server said about a refused answer is on the form.
  deps.revealForm(entry.id);
  const said = entry.forms?.find((f) => f.nodeId === form.nodeId)?.message;
  if (said) void vscode.window.showWarningMessage(said);
}

async function pickForm(waiting: WaitingForm[]): Promise<WaitingForm | undefined> {
  const picked = await vscode.window.showQuickPick(
    waiting.map((w) => ({
      label: `$(debug-pause) ${w.form.title || vscode.l10n.t('Form')}`,
      description: w.entry.app,
      detail: [w.entry.question.slice(0, 120), w.form.expiresAt ? vscode.l10n.t('answer by {0}', new Date(w.form.expiresAt).toLocaleString(vscode.env.language)) : ''].filter(Boolean).join(' · '),
      w,
    })),
    { title: vscode.l10n.t('Answer Waiting Form'), placeHolder: vscode.l10n.t('Which form do you want to answer?'), matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.w;
}

async function askField(deps: FormCommandDeps, app: AppProfile, f: HumanInputField, title: string): Promise<string | PickedFormFiles | undefined | typeof CANCEL> {
  const label = fieldLabel(f);
  if (f.kind === 'select' && f.options?.length) {
    const v = await vscode.window.showQuickPick(f.options, { title: `${title} — ${label}`, placeHolder: label, ignoreFocusOut: true });
    return v ?? CANCEL;
  }
  if (f.kind === 'file' || f.kind === 'file-list') {
    const picked = await deps.pickFiles(app, f);
    return picked ?? (f.kind === 'file' ? CANCEL : undefined);
  }
  const v = await vscode.window.showInputBox({ title: `${title} — ${label}`, prompt: label, value: f.default ?? '', ignoreFocusOut: true });
  return v ?? CANCEL;
}

/** The form's text in one line, for the picker: its placeholders as "…". */
function preview(content: string): string {
  const text = content.replace(PLACEHOLDER, '…').replace(/[#*_`>]+/g, '').replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
