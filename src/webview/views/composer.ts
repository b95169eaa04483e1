// The composer: app picker, conversation controls, the empty-state opening, and the message box.
import type { AppForm, AppSummary, ContextChip, ConversationSummary, FormValues, PanelState } from '../../protocol';
import { renderOneShot } from '../markdown';
import { t } from '../strings';
import { button, h, icon, show } from './dom';
import type { Post } from './entry';
import { FormView } from './formView';

export interface FormValuesStore {
  get(app: string): FormValues | undefined;
  set(app: string, values: FormValues): void;
}

export class Composer {
  readonly toolbar: HTMLElement;
  readonly opening: HTMLElement;
  readonly form: HTMLElement;
  readonly conversationsEl: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly select: HTMLSelectElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly conversationList: HTMLElement;
  private running = false;
  private selectedApp: string | undefined;
  private composing = false;
  private readonly formView: FormView;
  /** What goes with the next message (Add Selection to Dify Chat), by file and lines; the text stays on the host. */
  private readonly chips: HTMLElement;

  /** `values` keeps the form's values per app (the panel persists them with its state); `onPick` tells the
   * host which app the person picked. */
  constructor(private readonly post: Post, private readonly values: FormValuesStore, onPick: (app: string) => void) {
    this.formView = new FormView(post, (app, v) => values.set(app, v));
    this.select = h('select', { class: 'app-select', id: 'app-select', 'aria-label': t('App'), title: t('App') });
    this.select.addEventListener('change', () => {
      const app = this.select.value;
      if (app) {
        this.selectedApp = app;
        this.setForm(undefined); // the host answers with the new app's form
        onPick(app);
      }
    });
    this.toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': t('Dify Chat') },
      h('label', { class: 'app-label', for: 'app-select' }, icon('comment-discussion')),
      this.select,
      h('span', { class: 'spacer' }),
      button({ icon: 'history', label: t('Conversations…'), onClick: () => this.openConversations() }),
      button({ icon: 'add', label: t('New Conversation'), onClick: () => post({ type: 'newConversation' }) }));

    this.conversationList = h('ul', { class: 'conversation-list' });
    this.conversationsEl = h('div', { class: 'conversations', role: 'dialog', 'aria-label': t('Conversations…'), hidden: true },
      h('div', { class: 'conversations-head' }, h('span', { text: t('Conversations…') }),
        button({ icon: 'close', label: t('Close'), onClick: () => this.closeConversations() })),
      this.conversationList);
    this.conversationsEl.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.closeConversations();
      }
    });

    this.opening = h('div', { class: 'opening', hidden: true });

    this.textarea = h('textarea', { class: 'input', rows: '1', placeholder: t('Ask a question…'), 'aria-label': t('Message') });
    this.textarea.addEventListener('compositionstart', () => (this.composing = true));
    this.textarea.addEventListener('compositionend', () => (this.composing = false));
    this.textarea.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      // IME: Enter confirms the composition, it does not send.
      if (e.isComposing || this.composing || e.keyCode === 229) return;
      e.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener('input', () => this.autosize());
    this.sendButton = h('button', { type: 'button', class: 'send-button' });
    this.sendButton.addEventListener('click', (e) => {
      e.preventDefault();
      if (this.running) post({ type: 'stop' });
      else this.submit();
    });
    this.chips = h('ul', { class: 'context-chips', 'aria-label': t('Context for the next message'), hidden: true });
    this.form = h('div', { class: 'composer-area' }, this.formView.el, this.chips, h('div', { class: 'composer' }, this.textarea, this.sendButton));
    this.setRunning(false);
  }

  private submit(): void {
    if (this.running) return;
    const text = this.textarea.value.trim();
    const form = this.formView.form;
    if (form && form.app === this.selectedApp) {
      // The form was shown: its values go along (validated here first, in the person's language).
      if (!text && !form.messageOptional) {
        if (form.messageField) this.textarea.focus();
        return;
      }
      if (!this.formView.validate()) return;
      this.post({ type: 'send', text, app: this.selectedApp, inputs: this.formView.values() });
    } else {
      // No form (yet): the host asks for whatever the app still needs.
      if (!text) return;
      this.post({ type: 'send', text, app: this.selectedApp });
    }
    this.textarea.value = '';
    this.autosize();
  }

  /** The selected app's form (undefined: none known yet). */
  setForm(form: AppForm | undefined): void {
    const shown = form && form.app === this.selectedApp ? form : undefined;
    this.formView.setForm(shown, shown && this.values.get(shown.app));
    // Says what to type: the app's question, or the form field the message box fills.
    const app = shown?.app ?? this.selectedApp;
    this.textarea.placeholder = shown?.placeholder
      ?? (shown?.messageField ? t('Type the {0} for {1}…', shown.messageField.label, shown.app)
        : shown?.messageOptional ? t('Run {0} (Enter)', shown.app)
        : app ? t('Ask {0}…', app) : t('Ask a question…'));
  }

  setContexts(contexts: ContextChip[]): void {
    this.chips.replaceChildren(...contexts.map((c) => h('li', { class: 'context-chip', title: c.name },
      icon('file-code'), h('span', { class: 'context-chip-name', text: c.name }),
      button({ icon: 'close', label: t('Remove {0} from the message', c.name), onClick: () => {
        this.post({ type: 'removeContext', id: c.id });
        this.textarea.focus();
      } }))));
    show(this.chips, contexts.length > 0);
  }

  setFormFiles(app: string, variable: string, files: string[]): void {
    if (this.formView.form?.app === app) this.formView.setFiles(variable, files);
  }

  showFormErrors(app: string, errors: Record<string, string>): void {
    if (this.formView.form?.app === app) this.formView.showErrors(errors);
  }

  private autosize(): void {
    this.textarea.style.height = 'auto';
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight, 200)}px`;
  }

  setRunning(running: boolean): void {
    this.running = running;
    const label = running ? t('Stop generating') : t('Send (Enter)');
    this.sendButton.replaceChildren(icon(running ? 'debug-stop' : 'send'));
    this.sendButton.title = label;
    this.sendButton.setAttribute('aria-label', label);
    this.sendButton.classList.toggle('stop', running);
  }

  setApps(apps: AppSummary[], selected: string | undefined): void {
    this.selectedApp = selected ?? apps[0]?.name;
    if (!apps.length) {
      this.select.replaceChildren(h('option', { value: '', text: t('No apps configured') }));
      this.select.disabled = true;
      return;
    }
    this.select.disabled = false;
    this.select.replaceChildren(...apps.map((a) =>
      h('option', { value: a.name, text: a.mode ? `${a.name} — ${a.mode}` : a.name, selected: a.name === this.selectedApp })));
    if (this.selectedApp) this.select.value = this.selectedApp;
  }

  /** The opening statement and suggested questions, shown while the conversation is empty. */
  setOpening(state: PanelState): void {
    const o = state.opening;
    const visible = state.entries.length === 0 && !!o && (!!o.statement || o.questions.length > 0);
    this.opening.replaceChildren();
    if (visible && o) {
      if (o.statement) {
        const md = h('div', { class: 'markdown opening-statement' });
        md.append(renderOneShot(o.statement, { actions: { copy: (text) => this.post({ type: 'copy', text }), insert: (text) => this.post({ type: 'insert', text }) } }));
        this.opening.append(md);
      }
      if (o.questions.length) {
        this.opening.append(h('div', { class: 'suggestions', role: 'group', 'aria-label': t('Suggested questions') },
          ...o.questions.map((q) => button({ label: q, text: true, class: 'suggestion', icon: 'sparkle', onClick: () => this.post({ type: 'send', text: q, app: this.selectedApp }) }))));
      }
    }
    show(this.opening, visible);
  }

  private openConversations(): void {
    this.conversationList.replaceChildren(h('li', { class: 'muted' }, icon('loading', 'codicon-modifier-spin')));
    show(this.conversationsEl, true);
    this.post({ type: 'listConversations' });
  }

  private closeConversations(): void {
    show(this.conversationsEl, false);
    this.textarea.focus();
  }

  showConversations(list: ConversationSummary[]): void {
    this.conversationList.replaceChildren(...(list.length
      ? list.map((c) => h('li', {}, button({
        label: c.name || c.id, text: true, class: 'conversation', icon: 'comment-discussion',
        onClick: () => {
          this.post({ type: 'resumeConversation', conversationId: c.id });
          show(this.conversationsEl, false);
        },
      })))
      : [h('li', { class: 'muted', text: t('No conversations yet.') })]));
    show(this.conversationsEl, true);
    (this.conversationList.querySelector('button') as HTMLButtonElement | null)?.focus();
  }

  focus(): void {
    this.textarea.focus();
  }
}
