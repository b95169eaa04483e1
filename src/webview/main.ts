// Webview entry (browser bundle, dist/webview.js). No Node and no `vscode` module here: the host API comes
// from `acquireVsCodeApi()` at runtime, and the only contract is src/protocol.ts.
import { Panel } from './panel';

const root = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
new Panel(root).start();
