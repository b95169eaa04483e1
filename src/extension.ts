import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // wired in src/extension.ts as the glue lands
}

export function deactivate(): void {}
