// What a question in VS Code's chat refers to (`#file`, `#selection`, a dragged-in file…): its text, added to the
// question sent to the app, each as a fenced block under its name — as "Ask Dify About Selection" adds the selection.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { fenced } from '../app/editorContext';

/** At most this many characters of referenced text go with one question (the rest is cut, and says so). */
export const MAX_REFERENCE_CHARS = 100_000;

interface Referenced {
  name: string;
  text: string;
  languageId?: string;
}

function nameOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri, false) : path.posix.basename(uri.path) || uri.toString();
}

async function resolve(ref: vscode.ChatPromptReference): Promise<Referenced | undefined> {
  const v = ref.value;
  if (typeof v === 'string') return v.trim() ? { name: ref.modelDescription || ref.id, text: v } : undefined;
  if (v instanceof vscode.Uri) {
    // The open document's text (unsaved edits included); a file that is not text is left out.
    const doc = await vscode.workspace.openTextDocument(v).then((d) => d, () => undefined);
    return doc ? { name: nameOf(v), text: doc.getText(), languageId: doc.languageId } : undefined;
  }
  if (v instanceof vscode.Location) {
    const doc = await vscode.workspace.openTextDocument(v.uri).then((d) => d, () => undefined);
    const lines = v.range.start.line === v.range.end.line ? `${v.range.start.line + 1}` : `${v.range.start.line + 1}-${v.range.end.line + 1}`;
    return doc ? { name: `${nameOf(v.uri)}:${lines}`, text: doc.getText(v.range), languageId: doc.languageId } : undefined;
  }
  return undefined;
}

/** The question with the text of what it refers to appended (unchanged when it refers to nothing readable). */
export async function withReferences(prompt: string, refs: readonly vscode.ChatPromptReference[] | undefined): Promise<string> {
  let budget = MAX_REFERENCE_CHARS;
  const blocks: string[] = [];
  for (const ref of refs ?? []) {
    const r = await resolve(ref);
    if (!r || !r.text.trim() || budget <= 0) continue;
    const cut = r.text.length > budget;
    const text = cut ? r.text.slice(0, budget) : r.text;
    budget -= text.length;
    blocks.push(`${r.name}${cut ? ` ${vscode.l10n.t('(cut to its first {0} characters)', text.length)}` : ''}:\n${fenced(text, r.languageId)}`);
  }
  return blocks.length ? `${prompt}\n\n${blocks.join('\n\n')}` : prompt;
}
