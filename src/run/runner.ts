// Executes one run: streams RunEvents from a provider into an EntryState, reports patches, and stops
// it both ways (aborting the request AND asking the server to stop the task). Never throws: a failed
// run ends with status 'failed' and an error view, the partial answer kept. No `vscode` import.
import type { EntryPatch, EntryView, ErrorView } from '../protocol';
import { ApiError } from './errors';
import { EntryState } from './entryState';
import type { AppClient, AppMode, RunRequest, StopHandle } from './types';

export interface RunnerOptions {
  onPatch(patch: EntryPatch): void;
  /** Turns a failure into one clear, translated sentence with actions (the glue provides it). */
  describeError(error: ApiError): ErrorView;
  log?(level: 'info' | 'warn' | 'error' | 'trace', message: string): void;
  /** Overall limit for one run; the run is stopped with a timeout error past it. */
  maxRunMs?: number;
  /** How long Stop waits for the server's stop route before giving up (the request is aborted anyway). */
  stopTimeoutMs?: number;
}

export class RunExecution {
  readonly state: EntryState;
  private readonly abort = new AbortController();
  private readonly handle: StopHandle = {};
  private stopRequested = false;
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
    this.state = new EntryState(entry);
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

  /** Aborts the stream now and asks the server to stop the task (Dify stop route / Flowise abort). */
  async stop(): Promise<void> {
    if (this.finished || this.stopRequested) return this.done;
    this.stopRequested = true;
    this.abort.abort();
    // Every provider names its task in its first event (Flowise: the chat id the client chose); before that there is nothing to stop.
    const serverStop = this.handle.taskId ? this.stopOnServer() : Promise.resolve();
    await Promise.all([serverStop, this.done]);
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
      this.opts.log?.('warn', `The server's stop route failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async execute(): Promise<void> {
    const { onPatch } = this.opts;
    const limit = this.opts.maxRunMs;
    let overLimit = false;
    const limitTimer = limit
      ? setTimeout(() => {
          overLimit = true;
          void this.stop();
        }, limit)
      : undefined;
    try {
      for await (const ev of this.client.run(this.mode, this.request, this.abort.signal)) {
        if (ev.type === 'meta') {
          if (ev.taskId) this.handle.taskId = ev.taskId;
          if (ev.conversationId) this.handle.conversationId = ev.conversationId;
        }
        const patch = this.state.apply(ev);
        if (patch) onPatch(patch);
        if (ev.type === 'finished') {
          if (ev.status === 'failed') {
            const failure = new ApiError({ kind: 'stream', code: 'run_failed', message: ev.error || 'The run failed.' });
            this.finish('failed', this.opts.describeError(failure));
          }
          break;
        }
      }
      if (this.entry.status === 'running') {
        // The provider ended cleanly without a terminal status (should not happen): treat as done.
        this.finish('succeeded');
      }
    } catch (e) {
      const flushed = this.state.flush();
      if (flushed) onPatch(flushed);
      if (this.stopRequested && !overLimit) {
        this.finish('stopped');
      } else {
        const err = overLimit
          ? new ApiError({ kind: 'idle-timeout', message: `The run exceeded the limit of ${Math.round(limit! / 60000)} minutes.`, code: 'run_limit' })
          : toApiError(e);
        this.error = err;
        this.opts.log?.('error', `Run failed (${err.kind}${err.status ? ` ${err.status}` : ''}${err.code ? ` ${err.code}` : ''}): ${err.message}`);
        this.finish('failed', this.opts.describeError(err));
      }
    } finally {
      clearTimeout(limitTimer);
    }
  }

  private finish(status: EntryView['status'], error?: ErrorView): void {
    const e = this.entry;
    e.status = status;
    const patch: EntryPatch = { id: e.id, status };
    if (error) {
      e.error = error;
      patch.error = error;
    }
    if (!e.thinkingDone && e.thinking) {
      e.thinkingDone = true;
      patch.thinkingDone = true;
    }
    this.opts.onPatch(patch);
  }
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as Error;
  if (err?.name === 'AbortError') return new ApiError({ kind: 'aborted', message: 'The run was stopped.', cause: e });
  return new ApiError({ kind: 'network', message: err?.message ?? String(e), cause: e });
}
