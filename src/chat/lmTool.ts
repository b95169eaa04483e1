// The agent tools: `dify_listApps` tells an agent which apps there are and what each takes (its inputs as a JSON
// schema, from the app's /parameters), so it can go from "review this file with our Code Reviewer" to a run without
// guessing; `dify_runApp` runs one with named inputs, checked against that schema, after a confirmation that names
// the app, its server and the inputs. The answer (or the workflow's outputs) comes back as text.
import * as vscode from 'vscode';
import { describeApp, unknownInputs } from '../app/appSchemas';
import { describeFailure } from '../app/errors';
import { captureEditorContext } from '../app/editorContext';
import { attachFiles, attachInputFiles, prepareRun } from '../app/runPreparation';
import { withAttachments, type Runs } from '../app/runs';
import { defaultApp, serverLabel, type AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { describeDestination, destinationOf } from '../config/destination';
import { InputProblems } from '../run/inputForm';

export const TOOL_NAME = 'dify_runApp';
export const LIST_TOOL_NAME = 'dify_listApps';

export interface RunAppInput {
  app?: string;
  query?: string;
  inputs?: Record<string, unknown>;
  /** Files to attach (workspace-relative or absolute paths), for apps that take attachments. */
  files?: string[];
}

export interface ListAppsInput {
  /** One app's name; all apps when absent. */
  app?: string;
}

export interface ToolDeps {
  catalog: AppCatalog;
  runs: Runs;
  userId: string;
}

export function registerLmTool(deps: ToolDeps): vscode.Disposable | undefined {
  if (typeof vscode.lm?.registerTool !== 'function') return undefined;
  return vscode.Disposable.from(
    vscode.lm.registerTool<RunAppInput>(TOOL_NAME, new RunAppTool(deps)),
    vscode.lm.registerTool<ListAppsInput>(LIST_TOOL_NAME, new ListAppsTool(deps)),
  );
}

/** The configured app of that name (exactly, else ignoring case); the default app when no name is given. */
function resolveApp(catalog: AppCatalog, name: string | undefined): AppProfile | undefined {
  const apps = catalog.apps();
  if (!name) return defaultApp(apps);
  return apps.find((a) => a.name === name) ?? apps.find((a) => a.name.toLowerCase() === name.toLowerCase());
}

function noSuchApp(catalog: AppCatalog, name: string | undefined): vscode.LanguageModelToolResult {
  const names = catalog.apps().map((a) => a.name);
  return text(vscode.l10n.t('No Dify app named "{0}". Configured apps: {1}.', name ?? '', names.join(', ') || vscode.l10n.t('none')));
}

export class ListAppsTool implements vscode.LanguageModelTool<ListAppsInput> {
  constructor(private readonly deps: ToolDeps) {}

  async invoke(options: vscode.LanguageModelToolInvocationOptions<ListAppsInput>): Promise<vscode.LanguageModelToolResult> {
    const { catalog } = this.deps;
    const wanted = options.input?.app;
    const apps = wanted ? [resolveApp(catalog, wanted)].filter((a): a is AppProfile => !!a) : catalog.apps();
    if (wanted && !apps.length) return noSuchApp(catalog, wanted);
    const described = await Promise.all(
      apps.map(async (app) => {
        try {
          const [info, params] = await Promise.all([catalog.info(app), catalog.parameters(app)]);
          return describeApp(app.name, serverLabel(app), info, params, app.inputs);
        } catch (e) {
          return { name: app.name, server: serverLabel(app), unavailable: describeFailure(e, app.name, serverLabel(app)).message };
        }
      }),
    );
    return text(JSON.stringify(described, null, 2));
  }
}

export class RunAppTool implements vscode.LanguageModelTool<RunAppInput> {
  constructor(private readonly deps: ToolDeps) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<RunAppInput>): vscode.PreparedToolInvocation {
    const input = options.input ?? {};
    const app = resolveApp(this.deps.catalog, input.app);
    const name = app?.name ?? input.app ?? '?';
    const server = app ? describeDestination(destinationOf(app)) : '?';
    const lines = [
      input.query ? `- ${vscode.l10n.t('Question')}: ${quote(input.query)}` : undefined,
      ...Object.entries(input.inputs ?? {}).map(([k, v]) => `- ${quote(k)}: ${quote(typeof v === 'string' ? v : JSON.stringify(v))}`),
      ...filesOf(input).map((f) => `- ${vscode.l10n.t('File')}: ${quote(f)}`),
    ].filter(Boolean);
    return {
      invocationMessage: vscode.l10n.t('Running Dify app {0}…', name),
      confirmationMessages: {
        title: vscode.l10n.t('Run the Dify app "{0}"?', name),
        message: new vscode.MarkdownString(
          [vscode.l10n.t('This sends the following to **{0}** on **{1}**:', name, server), ...(lines.length ? lines : [`- ${vscode.l10n.t('(nothing)')}`])].join('\n\n'),
        ),
      },
    };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<RunAppInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const input = options.input ?? {};
    const { catalog, runs, userId } = this.deps;
    const app = resolveApp(catalog, input.app);
    if (!app) return noSuchApp(catalog, input.app);
    try {
      const given = input.inputs ?? {};
      const { unknown, known } = unknownInputs(await catalog.parameters(app), given);
      if (unknown.length) {
        return text(vscode.l10n.t('"{0}" has no input named {1}. Its inputs are: {2}. Call {3} for their types.', app.name, unknown.join(', '), known.join(', ') || vscode.l10n.t('none'), LIST_TOOL_NAME));
      }
      const withFiles = await attachInputFiles(catalog, userId, app, given);
      let start = await prepareRun(catalog, userId, app, captureEditorContext(), { kind: 'text', text: input.query ?? '', inputs: withFiles.inputs }, false);
      if (!start) return text(vscode.l10n.t('The inputs for "{0}" are incomplete.', app.name));
      const paths = filesOf(input);
      if (paths.length) {
        const attached = await attachFiles(catalog, userId, app, paths);
        start = withAttachments(start, attached.files, attached.names);
      }
      const launched = await runs.launch({ ...start, conversationId: '' }, { showPanel: false });
      const cancel = token.onCancellationRequested(() => void launched.run.stop());
      const entry = await launched.done.finally(() => cancel.dispose());
      if (entry.status === 'failed') return text(entry.error?.message ?? vscode.l10n.t('The run failed.'));
      const parts = [entry.answer];
      if (entry.outputs && (!entry.answer || Object.keys(entry.outputs).length > 1)) parts.push(JSON.stringify(entry.outputs, null, 2));
      return text(parts.filter(Boolean).join('\n\n') || vscode.l10n.t('The app returned no text.'));
    } catch (e) {
      if (e instanceof InputProblems) return text(vscode.l10n.t('Cannot run {0}: {1}', app.name, e.problems.join(' ')));
      return text(describeFailure(e, app.name, serverLabel(app)).message);
    }
  }
}

/** A value shown in the confirmation: one line of inline code (what an agent sends is not markdown to render), at
 * most 200 characters. */
function quote(v: string): string {
  const line = v.replace(/\s+/g, ' ').replace(/`/g, "'").trim();
  return `\`${line.length > 200 ? `${line.slice(0, 200)}…` : line}\``;
}

/** The tool's `files`, as far as they are paths (the model may send anything). */
function filesOf(input: RunAppInput | undefined): string[] {
  return Array.isArray(input?.files) ? input.files.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [];
}

function text(s: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(s)]);
}
