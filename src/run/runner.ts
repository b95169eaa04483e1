// Executes one run: streams RunEvents from a provider into an EntryState and reports patches. Stopping asks the
// server first (Dify's stop route, Flowise's abort) and lets its own terminal events end the stream, cutting it
// only after a short grace; a run the client gives up on (idle timeout, time limit, size limit) is stopped on the
// server too. Never throws: a failed run ends with status 'failed' and an error view, the partial answer kept.
// No `vscode` import.
import { ApiError, mapMessage } from '../net/apiError';
import { toApiError } from '../net/errors';
import type { EntryPatch, EntryView, ErrorView } from '../shared/entry';
import { EntryState } from './entryState';
import { RUN_BOUNDS } from './limits';
import type { AppClient, AppMode, RunEvent, RunRequest, StopHandle } from '../providers/types';

export interface RunnerOptions {
  onPatch(patch: EntryPatch): void;
  /** Turns a failure into one clear, translated sentence with actions (the glue provides it). */
  describeError(error: ApiError): ErrorView;
  log?(level: 'info' | 'warn' | 'error' | 'trace', message: string): void;
  /** Overall limit for one run; the run is stopped with a timeout error past it. */
  maxRunMs?: number;
  /** How long Stop waits for the server's stop route before giving up. */
  stopTimeoutMs?: number;
  /** After the stop route answered, how long the server's own terminal events may take before the stream is cut. */
  stopGraceMs?: number;
  /** RUN_BOUNDS, smaller in tests. */
  bounds?: ConstructorParameters<typeof EntryState>[1];
  /**
   * Where the events come from when the entry continues a run already on the server (a form was answered, a run
   * followed after a reload) instead of starting one.
   */
  events?(signal: AbortSignal): AsyncIterable<RunEvent>;
}

/** Why the client ended a run: the person, the time limit, or the size limit. */
type StopReason = 'user' | 'time-limit' | 'size-limit';

export class RunExecution {
  readonly state: EntryState;
  private readonly abort = new AbortController();
  private readonly handle: StopHandle = {};
  private stopReason?: StopReason;
  private stopping?: Promise<void>;
  /** Let go of without an end (see `detach`). */
  private detached = false;
  /** The failure that ended the run, if any. */
  error?: ApiError;
  private done?: Promise<void>;

  constructor(
    private readonly client: AppClient,
    readonly mode: AppMode,
    readonly request: RunRequest,
    entry: EntryView,
    private readonly opts: RunnerOptions,
  ) {
    this.state = new EntryState(entry, opts.bounds);
    if (request.conversationId) this.handle.conversationId = request.conversationId;
  }

  get entry(): EntryView {
    return this.state.entry;
  }

  /** The server's task id once the stream has named it (used by the stop route). */
  get taskId(): string | undefined {
    return this.handle.taskId;
  }

  get finished(): boolean {
    return this.entry.status !== 'running';
  }

  /** Starts the run once; resolves when it has ended in any way. */
  start(): Promise<void> {
    this.done ??= this.execute();
    return this.done;
  }

  /** Stops the run (Dify: Stop, the panel's Stop); resolves once it has ended. */
  async stop(): Promise<void> {
    this.requestStop('user');
    await this.done;
  }

  /**
   * Lets go of the stream without stopping the run on the server and without ending the entry: the window goes away,
   * and the run is followed again after the reload.
   */
  detach(): void {
    if (this.finished) return;
    this.detached = true;
    this.abort.abort();
  }

  /**
   * The server is asked first, while the stream is still open, so it stops the task and sends its own terminal
   * events; the stream is cut only when the server does not end it within the grace period (or there is no task
   * to stop yet: every provider names its task in its first event).
   */
  private requestStop(reason: StopReason): void {
    if (this.finished || this.stopReason) return;
    this.stopReason = reason;
    if (!this.handle.taskId) {
      this.abort.abort();
      return;
    }
    const grace = this.opts.stopGraceMs ?? 3000;
    this.stopping = this.stopOnServer().then(() => {
      if (this.finished || this.abort.signal.aborted) return;
      const cut = setTimeout(() => this.abort.abort(), grace);
      void this.done?.finally(() => clearTimeout(cut));
    });
  }

  private async stopOnServer(): Promise<void> {
    const timeout = this.opts.stopTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.stop(this.mode, this.handle, this.request.user),
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout);
        }),
      ]);
      this.opts.log?.('info', `Stop requested on the server for task ${this.handle.taskId ?? '(unknown)'}`);
    } catch (e) {
      this.opts.log?.('warn', `The server's stop route failed: ${this.client.redact((e as Error).message)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async execute(): Promise<void> {
    const { onPatch } = this.opts;
    const limit = this.opts.maxRunMs;
    const limitTimer = limit ? setTimeout(() => this.requestStop('time-limit'), limit) : undefined;
    try {
      const events = this.opts.events?.(this.abort.signal) ?? this.client.run(this.mode, this.request, this.abort.signal);
      for await (const raw of events) {
        const ev = this.redacted(raw);
        if (ev.type === 'meta') {
          if (ev.taskId) this.handle.taskId = ev.taskId;
          if (ev.conversationId) this.handle.conversationId = ev.conversationId;
        }
        const patch = this.state.apply(ev);
        if (patch) onPatch(patch);
        if (this.state.overSize) this.requestStop('size-limit');
        if (ev.type === 'finished') {
          if (this.stopReason && this.stopReason !== 'user') this.fail(this.limitError());
          else if (this.stopReason && this.entry.status === 'succeeded') this.finish('stopped');
          else if (ev.status === 'failed') this.fail(new ApiError({ kind: 'stream', code: 'run_failed', message: ev.error || 'The run failed.' }), false);
          break;
        }
      }
      if (this.entry.status === 'running') {
        // The provider ended cleanly without a terminal status (should not happen): treat as done.
        this.finish(this.stopReason === 'user' ? 'stopped' : 'succeeded');
      }
    } catch (e) {
      if (this.detached) return;
      const flushed = this.state.flush();
      if (flushed) onPatch(flushed);
      if (this.stopReason === 'user') {
        this.finish('stopped');
      } else {
        const err = this.stopReason ? this.limitError() : mapMessage(toApiError(e), (m) => this.client.redact(m));
        // A stream the client gave up on may still be running (and using tokens) on the server.
        if (err.kind === 'idle-timeout' && !this.stopReason && this.handle.taskId) await this.stopOnServer();
        this.fail(err);
      }
    } finally {
      clearTimeout(limitTimer);
      await this.stopping;
    }
  }

  private limitError(): ApiError {
    return this.stopReason === 'size-limit'
      ? new ApiError({ kind: 'too-large', code: 'answer_limit', message: `The answer passed ${(this.opts.bounds ?? RUN_BOUNDS).totalChars} characters and was stopped.` })
      : new ApiError({ kind: 'idle-timeout', code: 'run_limit', message: `The run exceeded the limit of ${Math.round((this.opts.maxRunMs ?? 0) / 60000)} minutes.` });
  }

  private fail(err: ApiError, log = true): void {
    this.error = err;
    if (log) this.opts.log?.('error', `Run failed (${err.kind}${err.status ? ` ${err.status}` : ''}${err.code ? ` ${err.code}` : ''}): ${err.message}`);
    this.finish('failed', this.opts.describeError(err));
  }

  /** Text a server sent that is shown, stored and logged (errors, node details) goes through the one redactor. */
  private redacted(ev: RunEvent): RunEvent {
    const r = (s: string) => this.client.redact(s);
    if (ev.type === 'finished' && ev.error) return { ...ev, error: r(ev.error) };
    if (ev.type === 'paused') return { ...ev, reason: r(ev.reason) };
    if (ev.type === 'form') return { ...ev, form: { ...ev.form, title: r(ev.form.title), content: r(ev.form.content) } };
    if (ev.type === 'formAnswered' && ev.content) return { ...ev, content: r(ev.content) };
    if (ev.type === 'node' && (ev.node.error || ev.node.detail)) {
      const node = { ...ev.node };
      if (node.error) node.error = r(node.error);
      if (node.detail) node.detail = r(node.detail);
      return { ...ev, node };
    }
    return ev;
  }

  private finish(status: EntryView['status'], error?: ErrorView): void {
    this.opts.onPatch(this.state.finish(status, error));
  }

}
