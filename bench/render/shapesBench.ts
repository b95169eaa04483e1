// Render bench, one huge block: answers that are a heading and then one long paragraph of log lines, one list, one
// table, one code block, or 200 nested blockquotes / lists (bench/render/shapes.ts), through the panel's streaming
// path (phases.ts `ours`: host patches, frame scheduler, follow, hold-back) at a fast stream's rate (4-character
// chunks from a local server reach the panel at about 400 000 chars/s) and as a burst, each against a one-shot
// render of the same answer measured on a fresh page right before it. The corpus of the other rows is made of many
// short blocks, where an unfinished block is never long: these rows are where re-rendering it cost n².
import type { Harness } from '../../test/webview/harness';
import { floor, hostPatches, ours } from './phases';
import type { Ours } from './phases';
import { SHAPES, shapedAnswer } from './shapes';
import type { Shape } from './shapes';
import { measure } from './trace';
import type { Phase } from './trace';

/** A fast server's stream as the panel gets it, and a burst (chars/s). */
export const SHAPE_RATES = [400_000, 2_000_000];

export interface ShapeRow {
  shape: Shape;
  chars: number;
  rate: number;
  runs: number;
  floor: Phase;
  ours: Ours;
  /** Medians of the runs' ratios to the one-shot measured right before them (wall main-thread ms, CPU ms). */
  ratio: number;
  cpuRatio: number;
  /** The stream's longest task by CPU, ms (median). */
  longestCpuMs: number;
  /** Frames after the stream's end until all of it was shown (median), and how long the stream's patches lasted
   * at this rate, s. */
  framesAfterEnd: number;
  streamS: number;
}

export async function measureShapes(h: Harness, runs: number, size: number, median: (xs: number[]) => number, say: (m: string) => void): Promise<ShapeRow[]> {
  const rows: ShapeRow[] = [];
  for (const shape of SHAPES) {
    const text = shapedAnswer(shape, size);
    const byRate = new Map<number, { floor: Phase; ours: Ours }[]>(SHAPE_RATES.map((r) => [r, []]));
    for (let run = 0; run < runs; run++) {
      for (const rate of SHAPE_RATES) {
        const phase = async <T>(fn: (page: import('playwright-core').Page) => Promise<T>) => {
          const tp = await h.open({ bundle: 'bench' });
          try {
            await tp.page.evaluate(() => window.__difyBench.warmUp());
            const cdp = await tp.page.context().newCDPSession(tp.page);
            await cdp.send('Performance.enable', { timeDomain: 'threadTicks' } as never);
            const r = await measure(cdp, () => fn(tp.page) as never);
            const problems = await tp.problems();
            if (problems.length) throw new Error(`page problems: ${problems.join('; ')}`);
            return r as T & Phase;
          } finally {
            await tp.close();
          }
        };
        const f = await phase((page) => floor(page, text));
        const o = await phase((page) => ours(page, hostPatches(text, rate)));
        byRate.get(rate)!.push({ floor: f, ours: o as Ours });
      }
      say(`  shape ${shape}: run ${run + 1}/${runs} done`);
    }
    for (const rate of SHAPE_RATES) {
      const rs = byRate.get(rate)!;
      const mid = (k: (x: { floor: Phase; ours: Ours }) => number) => median(rs.map(k));
      const byWork = rs.slice().sort((a, b) => a.ours.workMs - b.ours.workMs)[(rs.length - 1) >> 1];
      rows.push({
        shape, chars: text.length, rate, runs: rs.length, floor: byWork.floor, ours: byWork.ours,
        ratio: mid((x) => x.ours.workMs / x.floor.workMs),
        cpuRatio: mid((x) => (x.ours.cpuSumMs ?? NaN) / (x.floor.cpuSumMs ?? NaN)),
        longestCpuMs: mid((x) => x.ours.cpuLongestStreamMs ?? x.ours.longestMs),
        framesAfterEnd: mid((x) => x.ours.framesAfterEnd),
        streamS: text.length / rate,
      });
    }
  }
  return rows;
}
