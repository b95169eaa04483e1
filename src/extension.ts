// Wiring only: builds the services and registers commands, the panel serializer and chat integrations.
import * as vscode from 'vscode';
import { ChatController, type StartRun } from './app/controller';
import { registerLmTool } from './chat/lmTool';
import { PANEL_VIEW_TYPE } from './panel/panel';
import { handleChatRequest, registerParticipant } from './chat/participant';
import { AppCatalog } from './config/catalog';
import { HistoryFile } from './config/historyFile';
import { KeyStore } from './config/secrets';
import { DestinationGuard } from './config/trust';
import { loadUserId } from './config/userId';
import { registerCommands, type CommandDeps } from './commands/commands';
import { captureEditorContext } from './app/editorContext';
import { Log } from './app/log';
import { pickFormFiles, prepareRun } from './app/runPreparation';
import { RunStatusBar } from './commands/statusBar';
import { webviewStrings } from './panel/webviewStrings';
import { History } from './run/history';

/** Handed to the extension's own tests only (ExtensionMode.Test); other extensions get nothing. */
export interface TestApi {
  controller: ChatController;
  catalog: AppCatalog;
  history: History;
  keys: KeyStore;
  /** Its `ask` is replaced by tests: they cannot click a modal dialog. */
  guard: DestinationGuard;
  /** The raw secret storage (what earlier versions left there). */
  secrets: vscode.SecretStorage;
  log: Log;
  userId: string;
  /** Where the user id (and, in a window without a folder, the history) is kept. */
  globalStorage: vscode.Uri;
  /** The @dify handler with the extension's own services (VS Code's chat UI cannot be driven from tests). */
  chat(req: vscode.ChatRequest, ctx: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult>;
  /** Prepares a run of a configured app as the panel's composer does (no prompts). */
  prepare(app: string, text: string, inputs?: Record<string, unknown>): Promise<StartRun | undefined>;
}

/** The last save on the way out (a window closed or reloaded mid-stream keeps the partial answer). */
let saveHistory: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> {
  const log = new Log();
  const keys = new KeyStore(context.secrets);
  const guard = new DestinationGuard(keys, context.workspaceState);
  const catalog = new AppCatalog(keys, guard, context.globalState, (level, m) => log.write(level, m), (key) => log.addSecret(key));
  // Both read from files of the extension's storage folders, at once.
  const [userId, history] = await Promise.all([
    loadUserId(context.globalStorageUri, context.globalState, (e) => log.write('warn', `Could not keep the user id Dify is sent: ${e.message}`)),
    History.load(new HistoryFile(context.storageUri ?? context.globalStorageUri, context.workspaceState), {
      onError: (e, doing) => log.write('warn', `Could not ${doing} the panel's history: ${e.message}`),
    }),
  ]);
  saveHistory = () => history.save();
  const statusBar = new RunStatusBar();
  const controller: ChatController = new ChatController(context.extensionUri, catalog, history, log, userId, {
    onRunningChanged: (running) => statusBar.update(running),
    strings: webviewStrings,
    prepare: (app, text, inputs) => prepareRun(catalog, userId, app, captureEditorContext(), { kind: 'text', text, inputs }),
    pickFiles: (app, variable) => pickFormFiles(catalog, userId, app, captureEditorContext(), variable),
  });
  const deps: CommandDeps = { catalog, keys, guard, log, controller, userId, onAppsChanged: () => controller.refreshApps() };

  const chatDeps = { catalog, controller, userId, extensionUri: context.extensionUri };
  // VS Code's chat and agent tools are optional: where the APIs are missing the rest works unchanged.
  for (const d of [registerParticipant(chatDeps), registerLmTool(chatDeps)]) if (d) context.subscriptions.push(d);

  context.subscriptions.push(
    log,
    catalog,
    statusBar,
    controller,
    ...registerCommands(deps),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => controller.panel.restore(panel),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dify.apps') || e.affectsConfiguration('dify.defaultApp')) controller.refreshApps();
    }),
  );
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return {
    controller, catalog, history, keys, guard, secrets: context.secrets, log, userId, globalStorage: context.globalStorageUri,
    chat: (req, ctx, stream, token) => handleChatRequest(chatDeps, req, ctx, stream, token),
    prepare: async (name, text, inputs) => {
      const app = catalog.find(name);
      if (!app) throw new Error(`no app ${name}`);
      return prepareRun(catalog, userId, app, captureEditorContext(), { kind: 'text', text, inputs }, false);
    },
  };
}

export async function deactivate(): Promise<void> {
  await saveHistory?.();
}
