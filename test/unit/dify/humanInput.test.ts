// Human input (dify-api.md §I) against the project's Dify-compatible server: the paused stream and its form, the
// form routes with every refusal, answering and following the run to its end, re-attaching after a reload.
import * as assert from 'node:assert/strict';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyServerOptions, type DifyTestServer } from '../../support/dify/server';
import type { FileRef, HumanInputForm, RunEvent } from '../../../src/providers/types';
import { assertApiError, client, collectRun, finished, USER } from './helpers';

const apps = demoApps();
const approval = apps.find((a) => a.name === 'Release Approval')!;
const deploy = apps.find((a) => a.name === 'Deploy Chat')!;
const DRAFT = approval.answer!;
const never = () => new AbortController().signal;

type Ev<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>;
const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);
const lastMeta = (events: RunEvent[]) => ofType(events, 'meta').at(-1)!;

describe('dify client: human input', function () {
  this.timeout(20_000);
  let server: DifyTestServer;
  const start = async (o: DifyServerOptions = {}) => {
    await server?.close();
    server = await startDifyServer(o);
  };
  beforeEach(() => start());
  afterEach(() => server.close());

  /** Runs the approval workflow to its pause. */
  async function pauseWorkflow(o: { responseMode?: 'streaming' | 'blocking'; changes?: string } = {}) {
    const c = client(server.url, approval.key);
    const r = await collectRun(c.run('workflow', { inputs: { changes: o.changes ?? '修复代理 🚀' }, user: USER }, never(), { responseMode: o.responseMode }));
    assert.equal(r.error, undefined, String(r.error));
    const form = ofType(r.events, 'form')[0]?.form;
    return { c, r, form, ref: lastMeta(r.events) };
  }

  async function pauseChatflow(o: { responseMode?: 'streaming' | 'blocking' } = {}) {
    const c = client(server.url, deploy.key);
    const r = await collectRun(c.run('advanced-chat', { inputs: {}, query: 'deploy v2.3.0 please 部署', user: USER }, never(), { responseMode: o.responseMode }));
    assert.equal(r.error, undefined, String(r.error));
    return { c, r, form: ofType(r.events, 'form')[0]?.form, ref: lastMeta(r.events) };
  }

  describe('the paused stream', () => {
    it('a workflow streams its text, its form (content, fields, defaults, actions, expiry), then ends paused; nothing follows', async () => {
      const { r, form, ref } = await pauseWorkflow();
      assert.equal(r.answer, DRAFT);
      assert.equal(finished(r.events).status, 'paused');
      assert.ok(form, 'a form');
      assert.equal(form.nodeId, 'review_release');
      assert.equal(form.title, 'Review the release');
      assert.match(form.content, /\{\{#\$output\.comment#\}\}/);
      assert.deepEqual(form.fields, [
        { kind: 'paragraph', name: 'comment', default: 'LGTM 👍' },
        { kind: 'select', name: 'channel', options: ['stable', 'beta', '内测'] },
      ]);
      assert.deepEqual(form.actions.map((a) => [a.id, a.style]), [['approve', 'primary'], ['reject', 'default'], ['later', 'ghost']]);
      assert.ok(form.token && form.token.length > 10);
      assert.ok(form.expiresAt! > Date.now() + 35 * 3600_000, 'Dify\'s default timeout is 36 hours');
      assert.ok(ref.runId && ref.taskId);
      assert.match(ofType(r.events, 'paused')[0].reason, /Review the release/);
      const record = await client(server.url, approval.key).workflowRun(ref.runId!);
      assert.equal(record.status, 'paused');
      assert.deepEqual(record.outputs, {});
      assert.deepEqual(record.inputs, { changes: '修复代理 🚀' }, 'inputs come as a JSON string and are parsed');
    });

    it('a chatflow ends paused after its message text, with no message_end, keeping its message and conversation', async () => {
      const { r, form, ref } = await pauseChatflow();
      assert.equal(r.answer, deploy.answer);
      assert.equal(finished(r.events).status, 'paused');
      assert.equal(ofType(r.events, 'usage').length, 0, 'no message_end came');
      assert.ok(ref.messageId && ref.conversationId && ref.runId);
      assert.deepEqual(form!.fields[1], { kind: 'file-list', name: 'logs', allowedFileTypes: ['document'], allowedFileExtensions: ['.txt', '.log', '.md'], allowedFileUploadMethods: ['local_file'], maxFiles: 2 });
      assert.equal(form!.fields[0].default, undefined, 'a null default stays empty');
    });

    it('blocking: the paused workflow body and both chatflow bodies (reasons; older human_input_forms) give the same form', async () => {
      const wf = await pauseWorkflow({ responseMode: 'blocking' });
      assert.equal(finished(wf.r.events).status, 'paused');
      assert.equal(wf.form?.nodeId, 'review_release');
      assert.ok(wf.form?.token);
      assert.ok(wf.ref.runId && wf.ref.taskId);
      for (const older of [false, true]) {
        server.script(deploy.key, { olderPausedBody: older });
        const cf = await pauseChatflow({ responseMode: 'blocking' });
        assert.equal(cf.r.answer, deploy.answer, 'the answer so far');
        assert.equal(finished(cf.r.events).status, 'paused');
        assert.equal(cf.form?.nodeId, 'confirm_deploy', older ? 'data.human_input_forms' : 'data.reasons');
        assert.ok(cf.ref.messageId && cf.ref.conversationId && cf.ref.runId);
      }
    });

    it('frames split anywhere, with pings, in both JSON styles: the same form', async () => {
      for (const script of [{ splitAt: 'random', pings: 'both' }, { jsonStyle: 'python', pings: 'between', crlf: true }] as const) {
        server.script(approval.key, script);
        const { r, form } = await pauseWorkflow();
        assert.equal(r.answer, DRAFT);
        assert.equal(form?.content, approval.humanInput!.content);
        assert.equal(form?.fields[0].default, 'LGTM 👍');
      }
    });

    it('an email-only form has no token: the run waits for approval elsewhere, and the form routes do not know it', async () => {
      server.script(approval.key, { formElsewhere: true });
      const { r, form } = await pauseWorkflow();
      assert.equal(form?.token, undefined);
      assert.deepEqual(form?.channels, ['email', 'console']);
      assert.match(ofType(r.events, 'paused')[0].reason, /elsewhere \(email, console\)/);
      const hidden = server.humanInput.forms().at(-1)!.token;
      await assert.rejects(client(server.url, approval.key).humanInputForm(hidden, 'review_release'), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.status, 404)));
    });
  });

  describe('the stale pause and replays (mapper)', () => {
    const env = { task_id: 't1', workflow_run_id: 'r1' };
    const form = { form_id: 'f1', form_token: 'tok-1', node_id: 'review', node_title: 'Review', form_content: 'ok? {{#$output.note#}}', inputs: [{ type: 'paragraph', output_variable_name: 'note' }], actions: [{ id: 'yes', title: 'Yes', button_style: 'primary' }] };
    const frames = [
      { event: 'workflow_started', ...env, data: { id: 'r1', reason: 'initial' } },
      { event: 'text_chunk', ...env, data: { text: 'draft ' } },
      { event: 'human_input_required', ...env, data: form },
      { event: 'workflow_paused', ...env, data: { paused_nodes: ['review'], reasons: [{ TYPE: 'human_input_required', ...form }], status: 'paused' } },
      { event: 'workflow_started', ...env, data: { id: 'r1', reason: 'resumption' } },
      { event: 'human_input_form_filled', ...env, data: { node_id: 'review', node_title: 'Review', rendered_content: 'ok? fine', action_id: 'yes', action_text: 'Yes' } },
      { event: 'text_chunk', ...env, data: { text: 'then more' } },
      { event: 'workflow_finished', ...env, data: { status: 'succeeded', outputs: { text: 'draft then more' } } },
    ];
    const mapAll = async (follow: { knownText: string; answered: string[]; continueOnPause: boolean }) => {
      const { RunEventMapper } = await import('../../../src/providers/dify/runEvents');
      const m = new RunEventMapper('workflow', { follow: { ...follow, answered: new Set(follow.answered) } });
      const out: RunEvent[] = [];
      for (const f of frames) {
        out.push(...m.map(f as never));
        if (m.done) break;
      }
      return out;
    };

    it('after an answer: the replayed text and form are skipped, the stale pause is read past, the run ends at workflow_finished', async () => {
      const out = await mapAll({ knownText: 'draft ', answered: ['tok-1', 'review'], continueOnPause: true });
      assert.deepEqual(ofType(out, 'form'), []);
      assert.deepEqual(ofType(out, 'answer').map((e) => e.text), ['then more']);
      assert.equal(ofType(out, 'formAnswered')[0].content, 'ok? fine');
      assert.equal(finished(out).status, 'succeeded');
    });

    it('re-attaching to a waiting run: its form, then the pause ends the stream', async () => {
      const out = await mapAll({ knownText: 'draft ', answered: [], continueOnPause: false });
      assert.equal(ofType(out, 'form')[0].form.token, 'tok-1');
      assert.equal(finished(out).status, 'paused');
      assert.deepEqual(ofType(out, 'answer'), [], 'the text shown before is not repeated');
    });
  });

  describe('the form routes', () => {
    it('GET answers the form as json.dumps writes it (raw UTF-8), with user_actions and string defaults', async () => {
      const { c, form } = await pauseWorkflow();
      const fetched = await c.humanInputForm(form!.token!, form!.nodeId);
      assert.deepEqual({ ...fetched, title: form!.title }, form);
      const raw = await fetch(`${server.url}/form/human_input/${form!.token}`, { headers: { authorization: `Bearer ${approval.key}` } }).then((x) => x.text());
      assert.match(raw, /"user_actions": \[/);
      assert.match(raw, /"LGTM 👍"/);
    });

    it('refusals: invalid_form_data with Dify\'s messages, 404 for an unknown token or another app\'s key; a refused answer leaves the form open', async () => {
      const { c, form } = await pauseWorkflow();
      const token = form!.token!;
      const refused = async (values: Record<string, unknown>, action: string, message: RegExp | string, status = 400, code = 'invalid_form_data') => {
        await assert.rejects(c.submitForm(token, { action, values }, USER), (e) => !!assertApiError(e, 'http', (x) => {
          assert.equal(x.status, status);
          assert.equal(x.code, code);
          assert.match(x.message, typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
        }));
      };
      await refused({ comment: 'x' }, 'approve', 'Missing required inputs: channel');
      await refused({}, 'approve', 'Missing required inputs: comment, channel');
      await refused({ comment: 'x', channel: 'nightly' }, 'approve', "Invalid value for select input 'channel': nightly");
      await refused({ comment: 'x', channel: 3 }, 'approve', "Invalid value for select input 'channel': expected string");
      await refused({ comment: 'x', channel: 'beta' }, 'ship', 'Invalid action: ship');
      await assert.rejects(c.submitForm('no-such-token', { action: 'approve', values: {} }, USER), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.status, 404)));
      await assert.rejects(client(server.url, deploy.key).submitForm(token, { action: 'approve', values: { comment: 'x', channel: 'beta' } }, USER), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.status, 404)));
      await c.submitForm(token, { action: 'approve', values: { comment: 'fixed', channel: 'beta' } }, USER);
    });

    it('file-list inputs: uploaded files (same user) are taken; too many, a wrong type or a list of strings are refused', async () => {
      const { c, form } = await pauseChatflow();
      const up = (name: string) => c.attach({ name, data: new TextEncoder().encode('log 日志\n'), mimeType: 'text/plain' }, 'document', USER);
      const files: FileRef[] = [await up('a.log'), await up('b.txt'), await up('c.md')];
      const submit = (logs: unknown) => c.submitForm(form!.token!, { action: 'deploy', values: { reason: 'release', logs } }, USER);
      for (const [logs, message] of [[files, 'exceeds number limit'], ['a.log', 'expected list'], [['a.log'], 'expected list of mappings'], [[{ ...files[0], type: 'image' }], 'unsupported file type']] as const) {
        await assert.rejects(submit(logs), (e) => !!assertApiError(e, 'http', (x) => assert.match(x.message, new RegExp(message))));
      }
      await submit(files.slice(0, 2));
      assert.equal(server.humanInput.forms().at(-1)!.state, 'submitted');
    });

    it('an answer from elsewhere first: 412 human_input_form_submitted (GET and POST); an expired form: 412 human_input_form_expired', async () => {
      const { c, form } = await pauseWorkflow();
      server.humanInput.answer(form!.token!, 'reject', { comment: 'no', channel: 'beta' });
      for (const call of [() => c.humanInputForm(form!.token!, form!.nodeId), () => c.submitForm(form!.token!, { action: 'approve', values: { comment: 'x', channel: 'beta' } }, USER)]) {
        await assert.rejects(call(), (e) => !!assertApiError(e, 'http', (x) => {
          assert.equal(x.status, 412);
          assert.equal(x.code, 'human_input_form_submitted');
          assert.match(x.message, /already been submitted by another user, form_id=/);
        }));
      }
      const second = await pauseWorkflow();
      server.humanInput.expire(second.form!.token!);
      await assert.rejects(second.c.submitForm(second.form!.token!, { action: 'approve', values: { comment: 'x', channel: 'beta' } }, USER), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.code, 'human_input_form_expired')));
    });
  });

  describe('answering and following the run', () => {
    const answerAndFollow = async (p: Awaited<ReturnType<typeof pauseWorkflow>>, action = 'approve', values: Record<string, unknown> = { comment: '好的 👍', channel: 'beta' }) => {
      const it = await p.c.answerForm('workflow', p.ref, p.form!, { action, values }, USER, never(), { knownText: p.r.answer });
      return collectRun(it);
    };

    it('the answer is taken, then the run streams on the events route to its end: filled form, branch text, outputs', async () => {
      const p = await pauseWorkflow();
      const r = await answerAndFollow(p);
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.answer, '\nPublished to **beta**. 🎉 Comment: 好的 👍\n', 'only what came after the pause');
      const filled = ofType(r.events, 'formAnswered')[0];
      assert.deepEqual({ ...filled, content: undefined }, { type: 'formAnswered', nodeId: 'review_release', title: 'Review the release', actionId: 'approve', actionText: 'Approve ✅', content: undefined });
      assert.match(filled.content!, /Comment: 好的 👍\n\nChannel: beta/);
      assert.equal(finished(r.events).status, 'succeeded');
      assert.equal(ofType(r.events, 'form').length, 0, 'the answered form is not sent again');
      const follow = server.requests.find((x) => x.path.endsWith('/events'))!;
      assert.deepEqual(follow.query, { user: USER, include_state_snapshot: 'true', continue_on_pause: 'true' });
      const submit = server.requests.find((x) => x.path.startsWith('/v1/form/'))!;
      assert.deepEqual(submit.body, { inputs: { comment: '好的 👍', channel: 'beta' }, action: 'approve', user: USER });
    });

    it('the snapshot may show the old pause (the resume has not started): reading goes on to the real end', async () => {
      await start({ resumeDelayMs: 400 });
      const p = await pauseWorkflow();
      const r = await answerAndFollow(p, 'reject', { comment: '不行', channel: 'stable' });
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(finished(r.events).status, 'succeeded');
      assert.match(r.answer, /Not published\. Reason: 不行/);
    });

    it('a chatflow continues its message: message_replace keeps the text, message_end then workflow_finished end it', async () => {
      const p = await pauseChatflow();
      const it = await p.c.answerForm('advanced-chat', p.ref, p.form!, { action: 'deploy', values: { reason: 'hotfix 热修复', logs: [] } }, USER, never(), { knownText: p.r.answer });
      const r = await collectRun(it);
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.answer, `${deploy.answer}\nDeployed v2.3.0. ✅ (hotfix 热修复)\n`, 'the replace carries the text so far, then the rest follows');
      assert.equal(finished(r.events).status, 'succeeded');
      assert.ok(ofType(r.events, 'usage').length > 0, 'message_end came');
      assert.equal(lastMeta(r.events).messageId, p.ref.messageId, 'the same message');
    });

    it('the newest servers replay the whole run first: the text already shown is not repeated', async () => {
      await start({ eventsReplay: 'stream' });
      const p = await pauseWorkflow();
      const r = await answerAndFollow(p);
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.answer, '\nPublished to **beta**. 🎉 Comment: 好的 👍\n');
    });

    it('an expired form: the run takes its timeout branch, which following shows (form timed out)', async () => {
      await start();
      server.script(approval.key, { formExpiresInMs: 300 });
      const p = await pauseWorkflow();
      const r = await collectRun(p.c.followRun('workflow', p.ref, USER, never(), { knownText: p.r.answer, continueOnPause: true, answered: [] }));
      // The snapshot shows the pause, whose form is not answered: following a waiting run ends there…
      assert.equal(finished(r.events).status, 'paused');
      await new Promise((res) => setTimeout(res, 400));
      await assert.rejects(p.c.submitForm(p.form!.token!, { action: 'approve', values: { comment: 'x', channel: 'beta' } }, USER), (e) => !!assertApiError(e, 'http', (x) => assert.equal(x.code, 'human_input_form_expired')));
      // …and once it went on along the timeout branch, following after the fact shows how it ended.
      const after = await collectRun(p.c.followRun('workflow', p.ref, USER, never(), { knownText: p.r.answer, checkStatus: true }));
      assert.equal(after.error, undefined, String(after.error));
      assert.equal(finished(after.events).status, 'succeeded');
      assert.match(after.answer, /Nobody answered in time/);
    });

    it('following live sees the timeout event and the timeout branch', async () => {
      server.script(approval.key, { formExpiresInMs: 600 });
      const p = await pauseWorkflow();
      const r = await collectRun(p.c.followRun('workflow', p.ref, USER, never(), { knownText: p.r.answer, continueOnPause: true, answered: [p.form!.token!, p.form!.nodeId] }));
      assert.equal(r.error, undefined, String(r.error));
      assert.deepEqual(ofType(r.events, 'formTimedOut').map((e) => e.nodeId), ['review_release']);
      assert.match(r.answer, /Nobody answered in time/);
      assert.equal(finished(r.events).status, 'succeeded');
    });

    it('stops reading at workflow_finished although the server keeps the stream open (continue_on_pause), with pings in between', async () => {
      await start({ eventsPingMs: 5, resumeDelayMs: 60 });
      const p = await pauseWorkflow();
      const t0 = Date.now();
      const r = await answerAndFollow(p);
      assert.equal(finished(r.events).status, 'succeeded');
      assert.ok(Date.now() - t0 < 5000, 'did not wait for the server\'s idle close');
    });

    it('a server that closes the stream early (its idle close) is followed again, without losing or repeating text', async () => {
      await start({ eventsIdleMs: 250, resumeDelayMs: 400 });
      const p = await pauseWorkflow();
      const r = await answerAndFollow(p);
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.answer, '\nPublished to **beta**. 🎉 Comment: 好的 👍\n');
      assert.ok(server.requests.filter((x) => x.path.endsWith('/events')).length >= 2, 'subscribed again');
    });
  });

  describe('re-attaching after a reload', () => {
    it('a finished run: one frame (json.dumps, the run id as task id) shows how it ended; its whole answer when ours was cut short', async () => {
      const c = client(server.url, approval.key);
      const p = await pauseWorkflow();
      await p.c.submitForm(p.form!.token!, { action: 'approve', values: { comment: 'ok', channel: 'stable' } }, USER);
      await new Promise((res) => setTimeout(res, 600));
      const r = await collectRun(c.followRun('workflow', p.ref, USER, never(), { knownText: DRAFT.slice(0, 10) }));
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(finished(r.events).status, 'succeeded');
      assert.equal(r.answer, `${DRAFT}\nPublished to **stable**. 🎉 Comment: ok\n`);
      const frame = server.requests.filter((x) => x.path.endsWith('/events')).length;
      assert.equal(frame, 1);
    });

    it('a run still streaming: the snapshot, then the live text to the end; the final text fills what nobody saw', async () => {
      const wf = apps.find((a) => a.name === 'Code Reviewer')!;
      server.script(wf.key, { chunkDelayMs: 40 });
      const c = client(server.url, wf.key);
      const abort = new AbortController();
      let seen = '';
      let ref: RunEvent & { type: 'meta' } = { type: 'meta' };
      // The window goes away mid-stream (the server's task goes on), then the run is followed again.
      for await (const e of c.run('workflow', { inputs: { code: 'x' }, user: USER }, abort.signal)) {
        if (e.type === 'meta') ref = e;
        if (e.type === 'answer') seen += e.text;
        if (seen.length > 60) break;
      }
      // The reload takes a moment: what the run publishes meanwhile reaches nobody.
      await new Promise((res) => setTimeout(res, 150));
      const r = await collectRun(c.followRun('workflow', ref, USER, never(), { knownText: seen, checkStatus: true }));
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(finished(r.events).status, 'succeeded');
      const full = (r.events.find((e) => e.type === 'outputs') as Ev<'outputs'>).outputs.text as string;
      assert.ok(full.startsWith(seen) && full.length > seen.length);
      // What was published while nobody followed is lost (pub/sub); the run's final text, which goes on from what
      // was shown, replaces the answer at the end.
      assert.equal(ofType(r.events, 'answerReplace').at(-1)?.text, full);
      assert.equal(r.answer, full);
    });

    it('a paused run: its waiting form again, then the stream ends at the pause', async () => {
      const p = await pauseWorkflow();
      const r = await collectRun(p.c.followRun('workflow', p.ref, USER, never(), { knownText: p.r.answer, checkStatus: true }));
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(finished(r.events).status, 'paused');
      assert.equal(ofType(r.events, 'form')[0].form.token, p.form!.token);
      assert.equal(r.answer, '', 'a workflow\'s snapshot replays no text');
    });

    it('404 for another user\'s run and an unknown run (run_not_found); an app that is not a workflow: 400', async () => {
      const p = await pauseWorkflow();
      for (const [user, runId] of [['someone-else', p.ref.runId], [USER, '4f1c2f0e-0000-4000-8000-000000000000']]) {
        const r = await collectRun(p.c.followRun('workflow', { runId }, user!, never(), { checkStatus: user === USER }));
        assertApiError(r.error, 'http', (x) => {
          assert.equal(x.status, 404);
          assert.equal(x.code, 'run_not_found');
        });
      }
      const chat = apps.find((a) => a.mode === 'chat')!;
      const r = await collectRun(client(server.url, chat.key).followRun('chat', p.ref, USER, never()));
      assertApiError(r.error, 'http', (x) => assert.equal(x.code, 'not_workflow_app'));
    });
  });
});

/** The form's fields as the test reads them. */
export type { HumanInputForm };
