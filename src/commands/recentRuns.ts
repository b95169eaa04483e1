// The "Recent Runs" view (in the Dify side bar, under the chat): each workflow or chatflow app with its runs as its
// server logs them, newest first, a page at a time ("Load more"), optionally only those of one status; a run opens
// in full as a read-only Markdown document. An app that cannot be listed shows one line saying why, which fixes it.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import { formatDate } from '../app/conversationService';
import { statusText, type WorkflowRuns } from '../app/workflowRuns';
import type { ErrorAction, ErrorView } from '../shared/entry';
import { isApiError } from '../net/apiError';
import type { RunLogQuery, WorkflowRunSummary } from '../providers/types';
import { fileNameOf } from '../app/conversationMarkdown';

export const RUNS_VIEW_ID = 'dify.runs';
export const RUN_SCHEME = 'dify-run';

type StatusFilter = RunLogQuery['status'];

interface AppNode {
  kind: 'app';
  app: AppProfile;
}
interface RunNode {
  kind: 'run';
  app: AppProfile;
  run: WorkflowRunSummary;
}
interface MoreNode {
  kind: 'more';
  app: AppProfile;
}
interface NoteNode {
  kind: 'note';
  app: AppProfile;
  text: string;
  error?: ErrorView;
}
export type RunsNode = AppNode | RunNode | MoreNode | NoteNode;

interface Loaded {
  runs: WorkflowRunSummary[];
  page: number;
  hasMore: boolean;
  /** Why nothing could be listed. */
  error?: ErrorView;
  /** The app turned out not to be a workflow (its server said so). */
  notLogged?: boolean;
}

const ICONS: Record<string, [string, string?]> = {
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  stopped: ['circle-slash'],
  'partial-succeeded': ['warning', 'list.warningForeground'],
  running: ['loading~spin'],
  paused: ['debug-pause'],
};

export class RecentRuns implements vscode.TreeDataProvider<RunsNode>, vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly appNodes = new Map<string, AppNode>();
  private readonly loaded = new Map<string, Loaded>();
  private filter: StatusFilter;
  private view?: vscode.TreeView<RunsNode>;

  constructor(private readonly runs: WorkflowRuns) {}

  register(): vscode.Disposable[] {
    this.view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    const reg = vscode.commands.registerCommand;
    return [
      this.view,
      this,
      vscode.workspace.registerTextDocumentContentProvider(RUN_SCHEME, this),
      reg('dify.refreshRuns', () => this.refresh()),
      reg('dify.filterRuns', () => this.pickFilter()),
      reg('dify.loadMoreRuns', (node?: RunsNode) => node && this.loadMore(node.app)),
      reg('dify.openRun', (appName?: unknown, runId?: unknown) => this.open(appName, runId)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('dify.apps')) this.refresh();
      }),
    ];
  }

  /** Forgets what was listed: every app is asked again as it is shown. */
  refresh(): void {
    this.loaded.clear();
    this.appNodes.clear();
    this.changed.fire(undefined);
  }

  /** Lists only runs of this status (undefined: all). */
  setFilter(status: StatusFilter): void {
    this.filter = status;
    if (this.view) this.view.description = status ? filterLabel(status) : undefined;
    this.refresh();
  }

  get statusFilter(): StatusFilter {
    return this.filter;
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) {
      return this.runs.candidates().filter((a) => !this.loaded.get(a.name)?.notLogged).map((a) => this.appNode(a));
    }
    if (node.kind !== 'app') return [];
    const l = await this.load(node.app);
    if (l.notLogged) return [{ kind: 'note', app: node.app, text: vscode.l10n.t('Only workflows and chatflows have a run log.') }];
    if (l.error) return [{ kind: 'note', app: node.app, text: l.error.message, error: l.error }];
    const out: RunsNode[] = l.runs.map((run) => ({ kind: 'run', app: node.app, run }));
    if (!out.length) out.push({ kind: 'note', app: node.app, text: this.filter ? vscode.l10n.t('No runs with this status.') : vscode.l10n.t('No runs yet.') });
    if (l.hasMore) out.push({ kind: 'more', app: node.app });
    return out;
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'app': {
        const item = new vscode.TreeItem(node.app.name, this.runs.candidates().length === 1 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `app:${node.app.name}`;
        item.iconPath = new vscode.ThemeIcon('type-hierarchy');
        if (this.runs.source(node.app) === 'workspace') {
          item.description = vscode.l10n.t('runs from this workspace');
          item.tooltip = vscode.l10n.t('Dify\'s run log holds workflow runs only: these are the chatflow\'s runs started here.');
        }
        item.contextValue = 'difyRunsApp';
        return item;
      }
      case 'run':
        return runItem(node.app, node.run);
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'));
        item.iconPath = new vscode.ThemeIcon('chevron-down');
        item.command = { command: 'dify.loadMoreRuns', title: vscode.l10n.t('Load more…'), arguments: [node] };
        return item;
      }
      case 'note': {
        const item = new vscode.TreeItem(node.text);
        item.tooltip = node.text;
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        const fix = node.error?.actions[0];
        if (fix) {
          item.description = fix.label;
          item.command = fixCommand(fix.action, node.app);
        }
        return item;
      }
    }
  }

  /** The next page of an app's runs. */
  async loadMore(app: AppProfile): Promise<void> {
    const l = this.loaded.get(app.name);
    if (!l?.hasMore) return;
    try {
      const next = await this.runs.page(app, { page: l.page + 1, status: this.filter });
      const seen = new Set(l.runs.map((r) => r.id));
      l.runs.push(...next.runs.filter((r) => !seen.has(r.id)));
      l.page = next.page;
      l.hasMore = next.hasMore && next.runs.length > 0;
    } catch (e) {
      l.error = this.runs.describe(app, e);
    }
    this.changed.fire(this.appNode(app));
  }

  /** Opens a run in full, read-only. */
  async open(appName: unknown, runId: unknown): Promise<vscode.TextEditor | undefined> {
    if (typeof appName !== 'string' || typeof runId !== 'string') return undefined;
    const doc = await vscode.workspace.openTextDocument(runUri(appName, runId));
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { app: name, run } = JSON.parse(uri.query) as { app: string; run: string };
    const app = this.runs.candidates().find((a) => a.name === name);
    if (!app) return vscode.l10n.t('There is no app named "{0}" any more.', name);
    try {
      return await this.runs.detail(app, run);
    } catch (e) {
      const gone = isApiError(e) && e.kind === 'http' && e.status === 404;
      return `# ${name}\n\n${gone ? vscode.l10n.t('"{0}" has no run {1}: it may have been deleted from its log.', name, run) : this.runs.describe(app, e).message}\n`;
    }
  }

  dispose(): void {
    this.changed.dispose();
  }

  private appNode(app: AppProfile): AppNode {
    // One node per app for the view's lifetime (the view finds the node it shows by identity).
    let n = this.appNodes.get(app.name);
    if (!n) this.appNodes.set(app.name, (n = { kind: 'app', app }));
    n.app = app;
    return n;
  }

  private async load(app: AppProfile): Promise<Loaded> {
    const have = this.loaded.get(app.name);
    if (have) return have;
    let l: Loaded;
    try {
      if (!(await this.runs.logged(app))) {
        l = { runs: [], page: 1, hasMore: false, notLogged: true };
      } else {
        const page = await this.runs.page(app, { page: 1, status: this.filter });
        l = { runs: page.runs, page: page.page, hasMore: page.hasMore && page.runs.length > 0 };
      }
    } catch (e) {
      l = { runs: [], page: 0, hasMore: false, error: this.runs.describe(app, e) };
    }
    this.loaded.set(app.name, l);
    // An app that is no workflow goes from the list once its server has said so.
    if (l.notLogged) setTimeout(() => this.changed.fire(undefined), 0);
    return l;
  }

  private async pickFilter(): Promise<void> {
    const items: (vscode.QuickPickItem & { status: StatusFilter })[] = [
      { label: vscode.l10n.t('All runs'), status: undefined },
      { label: statusText('succeeded'), status: 'succeeded' },
      { label: statusText('failed'), status: 'failed' },
      { label: statusText('stopped'), status: 'stopped' },
    ];
    for (const i of items) i.picked = i.status === this.filter;
    const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Show which runs?') });
    if (picked) this.setFilter(picked.status);
  }
}

function filterLabel(status: NonNullable<StatusFilter>): string {
  return vscode.l10n.t('{0} only', statusText(status));
}

/** The read-only document of one run: named after the app and the run, its app and run id in the query. */
export function runUri(app: string, runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RUN_SCHEME, path: `/${fileNameOf(app)} ${runId.slice(0, 8)}.md`, query: JSON.stringify({ app, run: runId }) });
}

function runItem(app: AppProfile, run: WorkflowRunSummary): vscode.TreeItem {
  const when = run.createdAt !== undefined ? formatDate(run.createdAt) : run.id.slice(0, 8);
  const item = new vscode.TreeItem(when, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${app.name}:${run.id}`;
  const parts = [statusText(run.status)];
  if (run.elapsedSeconds !== undefined) parts.push(vscode.l10n.t('{0} s', run.elapsedSeconds < 10 ? run.elapsedSeconds.toFixed(2) : run.elapsedSeconds.toFixed(1)));
  if (run.totalTokens) parts.push(vscode.l10n.t('{0} tokens', run.totalTokens.toLocaleString(vscode.env.language)));
  item.description = parts.join(' · ');
  const [icon, color] = ICONS[run.status] ?? ['circle-outline'];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendMarkdown(`**${statusText(run.status)}** · ${when}\n\n`);
  tip.appendText(vscode.l10n.t('Run ID: {0}', run.id));
  if (run.totalSteps !== undefined) tip.appendText('\n' + vscode.l10n.t('Steps: {0}', run.totalSteps));
  if (run.createdFrom) tip.appendText('\n' + vscode.l10n.t('Started from: {0}', run.createdFrom));
  if (run.error) tip.appendText('\n\n' + run.error);
  item.tooltip = tip;
  item.contextValue = 'difyRun';
  item.command = { command: 'dify.openRun', title: vscode.l10n.t('Open Run'), arguments: [app.name, run.id] };
  return item;
}

function fixCommand(action: ErrorAction, app: AppProfile): vscode.Command {
  switch (action) {
    case 'setApiKey':
      return { command: 'dify.setApiKey', title: vscode.l10n.t('Set API Key'), arguments: [app.name] };
    case 'openSettings':
      return { command: 'workbench.action.openSettings', title: vscode.l10n.t('Open Settings'), arguments: ['dify'] };
    case 'addApp':
      return { command: 'dify.addApp', title: vscode.l10n.t('Add App') };
    case 'showLog':
      return { command: 'dify.showLog', title: vscode.l10n.t('Show Log') };
    case 'retry':
      return { command: 'dify.refreshRuns', title: vscode.l10n.t('Retry') };
  }
}
