// Wiring only: builds the services and registers commands, the panel serializer and chat integrations.
import * as vscode from 'vscode';
import { PanelSession } from './app/panelSession';
import { Runs, type StartRun } from './app/runs';
import { registerLanguageModels } from './chat/languageModels';
import { registerLmTool } from './chat/lmTool';
import { CHAT_VIEW_ID, ChatPanel, PANEL_VIEW_TYPE } from './panel/panel';
import { imageOrigins, loadImage, TRUSTED_IMAGE_ORIGINS } from './panel/panelImages';
import { handleChatRequest, registerParticipant } from './chat/participant';
import { AppCatalog } from './config/catalog';
import { HistoryFile } from './config/historyFile';
import { KeyStore } from './config/secrets';
import { DestinationGuard } from './config/trust';
import { loadUserId } from './config/userId';
import { registerCommands, type CommandDeps } from './commands/commands';
import { registerConversationCommands, vscodePrompts, type ConversationPrompts } from './commands/conversations';
import { RecentRuns } from './commands/recentRuns';
import { ConversationService } from './app/conversationService';
import { FollowUpQuestions } from './app/followUps';
import { WorkflowRuns } from './app/workflowRuns';
import { captureEditorContext } from './app/editorContext';
import { Log } from './app/log';
import { pickFormFiles, pickHumanInputFiles, prepareRun } from './app/runPreparation';
import { HumanInputs } from './app/humanInput';
import { RunStatusBar } from './commands/statusBar';
import { webviewStrings } from './panel/webviewStrings';
import { History, type HistoryStore } from './run/history';

/** Handed to the extension's own tests only (ExtensionMode.Test); other extensions get nothing. */
export interface TestApi {
  runs: Runs;
  session: PanelSession;
  panel: ChatPanel;
  catalog: AppCatalog;
  history: History;
  /** Paused runs' forms, and following runs again after a reload. */
  forms: HumanInputs;
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
  /** Another app layer over a history store, as the next window builds it after a reload (re-attaching, tested). */
  appLayer(store: HistoryStore): Promise<{ history: History; runs: Runs; forms: HumanInputs }>;
  conversations: ConversationService;
  /** What the conversation commands ask; tests replace its methods (they cannot type into VS Code's prompts). */
  conversationPrompts: ConversationPrompts;
  followUps: FollowUpQuestions;
  recentRuns: RecentRuns;
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
  const runs = new Runs(catalog, history, log, userId);
  const forms = new HumanInputs(catalog, runs, log, userId, history.interrupted);
  runs.listen({ runningChanged: (running) => statusBar.update(running) });
  const conversations = new ConversationService(catalog, runs, log, userId);
  const followUps = new FollowUpQuestions(catalog, runs, log, userId);
  const recentRuns = new RecentRuns(new WorkflowRuns(catalog, runs, log));
  const conversationPrompts: ConversationPrompts = { ...vscodePrompts };
  // The panel host and its session know each other only through these two objects.
  const panel: ChatPanel = new ChatPanel(context.extensionUri, {
    state: () => session.state(),
    strings: webviewStrings,
    onMessage: (m) => void session.handle(m).catch((e: Error) => log.write('error', `Panel action failed: ${e.message}`)),
    loadImage: (url, userAsked) => loadImage(url, userAsked, catalog.apps(), (line) => log.write('warn', line)),
  });
  const session: PanelSession = new PanelSession(catalog, runs, log, panel, {
    prepare: (app, text, inputs) => prepareRun(catalog, userId, app, captureEditorContext(), { kind: 'text', text, inputs }),
    pickFiles: (app, variable) => pickFormFiles(catalog, userId, app, captureEditorContext(), variable),
    imageOrigins: () => imageOrigins(catalog.apps()),
    pickFormFiles: (app, field) => pickHumanInputFiles(catalog, userId, app, captureEditorContext(), field),
  }, forms, conversations);
  const deps: CommandDeps = {
    catalog, keys, guard, log, runs, userId,
    onAppsChanged: () => {
      session.refreshApps();
      recentRuns.refresh();
    },
    showPanel: () => panel.showPanel(false),
    addContext: (block) => session.addContext(block),
    forms: {
      forms,
      pickFiles: (app, field) => pickHumanInputFiles(catalog, userId, app, captureEditorContext(), field),
      revealForm: (entryId, nodeId) => session.revealForm(entryId, nodeId),
    },
  };

  const chatDeps = { catalog, runs, userId, extensionUri: context.extensionUri };
  // VS Code's chat, agent tools and language models are optional: where the APIs are missing the rest works unchanged.
  for (const d of [registerParticipant(chatDeps), registerLmTool(chatDeps), registerLanguageModels(chatDeps)]) if (d) context.subscriptions.push(d);

  context.subscriptions.push(
    log,
    catalog,
    statusBar,
    runs,
    panel,
    ...registerCommands(deps),
    ...registerConversationCommands({ ...deps, conversations, prompts: conversationPrompts, showPanel: () => panel.show(false) }),
    ...recentRuns.register(),
    // A key set (or removed) changes what the Recent Runs view can list.
    context.secrets.onDidChange(() => recentRuns.refresh()),
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, panel),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (restored) => panel.restore(restored),
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (['dify.apps', 'dify.defaultApp', TRUSTED_IMAGE_ORIGINS].some((s) => e.affectsConfiguration(s))) session.refreshApps();
    }),
  );
  // Runs that were going on or waiting when the window went away: followed again (in the background).
  void forms.reattach();
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return {
    runs, session, panel, catalog, history, forms, keys, guard, secrets: context.secrets, log, userId, globalStorage: context.globalStorageUri,
    conversations, conversationPrompts, followUps, recentRuns,
    chat: (req, ctx, stream, token) => handleChatRequest(chatDeps, req, ctx, stream, token),
    prepare: async (name, text, inputs) => {
      const app = catalog.find(name);
      if (!app) throw new Error(`no app ${name}`);
      return prepareRun(catalog, userId, app, captureEditorContext(), { kind: 'text', text, inputs }, false);
    },
    appLayer: async (store) => {
      const h = await History.load(store);
      const r = new Runs(catalog, h, log, userId);
      return { history: h, runs: r, forms: new HumanInputs(catalog, r, log, userId, h.interrupted) };
    },
  };
}

export async function deactivate(): Promise<void> {
  await saveHistory?.();
}
