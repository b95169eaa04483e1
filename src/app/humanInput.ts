// Paused runs and the forms they wait on (Human Input): answering a form from the panel, the palette or @dify (the
// run goes on in the same entry and streams to its end), the files a form's inputs take, what the server says when it
// refuses (expired, answered elsewhere first, invalid), and following the runs that were going on or waiting when the
// window reloaded. Every call goes through the catalog's client (the destination gate); runs belong to Runs.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { isApiError } from '../net/apiError';
import type { AppClient, FileRef, FollowOptions, RunEvent, RunRef } from '../providers/types';
import { answerProblems, renderAnswer, type AnswerValue } from '../shared/humanInput';
import type { EntryView } from '../shared/entry';
import type { EntryForm, HumanInputField } from '../shared/model';
import { describeFailure } from './errors';
import type { Log } from './log';
import type { Runs } from './runs';
import { sayTranslated } from './texts';

/** Files chosen for a form's file input: what is sent, and the names shown. */
export interface PickedFormFiles {
  value: FileRef | FileRef[];
  names: string[];
}

/** A form waiting for an answer from here, with its entry. */
export interface WaitingForm {
  entry: EntryView;
  form: EntryForm;
}

/** At most this many recent runs are followed again after a reload. */
const MAX_REATTACH = 10;

export class HumanInputs {
  /** Files chosen for the forms' file inputs, by entry, node and field. */
  private readonly files = new Map<string, PickedFormFiles>();

  constructor(
    private readonly catalog: AppCatalog,
    private readonly runs: Runs,
    private readonly log: Log,
    private readonly userId: string,
    /** Entries that were running when the window went away (History.interrupted). */
    private readonly interrupted: ReadonlySet<string>,
  ) {}

  /** The forms waiting for an answer from here, newest first. */
  waiting(): WaitingForm[] {
    const out: WaitingForm[] = [];
    for (const entry of [...this.runs.entries].reverse()) {
      if (entry.status !== 'paused' || this.runs.isActive(entry.id)) continue;
      for (const form of entry.forms ?? []) if (form.state === 'waiting' && form.token) out.push({ entry, form });
    }
    return out;
  }

  /** The form of an entry that waits for an answer from here. */
  find(entryId: string, nodeId: string): WaitingForm | undefined {
    return this.waiting().find((w) => w.entry.id === entryId && w.form.nodeId === nodeId);
  }

  setFiles(entryId: string, nodeId: string, name: string, picked: PickedFormFiles | undefined): void {
    const k = key(entryId, nodeId, name);
    if (picked) this.files.set(k, picked);
    else this.files.delete(k);
  }

  filesOf(entryId: string, nodeId: string, name: string): PickedFormFiles | undefined {
    return this.files.get(key(entryId, nodeId, name));
  }

  /**
   * Answers a waiting form: checked here as the server will (the person hears what is missing), taken by the server,
   * then the run goes on in the same entry. Returns the problems that kept it from being sent (by field; '' for the
   * form), empty when it went. What the server says when it refuses is kept on the form.
   */
  async answer(entryId: string, nodeId: string, action: string, texts: Record<string, string>, files: Record<string, FileRef | FileRef[]> = {}): Promise<Record<string, string>> {
    const waiting = this.find(entryId, nodeId);
    if (!waiting) return { '': vscode.l10n.t('This form no longer waits for an answer.') };
    const { entry, form } = waiting;
    const app = this.catalog.find(entry.app);
    if (!app) return this.say(entry, form, vscode.l10n.t('"{0}" is no longer configured: add it again to answer its form.', entry.app));
    const fileOf = (f: HumanInputField) => files[f.name] ?? this.filesOf(entryId, nodeId, f.name)?.value;
    const valueOf = (f: HumanInputField): AnswerValue => {
      if (f.kind === 'file' || f.kind === 'file-list') {
        const v = fileOf(f);
        return { files: Array.isArray(v) ? v.length : v ? 1 : 0 };
      }
      return { text: texts[f.name] ?? f.default ?? '' };
    };
    const problems = answerProblems(form, action, valueOf, sayTranslated);
    if (Object.keys(problems).length) return problems;
    const values: Record<string, unknown> = {};
    for (const f of form.fields) values[f.name] = f.kind === 'file' ? fileOf(f) : f.kind === 'file-list' ? (fileOf(f) ?? []) : valueOf(f).text;

    let client: AppClient;
    try {
      client = await this.clientAskingKey(app);
    } catch (e) {
      return this.say(entry, form, describeFailure(e, app.name, this.catalog.server(app)).message);
    }
    if (!client.answerForm) return this.say(entry, form, vscode.l10n.t('"{0}" cannot answer forms from VS Code.', app.name));
    const ctl = new AbortController();
    let events: AsyncIterable<RunEvent>;
    try {
      events = await client.answerForm(entry.mode ?? 'workflow', refOf(entry), form, { action, values }, this.userId, ctl.signal, { knownText: entry.answer, answered: answeredKeys(entry) });
    } catch (e) {
      await this.refused(entry, form, app, client, e);
      return {};
    }
    const title = form.actions.find((a) => a.id === action)?.title ?? action;
    this.setForm(entry, form.nodeId, { state: 'answered', message: undefined, answer: { actionId: action, actionText: title, content: renderAnswer(form, valueOf) } });
    for (const f of form.fields) this.files.delete(key(entryId, nodeId, f.name));
    this.log.write('info', `[${app.name}] form "${form.title || form.nodeId}" answered (${action}); the run goes on`);
    this.runs.continue(entry, app, client, (signal) => {
      signal.addEventListener('abort', () => ctl.abort(), { once: true });
      return events;
    });
    return {};
  }

  /** The app's client; an app without a key asks for it right there (as a first run does), then goes on. */
  private async clientAskingKey(app: AppProfile): Promise<AppClient> {
    try {
      return await this.catalog.client(app);
    } catch (e) {
      if ((e as Error)?.name !== 'MissingKeyError' || !(await vscode.commands.executeCommand<boolean>('dify.setApiKey', app.name))) throw e;
      return this.catalog.client(app);
    }
  }

  /**
   * After a reload: the runs that were going on follow again (still running: live; ended: how they ended), and those
   * that waited are asked where they stand (still waiting: their forms stay answerable; answered elsewhere or timed
   * out meanwhile: followed). A run the server no longer knows says so, its answer kept.
   */
  async reattach(): Promise<void> {
    const entries = this.runs.entries.filter((e) => e.runId && (this.interrupted.has(e.id) || e.status === 'paused')).slice(-MAX_REATTACH);
    for (const entry of entries) {
      try {
        await this.reattachOne(entry);
      } catch (e) {
        this.log.write('warn', `[${entry.app}] could not follow the run again: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  }

  private async reattachOne(entry: EntryView): Promise<void> {
    const app = this.catalog.find(entry.app);
    if (!app || this.runs.isActive(entry.id)) return;
    const client = await this.catalog.client(app);
    if (!client.followRun) return;
    const ref = refOf(entry);
    let state: string | undefined;
    try {
      state = await client.runState?.(ref);
    } catch (e) {
      return this.lost(entry, app, e);
    }
    if (entry.status === 'paused' && state === 'paused') {
      // Still waiting: its forms stay answerable, unless one has passed its expiry meanwhile.
      for (const f of entry.forms ?? []) {
        if (f.state === 'waiting' && f.expiresAt && f.expiresAt < Date.now()) this.setForm(entry, f.nodeId, { state: 'expired', message: expiredText() });
      }
      return;
    }
    this.log.write('info', `[${app.name}] following the run again after a reload (${state ?? 'state unknown'})`);
    this.follow(entry, app, client, { checkStatus: true });
  }

  /** Follows the entry's run on the server into the entry (it went on without this window's answer). */
  private follow(entry: EntryView, app: AppProfile, client: AppClient, opts: FollowOptions): void {
    const followRun = client.followRun?.bind(client);
    if (!followRun) return;
    this.runs.continue(entry, app, client, (signal) => followRun(entry.mode ?? 'workflow', refOf(entry), this.userId, signal, { knownText: entry.answer, answered: answeredKeys(entry), ...opts }));
  }

  /** The server refused the answer: the form says why; a form answered elsewhere first, or expired, is settled and the
   * run followed (it goes on with that answer, or along its timeout branch). */
  private async refused(entry: EntryView, form: EntryForm, app: AppProfile, client: AppClient, e: unknown): Promise<void> {
    const code = isApiError(e) ? e.code : undefined;
    const said = isApiError(e) ? client.redact(e.serverMessage ?? e.message) : '';
    this.log.write('warn', `[${app.name}] the answer to "${form.title || form.nodeId}" was refused: ${said || String(e)}`);
    if (code === 'human_input_form_submitted' || code === 'human_input_form_expired') {
      const answered = code === 'human_input_form_submitted';
      this.setForm(entry, form.nodeId, answered
        ? { state: 'answered', message: vscode.l10n.t('Someone answered this form first (elsewhere): the run goes on with their answer.') }
        : { state: 'expired', message: expiredText() });
      this.follow(entry, app, client, { continueOnPause: true, checkStatus: true });
      return;
    }
    if (isApiError(e) && e.status === 404) {
      this.setForm(entry, form.nodeId, { state: 'gone', message: vscode.l10n.t('The server no longer knows this form: it was removed, or "{0}" now uses another app\'s key.', app.name) });
      return;
    }
    if (code === 'invalid_form_data' || code === 'invalid_param') {
      this.say(entry, form, vscode.l10n.t('The server did not take the answer: {0}', said));
      return;
    }
    this.say(entry, form, describeFailure(e, app.name, this.catalog.server(app)).message);
  }

  /** The run is gone from its server (or the server cannot follow runs): the entry says so, its answer kept. */
  private lost(entry: EntryView, app: AppProfile, e: unknown): void {
    const code = isApiError(e) ? e.code : undefined;
    if (code !== 'run_not_found' && code !== 'follow_unsupported') throw e;
    const message = code === 'run_not_found'
      ? vscode.l10n.t('The run of "{0}" is no longer on its server, so it cannot be followed after the reload; what it answered so far is kept.', app.name)
      : vscode.l10n.t('{0} cannot show runs again after a reload (Dify 1.14 or later can); what "{1}" answered so far is kept.', this.catalog.server(app), app.name);
    const forms = entry.forms?.map((f) => (f.state === 'waiting' ? { ...f, state: 'gone' as const } : f));
    this.runs.update({ id: entry.id, status: entry.status === 'paused' ? 'stopped' : entry.status, error: { message, actions: [] }, ...(forms ? { forms } : {}) });
  }

  private say(entry: EntryView, form: EntryForm, message: string): Record<string, string> {
    this.setForm(entry, form.nodeId, { message });
    return {};
  }

  private setForm(entry: EntryView, nodeId: string, change: Partial<EntryForm>): void {
    const forms = (entry.forms ?? []).map((f) => (f.nodeId === nodeId ? { ...f, ...change } : f));
    this.runs.update({ id: entry.id, forms });
  }
}

function key(entryId: string, nodeId: string, name: string): string {
  return `${entryId}\u0000${nodeId}\u0000${name}`;
}

function refOf(e: EntryView): RunRef {
  return { runId: e.runId, conversationId: e.conversationId, messageId: e.messageId };
}

/** What a snapshot may replay that was answered already: every form of the entry no longer waiting. */
function answeredKeys(e: EntryView): string[] {
  return (e.forms ?? []).filter((f) => f.state !== 'waiting' && f.state !== 'elsewhere').flatMap((f) => (f.token ? [f.token, f.nodeId] : [f.nodeId]));
}

function expiredText(): string {
  return vscode.l10n.t('This form expired: the server takes no answer now, and the run goes on along its timeout branch.');
}
