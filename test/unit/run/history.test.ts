import * as assert from 'node:assert/strict';
import type { EntryView } from '../../../src/protocol';
import { History, type HistoryStore } from '../../../src/run/history';

/** Keeps the document in memory as a file would (a copy); each write can be held until released. */
class MemoryStore implements HistoryStore {
  document: unknown;
  writes = 0;
  inFlight = 0;
  maxInFlight = 0;
  hold = false;
  fail?: Error;
  private releases: (() => void)[] = [];
  async read(): Promise<unknown> {
    return structuredClone(this.document);
  }
  async write(document: unknown): Promise<void> {
    this.writes++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    const copy = structuredClone(document);
    try {
      if (this.hold) await new Promise<void>((r) => this.releases.push(r));
      if (this.fail) throw this.fail;
      this.document = copy;
    } finally {
      this.inFlight--;
    }
  }
  release(): void {
    this.releases.splice(0).forEach((r) => r());
  }
}

const entry = (id: string, extra: Partial<EntryView> = {}): EntryView => ({ id, app: 'a', question: id, answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'succeeded', startedAt: 0, canReplaceSelection: false, ...extra });
const tick = () => new Promise((r) => setImmediate(r));

describe('History', () => {
  it('persists entries (partial answers too) and conversations, and reloads them', async () => {
    const store = new MemoryStore();
    const h = await History.load(store);
    h.add(entry('1', { answer: 'partial', status: 'running' }));
    h.setConversation('a', 'conv-1');
    await h.save();
    const again = await History.load(store);
    assert.equal(again.entries[0].answer, 'partial');
    assert.equal(again.entries[0].status, 'stopped', 'a run cut by a reload is shown as stopped');
    assert.deepEqual([...again.interrupted], ['1'], '…and named, so its run can be followed again');
    assert.equal(again.conversationOf('a'), 'conv-1');
  });

  it('keeps a paused run\'s forms (waiting and answered) across a reload', async () => {
    const store = new MemoryStore();
    const h = await History.load(store);
    const form = { nodeId: 'review', title: '审批', token: 'tok', content: 'ok? {{#$output.note#}}', fields: [{ kind: 'paragraph' as const, name: 'note', default: '好' }], actions: [{ id: 'yes', title: 'Yes ✅', style: 'primary' as const }], expiresAt: 2e12 };
    h.add(entry('p', { status: 'paused', runId: 'run-1', forms: [{ ...form, state: 'waiting' }, { ...form, nodeId: 'first', state: 'answered', answer: { actionId: 'yes', actionText: 'Yes ✅', content: 'ok? 好' } }] }));
    await h.save();
    const again = await History.load(store);
    assert.equal(again.entries[0].status, 'paused');
    assert.equal(again.interrupted.size, 0, 'a paused run was not cut by the reload');
    assert.deepEqual(again.entries[0].forms, h.entries[0].forms);
  });

  it('is bounded in count and answer size', async () => {
    const store = new MemoryStore();
    const h = await History.load(store, { limits: { maxEntries: 3, maxAnswerChars: 5 } });
    for (let i = 0; i < 5; i++) h.add(entry(String(i), { answer: '0123456789' }));
    await h.save();
    const again = await History.load(store);
    assert.deepEqual(again.entries.map((e) => e.id), ['2', '3', '4']);
    assert.equal(again.entries[0].answer, '01234');
    assert.equal(h.entries[0].answer, '0123456789', 'the live entries stay complete');
  });

  it('never overlaps writes: saves during a write share one more write, of the history as it is then', async () => {
    const store = new MemoryStore();
    const h = await History.load(store);
    store.hold = true;
    h.add(entry('1'));
    const first = h.save();
    await tick();
    h.add(entry('2'));
    const second = h.save();
    h.add(entry('3'));
    const third = h.save();
    assert.equal(second, third, 'saves queued behind a write share the next one');
    await tick();
    assert.equal(store.writes, 1, 'the next write waits for the one in flight');
    store.release();
    await first;
    await tick();
    store.release();
    await third;
    assert.equal(store.writes, 2);
    assert.equal(store.maxInFlight, 1);
    assert.deepEqual((await History.load(store)).entries.map((e) => e.id), ['1', '2', '3']);
  });

  it('a failed write is reported and the next save writes again; an unreadable store starts empty, reported', async () => {
    const store = new MemoryStore();
    const errors: string[] = [];
    const h = await History.load(store, { onError: (e, doing) => errors.push(`${doing}: ${e.message}`) });
    h.add(entry('1'));
    store.fail = new Error('disk full');
    await h.save();
    assert.deepEqual(errors, ['save: disk full']);
    assert.equal(store.document, undefined);
    store.fail = undefined;
    await h.save();
    assert.deepEqual((await History.load(store)).entries.map((e) => e.id), ['1']);

    const broken: HistoryStore = { read: () => Promise.reject(new Error('not JSON')), write: async () => undefined };
    const empty = await History.load(broken, { onError: (e, doing) => errors.push(`${doing}: ${e.message}`) });
    assert.equal(empty.entries.length, 0);
    assert.equal(errors.at(-1), 'read: not JSON');
  });

  it('reads documents of another shape as empty', async () => {
    for (const document of [undefined, null, 'text', { version: 2, entries: [] }, { version: 1, entries: 'x' }]) {
      const store = new MemoryStore();
      store.document = document;
      assert.equal((await History.load(store)).entries.length, 0, JSON.stringify(document));
    }
  });
});
