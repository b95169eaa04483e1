// What the panel's answer actions do in the editor: insert at the cursor, replace the selection the
// run started from, open the answer in a new editor.
import * as vscode from 'vscode';
import type { ChatController } from '../chat/controller';

export async function insertAtCursor(text: string): Promise<boolean> {
  const editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open an editor to insert the answer.'));
    return false;
  }
  return editor.edit((b) => editor.selections.forEach((s) => b.replace(s, text)));
}

export async function replaceSelection(controller: ChatController, entryId: string): Promise<boolean> {
  const entry = controller.find(entryId);
  const ref = controller.selectionOf(entryId);
  if (!entry || !ref) {
    void vscode.window.showWarningMessage(vscode.l10n.t('The selection this answer was asked about is no longer known.'));
    return false;
  }
  const doc = await vscode.workspace.openTextDocument(ref.uri);
  const editor = await vscode.window.showTextDocument(doc, { preserveFocus: false, preview: false, viewColumn: vscode.ViewColumn.One });
  const text = codeOf(entry.answer);
  const ok = await editor.edit((b) => b.replace(ref.range, text));
  if (ok) editor.selection = new vscode.Selection(ref.range.start, doc.positionAt(doc.offsetAt(ref.range.start) + text.length));
  return ok;
}

export async function openInEditor(controller: ChatController, entryId: string): Promise<void> {
  const entry = controller.find(entryId);
  if (!entry) return;
  const doc = await vscode.workspace.openTextDocument({ content: entry.answer, language: 'markdown' });
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
}

/**
 * When an answer is a single fenced code block (optionally with prose around it), replacing code
 * should use the code, not the markdown around it.
 */
export function codeOf(answer: string): string {
  const blocks = [...answer.matchAll(/^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n\1[ \t]*$/gm)];
  return blocks.length === 1 ? blocks[0][2] : answer.trim();
}
