/**
 * Host→webview traffic during a fast stream: a run of RunExecution (src/run/runner.ts) fed by an AppClient that emits
 * an answer chunk every ~1 ms (and, second case, as fast as the event loop allows), its patches going
 *   ours     — through PatchBatcher (src/panel/patchBatcher.ts), as the panel does, or
 *   baseline — straight to the webview, one message per patch (no coalescing).
 * "Posting" is what ChatPanel.post does minus the IPC: the message object is serialized (VS Code JSON-serializes
 * webview messages), so bytes are the JSON size of `{type:'entryPatch', patch}`. Reports messages, messages per
 * second (overall and the worst 1-second window) and bytes. Writes bench/results/traffic.json.
 *   npx tsx bench/traffic/run.ts [--seconds 3]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchBatcher } from '../../src/panel/patchBatcher';
import type { EntryPatch, EntryView } from '../../src/protocol';
import { ApiError } from '../../src/net/apiError';
import { RunExecution } from '../../src/run/runner';
import type { AppClient, RunEvent } from '../../src/providers/types';

const root = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const SECONDS = args.includes('--seconds') ? Number(args[args.indexOf('--seconds') + 1]) : 3;
const PIECES = ['在流式输出中，', 'const x = 1;\n', '每一个分块', ' the answer ', '**粗体**', '```ts\n', 'yield chunk;\n', '```\n'];

/** A provider that streams answer chunks (plus a node event every 100 chunks) for `ms`, paced by `tick`. */
function fakeClient(ms: number, tick: () => Promise<void>): AppClient & { chunks: number } {
  const c = {
    provider: 'dify' as const,
    chunks: 0,
    info: async () => ({ mode: 'advanced-chat' as const, name: 'bench' }),
    parameters: async () => ({}) as never,
    stop: async () => {},
    async *run(): AsyncIterable<RunEvent> {
      yield { type: 'meta', taskId: 't1', conversationId: 'c1', messageId: 'm1' };
      const end = performance.now() + ms;
      let i = 0;
      while (performance.now() < end) {
        await tick();
        yield { type: 'answer', text: PIECES[i++ % PIECES.length] };
        c.chunks++;
        if (i % 100 === 0) yield { type: 'node', node: { id: `n${i}`, kind: 'llm', title: 'LLM', status: i % 200 ? 'running' : 'succeeded' } };
      }
      yield { type: 'usage', usage: { totalTokens: i } };
      yield { type: 'finished', status: 'succeeded' };
    },
  };
  return c as unknown as AppClient & { chunks: number };
}

const entry = (): EntryView => ({
  id: 'e1', app: 'bench', question: 'q', answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'running', startedAt: Date.now(), canReplaceSelection: false,
});

interface Traffic {
  chunks: number;
  messages: number;
  bytes: number;
  seconds: number;
  perSecond: number;
  worstWindowPerSecond: number;
  answerIntact: boolean;
}

async function one(batched: boolean, ms: number, tick: () => Promise<void>): Promise<Traffic> {
  const stamps: number[] = [];
  let bytes = 0;
  let answer = '';
  const post = (patch: EntryPatch): void => {
    stamps.push(performance.now());
    bytes += Buffer.byteLength(JSON.stringify({ type: 'entryPatch', patch }));
    if (patch.answer !== undefined) answer = patch.answer;
    if (patch.answerAppend) answer += patch.answerAppend;
  };
  const batcher = new PatchBatcher(post);
  const client = fakeClient(ms, tick);
  const run = new RunExecution(client, 'advanced-chat', { user: 'u', query: 'q', inputs: {} }, entry(), {
    onPatch: batched ? (p) => batcher.push(p) : post,
    describeError: (e: ApiError) => ({ message: e.message, actions: [] }) as never,
  });
  const t0 = performance.now();
  await run.start();
  batcher.flush();
  const seconds = (performance.now() - t0) / 1000;
  // the busiest 1-second window
  let worst = 0;
  for (let i = 0, j = 0; i < stamps.length; i++) {
    while (stamps[i] - stamps[j] >= 1000) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return {
    chunks: client.chunks,
    messages: stamps.length,
    bytes,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(stamps.length / seconds),
    worstWindowPerSecond: seconds >= 1 ? worst : Math.round(stamps.length / seconds),
    answerIntact: answer === run.entry.answer,
  };
}

void (async () => {
  const ms = SECONDS * 1000;
  const every1ms = (): Promise<void> => new Promise((r) => setTimeout(r, 1));
  const asFastAsPossible = (): Promise<void> => new Promise((r) => setImmediate(r));
  const out = {
    'chunk every ~1 ms': { ours: await one(true, ms, every1ms), baseline: await one(false, ms, every1ms) },
    'chunks back to back': { ours: await one(true, ms, asFastAsPossible), baseline: await one(false, ms, asFastAsPossible) },
  };
  for (const [k, v] of Object.entries(out)) {
    console.log(`[traffic] ${k}: ours ${v.ours.messages} msgs (${v.ours.perSecond}/s, worst 1 s window ${v.ours.worstWindowPerSecond}), ${Math.round(v.ours.bytes / 1024)} KB; baseline ${v.baseline.messages} msgs (${v.baseline.perSecond}/s), ${Math.round(v.baseline.bytes / 1024)} KB; chunks ${v.ours.chunks}/${v.baseline.chunks}`);
    if (!v.ours.answerIntact || !v.baseline.answerIntact) throw new Error(`${k}: the webview-side answer differs from the host's`);
  }
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'traffic.json'), JSON.stringify(out, null, 2));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
