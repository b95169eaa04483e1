// What the panel's answer actions do in the editor: insert at the cursor, replace the selection the run started
// from, open the answer in a new editor, and apply code as a change the person reviews before anything is written.
import * as vscode from 'vscode';
import { fileHintOf } from '../app/codeTarget';
import type { Runs } from '../app/runs';

export async function insertAtCursor(text: string): Promise<boolean> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open an editor to insert the answer.'));
    return false;
  }
  return editor.edit((b) => editor.selections.forEach((s) => b.replace(s, text)));
}

/**
 * Replaces the selection the run started from with `text`: what the panel shows of the answer (the panel computes
 * it from what it rendered, so text the panel hid never goes in).
 */
export async function replaceSelection(runs: Runs, entryId: string, text: string): Promise<boolean> {
  const entry = runs.find(entryId);
  const ref = runs.selectionOf(entryId);
  if (!entry || !ref) {
    void vscode.window.showWarningMessage(vscode.l10n.t('The selection this answer was asked about is no longer known.'));
    return false;
  }
  const doc = await vscode.workspace.openTextDocument(ref.uri);
  const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false, preview: false, viewColumn: vscode.ViewColumn.One });
  const replacement = text;
  const ok = await editor.edit((b) => b.replace(ref.range, replacement));
  if (ok) editor.selection = new vscode.Selection(ref.range.start, doc.positionAt(doc.offsetAt(ref.range.start) + replacement.length));
  return ok;
}

export async function openInEditor(runs: Runs, entryId: string): Promise<void> {
  const content = runs.fullAnswer(entryId);
  if (content === undefined) return;
  const doc = await vscode.workspace.openTextDocument({ content, language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
}

/** What "Apply to File" / "Apply to Selection" apply: the code the panel shows, where it goes. */
export interface ApplyRequest {
  /** The code, as the panel shows it. */
  text: string;
  /** The selection the run started from (or the active editor's), or a whole file. */
  target: 'selection' | 'file';
  /** The entry it came from: its selection is the one replaced. */
  entryId?: string;
  /** The code block's fence info string (`ts src/app.ts`): a file it names is the one changed. */
  info?: string;
}

interface Target {
  uri: vscode.Uri;
  /** The text replaced; absent for a file the answer names that does not exist yet. */
  range?: vscode.Range;
}

export async function selectionTarget(runs: Runs, entryId: string | undefined): Promise<Target | undefined> {
  const ref = entryId ? runs.selectionOf(entryId) : undefined;
  if (ref) return { uri: ref.uri, range: ref.range };
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor || editor.selection.isEmpty) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Select the code to replace in an editor first.'));
    return undefined;
  }
  return { uri: editor.document.uri, range: editor.selection };
}

export async function fileTarget(code: string, info: string | undefined): Promise<Target | undefined> {
  const hint = fileHintOf(info ?? '', code);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (hint && folder) {
    const uri = vscode.Uri.joinPath(folder, hint);
    const doc = await vscode.workspace.openTextDocument(uri).then((d) => d, () => undefined);
    return { uri, range: doc && wholeRange(doc) };
  }
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open the file to change first.'));
    return undefined;
  }
  return { uri: editor.document.uri, range: wholeRange(editor.document) };
}

function wholeRange(doc: vscode.TextDocument): vscode.Range {
  return new vscode.Range(new vscode.Position(0, 0), doc.lineAt(doc.lineCount - 1).range.end);
}
