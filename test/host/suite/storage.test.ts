// The `user` every call to Dify carries: one id per installation, in a file of the global storage folder;
// and the storage folders' files on a scheme other than `file:`.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { HistoryFile } from '../../../src/config/historyFile';
import { loadUserId } from '../../../src/config/userId';
import { History } from '../../../src/run/history';
import type { TestApi } from '../../../src/extension';
import { EXTENSION_ID, MemoryMemento } from './support';

describe('the user id', () => {
  let folder: string;
  let errors: string[];
  const onError = (e: Error) => errors.push(e.message);
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'dify-user-'));
    errors = [];
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('is made once, written to its file at once, and the same on every later start', async () => {
    const where = vscode.Uri.file(join(folder, 'globalStorage'));
    const id = await loadUserId(where, new MemoryMemento(), onError);
    assert.match(id, /^vscode-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(readFileSync(join(folder, 'globalStorage', 'user-id'), 'utf8'), id, 'on disk before activation goes on');
    // A later start (a reload, another browser on the same server) has no global state of its own.
    assert.equal(await loadUserId(where, new MemoryMemento(), onError), id);
    assert.deepEqual(errors, []);
  });

  it('keeps the id earlier versions kept in global state, and moves it to the file', async () => {
    const legacy = new MemoryMemento();
    legacy.values.set('dify.userId', 'vscode-kept-from-before');
    assert.equal(await loadUserId(vscode.Uri.file(folder), legacy, onError), 'vscode-kept-from-before');
    assert.equal(readFileSync(join(folder, 'user-id'), 'utf8'), 'vscode-kept-from-before');
    assert.equal(await loadUserId(vscode.Uri.file(folder), new MemoryMemento(), onError), 'vscode-kept-from-before');
  });

  it('a file that does not hold an id is replaced by a new one', async () => {
    writeFileSync(join(folder, 'user-id'), '<<not an id>>\n');
    const id = await loadUserId(vscode.Uri.file(folder), new MemoryMemento(), onError);
    assert.match(id, /^vscode-/);
    assert.equal(readFileSync(join(folder, 'user-id'), 'utf8'), id);
    assert.deepEqual(errors, []);
  });

  it('a folder it cannot write to is reported, and the id is kept in global state as before', async () => {
    // A file where the folder should be: nothing can be written into it, whoever runs the tests.
    writeFileSync(join(folder, 'blocked'), '');
    const legacy = new MemoryMemento();
    const id = await loadUserId(vscode.Uri.file(join(folder, 'blocked')), legacy, onError);
    assert.match(id, /^vscode-/);
    assert.equal(errors.length, 1, errors.join('; '));
    assert.equal(legacy.get('dify.userId'), id);
  });

  it('is the one the extension sends, kept in its global storage folder', async () => {
    const api = (await vscode.extensions.getExtension<TestApi>(EXTENSION_ID)!.activate())!;
    const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(api.globalStorage, 'user-id')));
    assert.equal(onDisk, api.userId);
    assert.match(api.userId, /^vscode-/);
  });
});

/** A folder of another scheme than `file:` (none in today's hosts, but `workspace.fs` serves it). */
class MemoryFolder implements vscode.FileSystemProvider {
  readonly files = new Map<string, Uint8Array>();
  readonly folders = new Set<string>(['/']);
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }
  stat(uri: vscode.Uri): vscode.FileStat {
    const file = this.files.get(uri.path);
    if (!file && !this.folders.has(uri.path)) throw vscode.FileSystemError.FileNotFound(uri);
    return { type: file ? vscode.FileType.File : vscode.FileType.Directory, ctime: 0, mtime: 0, size: file?.length ?? 0 };
  }
  readDirectory(): [string, vscode.FileType][] {
    return [];
  }
  createDirectory(uri: vscode.Uri): void {
    this.folders.add(uri.path);
  }
  readFile(uri: vscode.Uri): Uint8Array {
    const file = this.files.get(uri.path);
    if (!file) throw vscode.FileSystemError.FileNotFound(uri);
    return file;
  }
  writeFile(uri: vscode.Uri, content: Uint8Array): void {
    if (!this.folders.has(uri.path.slice(0, uri.path.lastIndexOf('/')) || '/')) throw vscode.FileSystemError.FileNotFound(uri);
    this.files.set(uri.path, content);
  }
  delete(uri: vscode.Uri): void {
    this.files.delete(uri.path);
  }
  rename(from: vscode.Uri, to: vscode.Uri): void {
    this.files.set(to.path, this.readFile(from));
    this.files.delete(from.path);
  }
}

describe('storage folders of another scheme', () => {
  it('keep the user id and the history through workspace.fs', async () => {
    const folder = new MemoryFolder();
    const registration = vscode.workspace.registerFileSystemProvider('dify-test-storage', folder);
    try {
      const where = vscode.Uri.from({ scheme: 'dify-test-storage', path: '/globalStorage/dify' });
      const errors: string[] = [];
      const id = await loadUserId(where, new MemoryMemento(), (e) => errors.push(e.message));
      assert.equal(new TextDecoder().decode(folder.files.get('/globalStorage/dify/user-id')), id);
      assert.equal(await loadUserId(where, new MemoryMemento(), (e) => errors.push(e.message)), id);
      assert.deepEqual(errors, []);

      const history = await History.load(new HistoryFile(where, new MemoryMemento()));
      history.add({ id: 'e1', app: 'Helper Chat', question: 'q', answer: 'a', thinking: '', thinkingDone: false, nodes: [], status: 'succeeded', startedAt: 0, canReplaceSelection: false });
      await history.save();
      assert.deepEqual([...folder.files.keys()].sort(), ['/globalStorage/dify/history.json', '/globalStorage/dify/user-id'], 'no temporary file left');
      assert.deepEqual((await History.load(new HistoryFile(where, new MemoryMemento()))).entries.map((e) => e.id), ['e1']);
    } finally {
      registration.dispose();
    }
  });
});
