import * as assert from 'node:assert/strict';
import { FlowiseEventMapper, parseFollowUps, statusFromErrorMessage, type FlowiseFrame } from '../../../src/providers/flowise/events';
import { parseFlowiseUrl, parseFrame } from '../../../src/providers/flowise/client';
import { buildPredictionBody, questionFrom } from '../../../src/providers/flowise/request';
import type { RunEvent } from '../../../src/providers/types';
import { answerOf, expectApiError, ofType } from './helpers';

function mapper() {
  let t = 1_000;
  return new FlowiseEventMapper({
    chatId: 'chat-1',
    baseUrl: 'http://flowise.local:3000',
    chatflowId: 'flow-1',
    secrets: ['sekret-key-42'],
    route: 'POST /api/v1/prediction/flow-1',
    startedAt: 1_000,
    now: () => (t += 500),
  });
}

function feed(m: FlowiseEventMapper, frames: FlowiseFrame[]): RunEvent[] {
  return frames.flatMap((f) => m.frame(f));
}

describe('Flowise event mapping', () => {
  it('ignores the text of `start` (the first token is repeated as a token)', () => {
    const m = mapper();
    const ev = feed(m, [
      { event: 'start', data: 'Hel' },
      { event: 'token', data: 'Hel' },
      { event: 'token', data: 'lo' },
      { event: 'end', data: '[DONE]' },
    ]);
    assert.equal(answerOf(ev), 'Hello');
    assert.equal(m.finished, true);
    const fin = ofType(ev, 'finished')[0];
    assert.equal(fin.status, 'succeeded');
    assert.equal(fin.elapsedSeconds, 0.5);
  });

  it('thinking deltas become reasoning; the closing empty frame with duration adds nothing', () => {
    const ev = feed(mapper(), [
      { event: 'thinking', data: 'Step one. ' },
      { event: 'thinking', data: 'Step two.' },
      { event: 'thinking', data: '', duration: 3 },
    ]);
    assert.deepEqual(ev, [
      { type: 'reasoning', text: 'Step one. ' },
      { type: 'reasoning', text: 'Step two.' },
    ]);
  });

  it('an action pauses the run and the finish says paused', () => {
    const m = mapper();
    const ev = feed(m, [
      { event: 'token', data: 'Need approval.' },
      {
        event: 'action',
        data: { id: 'a1', mapping: { approve: 'Proceed', reject: 'Reject' }, elements: [{ type: 'approve-button', label: 'Proceed' }, { type: 'reject-button', label: 'Reject' }] },
      },
      { event: 'end', data: '[DONE]' },
    ]);
    assert.deepEqual(ofType(ev, 'paused'), [{ type: 'paused', reason: 'Waiting for a decision: Proceed / Reject' }]);
    assert.equal(ofType(ev, 'finished')[0].status, 'paused');
  });

  it('agentFlowEvent STOPPED / ERROR decide the final status', () => {
    const stopped = feed(mapper(), [{ event: 'agentFlowEvent', data: 'STOPPED' }, { event: 'end', data: '[DONE]' }]);
    assert.equal(ofType(stopped, 'finished')[0].status, 'stopped');
    const failed = feed(mapper(), [{ event: 'agentFlowEvent', data: 'ERROR' }, { event: 'end', data: '[DONE]' }]);
    const fin = ofType(failed, 'finished')[0];
    assert.equal(fin.status, 'failed');
    assert.ok(fin.error);
  });

  it('abort then end → stopped; abort then close without end → stopped; close without end → incomplete', () => {
    const a = mapper();
    assert.equal(ofType(feed(a, [{ event: 'abort', data: '[DONE]' }, { event: 'end', data: '[DONE]' }]), 'finished')[0].status, 'stopped');
    const b = mapper();
    feed(b, [{ event: 'token', data: 'x' }, { event: 'abort', data: '[DONE]' }]);
    assert.equal(ofType(b.streamClosed(), 'finished')[0].status, 'stopped');
    const c = mapper();
    feed(c, [{ event: 'token', data: 'x' }]);
    assert.throws(() => c.streamClosed(), (e) => !!expectApiError(e, 'incomplete'));
  });

  it('metadata: ids, follow-ups as a parsed array or a JSON string', () => {
    const ev = feed(mapper(), [
      { event: 'metadata', data: { chatId: 'chat-1', chatMessageId: 'm-1', sessionId: 'sess-1', followUpPrompts: ['A?', 'B?'] } },
    ]);
    assert.deepEqual(ev, [
      { type: 'meta', taskId: 'chat-1', conversationId: 'sess-1', messageId: 'm-1' },
      { type: 'suggestions', questions: ['A?', 'B?'] },
    ]);
    const ev2 = feed(mapper(), [{ event: 'metadata', data: { chatId: 'chat-1', chatMessageId: 'm-2', followUpPrompts: '["C?"]' } }]);
    assert.deepEqual(ev2[0], { type: 'meta', taskId: 'chat-1', conversationId: 'chat-1', messageId: 'm-2' });
    assert.deepEqual(ev2[1], { type: 'suggestions', questions: ['C?'] });
    assert.deepEqual(parseFollowUps('not json'), []);
    assert.deepEqual(parseFollowUps(['', ' x ']), ['x']);
  });

  it('usageMetadata is summed across LLM calls', () => {
    const m = mapper();
    const ev = feed(m, [
      { event: 'usageMetadata', data: { input_tokens: 10, output_tokens: 5, total_tokens: 15 } },
      { event: 'usageMetadata', data: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } },
      { event: 'end', data: '[DONE]' },
    ]);
    assert.deepEqual(ofType(ev, 'usage').at(-1)!.usage, { promptTokens: 11, completionTokens: 7, totalTokens: 18 });
    assert.equal(ofType(ev, 'finished')[0].totalTokens, 18);
  });

  it('tool errors mark the node failed; repeated agent steps are not duplicated', () => {
    const m = mapper();
    const tools = feed(m, [{ event: 'usedTools', data: [{ tool: 'search', toolInput: { q: 'x' }, toolOutput: '', error: 'timeout' }] }]);
    assert.equal(ofType(tools, 'node')[0].node.status, 'failed');
    assert.equal(ofType(tools, 'node')[0].node.error, 'timeout');
    const step = { agentName: 'Planner', messages: ['plan'], next: 'Worker', instructions: 'i', usedTools: [], sourceDocuments: [], state: {}, nodeName: 'n' };
    const first = feed(m, [{ event: 'agentReasoning', data: [step] }]);
    const again = feed(m, [{ event: 'agentReasoning', data: [step, { ...step, agentName: 'Worker', messages: ['done'] }] }]);
    assert.equal(ofType(first, 'node').length, 1);
    assert.deepEqual(ofType(again, 'node').map((n) => n.node.title), ['Worker']);
  });

  it('artifacts with URLs or FILE-STORAGE names become files; annotations, tts and unknown events are ignored', () => {
    const ev = feed(mapper(), [
      { event: 'artifacts', data: [{ type: 'png', data: 'FILE-STORAGE::chart.png' }, { type: 'html', data: '<b>inline</b>' }, { type: 'png', data: 'https://x/y.png' }] },
      { event: 'fileAnnotations', data: [{ filePath: 'a', fileName: 'b' }] },
      { event: 'tts_start', data: { format: 'mp3' } },
      { event: 'tts_data', data: 'AAAA' },
      { event: 'somethingNew', data: { x: 1 } },
      { event: 'nextAgent', data: 'Worker' },
    ]);
    assert.deepEqual(ev, [
      { type: 'file', url: 'http://flowise.local:3000/api/v1/get-upload-file?chatflowId=flow-1&chatId=chat-1&fileName=chart.png', fileType: 'png' },
      { type: 'file', url: 'https://x/y.png', fileType: 'png' },
    ]);
  });

  it('error frames throw ApiError stream with a status when the text names one, key redacted', () => {
    assert.throws(() => mapper().frame({ event: 'error', data: 'Unauthorized' }), (e) => !!expectApiError(e, 'stream', 401));
    assert.throws(
      () => mapper().frame({ event: 'error', data: '401 Incorrect API key provided: sekret-key-42' }),
      (e) => {
        expectApiError(e, 'stream', 401);
        assert.ok(!(e as Error).message.includes('sekret-key-42'));
        return true;
      },
    );
    assert.equal(statusFromErrorMessage('Error: 503 Service Unavailable'), 503);
    assert.equal(statusFromErrorMessage('Error: predictionsServices.buildChatflow - 404 model not found'), 404);
    assert.equal(statusFromErrorMessage('Something broke at line 200'), undefined);
    assert.equal(statusFromErrorMessage('Ran 100 steps'), undefined);
  });

  it('frames after the end are ignored', () => {
    const m = mapper();
    feed(m, [{ event: 'end', data: '[DONE]' }]);
    assert.deepEqual(m.frame({ event: 'token', data: 'late' }), []);
  });

  it('blocking replies: agentflow executed data, action, json output', () => {
    const ev = mapper().blocking({
      json: { ok: true },
      chatId: 'chat-1',
      chatMessageId: 'm',
      executionId: 'exec-1',
      agentFlowExecutedData: [{ nodeId: 'toolAgentflow_1', nodeLabel: 'Search', status: 'ERROR', data: { error: 'boom' } }],
      action: JSON.stringify({ id: 'x', elements: [{ label: 'Approve' }] }),
    });
    assert.deepEqual(ev[0], { type: 'meta', taskId: 'chat-1', conversationId: 'chat-1', messageId: 'm', runId: 'exec-1' });
    const node = ofType(ev, 'node')[0].node;
    assert.deepEqual([node.kind, node.title, node.status, node.error], ['tool', 'Search', 'failed', 'boom']);
    assert.match(answerOf(ev), /"ok": true/);
    assert.equal(ofType(ev, 'finished')[0].status, 'paused');
    assert.throws(() => mapper().blocking('nope'), (e) => !!expectApiError(e, 'malformed'));
  });
});

describe('Flowise helpers', () => {
  it('parseFrame: JSON frames, [DONE], blanks, and malformed data', () => {
    assert.deepEqual(parseFrame('{"event":"token","data":"a"}'), { event: 'token', data: 'a' });
    assert.deepEqual(parseFrame('[DONE]'), { event: 'end', data: '[DONE]' });
    assert.equal(parseFrame('  '), undefined);
    assert.equal(parseFrame('{"data":"no event"}'), undefined);
    assert.throws(() => parseFrame('{"event":"tok'), (e) => !!expectApiError(e, 'malformed'));
  });

  it('parseFlowiseUrl strips /api/v1 and reads a chatflow id from a prediction URL', () => {
    assert.deepEqual(parseFlowiseUrl('http://h:3000/'), { root: 'http://h:3000', chatflowId: undefined });
    assert.deepEqual(parseFlowiseUrl('http://h:3000/api/v1'), { root: 'http://h:3000', chatflowId: undefined });
    assert.deepEqual(parseFlowiseUrl('https://h/flowise/api/v1/'), { root: 'https://h/flowise', chatflowId: undefined });
    assert.deepEqual(parseFlowiseUrl('https://h/api/v1/prediction/abc-123'), { root: 'https://h', chatflowId: 'abc-123' });
  });

  it('questionFrom and buildPredictionBody', () => {
    assert.equal(questionFrom({ inputs: { a: 'x' }, query: 'q', user: 'u' }), 'q');
    assert.equal(questionFrom({ inputs: { a: 'x', n: 2 }, user: 'u' }), 'a: x\nn: 2');
    const { body } = buildPredictionBody({ inputs: {}, query: 'hi', user: 'u', conversationId: 'conv' }, { chatId: 'conv', streaming: false });
    assert.deepEqual(body, { question: 'hi', chatId: 'conv', overrideConfig: { sessionId: 'conv' } });
  });
});
