// What a question in VS Code's chat refers to (`#file`, `#selection`, a dragged-in file…): its text, added to the
// question sent to the app, each as a fenced block under its name — as "Ask Dify About Selection" adds the selection.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { withContextBlocks, type ContextBlock } from '../app/editorContext';


function nameOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? vscode.workspace.asRelativePath(uri, false) : path.posix.basename(uri.path) || uri.toString();
}

async function resolve(ref: vscode.ChatPromptReference): Promise<ContextBlock | undefined> {
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
  const blocks: ContextBlock[] = [];
  for (const ref of refs ?? []) {
    const r = await resolve(ref);
    if (r) blocks.push(r);
  }
  return withContextBlocks(prompt, blocks);
}
