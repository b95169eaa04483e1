/**
 * Diagnostic (not part of `npm run bench`): where the time goes in the real panel while a long answer streams. Runs
 * one answer as bench/panel/run.ts does, with the webview's renderer main thread profiled through CDP: a sampled
 * CPU profile (self time by function, and by file), and the renderer's Performance.getMetrics deltas (script,
 * layout, style, task durations).
 *   npx tsx bench/panel/profile.ts [--size 1048576] [--shape paragraph] [--chunk 4] [--top 30]
 */
import type { CDPSession } from 'playwright-core';
import { startDifyServer } from '../../test/support/dify/server';
import { setKeyThroughUi } from '../../test/e2e/dify';
import { cleanupAll, openWorkbench, runCommand } from '../../test/e2e/workbench';
import { shapedAnswer } from '../render/shapes';
import type { Shape } from '../render/shapes';
import { LOG_APP } from './app';
import { measureRun, panelFrame } from './run';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i === -1 ? d : args[i + 1];
};
const SIZE = Number(opt('--size', String(1024 * 1024)));
const SHAPE = opt('--shape', 'paragraph') as Shape;
const CHUNK = Number(opt('--chunk', '4'));
const TOP = Number(opt('--top', '30'));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

async function metrics(s: CDPSession): Promise<Record<string, number>> {
  const m = (await s.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return Object.fromEntries(m.metrics.map((x) => [x.name, x.value]));
}

async function main() {
  const server = await startDifyServer({ apps: [LOG_APP] });
  const wb = await openWorkbench({ settings: { 'dify.apps': [{ name: LOG_APP.name, baseUrl: server.url }], 'dify.defaultApp': LOG_APP.name } });
  try {
    await setKeyThroughUi(wb.page, LOG_APP.name, LOG_APP.key, { pick: false });
    await runCommand(wb.page, 'Open Dify Chat');
    const frame = await panelFrame(wb.page);
    // The webview may be in its own renderer (an out-of-process iframe) or in the workbench's: profile both.
    const sessions: [string, CDPSession][] = [['workbench', await wb.context.newCDPSession(wb.page)]];
    try {
      sessions.push(['webview', await wb.context.newCDPSession(frame)]);
    } catch {
      process.stderr.write('[profile] the webview shares the workbench renderer\n');
    }
    for (const [, s] of sessions) {
      await s.send('Performance.enable', { timeDomain: 'threadTicks' } as never);
      await s.send('Profiler.enable');
      await s.send('Profiler.setSamplingInterval', { interval: 500 });
    }
    const before = await Promise.all(sessions.map(([, s]) => metrics(s)));
    for (const [, s] of sessions) await s.send('Profiler.start');
    const run = await measureRun(wb.page, server, shapedAnswer(SHAPE, SIZE), CHUNK, 20 * 60_000);
    console.log(JSON.stringify({ shape: SHAPE, size: SIZE, chunk: CHUNK, ...run }));
    for (let i = 0; i < sessions.length; i++) {
      const [name, s] = sessions[i];
      const { profile } = (await s.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] } };
      const after = await metrics(s);
      const d = (k: string) => ((after[k] ?? 0) - (before[i][k] ?? 0)) * 1000;
      console.log(`\n== ${name}: TaskDuration ${d('TaskDuration').toFixed(0)} ms, ScriptDuration ${d('ScriptDuration').toFixed(0)} ms, LayoutDuration ${d('LayoutDuration').toFixed(0)} ms, RecalcStyleDuration ${d('RecalcStyleDuration').toFixed(0)} ms (wall ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms)`);
      const total = profile.samples.length;
      const self = new Map<string, number>();
      const byFile = new Map<string, number>();
      for (const n of profile.nodes) {
        const hits = n.hitCount ?? 0;
        if (!hits) continue;
        const file = n.callFrame.url.split('/').pop() || '(native)';
        const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + hits);
        byFile.set(file, (byFile.get(file) ?? 0) + hits);
      }
      const pct = (x: number) => `${((100 * x) / total).toFixed(1)}%`;
      console.log('self time by function:');
      for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`  ${pct(v).padStart(6)}  ${k}`);
      console.log('by file:');
      for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(v).padStart(6)}  ${k}`);
    }
  } finally {
    await wb.close();
    await server.close();
    await cleanupAll();
  }
}

main().catch(async (e: Error) => {
  console.error(e.stack ?? e.message);
  await cleanupAll();
  process.exit(1);
});
