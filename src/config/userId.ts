// The stable `user` Dify needs on every call: one id per installation, kept in global state.
import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';

const KEY = 'dify.userId';

export function stableUserId(state: vscode.Memento): string {
  let id = state.get<string>(KEY);
  if (!id) {
    id = `vscode-${randomUUID()}`;
    void state.update(KEY, id);
  }
  return id;
}
