import * as assert from 'node:assert/strict';
import { ThinkSplitter } from '../../../src/run/thinkSplitter';

/** Feeds `text` in chunks of the given sizes and returns what the splitter separated. */
function split(text: string, sizes: number[] | number): { answer: string; thinking: string } {
  const s = new ThinkSplitter();
  let answer = '';
  let thinking = '';
  let i = 0;
  let k = 0;
  const apply = (d: { answer: string; thinking: string; movedToThinking?: string }) => {
    if (d.movedToThinking !== undefined) {
      thinking += d.movedToThinking;
      answer = '';
    }
    thinking += d.thinking;
    answer += d.answer;
  };
  while (i < text.length) {
    const n = Array.isArray(sizes) ? sizes[k++ % sizes.length] : sizes;
    apply(s.push(text.slice(i, i + n)));
    i += n;
  }
  apply(s.end());
  return { answer, thinking };
}

describe('ThinkSplitter', () => {
  const qwen = '<think>\nThe user wants a sort. 先想一想。\n</think>\n\nHere is **the answer**: `sort()`.';

  it('separates a qwen3-style think block from the answer', () => {
    // The blank lines between the think block and the answer belong to neither.
    assert.deepEqual(split(qwen, 1000), { thinking: '\nThe user wants a sort. 先想一想。\n', answer: 'Here is **the answer**: `sort()`.' });
  });

  it('gives the same result for every chunking, tags split anywhere', () => {
    const whole = split(qwen, 1000);
    for (const size of [1, 2, 3, 5, 7]) assert.deepEqual(split(qwen, size), whole, `chunk size ${size}`);
    assert.deepEqual(split(qwen, [1, 4, 2, 9, 3]), whole);
  });

  it('treats a lone closing tag as the end of reasoning (templates that drop the opening tag)', () => {
    assert.deepEqual(split('reasoning here</think>The answer.', 4), { thinking: 'reasoning here', answer: 'The answer.' });
  });

  it('leaves text without tags alone, including "<" that is not a tag', () => {
    const text = 'a < b and <div> are fine; x<t y';
    assert.deepEqual(split(text, 3), { thinking: '', answer: text });
  });

  it('flushes a held-back partial tag when the stream ends', () => {
    assert.deepEqual(split('answer ends with <thi', 5), { thinking: '', answer: 'answer ends with <thi' });
  });

  it('handles an empty think block (thinking disabled)', () => {
    assert.deepEqual(split('<think>\n\n</think>\n\nHi', 2), { thinking: '\n\n', answer: 'Hi' });
  });
});
