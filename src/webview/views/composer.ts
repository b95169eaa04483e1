// The composer: app picker, conversation controls, the new conversation's opening, the message box and the app's
// disclaimer under it.
import type { AppForm, AppSummary, ContextChip, FormValues, HostMessage, PanelState } from '../../protocol';
import { t } from '../strings';
import { ConversationsView } from './conversations';
import { button, h, icon, show } from './dom';
import type { Post } from './entry';
import { FormView } from './formView';
import { OpeningView } from './opening';

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
  private readonly conversations: ConversationsView;
  private readonly openingView: OpeningView;
  private readonly disclaimer: HTMLElement;
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
      button({ icon: 'history', label: t('Conversations…'), onClick: () => this.conversations.show(this.selectedApp) }),
      button({ icon: 'add', label: t('New Conversation'), onClick: () => post({ type: 'newConversation' }) }));

    this.conversations = new ConversationsView(post, () => this.textarea.focus());
    this.conversationsEl = this.conversations.el;
    this.openingView = new OpeningView(post, (q) => this.ask(q, this.selectedApp));
    this.opening = this.openingView.el;

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
    this.disclaimer = h('div', { class: 'disclaimer', role: 'note', hidden: true });
    this.form = h('div', { class: 'composer-area' }, this.formView.el, this.chips, h('div', { class: 'composer' }, this.textarea, this.sendButton), this.disclaimer);
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

  /** Asks `question` of `app` (a suggested question's chip), with the form's values when its form is shown. */
  ask(question: string, app: string | undefined): void {
    if (this.running) return;
    const form = this.formView.form;
    if (form && app && form.app === app) {
      if (!this.formView.validate()) return;
      this.post({ type: 'send', text: question, app, inputs: this.formView.values() });
    } else {
      this.post({ type: 'send', text: question, app });
    }
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
    this.disclaimer.textContent = shown?.disclaimer ?? '';
    show(this.disclaimer, !!shown?.disclaimer);
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

  /** What a new conversation with the selected app opens with, while its next message starts one. */
  setOpening(state: PanelState): void {
    this.openingView.update(state);
  }

  /** The host's answers about the conversation list. */
  conversationsMessage(msg: Extract<HostMessage, { type: 'conversations' | 'conversationChanged' }>): void {
    if (msg.type === 'conversations') this.conversations.receive(msg);
    else this.conversations.changed(msg);
  }

  focus(): void {
    this.textarea.focus();
  }
}
