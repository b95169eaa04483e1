// The kernel's part of answering a paused run: the checks an answer passes before it is sent (the same in the panel
// and on the host), the content rendered with the answer, and a run that goes on in its entry (RunExecution with the
// continued events: a resumed run streams into the same entry, Stop stops it on the server, a window going away lets
// go of it without ending it).
import * as assert from 'node:assert/strict';
import { answerProblems, ANSWER_PROBLEM_TEXTS, placedFields, renderAnswer, type AnswerValue } from '../../../src/shared/humanInput';
import type { HumanInputField, HumanInputForm } from '../../../src/shared/model';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { client, collectRun, USER } from '../dify/helpers';
import { execution } from '../private/helpers';

const form: HumanInputForm = {
  nodeId: 'review', title: 'Review', token: 't', content: 'Comment: {{#$output.comment#}}\n\nChannel: {{#$output.channel#}}\n\nLogs: {{#$output.logs#}}',
  fields: [
    { kind: 'paragraph', name: 'comment', default: 'LGTM' },
    { kind: 'select', name: 'channel', options: ['stable', 'beta'] },
    { kind: 'file-list', name: 'logs', maxFiles: 2 },
    { kind: 'file', name: 'evidence', label: '证据' },
  ],
  actions: [{ id: 'approve', title: 'Approve', style: 'primary' }, { id: 'reject', title: 'Reject', style: 'default' }],
};
const say = (template: string, ...args: (string | number)[]) => template.replace(/\{(\d)\}/g, (_, i: string) => String(args[Number(i)]));

describe('answering a form (kernel)', () => {
  it('every input needs a value the server takes: a select one of its options, a file input a file, a list at most its limit', () => {
    const values = (over: Record<string, AnswerValue>) => (f: HumanInputField): AnswerValue => over[f.name] ?? {};
    assert.deepEqual(answerProblems(form, 'approve', values({ channel: { text: 'beta' }, logs: { files: 2 }, evidence: { files: 1 } }), say), {});
    assert.deepEqual(answerProblems(form, 'ship', values({ channel: { text: 'nightly' }, logs: { files: 3 } }), say), {
      channel: 'Choose a value for channel.', logs: 'logs takes at most 2 files.', evidence: '证据 needs a file.', '': 'Choose one of: Approve, Reject.',
    });
    assert.deepEqual(Object.keys(answerProblems(form, 'reject', values({ channel: { text: '' } }), say)), ['channel', 'evidence'], 'every action needs every input');
    assert.ok(ANSWER_PROBLEM_TEXTS.every((t) => /\{0\}/.test(t)));
  });

  it('renders the content with the answer as Dify does (files as [file] / [N files]) and knows which inputs it places', () => {
    const text = renderAnswer(form, (f) => (f.kind === 'file-list' ? { files: 2 } : f.kind === 'select' ? { text: 'beta' } : { text: '好的 👍' }));
    assert.equal(text, 'Comment: 好的 👍\n\nChannel: beta\n\nLogs: [2 files]');
    assert.deepEqual([...placedFields(form)], ['comment', 'channel', 'logs']);
  });

  describe('a run that goes on in its entry (RunExecution with continued events)', function () {
    this.timeout(20_000);
    let server: DifyTestServer;
    const approval = demoApps().find((a) => a.name === 'Release Approval')!;
    before(async () => {
      server = await startDifyServer({ chunkDelayMs: 5 });
    });
    after(() => server.close());

    async function paused() {
      const c = client(server.url, approval.key);
      const first = execution(c, 'workflow', { inputs: { changes: 'x' }, user: USER });
      await first.exec.start();
      assert.equal(first.exec.entry.status, 'paused');
      return { c, entry: first.exec.entry };
    }

    it('the answer streams into the same entry to its end: the text before the pause kept, the form answered', async () => {
      const { c, entry } = await paused();
      const f = entry.forms![0];
      const events = await c.answerForm('workflow', { runId: entry.runId }, f, { action: 'approve', values: { comment: 'ok', channel: 'beta' } }, USER, new AbortController().signal, { knownText: entry.answer });
      entry.status = 'running';
      const next = execution(c, 'workflow', { inputs: {}, user: USER }, { events: () => events, entry });
      await next.exec.start();
      assert.equal(next.exec.entry.status, 'succeeded');
      assert.equal(next.exec.entry.answer, `${approval.answer}\nPublished to **beta**. 🎉 Comment: ok\n`);
      assert.equal(next.exec.entry.forms?.[0].state, 'answered');
      assert.equal(next.exec.entry.outputs, undefined, 'the output that repeats the answer is not shown twice');
    });

    it('Stop stops a resumed run on the server (its task id), and the entry ends stopped', async () => {
      const slow = await startDifyServer({ chunkDelayMs: 200 });
      try {
        const sc = client(slow.url, approval.key);
        const p = await collectRun(sc.run('workflow', { inputs: { changes: 'x' }, user: USER }, new AbortController().signal));
        const f = p.events.find((e) => e.type === 'form') as { form: HumanInputForm };
        const meta = p.events.filter((e) => e.type === 'meta').at(-1) as { runId: string; taskId: string };
        const events = await sc.answerForm('workflow', { runId: meta.runId }, f.form, { action: 'approve', values: { comment: 'ok', channel: 'beta' } }, USER, new AbortController().signal, { knownText: p.answer });
        const next = execution(sc, 'workflow', { inputs: {}, user: USER }, { events: () => events, onPatch: (patch, x) => void (patch.answerAppend && x.stop()) });
        await next.exec.start();
        assert.equal(next.exec.entry.status, 'stopped');
        await slow.waitForRequest((r) => r.path === `/v1/workflows/tasks/${meta.taskId}/stop`);
        assert.deepEqual(slow.stops.map((s) => s.found), [true], 'the resumed task was found and stopped');
      } finally {
        await slow.close();
      }
    });

    it('a window going away lets go of a run without ending its entry or stopping it on the server', async () => {
      const slow = await startDifyServer({ chunkDelayMs: 50 });
      try {
        const wf = demoApps().find((a) => a.name === 'Code Reviewer')!;
        const c = client(slow.url, wf.key);
        let detached = false;
        const x = execution(c, 'workflow', { inputs: { code: 'x' }, user: USER }, { onPatch: (p, e) => void (p.answerAppend && !detached && ((detached = true), e.detach())) });
        await x.exec.start();
        assert.equal(x.exec.entry.status, 'running', 'the entry stays running (the next window follows it again)');
        assert.equal(slow.stops.length, 0, 'nothing was stopped on the server');
      } finally {
        await slow.close();
      }
    });
  });
});
