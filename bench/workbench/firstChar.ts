/**
 * First character on screen, in the real VS Code: from the Dify test server writing a run's first answer chunk to
 * its socket to that character being in the panel's DOM — SSE parsing, the run's patches, their batching, VS Code's
 * message channel to the webview, the panel's scheduler and renderer.
 *
 * Baseline, in the same window and the same extension host: a bare webview (bench/workbench/bare-webview) whose
 * extension reads the same server's stream with fetch and posts each raw chunk to its webview the moment it
 * arrives, where it is appended as text. Both are timed the same way: the server records
 * `performance.timeOrigin + performance.now()` when it writes the first chunk (test/support/dify/server.ts,
 * `firstChunkWrites`), a MutationObserver installed in the webview's frame reads the same clock when the
 * character is in the DOM, and the offset between the two processes' clocks is measured and taken off. Runs
 * alternate between the two (which one goes first alternates too), after warm-up runs of each.
 *
 * Two cases, alternating too: the server writes the first chunk 200 ms after the request (a model's time to first
 * token: the new entry is drawn by then, as with every real server), and at once (the test server's 1–3 ms: the
 * first chunk lands while the panel is still drawing the new entry).
 *
 *   npx tsx bench/workbench/firstChar.ts [runs=30]      → bench/results/first-char.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { demoApps } from '../../test/support/dify/apps';
import { startDifyServer } from '../../test/support/dify/server';
import { setKeyThroughUi } from '../../test/e2e/dify';
import { runCommand } from '../../test/e2e/workbench';
import { cleanupAll, repoRoot } from '../../test/host/harness';
import { allowNamedFunctions, clockOffset, openBenchWorkbench, say, summarize, waitForWebview } from './workbench';

const APP = 'Helper Chat';
const KEY = 'app-demo-chat';
const DIFY = 'dify-vscode.dify-vscode';
const BARE = 'dify-bench.bare-webview';
const WARM_UP = 3;

/** What every run streams after its marker: a short markdown answer (~1 KB), as a chat model writes one. */
const ANSWER = `here is a short answer.

## 要点 🔍

1. Rename \`tmp\` to something meaningful, e.g. \`total\`.
2. 输入为空数组时直接返回 \`0\`。

\`\`\`ts
export function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0); // 加法
}
\`\`\`

> Tip: run \`npm test\` before pushing. The change looks good overall; 代码结构清晰，建议补充单元测试。
`;

interface Side {
  name: 'ours' | 'baseline';
  frame: () => Promise<Frame>;
  /** Where the answer's text shows in that webview. */
  selector: string;
  start(frame: Frame, query: string): Promise<void>;
  done(frame: Frame): Promise<boolean>;
}

/** The server's time to first token in each case, ms. */
const CASES = [
  { name: 'ttft200', firstChunkAfterMs: 200 },
  { name: 'ttft0', firstChunkAfterMs: 0 },
] as const;

/**
 * Installed in a webview's frame before a run: notes when `marker` is first in the text of `selector` (`benchFirst`),
 * and when the frame that paints it has been painted (`benchPainted`: the first task after that frame). Text
 * written inside a frame's animation-frame callbacks (the panel renders there) is painted by that frame; text
 * written by a task between frames (the baseline appends in its message handler) by the next one. Which of the
 * two it is, a probe tells: an animation-frame loop of its own marks the start of each frame's callbacks, and a
 * ResizeObserver on an element the loop resizes marks their end (resize observations follow the callbacks, style
 * and layout, before paint).
 */
function observe({ marker, selector }: { marker: string; selector: string }): void {
  const w = window as unknown as { benchFirst?: number; benchPainted?: number; benchInFrame?: boolean; benchProbe?: boolean };
  const now = () => performance.timeOrigin + performance.now();
  w.benchFirst = undefined;
  w.benchPainted = undefined;
  if (!w.benchProbe) {
    w.benchProbe = true;
    const probe = document.createElement('div');
    probe.style.cssText = 'position: fixed; left: 0; top: 0; height: 1px; width: 1px; visibility: hidden; pointer-events: none';
    document.body.append(probe);
    let wide = false;
    new ResizeObserver(() => (w.benchInFrame = false)).observe(probe);
    const loop = () => {
      w.benchInFrame = true;
      wide = !wide;
      probe.style.width = wide ? '2px' : '1px';
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }
  const painted = () => setTimeout(() => (w.benchPainted = now()), 0);
  const mo = new MutationObserver(() => {
    const t = now();
    if (document.querySelector(selector)?.textContent?.includes(marker)) {
      w.benchFirst = t;
      mo.disconnect();
      if (w.benchInFrame) painted();
      else requestAnimationFrame(painted);
    }
  });
  mo.observe(document.body, { childList: true, subtree: true, characterData: true });
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 30);
  const app = demoApps().find((a) => a.key === KEY)!;
  // Frames 15–30 ms apart, as a model streams: each run's first chunk arrives on its own.
  const dify = await startDifyServer({ apps: [app], chunkDelayMs: [15, 30] });
  const wb = await openBenchWorkbench({
    settings: { 'dify.apps': [{ name: APP, baseUrl: dify.url }], 'dify.defaultApp': APP },
    extensions: [{ dir: join(repoRoot, 'bench', 'workbench', 'bare-webview'), id: `${BARE}-0.0.1` }],
    env: { DIFY_BENCH_URL: dify.url, DIFY_BENCH_KEY: KEY },
  });
  const { page } = wb;
  say('workbench open; storing the key');
  await setKeyThroughUi(page, APP, KEY, { pick: false });
  // The baseline in the first editor group, the chat beside it: both visible (a hidden webview gets no frames).
  await runCommand(page, 'Bench: Open Bare Webview');
  await waitForWebview(page, BARE, '#out');
  await runCommand(page, 'Open Dify Chat');
  await waitForWebview(page, DIFY, '.dify-panel textarea.input');
  const frameOf = (id: string, sel: string) => () => waitForWebview(page, id, sel, 10_000);
  const ours: Side = {
    name: 'ours',
    frame: frameOf(DIFY, '.dify-panel textarea.input'),
    selector: '.entries > .entry:last-child .answer',
    async start(f, query) {
      const box = f.locator('.dify-panel textarea.input');
      await box.fill(query);
      await box.press('Enter');
    },
    done: (f) => f.evaluate(() => {
      const last = document.querySelector<HTMLElement>('.entries > .entry:last-child');
      return !!last && last.dataset.status !== undefined && last.dataset.status !== 'running';
    }),
  };
  const baseline: Side = {
    name: 'baseline',
    frame: frameOf(BARE, '#out'),
    selector: '#out',
    start: (f, query) => f.evaluate((q) => (window as unknown as { benchGo(q: string): void }).benchGo(q), query),
    done: (f) => f.evaluate(() => (window as unknown as { benchDone?: unknown }).benchDone !== false),
  };

  // Per frame: a frame's clock counts from its own time origin, fixed from the wall clock when it was created (a
  // step of the system clock in between shifts one frame's clock against another's; seen: 100 ms).
  const clocks = { ours: await clockOffset(await ours.frame()), baseline: await clockOffset(await baseline.frame()) };
  for (const [name, c] of Object.entries(clocks)) say(`the ${name} frame's clock is ${c.offsetMs.toFixed(2)} ms ahead of this process's (round trip ${c.rttMs.toFixed(2)} ms)`);
  let seq = 0;
  /** One run: ms from the server's write of the first chunk to the marker in the webview's DOM, and painted. */
  const once = async (side: Side, firstChunkAfterMs: number): Promise<{ dom: number; painted: number }> => {
    const n = ++seq;
    const marker = `M${n}${side.name === 'ours' ? 'o' : 'b'}x`;
    const query = `Run ${n} (${side.name}): 请简单解释一下 ${marker}`;
    dify.script(KEY, { answer: `${marker} ${ANSWER}`, firstChunkAfterMs });
    const f = await side.frame();
    await allowNamedFunctions(f);
    await f.evaluate(observe, { marker, selector: side.selector });
    await side.start(f, query);
    const deadline = Date.now() + 30_000;
    let seen: { first?: number; painted?: number } = {};
    while (seen.painted === undefined || !(await side.done(f))) {
      if (Date.now() > deadline) throw new Error(`run ${n} (${side.name}) did not show its answer within 30 s`);
      await page.waitForTimeout(50);
      if (seen.painted === undefined) seen = await f.evaluate(() => {
        const w = window as unknown as { benchFirst?: number; benchPainted?: number };
        return { first: w.benchFirst, painted: w.benchPainted };
      });
    }
    const write = [...dify.firstChunkWrites.values()].find((w) => w.query === query);
    if (!write) throw new Error(`run ${n}: the server wrote no answer chunk for it`);
    const at = write.at + clocks[side.name].offsetMs; // the write, on the frame's clock
    return { dom: seen.first! - at, painted: seen.painted - at };
  };

  for (let i = 0; i < WARM_UP; i++) for (const c of CASES) for (const side of [ours, baseline]) await once(side, c.firstChunkAfterMs);
  say(`warmed up (${WARM_UP} runs of each); ${runs} runs of each, alternating`);
  type Sample = { ours: number; baseline: number; oursPainted: number; baselinePainted: number };
  const samples: Record<string, Sample[]> = Object.fromEntries(CASES.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of i % 2 ? [...CASES].reverse() : CASES) {
      const r: Record<string, { dom: number; painted: number }> = {};
      for (const side of i % 2 ? [baseline, ours] : [ours, baseline]) r[side.name] = await once(side, c.firstChunkAfterMs);
      samples[c.name].push({ ours: r.ours.dom, baseline: r.baseline.dom, oursPainted: r.ours.painted, baselinePainted: r.baseline.painted });
      say(`${c.name} run ${i + 1}/${runs}: in the DOM after ours ${r.ours.dom.toFixed(1)} ms, baseline ${r.baseline.dom.toFixed(1)} ms; painted after ${r.ours.painted.toFixed(1)} and ${r.baseline.painted.toFixed(1)} ms`);
    }
  }
  const clocksAfter = { ours: await clockOffset(await ours.frame()), baseline: await clockOffset(await baseline.frame()) };
  const cases = Object.fromEntries(CASES.map((c) => {
    const xs = samples[c.name];
    return [c.name, {
      firstChunkAfterMs: c.firstChunkAfterMs,
      ours: summarize(xs.map((s) => s.ours)),
      baseline: summarize(xs.map((s) => s.baseline)),
      /** Each run of ours minus the baseline's run next to it. */
      paired: summarize(xs.map((s) => s.ours - s.baseline)),
      painted: {
        ours: summarize(xs.map((s) => s.oursPainted)),
        baseline: summarize(xs.map((s) => s.baselinePainted)),
        paired: summarize(xs.map((s) => s.oursPainted - s.baselinePainted)),
      },
      samples: xs,
    }];
  }));
  for (const [name, r] of Object.entries(cases)) {
    console.log(`first character (${name}): in the DOM, ours median ${r.ours.median.toFixed(1)} ms (p95 ${r.ours.p95.toFixed(1)}), baseline ${r.baseline.median.toFixed(1)} ms (p95 ${r.baseline.p95.toFixed(1)}), paired difference median ${r.paired.median.toFixed(1)} ms; painted, ours ${r.painted.ours.median.toFixed(1)} ms, baseline ${r.painted.baseline.median.toFixed(1)} ms`);
  }
  for (const k of ['ours', 'baseline'] as const) console.log(`the ${k} frame's clock offset: ${clocks[k].offsetMs.toFixed(2)} ms before, ${clocksAfter[k].offsetMs.toFixed(2)} ms after`);
  mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench', 'results', 'first-char.json'), JSON.stringify({ runs, warmUp: WARM_UP, clock: { before: clocks, after: clocksAfter }, cases }, null, 2));
  await wb.close();
  await dify.close();
}

main()
  .then(() => 0, (e: Error) => {
    console.error(`[first-char] ${e.stack ?? e.message}`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  });
