import * as assert from 'node:assert/strict';
import type { EntryView } from '../../../src/protocol';
import { History, type KeyValueStore } from '../../../src/run/history';

class MapStore implements KeyValueStore {
  readonly map = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return structuredClone(this.map.get(key)) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.map.set(key, structuredClone(value));
  }
}

const entry = (id: string, extra: Partial<EntryView> = {}): EntryView => ({ id, app: 'a', question: id, answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'succeeded', startedAt: 0, canReplaceSelection: false, ...extra });

describe('History', () => {
  it('persists entries (partial answers too) and conversations, and reloads them', async () => {
    const store = new MapStore();
    const h = new History(store);
    h.add(entry('1', { answer: 'partial', status: 'running' }));
    h.setConversation('a', 'conv-1');
    await h.save();
    const again = new History(store);
    assert.equal(again.entries[0].answer, 'partial');
    assert.equal(again.entries[0].status, 'stopped', 'a run cut by a reload is shown as stopped');
    assert.equal(again.conversationOf('a'), 'conv-1');
  });

  it('is bounded in count and answer size', async () => {
    const store = new MapStore();
    const h = new History(store, { maxEntries: 3, maxAnswerChars: 5 });
    for (let i = 0; i < 5; i++) h.add(entry(String(i), { answer: '0123456789' }));
    await h.save();
    const again = new History(store);
    assert.deepEqual(again.entries.map((e) => e.id), ['2', '3', '4']);
    assert.equal(again.entries[0].answer, '01234');
    assert.equal(h.entries[0].answer, '0123456789', 'the live entries stay complete');
  });
});
