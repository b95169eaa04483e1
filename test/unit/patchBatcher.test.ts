// The host's patch batching while the host is too busy for its timer: a stream read faster than it is parsed.
import assert from 'node:assert/strict';
import { PatchBatcher } from '../../src/panel/patchBatcher';
import type { EntryPatch } from '../../src/protocol';

describe('PatchBatcher under a busy host', () => {
  it('a batch that is due goes out while the host never gets to its timer, still at most one per interval', () => {
    const sent: [number, EntryPatch][] = [];
    const b = new PatchBatcher((p) => sent.push([performance.now(), p]), 20);
    // 120 ms of patches without yielding to the event loop (no timer can fire).
    const end = performance.now() + 120;
    let text = '';
    for (let i = 0; performance.now() < end; i++) {
      b.push({ id: 'e1', answerAppend: String(i % 10) });
      text += String(i % 10);
    }
    b.push({ id: 'e1', status: 'succeeded' });
    assert.ok(sent.length >= 4, `${sent.length} messages in 120 ms`);
    for (let i = 1; i < sent.length - 1; i++) assert.ok(sent[i][0] - sent[i - 1][0] >= 19, 'at most one message per interval');
    assert.equal(sent.map(([, p]) => p.answerAppend ?? '').join(''), text, 'the text arrives whole and in order');
    assert.equal(sent.at(-1)![1].status, 'succeeded');
    b.dispose();
  });
});
