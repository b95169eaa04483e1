// Diagnostic (not part of `npm run bench`): an A/B comparison of two versions of the renderer on this shared,
// noisy machine. Each round runs, for both versions in alternating order, a one-shot floor and the streaming
// phase (run.ts's phases), each in a fresh page; a version's figure is the median over the rounds of its
// stream / floor ratios, and the rounds where B beat A are counted (a sign test: with 20 rounds, 15 or more
// either way is unlikely to be noise, p < 0.05).
//   git worktree add /tmp/base <commit> && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   npx tsx bench/render/ab.ts /tmp/base [size=50000] [rate=2000000] [rounds=20]
// A is the checkout at the given path, B this one. Remove the worktree afterwards (git worktree remove).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startHarness } from '../../test/webview/harness';
import type { Harness } from '../../test/webview/harness';
import { makeAnswer } from './corpus';
import { floor, hostPatches, ours } from './phases';
import { measure } from './trace';
import type { Phase } from './trace';

const [basePath, sizeArg, rateArg, roundsArg] = process.argv.slice(2);
if (!basePath) throw new Error('usage: ab.ts <path of version A> [size] [rate] [rounds]');
const size = Number(sizeArg ?? 50_000);
const rate = Number(rateArg ?? 2_000_000);
const rounds = Number(roundsArg ?? 20);

interface Sample {
  wall: number;
  cpu: number;
  longestCpu: number;
}

async function sample(h: Harness, text: string, windows: string[]): Promise<Sample> {
  const run = async (fn: (page: Page) => Promise<Omit<Phase, 'cdpTaskMs'>>): Promise<Phase> => {
    const tp = await h.open({ bundle: 'bench' });
    const cdp = await tp.page.context().newCDPSession(tp.page);
    await tp.page.evaluate(() => window.__difyBench.warmUp());
    const r = await measure(cdp, () => fn(tp.page));
    await tp.close();
    return r;
  };
  const f = await run((page) => floor(page, text));
  const o = await run((page) => ours(page, windows));
  return { wall: o.workMs / f.workMs, cpu: (o.cpuSumMs ?? NaN) / (f.cpuSumMs ?? NaN), longestCpu: o.cpuLongestStreamMs ?? NaN };
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const other = (await import(join(basePath, 'test/webview/harness.ts'))) as { startHarness: typeof startHarness };
  const harnesses = { A: await other.startHarness(), B: await startHarness() };
  const text = makeAnswer(size);
  const windows = hostPatches(text, rate);
  const samples: Record<'A' | 'B', Sample[]> = { A: [], B: [] };
  try {
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 ? (['B', 'A'] as const) : (['A', 'B'] as const)) samples[v].push(await sample(harnesses[v], text, windows));
      const a = samples.A[r];
      const b = samples.B[r];
      process.stderr.write(`round ${r + 1}: A ${a.wall.toFixed(2)}× (CPU ${a.cpu.toFixed(2)}×, longest ${a.longestCpu.toFixed(1)} ms)  B ${b.wall.toFixed(2)}× (CPU ${b.cpu.toFixed(2)}×, longest ${b.longestCpu.toFixed(1)} ms)\n`);
    }
  } finally {
    await harnesses.A.close();
    await harnesses.B.close();
  }
  for (const key of ['wall', 'cpu', 'longestCpu'] as const) {
    const a = samples.A.map((s) => s[key]);
    const b = samples.B.map((s) => s[key]);
    const wins = b.filter((x, i) => x < a[i]).length;
    console.log(`${key.padEnd(10)} A median ${median(a).toFixed(3)}  B median ${median(b).toFixed(3)}  B lower in ${wins}/${rounds} rounds`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
