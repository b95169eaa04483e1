// What a new conversation with the selected chat app opens with, below the earlier entries: the app's title and
// description (its web site's), its opening statement and its suggested questions, which ask themselves on a click.
// Shown while the app's next message starts a conversation: no conversation to continue, none starting.
import type { PanelState } from '../../protocol';
import { renderOneShot } from '../markdown';
import { t } from '../strings';
import { button, h, show } from './dom';
import type { Post } from './entry';

type Opening = NonNullable<PanelState['opening']>;

/** Whether the opening shows: the selected app has one, and its next message starts a new conversation. */
export function openingVisible(state: PanelState): boolean {
  const o = state.opening;
  if (!o || !(o.statement || o.questions.length || o.description)) return false;
  if (state.conversationId) return false;
  // A first message on its way: the conversation is starting (its id comes with the answer's first event).
  return !state.entries.some((e) => e.app === state.selectedApp && e.status === 'running');
}

export class OpeningView {
  readonly el = h('div', { class: 'opening', hidden: true });
  /** What is rendered now (rendered again only when it changes). */
  private shown?: string;

  constructor(private readonly post: Post, private readonly ask: (question: string) => void) {}

  update(state: PanelState): void {
    const visible = openingVisible(state);
    const o = state.opening;
    const key = visible && o ? JSON.stringify(o) : undefined;
    if (key !== this.shown) {
      this.shown = key;
      this.el.replaceChildren();
      if (key && o) this.render(o);
    }
    show(this.el, visible);
  }

  private render(o: Opening): void {
    if (o.title && (o.description || o.statement)) this.el.append(h('div', { class: 'opening-title', text: o.title }));
    if (o.description) this.el.append(h('div', { class: 'opening-description', text: o.description }));
    if (o.statement) {
      const md = h('div', { class: 'markdown opening-statement' });
      md.append(renderOneShot(o.statement, { actions: { copy: (text) => this.post({ type: 'copy', text }), insert: (text) => this.post({ type: 'insert', text }) } }));
      this.el.append(md);
    }
    if (o.questions.length) {
      this.el.append(h('div', { class: 'suggestions', role: 'group', 'aria-label': t('Suggested questions') },
        ...o.questions.map((q) => button({ label: q, text: true, class: 'suggestion', icon: 'sparkle', onClick: () => this.ask(q) }))));
    }
  }
}
