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
    await settles(cl.close(), 5000, 'client.close()');
    await until(() => env.front.open() === 0, 'every connection is closed');
  });
});
