// The webview's strings, translated on the host (the webview has no access to vscode.l10n).
// The keys are the English strings the webview declares; l10n/bundle.l10n.*.json translate them.
import * as vscode from 'vscode';
import { STRING_KEYS } from '../shared/webviewStrings';

export function webviewStrings(): Record<string, string> {
  const out: Record<string, string> = {};
  // Without arguments, placeholders stay as {0} so the webview fills them in itself.
  for (const k of STRING_KEYS) out[k] = vscode.l10n.t(k);
  return out;
}
