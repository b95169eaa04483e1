// Files in the extension's own storage folders (its history, its user id). Those folders are on the
// extension host's disk (`file:` URIs) in desktop VS Code, remote hosts and code-server alike, and Node's fs
// reads and writes them in well under a millisecond; `workspace.fs` takes a round trip through the window
// (30–75 ms at activation in the real host, measured), so it only serves other schemes.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';

/** The few file operations these files need, on one kind of URI. */
interface FileOps {
  read(file: vscode.Uri): Promise<Uint8Array>;
  makeFolder(folder: vscode.Uri): Promise<void>;
  write(file: vscode.Uri, bytes: Uint8Array): Promise<void>;
  /** Replaces what has the new name. */
  rename(from: vscode.Uri, to: vscode.Uri): Promise<void>;
  remove(file: vscode.Uri): Promise<void>;
}

const disk: FileOps = {
  read: (file) => fs.readFile(file.fsPath),
  makeFolder: async (folder) => void (await fs.mkdir(folder.fsPath, { recursive: true })),
  write: (file, bytes) => fs.writeFile(file.fsPath, bytes),
  rename: (from, to) => fs.rename(from.fsPath, to.fsPath),
  remove: (file) => fs.rm(file.fsPath, { force: true }),
};

const workspaceFs: FileOps = {
  read: async (file) => vscode.workspace.fs.readFile(file),
  makeFolder: async (folder) => vscode.workspace.fs.createDirectory(folder),
  write: async (file, bytes) => vscode.workspace.fs.writeFile(file, bytes),
  rename: async (from, to) => vscode.workspace.fs.rename(from, to, { overwrite: true }),
  remove: async (file) => vscode.workspace.fs.delete(file),
};

const opsFor = (uri: vscode.Uri): FileOps => (uri.scheme === 'file' ? disk : workspaceFs);

/** The file's bytes, or undefined when there is no such file. */
export async function readIfExists(file: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await opsFor(file).read(file);
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
  const ops = opsFor(file);
  const folder = vscode.Uri.joinPath(file, '..');
  const temp = vscode.Uri.joinPath(folder, `.${file.path.split('/').pop()}.${randomBytes(4).toString('hex')}.tmp`);
  await ops.makeFolder(folder);
  try {
    await ops.write(temp, bytes);
    await ops.rename(temp, file);
  } catch (e) {
    await ops.remove(temp).catch(() => undefined);
    throw e;
  }
}

/** Renames a file in its folder, replacing what has the new name. */
export function replaceWith(from: vscode.Uri, to: vscode.Uri): Promise<void> {
  return opsFor(from).rename(from, to);
}

function isNotFound(e: unknown): boolean {
  return (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') || (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
