// The stable `user` Dify needs on every call: one id per installation, so that follow-ups and the
// conversations listed from `/conversations` are this user's. Kept in a file of the extension's global
// storage folder, written the moment it is made. Global state, where earlier versions kept it, reaches the
// browser's storage late in VS Code for the Web (a reload right after the first start made a new id) and
// belongs to one browser there; an id kept in it moves over.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { asError } from '../net/apiError';
import { readIfExists, writeWhole } from './storageFiles';

const LEGACY_KEY = 'dify.userId';
const FILE = 'user-id';
/** What an id may look like (ours are `vscode-<uuid>`); anything else in the file is replaced. */
const ID = /^[\w.:@-]{1,128}$/;

export async function loadUserId(folder: vscode.Uri, legacy: vscode.Memento, onError: (e: Error) => void): Promise<string> {
  const file = vscode.Uri.joinPath(folder, FILE);
  try {
    const text = new TextDecoder().decode(await readIfExists(file)).trim();
    if (ID.test(text)) return text;
  } catch {
    // Unreadable: a new one is written (a folder that takes no file is reported below).
  }
  const kept = legacy.get<string>(LEGACY_KEY);
  const id = kept && ID.test(kept) ? kept : `vscode-${randomUUID()}`;
  try {
    await writeWhole(file, new TextEncoder().encode(id));
  } catch (e) {
    // The id still holds for this window; global state keeps it for the next, as before.
    onError(asError(e));
    if (kept !== id) void legacy.update(LEGACY_KEY, id);
  }
  return id;
}
