// API keys live only in SecretStorage, keyed by app name. Nothing here logs or returns them elsewhere.
import type * as vscode from 'vscode';

const PREFIX = 'dify.apiKey:';

export class KeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(app: string): Thenable<string | undefined> {
    return this.secrets.get(PREFIX + app);
  }

  set(app: string, key: string): Thenable<void> {
    return this.secrets.store(PREFIX + app, key.trim());
  }

  delete(app: string): Thenable<void> {
    return this.secrets.delete(PREFIX + app);
  }
}
