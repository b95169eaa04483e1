// Where the panel's history is kept: `history.json` in the extension's storage folder for this workspace
// (the global one in a window without a folder). The extension host writes the file itself, so an answer
// is kept the moment its run ends. Workspace state (a Memento) is not: in VS Code for the browser it
// reaches the browser's storage a while later, and a reload in between lost the last answers. It was
// also never meant for documents of megabytes. History kept there by earlier versions moves over once.
import * as vscode from 'vscode';
import { LEGACY_HISTORY_KEY, type HistoryStore } from '../run/history';
import { readIfExists, replaceWith, writeWhole } from './storageFiles';

export class HistoryFile implements HistoryStore {
  private readonly file: vscode.Uri;

  constructor(private readonly folder: vscode.Uri, private readonly legacy: vscode.Memento) {
    this.file = vscode.Uri.joinPath(folder, 'history.json');
  }

  async read(): Promise<unknown> {
    const bytes = await readIfExists(this.file);
    if (!bytes) return this.legacy.get(LEGACY_HISTORY_KEY);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      // Kept aside rather than overwritten by the next save; the history starts over.
      await replaceWith(this.file, vscode.Uri.joinPath(this.folder, 'history.unreadable.json'));
      throw new Error(`${this.file.fsPath} is not valid JSON; it was renamed to history.unreadable.json.`);
    }
  }

  /** Written whole, a crash mid-write leaves the old file. */
  async write(document: unknown): Promise<void> {
    await writeWhole(this.file, new TextEncoder().encode(JSON.stringify(document)));
    if (this.legacy.get(LEGACY_HISTORY_KEY) !== undefined) await this.legacy.update(LEGACY_HISTORY_KEY, undefined);
  }
}
