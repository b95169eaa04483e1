// Like / dislike on an answer the server knows (it has a message id), with an optional comment. The rating shows
// as the server has it: the host patches the entry once the server accepted it, never before.
import type { EntryView } from '../../protocol';
import { t } from '../strings';
import { button, h, show } from './dom';
import type { Post } from './entry';

type Rating = 'like' | 'dislike';

export class FeedbackView {
  readonly el: HTMLElement;
  private readonly like: HTMLButtonElement;
  private readonly dislike: HTMLButtonElement;
  private readonly commentButton: HTMLButtonElement;
  private readonly commentForm: HTMLElement;
  private readonly commentBox: HTMLTextAreaElement;
  private entry?: EntryView;

  constructor(private readonly post: Post) {
    this.like = this.ratingButton('like');
    this.dislike = this.ratingButton('dislike');
    this.commentButton = button({ icon: 'comment', label: t('Add a comment'), onClick: () => this.openComment() });
    this.commentBox = h('textarea', { class: 'feedback-comment', rows: '2', maxlength: '2000', 'aria-label': t('Comment on this answer'), placeholder: t('What was good or missing? (optional)') });
    this.commentBox.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.closeComment();
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.sendComment();
    });
    this.commentForm = h('div', { class: 'feedback-form', hidden: true }, this.commentBox,
      h('div', { class: 'feedback-form-actions' },
        button({ label: t('Send feedback'), text: true, class: 'text-button', onClick: () => this.sendComment() }),
        button({ label: t('Cancel'), text: true, class: 'text-button secondary', onClick: () => this.closeComment() })));
    this.el = h('div', { class: 'feedback', role: 'group', 'aria-label': t('Rate this answer') },
      h('div', { class: 'feedback-buttons' }, this.like, this.dislike, this.commentButton), this.commentForm);
    show(this.el, false);
  }

  update(e: EntryView): void {
    this.entry = e;
    const can = !!e.messageId && !!e.rateable && e.status !== 'running' && e.status !== 'paused' && (!!e.answer || !!e.outputs);
    show(this.el, can);
    if (!can) return;
    const rating = e.feedback?.rating;
    for (const [b, r] of [[this.like, 'like'], [this.dislike, 'dislike']] as const) {
      const on = rating === r;
      b.setAttribute('aria-pressed', String(on));
      b.replaceChildren(h('span', { class: `codicon codicon-${r === 'like' ? 'thumbsup' : 'thumbsdown'}${on ? '-filled' : ''}`, 'aria-hidden': 'true' }));
      // A rating Flowise has cannot be taken back, only changed.
      b.disabled = on && e.rateable !== 'revocable';
      const label = on ? (e.rateable === 'revocable' ? t('Take back your rating') : r === 'like' ? t('You found this helpful') : t('You found this unhelpful')) : r === 'like' ? t('Helpful') : t('Not helpful');
      b.title = label;
      b.setAttribute('aria-label', label);
    }
    show(this.commentButton, !!rating);
    this.commentButton.title = e.feedback?.content ? t('Your comment: {0}', e.feedback.content) : t('Add a comment');
  }

  private ratingButton(r: Rating): HTMLButtonElement {
    return button({ icon: r === 'like' ? 'thumbsup' : 'thumbsdown', label: r === 'like' ? t('Helpful') : t('Not helpful'), onClick: () => this.rate(r) });
  }

  private rate(r: Rating): void {
    const e = this.entry;
    if (!e) return;
    const current = e.feedback?.rating;
    if (current === r) {
      if (e.rateable === 'revocable') this.post({ type: 'rate', id: e.id, rating: null });
      return;
    }
    this.post({ type: 'rate', id: e.id, rating: r, ...(e.feedback?.content ? { content: e.feedback.content } : {}) });
    // A dislike usually has a reason: the comment box opens for it (sending it is optional).
    if (r === 'dislike') this.openComment();
  }

  private openComment(): void {
    this.commentBox.value = this.entry?.feedback?.content ?? '';
    show(this.commentForm, true);
    this.commentBox.focus();
  }

  private closeComment(): void {
    show(this.commentForm, false);
  }

  private sendComment(): void {
    const e = this.entry;
    // The rating the comment goes with: the one the server has, or the one just asked for (dislike).
    const rating = e?.feedback?.rating ?? 'dislike';
    if (e) this.post({ type: 'rate', id: e.id, rating, content: this.commentBox.value.trim() });
    this.closeComment();
  }
}
