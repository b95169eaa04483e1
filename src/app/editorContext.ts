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

/** Text that goes along with a question under its name: a file, a selection (`sample.ts:3-7`). */
export interface ContextBlock {
  name: string;
  text: string;
  languageId?: string;
}

/** At most this many characters of context go with one question (the rest is cut, and says so). */
export const MAX_CONTEXT_CHARS = 100_000;

/** The question with each block appended as a fenced block under its name (the question alone when there are none). */
export function withContextBlocks(prompt: string, blocks: readonly ContextBlock[]): string {
  let budget = MAX_CONTEXT_CHARS;
  const out: string[] = [];
  for (const b of blocks) {
    if (!b.text.trim() || budget <= 0) continue;
    const cut = b.text.length > budget;
    const text = cut ? b.text.slice(0, budget) : b.text;
    budget -= text.length;
    out.push(`${b.name}${cut ? ` ${vscode.l10n.t('(cut to its first {0} characters)', text.length)}` : ''}:\n${fenced(text, b.languageId)}`);
  }
  return out.length ? `${prompt}\n\n${out.join('\n\n')}` : prompt;
}

/** A selection as context: its text under the file's name and line range. */
export function selectionBlock(editor: vscode.TextEditor): ContextBlock | undefined {
  const sel = editor.selection;
  if (sel.isEmpty) return undefined;
  const doc = editor.document;
  // Whole lines selected with Shift+Down end at column 0 of the next line, which holds nothing of the selection.
  const last = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line - 1 : sel.end.line;
  const lines = sel.start.line === last ? `${sel.start.line + 1}` : `${sel.start.line + 1}-${last + 1}`;
  const file = doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri, false) : path.basename(doc.fileName);
  return { name: `${file}:${lines}`, text: doc.getText(sel), languageId: doc.languageId };
}
