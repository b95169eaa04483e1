// The input form's texts in the person's language: its problems (templates from src/run/inputForm.ts, keys of the
// l10n bundles) and the label of an app's attachments.
import * as vscode from 'vscode';
import type { Say } from '../run/inputForm';

export const sayTranslated: Say = (template, ...args) => vscode.l10n.t(template, ...args);

/** The label of the app-level attachments field (`attachmentsField`) in forms and in a run's inputs: not "Attachments",
 * which reads as a twin of an app's own file input called "Attachment". */
export const attachmentsLabel = (): string => vscode.l10n.t('Files with this message');
