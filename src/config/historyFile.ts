// Where the panel's history is kept: `history.json` in the extension's storage folder for this workspace
// (the global one in a window without a folder). The extension host writes the file itself, so an answer
// is kept the moment its run ends. Workspace state (a Memento) is not: in VS Code for the browser it
// reaches the browser's storage a while later, and a reload in between lost the last answers. It was
// also never meant for documents of megabytes. History kept there by earlier versions moves over once.
import * as vscode from 'vscode';
import { LEGACY_HISTORY_KEY, type HistoryStore } from '../run/history';

export class HistoryFile implements HistoryStore {
  private readonly file: vscode.Uri;
  private readonly temp: vscode.Uri;

  constructor(private readonly folder: vscode.Uri, private readonly legacy: vscode.Memento) {
    this.file = vscode.Uri.joinPath(folder, 'history.json');
    this.temp = vscode.Uri.joinPath(folder, 'history.json.tmp');
  }

  async read(): Promise<unknown> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(this.file);
    } catch (e) {
      if (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') return this.legacy.get(LEGACY_HISTORY_KEY);
      throw e;
    }
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      // Kept aside rather than overwritten by the next save; the history starts over.
      await vscode.workspace.fs.rename(this.file, vscode.Uri.joinPath(this.folder, 'history.unreadable.json'), { overwrite: true });
      throw new Error(`${this.file.fsPath} is not valid JSON; it was renamed to history.unreadable.json.`);
    }
  }

  /** Written whole to a temporary file, then renamed over the old one: a crash mid-write leaves the old file. */
  async write(document: unknown): Promise<void> {
    await vscode.workspace.fs.createDirectory(this.folder);
    await vscode.workspace.fs.writeFile(this.temp, new TextEncoder().encode(JSON.stringify(document)));
    await vscode.workspace.fs.rename(this.temp, this.file, { overwrite: true });
    if (this.legacy.get(LEGACY_HISTORY_KEY) !== undefined) await this.legacy.update(LEGACY_HISTORY_KEY, undefined);
  }
}
