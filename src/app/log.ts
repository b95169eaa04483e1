// The "Dify" LogOutputChannel, created lazily. Every line passes through the one redactor (src/net/redact.ts):
// known API keys in any encoding, Bearer tokens and Authorization headers never reach the channel.
import * as vscode from 'vscode';
import { redact } from '../net/redact';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export class Log implements vscode.Disposable {
  private channel?: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();
  /** Sees every line after redaction, whatever the channel's level (set by the extension's own tests). */
  tap?: (level: LogLevel, line: string) => void;

  /** Registers a secret (an API key read from SecretStorage) so it is masked wherever it appears. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    return redact(text, this.secrets);
  }

  write(level: LogLevel, message: string): void {
    const ch = (this.channel ??= vscode.window.createOutputChannel('Dify', { log: true }));
    const line = this.redact(message);
    this.tap?.(level, line);
    ch[level](line);
  }

  show(): void {
    (this.channel ??= vscode.window.createOutputChannel('Dify', { log: true })).show(true);
  }

  dispose(): void {
    this.channel?.dispose();
  }
}
