import * as assert from 'node:assert/strict';
import { answerFor } from '../../support/dify/frames';
import { demoApps } from '../../support/dify/apps';
import { DifyTestServer, startDifyServer } from '../../support/dify/server';
import type { RunEvent, TraceNode } from '../../../src/providers/types';
import { client, collectRun, finished, USER } from './helpers';

const apps = demoApps();
const app = (mode: string) => apps.find((a) => a.mode === mode)!;
const inputsFor: Record<string, Record<string, unknown>> = {
  workflow: { code: 'function f() {}', language: 'TypeScript' },
  'advanced-chat': {},
  chat: {},
  'agent-chat': {},
  completion: { diff: 'diff --git a/x b/x' },
};

describe('dify client: every app mode end to end', () => {
  let server: DifyTestServer;
  beforeEach(async () => {
    server = await startDifyServer();
  });
  afterEach(() => server.close());

  for (const mode of ['workflow', 'advanced-chat', 'chat', 'agent-chat', 'completion']) {
    for (const responseMode of ['streaming', 'blocking'] as const) {
      if (mode === 'agent-chat' && responseMode === 'blocking') continue;
      it(`${mode} (${responseMode})`, async () => {
        const a = app(mode);
        const c = client(server.url, a.key);
        const query = mode === 'completion' ? undefined : 'How do I deploy? 怎么部署？';
        const { events, answer, error } = await collectRun(
          c.run(mode, { inputs: inputsFor[mode], query, user: USER }, new AbortController().signal, { responseMode }),
        );
        assert.equal(error, undefined, String(error));
        // A question in Chinese gets the app's Chinese answer, where it has one (a workflow is sent no query).
        const asked = [mode === 'workflow' ? '' : (query ?? ''), ...Object.values(inputsFor[mode])].join('\n');
        assert.equal(answer, answerFor(a, undefined, asked));
        assert.ok(answer.includes('中文') || answer.includes('结果') || answer.includes('支持'));
        const fin = finished(events);
        assert.equal(fin.status, 'succeeded');
        const meta = events.filter((e): e is Extract<RunEvent, { type: 'meta' }> => e.type === 'meta').at(-1)!;
        assert.ok(meta.taskId, 'task id');
        if (mode === 'workflow' || (mode === 'advanced-chat' && responseMode === 'streaming')) assert.ok(meta.runId);
        if (mode !== 'workflow' && mode !== 'completion') assert.ok(meta.conversationId);
        if (mode !== 'workflow') assert.ok(meta.messageId);
        const req = server.requests.find((r) => r.method === 'POST')!;
        const body = req.body as Record<string, unknown>;
        assert.equal(body.user, USER);
        assert.equal(body.response_mode, responseMode);
        if (responseMode === 'streaming') {
          const nodes = events.filter((e) => e.type === 'node').map((e) => (e as { node: TraceNode }).node);
          if (mode === 'workflow') {
            const iter = nodes.find((n) => n.kind === 'iteration')!;
            assert.ok(iter);
            const children = nodes.filter((n) => n.parentId === iter.id);
            assert.deepEqual([...new Set(children.map((n) => n.index))], [0, 1]);
            assert.ok(nodes.some((n) => n.kind === 'llm' && n.status === 'succeeded' && n.totalTokens));
            const outputs = events.find((e) => e.type === 'outputs') as { outputs: Record<string, unknown> };
            assert.equal(outputs.outputs.text, answer);
          }
          if (mode === 'agent-chat') {
            const tool = nodes.filter((n) => n.kind === 'tool');
            assert.equal(tool.at(-1)!.status, 'succeeded');
            assert.equal(tool[0].title, 'Web Search');
            assert.match(tool.at(-1)!.detail!, /self-hosted/);
          }
          if (mode === 'advanced-chat') {
            assert.ok(nodes.some((n) => n.kind === 'answer'));
            assert.ok(events.some((e) => e.type === 'citations'));
          }
        }
        if (mode !== 'workflow') {
          const usage = events.find((e) => e.type === 'usage') as { usage: { totalPrice?: string; totalTokens?: number } };
          assert.equal(typeof usage.usage.totalPrice, 'string');
          assert.ok(usage.usage.totalTokens! > 0);
        }
      });
    }
  }

  it('info, parameters (every field kind), site, meta', async () => {
    const wf = client(server.url, app('workflow').key);
    assert.deepEqual(await wf.info(), { name: 'Code Reviewer', description: 'Reviews a piece of code and suggests improvements.', mode: 'workflow', tags: [], author: 'Demo' });
    const p = await wf.parameters();
    assert.deepEqual(p.fields.map((f) => f.kind), ['paragraph', 'select', 'text-input', 'number', 'checkbox', 'json_object', 'file', 'file-list']);
    assert.equal(p.fields[0].required, true);
    assert.deepEqual(p.fields[1].options, ['TypeScript', 'Python', 'Go']);
    assert.deepEqual(p.fields[5].jsonSchema, { type: 'object', properties: { tone: { type: 'string' } } });
    assert.deepEqual(p.fields[7].allowedFileUploadMethods, ['local_file']);
    assert.equal(p.fields[7].maxLength, 3);
    assert.equal(p.fileUpload?.enabled, true);
    assert.equal(p.fileUpload?.numberLimits, 3);
    assert.deepEqual(p.limits, { fileSizeLimitMb: 15, imageFileSizeLimitMb: 10, audioFileSizeLimitMb: 50, videoFileSizeLimitMb: 100, workflowFileUploadLimit: 10 });
    const comp = await client(server.url, app('completion').key).parameters();
    assert.equal(comp.fields.at(-1)!.kind, 'external_data_tool');
    const chat = await client(server.url, app('advanced-chat').key).parameters();
    assert.equal(chat.openingStatement, 'Ask me anything about the docs.');
    assert.deepEqual(chat.suggestedQuestions, ['How do I deploy?', '如何配置代理？']);
    assert.equal(chat.fields[1].hide, true);
    assert.equal((await wf.site())?.title, 'Code Reviewer');
  });

  it('workflow pinning, run details (inputs decoded), logs', async () => {
    const wfId = '0b9f6f7e-2d4e-4c7a-9f1b-5f3c2a1d0e99';
    const c = client(server.url, app('workflow').key, { workflowId: wfId });
    const { events } = await collectRun(c.run('workflow', { inputs: inputsFor.workflow, user: USER }, new AbortController().signal));
    const req = server.requests.find((r) => r.method === 'POST')!;
    assert.equal(req.path, `/v1/workflows/${wfId}/run`);
    const runId = (events.find((e) => e.type === 'meta') as { runId: string }).runId;
    const run = await c.workflowRun(runId);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.inputs, inputsFor.workflow);
    assert.equal(typeof run.inputsRaw, 'string');
    const logs = await c.workflowLogs({ limit: 5 });
    assert.equal(logs.data[0].workflow_run.id, runId);
    assert.equal(logs.total, 1);
  });

  it('chatflow pinning sends workflow_id in the body', async () => {
    const wfId = '0b9f6f7e-2d4e-4c7a-9f1b-5f3c2a1d0e99';
    const c = client(server.url, app('advanced-chat').key, { workflowId: wfId });
    const r = await collectRun(c.run('advanced-chat', { inputs: {}, query: 'hi', user: USER }, new AbortController().signal));
    assert.equal(r.error, undefined);
    assert.equal((server.requests[0].body as { workflow_id: string }).workflow_id, wfId);
  });

  it('conversations persist across turns; messages page backwards; rename, feedback, suggested, delete', async () => {
    const c = client(server.url, app('chat').key);
    const sig = new AbortController().signal;
    const first = await collectRun(c.run('chat', { inputs: {}, query: 'first question', user: USER }, sig));
    const conv = (first.events.find((e) => e.type === 'meta') as { conversationId: string }).conversationId;
    for (let i = 2; i <= 25; i++) {
      const r = await collectRun(c.run('chat', { inputs: {}, query: `question ${i}`, conversationId: conv, user: USER }, sig));
      assert.equal((r.events.find((e) => e.type === 'meta') as { conversationId: string }).conversationId, conv);
    }
    const list = await c.conversations(USER);
    assert.equal(list.length, 1);
    assert.equal(list[0].id, conv);
    const msgs = await c.messages(conv, USER, undefined, { pageSize: 10 });
    assert.equal(msgs.length, 25);
    assert.equal(msgs[0].query, 'first question');
    assert.equal(msgs[24].query, 'question 25');
    assert.ok(server.requests.some((r) => r.path === '/v1/messages' && r.query.first_id));
    const renamed = await c.renameConversation(conv, { name: 'Deploy notes 部署' }, USER);
    assert.equal(renamed.name, 'Deploy notes 部署');
    await c.feedback({ messageId: msgs[0].id }, 'like', USER, 'nice');
    assert.deepEqual(server.feedbackOf(msgs[0].id), { rating: 'like', content: 'nice' });
    assert.equal((await c.messages(conv, USER)).at(0)?.rating, 'like');
    await c.feedback({ messageId: msgs[0].id }, null, USER);
    assert.equal(server.feedbackOf(msgs[0].id), undefined);
    const sugg = await c.suggested(msgs[24].id, USER);
    assert.equal(sugg.length, 3);
    await c.deleteConversation(conv, USER);
    assert.deepEqual(await c.conversations(USER), []);
    const del = server.requests.find((r) => r.method === 'DELETE')!;
    assert.deepEqual(del.body, { user: USER });
  });

  it('feedback: completion answers take it too; another user, an unknown answer and a revoke of nothing are refused', async () => {
    const c = client(server.url, app('completion').key);
    const r = await collectRun(c.run('completion', { inputs: inputsFor.completion, user: USER }, new AbortController().signal));
    const messageId = (r.events.find((e) => e.type === 'meta' && e.messageId) as { messageId: string }).messageId;
    await c.feedback({ messageId }, 'dislike', USER, '太长了 too long');
    assert.deepEqual(server.feedbackOf(messageId), { rating: 'dislike', content: '太长了 too long' });
    await assert.rejects(c.feedback({ messageId }, 'like', 'someone-else'), (e: Error & { status?: number }) => e.status === 404 && /Message Not Exists/.test(e.message));
    await assert.rejects(c.feedback({ messageId: '3c7d8f1e-0000-4000-8000-000000000000' }, 'like', USER), (e: Error & { status?: number }) => e.status === 404);
    const r2 = await collectRun(c.run('completion', { inputs: inputsFor.completion, user: USER }, new AbortController().signal));
    const fresh = (r2.events.find((e) => e.type === 'meta' && e.messageId) as { messageId: string }).messageId;
    await assert.rejects(c.feedback({ messageId: fresh }, null, USER), (e: Error & { status?: number }) => e.status === 400 && /feedback not exists/.test(e.message));
    assert.deepEqual((server.requests.at(-1)!.body as Record<string, unknown>), { rating: null, user: USER });
  });

  it('an unknown conversation id → 404 "Conversation Not Exists."', async () => {
    const c = client(server.url, app('chat').key);
    const r = await collectRun(c.run('chat', { inputs: {}, query: 'q', conversationId: '3c7d8f1e-0000-4000-8000-000000000000', user: USER }, new AbortController().signal));
    assert.equal((r.error as { status: number }).status, 404);
    assert.match((r.error as Error).message, /^Conversation Not Exists\./);
  });

  it('upload sends multipart with filename, MIME type and user (201)', async () => {
    const c = client(server.url, app('workflow').key);
    const up = await c.upload({ name: 'notes 中文.md', data: Buffer.from('# hi\n'), mimeType: 'text/markdown' }, USER);
    assert.equal(up.name, 'notes 中文.md');
    assert.equal(up.size, 5);
    assert.equal(up.mimeType, 'text/markdown');
    const rec = server.requests.find((r) => r.path === '/v1/files/upload')!;
    assert.deepEqual(rec.body, { fields: { user: USER }, files: [{ name: 'file', filename: 'notes 中文.md', contentType: 'text/markdown', size: 5 }] });
    // The reference goes into a file input and is accepted by a run.
    const { localFileRef, fileListInput } = await import('../../../src/providers/dify/files');
    const ref = localFileRef(up.id, 'document');
    const r = await collectRun(c.run('workflow', { inputs: { ...inputsFor.workflow, attachment: ref, context_files: fileListInput([ref]) }, user: USER, files: [ref] }, new AbortController().signal));
    assert.equal(r.error, undefined);
    const body = server.requests.find((x) => x.path === '/v1/workflows/run')!.body as Record<string, unknown>;
    assert.deepEqual((body.inputs as Record<string, unknown>).attachment, { type: 'document', transfer_method: 'local_file', upload_file_id: up.id });
    assert.deepEqual(body.files, [ref]);
  });

  it('file references say what the field takes: `custom` for a file it takes only by extension (Dify refuses any other type)', async () => {
    const { normalizeParameters } = await import('../../../src/providers/dify/parameters');
    const { fileRefType } = await import('../../../src/run/inputForm');
    const logs = { allowed_file_types: ['image', 'custom'], allowed_file_extensions: ['.log'], allowed_file_upload_methods: ['local_file', 'remote_url'] };
    const base = app('workflow');
    const custom = { ...base, key: 'app-custom-files', parameters: { ...(base.parameters as object), user_input_form: [{ file: { type: 'file', variable: 'log', label: 'Log', required: true, ...logs } }] } };
    const srv = await startDifyServer({ apps: [custom] });
    try {
      const c = client(srv.url, custom.key);
      const field = normalizeParameters(custom.parameters).fields[0];
      const up = await c.upload({ name: 'build.LOG', data: Buffer.from('ok\n'), mimeType: 'text/plain' }, USER);
      const run = async (log: unknown) => (await collectRun(c.run('workflow', { inputs: { log }, user: USER }, new AbortController().signal))).error as { status?: number; message?: string } | undefined;
      assert.equal(fileRefType(field, 'build.LOG'), 'custom');
      assert.equal(await run({ type: fileRefType(field, 'build.LOG'), transfer_method: 'local_file', upload_file_id: up.id }), undefined);
      assert.equal(fileRefType(field, 'shot.png'), 'image', 'a kind the field lists keeps its type');
      assert.equal(await run({ type: 'image', transfer_method: 'remote_url', url: 'https://example.com/shot.png' }), undefined);
      // What Dify answers when the type is wrong, the upload unknown, or a custom file has another extension.
      const refused = [
        [{ type: 'document', transfer_method: 'local_file', upload_file_id: up.id }, /^File validation failed/],
        [{ type: 'custom', transfer_method: 'remote_url', url: 'https://example.com/notes.md' }, /^File validation failed/],
        [{ type: 'custom', transfer_method: 'local_file', upload_file_id: '3c7d8f1e-0000-4000-8000-000000000000' }, /^Invalid upload file/],
      ] as const;
      for (const [ref, message] of refused) {
        const e = await run(ref);
        assert.equal(e?.status, 400, JSON.stringify(ref));
        assert.match(e?.message ?? '', message);
      }
    } finally {
      await srv.close();
    }
  });

  it('upload errors: 413 and 415', async () => {
    const small = await startDifyServer({ apps: [{ ...app('workflow'), uploadLimitBytes: 3 }] });
    try {
      const c = client(small.url, app('workflow').key);
      await assert.rejects(c.upload({ name: 'a.md', data: Buffer.from('12345'), mimeType: 'text/markdown' }, USER), (e: { status: number; code: string }) => e.status === 413 && e.code === 'file_too_large');
    } finally {
      await small.close();
    }
  });
});
