/**
 * Opening the panel with a full history: the real webview bundle (built as esbuild.mjs does) in headless Chromium
 * under the host's CSP, with a stand-in for VS Code's webview API that answers the panel's `ready` with the `init`
 * message the host sends (src/app/panelSession.ts: every history entry). Measured per page:
 * - from the document's arrival (navigation responseEnd) until the latest answer is in the view and the composer
 *   accepts input, minus the stand-in host's own time to parse its copy of the state (the real host has it in
 *   memory); also from the `init` message's arrival;
 * - the JS heap after a forced garbage collection once the panel has settled (CDP Runtime.getHeapUsage), and the
 *   number of DOM elements.
 * Baseline in the same run: the same panel with a history of only 3 runs. Fresh pages, alternating.
 *
 *   npx tsx bench/history/run.ts [runs=7]      → bench/results/history.json
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { panelCsp } from '../../src/panel/panelCsp';
import type { HostMessage } from '../../src/protocol';
import { ROOT, buildBundles, launchChromium } from '../../test/webview/harness';
import { summarize } from '../workbench/workbench';
import { makeHistory } from './history';

const MARKER = 'LATEST-ANSWER-7f3a';
const SETTLE_MS = 1500;
const say = (m: string) => console.log(`[history bench] ${m}`);

interface Sample {
  /** Document arrival → latest answer in view and composer ready, ms (host parse excluded). */
  fromDocument: number;
  /** `init` arrival → the same, ms. */
  fromInit: number;
  heapBytes: number;
  elements: number;
  tasks: string;
  /** Entries whose answer is rendered (has child nodes) once settled. */
  renderedEntries: number;
}

function initMessage(count: number): HostMessage {
  return {
    type: 'init',
    l10n: {},
    state: { apps: [{ name: 'Helper Chat', mode: 'chat', provider: 'dify' } as never], selectedApp: 'Helper Chat', conversationId: 'c1', entries: makeHistory(count, MARKER), running: false },
  };
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf' };

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 7);
  const out = mkdtempSync(join(tmpdir(), 'dify-history-bench-'));
  await buildBundles(out);
  const inits: Record<string, string> = { full: JSON.stringify(initMessage(200)), few: JSON.stringify(initMessage(3)) };
  say(`history of 200 runs: ${(inits.full.length / 1e6).toFixed(2)} MB of JSON; of 3 runs: ${(inits.few.length / 1e3).toFixed(1)} KB`);
  const files: Record<string, string> = {
    '/webview.js': join(out, 'webview.js'),
    '/media/panel.css': join(ROOT, 'media/panel.css'),
    '/codicons/codicon.css': join(ROOT, 'node_modules/@vscode/codicons/dist/codicon.css'),
    '/codicons/codicon.ttf': join(ROOT, 'node_modules/@vscode/codicons/dist/codicon.ttf'),
  };
  let nonceSeq = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/init/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(inits[url.pathname.slice(6)]);
      return;
    }
    if (url.pathname === '/panel.html') {
      const nonce = `n${++nonceSeq}`;
      const csp = panelCsp(nonce, `http://${req.headers.host}`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      // The stand-in host: the state arrives as text before the document (as the host has it in memory); on
      // `ready` it is parsed (timed, and taken off) and posted to the panel as VS Code delivers a host message.
      res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="/codicons/codicon.css"><link rel="stylesheet" href="/media/panel.css">
<script nonce="${nonce}">
window.__name = (f) => f;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => {
    if (m.type !== 'ready') return;
    const t0 = performance.now();
    const init = JSON.parse(window.__initText);
    window.__hostMs = performance.now() - t0;
    setTimeout(() => { window.__initAt = performance.now(); window.postMessage(init, '*'); }, 0);
  },
  getState: () => undefined,
  setState: () => undefined,
});
</script></head><body><div id="root"></div><script nonce="${nonce}" src="/webview.js"></script></body></html>`);
      return;
    }
    const file = files[url.pathname];
    if (!file) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const browser: Browser = await launchChromium();

  const once = async (which: 'full' | 'few'): Promise<Sample> => {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    const initText = await (await fetch(`${origin}/init/${which}`)).text();
    await page.addInitScript(({ t, marker }: { t: string; marker: string }) => {
      const w = window as unknown as { __initText: string; __visibleAt?: number; __name: (f: unknown) => unknown };
      w.__initText = t;
      w.__name = (f) => f;
      // Long tasks, for what takes the time (printed with each run).
      const tasks: string[] = ((w as unknown as { __tasks: string[] }).__tasks = []);
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) tasks.push(`${e.startTime.toFixed(0)}+${e.duration.toFixed(0)}`);
      }).observe({ type: 'longtask', buffered: true });
      // Each frame, before the panel's own work: is the latest answer in the view, and can the composer take input?
      const check = () => {
        const answer = document.querySelector('.entries > .entry:last-child .answer');
        const scroller = document.querySelector('.scroller');
        const box = document.querySelector<HTMLTextAreaElement>('.dify-panel textarea.input');
        if (scroller && (w as unknown as { __initAt?: number }).__initAt) tasks.push(`f${performance.now().toFixed(0)}:${scroller.scrollTop}/${scroller.scrollHeight}:${!!answer?.textContent?.includes(marker)}`);
        if (answer?.textContent?.includes(marker) && scroller && box && !box.disabled) {
          const a = answer.getBoundingClientRect();
          const s = scroller.getBoundingClientRect();
          if (a.bottom > s.top && a.top < s.bottom && a.height > 0) {
            w.__visibleAt = performance.now();
            return;
          }
        }
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    }, { t: initText, marker: MARKER });
    await page.goto(`${origin}/panel.html`);
    await page.waitForFunction(() => (window as unknown as { __visibleAt?: number }).__visibleAt !== undefined, undefined, { timeout: 60_000, polling: 50 });
    await page.waitForTimeout(SETTLE_MS);
    const t = await page.evaluate(() => {
      const w = window as unknown as { __visibleAt: number; __initAt: number; __hostMs: number };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        fromDocument: w.__visibleAt - nav.responseEnd - w.__hostMs,
        fromInit: w.__visibleAt - w.__initAt,
        elements: document.getElementsByTagName('*').length,
        tasks: `init at ${w.__initAt.toFixed(0)}, visible at ${w.__visibleAt.toFixed(0)}, long tasks ${(w as unknown as { __tasks: string[] }).__tasks.join(' ')}`,
        renderedEntries: [...document.querySelectorAll('.entries > .entry .answer')].filter((a) => a.childNodes.length > 0).length,
      };
    });
    const cdp = await context.newCDPSession(page);
    // The stand-in host's copy of the state is not the panel's: dropped before the heap is read.
    await page.evaluate(() => void ((window as unknown as { __initText?: string }).__initText = undefined));
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    await context.close();
    return { ...t, heapBytes: heap.usedSize };
  };

  // Warm-up: the first pages of a fresh browser are slower (code caches).
  await once('few');
  await once('full');
  const samples: Record<'full' | 'few', Sample[]> = { full: [], few: [] };
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 ? (['few', 'full'] as const) : (['full', 'few'] as const)) {
      const s = await once(which);
      samples[which].push(s);
      say(`${which} run ${i + 1}/${runs}: latest answer visible ${s.fromDocument.toFixed(1)} ms after the document (${s.fromInit.toFixed(1)} ms after init); heap ${(s.heapBytes / 1e6).toFixed(2)} MB; ${s.elements} elements; ${s.renderedEntries} answers rendered; ${s.tasks}`);
    }
  }
  const summary = Object.fromEntries((['full', 'few'] as const).map((k) => [k, {
    entries: k === 'full' ? 200 : 3,
    initBytes: inits[k].length,
    fromDocument: summarize(samples[k].map((s) => s.fromDocument)),
    fromInit: summarize(samples[k].map((s) => s.fromInit)),
    heapBytes: summarize(samples[k].map((s) => s.heapBytes)),
    elements: summarize(samples[k].map((s) => s.elements)),
    renderedEntries: summarize(samples[k].map((s) => s.renderedEntries)),
    samples: samples[k],
  }]));
  for (const [k, v] of Object.entries(summary)) {
    say(`${k} (${v.entries} runs): visible after the document median ${v.fromDocument.median.toFixed(1)} ms (p95 ${v.fromDocument.p95.toFixed(1)}), after init ${v.fromInit.median.toFixed(1)} ms; heap ${(v.heapBytes.median / 1e6).toFixed(2)} MB; ${v.elements.median} elements; ${v.renderedEntries.median} answers rendered`);
  }
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'history.json'), JSON.stringify({ runs, ...summary }, null, 2));
  await browser.close();
  server.close();
  rmSync(out, { recursive: true, force: true });
}

main().catch((e: Error) => {
  console.error(`[history bench] ${e.stack ?? e.message}`);
  process.exit(1);
});
