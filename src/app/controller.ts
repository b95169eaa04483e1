// Owns the runs the user starts (palette, context menu, panel), their history and the panel.
// Commands and the panel both come here; the chat participant and the LM tool use `execute` directly.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { readTimeouts } from '../config/network';
import { describeApiError, describeFailure } from './errors';
import type { SelectionRef } from './editorContext';
import { replaceSelection } from '../commands/editorActions';
import type { Log } from './log';
import { attachmentsLabel, sayTranslated } from './texts';
import { ATTACHMENTS, InputProblems } from '../run/inputForm';
import type { AppForm, AppSummary, EntryPatch, EntryView, ErrorView, FormValues, PanelState, WebviewMessage } from '../protocol';
import { isOpenableLink } from '../protocol';
import type { History } from '../run/history';
import { RunExecution } from '../run/runner';
import type { AppMode, FileRef, RunRequest } from '../providers/types';
import { isChatMode } from '../shared/model';
import { appForm, formInputs } from './appForm';
import { ChatPanel } from '../panel/panel';
import { TRUSTED_IMAGE_ORIGINS, imageOrigins, loadImage } from '../panel/panelImages';
import { PatchBatcher } from '../panel/patchBatcher';

const MAX_STARTED = 200;


export interface StartRun {
  app: AppProfile;
  mode: AppMode;
  inputs: Record<string, unknown>;
  query?: string;
  /** What the panel shows as the question. */
  question: string;
  inputsView?: Record<string, string>;
  selection?: SelectionRef;
  /** Continue the app's current conversation (chat-style apps). */
  continueConversation?: boolean;
  /** An explicit conversation to continue (the @dify participant keeps its own per chat thread). */
  conversationId?: string;
  /** The app's attachments (Dify `files` / sys.files, Flowise `uploads`). */
  files?: FileRef[];
}

/** The run with the app's attachments, listed by name among its inputs. */
export function withAttachments(s: StartRun, files: FileRef[], names: string[]): StartRun {
  return { ...s, files, inputsView: { ...s.inputsView, [attachmentsLabel()]: names.join(', ') } };
}

export interface Launched {
  entry: EntryView;
  run: RunExecution;
  done: Promise<EntryView>;
}

export interface LaunchOptions {
  showPanel?: boolean;
  /** Sees every patch of this run (the chat participant streams them into VS Code's chat). */
  observe?(patch: EntryPatch): void;
}

/** Hooks the glue around the controller provides (commands for actions, status bar). */
export interface ControllerHooks {
  onRunningChanged(running: { app: string; entryId: string }[]): void;
  /** Turns text typed in the panel (and the compact form's inputs, when it was shown) into a run; asks for
   * what is still missing when there are no form inputs. Throws InputProblems for invalid form values. */
  prepare?(app: AppProfile, text: string, inputs?: Record<string, unknown>): Promise<StartRun | undefined>;
  /** The compact form's "Choose…" on a file field: asks, uploads, returns the value and the names to show. */
  pickFiles?(app: AppProfile, variable: string): Promise<{ value: unknown; names: string[] } | undefined>;
  strings(): Record<string, string>;
}

interface Active {
  run: RunExecution;
  app: AppProfile;
  start: StartRun;
}

export class ChatController implements vscode.Disposable {
  readonly panel: ChatPanel;
  private readonly active = new Map<string, Active>();
  private readonly started = new Map<string, StartRun>();
  /** Whole answers longer than the panel shows (RUN_BOUNDS.liveAnswerChars), for "Open in New Editor": the last few. */
  private readonly fullAnswers = new Map<string, string>();
  private readonly batcher: PatchBatcher;
  private selectedApp?: string;
  /** The panel's last app pick applied here (sent back with the selection; see `selectApp`). */
  private pick?: number;
  private saveTimer?: NodeJS.Timeout;
  /** Files attached in the compact form, uploaded already: app → variable → value and names. */
  private readonly formFiles = new Map<string, Map<string, { value: unknown; names: string[] }>>();
  private readonly settingsWatch: vscode.Disposable;

  constructor(
    extensionUri: vscode.Uri,
    private readonly catalog: AppCatalog,
    private readonly history: History,
    private readonly log: Log,
    private readonly userId: string,
    private readonly hooks: ControllerHooks,
  ) {
    this.batcher = new PatchBatcher((patch) => this.panel.post({ type: 'entryPatch', patch }));
    this.panel = new ChatPanel(extensionUri, {
      state: () => this.panelState(),
      flushPending: () => this.batcher.flush(),
      strings: () => hooks.strings(),
      onMessage: (m) => void this.handle(m).catch((e) => this.log.write('error', `Panel action failed: ${(e as Error).message}`)),
    });
    // The origins whose images load without a click travel with the apps.
    this.settingsWatch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(TRUSTED_IMAGE_ORIGINS)) this.refreshApps();
    });
  }

  get running(): boolean {
    return this.active.size > 0;
  }

  /** Starts a run, shows it in the panel and resolves with the finished entry. */
  async start(s: StartRun, opts: LaunchOptions = {}): Promise<EntryView> {
    return (await this.launch(s, opts)).done;
  }

  /** Starts a run and returns at once with its entry, its execution (for Stop) and its completion. */
  async launch(s: StartRun, opts: LaunchOptions = {}): Promise<Launched> {
    const client = await this.catalog.client(s.app);
    const chat = isChatMode(s.mode);
    const conversationId = !chat ? undefined : s.conversationId ?? (s.continueConversation !== false ? this.history.conversationOf(s.app.name) : undefined);
    const request: RunRequest = { inputs: s.inputs, query: s.query, conversationId: conversationId || undefined, files: s.files?.length ? s.files : undefined, user: this.userId };
    const entry: EntryView = {
      id: randomUUID(),
      app: s.app.name,
      mode: s.mode,
      question: s.question,
      inputs: s.inputsView,
      conversationId: conversationId || undefined,
      answer: '',
      thinking: '',
      thinkingDone: false,
      nodes: [],
      status: 'running',
      startedAt: Date.now(),
      canReplaceSelection: !!s.selection,
    };
    if (this.selectedApp !== s.app.name && opts.showPanel !== false) {
      // The panel's composer follows the app the user just ran.
      this.selectedApp = s.app.name;
      this.refreshApps();
    }
    this.history.add(entry);
    this.started.set(entry.id, s);
    // What Retry / Replace Selection need is kept for recent runs only (Map order is insertion order).
    if (this.started.size > MAX_STARTED) this.started.delete(this.started.keys().next().value!);
    if (opts.showPanel !== false) this.panel.show();
    this.panel.post({ type: 'entryAdded', entry });
    const server = this.catalog.server(s.app);
    const ownConversation = s.conversationId === undefined;
    const run = new RunExecution(client, s.mode, request, entry, {
      onPatch: (p) => {
        this.onPatch(ownConversation ? s.app.name : undefined, p);
        opts.observe?.(p);
      },
      describeError: (e) => describeApiError(e, s.app.name, server),
      log: (level, message) => this.log.write(level, `[${s.app.name}] ${message}`),
      maxRunMs: readTimeouts().maxRunMs,
    });
    this.active.set(entry.id, { run, app: s.app, start: s });
    this.runningChanged();
    this.log.write('info', `[${s.app.name}] ${s.mode} run started (${server})`);
    const done = run.start().then(async () => {
      this.active.delete(entry.id);
      if (entry.answerCut) {
        this.fullAnswers.set(entry.id, run.state.fullAnswer);
        if (this.fullAnswers.size > 3) this.fullAnswers.delete(this.fullAnswers.keys().next().value!);
      }
      // The conversation is gone on the server (deleted, or the server was reset): the next question starts a new one.
      if (run.error?.status === 404 && request.conversationId && ownConversation) this.history.setConversation(s.app.name, undefined);
      this.runningChanged();
      this.batcher.flush();
      await this.history.save();
      this.log.write('info', `[${s.app.name}] run ended: ${entry.status}`);
      return entry;
    });
    return { entry, run, done };
  }

  /** Stops every active run (Dify: Stop, the panel's Stop, the status-bar item). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.values()].map((a) => a.run.stop()));
  }

  find(entryId: string): EntryView | undefined {
    return this.history.find(entryId);
  }

  /** The entry's whole answer, including what the live panel does not show. */
  fullAnswer(entryId: string): string | undefined {
    return this.active.get(entryId)?.run.state.fullAnswer ?? this.fullAnswers.get(entryId) ?? this.history.find(entryId)?.answer;
  }

  selectionOf(entryId: string): SelectionRef | undefined {
    return this.started.get(entryId)?.selection;
  }

  newConversation(appName?: string): void {
    const app = (appName && this.catalog.find(appName)) || this.currentApp();
    if (app) this.history.setConversation(app.name, undefined);
    this.panel.post({ type: 'entries', entries: [...this.history.entries], conversationId: undefined });
    void this.history.save();
  }

  /** A failure before a run started (no key, the server unreachable), shown in the panel where runs are. */
  failedBeforeRun(app: AppProfile, question: string, e: unknown): ErrorView {
    const view = this.failureView(app, e);
    this.showFailure(app, question, view);
    return view;
  }

  private failureView(app: AppProfile, e: unknown): ErrorView {
    if ((e as Error)?.name !== 'MissingKeyError') this.log.write('error', `[${app.name}] ${(e as Error)?.message ?? String(e)}`);
    return describeFailure(e, app.name, this.catalog.server(app));
  }

  /** Errors that happen before a run starts (no key, /parameters unreachable) shown like run errors. */
  private showFailure(app: AppProfile, question: string, error: ErrorView): void {
    const entry: EntryView = {
      id: randomUUID(), app: app.name, question, answer: '', thinking: '', thinkingDone: true, nodes: [],
      status: 'failed', error, startedAt: Date.now(), canReplaceSelection: false,
    };
    this.history.add(entry);
    this.panel.show();
    this.panel.post({ type: 'entryAdded', entry });
    void this.history.save();
  }

  refreshApps(): void {
    const app = this.currentApp();
    this.panel.post({
      type: 'apps', apps: this.appSummaries(), selectedApp: app?.name, opening: app && this.catalog.cachedOpening(app), form: app && this.formOf(app),
      pick: this.pick, imageOrigins: imageOrigins(this.catalog.apps()),
    });
  }

  /** The compact form for an app, if its /parameters (and mode) are known; no network. */
  private formOf(app: AppProfile): AppForm | undefined {
    const params = this.catalog.cachedParameters(app);
    const mode = this.catalog.cachedMode(app);
    if (!params || !mode) return undefined;
    const picked = this.formFiles.get(app.name);
    const files = picked ? Object.fromEntries([...picked].map(([variable, f]) => [variable, f.names])) : {};
    return appForm(app.name, params, app.inputs, isChatMode(mode), files, attachmentsLabel());
  }

  /** Loads what the composer shows for an app (opening statement, form) and sends it to the panel. */
  private async showApp(app: AppProfile): Promise<void> {
    await Promise.all([this.catalog.info(app), this.catalog.parameters(app)]).catch(() => undefined);
    if (this.currentApp()?.name === app.name) this.refreshApps(); // unless another app was selected meanwhile
  }

  /** The panel's Send: with the compact form's values when it was shown, else asking for what is missing. */
  private async send(app: AppProfile, text: string, raw: FormValues | undefined): Promise<void> {
    let inputs: Record<string, unknown> | undefined;
    let attached: { value: unknown; names: string[] } | undefined;
    if (raw) {
      const [params, info] = await Promise.all([this.catalog.parameters(app), this.catalog.info(app)]);
      const coerced = formInputs(params, app.inputs, isChatMode(info.mode), raw, sayTranslated);
      if (Object.keys(coerced.errors).length) {
        this.panel.post({ type: 'formErrors', app: app.name, errors: coerced.errors });
        return;
      }
      inputs = coerced.inputs;
      for (const [variable, f] of this.formFiles.get(app.name) ?? []) {
        if (variable === ATTACHMENTS) attached = f;
        else inputs[variable] = f.value;
      }
    }
    let start: StartRun | undefined;
    try {
      start = await this.hooks.prepare?.(app, text, inputs);
    } catch (e) {
      if (!(e instanceof InputProblems)) throw e;
      this.panel.post({ type: 'formErrors', app: app.name, errors: { '': e.problems.join(' ') } });
      return;
    }
    if (!start) return;
    this.panel.post({ type: 'formErrors', app: app.name, errors: {} });
    if (attached) {
      // Attachments go with this message only (as in a chat box); the app's file inputs stay for the next run.
      start = withAttachments(start, attached.value as FileRef[], attached.names);
      this.clearFiles(app, ATTACHMENTS);
    }
    await this.start({ ...start, continueConversation: true });
  }

  private async pickFiles(app: AppProfile, variable: string): Promise<void> {
    const picked = await this.hooks.pickFiles?.(app, variable);
    if (!picked) return;
    const files = this.formFiles.get(app.name) ?? new Map<string, { value: unknown; names: string[] }>();
    files.set(variable, picked);
    this.formFiles.set(app.name, files);
    this.panel.post({ type: 'formFiles', app: app.name, variable, files: picked.names });
  }

  /** Lets go of the files attached to a form field, in the host and in the panel. */
  private clearFiles(app: AppProfile, variable: string): void {
    this.formFiles.get(app.name)?.delete(variable);
    this.panel.post({ type: 'formFiles', app: app.name, variable, files: [] });
  }

  dispose(): void {
    void this.stopAll();
    this.batcher.dispose();
    this.settingsWatch.dispose();
    clearTimeout(this.saveTimer);
    void this.history.save();
    this.panel.dispose();
  }

  private onPatch(app: string | undefined, patch: EntryPatch): void {
    if (patch.conversationId && app) this.history.setConversation(app, patch.conversationId);
    this.batcher.push(patch);
    // Partial answers are persisted too, at most every two seconds while streaming.
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      void this.history.save();
    }, 2000);
  }

  private runningChanged(): void {
    this.hooks.onRunningChanged([...this.active.entries()].map(([entryId, a]) => ({ app: a.app.name, entryId })));
    this.panel.post({ type: 'running', running: this.running });
  }

  private currentApp(): AppProfile | undefined {
    const apps = this.catalog.apps();
    return apps.find((a) => a.name === this.selectedApp) ?? apps[0];
  }

  private appSummaries(): AppSummary[] {
    return this.catalog.apps().map((a) => ({ name: a.name, server: this.catalog.server(a), provider: a.provider, mode: this.catalog.cachedMode(a) }));
  }

  private panelState(): PanelState {
    const app = this.currentApp();
    return {
      apps: this.appSummaries(),
      selectedApp: app?.name,
      conversationId: app ? this.history.conversationOf(app.name) : undefined,
      entries: [...this.history.entries],
      running: this.running,
      opening: app && this.catalog.cachedOpening(app),
      form: app && this.formOf(app),
      pick: this.pick,
      imageOrigins: imageOrigins(this.catalog.apps()),
    };
  }

  /** Acts on a (validated) message from the panel. */
  async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // The composer's opening and form come from the app's /parameters: fetched once the panel is there.
        const app = this.currentApp();
        if (app && !this.formOf(app)) await this.showApp(app);
        return;
      }
      case 'pickFiles':
      case 'clearFiles': {
        const app = this.catalog.find(m.app);
        if (!app) return;
        if (m.type === 'pickFiles') return this.pickFiles(app, m.variable).catch((e) => this.showFailure(app, '', this.failureView(app, e)));
        this.clearFiles(app, m.variable);
        return;
      }
      case 'send': {
        const app = (m.app && this.catalog.find(m.app)) || this.currentApp();
        if (!app) {
          void vscode.commands.executeCommand('dify.addApp');
          return;
        }
        try {
          await this.send(app, m.text, m.inputs);
        } catch (e) {
          // No key, /info or /parameters unreachable: shown where the person typed, with its fix.
          this.showFailure(app, m.text, this.failureView(app, e));
        }
        return;
      }
      case 'stop':
        return this.stopAll();
      case 'retry': {
        const s = this.started.get(m.id);
        if (s) {
          await this.start(s);
        } else {
          const e = this.history.find(m.id);
          const app = e && this.catalog.find(e.app);
          if (e && app) await this.handle({ type: 'send', text: e.question, app: app.name });
        }
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        return;
      case 'insert':
        return void vscode.commands.executeCommand('dify.insertText', m.text);
      case 'replaceSelection':
        // The text the panel shows, not the raw answer (which can hold text the panel does not show).
        await replaceSelection(this, m.id, m.text);
        return;
      case 'loadImage':
        return this.panel.post(await loadImage(m.url, m.userAsked, this.catalog.apps(), (line) => this.log.write('warn', line)));
      case 'openInEditor':
        return void vscode.commands.executeCommand('dify.openInEditor', m.id);
      case 'openLink':
        if (isOpenableLink(m.href)) await vscode.env.openExternal(vscode.Uri.parse(m.href, true));
        else this.log.write('warn', `Blocked a link that is not http(s) from the panel.`);
        return;
      case 'newConversation':
        return this.newConversation();
      case 'selectApp': {
        if (m.pick !== undefined) this.pick = m.pick;
        const app = this.catalog.find(m.app);
        if (!app) return this.refreshApps(); // removed meanwhile: the panel shows what is selected instead
        this.selectedApp = app.name;
        this.refreshApps(); // at once: the panel learns its pick is applied (the form follows once fetched)
        if (!this.formOf(app)) await this.showApp(app);
        return;
      }
      case 'listConversations': {
        const app = this.currentApp();
        if (!app) return;
        const client = await this.catalog.client(app);
        const list = client.conversations ? await client.conversations(this.userId) : [];
        this.panel.post({ type: 'conversations', app: app.name, conversations: list });
        return;
      }
      case 'resumeConversation':
        return this.resume(m.conversationId);
      case 'errorAction':
        return this.errorAction(m.id, m.action);
    }
  }

  private async resume(conversationId: string): Promise<void> {
    const app = this.currentApp();
    if (!app) return;
    const client = await this.catalog.client(app);
    if (!client.messages) return;
    const messages = await client.messages(conversationId, this.userId);
    this.history.setConversation(app.name, conversationId);
    const mode = this.catalog.cachedMode(app);
    for (const msg of messages) {
      if (this.history.find(msg.id)) continue;
      this.history.add({
        id: msg.id, app: app.name, mode, question: msg.query, conversationId, answer: msg.answer, thinking: '',
        thinkingDone: true, nodes: [], status: 'succeeded', startedAt: msg.createdAt * 1000, canReplaceSelection: false,
      });
    }
    await this.history.save();
    this.panel.post({ type: 'entries', entries: [...this.history.entries], conversationId });
  }

  private async errorAction(entryId: string, action: string): Promise<void> {
    const entry = this.history.find(entryId);
    switch (action) {
      case 'setApiKey':
        return void vscode.commands.executeCommand('dify.setApiKey', entry?.app);
      case 'openSettings':
        return void vscode.commands.executeCommand('workbench.action.openSettings', 'dify');
      case 'showLog':
        return this.log.show();
      case 'addApp':
        return void vscode.commands.executeCommand('dify.addApp');
      case 'retry':
        return this.handle({ type: 'retry', id: entryId });
    }
  }
}
