// The persisted history of the chat panel: entries (runs and conversation turns, partial answers
// included) and the conversation each app continues. Stored through a tiny key-value interface
// (VS Code's Memento in the extension, a Map in tests). Bounded in count and size.
import type { EntryView } from '../protocol';

export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

interface Stored {
  version: 1;
  entries: EntryView[];
  /** app name → conversation id that follow-ups continue. */
  conversations: Record<string, string>;
}

const KEY = 'dify.history.v1';

export interface HistoryLimits {
  maxEntries: number;
  /** Answers longer than this are kept truncated in storage (the live panel keeps all). */
  maxAnswerChars: number;
}

const DEFAULT_LIMITS: HistoryLimits = { maxEntries: 200, maxAnswerChars: 200_000 };

export class History {
  private data: Stored;

  constructor(private readonly store: KeyValueStore, private readonly limits: HistoryLimits = DEFAULT_LIMITS) {
    const raw = store.get<Stored>(KEY);
    this.data = raw && raw.version === 1 && Array.isArray(raw.entries) ? raw : { version: 1, entries: [], conversations: {} };
    // A window closed mid-run leaves running entries behind: they ended when the host went away.
    for (const e of this.data.entries) if (e.status === 'running') e.status = 'stopped';
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

  /** Writes to the store (bounded copy). Callers throttle this while streaming. */
  save(): Promise<void> {
    const max = this.limits.maxAnswerChars;
    const entries = this.data.entries.map((e) =>
      e.answer.length > max || e.thinking.length > max
        ? { ...e, answer: e.answer.slice(0, max), thinking: e.thinking.slice(0, max) }
        : e,
    );
    return Promise.resolve(this.store.update(KEY, { ...this.data, entries }));
  }
}
