// Diagnostic (not part of `npm run bench`): per-frame breakdown of the streaming render — render() vs the
// forced layout after it — by stream decile, plus an optional CDP CPU profile of the hottest functions.
//   npx tsx bench/render/profile.ts [size=1000000] [rate=20000] [cpuprofile=0]
import { startHarness } from '../../test/webview/harness';
import { makeAnswer } from './corpus';

const size = Number(process.argv[2] ?? 1_000_000);
const rate = Number(process.argv[3] ?? 20_000);
const cpu = process.argv[4] === '1';

async function main() {
  const h = await startHarness();
  try {
    const tp = await h.open({ bundle: 'bench' });
    await tp.page.evaluate(() => window.__difyBench.warmUp());
    const cdp = await tp.page.context().newCDPSession(tp.page);
    if (cpu) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const text = makeAnswer(size);
    const out = await tp.page.evaluate(
      async ({ text, rate }) => {
        const B = window.__difyBench;
        document.body.replaceChildren();
        const el = document.createElement('div');
        el.className = 'markdown answer';
        el.style.width = '640px';
        document.body.append(el);
        const per = Math.max(5, Math.round(rate / 60 / 5) * 5);
        const md = new B.IncrementalMarkdown(el);
        const rows: [number, number, number, boolean][] = [];
        const tick = () => new Promise((r) => setTimeout(r, 0));
        let vnow = 0;
        const sched = new B.FrameScheduler(() => md.render(), (cb) => (pending = cb), () => vnow, B.renderProgressMs);
        let pending: (() => void) | undefined;
        for (let i = 0; i < text.length; i += per) {
          md.append(text.slice(i, i + per));
          sched.schedule();
          vnow += 1000 / 60;
          await tick();
          const f = pending;
          pending = undefined;
          const r0 = performance.now();
          const before = md.stats.renders;
          f?.();
          const r1 = performance.now();
          void el.offsetHeight;
          const r2 = performance.now();
          rows.push([i, r1 - r0, r2 - r1, md.stats.renders > before]);
        }
        const f0 = performance.now();
        md.finish();
        void el.offsetHeight;
        const fin = performance.now() - f0;
        const dec: string[] = [];
        for (let d = 0; d < 10; d++) {
          const part = rows.slice(Math.floor((d * rows.length) / 10), Math.floor(((d + 1) * rows.length) / 10));
          const rendered = part.filter((p) => p[3]);
          const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
          dec.push(`decile ${d}: frames ${part.length} renders ${rendered.length} render Σ${sum(part.map((p) => p[1])).toFixed(0)} (max ${Math.max(...part.map((p) => p[1])).toFixed(1)}) layout Σ${sum(part.map((p) => p[2])).toFixed(0)} (max ${Math.max(...part.map((p) => p[2])).toFixed(1)})`);
        }
        const first = rows.slice(0, 12).map((r) => `${r[1].toFixed(1)}+${r[2].toFixed(1)}`).join(' ');
        return { dec, first, fin, children: el.childElementCount, stats: md.stats };
      },
      { text, rate },
    );
    console.log(out.dec.join('\n'));
    console.log('first frames (render+layout ms):', out.first);
    console.log('finish ms', out.fin.toFixed(1), 'top-level children', out.children, JSON.stringify(out.stats));
    if (cpu) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[]; samples: number[]; timeDeltas: number[] } };
      const self = new Map<string, number>();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, i) => {
        const n = byId.get(id)!;
        const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
        self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      });
      for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v.toFixed(0).padStart(7), 'ms', k);
    }
    await tp.close();
  } finally {
    await h.close();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
