// The "Dify" LogOutputChannel, created lazily. Every line passes through redaction: known API keys,
// Bearer tokens and Authorization headers never reach the channel.
import * as vscode from 'vscode';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const BEARER = /(Bearer\s+)[^\s"',]+/gi;
const AUTH_HEADER = /(authorization["']?\s*[:=]\s*["']?)[^"',\n]+/gi;
const DIFY_KEY = /\bapp-[A-Za-z0-9]{12,}\b/g;

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
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out.replace(BEARER, '$1***').replace(AUTH_HEADER, '$1***').replace(DIFY_KEY, 'app-***');
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
