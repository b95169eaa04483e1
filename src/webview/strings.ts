// Every user-visible string of the webview. The host sends a table keyed by these English strings
// (`init.l10n`); a missing entry falls back to the English key. `{0}`, `{1}` are positional arguments,
// the same convention as `vscode.l10n.t`, so the host can translate them with its bundle.

import type { StringKey } from '../shared/webviewStrings';

let table: Record<string, string> = {};

/** Installs the host's translation table (from `init`). Non-string values are ignored. */
export function setL10n(l10n: Record<string, unknown> | undefined): void {
  const next: Record<string, string> = {};
  if (l10n && typeof l10n === 'object') {
    for (const [k, v] of Object.entries(l10n)) if (typeof v === 'string') next[k] = v;
  }
  table = next;
}

/** Translates `key` (English text as fallback) and fills `{0}`… with `args`. */
export function t(key: StringKey, ...args: (string | number)[]): string {
  const template = table[key] ?? key;
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}
