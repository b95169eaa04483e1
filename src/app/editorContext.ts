// What the editor offers a run: the selection, the whole file, its name and language, and where the
// selection was (so "Replace Selection" can put the answer back there later).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditorContext } from '../run/templates';

export interface SelectionRef {
  uri: vscode.Uri;
  range: vscode.Range;
  languageId: string;
}

export interface CapturedContext extends EditorContext {
  selectionRef?: SelectionRef;
  document?: vscode.TextDocument;
}

/** The editor's context; with the chat panel focused there is no active text editor, so the text editor
 * visible beside the panel stands in (what a person means by "the current file" there). */
export function captureEditorContext(editor = vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0]): CapturedContext {
  if (!editor) return {};
  const doc = editor.document;
  const sel = editor.selection;
  const selection = sel.isEmpty ? undefined : doc.getText(sel);
  return {
    selection,
    file: doc.getText(),
    fileName: path.basename(doc.fileName),
    languageId: doc.languageId,
    document: doc,
    selectionRef: sel.isEmpty ? undefined : { uri: doc.uri, range: new vscode.Range(sel.start, sel.end), languageId: doc.languageId },
  };
}

/** The selection as a fenced block in the language of the file, for chat questions. */
export function fenced(text: string, languageId?: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${languageId ?? ''}\n${text}\n${fence}`;
}
