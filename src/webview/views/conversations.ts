// The selected app's conversations on its server, a page at a time: resume one (a click), rename, export or delete
// it (the host asks and confirms in VS Code's own prompts). The search filters the conversations loaded so far;
// "Load more" stays while the server has more, so older ones are searched once loaded.
import type { ConversationAction, ConversationSummary, HostMessage } from '../../protocol';
import { t } from '../strings';
import { button, h, icon, show } from './dom';
import type { Post } from './entry';

type Page = Extract<HostMessage, { type: 'conversations' }>;
type Change = Extract<HostMessage, { type: 'conversationChanged' }>;

export class ConversationsView {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly note: HTMLElement;
  private readonly more: HTMLButtonElement;
  private items: ConversationSummary[] = [];
  private hasMore = false;
  private loading = false;
  private error?: string;
  private unsupported = false;
  private app?: string;

  constructor(private readonly post: Post, private readonly onClose: () => void) {
    this.search = h('input', { type: 'search', class: 'conversation-search', placeholder: t('Search conversations'), 'aria-label': t('Search conversations') });
    this.search.addEventListener('input', () => this.render());
    this.list = h('ul', { class: 'conversation-list' });
    this.note = h('div', { class: 'conversation-note muted', role: 'status' });
    this.more = button({ icon: 'chevron-down', label: t('Load more'), text: true, class: 'text-button secondary conversation-more', onClick: () => this.loadMore() });
    this.el = h('div', { class: 'conversations', role: 'dialog', 'aria-label': t('Conversations…'), hidden: true },
      h('div', { class: 'conversations-head' }, h('span', { text: t('Conversations…') }),
        button({ icon: 'close', label: t('Close'), onClick: () => this.close() })),
      this.search, this.list, this.note, this.more);
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  /** Opens the list of `app`'s conversations and asks the host for the first page. */
  show(app: string | undefined): void {
    this.app = app;
    this.items = [];
    this.hasMore = false;
    this.error = undefined;
    this.unsupported = false;
    this.search.value = '';
    this.loading = true;
    this.render();
    show(this.el, true);
    this.post({ type: 'listConversations' });
  }

  close(): void {
    show(this.el, false);
    this.onClose();
  }

  /** A page from the host (for the app the list is open for; a page for another app is one asked for earlier). */
  receive(page: Page): void {
    if (this.app !== undefined && page.app !== this.app) return;
    const first = !page.append;
    this.loading = false;
    this.error = page.error;
    this.unsupported = !!page.unsupported;
    if (first) this.items = [];
    const seen = new Set(this.items.map((c) => c.id));
    this.items.push(...page.conversations.filter((c) => !seen.has(c.id)));
    this.hasMore = !page.error && !!page.hasMore && page.conversations.length > 0;
    this.render();
    show(this.el, true);
    if (first) (this.list.querySelector('button') as HTMLButtonElement | null)?.focus();
  }

  /** A conversation renamed or deleted (here or from the palette). */
  changed(c: Change): void {
    if (c.app !== this.app) return;
    const i = this.items.findIndex((x) => x.id === c.conversationId);
    if (i < 0) return;
    if (c.conversation) this.items[i] = c.conversation;
    else this.items.splice(i, 1);
    this.render();
  }

  private loadMore(): void {
    const last = this.items.at(-1);
    if (!last || this.loading) return;
    this.loading = true;
    this.render();
    this.post({ type: 'listConversations', lastId: last.id });
  }

  private render(): void {
    const query = this.search.value.trim().toLowerCase();
    const shown = query ? this.items.filter((c) => (c.name || t('Untitled conversation')).toLowerCase().includes(query)) : this.items;
    this.list.replaceChildren(...shown.map((c) => this.item(c)));
    let note = '';
    if (this.loading) note = t('Loading…');
    else if (this.error) note = this.error;
    else if (this.unsupported) note = t('This app keeps no conversations on its server.');
    else if (!this.items.length) note = t('No conversations yet.');
    else if (query && !shown.length) note = this.hasMore ? t('None of the conversations loaded so far matches; load more to search older ones.') : t('No conversation matches "{0}".', this.search.value.trim());
    else if (query && this.hasMore) note = t('Searching the conversations loaded so far; load more to search older ones.');
    this.note.replaceChildren(...(this.loading ? [icon('loading', 'codicon-modifier-spin'), ' '] : []), note);
    this.note.classList.toggle('error', !!this.error && !this.loading);
    show(this.note, !!note);
    show(this.more, this.hasMore && !this.loading);
    // Searching everything loaded: the search box only once there is something to search.
    show(this.search, this.items.length > 0);
  }

  private item(c: ConversationSummary): HTMLElement {
    const name = c.name.trim() || t('Untitled conversation');
    const act = (action: ConversationAction) => () => this.post({ type: 'conversationAction', action, conversationId: c.id });
    const when = c.updatedAt ? new Date(c.updatedAt * 1000).toLocaleString(document.documentElement.lang || undefined) : '';
    const resume = h('button', { type: 'button', class: 'conversation', title: when ? `${name} · ${when}` : name, 'data-id': c.id },
      icon('comment-discussion'), h('span', { class: 'conversation-name', text: name }), when ? h('span', { class: 'conversation-date', text: when }) : null);
    resume.addEventListener('click', (e) => {
      e.preventDefault();
      this.post({ type: 'resumeConversation', conversationId: c.id });
      show(this.el, false);
    });
    return h('li', { 'data-id': c.id }, resume,
      h('span', { class: 'conversation-actions' },
        button({ icon: 'edit', label: t('Rename {0}', name), onClick: act('rename') }),
        button({ icon: 'export', label: t('Export {0} as Markdown', name), onClick: act('export') }),
        button({ icon: 'trash', label: t('Delete {0}', name), onClick: act('delete') })));
  }
}
