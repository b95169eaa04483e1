// The compact form above the message box: the selected app's other inputs (from its /parameters), with
// the app's defaults, values kept per app while the panel lives (and across reloads via the panel state),
// inline validation in the person's language, and files attached through the host ("Choose…").
import type { AppForm, FormField, FormValues } from '../../protocol';
import { t } from '../strings';
import { button, h, icon, show } from './dom';
import type { Post } from './entry';

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

interface Row {
  field: FormField;
  control?: Control;
  /** File fields: the attached names and where they are listed. */
  files?: string[];
  chips?: HTMLElement;
  error: HTMLElement;
}

const isFile = (f: FormField) => f.kind === 'file' || f.kind === 'files';

export class FormView {
  readonly el: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly body: HTMLElement;
  private readonly general: HTMLElement;
  private rows = new Map<string, Row>();
  private current: AppForm | undefined;
  private shape = '';
  private expanded = true;
  private static seq = 0;

  /** `changed` is called with the app and its raw values whenever a value changes (to persist them). */
  constructor(private readonly post: Post, private readonly changed: (app: string, values: FormValues) => void) {
    this.toggle = h('button', { type: 'button', class: 'form-toggle', 'aria-expanded': 'true' }, t('Inputs'));
    this.toggle.addEventListener('click', (e) => {
      e.preventDefault();
      this.expanded = !this.expanded;
      this.renderToggle();
    });
    this.body = h('div', { class: 'form-fields' });
    this.general = h('div', { class: 'form-error form-general', role: 'alert', hidden: true });
    this.el = h('section', { class: 'app-form', hidden: true }, this.toggle, this.body, this.general);
  }

  get form(): AppForm | undefined {
    return this.current;
  }

  /** Shows an app's form; `saved` are values kept from before (same app). Unchanged forms keep their DOM. */
  setForm(form: AppForm | undefined, saved: FormValues | undefined): void {
    const shape = form ? JSON.stringify([form.app, form.fields, form.fromEditor]) : '';
    const sameForm = shape === this.shape;
    this.current = form;
    this.shape = shape;
    if (!sameForm) this.build(form, saved ?? {});
    if (form) for (const [variable, names] of Object.entries(form.files)) this.setFiles(variable, names);
    show(this.el, !!form && (form.fields.length > 0 || form.fromEditor.length > 0));
  }

  private build(form: AppForm | undefined, saved: FormValues): void {
    this.rows.clear();
    this.body.replaceChildren();
    this.setGeneralError('');
    if (!form) return;
    this.el.setAttribute('aria-label', t('Inputs of {0}', form.app));
    for (const field of form.fields) this.body.append(this.row(field, saved[field.variable]));
    if (form.fromEditor.length) {
      this.body.append(h('div', { class: 'form-note' }, icon('go-to-file'), h('span', { text: t('From the editor: {0}', form.fromEditor.join(', ')) })));
    }
    if (form.droppedFields) {
      this.body.append(h('div', { class: 'form-note' }, icon('warning'), h('span', { text: t('{0} more inputs of this app are not shown.', form.droppedFields) })));
    }
    this.renderToggle();
  }

  private row(field: FormField, saved: string | boolean | undefined): HTMLElement {
    const id = `form-${++FormView.seq}`;
    const error = h('div', { class: 'form-error', id: `${id}-error`, role: 'alert', hidden: true });
    const label = h('label', { class: 'form-label', for: id, title: field.description ?? field.label },
      h('span', { text: field.label }),
      field.required ? h('span', { class: 'form-required', 'aria-hidden': 'true', text: '*' }) : null);
    const r: Row = { field, error };
    this.rows.set(field.variable, r);
    let control: HTMLElement;
    if (isFile(field)) {
      r.files = [];
      r.chips = h('span', { class: 'form-files' });
      control = h('div', { class: 'form-file', id, role: 'group', 'aria-label': field.label },
        button({ icon: 'attach', label: t('Choose…'), text: true, class: 'text-button secondary form-choose', onClick: () => this.post({ type: 'pickFiles', app: this.current!.app, variable: field.variable }) }),
        r.chips);
      this.renderChips(r);
    } else {
      r.control = this.control(field, id, saved);
      control = r.control;
      r.control.addEventListener(field.kind === 'checkbox' || field.kind === 'select' ? 'change' : 'input', () => {
        this.clearError(r);
        if (this.current) this.changed(this.current.app, this.values());
      });
    }
    if (field.required) control.setAttribute('aria-required', 'true');
    control.setAttribute('aria-describedby', error.id);
    return h('div', { class: 'form-row', 'data-kind': field.kind }, label, control, error);
  }

  private control(field: FormField, id: string, saved: string | boolean | undefined): Control {
    const value = saved ?? field.default;
    const common = { id, class: 'form-control', title: field.description, 'aria-label': field.label };
    switch (field.kind) {
      case 'checkbox': {
        const c = h('input', { ...common, type: 'checkbox', class: 'form-check' });
        c.checked = value === true;
        return c;
      }
      case 'select': {
        const s = h('select', common);
        if (!field.required || value === undefined) s.append(h('option', { value: '', text: field.required ? t('Choose…') : '—' }));
        for (const o of field.options ?? []) s.append(h('option', { value: o, text: o }));
        s.value = typeof value === 'string' && (field.options ?? []).includes(value) ? value : '';
        return s;
      }
      case 'paragraph':
      case 'json': {
        const a = h('textarea', { ...common, rows: field.kind === 'json' ? '3' : '2', class: `form-control${field.kind === 'json' ? ' form-json' : ''}`, spellcheck: field.kind === 'json' ? 'false' : undefined });
        if (field.maxLength) a.maxLength = field.maxLength;
        if (field.kind === 'json') a.placeholder = '{ }';
        a.value = typeof value === 'string' ? value : '';
        return a;
      }
      default: {
        const i = h('input', { ...common, type: 'text', inputmode: field.kind === 'number' ? 'decimal' : undefined });
        if (field.maxLength) i.maxLength = field.maxLength;
        i.value = typeof value === 'string' ? value : '';
        return i;
      }
    }
  }

  private renderToggle(): void {
    const form = this.current;
    if (!form) return;
    const missing = [...this.rows.values()].filter((r) => r.field.required && this.isEmpty(r)).length;
    this.toggle.replaceChildren(
      icon(this.expanded ? 'chevron-down' : 'chevron-right'),
      h('span', { text: t('Inputs ({0})', form.fields.length) }),
      ...(missing && !this.expanded ? [h('span', { class: 'form-missing', text: t('{0} required', missing) })] : []));
    this.toggle.setAttribute('aria-expanded', String(this.expanded));
    show(this.body, this.expanded);
  }

  /** The raw values: text as typed, checkboxes as booleans (files stay on the host). */
  values(): FormValues {
    const out: FormValues = {};
    for (const [variable, r] of this.rows) {
      if (!r.control) continue;
      out[variable] = r.control instanceof HTMLInputElement && r.control.type === 'checkbox' ? r.control.checked : r.control.value;
    }
    return out;
  }

  private isEmpty(r: Row): boolean {
    if (r.files) return r.files.length === 0;
    if (!r.control || (r.control instanceof HTMLInputElement && r.control.type === 'checkbox')) return false;
    return r.control.value.trim() === '';
  }

  /** Checks what the host would refuse; shows each problem under its field and focuses the first. */
  validate(): boolean {
    let first: HTMLElement | undefined;
    for (const r of this.rows.values()) {
      const problem = this.problem(r);
      if (problem) {
        this.setError(r, problem);
        first ??= r.control ?? (r.chips?.parentElement?.querySelector('button') as HTMLElement | undefined);
      } else {
        this.clearError(r);
      }
    }
    this.setGeneralError('');
    if (first) {
      this.expanded = true;
      this.renderToggle();
      first.focus();
    }
    return !first;
  }

  private problem(r: Row): string | undefined {
    const f = r.field;
    if (this.isEmpty(r)) {
      if (!f.required) return undefined;
      return isFile(f) ? t('{0} needs a file.', f.label) : t('{0} is required.', f.label);
    }
    const v = r.control?.value.trim() ?? '';
    if (f.kind === 'number' && !Number.isFinite(Number(v))) return t('{0} must be a number.', f.label);
    if (f.kind === 'json') {
      try {
        const o: unknown = JSON.parse(v);
        if (typeof o !== 'object' || o === null || Array.isArray(o)) return t('{0} must be a JSON object.', f.label);
      } catch {
        return t('{0} must be a JSON object.', f.label);
      }
    }
    if (f.maxLength && r.control && [...r.control.value].length > f.maxLength) return t('{0} is longer than {1} characters.', f.label, f.maxLength);
    return undefined;
  }

  /** Problems the host found (per variable; '' for the whole form). An empty record clears them. */
  showErrors(errors: Record<string, string>): void {
    for (const r of this.rows.values()) {
      if (errors[r.field.variable]) this.setError(r, errors[r.field.variable]);
      else this.clearError(r);
    }
    this.setGeneralError(errors[''] ?? '');
    const first = [...this.rows.values()].find((r) => errors[r.field.variable]);
    if (first || errors['']) {
      this.expanded = true;
      this.renderToggle();
      first?.control?.focus();
    }
  }

  setFiles(variable: string, names: string[]): void {
    const r = this.rows.get(variable);
    if (!r?.files) return;
    r.files = names;
    this.renderChips(r);
    this.clearError(r);
    this.renderToggle();
  }

  private renderChips(r: Row): void {
    if (!r.chips || !r.files) return;
    r.chips.replaceChildren(...r.files.map((name) => h('span', { class: 'form-chip', title: name }, icon('file'), h('span', { text: name }))));
    if (r.files.length) {
      r.chips.append(button({ icon: 'close', label: t('Remove {0}', r.field.label), onClick: () => this.post({ type: 'clearFiles', app: this.current!.app, variable: r.field.variable }) }));
    } else {
      r.chips.append(h('span', { class: 'form-placeholder', text: r.field.required ? t('No file yet') : t('Optional') }));
    }
  }

  private setError(r: Row, message: string): void {
    r.error.textContent = message;
    show(r.error, true);
    (r.control ?? r.chips?.parentElement)?.setAttribute('aria-invalid', 'true');
  }

  private clearError(r: Row): void {
    if (r.error.hidden) return;
    r.error.textContent = '';
    show(r.error, false);
    (r.control ?? r.chips?.parentElement)?.removeAttribute('aria-invalid');
  }

  private setGeneralError(message: string): void {
    this.general.textContent = message;
    show(this.general, !!message);
  }
}
