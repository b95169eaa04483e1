// Agentflow v2 human input against the Flowise test server: the flow stops at its Human Input node (STOPPED and an
// `action`), which becomes a form (proceed / reject, with feedback when the node takes it); answering runs the
// prediction again with the same chatId and `humanInput`, streamed like any run.
import * as assert from 'node:assert/strict';
import type { HumanInputForm, RunEvent } from '../../../src/providers/types';
import { HUMAN_INPUT_NODE, HUMAN_INPUT_QUESTION, startFlowiseServer, type FlowiseTestFlow, type FlowiseTestServer } from '../../support/flowise/server';
import { answerOf, clientFor, collect, expectApiError, lastOf, ofType } from './helpers';

const PLAN = 'Rotate the staging keys. 轮换密钥。';
const flows: FlowiseTestFlow[] = [
  { id: 'approve', name: 'Approve', streaming: true, agentflow: true, answer: PLAN, humanInput: { feedback: true } },
  { id: 'approve-plain', name: 'Approve (no feedback)', streaming: true, agentflow: true, answer: PLAN, humanInput: { feedback: false } },
  { id: 'approve-blocking', name: 'Approve (blocking)', streaming: false, agentflow: true, answer: PLAN, humanInput: { feedback: true } },
];
const never = () => new AbortController().signal;
const finished = (events: RunEvent[]) => {
  const last = lastOf(events);
  assert.equal(last?.type, 'finished');
  return last as Extract<RunEvent, { type: 'finished' }>;
};

describe('Flowise: Agentflow v2 human input', function () {
  this.timeout(20_000);
  let server: FlowiseTestServer;
  before(async () => {
    server = await startFlowiseServer({ flows });
  });
  after(() => server.close());

  const pause = async (flow: string) => {
    const c = clientFor(server, flow);
    const r = await collect(c.run('flowise', { inputs: {}, query: '轮换密钥吗？', user: 'u' }, never()));
    assert.equal(r.error, undefined, String(r.error));
    const chatId = (r.events[0] as Extract<RunEvent, { type: 'meta' }>).taskId!;
    return { c, r, chatId, form: ofType(r.events, 'form')[0]?.form as HumanInputForm };
  };

  it('the stopped flow is a paused run (not a stopped one): its question as text, a form of two actions and feedback', async () => {
    const { r, chatId, form } = await pause('approve');
    assert.equal(answerOf(r.events), PLAN + HUMAN_INPUT_QUESTION);
    assert.equal(finished(r.events).status, 'paused');
    assert.deepEqual(form, {
      nodeId: HUMAN_INPUT_NODE.nodeId, title: HUMAN_INPUT_NODE.nodeLabel, token: chatId, content: '',
      fields: [{ kind: 'paragraph', name: 'feedback' }],
      actions: [{ id: 'proceed', title: 'Proceed', style: 'primary' }, { id: 'reject', title: 'Reject', style: 'default' }],
    });
    assert.ok(ofType(r.events, 'node').some((n) => n.node.nodeId === HUMAN_INPUT_NODE.nodeId && n.node.status === 'paused'));
    assert.equal(ofType(r.events, 'form').length, 1, 'the action in the metadata is the same one');
  });

  it('a node without feedback: no field', async () => {
    const { form } = await pause('approve-plain');
    assert.deepEqual(form.fields, []);
  });

  it('proceed: the prediction again with the same chatId, humanInput {proceed, the node, the feedback} and the feedback as question', async () => {
    const { c, chatId, form } = await pause('approve');
    const it = await c.answerForm('flowise', { conversationId: chatId }, form, { action: 'proceed', values: { feedback: '  go ahead 好的 ' } }, 'u', never());
    const r = await collect(it);
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(answerOf(r.events), 'Done: the keys are rotated. ✅ Noted: go ahead 好的');
    assert.equal(finished(r.events).status, 'succeeded');
    const body = server.requests.filter((x) => x.path === '/api/v1/prediction/approve').at(-1)!.json;
    assert.equal(body.chatId, chatId);
    assert.deepEqual(body.humanInput, { type: 'proceed', startNodeId: HUMAN_INPUT_NODE.nodeId, feedback: 'go ahead 好的' });
    assert.equal(body.question, 'go ahead 好的');
    assert.equal(body.streaming, true);
  });

  it('reject without feedback: the question is "Reject"', async () => {
    const { c, chatId, form } = await pause('approve');
    const r = await collect(await c.answerForm('flowise', { conversationId: chatId }, form, { action: 'reject', values: { feedback: '' } }, 'u', never()));
    assert.equal(answerOf(r.events), 'Stopped: nothing was changed.');
    const body = server.requests.filter((x) => x.path === '/api/v1/prediction/approve').at(-1)!.json;
    assert.deepEqual(body.humanInput, { type: 'reject', startNodeId: HUMAN_INPUT_NODE.nodeId });
    assert.equal(body.question, 'Reject');
  });

  it('an answer nothing waits for (answered already): the run fails with the server\'s words', async () => {
    const { c, chatId, form } = await pause('approve');
    await collect(await c.answerForm('flowise', { conversationId: chatId }, form, { action: 'proceed', values: {} }, 'u', never()));
    const again = await collect(await c.answerForm('flowise', { conversationId: chatId }, form, { action: 'proceed', values: {} }, 'u', never()));
    expectApiError(again.error, 'stream');
    assert.match((again.error as Error).message, /no human input is waiting/);
  });

  it('blocking: the reply\'s action is the same form; the answer is taken the same way', async () => {
    const { c, r, chatId, form } = await pause('approve-blocking');
    assert.equal(finished(r.events).status, 'paused');
    assert.equal(form.token, chatId);
    const after = await collect(await c.answerForm('flowise', { conversationId: chatId }, form, { action: 'proceed', values: {} }, 'u', never()));
    assert.equal(answerOf(after.events), 'Done: the keys are rotated. ✅');
  });
});
