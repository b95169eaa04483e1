// 50 concurrent runs through the extension's own Runs in the real extension host: each entry keeps
// its own answer and conversation, the panel's history holds each once, and each Stop names its own task.
import * as assert from 'node:assert/strict';
import { until, withApps } from './support';

describe('50 concurrent runs in the real extension host', function () {
  this.timeout(90_000);
  const fx = withApps();

  it('no cross-talk between entries, history or stop calls', async () => {
    const N = 50;
    fx.server.script('app-demo-chat', Array.from({ length: N }, (_, i) => ({ answer: `Answer ${i}: ${'回答 '.repeat(20)}`, chunkDelayMs: 15 })));
    const start = (await fx.api.prepare('Helper Chat', 'x'))!;
    const launched = await Promise.all(
      Array.from({ length: N }, (_, i) => fx.api.runs.launch({ ...start, query: `question ${i}`, question: `question ${i}`, continueConversation: false }, { showPanel: false })),
    );
    // Stop every fifth run once it has streamed something.
    const stopped = launched.filter((_, i) => i % 5 === 0);
    await Promise.all(stopped.map(async (l) => {
      await until(() => l.entry.answer.length > 0 && l.run.taskId, 'first text', 30_000);
      await l.run.stop();
    }));
    const entries = await Promise.all(launched.map((l) => l.done));

    const stops = fx.server.requests.filter((r) => /\/chat-messages\/[^/]+\/stop$/.test(r.path));
    assert.deepEqual(stops.map((r) => r.path.split('/')[3]).sort(), stopped.map((l) => l.run.taskId!).sort(), 'each stop call names its own task');
    for (const r of stops) assert.equal((r.body as { user: string }).user, fx.api.userId);

    const client = await fx.api.catalog.client(fx.api.catalog.find('Helper Chat')!);
    const conversations = new Set<string>();
    for (const [i, e] of entries.entries()) {
      assert.equal(e.question, `question ${i}`);
      assert.ok(e.conversationId, `run ${i} has no conversation`);
      assert.ok(!conversations.has(e.conversationId!), `run ${i} shares a conversation`);
      conversations.add(e.conversationId!);
      // The server's record of that conversation pairs this question with the answer this entry shows.
      const [m] = await client.messages!(e.conversationId!, fx.api.userId);
      assert.equal(m.query, `question ${i}`);
      if (e.status === 'succeeded') assert.equal(e.answer, m.answer, `run ${i} shows another run's answer`);
      else {
        assert.equal(e.status, 'stopped');
        assert.ok(m.answer.startsWith(e.answer.slice(0, 10)), `stopped run ${i} kept text from another run`);
      }
    }
    assert.equal(entries.filter((e) => e.status === 'stopped').length, stopped.length);
    const ids = launched.map((l) => l.entry.id);
    assert.equal(fx.api.history.entries.filter((h) => ids.includes(h.id)).length, N, 'each run is in the history once');
    assert.equal(fx.api.runs.running, false);
  });
});
