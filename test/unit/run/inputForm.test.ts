import * as assert from 'node:assert/strict';
import { coerceForm, coerceText, english, fileAllowed, fileProblem, fileRefType, fileTypeFor, PROBLEM_TEXTS, textUploadName, validateInputs, visibleFields, type Say } from '../../../src/run/inputForm';
import type { InputField } from '../../../src/providers/types';

const field = (kind: string, extra: Partial<InputField> = {}): InputField => ({ kind, variable: kind.replace('-', '_'), label: kind, required: true, ...extra });

describe('input form', () => {
  it('coerces and validates every field kind from typed text', () => {
    assert.deepEqual(coerceText(field('text-input', { maxLength: 5 }), 'hello'), { value: 'hello' });
    assert.match(coerceText(field('text-input', { maxLength: 5 }), 'hello!').error!, /longer than 5/);
    assert.deepEqual(coerceText(field('paragraph'), '多行\n文本'), { value: '多行\n文本' });
    assert.deepEqual(coerceText(field('number'), ' 42.5 '), { value: 42.5 });
    assert.match(coerceText(field('number'), 'abc').error!, /number/);
    assert.deepEqual(coerceText(field('checkbox'), 'Yes'), { value: true });
    assert.deepEqual(coerceText(field('checkbox'), 'off'), { value: false });
    assert.match(coerceText(field('checkbox'), 'maybe').error!, /yes or no/);
    assert.deepEqual(coerceText(field('select', { options: ['a', 'b'] }), 'b'), { value: 'b' });
    assert.match(coerceText(field('select', { options: ['a', 'b'] }), 'c').error!, /one of: a, b/);
    assert.deepEqual(coerceText(field('json_object'), '{"k":[1,2]}'), { value: { k: [1, 2] } });
    assert.match(coerceText(field('json_object'), '[1]').error!, /JSON object/);
    assert.match(coerceText(field('json_object'), '{bad').error!, /not valid JSON/);
    assert.match(coerceText(field('file'), 'x').error!, /needs a file/);
  });

  it('requires required fields and lets optional ones be skipped', () => {
    assert.match(coerceText(field('text-input'), '  ').error!, /required/);
    assert.deepEqual(coerceText(field('text-input', { required: false }), ''), { value: undefined });
  });

  it('validates a complete input object like the server does', () => {
    const fields = [
      field('text-input'),
      field('select', { options: ['x'] }),
      field('number', { required: false }),
      field('checkbox', { required: false }),
      field('file', { required: false }),
      field('file-list', { required: false, maxLength: 1 }),
    ];
    assert.deepEqual(validateInputs(fields, { text_input: 'hi', select: 'x', number: '3' }), []);
    const problems = validateInputs(fields, {
      select: 'y',
      number: 'NaN!',
      checkbox: 'true',
      file: { transfer_method: 'local_file' },
      file_list: [
        { type: 'document', transfer_method: 'local_file', upload_file_id: 'a' },
        { type: 'image', transfer_method: 'remote_url', url: 'https://x/y.png' },
      ],
    });
    assert.deepEqual(problems, [
      'text-input is required.',
      'select must be one of: x.',
      'number must be a number.',
      'checkbox must be yes or no.',
      'file needs one file.',
      'file-list takes at most 1 files.',
    ]);
  });

  it('hides hidden fields and external data tools from the person', () => {
    const fields = [field('text-input', { hide: true }), field('external_data_tool'), field('paragraph')];
    assert.deepEqual(visibleFields(fields).map((f) => f.kind), ['paragraph']);
  });

  it('checks files against allowed types and extensions', () => {
    assert.equal(fileTypeFor('a.PNG'), 'image');
    assert.equal(fileTypeFor('notes.md'), 'document');
    assert.equal(fileAllowed({ allowedFileTypes: ['image'] }, 'a.png'), true);
    assert.equal(fileAllowed({ allowedFileTypes: ['image'] }, 'a.pdf'), false);
    assert.equal(fileAllowed({ allowedFileTypes: ['custom'], allowedFileExtensions: ['.ts'] }, 'main.ts'), true);
    assert.equal(fileAllowed({ allowedFileTypes: ['custom'], allowedFileExtensions: ['ts'] }, 'main.py'), false);
    assert.equal(fileAllowed({}, 'anything.bin'), true);
    // Dify takes a `custom` file only by one of the listed extensions: none listed, none taken.
    assert.equal(fileAllowed({ allowedFileTypes: ['custom'] }, 'main.ts'), false);
    assert.equal(fileAllowed({ allowedFileTypes: ['custom'], allowedFileExtensions: ['.TS'] }, 'main.ts'), true);
  });

  it('gives a file reference the type Dify checks it by: its kind, or custom where the field takes it by extension only', () => {
    assert.equal(fileRefType({ allowedFileTypes: ['document', 'custom'], allowedFileExtensions: ['.log'] }, 'notes.md'), 'document');
    assert.equal(fileRefType({ allowedFileTypes: ['image', 'custom'], allowedFileExtensions: ['.log'] }, 'build.log'), 'custom');
    assert.equal(fileRefType({ allowedFileTypes: ['image'] }, 'build.log'), 'document', 'not taken at all: the server says so');
    assert.equal(fileRefType({}, 'clip.mp4'), 'video');
  });

  it('says every problem through the given `say` (vscode.l10n.t in VS Code) with a template of PROBLEM_TEXTS', () => {
    const said: string[] = [];
    const say: Say = (template, ...args) => {
      said.push(template);
      return `«${english(template, ...args)}»`;
    };
    assert.equal(coerceText(field('number', { label: 'Depth' }), 'x', say).error, '«Depth must be a number.»');
    assert.equal(coerceText(field('select', { label: 'Tone', options: ['a', 'b'] }), 'c', say).error, '«Tone must be one of: a, b.»');
    assert.equal(coerceForm([field('paragraph', { label: 'Code' })], { paragraph: true }, say).errors.paragraph, '«Code must be text.»');
    const problems = validateInputs(
      [field('text-input', { label: 'T' }), field('checkbox', { label: 'C' }), field('file', { label: 'F' }), field('file-list', { label: 'L', maxLength: 1 }), field('json_object', { label: 'J' })],
      { text_input: 3, checkbox: 'yes', file: 'x', file_list: [{ transfer_method: 'remote_url', url: 'https://a' }, { transfer_method: 'remote_url', url: 'https://b' }], json_object: 'x' },
      say,
    );
    assert.deepEqual(problems, ['«T must be text.»', '«C must be yes or no.»', '«F needs one file.»', '«L takes at most 1 files.»', '«J must be a JSON object.»']);
    assert.ok(said.every((t) => (PROBLEM_TEXTS as readonly string[]).includes(t)), `a template outside PROBLEM_TEXTS: ${said.join(' | ')}`);
    assert.deepEqual(validateInputs([field('number', { label: 'N' })], {}), ['N is required.'], 'English without a say');
  });

  it('says why a file cannot go into a field: its type, or the app\'s size limit for its kind', () => {
    const limits = { fileSizeLimitMb: 15, imageFileSizeLimitMb: 1, audioFileSizeLimitMb: 50, videoFileSizeLimitMb: 100, workflowFileUploadLimit: 10 };
    const f = field('file-list', { label: 'Attachments', allowedFileTypes: ['image', 'document'] });
    const MB = 1024 * 1024;
    assert.equal(fileProblem(f, 'shot.png', MB, limits), undefined);
    assert.equal(fileProblem(f, 'shot.png', MB + 1, limits), 'shot.png is larger than the 1 MB the app accepts.');
    assert.equal(fileProblem(f, 'spec.pdf', 2 * MB, limits), undefined, 'documents have their own, larger limit');
    assert.equal(fileProblem(f, 'clip.mp4', 10, limits), '"Attachments" does not accept clip.mp4: allowed are image, document.');
    // Audio and video have limits of their own (Dify's upload checks each kind against its own).
    const media = field('file-list', { label: 'Media', allowedFileTypes: ['audio', 'video', 'document'] });
    assert.equal(fileProblem(media, 'talk.mp3', 40 * MB, limits), undefined, 'audio: 50 MB, more than documents');
    assert.equal(fileProblem(media, 'talk.mp3', 51 * MB, limits), 'talk.mp3 is larger than the 50 MB the app accepts.');
    assert.equal(fileProblem(media, 'demo.mp4', 99 * MB, limits), undefined);
    assert.equal(fileProblem(media, 'demo.mp4', 101 * MB, limits), 'demo.mp4 is larger than the 100 MB the app accepts.');
    assert.equal(fileProblem(media, 'notes.txt', 16 * MB, limits), 'notes.txt is larger than the 15 MB the app accepts.');
  });

  it('names the editor\'s text for upload so that the field takes it, or says it cannot', () => {
    // What "Current file" / "The selection as a file" offer: the text under this name, if the field accepts it.
    const fits = (f: Partial<InputField>, name: string) => fileAllowed(f, textUploadName(field('file', f), name));
    const docs = { allowedFileTypes: ['document'] };
    assert.equal(textUploadName(field('file', docs), 'sample.ts'), 'sample.ts.txt', 'source goes up as a text document');
    assert.equal(textUploadName(field('file', docs), 'notes.md'), 'notes.md');
    assert.equal(textUploadName(field('file', docs), 'Untitled-1'), 'Untitled-1.txt');
    assert.equal(fits(docs, 'sample.ts'), true);
    assert.equal(textUploadName(field('file', { allowedFileTypes: ['custom'], allowedFileExtensions: ['.ts'] }), 'sample.ts'), 'sample.ts');
    assert.equal(fits({ allowedFileTypes: ['custom'], allowedFileExtensions: ['.ts'] }, 'sample.ts'), true);
    assert.equal(fits({ allowedFileTypes: ['custom'], allowedFileExtensions: ['.ts'] }, 'notes.md'), false);
    assert.equal(fits({ allowedFileTypes: ['image'] }, 'sample.ts'), false, 'an image-only field (a Flowise chatflow\'s attachments) is not offered text');
    assert.equal(fits({}, 'sample.ts'), true);
  });
});
