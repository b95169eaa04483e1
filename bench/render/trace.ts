// CDP measurements shared by the render bench's phases: the page's main-thread tasks by thread (CPU) time.
import type { CDPSession } from 'playwright-core';

export interface Phase {
  /** Σ performance.now() around the work (handlers, renders, layout), ms. */
  workMs: number;
  /** The longest single task of the phase, ms. */
  longestMs: number;
  /** CDP Performance.getMetrics TaskDuration delta over the phase, ms (includes driver overhead, GC, style/layout). */
  cdpTaskMs: number;
  tasks: number;
  longTasks?: number;
  /** The longest main-thread task by thread (CPU) time, from a CDP trace, ms. */
  cpuLongestMs?: number;
  /** Σ thread (CPU) time of all main-thread tasks in the trace (includes the driver's small tasks), ms. */
  cpuSumMs?: number;
  /** The longest main-thread task by CPU time that STARTED after the page marked `bench-stream` (i.e. not the
   * driver's setup task, which receives the whole text and precomputes the host's patches), ms. */
  cpuLongestStreamMs?: number;
}

async function taskDuration(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
}

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string } }

/** Runs `fn` under a CDP trace and returns the longest main-thread task of the page by THREAD time (CPU the
 * renderer thread actually ran: unlike wall time it does not count time the OS gave to other processes —
 * the bench machine is shared) and by wall time, ms. */
export async function traced<T>(cdp: CDPSession, fn: () => Promise<T>): Promise<{ r: T; cpuLongestMs: number; wallLongestMs: number; cpuSumMs: number; cpuLongestStreamMs?: number }> {
  // The trace stays in the browser until the end (ReturnAsStream): streaming it out while the phase runs
  // (ReportEvents) slowed the page's own tasks — a 1 MB plain-text phase took 40 s of wall time instead of 0.4 s.
  await cdp.send('Tracing.start', { categories: process.env.BENCH_TRACE_DETAIL ? 'toplevel,blink.user_timing,__metadata,devtools.timeline,v8,disabled-by-default-v8.gc' : 'toplevel,blink.user_timing,__metadata', transferMode: 'ReturnAsStream' } as never);
  await new Promise((res) => setTimeout(res, 300)); // the renderer starts recording a little after the reply
  const r = await fn();
  const done = new Promise<string>((res) => cdp.once('Tracing.tracingComplete', (e) => res((e as { stream: string }).stream)));
  await cdp.send('Tracing.end');
  const handle = await done;
  let json = '';
  for (;;) {
    const chunk = (await cdp.send('IO.read', { handle, size: 1 << 20 } as never)) as { data: string; eof: boolean; base64Encoded?: boolean };
    json += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle } as never);
  const parsed = JSON.parse(json) as TraceEvent[] | { traceEvents: TraceEvent[] };
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const mark = events.find((e) => e.name === 'bench-stream');
  /** The page's main-thread trace slices. */
  const onMain = main ? events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X') : [];
  const cpuMs = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;
  let cpu = 0;
  let wall = 0;
  let sum = 0;
  let stream = 0;
  for (const e of onMain) {
    if (!/RunTask/.test(e.name)) continue;
    cpu = Math.max(cpu, (e.tdur ?? 0) / 1000);
    if (mark && e.ts > mark.ts) stream = Math.max(stream, (e.tdur ?? 0) / 1000);
    sum += (e.tdur ?? 0) / 1000;
    wall = Math.max(wall, (e.dur ?? 0) / 1000);
  }
  if (process.env.BENCH_TRACE_DETAIL && mark) {
    // What ran (by trace event name, CPU ms) in all the stream's tasks, and in its 4 longest.
    const byName = (slices: TraceEvent[], top: number) => {
      const sums = new Map<string, number>();
      for (const e of slices) sums.set(e.name, (sums.get(e.name) ?? 0) + cpuMs(e));
      return [...sums].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    };
    const streamSlices = onMain.filter((e) => e.ts > mark.ts);
    console.error('all stream tasks:', byName(streamSlices.filter((e) => !/RunTask/.test(e.name)), 14));
    const tasks = streamSlices.filter((e) => /RunTask/.test(e.name)).sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 4);
    for (const t of tasks) {
      const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0));
      console.error(`task ${cpuMs(t).toFixed(1)} ms cpu @${((t.ts - mark.ts) / 1000).toFixed(0)}:`, byName(inside, 8));
    }
  }
  return { r, cpuLongestMs: cpu, wallLongestMs: wall, cpuSumMs: sum, cpuLongestStreamMs: mark ? stream : undefined };
}

export async function measure<T extends Omit<Phase, 'cdpTaskMs'>>(cdp: CDPSession, fn: () => Promise<T>): Promise<T & Phase> {
  const before = await taskDuration(cdp);
  const { r, cpuLongestMs, cpuSumMs, cpuLongestStreamMs } = await traced(cdp, fn);
  return { ...r, cdpTaskMs: (await taskDuration(cdp)) - before, cpuLongestMs, cpuSumMs, cpuLongestStreamMs };
}
