// The webview's only channel to the host. `acquireVsCodeApi` may be called once per page.
import type { FormValues, PanelState, WebviewMessage } from '../protocol';

/** What the webview persists with setState: the PanelState (what the host's serializer receives) plus the
 * string table, so a reloaded panel renders translated before `init` arrives, and the compact form's values. */
export type PersistedState = PanelState & { l10n?: Record<string, string>; formValues?: Record<string, FormValues> };

interface VsCodeApi {
  postMessage(msg: WebviewMessage): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
function vscode(): VsCodeApi {
  return (api ??= acquireVsCodeApi());
}

export function post(msg: WebviewMessage): void {
  vscode().postMessage(msg);
}

export function loadState(): PersistedState | undefined {
  const s = vscode().getState() as PersistedState | undefined | null;
  if (!s || typeof s !== 'object' || !Array.isArray(s.entries) || !Array.isArray(s.apps)) return undefined;
  return s;
}

export function saveState(state: PersistedState): void {
  vscode().setState(state);
}
