// The webview's strings, translated on the host (the webview has no access to vscode.l10n).
import * as vscode from 'vscode';

/** Keys the webview uses; filled in from src/webview once its string list exists. */
const KEYS: readonly string[] = [];

export function webviewStrings(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEYS) out[k] = vscode.l10n.t(k);
  return out;
}
