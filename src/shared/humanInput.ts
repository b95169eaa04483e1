// What answering a Human Input form takes, checked the same way in the panel (before sending) and on the host
// (before the server sees it): every input has a value (Dify wants every key, a select one of its options, a file
// input a file, a file list at most its limit), and the action is one of the form's. Also the form's content with
// the values filled in, as Dify renders it. Pure: the webview uses it too.
import type { HumanInputField, HumanInputForm } from './model';

/** The problems' texts: keys of the l10n bundles (the host and the webview translate them with their own `say`). */
export const ANSWER_PROBLEM_TEXTS = [
  'Choose a value for {0}.',
  '{0} needs a file.',
  '{0} takes at most {1} files.',
  'Choose one of: {0}.',
] as const;

export type AnswerProblemText = (typeof ANSWER_PROBLEM_TEXTS)[number];
export type SayAnswer = (template: AnswerProblemText, ...args: (string | number)[]) => string;

/** A field's value as the check sees it: its text, or how many files it has. */
export interface AnswerValue {
  text?: string;
  files?: number;
}

/** Dify's placeholder of a field in a form's content. */
export const PLACEHOLDER = /\{\{#\$output\.([a-zA-Z_][a-zA-Z0-9_]{0,29})#\}\}/g;

/** What a field is called where the person reads it. */
export function fieldLabel(f: HumanInputField): string {
  return f.label || f.name;
}

/** The names of the fields the content places (the others are shown after it). */
export function placedFields(form: HumanInputForm): Set<string> {
  return new Set(Array.from(form.content.matchAll(PLACEHOLDER), (m) => m[1]));
}

/** The problems of an answer, by field name ('' for the action). Empty when it can be sent. */
export function answerProblems(form: HumanInputForm, action: string, value: (f: HumanInputField) => AnswerValue, say: SayAnswer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of form.fields) {
    const v = value(f);
    const label = fieldLabel(f);
    if (f.kind === 'select' && !(v.text && (!f.options || f.options.includes(v.text)))) out[f.name] = say('Choose a value for {0}.', label);
    if (f.kind === 'file' && !v.files) out[f.name] = say('{0} needs a file.', label);
    if (f.kind === 'file-list' && f.maxFiles && (v.files ?? 0) > f.maxFiles) out[f.name] = say('{0} takes at most {1} files.', label, f.maxFiles);
  }
  if (!form.actions.some((a) => a.id === action)) out[''] = say('Choose one of: {0}.', form.actions.map((a) => a.title).join(', '));
  return out;
}

/** The content with the values in place of the placeholders (Dify's rendered_content: a file is `[file]`, a list
 * `[N files]`, a missing value empty). */
export function renderAnswer(form: HumanInputForm, value: (f: HumanInputField) => AnswerValue): string {
  return form.content.replace(PLACEHOLDER, (_, name: string) => {
    const f = form.fields.find((x) => x.name === name);
    if (!f) return '';
    const v = value(f);
    if (f.kind === 'file') return v.files ? '[file]' : '';
    if (f.kind === 'file-list') return `[${v.files ?? 0} files]`;
    return v.text ?? '';
  });
}
