// Human input in the real extension host: a run that pauses at a Human Input node shows its form in its entry; the
// answer (from the panel, the palette or @dify) is checked, taken by the server, and the run streams on in the same
// entry to its end; refusals (expired, answered elsewhere first) are said; Stop works on the resumed run. And after
// a reload (the next window's app layer built from the persisted history): a run still going on is followed to its
// end, a paused one can still be answered, one the server no longer knows says so with its answer kept.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HostMessage } from '../../../src/protocol';
import type { HistoryStore } from '../../../src/run/history';
import type { EntryView } from '../../../src/shared/entry';
import { startFlowiseServer, type FlowiseTestServer } from '../../support/flowise/server';
import { until, withApps } from './support';

const APPROVAL = 'Release Approval';
const DEPLOY = 'Deploy Chat';

/** A history store in memory that keeps what was written as a reload would find it (a copy). */
class MemoryStore implements HistoryStore {
  doc: unknown;
  async read(): Promise<unknown> {
    return this.doc === undefined ? undefined : structuredClone(this.doc);
  }
  async write(document: unknown): Promise<void> {
    this.doc = JSON.parse(JSON.stringify(document));
  }
}

describe('human input in the real extension host', function () {
  this.timeout(60_000);
  const fx = withApps();
  const posted: HostMessage[] = [];
  beforeEach(() => {
    posted.length = 0;
    fx.api.panel.tap = (m) => posted.push(structuredClone(m));
  });
  afterEach(() => {
    fx.api.panel.tap = undefined;
  });

  /** Runs the approval workflow to its pause (from the panel's point of view: the entry waits, its form shown). */
  async function pauseApproval(text = '修复代理 proxy fix'): Promise<EntryView> {
    const entry = await fx.api.runs.start((await fx.api.prepare(APPROVAL, text))!);
    assert.equal(entry.status, 'paused', entry.error?.message);
    assert.equal(entry.forms?.[0].state, 'waiting');
    return entry;
  }

  it('a paused workflow shows its form in its entry; the answer from the panel streams the run on in the same entry to its end', async () => {
    const entry = await pauseApproval();
    const draft = entry.answer;
    const form = entry.forms![0];
    assert.deepEqual(form.fields.map((f) => f.name), ['comment', 'channel']);
    assert.ok(posted.some((m) => m.type === 'entryPatch' && m.patch.id === entry.id && m.patch.forms?.[0]?.nodeId === 'review_release'), 'the panel got the form');

    await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: form.nodeId, action: 'approve', values: { comment: '可以发布 👍', channel: 'beta' } });
    assert.deepEqual(posted.filter((m) => m.type === 'humanInputErrors').at(-1), { type: 'humanInputErrors', id: entry.id, nodeId: form.nodeId, errors: {} });
    await until(() => entry.status === 'succeeded', 'the run to finish', 20_000);
    assert.equal(fx.api.history.entries.filter((e) => e.id === entry.id).length, 1, 'the same entry, no new one');
    assert.equal(entry.answer, `${draft}\nPublished to **beta**. 🎉 Comment: 可以发布 👍\n`);
    assert.equal(entry.forms![0].state, 'answered');
    assert.equal(entry.forms![0].answer?.actionText, 'Approve ✅');
    assert.match(entry.forms![0].answer?.content ?? '', /Comment: 可以发布 👍\n\nChannel: beta/);
    const submit = fx.server.requests.filter((r) => r.path === `/v1/form/human_input/${form.token}`).at(-1)!;
    assert.deepEqual(submit.body, { inputs: { comment: '可以发布 👍', channel: 'beta' }, action: 'approve', user: fx.api.userId });
    const follow = fx.server.requests.filter((r) => r.path === `/v1/workflow/${entry.runId}/events`).at(-1)!;
    assert.deepEqual(follow.query, { user: fx.api.userId, include_state_snapshot: 'true', continue_on_pause: 'true' });
    assert.equal(follow.headers.authorization, `Bearer app-demo-approval`, 'the app\'s own key, to its own server');
    assert.ok(posted.some((m) => m.type === 'entryPatch' && m.patch.id === entry.id && m.patch.status === 'running'), 'the entry ran again');
    // Kept in the history as it ended.
    await fx.api.history.save();
    assert.equal(fx.api.history.find(entry.id)?.forms?.[0].state, 'answered');
  });

  it('the host checks an answer as the server will: a select without a value is said, nothing is sent', async () => {
    const entry = await pauseApproval();
    const before = fx.server.requests.length;
    await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: 'review_release', action: 'approve', values: { comment: 'x', channel: 'nightly' } });
    const errors = posted.filter((m): m is Extract<HostMessage, { type: 'humanInputErrors' }> => m.type === 'humanInputErrors').at(-1)!.errors;
    assert.deepEqual(errors, { channel: 'Choose a value for channel.' });
    assert.equal(fx.server.requests.length, before, 'nothing went to the server');
    assert.equal(entry.status, 'paused');
  });

  it('an expired form says so, and the run is followed along its timeout branch to its end', async () => {
    const entry = await pauseApproval();
    fx.server.humanInput.expire(entry.forms![0].token!);
    await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: 'review_release', action: 'approve', values: { comment: 'late', channel: 'stable' } });
    await until(() => entry.status === 'succeeded', 'the timeout branch', 20_000);
    // Expired when the answer came; timed out too if the follow saw the server's timeout event (it may have gone by).
    assert.ok(['expired', 'timedOut'].includes(entry.forms![0].state), entry.forms![0].state);
    assert.match(entry.forms![0].message ?? '', /expired/);
    assert.match(entry.answer, /Nobody answered in time/);
  });

  it('a form answered elsewhere first: the run goes on with that answer', async () => {
    const entry = await pauseApproval();
    fx.server.humanInput.answer(entry.forms![0].token!, 'reject', { comment: '不行', channel: 'stable' });
    await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: 'review_release', action: 'approve', values: { comment: 'ok', channel: 'beta' } });
    await until(() => entry.status === 'succeeded', 'the run to finish', 20_000);
    assert.match(entry.forms![0].message ?? '', /Someone answered this form first/);
    assert.match(entry.answer, /Not published\. Reason: 不行/);
  });

  it('Stop works on a resumed run: stopped on the server by its task id', async () => {
    fx.server.script('app-demo-approval', { chunkDelayMs: 250 });
    const entry = await pauseApproval();
    await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: 'review_release', action: 'approve', values: { comment: 'ok', channel: 'beta' } });
    await until(() => fx.api.runs.running && /Published/.test(entry.answer), 'the resumed text');
    await fx.api.session.handle({ type: 'stop' });
    await until(() => entry.status === 'stopped', 'the stop');
    assert.ok(fx.server.stops.some((s) => s.found), 'the resumed task was stopped on the server');
  });

  it('a chatflow\'s file-list input: "Choose…" uploads the file; the answer continues the same message to its end', async () => {
    const entry = await fx.api.runs.start((await fx.api.prepare(DEPLOY, 'deploy v2.3.0 please'))!);
    assert.equal(entry.status, 'paused', entry.error?.message);
    const doc = await vscode.workspace.openTextDocument({ content: 'deploy log\n部署日志\n', language: 'log' });
    await vscode.window.showTextDocument(doc);
    let picked = false;
    const picking = fx.api.session.handle({ type: 'pickFormFiles', id: entry.id, nodeId: 'confirm_deploy', name: 'logs' }).then(() => (picked = true));
    // (Skip, the last item, is the active one of an optional input: move to the first, the current file, first.)
    await until(() => {
      if (!picked) void vscode.commands.executeCommand('quickInput.first').then(() => vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'));
      return picked;
    }, 'the file to be picked and uploaded');
    await picking;
    const files = posted.filter((m): m is Extract<HostMessage, { type: 'humanInputFiles' }> => m.type === 'humanInputFiles').at(-1)!;
    assert.equal(files.files.length, 1);
    await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: 'confirm_deploy', action: 'deploy', values: { reason: 'hotfix' } });
    await until(() => entry.status === 'succeeded', 'the run to finish', 20_000);
    const submit = fx.server.requests.filter((r) => r.path.startsWith('/v1/form/human_input/')).at(-1)!;
    const logs = (submit.body as { inputs: { logs: { transfer_method: string; upload_file_id: string }[] } }).inputs.logs;
    assert.equal(logs.length, 1);
    assert.equal(logs[0].transfer_method, 'local_file');
    assert.match(entry.answer, /Deployed v2\.3\.0\. ✅ \(hotfix\)/);
    assert.ok(entry.usage?.totalTokens, 'message_end came on the same message');
  });

  it('"Dify: Answer Waiting Form…" answers in quick inputs (the text, the option, the action); the run streams on', async () => {
    const entry = await pauseApproval();
    let done = false;
    const command = vscode.commands.executeCommand('dify.answerForm', entry.id).then(() => (done = true));
    // Answer Here, then the comment (its default), the first channel (stable), the first action (Approve).
    await until(() => {
      if (!done) void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return done;
    }, 'the quick inputs', 20_000);
    await command;
    await until(() => entry.status === 'succeeded', 'the run to finish', 20_000);
    const submit = fx.server.requests.filter((r) => r.path === `/v1/form/human_input/${entry.forms![0].token}`).at(-1)!;
    assert.deepEqual((submit.body as { inputs: unknown }).inputs, { comment: 'LGTM 👍', channel: 'stable' });
    assert.match(entry.answer, /Published to \*\*stable\*\*/);
    assert.ok(posted.some((m) => m.type === 'revealForm' && m.id === entry.id), 'the panel shows where the run goes on');
  });

  it('@dify says a run waits and offers Answer… and Show in Chat Panel', async () => {
    const md: string[] = [];
    const buttons: vscode.Command[] = [];
    const stream = { markdown: (v: string) => void md.push(v), progress: () => undefined, button: (c: vscode.Command) => void buttons.push(c), anchor: () => undefined, reference: () => undefined, push: () => undefined } as unknown as vscode.ChatResponseStream;
    const result = await fx.api.chat({ prompt: `${APPROVAL} release 1.2`, command: 'run', references: [], toolReferences: [] } as unknown as vscode.ChatRequest, { history: [] } as unknown as vscode.ChatContext, stream, new vscode.CancellationTokenSource().token);
    const entryId = (result.metadata as { entryId: string }).entryId;
    assert.match(md.join(''), /waits for your answer: \*\*Review the release\*\*/);
    assert.deepEqual(buttons.map((b) => [b.command, b.arguments]), [['dify.answerForm', [entryId]], ['dify.revealForm', [entryId]]]);
    await vscode.commands.executeCommand('dify.revealForm', entryId);
    assert.ok(posted.some((m) => m.type === 'revealForm' && m.id === entryId));
  });

  describe('after a reload (the next window\'s app layer, from the persisted history)', () => {
    it('a run still going on the server shows again and streams to its end; it was not stopped when the window went away', async () => {
      const store = new MemoryStore();
      const before = await fx.api.appLayer(store);
      const launched = await before.runs.launch({ ...(await fx.api.prepare('Code Reviewer', 'slow one /slow'))!, continueConversation: false }, { showPanel: false });
      await until(() => launched.entry.answer.length > 40, 'some text', 20_000);
      before.runs.dispose(); // the window goes away mid-run
      await launched.done;
      await until(() => (store.doc as { entries?: EntryView[] } | undefined)?.entries?.some((e) => e.id === launched.entry.id && e.status === 'running'), 'the history to keep it running');
      assert.equal(fx.server.stops.filter((s) => s.taskId === launched.run.taskId).length, 0, 'not stopped on the server');

      const after = await fx.api.appLayer(store);
      assert.ok(after.history.interrupted.has(launched.entry.id));
      const entry = after.runs.find(launched.entry.id)!;
      assert.equal(entry.status, 'stopped', 'until it is followed again');
      await after.forms.reattach();
      assert.equal(entry.status, 'running');
      await until(() => entry.status === 'succeeded', 'the run to its end', 30_000);
      const full = fx.server.hub.runs.get(entry.runId!)!.log.filter((f) => f.event === 'text_chunk').map((f) => (f.data as { text: string }).text).join('');
      assert.equal(entry.answer, full.split('</think>\n\n')[1], 'the whole answer, nothing repeated or missing');
      assert.match(entry.thinking, /用户想要代码评审/);
      assert.ok(fx.server.requests.some((r) => r.path === `/v1/workflow/${entry.runId}/events` && r.query.include_state_snapshot === 'true'));
    });

    it('a paused run survives the reload and can still be answered there', async () => {
      const store = new MemoryStore();
      const before = await fx.api.appLayer(store);
      const paused = await before.runs.start((await fx.api.prepare(APPROVAL, 'reload me'))!, { showPanel: false });
      assert.equal(paused.status, 'paused');
      before.runs.dispose();
      await before.history.save();

      const after = await fx.api.appLayer(store);
      await after.forms.reattach();
      const entry = after.runs.find(paused.id)!;
      assert.equal(entry.status, 'paused', 'still waiting on the server');
      assert.equal(after.forms.waiting()[0]?.entry.id, entry.id);
      const problems = await after.forms.answer(entry.id, 'review_release', 'reject', { comment: '下次再说', channel: 'stable' });
      assert.deepEqual(problems, {});
      await until(() => entry.status === 'succeeded', 'the run to finish', 20_000);
      assert.match(entry.answer, /Not published\. Reason: 下次再说/);
    });

    it('a run the server no longer knows (404): said clearly, the answer kept', async () => {
      const store = new MemoryStore();
      const before = await fx.api.appLayer(store);
      const launched = await before.runs.launch({ ...(await fx.api.prepare('Code Reviewer', 'gone soon /slow'))!, continueConversation: false }, { showPanel: false });
      await until(() => launched.entry.answer.length > 20, 'some text', 20_000);
      before.runs.dispose();
      await launched.done;
      await before.history.save();
      const doc = store.doc as { entries: EntryView[] };
      const kept = doc.entries.find((e) => e.id === launched.entry.id)!;
      kept.runId = '4f1c2f0e-0000-4000-8000-000000000000';
      const answer = kept.answer;

      const after = await fx.api.appLayer(store);
      await after.forms.reattach();
      const entry = after.runs.find(launched.entry.id)!;
      assert.match(entry.error?.message ?? '', /no longer on its server/);
      assert.equal(entry.answer, answer, 'the answer so far is kept');
      assert.equal(entry.status, 'stopped');
    });
  });

  describe('a Flowise Agentflow v2 human input', () => {
    let flowise: FlowiseTestServer;
    const NAME = 'Flowise Approval';
    before(async () => {
      flowise = await startFlowiseServer();
      await vscode.workspace.getConfiguration('dify').update('apps', [
        ...fx.apps.map((a) => ({ name: a.name, baseUrl: fx.server.url })),
        { name: NAME, provider: 'flowise', baseUrl: flowise.url, chatflowId: 'demo-flowise-approval' },
      ], vscode.ConfigurationTarget.Global);
      await until(() => fx.api.catalog.find(NAME), 'the settings change');
    });
    after(async () => {
      await flowise?.close();
      await vscode.workspace.getConfiguration('dify').update('apps', fx.apps.map((a) => ({ name: a.name, baseUrl: fx.server.url })), vscode.ConfigurationTarget.Global);
    });

    it('stops at its node as a paused run with a form; proceeding with feedback re-runs the prediction (same chatId, humanInput) into the same entry', async () => {
      const entry = await fx.api.runs.start({ ...(await fx.api.prepare(NAME, '轮换密钥吗？'))!, continueConversation: false });
      assert.equal(entry.status, 'paused', entry.error?.message);
      const form = entry.forms![0];
      assert.deepEqual([form.state, form.actions.map((a) => a.id), form.fields.map((f) => f.name)], ['waiting', ['proceed', 'reject'], ['feedback']]);
      assert.match(entry.answer, /Do you want to proceed\?/);
      await fx.api.session.handle({ type: 'answerForm', id: entry.id, nodeId: form.nodeId, action: 'proceed', values: { feedback: '好的，继续' } });
      await until(() => entry.status === 'succeeded', 'the run to finish', 20_000);
      assert.match(entry.answer, /Do you want to proceed\?[\s\S]*Done: the keys are rotated\. ✅ Noted: 好的，继续/);
      assert.equal(entry.forms![0].state, 'answered');
      const sent = flowise.requests.filter((r) => r.path === '/api/v1/prediction/demo-flowise-approval').at(-1)!;
      assert.deepEqual(sent.json.humanInput, { type: 'proceed', startNodeId: form.nodeId, feedback: '好的，继续' });
      assert.equal(sent.json.chatId, form.token);
      assert.equal(sent.json.question, '好的，继续');
    });
  });
});
