// The Markdown documents the extension writes for a person: a whole conversation ("Export Conversation") and one
// workflow run (Recent Runs), and the shapes they are made from (Dify's log and run detail, as the client reads them).
import * as assert from 'node:assert/strict';
import { conversationMarkdown, fileNameOf, splitThinking, type ExportLabels } from '../../src/app/conversationMarkdown';
import { runDetailMarkdown, type RunDetailLabels } from '../../src/app/runDetailMarkdown';
import { runDetailOf, runPageOf, siteOf } from '../../src/providers/dify/extras';

const LABELS: ExportLabels = {
  untitled: 'Untitled conversation', app: 'App', started: 'Started', updated: 'Last updated', exported: 'Exported', conversationId: 'Conversation ID',
  question: 'Question {0}', answer: 'Answer', thinking: 'Thinking', liked: 'You liked this answer.', disliked: 'You disliked this answer.',
  empty: 'This conversation has no messages.', noAnswer: 'No answer.',
};
const iso = (s: number) => new Date(s * 1000).toISOString();

describe('Export Conversation as Markdown', () => {
  it('names the app and the dates, then each question and its answer; thinking collapsed; 中文 and emoji intact', () => {
    const md = conversationMarkdown(
      { app: 'Docs Chat', name: '部署笔记 🚀', id: 'c-1', createdAt: 1_700_000_000, updatedAt: 1_700_000_600, exportedAt: 1_700_001_000 },
      [
        { query: '怎么部署？', answer: '<think>用户想部署。先看 docker。</think>\n\n用 `docker compose up -d` 🐳', createdAt: 1_700_000_000, rating: 'like' },
        { query: 'And nginx?\n```nginx\nproxy_buffering off;\n```', answer: 'Turn **buffering** off.', createdAt: 1_700_000_600 },
      ],
      LABELS,
      iso,
    );
    assert.equal(md.split('\n')[0], '# 部署笔记 🚀');
    assert.ok(md.includes('- **App:** Docs Chat'));
    assert.ok(md.includes(`- **Started:** ${iso(1_700_000_000)}`));
    assert.ok(md.includes(`- **Last updated:** ${iso(1_700_000_600)}`));
    assert.ok(md.includes(`- **Exported:** ${iso(1_700_001_000)}`));
    assert.ok(md.includes('- **Conversation ID:** `c-1`'));
    assert.ok(md.includes(`## Question 1 · ${iso(1_700_000_000)}\n\n怎么部署？\n`));
    assert.ok(md.includes('<details>\n<summary>Thinking</summary>\n\n用户想部署。先看 docker。\n\n</details>\n\n用 `docker compose up -d` 🐳'), md);
    assert.ok(!md.includes('<think>'), 'no raw think tags');
    assert.ok(md.includes('_You liked this answer._'));
    assert.ok(md.includes('## Question 2'));
    assert.ok(md.includes('```nginx\nproxy_buffering off;\n```'), 'the question\'s own markdown is kept');
    assert.ok(md.indexOf('Question 1') < md.indexOf('Question 2'));
  });

  it('an untitled, empty conversation; an answer without text; thinking that would close the block is neutralized', () => {
    const empty = conversationMarkdown({ app: 'A', name: '  ', id: 'c', exportedAt: 0 }, [], LABELS, iso);
    assert.ok(empty.startsWith('# Untitled conversation\n'));
    assert.ok(empty.includes('This conversation has no messages.'));
    assert.ok(!empty.includes('Started'), 'no date that is not known');
    const odd = conversationMarkdown({ app: 'A', name: 'x', id: 'c', exportedAt: 0 }, [{ query: 'q', answer: '<think>a </details> b</think>' }], LABELS, iso);
    assert.ok(odd.includes('a &lt;/details> b'));
    assert.ok(odd.includes('_No answer._'));
  });

  it('splits thinking as the panel does: a lone closing tag makes what came before it thinking', () => {
    assert.deepEqual(splitThinking('reasoning</think>\n\nanswer'), { thinking: 'reasoning', answer: 'answer' });
    assert.deepEqual(splitThinking('plain'), { thinking: '', answer: 'plain' });
  });

  it('file names keep Chinese and emoji, lose what file systems refuse', () => {
    assert.equal(fileNameOf('部署/笔记: 🚀 "v2"?'), '部署 笔记 🚀 v2');
    assert.equal(fileNameOf('...'), 'conversation');
    assert.equal(fileNameOf('x'.repeat(200)).length, 80);
  });
});

const RUN_LABELS: RunDetailLabels = {
  title: '{0}: run {1}', status: 'Status', runId: 'Run ID', workflowId: 'Workflow ID', started: 'Started', finished: 'Finished', elapsed: 'Elapsed',
  seconds: '{0} s', tokens: 'Tokens', steps: 'Steps', error: 'Error', inputs: 'Inputs', outputs: 'Outputs', none: 'None.', stillRunning: 'Not finished.',
};

describe('a workflow run as Dify logs it', () => {
  it('the log: each item\'s run with who started it from where; items without a run are skipped', () => {
    const page = runPageOf({
      page: 2, limit: 20, total: 41, has_more: true,
      data: [
        { id: 'l1', workflow_run: { id: 'r1', status: 'failed', error: 'boom', elapsed_time: 1.25, total_tokens: 150, total_steps: 6, created_at: 1_700_000_000, finished_at: 1_700_000_002 }, created_from: 'service-api', created_by_end_user: { id: 'u', session_id: 'vscode-1' } },
        { id: 'l2', workflow_run: null as never },
        { id: 'l3', workflow_run: { id: 'r3', status: 'running', error: null, finished_at: null } },
      ],
    }, 2);
    assert.deepEqual(page, {
      page: 2, hasMore: true, total: 41,
      runs: [
        { id: 'r1', status: 'failed', error: 'boom', elapsedSeconds: 1.25, totalTokens: 150, totalSteps: 6, createdAt: 1_700_000_000, finishedAt: 1_700_000_002, createdFrom: 'service-api', sessionId: 'vscode-1' },
        { id: 'r3', status: 'running', error: undefined, elapsedSeconds: undefined, totalTokens: undefined, totalSteps: undefined, createdAt: undefined, finishedAt: undefined, createdFrom: undefined, sessionId: undefined },
      ],
    });
    assert.deepEqual(runPageOf({ data: undefined as never }, 1), { runs: [], page: 1, hasMore: false, total: undefined });
  });

  it('the detail: inputs from their JSON text (or the text itself when it is no JSON object), outputs, error', () => {
    const d = runDetailOf({ id: 'r1', status: 'succeeded', inputs: { code: 'x = 1', 语言: '中文' }, inputsRaw: '{"code":"x = 1","语言":"中文"}', outputs: { text: '好' }, workflow_id: 'w1', created_at: 1, finished_at: 3, elapsed_time: 2, total_tokens: 9, total_steps: 3 });
    assert.deepEqual(d.inputs, { code: 'x = 1', 语言: '中文' });
    assert.equal(d.inputsText, undefined);
    assert.deepEqual(d.outputs, { text: '好' });
    const raw = runDetailOf({ id: 'r2', status: 'failed', inputs: {}, inputsRaw: 'not json', outputs: null, error: 'Node LLM failed' });
    assert.equal(raw.inputsText, 'not json');
    assert.equal(raw.outputs, undefined);
    assert.equal(raw.error, 'Node LLM failed');
  });

  it('the document: status and times, the error, each input and output (text as text, the rest as JSON)', () => {
    const md = runDetailMarkdown('Code Reviewer', {
      id: 'r1', status: 'failed', workflowId: 'w1', createdAt: 10, finishedAt: 12, elapsedSeconds: 1.5, totalTokens: 150, totalSteps: 6,
      error: 'LLM 节点失败', inputs: { code: 'const a = ```x```;\nline 2', strict: true }, outputs: { text: '评审', score: { value: 3 } },
    }, 'Failed', RUN_LABELS, (s) => `t${s}`);
    assert.equal(md.split('\n')[0], '# Code Reviewer: run Failed');
    for (const line of ['- **Status:** Failed', '- **Run ID:** `r1`', '- **Workflow ID:** `w1`', '- **Started:** t10', '- **Finished:** t12', '- **Elapsed:** 1.50 s', '- **Tokens:** 150', '- **Steps:** 6']) {
      assert.ok(md.includes(line), line);
    }
    assert.ok(md.includes('## Error\n\n```text\nLLM 节点失败\n```'));
    assert.ok(md.includes('### code\n\n````text\nconst a = ```x```;\nline 2\n````'), 'a fence its text cannot close');
    assert.ok(md.includes('### strict\n\n```json\ntrue\n```'));
    assert.ok(md.includes('### text\n\n`评审`'));
    assert.ok(md.includes('"value": 3'));
    const running = runDetailMarkdown('A', { id: 'r', status: 'running', inputs: {} }, 'Running', RUN_LABELS, String);
    assert.ok(running.includes('## Inputs\n\n_None._'));
    assert.ok(running.includes('## Outputs\n\n_Not finished._'));
  });

  it('the site: only what is set, trimmed', () => {
    assert.deepEqual(siteOf({ title: ' Docs ', description: '', input_placeholder: null, custom_disclaimer: '仅供参考', copyright: 'ACME' }), { title: 'Docs', disclaimer: '仅供参考', copyright: 'ACME' });
    assert.deepEqual(siteOf(undefined), {});
  });
});
