// What the panel's answer actions do in the editor: insert at the cursor, replace the selection the
// run started from, open the answer in a new editor.
import * as vscode from 'vscode';
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
