// Files in the extension's own storage folders (its history, its user id). Those folders are on the
// extension host's disk (`file:` URIs) in desktop VS Code, remote hosts and code-server alike, and Node's fs
// reads and writes them in well under a millisecond; `workspace.fs` takes a round trip through the window
// (30–75 ms at activation in the real host, measured), so it only serves other schemes.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';

/** The file's bytes, or undefined when there is no such file. */
export async function readIfExists(file: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return file.scheme === 'file' ? await fs.readFile(file.fsPath) : await vscode.workspace.fs.readFile(file);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Writes the whole file to a temporary file beside it, then renames that over it: a crash or a full disk
 * mid-write leaves the old file as it was. Creates the folder when needed.
 */
export async function writeWhole(file: vscode.Uri, bytes: Uint8Array): Promise<void> {
  const folder = vscode.Uri.joinPath(file, '..');
  const temp = vscode.Uri.joinPath(folder, `.${file.path.split('/').pop()}.${randomBytes(4).toString('hex')}.tmp`);
  if (file.scheme !== 'file') {
    await vscode.workspace.fs.createDirectory(folder);
    await vscode.workspace.fs.writeFile(temp, bytes);
    await vscode.workspace.fs.rename(temp, file, { overwrite: true });
    return;
  }
  await fs.mkdir(folder.fsPath, { recursive: true });
  try {
    await fs.writeFile(temp.fsPath, bytes);
    await fs.rename(temp.fsPath, file.fsPath);
  } catch (e) {
    await fs.rm(temp.fsPath, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** Renames a file, replacing what has the new name. */
export async function replaceWith(from: vscode.Uri, to: vscode.Uri): Promise<void> {
  if (from.scheme === 'file' && to.scheme === 'file') await fs.rename(from.fsPath, to.fsPath);
  else await vscode.workspace.fs.rename(from, to, { overwrite: true });
}

function isNotFound(e: unknown): boolean {
  return (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') || (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
