// The person's conversations with an app on its server: listed a page at a time, renamed (typed, or named by the
// app), deleted, and exported as Markdown. One service for the panel's list and the palette's commands; both hear
// of every change, so a conversation renamed in one shows renamed in the other.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import type { Conversation, ConversationPage, ConversationRename } from '../providers/types';
import { isChatMode } from '../shared/model';
import { conversationMarkdown, type ExportLabels, type ExportTurn } from './conversationMarkdown';
import { describeFailure } from './errors';
import type { Log } from './log';
import type { Runs } from './runs';

/** A conversation renamed (`conversation` is its new state) or deleted (no `conversation`). */
export interface ConversationChange {
  app: string;
  conversationId: string;
  conversation?: Conversation;
}

/** A refusal already worded for the person (translated), shown as it is. */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}

/** How many conversations one page lists. */
export const CONVERSATION_PAGE = 20;

export class ConversationService {
  /** The conversations listed so far, per app: their names for prompts and exports. */
  private readonly known = new Map<string, Map<string, Conversation>>();
  private readonly listeners: ((change: ConversationChange) => void)[] = [];

  constructor(
    private readonly catalog: AppCatalog,
    private readonly runs: Runs,
    private readonly log: Log,
    private readonly userId: string,
  ) {}

  /** Hears every rename and delete; the returned function stops listening. */
  onChange(listener: (change: ConversationChange) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** A page of the app's conversations, most recently updated first; undefined when it keeps no such list. */
  async page(app: AppProfile, lastId?: string): Promise<ConversationPage | undefined> {
    const client = await this.catalog.client(app);
    if (!client.conversationPage || !isChatMode((await this.catalog.info(app)).mode)) return undefined;
    const page = await client.conversationPage(this.userId, { lastId, limit: CONVERSATION_PAGE });
    const known = this.knownOf(app.name);
    for (const c of page.conversations) known.set(c.id, c);
    return page;
  }

  /** The conversation as last listed or changed here. */
  find(app: string, id: string): Conversation | undefined {
    return this.known.get(app)?.get(id);
  }

  /** How prompts name a conversation: its name, else its id. */
  label(app: string, id: string): string {
    return this.find(app, id)?.name.trim() || id;
  }

  async rename(app: AppProfile, id: string, rename: ConversationRename): Promise<Conversation> {
    const client = await this.catalog.client(app);
    if (!client.renameConversation) throw new Refusal(vscode.l10n.t('"{0}" keeps no conversations on its server.', app.name));
    const renamed = await client.renameConversation(id, rename, this.userId);
    const conversation = { ...this.find(app.name, id), ...renamed };
    this.knownOf(app.name).set(id, conversation);
    this.log.write('info', `[${app.name}] conversation ${id} renamed`);
    this.emit({ app: app.name, conversationId: id, conversation });
    return conversation;
  }

  /** Deletes the conversation on the server; when it is the one the app's follow-ups continue, the next starts anew. */
  async remove(app: AppProfile, id: string): Promise<void> {
    const client = await this.catalog.client(app);
    if (!client.deleteConversation) throw new Refusal(vscode.l10n.t('"{0}" keeps no conversations on its server.', app.name));
    await client.deleteConversation(id, this.userId);
    this.known.get(app.name)?.delete(id);
    this.log.write('info', `[${app.name}] conversation ${id} deleted`);
    if (this.runs.conversationOf(app.name) === id) this.runs.newConversation(app);
    this.emit({ app: app.name, conversationId: id });
  }

  /**
   * The whole conversation as Markdown: from the server where it keeps the messages (every turn, also those of
   * other windows), else from this window's history.
   */
  async exportMarkdown(app: AppProfile, id: string): Promise<{ title: string; markdown: string }> {
    const client = await this.catalog.client(app);
    let turns: ExportTurn[];
    if (client.messages) {
      turns = (await client.messages(id, this.userId)).map((m) => ({ query: m.query, answer: m.answer, createdAt: m.createdAt, rating: m.rating }));
    } else {
      turns = this.runs.entries
        .filter((e) => e.app === app.name && e.conversationId === id)
        .map((e) => ({ query: e.question, answer: e.thinking ? `<think>${e.thinking}</think>${e.answer}` : e.answer, createdAt: Math.floor(e.startedAt / 1000), rating: e.feedback?.rating }));
    }
    const known = this.find(app.name, id);
    const title = known?.name.trim() || turns[0]?.query.split('\n')[0].trim().slice(0, 60) || id;
    const markdown = conversationMarkdown(
      {
        app: app.name, name: known?.name ?? title, id,
        createdAt: known?.createdAt ?? turns[0]?.createdAt, updatedAt: known?.updatedAt ?? turns.at(-1)?.createdAt,
        exportedAt: Math.floor(Date.now() / 1000),
      },
      turns, exportLabels(), formatDate,
    );
    return { title, markdown };
  }

  /** One sentence for a failure, with the app's name (details go to the log). */
  describe(app: AppProfile, e: unknown): string {
    this.log.write('warn', `[${app.name}] ${(e as Error)?.message ?? String(e)}`);
    return e instanceof Refusal ? e.message : describeFailure(e, app.name, this.catalog.server(app)).message;
  }

  private knownOf(app: string): Map<string, Conversation> {
    let m = this.known.get(app);
    if (!m) this.known.set(app, (m = new Map()));
    return m;
  }

  private emit(change: ConversationChange): void {
    for (const l of this.listeners) l(change);
  }
}

function exportLabels(): ExportLabels {
  return {
    untitled: vscode.l10n.t('Untitled conversation'),
    app: vscode.l10n.t('App'),
    started: vscode.l10n.t('Started'),
    updated: vscode.l10n.t('Last updated'),
    exported: vscode.l10n.t('Exported'),
    conversationId: vscode.l10n.t('Conversation ID'),
    question: vscode.l10n.t('Question {0}'),
    answer: vscode.l10n.t('Answer'),
    thinking: vscode.l10n.t('Thinking'),
    liked: vscode.l10n.t('You liked this answer.'),
    disliked: vscode.l10n.t('You disliked this answer.'),
    empty: vscode.l10n.t('This conversation has no messages.'),
    noAnswer: vscode.l10n.t('No answer.'),
  };
}

/** A date and time in the person's language. */
export function formatDate(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  try {
    return d.toLocaleString(vscode.env.language);
  } catch {
    return d.toISOString();
  }
}
