// Input problems (src/run/inputForm.ts) in the person's language: their templates are keys of the l10n bundles.
import * as vscode from 'vscode';
import type { Say } from '../run/inputForm';

export const sayTranslated: Say = (template, ...args) => vscode.l10n.t(template, ...args);
