// The runs of this window: starting them (from the palette, the editor, the panel, @dify, the agent tool), stopping
// and retrying them, their history, and what a failure before a run shows. The one owner of runs and history; the
// adapters (panel, commands, chat) listen and ask, and never keep runs of their own.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { readTimeouts } from '../config/network';
import { providerOf } from '../providers/registry';
import type { AppClient, FileRef, Rating, RunEvent, RunRequest } from '../providers/types';
import type { History } from '../run/history';
import { RunExecution } from '../run/runner';
import { applyPatch, type EntryPatch, type EntryView, type ErrorView } from '../shared/entry';
import { isChatMode, type AppMode } from '../shared/model';
import type { SelectionRef } from './editorContext';
import { describeApiError, describeFailure } from './errors';
import type { Log } from './log';
import { attachmentsLabel } from './texts';

/** How many recent runs keep what Retry and Replace Selection need. */
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
  /** Show the run in the panel (default); @dify and the agent tool run without it. */
  showPanel?: boolean;
  /** Sees every patch of this run (the chat participant streams them into VS Code's chat). */
  observe?(patch: EntryPatch): void;
}

/** What the runs tell whoever shows them (the panel session, the status bar). */
export interface RunsListener {
  /** A new entry; `show`: the person should see it (reveal the panel). */
  entryAdded?(entry: EntryView, show: boolean): void;
  patched?(patch: EntryPatch): void;
  /** The list of entries changed as a whole (a conversation resumed, a new one started). */
  entriesChanged?(conversationId: string | undefined): void;
  runningChanged?(running: { app: string; entryId: string }[]): void;
  /** The person ran this app from somewhere: the panel's composer follows it. */
  appRan?(app: AppProfile): void;
  /** A run ended (in any way); `shown`: it was started to be seen in the panel. */
  finished?(entry: EntryView, app: AppProfile, shown: boolean): void;
}

interface Active {
  run: RunExecution;
  app: AppProfile;
  /** Its provider can follow the run again after a reload (it goes on on the server when the window goes away). */
  resumable: boolean;
}

export class Runs implements vscode.Disposable {
  private readonly active = new Map<string, Active>();
  private readonly started = new Map<string, StartRun>();
  /** Whole answers longer than the panel shows (RUN_BOUNDS.liveAnswerChars), for "Open in New Editor": the last few. */
  private readonly fullAnswers = new Map<string, string>();
  private readonly listeners: RunsListener[] = [];
  private saveTimer?: NodeJS.Timeout;

  constructor(
    private readonly catalog: AppCatalog,
    private readonly history: History,
    private readonly log: Log,
    private readonly userId: string,
  ) {}

  /** Adds a listener (for the window's lifetime). */
  listen(listener: RunsListener): void {
    this.listeners.push(listener);
  }

  get running(): boolean {
    return this.active.size > 0;
  }

  get entries(): readonly EntryView[] {
    return this.history.entries;
  }

  /** The conversation the app's follow-ups continue. */
  conversationOf(app: string): string | undefined {
    return this.history.conversationOf(app);
  }

  /** Starts a run, shows it in the panel and resolves with the finished entry. */
  async start(s: StartRun, opts: LaunchOptions = {}): Promise<EntryView> {
    return (await this.launch(s, opts)).done;
  }

  /** Starts a run and returns at once with its entry, its execution (for Stop) and its completion. */
  async launch(s: StartRun, opts: LaunchOptions = {}): Promise<Launched> {
    const client = await this.catalog.client(s.app);
    const chat = isChatMode(s.mode);
    const conversationId = !chat ? undefined : (s.conversationId ?? (s.continueConversation !== false ? this.history.conversationOf(s.app.name) : undefined));
    const request: RunRequest = { inputs: s.inputs, query: s.query, conversationId: conversationId || undefined, files: s.files?.length ? s.files : undefined, user: this.userId };
    const entry: EntryView = {
      id: randomUUID(), app: s.app.name, mode: s.mode, question: s.question, inputs: s.inputsView, conversationId: conversationId || undefined,
      answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'running', startedAt: Date.now(), canReplaceSelection: !!s.selection,
      rateable: client.feedback ? providerOf(s.app.provider).feedback : undefined,
    };
    const show = opts.showPanel !== false;
    if (show) this.emit((l) => l.appRan?.(s.app));
    this.history.add(entry);
    this.started.set(entry.id, s);
    // Map order is insertion order: the oldest start goes first.
    if (this.started.size > MAX_STARTED) this.started.delete(this.started.keys().next().value!);
    this.emit((l) => l.entryAdded?.(entry, show));
    return this.execute(entry, s.app, client, s.mode, request, { ownConversation: s.conversationId === undefined, observe: opts.observe, started: true, shown: show });
  }

  /**
   * Continues an entry with a run that goes on on its server (a form was answered, the run is followed after a
   * reload): the events stream into the same entry, which runs again until they end; Stop works as for any run.
   */
  continue(entry: EntryView, app: AppProfile, client: AppClient, events: (signal: AbortSignal) => AsyncIterable<RunEvent>): Launched {
    const mode = entry.mode ?? this.catalog.cachedMode(app) ?? 'workflow';
    this.update({ id: entry.id, status: 'running', paused: '', error: null });
    const request: RunRequest = { inputs: {}, conversationId: entry.conversationId, user: this.userId };
    return this.execute(entry, app, client, mode, request, { ownConversation: false, events, started: false, shown: true });
  }

  /** Applies a change to an entry outside its run (a form's state, its message), shows it, and keeps it. */
  update(patch: EntryPatch): void {
    const entry = this.history.find(patch.id);
    if (!entry) return;
    applyPatch(entry, patch);
    this.emit((l) => l.patched?.(patch));
    this.saveSoon();
  }

  /** Whether the entry's run is going on in this window. */
  isActive(entryId: string): boolean {
    return this.active.has(entryId);
  }

  private execute(
    entry: EntryView, app: AppProfile, client: AppClient, mode: AppMode, request: RunRequest,
    o: { ownConversation: boolean; observe?: (p: EntryPatch) => void; events?: (signal: AbortSignal) => AsyncIterable<RunEvent>; started: boolean; shown: boolean },
  ): Launched {
    const server = this.catalog.server(app);
    const run = new RunExecution(client, mode, request, entry, {
      onPatch: (p) => {
        if (p.conversationId && o.ownConversation) this.history.setConversation(app.name, p.conversationId);
        this.emit((l) => l.patched?.(p));
        o.observe?.(p);
        this.saveSoon();
      },
      describeError: (e) => describeApiError(e, app.name, server),
      log: (level, message) => this.log.write(level, `[${app.name}] ${message}`),
      maxRunMs: readTimeouts().maxRunMs,
      events: o.events,
    });
    this.active.set(entry.id, { run, app, resumable: !!client.followRun });
    this.runningChanged();
    this.log.write('info', `[${app.name}] ${mode} run ${o.started ? 'started' : 'continues'} (${server})`);
    const done = run.start().then(async () => {
      this.active.delete(entry.id);
      if (entry.answerCut) {
        this.fullAnswers.set(entry.id, run.state.fullAnswer);
        if (this.fullAnswers.size > 3) this.fullAnswers.delete(this.fullAnswers.keys().next().value!);
      }
      // The conversation is gone on the server (deleted, or the server was reset): the next question starts a new one.
      if (run.error?.status === 404 && request.conversationId && o.ownConversation) this.history.setConversation(app.name, undefined);
      this.runningChanged();
      await this.history.save();
      this.log.write('info', `[${app.name}] run ended: ${entry.status}`);
      this.emit((l) => l.finished?.(entry, app, o.shown));
      return entry;
    });
    return { entry, run, done };
  }

  /** Stops every active run (Dify: Stop, the panel's Stop, the status-bar item). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.active.values()].map((a) => a.run.stop()));
  }

  /** Starts an entry's run again, as it was started; false when that is no longer known (an older session's). */
  async retry(entryId: string): Promise<boolean> {
    const s = this.started.get(entryId);
    if (!s) return false;
    await this.start(s);
    return true;
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

  /** The app's next question starts a new conversation. */
  newConversation(app: AppProfile | undefined): void {
    if (app) this.history.setConversation(app.name, undefined);
    this.emit((l) => l.entriesChanged?.(undefined));
    void this.history.save();
  }

  /** A failure before a run started (no key, the server unreachable), shown where runs are, with its fix. */
  failedBeforeRun(app: AppProfile, question: string, e: unknown): ErrorView {
    if ((e as Error)?.name !== 'MissingKeyError') this.log.write('error', `[${app.name}] ${(e as Error)?.message ?? String(e)}`);
    const error = describeFailure(e, app.name, this.catalog.server(app));
    const entry: EntryView = {
      id: randomUUID(), app: app.name, question, answer: '', thinking: '', thinkingDone: true, nodes: [],
      status: 'failed', error, startedAt: Date.now(), canReplaceSelection: false,
    };
    this.history.add(entry);
    this.emit((l) => l.entryAdded?.(entry, true));
    void this.history.save();
    return error;
  }

  /** Continues an earlier conversation: its turns join the history, and the app's follow-ups go on there. */
  async resume(app: AppProfile, conversationId: string): Promise<void> {
    const client = await this.catalog.client(app);
    if (!client.messages) return;
    const messages = await client.messages(conversationId, this.userId);
    this.history.setConversation(app.name, conversationId);
    const mode = this.catalog.cachedMode(app);
    const rateable = client.feedback ? providerOf(app.provider).feedback : undefined;
    for (const msg of messages) {
      if (this.history.find(msg.id)) continue;
      this.history.add({
        id: msg.id, app: app.name, mode, question: msg.query, conversationId, messageId: msg.id, answer: msg.answer, thinking: '',
        thinkingDone: true, nodes: [], status: 'succeeded', startedAt: msg.createdAt * 1000, canReplaceSelection: false, rateable,
        feedback: msg.rating && { rating: msg.rating },
      });
    }
    await this.history.save();
    this.emit((l) => l.entriesChanged?.(conversationId));
  }

  /**
   * Rates an entry's answer on its server (`null` takes the rating back), then shows the rating. Throws a
   * translated sentence when the server refuses, the entry keeping its earlier rating.
   */
  async rate(entryId: string, rating: Rating | null, content?: string): Promise<void> {
    const entry = this.history.find(entryId);
    const app = entry && this.catalog.find(entry.app);
    if (!entry?.messageId || !entry.rateable || !app || this.active.has(entryId)) return;
    if (rating === null && (entry.rateable !== 'revocable' || !entry.feedback)) return;
    const client = await this.catalog.client(app);
    if (!client.feedback) return;
    const text = content?.trim() || undefined;
    let id: string | undefined;
    try {
      id = await client.feedback({ messageId: entry.messageId, conversationId: entry.conversationId, feedbackId: entry.feedback?.id }, rating, this.userId, text);
    } catch (e) {
      this.log.write('warn', `[${app.name}] feedback not saved: ${(e as Error)?.message ?? String(e)}`);
      throw new Error(vscode.l10n.t('The rating was not saved. {0}', describeFailure(e, app.name, this.catalog.server(app)).message));
    }
    const patch: EntryPatch = { id: entryId, feedback: rating ? { rating, ...(text ? { content: text } : {}), ...(id ? { id } : {}) } : null };
    applyPatch(entry, patch);
    this.emit((l) => l.patched?.(patch));
    await this.history.save();
  }

  /**
   * The window goes away. Runs that can be followed again after a reload (those with a server run id) are let go and
   * go on on the server, their entries kept running in the history; the others are stopped, on the server too.
   */
  dispose(): void {
    for (const a of this.active.values()) {
      if (a.resumable && a.run.entry.runId) a.run.detach();
      else void a.run.stop();
    }
    clearTimeout(this.saveTimer);
    void this.history.save();
  }

  /** Partial answers are persisted too, at most every two seconds while streaming. */
  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      void this.history.save();
    }, 2000);
  }

  private runningChanged(): void {
    const running = [...this.active.entries()].map(([entryId, a]) => ({ app: a.app.name, entryId }));
    this.emit((l) => l.runningChanged?.(running));
  }

  private emit(call: (l: RunsListener) => void): void {
    for (const l of this.listeners) call(l);
  }
}
