// A language-model tool so agent mode can run a configured Dify app: `{ app, inputs, query, files }` in,
// the answer (or the workflow's outputs) out as text. Asks for confirmation naming the app and server.
import * as vscode from 'vscode';
import { defaultApp, serverLabel } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { describeFailure } from '../app/errors';
import { captureEditorContext } from '../app/editorContext';
import { attachFiles, prepareRun } from '../app/runPreparation';
import { InputProblems } from '../run/inputForm';
import { withAttachments, type Runs } from '../app/runs';

export const TOOL_NAME = 'dify_runApp';

export interface RunAppInput {
  app?: string;
  query?: string;
  inputs?: Record<string, unknown>;
  /** Files to attach (workspace-relative or absolute paths), for apps that take attachments. */
  files?: string[];
}

export interface ToolDeps {
  catalog: AppCatalog;
  runs: Runs;
  userId: string;
}

export function registerLmTool(deps: ToolDeps): vscode.Disposable | undefined {
  if (typeof vscode.lm?.registerTool !== 'function') return undefined;
  return vscode.lm.registerTool<RunAppInput>(TOOL_NAME, new RunAppTool(deps));
}

export class RunAppTool implements vscode.LanguageModelTool<RunAppInput> {
  constructor(private readonly deps: ToolDeps) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<RunAppInput>): vscode.PreparedToolInvocation {
    const app = this.resolve(options.input.app);
    const name = app?.name ?? options.input.app ?? '?';
    const server = app ? serverLabel(app) : '?';
    const files = filesOf(options.input);
    return {
      invocationMessage: vscode.l10n.t('Running Dify app {0}…', name),
      confirmationMessages: {
        title: vscode.l10n.t('Run the Dify app "{0}"?', name),
        message: new vscode.MarkdownString(
          files.length
            ? vscode.l10n.t('This sends the question, inputs and these files to **{0}** on **{1}**: {2}', name, server, files.map((f) => `\`${f.replace(/`/g, '')}\``).join(', '))
            : vscode.l10n.t('This sends the question and inputs to **{0}** on **{1}**.', name, server),
        ),
      },
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<RunAppInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const input = options.input ?? {};
    const app = this.resolve(input.app);
    if (!app) {
      const names = this.deps.catalog.apps().map((a) => a.name);
      return text(vscode.l10n.t('No Dify app named "{0}". Configured apps: {1}.', input.app ?? '', names.join(', ') || vscode.l10n.t('none')));
    }
    try {
      let start = await prepareRun(this.deps.catalog, this.deps.userId, app, captureEditorContext(), { kind: 'text', text: input.query ?? '', inputs: input.inputs ?? {} }, false);
      if (!start) return text(vscode.l10n.t('The inputs for "{0}" are incomplete.', app.name));
      const paths = filesOf(input);
      if (paths.length) {
        const attached = await attachFiles(this.deps.catalog, this.deps.userId, app, paths);
        start = withAttachments(start, attached.files, attached.names);
      }
      const launched = await this.deps.runs.launch({ ...start, conversationId: '' }, { showPanel: false });
      const cancel = token.onCancellationRequested(() => void launched.run.stop());
      const entry = await launched.done.finally(() => cancel.dispose());
      if (entry.status === 'failed') return text(entry.error?.message ?? vscode.l10n.t('The run failed.'));
      const parts = [entry.answer];
      if (entry.outputs && (!entry.answer || Object.keys(entry.outputs).length > 1)) parts.push(JSON.stringify(entry.outputs, null, 2));
      return text(parts.filter(Boolean).join('\n\n') || vscode.l10n.t('The app returned no text.'));
    } catch (e) {
      if (e instanceof InputProblems) return text(vscode.l10n.t('Cannot run {0}: {1}', app.name, e.problems.join(' ')));
      if ((e as Error)?.name === 'MissingKeyError') return text(vscode.l10n.t('No API key is stored for "{0}": run "Dify: Set API Key".', app.name));
      return text(describeFailure(e, app.name, serverLabel(app)).message);
    }
  }

  private resolve(name: string | undefined) {
    const apps = this.deps.catalog.apps();
    if (!name) return defaultApp(apps);
    return apps.find((a) => a.name === name) ?? apps.find((a) => a.name.toLowerCase() === name.toLowerCase());
  }
}

/** The tool's `files`, as far as they are paths (the model may send anything). */
function filesOf(input: RunAppInput | undefined): string[] {
  return Array.isArray(input?.files) ? input.files.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [];
}

function text(s: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);
}
