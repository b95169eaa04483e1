// The fault matrix through RunExecution (src/run/runner.ts), the layer the editor and chat panel use: each
// failure ends the entry 'failed' with exactly one error, keeps the partial answer, resolves start(), and
// leaves no connection open. Plus the overall run limit (dify.maxRunMinutes) on a run kept alive by pings.
import * as assert from 'node:assert/strict';
import { CHAT, client, execution, requestFor, settles } from './helpers';
import { checkError, FAULTS, MatrixEnv, PARTIAL_ANSWER, partialOf, scriptFor, startMatrixEnv, until } from './matrix';

describe('private deployments: fault matrix through RunExecution', function () {
  let env: MatrixEnv;
  before(async function () {
    this.timeout(30_000);
    env = await startMatrixEnv();
  });
  after(() => env?.close());

  for (const c of FAULTS) {
    it(`RunExecution: ${c.name} → failed (${c.expect.kind}), partial answer ${c.partial === 'some' ? 'kept' : 'empty'}`, async () => {
      const script = scriptFor(c);
      if (script) env.dify.script(c.key, script);
      const base = c.base?.(env) ?? env.front.origin + '/v1';
      const cl = client(base, c.key, { transport: c.transport?.(env), idleTimeoutMs: c.idleTimeoutMs ?? 2000 });
      const { exec, errors, patches } = execution(cl, c.mode, c.request ?? requestFor(c.mode, c.name));
      await settles(exec.start(), 8000, 'start()');
      assert.equal(exec.entry.status, 'failed');
      assert.ok(exec.finished);
      assert.equal(errors.length, 1, `exactly one error, got ${errors.map((e) => e.kind).join(', ')}`);
      checkError(errors[0], c);
      assert.deepEqual(exec.entry.error, { message: `failed: ${c.expect.kind}`, actions: [] });
      assert.deepEqual(patches.at(-1), { id: exec.entry.id, status: 'failed', error: exec.entry.error });
      assert.equal(patches.filter((p) => p.status).length, 1, 'one terminal patch');
      if (c.partial === 'none') {
        assert.equal(exec.entry.answer, '');
      } else {
        const expected = partialOf(c);
        assert.ok(exec.entry.answer.length > 0, 'the partial answer is kept');
        assert.ok(expected.startsWith(exec.entry.answer), `kept answer is a prefix: ${JSON.stringify(exec.entry.answer)}`);
        const streamed = patches.map((p) => p.answerAppend ?? '').join('');
        assert.equal(streamed, exec.entry.answer, 'the patches carried the same partial answer');
      }
      // Stop after the end is a no-op that settles; nothing hangs.
      await settles(exec.stop() ?? Promise.resolve(), 2000, 'stop() after failure');
      await settles(cl.close(), 5000, 'client.close()');
      await until(() => (c.open ?? ((e: MatrixEnv) => e.front.open()))(env) === 0, 'every connection is closed');
    });
  }

  it('RunExecution: the run limit stops a run kept alive by pings → failed (idle-timeout run_limit), partial kept, task stopped on the server', async () => {
    env.dify.script(CHAT.key, { answer: PARTIAL_ANSWER, stallAfterChunks: 2, pingEveryMs: 50 });
    const cl = client(env.front.origin + '/v1', CHAT.key, { idleTimeoutMs: 2000 });
    const { exec, errors } = execution(cl, 'chat', requestFor('chat', 'limit'), { maxRunMs: 300 });
    await settles(exec.start(), 8000, 'start()');
    assert.equal(exec.entry.status, 'failed');
    assert.equal(errors.length, 1);
    assert.equal(errors[0].kind, 'idle-timeout');
    assert.equal(errors[0].code, 'run_limit');
    assert.ok(exec.entry.answer.length > 0 && PARTIAL_ANSWER.startsWith(exec.entry.answer) && exec.entry.answer !== PARTIAL_ANSWER);
    const stop = await env.dify.waitForRequest((r) => r.path === `/v1/chat-messages/${exec.taskId}/stop`);
    assert.deepEqual(stop.body, { user: requestFor('chat', '').user });
    assert.deepEqual(env.dify.stops.at(-1), { taskId: exec.taskId, found: true, clientConnected: true }, 'stopped while still streaming');
    assert.equal(env.dify.taskEnds.get(exec.taskId!), 'stopped');
    await settles(cl.close(), 5000, 'client.close()');
    await until(() => env.front.open() === 0, 'every connection is closed');
  });

  it('RunExecution: Stop asks the server first, and its own terminal events end the stream → stopped, partial kept', async () => {
    env.dify.script(CHAT.key, { answer: PARTIAL_ANSWER, chunkDelayMs: 100 });
    const cl = client(env.front.origin + '/v1', CHAT.key);
    const { exec, errors, patches } = execution(cl, 'chat', requestFor('chat', 'stop'), {});
    const started = exec.start();
    await until(() => exec.entry.answer.length > 0, 'the first text');
    await settles(exec.stop(), 8000, 'stop()');
    await settles(started, 2000, 'start()');
    assert.equal(exec.entry.status, 'stopped');
    assert.deepEqual(errors, []);
    assert.ok(exec.entry.answer.length > 0 && PARTIAL_ANSWER.startsWith(exec.entry.answer));
    assert.deepEqual(env.dify.stops.at(-1), { taskId: exec.taskId, found: true, clientConnected: true }, 'the stop route ran while the stream was open');
    assert.equal(env.dify.taskEnds.get(exec.taskId!), 'stopped', 'the task was stopped on the server');
    assert.equal(patches.filter((p) => p.status).at(-1)?.status, 'stopped');
    await settles(cl.close(), 5000, 'client.close()');
  });

  it('RunExecution: Stop on a server that does not apply it cuts the stream after the grace period → stopped', async () => {
    env.dify.script(CHAT.key, { answer: PARTIAL_ANSWER, chunkDelayMs: 100, ignoreStop: true });
    const cl = client(env.front.origin + '/v1', CHAT.key);
    const { exec } = execution(cl, 'chat', requestFor('chat', 'ignored stop'), { stopGraceMs: 300 });
    const started = exec.start();
    await until(() => exec.entry.answer.length > 0, 'the first text');
    await settles(exec.stop(), 8000, 'stop()');
    await settles(started, 2000, 'start()');
    assert.equal(exec.entry.status, 'stopped');
    assert.notEqual(exec.entry.answer, PARTIAL_ANSWER, 'cut before the end');
    assert.equal(env.dify.stops.at(-1)?.found, true);
    await settles(cl.close(), 5000, 'client.close()');
  });

  it('RunExecution: an idle timeout stops the task on the server too → failed (idle-timeout), task stopped', async () => {
    env.dify.script(CHAT.key, { answer: PARTIAL_ANSWER, stallAfterChunks: 2 });
    const cl = client(env.front.origin + '/v1', CHAT.key, { idleTimeoutMs: 500 });
    const { exec, errors } = execution(cl, 'chat', requestFor('chat', 'idle'));
    await settles(exec.start(), 8000, 'start()');
    assert.equal(exec.entry.status, 'failed');
    assert.equal(errors[0]?.kind, 'idle-timeout');
    assert.equal(env.dify.stops.at(-1)?.taskId, exec.taskId, 'the stop route was called for the task');
    assert.equal(env.dify.stops.at(-1)?.found, true);
    await until(() => env.dify.taskEnds.get(exec.taskId!) === 'stopped', 'the task to stop on the server');
    await settles(cl.close(), 5000, 'client.close()');
  });

  it('RunExecution: a key a server echoes in an error event (as is, URL-encoded, base64) is redacted everywhere', async () => {
    const key = CHAT.key;
    const echoed = `bad key ${key} / ${encodeURIComponent(key)} / ${Buffer.from(key).toString('base64')} / ${Buffer.from(key).toString('base64url')}`;
    env.dify.script(CHAT.key, { answer: PARTIAL_ANSWER, errorAfterChunks: 2, errorMessage: echoed });
    const cl = client(env.front.origin + '/v1', key);
    const { exec, errors, patches } = execution(cl, 'chat', requestFor('chat', 'echo'));
    await settles(exec.start(), 8000, 'start()');
    assert.equal(errors[0]?.kind, 'stream');
    assert.match(errors[0].message, /^bad key \*\*\* \/ \*\*\* \/ \*\*\* \/ \*\*\*/);
    const everything = JSON.stringify({ errors: errors.map((e) => e.message), patches, entry: exec.entry });
    for (const form of [key, encodeURIComponent(key), Buffer.from(key).toString('base64'), Buffer.from(key).toString('base64url')]) {
      assert.ok(!everything.includes(form), `${form} leaked`);
    }
    await settles(cl.close(), 5000, 'client.close()');
  });

  it('RunExecution: an answer past the bounds shows its first part, keeps the rest aside, and is stopped on the server', async () => {
    const long = 'word '.repeat(2000); // 10 000 characters
    env.dify.script(CHAT.key, { answer: long, chunkDelayMs: 5 });
    const cl = client(env.front.origin + '/v1', CHAT.key);
    const { exec, errors, patches } = execution(cl, 'chat', requestFor('chat', 'long'), { bounds: { liveAnswerChars: 1000, totalChars: 4000, thinkingChars: 100 } });
    await settles(exec.start(), 8000, 'start()');
    assert.equal(exec.entry.answer.length, 1000, 'the live answer stops at its bound');
    assert.equal(exec.entry.answerCut, true);
    assert.equal(patches.filter((p) => p.answerCut).length, 1, 'said once');
    assert.ok(exec.state.fullAnswer.length > 4000 && long.startsWith(exec.state.fullAnswer), 'the rest is kept for Open in Editor');
    assert.equal(exec.entry.status, 'failed');
    assert.equal(errors[0]?.code, 'answer_limit');
    assert.equal(env.dify.taskEnds.get(exec.taskId!), 'stopped', 'the task was stopped on the server');
    await settles(cl.close(), 5000, 'client.close()');
  });
});
