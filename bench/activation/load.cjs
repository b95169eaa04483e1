/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: a plain-Node child / an esbuild entry. */
// Child process: loads an extension bundle with a stub `vscode` module, then calls activate() with a stub context.
// Prints JSON {loadMs, activateMs, builtins}: `builtins` are the Node built-in modules required while loading and
// activating (what the bundle pulls in before any command runs). Usage: node load.cjs <bundle.js>
'use strict';
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const { builtinModules } = Module;

// A stub API: every property is a callable, constructible stub; `subscriptions` and storage behave minimally.
const stub = new Proxy(function () {}, {
  get: (_t, k) => (k === Symbol.toPrimitive ? () => '' : k === 'then' ? undefined : stub),
  set: () => true,
  apply: () => stub,
  construct: () => stub,
});
// esbuild's __toESM copies the module's own keys: give the namespaces used at activation real keys.
const api = {};
for (const k of ['workspace', 'window', 'commands', 'extensions', 'env', 'l10n', 'chat', 'lm', 'languages', 'Uri', 'EventEmitter',
  'Disposable', 'ExtensionMode', 'ConfigurationTarget', 'StatusBarAlignment', 'ThemeIcon', 'ThemeColor', 'ViewColumn',
  'LanguageModelTextPart', 'LanguageModelToolResult', 'MarkdownString', 'Range', 'Position', 'Selection', 'ProgressLocation',
  'QuickPickItemKind', 'CancellationTokenSource', 'LogLevel']) api[k] = stub;
const memento = () => {
  const m = new Map();
  return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => void m.set(k, v), keys: () => [...m.keys()] };
};
const builtins = new Set();
const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return api;
  const bare = request.replace(/^node:/, '');
  if (builtinModules.includes(bare)) builtins.add(bare);
  return origLoad.call(this, request, parent, isMain);
};

const file = require('node:path').resolve(process.argv[2]);
const t0 = performance.now();
const ext = require(file);
const t1 = performance.now();
const context = {
  subscriptions: [],
  globalState: memento(),
  workspaceState: memento(),
  secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: stub },
  extensionUri: stub,
  extensionPath: require('node:path').dirname(file),
  extensionMode: 1,
  asAbsolutePath: (p) => p,
};
let activateError;
const failed = (e) => {
  activateError ??= String(e && e.stack || e);
};
let activated;
try {
  activated = ext.activate?.(context);
} catch (e) {
  failed(e);
}
// The synchronous part is timed; what activate() awaits (its storage files) cannot be, on this stub API.
const t2 = performance.now();
Promise.resolve(activated).catch(failed).finally(() => {
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, builtins: [...builtins].sort(), activateError }) + '\n');
});
