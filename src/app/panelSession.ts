// The chat panel's state and what the person does in it: the single owner of the selected app, its form and the
// files attached to it; runs and history belong to Runs. The panel host (src/panel) delivers the webview's
// validated messages here and posts what this sends; it keeps no state of its own.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { defaultApp, type AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import type { AppForm, AppSummary, ContextChip, FormValues, HostMessage, PanelState, WebviewMessage } from '../protocol';
import { isOpenableLink } from '../protocol';
import type { FileRef } from '../providers/types';
import { ATTACHMENTS, InputProblems } from '../run/inputForm';
import type { EntryPatch, EntryView } from '../shared/entry';
import { isChatMode } from '../shared/model';
import { appForm, formInputs } from './appForm';
import type { ConversationService } from './conversationService';
import { withContextBlocks, type ContextBlock } from './editorContext';
import type { Log } from './log';
import { PanelConversations } from './panelConversations';
import { withAttachments, type Runs, type RunsListener, type StartRun } from './runs';
import { attachmentsLabel, sayTranslated } from './texts';
import { describeFailure } from './errors';
import type { HumanInputs, PickedFormFiles } from './humanInput';
import type { HumanInputField } from '../shared/model';

/** What the panel host does for the session: post to the webview (dropped while it is not loaded), reveal it. */
export interface PanelPort {
  post(message: HostMessage): void;
  show(preserveFocus?: boolean): void;
}

/** What the session asks of the glue around it. */
export interface PanelSessionHooks {
  /** Turns text typed in the panel (and the compact form's inputs, when it was shown) into a run; asks for
   * what is still missing when there are no form inputs. Throws InputProblems for invalid form values. */
  prepare(app: AppProfile, text: string, inputs?: Record<string, unknown>): Promise<StartRun | undefined>;
  /** The compact form's "Choose…" on a file field: asks, uploads, returns the value and the names to show. */
  pickFiles(app: AppProfile, variable: string): Promise<{ value: unknown; names: string[] } | undefined>;
  /** Origins whose images load without a click. */
  imageOrigins(): string[];
  /** "Choose…" on a waiting form's file input: asks, uploads, returns the value and the names to show. */
  pickFormFiles(app: AppProfile, field: HumanInputField): Promise<PickedFormFiles | undefined>;
}

interface PickedFiles {
  value: unknown;
  names: string[];
}

export class PanelSession implements RunsListener {
  private selectedApp?: string;
  /** The panel's last app pick applied here (sent back with the selection; see `selectApp`). */
  private pick?: number;
  /** Files attached in the compact form, uploaded already: app → variable → value and names. */
  private readonly formFiles = new Map<string, Map<string, PickedFiles>>();
  /** Context added to go with the next message ("Add Selection to Dify Chat"), by id. */
  private readonly contexts = new Map<string, ContextBlock>();
  private readonly conversationList: PanelConversations;

  constructor(
    private readonly catalog: AppCatalog,
    private readonly runs: Runs,
    private readonly log: Log,
    private readonly port: PanelPort,
    private readonly hooks: PanelSessionHooks,
    private readonly forms: HumanInputs,
    conversations: ConversationService,
  ) {
    runs.listen(this);
    this.conversationList = new PanelConversations(conversations, port);
  }

  /** Shows the chat at the entry's waiting form (the palette's "Answer Waiting Form…", @dify's button). */
  revealForm(entryId: string, nodeId?: string): void {
    this.port.show(false);
    this.port.post({ type: 'revealForm', id: entryId, nodeId });
  }

  /** Everything the webview shows, for a (re)load. */
  state(): PanelState {
    const app = this.currentApp();
    return {
      apps: this.appSummaries(),
      selectedApp: app?.name,
      conversationId: app ? this.runs.conversationOf(app.name) : undefined,
      entries: [...this.runs.entries],
      running: this.runs.running,
      opening: app && this.catalog.cachedOpening(app),
      form: app && this.formOf(app),
      pick: this.pick,
      imageOrigins: this.hooks.imageOrigins(),
      contexts: this.chips(),
    };
  }

  /** Adds text to go with the next message (shown as a removable chip), and shows the chat. */
  addContext(block: ContextBlock): void {
    this.contexts.set(randomUUID(), block);
    this.port.show(false);
    this.port.post({ type: 'contexts', contexts: this.chips() });
  }

  private chips(): ContextChip[] {
    return [...this.contexts].map(([id, b]) => ({ id, name: b.name }));
  }

  /** Sends the apps, the selected one and what its composer shows (after settings changed, or an app was run). */
  refreshApps(): void {
    const app = this.currentApp();
    this.port.post({
      type: 'apps', apps: this.appSummaries(), selectedApp: app?.name, opening: app && this.catalog.cachedOpening(app), form: app && this.formOf(app),
      pick: this.pick, imageOrigins: this.hooks.imageOrigins(), conversationId: app && this.runs.conversationOf(app.name),
    });
  }

  // ---- what the runs say ---------------------------------------------------------------------------------

  entryAdded(entry: EntryView, show: boolean): void {
    if (show) this.port.show();
    this.port.post({ type: 'entryAdded', entry });
  }

  patched(patch: EntryPatch): void {
    this.port.post({ type: 'entryPatch', patch });
  }

  entriesChanged(conversationId: string | undefined): void {
    this.port.post({ type: 'entries', entries: [...this.runs.entries], conversationId });
  }

  runningChanged(): void {
    this.port.post({ type: 'running', running: this.runs.running });
  }

  appRan(app: AppProfile): void {
    if (this.selectedApp === app.name) return;
    this.selectedApp = app.name;
    this.refreshApps();
  }

  // ---- what the person does ------------------------------------------------------------------------------

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
        if (m.type === 'pickFiles') return this.pickFiles(app, m.variable).catch((e) => void this.runs.failedBeforeRun(app, '', e));
        this.clearFiles(app, m.variable);
        return;
      }
      case 'send': {
        const app = (m.app && this.catalog.find(m.app)) || this.currentApp();
        if (!app) return void vscode.commands.executeCommand('dify.addApp');
        // No key, /info or /parameters unreachable: shown where the person typed, with its fix.
        return this.send(app, m.text, m.inputs).catch((e) => void this.runs.failedBeforeRun(app, m.text, e));
      }
      case 'stop':
        return this.runs.stopAll();
      case 'retry':
        return this.retry(m.id);
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        return;
      case 'insert':
        return void vscode.commands.executeCommand('dify.insertText', m.text);
      case 'replaceSelection':
        // The text the panel shows, not the raw answer (which can hold text the panel does not show).
        return void vscode.commands.executeCommand('dify.replaceSelection', m.id, m.text);
      case 'openInEditor':
        return void vscode.commands.executeCommand('dify.openInEditor', m.id);
      case 'applyCode':
        return void vscode.commands.executeCommand('dify.applyCode', { text: m.text, target: m.target, entryId: m.id, info: m.info });
      case 'openLink':
        if (isOpenableLink(m.href)) await vscode.env.openExternal(vscode.Uri.parse(m.href, true));
        else this.log.write('warn', `Blocked a link that is not http(s) from the panel.`);
        return;
      case 'newConversation':
        return this.runs.newConversation(this.currentApp());
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
        if (app) await this.conversationList.list(app, m.lastId);
        return;
      }
      case 'conversationAction': {
        const app = this.currentApp();
        if (app) await this.conversationList.act(app, m.action, m.conversationId);
        return;
      }
      case 'resumeConversation': {
        const app = this.currentApp();
        if (app) await this.runs.resume(app, m.conversationId);
        return;
      }
      case 'errorAction':
        return this.errorAction(m.id, m.action);
      case 'removeContext':
        this.contexts.delete(m.id);
        this.port.post({ type: 'contexts', contexts: this.chips() });
        return;
      case 'rate':
        return this.runs.rate(m.id, m.rating, m.content).catch((e: Error) => void vscode.window.showWarningMessage(e.message));
      case 'answerForm': {
        const errors = await this.forms.answer(m.id, m.nodeId, m.action, m.values);
        this.port.post({ type: 'humanInputErrors', id: m.id, nodeId: m.nodeId, errors });
        return;
      }
      case 'pickFormFiles':
      case 'clearFormFiles':
        return this.pickOrClearFormFiles(m.type === 'pickFormFiles', m.id, m.nodeId, m.name);
      case 'loadImage':
        return; // the panel host answers these itself (src/panel/panelImages.ts)
    }
  }

  /** Runs an entry again as it was started, or asks its question again when that is no longer known. */
  private async retry(entryId: string): Promise<void> {
    if (await this.runs.retry(entryId)) return;
    const e = this.runs.find(entryId);
    const app = e && this.catalog.find(e.app);
    if (e && app) await this.handle({ type: 'send', text: e.question, app: app.name });
  }

  /** The panel's Send: with the compact form's values when it was shown, else asking for what is missing. The
   * context added for this message goes with it, after the text. */
  private async send(app: AppProfile, typed: string, raw: FormValues | undefined): Promise<void> {
    const text = withContextBlocks(typed, [...this.contexts.values()]);
    let inputs: Record<string, unknown> | undefined;
    let attached: PickedFiles | undefined;
    if (raw) {
      const [params, info] = await Promise.all([this.catalog.parameters(app), this.catalog.info(app)]);
      const coerced = formInputs(params, app.inputs, isChatMode(info.mode), raw, sayTranslated);
      if (Object.keys(coerced.errors).length) {
        this.port.post({ type: 'formErrors', app: app.name, errors: coerced.errors });
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
      start = await this.hooks.prepare(app, text, inputs);
    } catch (e) {
      if (!(e instanceof InputProblems)) throw e;
      this.port.post({ type: 'formErrors', app: app.name, errors: { '': e.problems.join(' ') } });
      return;
    }
    if (!start) return;
    this.port.post({ type: 'formErrors', app: app.name, errors: {} });
    if (attached) {
      // Attachments go with this message only (as in a chat box); the app's file inputs stay for the next run.
      start = withAttachments(start, attached.value as FileRef[], attached.names);
      this.clearFiles(app, ATTACHMENTS);
    }
    if (this.contexts.size) {
      this.contexts.clear();
      this.port.post({ type: 'contexts', contexts: [] });
    }
    await this.runs.start({ ...start, continueConversation: true });
  }

  /** A waiting form's file input: files chosen (uploaded now) or let go of; the panel shows their names. */
  private async pickOrClearFormFiles(pick: boolean, entryId: string, nodeId: string, name: string): Promise<void> {
    const waiting = this.forms.find(entryId, nodeId);
    const field = waiting?.form.fields.find((f) => f.name === name && (f.kind === 'file' || f.kind === 'file-list'));
    const app = waiting && this.catalog.find(waiting.entry.app);
    if (!waiting || !field || !app) return;
    if (pick) {
      const picked = await this.hooks.pickFormFiles(app, field).catch((e: unknown) => {
        void vscode.window.showErrorMessage(describeFailure(e, app.name, this.catalog.server(app)).message);
        return undefined;
      });
      if (!picked) return;
      this.forms.setFiles(entryId, nodeId, name, picked);
    } else {
      this.forms.setFiles(entryId, nodeId, name, undefined);
    }
    this.port.post({ type: 'humanInputFiles', id: entryId, nodeId, name, files: this.forms.filesOf(entryId, nodeId, name)?.names ?? [] });
  }

  private async pickFiles(app: AppProfile, variable: string): Promise<void> {
    const picked = await this.hooks.pickFiles(app, variable);
    if (!picked) return;
    const files = this.formFiles.get(app.name) ?? new Map<string, PickedFiles>();
    files.set(variable, picked);
    this.formFiles.set(app.name, files);
    this.port.post({ type: 'formFiles', app: app.name, variable, files: picked.names });
  }

  /** Lets go of the files attached to a form field, in the host and in the panel. */
  private clearFiles(app: AppProfile, variable: string): void {
    this.formFiles.get(app.name)?.delete(variable);
    this.port.post({ type: 'formFiles', app: app.name, variable, files: [] });
  }

  /** The compact form for an app, if its /parameters (and mode) are known; no network. */
  private formOf(app: AppProfile): AppForm | undefined {
    const params = this.catalog.cachedParameters(app);
    const mode = this.catalog.cachedMode(app);
    if (!params || !mode) return undefined;
    const picked = this.formFiles.get(app.name);
    const files = picked ? Object.fromEntries([...picked].map(([variable, f]) => [variable, f.names])) : {};
    const form = appForm(app.name, params, app.inputs, isChatMode(mode), files, attachmentsLabel());
    // The app's own words around its message box, from its web site's settings (a chat's question only).
    const site = this.catalog.cachedSite(app);
    if (site?.inputPlaceholder && isChatMode(mode)) form.placeholder = site.inputPlaceholder;
    if (site?.disclaimer) form.disclaimer = site.disclaimer;
    return form;
  }

  /** Loads what the composer shows for an app (opening statement, form, its site's placeholder and disclaimer) and
   * sends it to the panel. */
  private async showApp(app: AppProfile): Promise<void> {
    await Promise.all([this.catalog.info(app), this.catalog.parameters(app), this.catalog.site(app)]).catch(() => undefined);
    if (this.currentApp()?.name === app.name) this.refreshApps(); // unless another app was selected meanwhile
  }

  private async errorAction(entryId: string, action: string): Promise<void> {
    const entry = this.runs.find(entryId);
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
        return this.retry(entryId);
    }
  }

  private currentApp(): AppProfile | undefined {
    const apps = this.catalog.apps();
    return apps.find((a) => a.name === this.selectedApp) ?? defaultApp(apps) ?? apps[0];
  }

  private appSummaries(): AppSummary[] {
    return this.catalog.apps().map((a) => ({ name: a.name, server: this.catalog.server(a), provider: a.provider, mode: this.catalog.cachedMode(a) }));
  }
}
