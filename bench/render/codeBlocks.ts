// Render bench, code blocks: the longest main-thread task when an answer with a long code block is shown,
// with highlight.js in the worker (the panel) against highlight.js on the main thread inside the render's
// task (the panel before the worker), measured in the same run. The answer corpus's fences are short and
// labelled, so the streaming rows do not show this cost.
import type { Page } from 'playwright-core';
import type { Harness } from '../../test/webview/harness';
import { measure } from './trace';
import type { Phase } from './trace';

const TS_LINE = 'export async function load(url: string, retries = 3): Promise<number> { const r = await fetch(url); return r.status; } // ok\n';
const PY_LINES = [
  'def area(radius: float) -> float:',
  '    """Area of a circle of the given radius."""',
  '    import math',
  '    return math.pi * radius ** 2',
  '',
  'for r in range(1, 10):',
  '    print(f"{r}: {area(r):.2f}")  # one line per radius',
  '',
];

function fence(lang: string, body: string, chars: number): string {
  return '```' + lang + '\n' + body.repeat(Math.ceil(chars / body.length)) + '```\n';
}

export const CODE_CASES: { label: string; markdown: string }[] = [
  { label: '10 KB TypeScript block', markdown: fence('ts', TS_LINE, 10_000) },
  { label: '50 KB TypeScript block', markdown: fence('ts', TS_LINE, 50_000) },
  { label: '3 KB block without a language (auto-detected)', markdown: fence('', PY_LINES.join('\n') + '\n', 3_000) },
];

type Mode = 'worker' | 'main';

/** Shows the answer (render + layout in one task) and, with the worker, takes its result in (its own task)
 * and lays it out again (another task). */
async function show(page: Page, markdown: string, mode: Mode): Promise<Omit<Phase, 'cdpTaskMs'>> {
  await page.evaluate(() => window.__difyBench.setupPage());
  return page.evaluate(
    async ({ markdown, mode }) => {
      const B = window.__difyBench;
      const { sc, el } = B.answerBox();
      const highlightCost = B.highlightCost();
      performance.mark('bench-stream');
      await B.nextTask();
      const t0 = performance.now();
      const frag = B.renderOneShot(markdown, { highlight: mode === 'worker' });
      if (mode === 'main') B.highlightOnMain(frag);
      el.append(frag);
      sc.scrollTop = sc.scrollHeight;
      const first = performance.now() - t0;
      if (mode === 'main') return { workMs: first, longestMs: first, tasks: 1 };
      await B.highlightIdle();
      await B.nextTask();
      const t1 = performance.now();
      sc.scrollTop = sc.scrollHeight;
      const relayout = performance.now() - t1;
      const hl = highlightCost();
      if (!hl.results) throw new Error('the highlight worker did not colour the block');
      return { workMs: first + relayout + hl.ms, longestMs: Math.max(first, relayout, hl.longestMs), tasks: 2 + hl.results };
    },
    { markdown, mode },
  );
}

export interface CodeBlockResult {
  label: string;
  worker: Phase;
  main: Phase;
}

/** Each case in both modes, `runs` times, a fresh page per measurement; medians. */
export async function measureCodeBlocks(h: Harness, runs: number, median: (xs: number[]) => number): Promise<CodeBlockResult[]> {
  const out: CodeBlockResult[] = [];
  for (const c of CODE_CASES) {
    const phases: Record<Mode, Phase[]> = { worker: [], main: [] };
    for (let run = 0; run < runs; run++) {
      for (const mode of ['main', 'worker'] as Mode[]) {
        const tp = await h.open({ bundle: 'bench' });
        const cdp = await tp.page.context().newCDPSession(tp.page);
        await tp.page.evaluate(() => window.__difyBench.warmUp());
        // Both start warm: the grammar compiled on the main thread (as the panel's old idle-time warm-up
        // did), and the worker's too (it warms up on its own; one throw-away block waits for that).
        await tp.page.evaluate(async (md) => {
          const B = window.__difyBench;
          const warm = document.createElement('div');
          document.body.append(warm);
          // Other text than the measured block's (each line indented), so it is not a recent result.
          warm.append(B.renderOneShot(md.slice(0, 2_000).replace(/\n(?!$)/g, '\n ') + '\n```\n'));
          B.highlightOnMain(warm.cloneNode(true) as HTMLElement);
          await B.highlightIdle();
          warm.remove();
        }, c.markdown);
        phases[mode].push(await measure(cdp, () => show(tp.page, c.markdown, mode)));
        const problems = await tp.problems();
        if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
        await tp.close();
      }
    }
    const med = (ps: Phase[]): Phase => ({
      workMs: median(ps.map((p) => p.workMs)),
      longestMs: median(ps.map((p) => p.longestMs)),
      cdpTaskMs: median(ps.map((p) => p.cdpTaskMs)),
      tasks: median(ps.map((p) => p.tasks)),
      cpuLongestMs: median(ps.map((p) => p.cpuLongestMs ?? NaN)),
      cpuSumMs: median(ps.map((p) => p.cpuSumMs ?? NaN)),
      cpuLongestStreamMs: median(ps.map((p) => p.cpuLongestStreamMs ?? NaN)),
    });
    out.push({ label: c.label, worker: med(phases.worker), main: med(phases.main) });
  }
  return out;
}
