// The `user` every call to Dify carries: one id per installation, in a file of the global storage folder.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { loadUserId } from '../../../src/config/userId';
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
