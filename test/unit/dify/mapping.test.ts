import * as assert from 'node:assert/strict';
import { parseDifyEvent } from '../../../src/providers/dify/events';
import { normalizeInfo, normalizeParameters } from '../../../src/providers/dify/parameters';
import { RunEventMapper } from '../../../src/providers/dify/runEvents';
import { remoteFileRef, fileTypeOf } from '../../../src/providers/dify/files';
import { ApiError } from '../../../src/net/apiError';
import type { DifyStreamEvent } from '../../../src/providers/dify/events';
import type { RunEvent } from '../../../src/providers/types';

const ev = (o: object): DifyStreamEvent => parseDifyEvent(JSON.stringify(o));
function feed(mode: string, events: object[]): { out: RunEvent[]; mapper: RunEventMapper } {
  const mapper = new RunEventMapper(mode);
  const out: RunEvent[] = [];
  for (const e of events) {
    out.push(...mapper.map(ev(e)));
    if (mapper.done) break;
  }
  return { out, mapper };
}

describe('dify events, parameters and run mapping', () => {
  it('parses both JSON styles identically, regardless of key order', () => {
    const a = parseDifyEvent('{"event":"message","answer":"中文","task_id":"t"}');
    const b = parseDifyEvent('{"task_id": "t", "answer": "\\u4e2d\\u6587", "event": "message"}');
    assert.deepEqual(a, b);
  });

  it('unknown, missing data, ping, malformed', () => {
    assert.equal(parseDifyEvent('{"event":"brand_new","x":1}').event, 'unknown');
    assert.equal(parseDifyEvent('{"event":"node_started"}').event, 'unknown');
    assert.equal(parseDifyEvent('', 'ping').event, 'ping');
    assert.throws(() => parseDifyEvent('{"event":', undefined, 'POST /v1/chat-messages'), (e: unknown) => e instanceof ApiError && e.kind === 'malformed' && /POST \/v1\/chat-messages/.test(e.message));
  });

  it('normalizes old /info and unknown modes', () => {
    assert.deepEqual(normalizeInfo({ name: 'Old', description: 'd' }), { name: 'Old', description: 'd', mode: 'unknown', tags: undefined, author: undefined });
    assert.equal(normalizeInfo({ name: 'N', mode: 'agent' }).mode, 'agent');
  });

  it('normalizes /parameters: legacy image upload, defaults, unknown kinds kept', () => {
    const p = normalizeParameters({
      user_input_form: [{ 'text-input': { variable: 'a', label: '', required: 'true', max_length: '10' } }, { 'future-kind': { variable: 'b', label: 'B' } }, { junk: 1 }],
      file_upload: { image: { enabled: true, number_limits: 2, transfer_methods: ['local_file'] } },
    });
    assert.deepEqual(p.fields[0], { kind: 'text-input', variable: 'a', label: 'a', required: true, maxLength: 10 });
    assert.equal(p.fields[1].kind, 'future-kind');
    assert.equal(p.fields.length, 2);
    assert.deepEqual(p.fileUpload, { enabled: true, allowedFileTypes: ['image'], allowedUploadMethods: ['local_file'], numberLimits: 2 });
    assert.equal(p.limits.videoFileSizeLimitMb, 100);
    assert.deepEqual(p.suggestedQuestions, []);
  });

  it('chatflow: message_end then workflow_finished, and the reverse order', () => {
    const msgEnd = { event: 'message_end', task_id: 't', conversation_id: 'c', message_id: 'm', metadata: { usage: { total_tokens: 5, total_price: '0.0012' } } };
    const wfFin = { event: 'workflow_finished', task_id: 't', workflow_run_id: 'r', data: { status: 'succeeded', outputs: { answer: 'x' } } };
    for (const order of [[msgEnd, wfFin], [wfFin, msgEnd]]) {
      const { out, mapper } = feed('advanced-chat', [{ event: 'message', answer: 'x', task_id: 't' }, ...order]);
      assert.equal(mapper.done, true);
      assert.equal(out.filter((e) => e.type === 'finished').length, 1);
      assert.equal((out.find((e) => e.type === 'usage') as { usage: { totalPrice: string } }).usage.totalPrice, '0.0012');
    }
  });

  it('chatflow that stops after message_end finishes at end of stream; workflow without terminal is incomplete', () => {
    const { mapper } = feed('advanced-chat', [{ event: 'workflow_started', data: { id: 'r' } }, { event: 'message', answer: 'x' }, { event: 'message_end' }]);
    assert.equal(mapper.done, false);
    assert.deepEqual(mapper.end(), [{ type: 'finished', status: 'succeeded' }]);
    const w = feed('workflow', [{ event: 'text_chunk', data: { text: 'a' } }]);
    assert.throws(() => w.mapper.end(), (e: unknown) => e instanceof ApiError && e.kind === 'incomplete');
  });

  it('replacements: text_replace, message_replace and the New-Agent closing repeat', () => {
    const { out } = feed('agent', [{ event: 'message', answer: 'Hel' }, { event: 'message', answer: 'lo' }, { event: 'message', answer: 'Hello' }, { event: 'message_replace', answer: 'Censored' }, { event: 'message_end' }]);
    assert.deepEqual(out.filter((e) => e.type !== 'finished').map((e) => [e.type, (e as { text: string }).text]), [['answer', 'Hel'], ['answer', 'lo'], ['answerReplace', 'Hello'], ['answerReplace', 'Censored']]);
    const w = feed('workflow', [{ event: 'text_chunk', data: { text: 'a' } }, { event: 'text_replace', data: { text: 'b' } }, { event: 'workflow_finished', data: { status: 'failed', error: 'boom' } }]);
    assert.deepEqual(w.out.at(-1), { type: 'finished', status: 'failed', error: 'boom', elapsedSeconds: undefined, totalTokens: undefined });
  });

  it('reasoning, files, paused, loops and agent logs', () => {
    const { out } = feed('workflow', [
      { event: 'reasoning_chunk', data: { reasoning: 'hmm', node_id: 'llm' } },
      { event: 'loop_started', data: { id: 'L', node_id: 'loop1', title: 'Loop' } },
      { event: 'loop_next', data: { id: 'L', node_id: 'loop1', index: 1 } },
      { event: 'node_started', data: { id: 'n1', node_id: 'code', node_type: 'code', title: 'Code', loop_id: 'loop1' } },
      { event: 'agent_log', data: { id: 'al', label: 'Call tool', status: 'success', node_execution_id: 'n1' } },
      { event: 'human_input_required', data: { node_title: 'Approve' } },
      { event: 'workflow_paused', data: { status: 'paused' } },
    ]);
    assert.deepEqual(out[0], { type: 'reasoning', text: 'hmm' });
    const child = out.find((e) => e.type === 'node' && e.node.id === 'n1') as { node: { parentId: string; index: number } };
    assert.equal(child.node.parentId, 'L');
    assert.equal(child.node.index, 1);
    assert.ok(out.some((e) => e.type === 'node' && e.node.kind === 'agent' && e.node.parentId === 'n1'));
    assert.deepEqual(out.filter((e) => e.type === 'paused').length, 1);
    assert.equal((out.at(-1) as { status: string }).status, 'paused');
  });

  it('an error event throws kind stream with code and status', () => {
    assert.throws(() => feed('chat', [{ event: 'error', status: 400, code: 'provider_quota_exceeded', message: 'quota' }]), (e: unknown) => e instanceof ApiError && e.kind === 'stream' && e.code === 'provider_quota_exceeded' && e.status === 400);
  });

  it('file references', () => {
    assert.deepEqual(remoteFileRef('https://x.test/a.png'), { type: 'image', transfer_method: 'remote_url', url: 'https://x.test/a.png' });
    assert.equal(fileTypeOf('application/pdf'), 'document');
    assert.equal(fileTypeOf('audio/mpeg'), 'audio');
    assert.equal(fileTypeOf('application/x-thing'), 'custom');
  });
});
