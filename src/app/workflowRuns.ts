// The runs of the person's workflow apps as their servers log them (Dify `/workflows/logs`), a page at a time, and
// one run in full (`/workflows/run/{id}`) as a Markdown document. For the Recent Runs view; no state of its own.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import type { RunLogQuery, WorkflowRunPage, WorkflowRunStatus } from '../providers/types';
import { providerOf } from '../providers/registry';
import type { AppMode } from '../shared/model';
import type { ErrorView } from '../shared/entry';
import { formatDate } from './conversationService';
import { describeFailure } from './errors';
import type { Log } from './log';
import { runDetailMarkdown } from './runDetailMarkdown';
import type { Runs } from './runs';

/** The modes whose runs are logged: workflows, and chatflows (newer Dify builds). */
export const LOGGED_MODES: readonly AppMode[] = ['workflow', 'advanced-chat'];

export const RUNS_PAGE = 20;

export class WorkflowRuns {
  constructor(private readonly catalog: AppCatalog, private readonly runs: Runs, private readonly log: Log) {}

  /** The apps whose runs can be listed, as far as is known without asking: Dify apps of a logged mode (or a mode
   * not known yet). */
  candidates(): AppProfile[] {
    return this.catalog.apps().filter((a) => {
      if (!providerOf(a.provider).runLog) return false;
      const mode = this.catalog.cachedMode(a);
      return mode === undefined || LOGGED_MODES.includes(mode);
    });
  }

  /** Whether the app's runs can be listed (asks the server its mode when it is not known yet). */
  async logged(app: AppProfile): Promise<boolean> {
    return LOGGED_MODES.includes((await this.catalog.info(app)).mode);
  }

  /** Where the app's runs are listed from: its server's log (workflows), or this workspace's history (chatflows,
   * whose runs Dify's app log does not hold; each one's detail still comes from the server). */
  source(app: AppProfile): 'server' | 'workspace' {
    return this.catalog.cachedMode(app) === 'advanced-chat' ? 'workspace' : 'server';
  }

  async page(app: AppProfile, query: RunLogQuery): Promise<WorkflowRunPage> {
    const client = await this.catalog.client(app);
    const limit = query.limit ?? RUNS_PAGE;
    if (this.source(app) === 'workspace') return this.workspacePage(app, { ...query, limit });
    if (!client.runLog) return { runs: [], page: 1, hasMore: false };
    return client.runLog({ ...query, limit });
  }

  private workspacePage(app: AppProfile, query: RunLogQuery & { limit: number }): WorkflowRunPage {
    const page = query.page ?? 1;
    const all = this.runs.entries
      .filter((e) => e.app === app.name && e.runId && (!query.status || e.status === query.status))
      .slice()
      .reverse();
    const runs = all.slice((page - 1) * query.limit, page * query.limit).map((e) => ({
      id: e.runId!, status: e.status, createdAt: Math.floor(e.startedAt / 1000), totalTokens: e.usage?.totalTokens,
      elapsedSeconds: e.usage?.latencySeconds, error: e.error?.message,
    }));
    return { runs, page, hasMore: page * query.limit < all.length, total: all.length };
  }

  /** The run in full, as Markdown. Throws what the server or the network said. */
  async detail(app: AppProfile, runId: string): Promise<string> {
    const client = await this.catalog.client(app);
    if (!client.runDetail) throw new Error(`${app.name} has no run log`);
    const d = await client.runDetail(runId);
    return runDetailMarkdown(app.name, d, statusText(d.status), {
      title: vscode.l10n.t('{0}: run {1}'),
      status: vscode.l10n.t('Status'),
      runId: vscode.l10n.t('Run ID'),
      workflowId: vscode.l10n.t('Workflow ID'),
      started: vscode.l10n.t('Started'),
      finished: vscode.l10n.t('Finished'),
      elapsed: vscode.l10n.t('Elapsed'),
      seconds: vscode.l10n.t('{0} s'),
      tokens: vscode.l10n.t('Tokens'),
      steps: vscode.l10n.t('Steps'),
      error: vscode.l10n.t('Error'),
      inputs: vscode.l10n.t('Inputs'),
      outputs: vscode.l10n.t('Outputs'),
      none: vscode.l10n.t('None.'),
      stillRunning: vscode.l10n.t('The run has not finished yet: its outputs come at its end.'),
    }, formatDate);
  }

  /** One sentence and its fix for a failure (details go to the log). */
  describe(app: AppProfile, e: unknown): ErrorView {
    if ((e as Error)?.name !== 'MissingKeyError') this.log.write('warn', `[${app.name}] runs: ${(e as Error)?.message ?? String(e)}`);
    return describeFailure(e, app.name, this.catalog.server(app));
  }
}

export function statusText(s: WorkflowRunStatus): string {
  switch (s) {
    case 'running': return vscode.l10n.t('Running');
    case 'succeeded': return vscode.l10n.t('Succeeded');
    case 'failed': return vscode.l10n.t('Failed');
    case 'stopped': return vscode.l10n.t('Stopped');
    case 'partial-succeeded': return vscode.l10n.t('Partially succeeded');
    case 'paused': return vscode.l10n.t('Paused');
    default: return String(s);
  }
}
