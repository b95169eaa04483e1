// Dify's answers about things around the runs (conversations, the web site, the run log), as the provider-neutral
// shapes in ../types. Tolerant of what older builds leave out: every field but the ids is optional.
import { ApiError } from '../../net/apiError';
import type { AppSite, Conversation, WorkflowRunDetail, WorkflowRunPage, WorkflowRunSummary } from '../types';
import type { DifyConversation, DifyPage, DifySite, DifyWorkflowLog, DifyWorkflowRun } from './wire';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function conversationOf(c: DifyConversation): Conversation {
  return { id: c.id, name: typeof c.name === 'string' ? c.name : '', createdAt: num(c.created_at), updatedAt: num(c.updated_at) ?? num(c.created_at) };
}

/** `/site`: only what a chat page shows around its message box (icons and colours are the web app's own). */
export function siteOf(s: DifySite | undefined): AppSite {
  const o = (s && typeof s === 'object' ? s : {}) as DifySite;
  const site: AppSite = {};
  const put = (key: keyof AppSite, v: unknown) => {
    const t = text(v);
    if (t) site[key] = t.trim();
  };
  put('title', o.title);
  put('description', o.description);
  put('inputPlaceholder', o.input_placeholder);
  put('disclaimer', o.custom_disclaimer);
  put('copyright', o.copyright);
  put('privacyPolicy', o.privacy_policy);
  return site;
}

/**
 * Whether a failed `/messages/{id}/suggested` means the app has follow-up questions switched off: released builds
 * say 400 `bad_request` "Suggested Questions Is Disabled.", the newest 403 `app_suggested_questions_after_answer_disabled`.
 */
export function suggestionsAreOff(e: unknown): boolean {
  if (!(e instanceof ApiError) || e.kind !== 'http') return false;
  if (e.status === 403 && e.code === 'app_suggested_questions_after_answer_disabled') return true;
  return e.status === 400 && e.code === 'bad_request' && /suggested questions is disabled/i.test(e.message);
}

function summaryOf(r: DifyWorkflowLog['workflow_run'] | DifyWorkflowRun): WorkflowRunSummary {
  return {
    id: r.id,
    status: typeof r.status === 'string' ? r.status : 'unknown',
    error: text(r.error),
    elapsedSeconds: num(r.elapsed_time),
    totalTokens: num(r.total_tokens),
    totalSteps: num(r.total_steps),
    createdAt: num(r.created_at),
    finishedAt: num(r.finished_at),
  };
}

/** `/workflows/logs`: each log item's run, with who started it from where. Items without a run are skipped. */
export function runPageOf(p: DifyPage<DifyWorkflowLog>, page: number): WorkflowRunPage {
  const runs: WorkflowRunSummary[] = [];
  for (const item of Array.isArray(p?.data) ? p.data : []) {
    const r = item?.workflow_run;
    if (!r || typeof r.id !== 'string') continue;
    runs.push({
      ...summaryOf(r),
      createdFrom: text(item.created_from),
      sessionId: text(item.created_by_end_user?.session_id),
    });
  }
  return { runs, page: num(p?.page) ?? page, hasMore: p?.has_more === true, total: num(p?.total) };
}

export function runDetailOf(r: DifyWorkflowRun): WorkflowRunDetail {
  const detail: WorkflowRunDetail = { ...summaryOf(r), workflowId: text(r.workflow_id), inputs: r.inputs ?? {} };
  // Inputs that were not a JSON object are shown as the server sent them.
  if (r.inputsRaw !== undefined && !Object.keys(detail.inputs).length && r.inputsRaw.trim() && r.inputsRaw.trim() !== '{}') detail.inputsText = r.inputsRaw;
  if (r.outputs && typeof r.outputs === 'object') detail.outputs = r.outputs;
  return detail;
}
