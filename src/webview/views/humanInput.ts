// The forms a paused run waits on (Human Input), inside the entry where it paused: the form's markdown (sanitized,
// through the panel's renderer) with each input in place of its placeholder (the others after it), the action
// buttons in their styles, a check before sending (the rules the host applies again), files chosen through the host
// ("Choose…"), what the server said (expired, answered elsewhere first, refused), and answered forms folded away
// with the action taken.
import type { EntryView } from '../../protocol';
import { answerProblems, fieldLabel, PLACEHOLDER, placedFields, type AnswerValue } from '../../shared/humanInput';
import type { EntryForm, HumanInputField } from '../../shared/model';
import { renderOneShot } from '../markdown';
import { t } from '../strings';
import { button, h, icon, show } from './dom';
import type { Post } from './entry';

type Control = HTMLTextAreaElement | HTMLSelectElement | HTMLInputElement;

interface FieldUi {
  field: HumanInputField;
  control?: Control;
  chips?: HTMLElement;
  error: HTMLElement;
}

/** Marks a placeholder in the markdown (private-use characters: they survive the renderer and the sanitizer as text). */
const MARK = /\uE000(\d+)\uE001/g;

const STATE_ICON: Record<string, string> = { answered: 'pass', expired: 'watch', timedOut: 'watch', gone: 'warning', elsewhere: 'mail' };

export class HumanInputView {
  readonly el: HTMLElement;
  /** What the person typed or chose, by form (token) and field: kept when the form is drawn again. */
  private readonly drafts = new Map<string, string>();
  /** The files the host holds for a field, by form and field. */
  private readonly files = new Map<string, string[]>();
  /** Forms sent and not heard back about yet (by node id). */
  private readonly sending = new Set<string>();
  private fields = new Map<string, Map<string, FieldUi>>();
  private generals = new Map<string, HTMLElement>();
  private entry?: EntryView;
  private shape = '';

  constructor(private readonly entryId: string, private readonly post: Post) {
    this.el = h('div', { class: 'hitl-forms', hidden: true });
  }

  /** Draws the entry's forms again when they (or the entry's status) changed. */
  update(entry: EntryView): void {
    this.entry = entry;
    const forms = entry.forms ?? [];
    const shape = JSON.stringify([entry.status, forms]);
    if (shape === this.shape) return;
    // Whatever the host changed about a form answers its sending.
    const before = this.shape ? (JSON.parse(this.shape) as [string, EntryForm[]])[1] : [];
    for (const f of forms) {
      const was = before.find((b) => b.nodeId === f.nodeId);
      if (!was || was.state !== f.state || was.message !== f.message) this.sending.delete(f.nodeId);
    }
    if (entry.status !== 'paused') this.sending.clear();
    this.shape = shape;
    this.fields = new Map();
    this.generals = new Map();
    this.el.replaceChildren(...forms.map((f) => (f.state === 'waiting' || f.state === 'elsewhere' ? this.waiting(f) : this.settled(f))));
    show(this.el, forms.length > 0);
  }

  /** The host's answer to "Choose…": the files a field holds now. */
  setFiles(nodeId: string, name: string, files: string[]): void {
    const form = this.entry?.forms?.find((f) => f.nodeId === nodeId);
    if (!form) return;
    this.files.set(this.key(form, name), files);
    const ui = this.fields.get(nodeId)?.get(name);
    if (ui) {
      this.renderChips(form, ui);
      this.setError(ui, '');
    }
  }

  /** Problems the host found with an answer (an empty record: none, the answer went). */
  showErrors(nodeId: string, errors: Record<string, string>): void {
    this.sending.delete(nodeId);
    const form = this.entry?.forms?.find((f) => f.nodeId === nodeId);
    if (form) this.setBusy(form, false);
    for (const ui of this.fields.get(nodeId)?.values() ?? []) this.setError(ui, errors[ui.field.name] ?? '');
    const general = this.generals.get(nodeId);
    if (general) {
      general.textContent = errors[''] ?? '';
      show(general, !!errors['']);
    }
  }

  /** Brings a waiting form into view and puts the focus on its first input (or its first action). */
  reveal(nodeId?: string): void {
    const el = (nodeId && this.el.querySelector<HTMLElement>(`[data-node-id="${CSS.escape(nodeId)}"]`)) || this.el.querySelector<HTMLElement>('.hitl-form[data-state="waiting"]') || this.el;
    el.scrollIntoView({ block: 'center' });
    el.querySelector<HTMLElement>('textarea, select, input, .hitl-actions button')?.focus();
  }

  private key(form: EntryForm, name: string): string {
    return `${form.nodeId}\u0000${form.token ?? ''}\u0000${name}`;
  }

  /** A form to answer here (or, delivered elsewhere, to read). */
  private waiting(form: EntryForm): HTMLElement {
    const answerable = form.state === 'waiting' && !!form.token;
    const open = answerable && this.entry?.status === 'paused';
    const uis = new Map<string, FieldUi>();
    this.fields.set(form.nodeId, uis);
    for (const f of form.fields) if (answerable) uis.set(f.name, this.fieldUi(form, f));
    const head = h('div', { class: 'hitl-head' }, icon(answerable ? 'debug-pause' : 'mail'),
      h('span', { class: 'hitl-title', text: form.title || t('Form') }),
      form.expiresAt ? h('span', { class: 'hitl-expiry', text: t('Answer by {0}', new Date(form.expiresAt).toLocaleString(document.documentElement.lang || undefined)) }) : null);
    const placed = placedFields(form);
    const body = this.content(form.content, answerable ? uis : undefined);
    const rest = [...uis.values()].filter((u) => !placed.has(u.field.name));
    const general = h('div', { class: 'form-error hitl-general', role: 'alert', hidden: true });
    this.generals.set(form.nodeId, general);
    const el = h('section', { class: 'hitl-form', 'data-node-id': form.nodeId, 'data-state': form.state, 'aria-label': t('Form: {0}', form.title || t('Form')) }, head, body);
    if (rest.length) {
      el.append(h('div', { class: 'form-fields hitl-more' }, ...rest.map((u) => h('div', { class: 'form-row' },
        h('label', { class: 'form-label', for: u.control?.id ?? '', text: fieldName(u.field) }), u.control ?? u.chips!.parentElement!, u.error))));
    }
    if (!answerable) {
      el.append(h('div', { class: 'hitl-note', role: 'note' }, icon('info'),
        h('span', { text: t('Waiting for an answer elsewhere ({0}).', form.channels?.join(', ') || t('an email or the Dify console')) })));
    } else {
      el.append(h('div', { class: 'hitl-actions', role: 'group', 'aria-label': t('Your answer') }, ...form.actions.map((a) => {
        const b = button({ label: a.title, text: true, class: `text-button hitl-action hitl-${a.style}`, onClick: () => this.send(form, a.id) });
        b.dataset.action = a.id;
        return b;
      })));
    }
    el.append(general);
    if (form.message) el.append(h('div', { class: 'hitl-message', role: 'alert' }, icon('warning'), h('span', { text: form.message })));
    this.setBusy(form, !open || this.sending.has(form.nodeId), el);
    return el;
  }

  /** A form that no longer waits: folded, saying how it ended; its content with the answer, when there is one. */
  private settled(form: EntryForm): HTMLElement {
    const title = form.title || t('Form');
    const summary = form.state === 'answered'
      ? (form.answer?.actionText ? t('Answered: {0}', `${title} — ${form.answer.actionText}`) : t('Answered elsewhere: {0}', title))
      : form.state === 'expired' ? t('Expired: {0}', title)
      : form.state === 'timedOut' ? t('No answer came in time: {0}', title)
      : t('No longer available: {0}', title);
    const details = h('details', { class: 'hitl-form hitl-done', 'data-node-id': form.nodeId, 'data-state': form.state },
      h('summary', {}, icon(STATE_ICON[form.state] ?? 'info'), h('span', { text: summary })));
    const content = form.answer?.content ?? (form.content ? form.content.replace(PLACEHOLDER, '…') : '');
    if (content) details.append(this.content(content, undefined));
    if (form.message) details.append(h('div', { class: 'hitl-message', role: 'note' }, icon('info'), h('span', { text: form.message })));
    // What the server said about this very form stays in view until the person folds it.
    if (form.message && form.state !== 'answered') details.open = true;
    return details;
  }

  /** The form's markdown with its inputs in place of their placeholders (without inputs: "…"). */
  private content(markdown: string, uis: Map<string, FieldUi> | undefined): HTMLElement {
    const order: string[] = [];
    const md = markdown.replace(PLACEHOLDER, (_, name: string) => {
      if (!uis?.has(name) || order.includes(name)) return '…';
      order.push(name);
      return `\uE000${order.length - 1}\uE001`;
    });
    const body = h('div', { class: 'markdown hitl-content' });
    body.append(renderOneShot(md, { actions: { copy: (text) => this.post({ type: 'copy', text }), insert: (text) => this.post({ type: 'insert', text }) } }));
    if (!order.length) return body;
    const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    const texts: Text[] = [];
    while (walker.nextNode()) if ((walker.currentNode.nodeValue ?? '').includes('\uE000')) texts.push(walker.currentNode as Text);
    for (const node of texts) {
      const parts: (string | Node)[] = [];
      let at = 0;
      const value = node.nodeValue ?? '';
      for (const m of value.matchAll(MARK)) {
        parts.push(value.slice(at, m.index));
        const ui = uis!.get(order[Number(m[1])]);
        if (ui) parts.push(h('span', { class: 'hitl-field', 'data-kind': ui.field.kind }, ui.control ?? ui.chips!.parentElement!, ui.error));
        at = m.index! + m[0].length;
      }
      parts.push(value.slice(at));
      node.replaceWith(...parts.filter((p) => p !== ''));
    }
    return body;
  }

  private fieldUi(form: EntryForm, f: HumanInputField): FieldUi {
    const id = `hitl-${this.entryId}-${form.nodeId}-${f.name}`.replace(/[^\w-]/g, '_');
    const error = h('span', { class: 'form-error', id: `${id}-error`, role: 'alert', hidden: true });
    const ui: FieldUi = { field: f, error };
    const label = fieldName(f);
    const draft = this.drafts.get(this.key(form, f.name));
    if (f.kind === 'file' || f.kind === 'file-list') {
      ui.chips = h('span', { class: 'form-files' });
      h('span', { class: 'form-file', id, role: 'group', 'aria-label': label, 'aria-describedby': error.id },
        button({ icon: 'attach', label: t('Choose…'), text: true, class: 'text-button secondary form-choose', onClick: () => this.post({ type: 'pickFormFiles', id: this.entryId, nodeId: form.nodeId, name: f.name }) }),
        ui.chips);
      this.renderChips(form, ui);
      return ui;
    }
    let control: Control;
    if (f.kind === 'select' && f.options) {
      control = h('select', { id, class: 'form-control', 'aria-label': label });
      control.append(h('option', { value: '', text: t('Choose…') }), ...f.options.map((o) => h('option', { value: o, text: o })));
      const v = draft ?? f.default;
      control.value = v && f.options.includes(v) ? v : '';
    } else if (f.kind === 'select') {
      control = h('input', { id, type: 'text', class: 'form-control', 'aria-label': label });
      control.value = draft ?? f.default ?? '';
    } else {
      control = h('textarea', { id, class: 'form-control', rows: '2', 'aria-label': label, placeholder: f.name === 'feedback' && !f.label ? t('Feedback') : '' });
      control.value = draft ?? f.default ?? '';
    }
    control.setAttribute('aria-describedby', error.id);
    control.addEventListener(control instanceof HTMLSelectElement ? 'change' : 'input', () => {
      this.drafts.set(this.key(form, f.name), control.value);
      this.setError(ui, '');
    });
    ui.control = control;
    return ui;
  }

  private renderChips(form: EntryForm, ui: FieldUi): void {
    const names = this.files.get(this.key(form, ui.field.name)) ?? [];
    ui.chips!.replaceChildren(...names.map((n) => h('span', { class: 'form-chip', title: n }, icon('file'), h('span', { text: n }))));
    if (names.length) {
      ui.chips!.append(button({ icon: 'close', label: t('Remove {0}', fieldName(ui.field)), onClick: () => this.post({ type: 'clearFormFiles', id: this.entryId, nodeId: form.nodeId, name: ui.field.name }) }));
    } else {
      ui.chips!.append(h('span', { class: 'form-placeholder', text: ui.field.kind === 'file' ? t('No file yet') : t('Optional') }));
    }
  }

  /** Checks the answer as the host will, then sends it; problems show at their inputs, the first one focused. */
  private send(form: EntryForm, action: string): void {
    if (this.sending.has(form.nodeId)) return;
    const uis = this.fields.get(form.nodeId) ?? new Map<string, FieldUi>();
    const valueOf = (f: HumanInputField): AnswerValue => {
      if (f.kind === 'file' || f.kind === 'file-list') return { files: this.files.get(this.key(form, f.name))?.length ?? 0 };
      return { text: uis.get(f.name)?.control?.value ?? f.default ?? '' };
    };
    const problems = answerProblems(form, action, valueOf, t);
    this.showErrors(form.nodeId, problems);
    const first = [...uis.values()].find((u) => problems[u.field.name]);
    if (first) {
      (first.control ?? first.chips?.parentElement?.querySelector('button'))?.focus();
      return;
    }
    if (problems['']) return;
    const values: Record<string, string> = {};
    for (const f of form.fields) if (f.kind === 'paragraph' || f.kind === 'select') values[f.name] = valueOf(f).text ?? '';
    this.sending.add(form.nodeId);
    this.setBusy(form, true);
    this.post({ type: 'answerForm', id: this.entryId, nodeId: form.nodeId, action, values });
  }

  private setBusy(form: EntryForm, busy: boolean, el = this.el.querySelector<HTMLElement>(`[data-node-id="${CSS.escape(form.nodeId)}"]`)): void {
    if (!el) return;
    el.setAttribute('aria-busy', String(this.sending.has(form.nodeId)));
    for (const b of el.querySelectorAll<HTMLButtonElement>('.hitl-actions button, .form-choose')) b.disabled = busy;
  }

  private setError(ui: FieldUi, message: string): void {
    ui.error.textContent = message;
    show(ui.error, !!message);
    const target = ui.control ?? ui.chips?.parentElement;
    if (message) target?.setAttribute('aria-invalid', 'true');
    else target?.removeAttribute('aria-invalid');
  }
}

/** A field's name where no placeholder shows it: its label, Flowise's feedback in the person's language. */
function fieldName(f: HumanInputField): string {
  return !f.label && f.name === 'feedback' ? t('Feedback') : fieldLabel(f);
}
