// A full panel history as the host keeps it (src/run/history.ts: the last 200 runs, answers up to 200 000
// characters): a realistic mix of short chat answers, code, thinking, workflow traces and a few 200 KB answers,
// some in 中文 and with emoji. Deterministic (seeded), so runs compare.
import type { EntryView } from '../../src/protocol';
import { makeAnswer } from '../render/corpus';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

const SHORT = [
  'Sure — `Array.prototype.flatMap` maps each element and flattens the result one level. 👍',
  '可以的。把 `tsconfig.json` 里的 `strict` 设为 `true`，然后逐个修复类型错误即可。',
  'The error means the promise was rejected and nothing awaited it. Add a `.catch()` or `await` it inside `try`.',
  '这个函数的时间复杂度是 **O(n log n)**，主要开销在排序上。🚀',
  'Use `git rebase -i HEAD~3` and mark the commits you want to squash with `s`.',
];

const CODE = (i: number) => `Here is a version that handles empty input (第 ${i} 版):

\`\`\`ts
export function average(xs: number[]): number {
  if (xs.length === 0) return 0; // 空数组
  let total = 0;
  for (const x of xs) total += x;
  return total / xs.length;
}
\`\`\`

And a test:

\`\`\`ts
import { strict as assert } from 'node:assert';
assert.equal(average([]), 0);
assert.equal(average([1, 2, 3]), 2);
\`\`\`

- It avoids \`reduce\` for readability.
- 对于超大数组，可以考虑 Kahan 求和以减少误差。
`;

const LONG_AT = new Set([40, 90, 150, 198]);

/**
 * `count` entries, oldest first; the last one's answer contains `marker` (what the bench waits to see).
 * With `count` = 200, four answers are 200 KB, one of them just before the latest.
 */
export function makeHistory(count: number, marker: string, seed = 7): EntryView[] {
  const r = rng(seed);
  const out: EntryView[] = [];
  for (let i = 0; i < count; i++) {
    const kind = count >= 100 && LONG_AT.has(i) ? 'long' : i === count - 1 ? 'code' : (['short', 'short', 'short', 'code', 'thinking', 'trace'] as const)[Math.floor(r() * 6)];
    const e: EntryView = {
      id: `h${i}`, app: kind === 'trace' ? 'Docs Workflow' : 'Helper Chat', mode: kind === 'trace' ? 'workflow' : 'chat',
      question: kind === 'long' ? `把这份设计文档完整写出来 #${i}` : `Question ${i}: 请解释一下这段代码 🤔`,
      conversationId: 'c1', messageId: `m${i}`, rateable: 'revocable', answer: '', thinking: '', thinkingDone: true, nodes: [],
      status: 'succeeded', startedAt: 1_700_000_000_000 + i * 60_000, canReplaceSelection: false,
      usage: { totalTokens: 100 + i, latencySeconds: 1.2 },
    };
    if (kind === 'short') e.answer = SHORT[i % SHORT.length];
    if (kind === 'code') e.answer = CODE(i);
    if (kind === 'thinking') {
      e.thinking = `用户想知道缓存为什么失效。先看 key 的构成，再看过期时间……\n\nThe key includes the timestamp, so every call misses. ${'检查一下。'.repeat(30)}`;
      e.answer = makeAnswer(1500, seed + i);
    }
    if (kind === 'trace') {
      e.nodes = ['start', 'knowledge-retrieval', 'llm', 'code', 'llm', 'end'].map((k, n) => ({
        id: `h${i}n${n}`, nodeId: `node${n}`, kind: k, title: `${k} ${n} 节点`, status: 'succeeded' as const, elapsedSeconds: 0.4 + n / 10, totalTokens: k === 'llm' ? 512 : undefined,
      }));
      e.outputs = { summary: '总结：一切正常 ✅', score: 0.93 };
      e.answer = makeAnswer(800, seed + i);
    }
    if (kind === 'long') e.answer = makeAnswer(200_000, seed + i).slice(0, 200_000);
    if (i === count - 1) e.answer = `${marker} ${e.answer}`;
    out.push(e);
  }
  return out;
}
