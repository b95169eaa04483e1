// The composer's compact form (the selected app's other inputs) in the real panel bundle, headless Chromium.
import assert from 'node:assert/strict';
import type { AppForm, PanelState } from '../../src/protocol';
import { pagePerTest, panelDriver } from './harness';

const APPS: PanelState['apps'] = [
  { name: 'Reviewer', mode: 'workflow', server: 'https://dify.local/v1', provider: 'dify' },
  { name: 'Coder', mode: 'advanced-chat', server: 'https://dify.local/v1', provider: 'dify' },
];

const REVIEWER: AppForm = {
  app: 'Reviewer',
  messageField: { variable: 'code', label: 'Code', required: true },
  messageOptional: false,
  fields: [
    { variable: 'focus', label: 'Focus', kind: 'select', required: true, options: ['bugs', 'style', 'security'], default: 'bugs' },
    { variable: 'depth', label: 'Depth', kind: 'number', required: false },
    { variable: 'strict', label: 'Strict', kind: 'checkbox', required: false, default: true },
    { variable: 'notes', label: 'Notes', kind: 'paragraph', required: false, maxLength: 20 },
    { variable: 'config', label: 'Config', kind: 'json', required: false },
    { variable: 'spec', label: 'Spec', kind: 'file', required: true },
  ],
  fromEditor: ['Language'],
  files: {},
};

function state(over: Partial<PanelState> = {}): PanelState {
  return { apps: APPS, selectedApp: 'Reviewer', entries: [], running: false, form: REVIEWER, ...over };
}

describe('chat panel: the app form beside the composer', function () {
  this.timeout(60_000);
  const tp = pagePerTest();

  const { init, send, posted } = panelDriver(tp, state);
  const label = (text: string) => tp.page.locator('.form-row').filter({ has: tp.page.locator('.form-label', { hasText: text }) });

  it('shows every field with its default, labels, required marks and what the editor fills', async () => {
    await init();
    assert.equal(await tp.page.isVisible('.app-form'), true);
    assert.equal(await tp.page.textContent('.form-toggle'), 'Inputs (6)');
    assert.deepEqual(await tp.page.$$eval('.form-label', (ls) => ls.map((l) => l.textContent)), ['Focus*', 'Depth', 'Strict', 'Notes', 'Config', 'Spec*']);
    assert.equal(await tp.page.inputValue('select.form-control'), 'bugs');
    assert.equal(await tp.page.isChecked('.form-check'), true);
    assert.equal(await tp.page.getAttribute('textarea.form-control:not(.form-json)', 'maxlength'), '20');
    assert.equal(await tp.page.textContent('.form-note'), 'From the editor: Language');
    // The message box says which field it fills.
    assert.equal(await tp.page.getAttribute('textarea.input', 'placeholder'), 'Type the Code for Reviewer…');
    // Labels are tied to their controls (accessible names), required fields say so.
    assert.equal(await label('Depth').locator('input').getAttribute('id'), await label('Depth').locator('label').getAttribute('for'));
    assert.equal(await label('Spec').locator('.form-file').getAttribute('aria-required'), 'true');
    // Collapsing hides the fields and keeps the count of what is still required visible.
    await tp.page.click('.form-toggle');
    assert.equal(await tp.page.getAttribute('.form-toggle', 'aria-expanded'), 'false');
    assert.equal(await tp.page.isVisible('.form-fields'), false);
    assert.match((await tp.page.textContent('.form-toggle'))!, /1 required/);
  });

  it('validates in the panel before sending (translated), then sends the raw values with the message', async () => {
    await init(state(), { '{0} needs a file.': '{0} 需要一个文件。', '{0} must be a number.': '{0} 必须是数字。' });
    await label('Depth').locator('input').fill('deep');
    await label('Config').locator('textarea').fill('[1, 2]');
    await tp.page.fill('textarea.input', 'const x = 1;');
    await tp.page.press('textarea.input', 'Enter');
    assert.deepEqual(await posted('send'), []);
    assert.deepEqual(await tp.page.$$eval('.form-error:not([hidden])', (es) => es.map((e) => e.textContent)), ['Depth 必须是数字。', 'Config must be a JSON object.', 'Spec 需要一个文件。']);
    assert.equal(await tp.page.evaluate(() => document.activeElement?.closest('.form-row')?.querySelector('.form-label')?.textContent), 'Depth');
    assert.equal(await label('Depth').locator('input').getAttribute('aria-invalid'), 'true');
    // The message stays in the box while the form is fixed.
    assert.equal(await tp.page.inputValue('textarea.input'), 'const x = 1;');

    // "Choose…" asks the host, which uploads and answers with the names.
    await label('Spec').locator('button').click();
    assert.deepEqual(await posted('pickFiles'), [{ type: 'pickFiles', app: 'Reviewer', variable: 'spec' }]);
    await send({ type: 'formFiles', app: 'Reviewer', variable: 'spec', files: ['spec.md'] });
    assert.equal(await label('Spec').locator('.form-chip').textContent(), 'spec.md');
    await label('Depth').locator('input').fill('3');
    await label('Config').locator('textarea').fill('{"a": 1}');
    await tp.page.selectOption('select.form-control', 'security');
    await tp.page.uncheck('.form-check');
    assert.equal(await tp.page.$$eval('.form-error:not([hidden])', (es) => es.length), 0);
    await tp.page.press('textarea.input', 'Enter');
    assert.deepEqual(await posted('send'), [{
      type: 'send', text: 'const x = 1;', app: 'Reviewer',
      inputs: { focus: 'security', depth: '3', strict: false, notes: '', config: '{"a": 1}' },
    }]);
    assert.equal(await tp.page.inputValue('textarea.input'), '');

    // Removing the file goes through the host too.
    await label('Spec').locator('button[aria-label="Remove Spec"]').click();
    assert.deepEqual(await posted('clearFiles'), [{ type: 'clearFiles', app: 'Reviewer', variable: 'spec' }]);
  });

  it('a form cut to its bound says how many inputs are not shown', async () => {
    await init(state({ form: { ...REVIEWER, droppedFields: 900 } }));
    assert.deepEqual(await tp.page.$$eval('.form-note', (ns) => ns.map((n) => n.textContent)), ['From the editor: Language', '900 more inputs of this app are not shown.']);
  });

  it('a required message field must be typed; an app without one runs with Enter on an empty box', async () => {
    await init(state({ form: { ...REVIEWER, fields: [REVIEWER.fields[0]] } }));
    await tp.page.press('textarea.input', 'Enter');
    assert.deepEqual(await posted('send'), []);
    await init(state({ form: { ...REVIEWER, messageField: undefined, messageOptional: true, fields: [REVIEWER.fields[0]] } }));
    assert.equal(await tp.page.getAttribute('textarea.input', 'placeholder'), 'Run Reviewer (Enter)');
    await tp.page.press('textarea.input', 'Enter');
    assert.deepEqual(await posted('send'), [{ type: 'send', text: '', app: 'Reviewer', inputs: { focus: 'bugs' } }]);
  });

  it('shows the host\'s problems per field and for the whole form; a later success clears them', async () => {
    await init();
    await send({ type: 'formErrors', app: 'Reviewer', errors: { depth: 'Depth must be a number.', '': 'Language is required.' } });
    assert.equal(await label('Depth').locator('.form-error').textContent(), 'Depth must be a number.');
    assert.equal(await tp.page.textContent('.form-general'), 'Language is required.');
    await send({ type: 'formErrors', app: 'Reviewer', errors: {} });
    assert.equal(await tp.page.$$eval('.form-error:not([hidden])', (es) => es.length), 0);
    // Another app's errors do not land here.
    await send({ type: 'formErrors', app: 'Coder', errors: { '': 'nope' } });
    assert.equal(await tp.page.isVisible('.form-general'), false);
  });

  it('keeps values per app across app switches and a reload of the panel', async () => {
    await init();
    await label('Notes').locator('textarea').fill('look at the loops');
    // Switching apps hides this form at once and asks the host for the other one.
    await tp.page.selectOption('.app-select', 'Coder');
    assert.equal(await tp.page.isVisible('.app-form'), false);
    const [picked] = await posted('selectApp');
    assert.deepEqual(picked, { type: 'selectApp', app: 'Coder', pick: picked.pick });
    const coderForm: AppForm = { app: 'Coder', messageOptional: false, fields: [{ variable: 'lang', label: 'Language', kind: 'text', required: false }], fromEditor: [], files: {} };
    await send({ type: 'apps', apps: APPS, selectedApp: 'Coder', form: coderForm, pick: picked.pick as number });
    assert.equal(await tp.page.getAttribute('textarea.input', 'placeholder'), 'Ask Coder…');
    assert.equal(await tp.page.textContent('.form-label'), 'Language');
    await send({ type: 'apps', apps: APPS, selectedApp: 'Reviewer', form: REVIEWER });
    assert.equal(await label('Notes').locator('textarea').inputValue(), 'look at the loops');

    // A reloaded panel (getState) gets the values back before the host's init arrives.
    const saved = await tp.state();
    await tp.reopen({ state: saved });
    await tp.frames();
    assert.equal(await label('Notes').locator('textarea').inputValue(), 'look at the loops');
    await init();
    assert.equal(await label('Notes').locator('textarea').inputValue(), 'look at the loops');
  });

  it('without a form (not loaded yet) the message goes alone and the host asks for the rest', async () => {
    await init(state({ form: undefined }));
    assert.equal(await tp.page.isVisible('.app-form'), false);
    await tp.page.fill('textarea.input', 'hello');
    await tp.page.press('textarea.input', 'Enter');
    assert.deepEqual(await posted('send'), [{ type: 'send', text: 'hello', app: 'Reviewer' }]);
  });
});
