import * as assert from 'node:assert/strict';
import { appForm, formInputs } from '../../../src/app/appForm';
import { normalizeParameters } from '../../../src/providers/dify/parameters';
import { ATTACHMENTS, attachmentsField, coerceForm, hiddenDefaults, layoutForText } from '../../../src/run/inputForm';
import type { AppParameters, InputField } from '../../../src/providers/types';

const f = (variable: string, kind: string, extra: Partial<InputField> = {}): InputField => ({ variable, kind, label: variable.toUpperCase(), required: false, ...extra });

const FIELDS: InputField[] = [
  f('lang', 'text-input', { required: true }),
  f('code', 'paragraph', { required: true }),
  f('focus', 'select', { options: ['bugs', 'style'], default: 'bugs', required: true }),
  f('depth', 'number', { default: 2 }),
  f('strict', 'checkbox', { default: 'true' }),
  f('config', 'json_object', { default: { a: 1 } }),
  f('spec', 'file', { required: true }),
  f('secret', 'text-input', { hide: true, default: 's3' }),
  f('tool', 'external_data_tool'),
  f('future', 'rating'),
];
const params = (fields = FIELDS): AppParameters => ({ fields, suggestedQuestions: [], limits: { fileSizeLimitMb: 15, imageFileSizeLimitMb: 10, audioFileSizeLimitMb: 50, videoFileSizeLimitMb: 100, workflowFileUploadLimit: 10 } });

describe('the panel\'s compact form', () => {
  it('the message fills the first free-text field no template fills; templates fill theirs from the editor', () => {
    const plain = layoutForText(FIELDS, undefined, false);
    assert.equal(plain.message?.variable, 'lang');
    assert.deepEqual(plain.form.map((x) => x.variable), ['code', 'focus', 'depth', 'strict', 'config', 'spec', 'future']);
    const templated = layoutForText(FIELDS, { lang: '${languageId}' }, false);
    assert.equal(templated.message?.variable, 'code');
    assert.deepEqual(templated.fromEditor.map((x) => x.variable), ['lang']);
    // A template that already places the typed text: the message fills no field of its own.
    assert.equal(layoutForText(FIELDS, { code: 'Review: ${input}' }, false).message, undefined);
    // Chat apps: the message is the query, every visible field is in the form.
    const chat = layoutForText(FIELDS, undefined, true);
    assert.equal(chat.message, undefined);
    assert.equal(chat.form.length, 8);
  });

  it('maps fields to form controls with their defaults, and says when the message may be empty', () => {
    const form = appForm('Reviewer', params(), { lang: '${languageId}' }, false, { spec: ['a.md'], gone: ['x'] });
    assert.deepEqual(form.messageField, { variable: 'code', label: 'CODE', required: true });
    assert.equal(form.messageOptional, false);
    assert.deepEqual(form.fields.map((x) => [x.variable, x.kind, x.default]), [
      ['focus', 'select', 'bugs'], ['depth', 'number', '2'], ['strict', 'checkbox', true], ['config', 'json', '{\n  "a": 1\n}'], ['spec', 'file', undefined], ['future', 'text', undefined],
    ]);
    assert.deepEqual(form.fields[0].options, ['bugs', 'style']);
    assert.deepEqual(form.fromEditor, ['LANG']);
    assert.deepEqual(form.files, { spec: ['a.md'] }, 'names of files for fields that are not in the form are dropped');
    assert.equal(appForm('Sel', params([f('focus', 'select', { options: ['a'] })]), undefined, false).messageOptional, true);
    assert.equal(appForm('Chat', params([]), undefined, true).messageOptional, false);
  });

  it('coerces what the form sent for its own fields only, with a reason per refused value', () => {
    const { inputs, errors } = formInputs(params(), { lang: '${languageId}' }, false, {
      focus: 'style', depth: 'three', strict: false, config: '{"k": [1]}', lang: 'injected', secret: 'changed', spec: 'not a file',
    });
    assert.deepEqual(inputs, { focus: 'style', strict: false, config: { k: [1] } });
    assert.deepEqual(Object.keys(errors), ['depth']);
    assert.match(errors.depth, /must be a number/);
    assert.match(coerceForm([f('focus', 'select', { options: ['a'], required: true })], { focus: '' }).errors.focus, /required/);
    assert.match(coerceForm([f('n', 'number')], { n: true }).errors.n, /must be text/);
    assert.deepEqual(coerceForm([f('n', 'number')], { n: '' }), { inputs: {}, errors: {} }, 'an empty optional field is left out');
  });

  it('offers the app\'s attachments (file upload on) as the last field, with its limits, and only then', () => {
    // A chat app of an older Dify: only the legacy image part of file_upload.
    const legacy = normalizeParameters({ user_input_form: [], file_upload: { image: { enabled: true, number_limits: 2, transfer_methods: ['local_file'] } } });
    assert.deepEqual(attachmentsField(legacy, 'Files'), {
      kind: 'file-list', variable: ATTACHMENTS, label: 'Files', required: false, maxLength: 2, allowedFileTypes: ['image'], allowedFileUploadMethods: ['local_file'],
    });
    const newer = normalizeParameters({
      user_input_form: [{ paragraph: { variable: 'code', label: 'Code', required: true } }],
      file_upload: { enabled: true, allowed_file_types: ['document', 'custom'], allowed_file_extensions: ['.log'], allowed_file_upload_methods: ['local_file', 'remote_url'], number_limits: 5 },
    });
    const form = appForm('Reviewer', newer, undefined, true, { [ATTACHMENTS]: ['a.log'] }, 'Attachments');
    assert.deepEqual(form.fields.map((x) => [x.variable, x.kind, x.label, x.required]), [['code', 'paragraph', 'Code', true], [ATTACHMENTS, 'files', 'Attachments', false]]);
    assert.deepEqual(form.files, { [ATTACHMENTS]: ['a.log'] }, 'the chosen names are shown');
    assert.deepEqual(attachmentsField(newer, 'A')?.allowedFileExtensions, ['.log']);

    const off = normalizeParameters({ user_input_form: [], file_upload: { enabled: false, image: { enabled: false } } });
    assert.equal(attachmentsField(off, 'A'), undefined);
    assert.equal(attachmentsField(params(), 'A'), undefined, 'no file_upload at all');
    assert.deepEqual(appForm('Chat', off, undefined, true, { [ATTACHMENTS]: ['x.png'] }).files, {}, 'no field, no names');
  });

  it('hidden fields keep their defaults', () => {
    assert.deepEqual(hiddenDefaults(FIELDS), { secret: 's3' });
  });
});
