// The commands users run: palette, context menu, panel and status bar all end up here.
import * as vscode from 'vscode';
import { defaultApp, serverLabel, type AppProfile } from '../config/apps';
import { isInsecureRemote } from '../config/network';
import type { Runs, StartRun } from '../app/runs';
import { addApp, pickApp, removeAppCommand, setApiKey, showError, testConnection, type SetupDeps } from './appSetup';
import { captureEditorContext, selectionBlock, type ContextBlock } from '../app/editorContext';
import { insertAtCursor, openInEditor, replaceSelection, type ApplyRequest } from './editorActions';
import { Proposals } from './proposals';
import { prepareRun, type RunOrigin } from '../app/runPreparation';
import { answerWaitingForm, type FormCommandDeps } from './humanInput';

export interface CommandDeps extends SetupDeps {
  runs: Runs;
  userId: string;
  /** Reveals the chat panel (Open Dify Chat). */
  showPanel(): void;
  /** Puts text into the chat's composer, to go with the next message. */
  addContext(block: ContextBlock): void;
  /** Paused runs' forms: answering them, and showing one in the panel. */
  forms: Omit<FormCommandDeps, 'find'>;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const reg = vscode.commands.registerCommand;
  const proposals = new Proposals(deps.runs);
  return [
    proposals,
    // Both take a keybinding's arguments: an app's name, or `{ app, inputs }` (inputs that are then not asked for).
    reg('dify.run', async (args?: unknown) => {
      const target = runTarget(args);
      const app = (target.app && findOrSay(deps, target.app)) || (target.app ? undefined : await pickApp(deps.catalog, vscode.l10n.t('Run which Dify app?')));
      if (app) await runFromEditor(deps, app, { kind: 'palette', inputs: target.inputs });
    }),
    reg('dify.askSelection', async (args?: unknown) => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Select some text in an editor first, then ask Dify about it.'));
        return;
      }
      const target = runTarget(args);
      const app = target.app
        ? findOrSay(deps, target.app)
        : (defaultApp(deps.catalog.apps()) ?? (await pickApp(deps.catalog, vscode.l10n.t('Ask which Dify app? (Set "dify.defaultApp" to skip this step.)'))));
      if (app) await runFromEditor(deps, app, { kind: 'selection', inputs: target.inputs });
    }),
    reg('dify.openChat', () => deps.showPanel()),
    reg('dify.addSelectionToChat', () => {
      const editor = vscode.window.activeTextEditor;
      const block = editor && selectionBlock(editor);
      if (block) deps.addContext(block);
      else void vscode.window.showInformationMessage(vscode.l10n.t('Select some text in an editor first, then add it to the chat.'));
    }),
    reg('dify.stop', () => deps.runs.stopAll()),
    reg('dify.answerForm', (entryId?: unknown) => answerWaitingForm({ ...deps.forms, find: (name) => deps.catalog.find(name) }, entryId)),
    // @dify's "Show in Chat Panel" (not in the palette).
    reg('dify.revealForm', (entryId?: unknown) => typeof entryId === 'string' && deps.forms.revealForm(entryId)),
    reg('dify.showLog', () => deps.log.show()),
    reg('dify.setApiKey', (appName?: string) => setApiKey(deps, typeof appName === 'string' ? appName : undefined)),
    reg('dify.addApp', () => addApp(deps)),
    reg('dify.removeApp', () => removeAppCommand(deps)),
    reg('dify.testConnection', (appName?: string) => testConnection(deps, typeof appName === 'string' ? appName : undefined)),
    // Used by the panel's actions (not in the palette).
    reg('dify.insertText', (text: string) => insertAtCursor(String(text ?? ''))),
    reg('dify.replaceSelection', (entryId: string, text: string) => replaceSelection(deps.runs, String(entryId), String(text ?? ''))),
    reg('dify.openInEditor', (entryId: string) => openInEditor(deps.runs, String(entryId))),
    reg('dify.applyCode', (request: ApplyRequest) => proposals.propose(request)),
    reg('dify.applyChange', () => proposals.decideActive(true)),
    reg('dify.discardChange', () => proposals.decideActive(false)),
  ];
}

/** A command's arguments as a keybinding gives them: an app's name, or `{ app, inputs }`; anything else is ignored. */
function runTarget(args: unknown): { app?: string; inputs?: Record<string, unknown> } {
  if (typeof args === 'string') return { app: args };
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return {};
  const a = args as { app?: unknown; inputs?: unknown };
  const inputs = typeof a.inputs === 'object' && a.inputs !== null && !Array.isArray(a.inputs) ? (a.inputs as Record<string, unknown>) : undefined;
  return { app: typeof a.app === 'string' ? a.app : undefined, inputs };
}

/** The app a keybinding names, or a message that there is none such (with the configured names). */
function findOrSay(deps: CommandDeps, name: string): AppProfile | undefined {
  const app = deps.catalog.find(name);
  if (!app) {
    const names = deps.catalog.apps().map((a) => a.name);
    void vscode.window.showErrorMessage(vscode.l10n.t('No Dify app named "{0}". Configured apps: {1}.', name, names.join(', ') || vscode.l10n.t('none')));
  }
  return app;
}

/** Prepares and starts a run from the active editor; every failure ends in one message with its action. */
export async function runFromEditor(deps: CommandDeps, app: AppProfile, origin: RunOrigin): Promise<StartRun | undefined> {
  const ctx = captureEditorContext();
  let start: StartRun | undefined;
  try {
    warnIfInsecure(app);
    start = await prepareRun(deps.catalog, deps.userId, app, ctx, origin).catch(async (e: unknown) => {
      // A first run asks for the key right there, then goes on: no detour through a notification.
      if ((e as Error)?.name !== 'MissingKeyError' || !(await setApiKey(deps, app.name))) throw e;
      return prepareRun(deps.catalog, deps.userId, app, ctx, origin);
    });
  } catch (e) {
    // In the panel too, where the person looks for the answer, with the same fix.
    deps.runs.failedBeforeRun(app, origin.kind === 'text' ? origin.text : '', e);
    await showError(deps, app, e);
    return undefined;
  }
  if (!start) return undefined;
  start.selection = ctx.selectionRef;
  await startWithProgress(deps, start);
  return start;
}

export async function startWithProgress(deps: CommandDeps, start: StartRun): Promise<void> {
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Dify: running {0}', start.app.name) },
      () => deps.runs.start(start),
    );
  } catch (e) {
    await showError(deps, start.app, e);
  }
}

const warned = new Set<string>();

/** Warns once per session when a key would go over plain http:// to another machine. */
function warnIfInsecure(app: AppProfile): void {
  if (!isInsecureRemote(app.baseUrl) || warned.has(app.name)) return;
  warned.add(app.name);
  void vscode.window.showWarningMessage(
    vscode.l10n.t('"{0}" sends its API key over plain http:// to {1}. Use https:// if the server offers it.', app.name, serverLabel(app)),
  );
}
