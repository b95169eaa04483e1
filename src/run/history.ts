// The persisted history of the chat panel: entries (runs and conversation turns, partial answers
// included) and the conversation each app continues. Stored as one document through a tiny interface
// (a file in the extension's storage folder in VS Code, memory in tests). Bounded in count and size.
import type { EntryView } from '../shared/entry';
import { asError } from '../net/apiError';

/** Where the history document is kept. `read` resolves undefined when there is none yet. */
export interface HistoryStore {
  read(): Promise<unknown>;
  write(document: unknown): Promise<void>;
}

interface Stored {
  version: 1;
  entries: EntryView[];
  /** app name → conversation id that follow-ups continue. */
  conversations: Record<string, string>;
}

/** The Memento key earlier versions kept the history under (read once, to move it to the store). */
export const LEGACY_HISTORY_KEY = 'dify.history.v1';

export interface HistoryLimits {
  maxEntries: number;
  /** Answers longer than this are kept truncated in storage (the live panel keeps all). */
  maxAnswerChars: number;
}

const DEFAULT_LIMITS: HistoryLimits = { maxEntries: 200, maxAnswerChars: 200_000 };

export interface HistoryOptions {
  limits?: HistoryLimits;
  /**
   * A store that could not be read (the history starts empty) or a write that failed (disk full, folder
   * gone: the live history goes on, the next save tries again).
   */
  onError?: (error: Error, doing: 'read' | 'save') => void;
}

export class History {
  private data: Stored;
  /** The write in flight (settled), and the one queued behind it: saves while writing coalesce into one. */
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private readonly limits: HistoryLimits;
  /** The entries that were running when the history was stored (a window closed or reloaded mid-run): their runs may
   * still go on on the server. */
  readonly interrupted: ReadonlySet<string>;

  private constructor(private readonly store: HistoryStore, raw: unknown, private readonly options: HistoryOptions) {
    this.limits = options.limits ?? DEFAULT_LIMITS;
    const stored = raw as Partial<Stored> | undefined;
    this.data = stored?.version === 1 && Array.isArray(stored.entries)
      ? { version: 1, entries: stored.entries, conversations: stored.conversations ?? {} }
      : { version: 1, entries: [], conversations: {} };
    // A window closed mid-run leaves running entries behind: they ended here when the host went away (their runs may
    // go on on the server, and are followed again where the provider can).
    const interrupted = new Set<string>();
    for (const e of this.data.entries) {
      if (e.status !== 'running') continue;
      e.status = 'stopped';
      interrupted.add(e.id);
    }
    this.interrupted = interrupted;
  }

  /** Reads the stored history; one that cannot be read is reported, and the history starts empty. */
  static async load(store: HistoryStore, options: HistoryOptions = {}): Promise<History> {
    const raw = await store.read().catch((e: unknown) => options.onError?.(asError(e), 'read'));
    return new History(store, raw, options);
  }

  get entries(): readonly EntryView[] {
    return this.data.entries;
  }

  conversationOf(app: string): string | undefined {
    return this.data.conversations[app];
  }

  setConversation(app: string, conversationId: string | undefined): void {
    if (conversationId) this.data.conversations[app] = conversationId;
    else delete this.data.conversations[app];
  }

  add(entry: EntryView): void {
    this.data.entries.push(entry);
    const extra = this.data.entries.length - this.limits.maxEntries;
    if (extra > 0) this.data.entries.splice(0, extra);
  }

  find(id: string): EntryView | undefined {
    return this.data.entries.find((e) => e.id === id);
  }

  clear(): void {
    this.data.entries = [];
    this.data.conversations = {};
  }

  /**
   * Writes a bounded copy to the store. Callers throttle this while streaming. Writes never overlap: a save
   * during a write waits for it, then writes the history as it is then (saves meanwhile share that write).
   * Resolves once the history as of this call is stored, or the write failed (reported to `onError`).
   */
  save(): Promise<void> {
    this.queued ??= this.writing.then(() => {
      this.queued = undefined;
      return this.store.write(this.snapshot());
    }).catch((e: unknown) => this.options.onError?.(asError(e), 'save'));
    this.writing = this.queued;
    return this.queued;
  }

  private snapshot(): Stored {
    const max = this.limits.maxAnswerChars;
    const entries = this.data.entries.map((e) =>
      e.answer.length > max || e.thinking.length > max
        ? { ...e, answer: e.answer.slice(0, max), thinking: e.thinking.slice(0, max) }
        : e,
    );
    return { ...this.data, entries };
  }
}

