/**
 * Real-panel benchmark: a long answer through everything a user's answer goes through — the Dify test server, the
 * extension in the real VS Code extension host (VS Code server 1.139), VS Code's webview channel and the panel in
 * headless Chromium — measured from the server's end to the whole text on screen.
 *   npx tsx bench/panel/run.ts [--size 2097152] [--shapes paragraph,list] [--runs 1] [--chunk 4]
 *   (the extension as built in dist/: `node esbuild.mjs` first; PANEL_BENCH_DEBUG=1 prints when patches arrived)
 * Per shape and run: the answer streamed in `--chunk`-character chunk events as fast as the server writes them
 * (the user's report: 4 characters), then the same answer in ONE chunk event (the baseline: the panel shows a
 * finished answer it receives at once), each in a new entry of the same panel. Figures per run: the server's
 * stream time, to its end (the response's last byte handed to the system: the server waits for a client that is
 * behind, as a real one does); from there to the answer's text complete on screen (its rendered text as long as a
 * one-shot render's, polled every 50 ms in the webview); when "Succeeded" and Copy appeared, relative to that;
 * polls in which the answer's text got shorter, or the view moved up while it streamed; the webview's longest
 * frame. Writes bench/results/panel.json (read by `npm run bench`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { startDifyServer } from '../../test/support/dify/server';
import { setKeyThroughUi } from '../../test/e2e/dify';
import { cleanupAll, openWorkbench, runCommand } from '../../test/e2e/workbench';
import { SHAPES, renderedLength, shapedAnswer } from '../render/shapes';
import type { Shape } from '../render/shapes';
import { LOG_APP } from './app';

const root = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i === -1 ? d : args[i + 1];
};
const SIZE = Number(opt('--size', String(2 * 1024 * 1024)));
const RUNS = Number(opt('--runs', '1'));
const CHUNK = Number(opt('--chunk', '4'));
const SHAPE_LIST = opt('--shapes', 'paragraph').split(',') as Shape[];
const say = (m: string) => process.stderr.write(`[panel bench] ${m}\n`);

/** The panel's content frame (VS Code's webview iframe → its active frame). */
export async function panelFrame(page: import('playwright-core').Page): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const outer = await page.locator('iframe.webview:visible').first().elementHandle().catch(() => null);
    const f1 = await outer?.contentFrame();
    const inner = f1 && (await f1.locator('iframe#active-frame').elementHandle().catch(() => null));
    const f2 = await inner?.contentFrame();
    if (f2 && (await f2.locator('.composer textarea').count().catch(() => 0))) return f2;
    await page.waitForTimeout(200);
  }
  throw new Error('no panel frame');
}

export interface PanelRun {
  /** Server: from the run request to its response's end, ms. */
  streamMs: number;
  /** From the server's end to the answer's text complete on screen, ms (-1: not within the limit). */
  completeMs: number;
  /** From the server's end to "Succeeded" / the Copy button, ms. */
  statusMs: number;
  copyMs: number;
  /** Polls (every 50 ms) in which the answer's rendered text was shorter than in the one before. */
  shrinks: number;
  /** Polls in which the view had moved up the answer by more than 50 px while it streamed (nobody scrolled). */
  jumps: number;
  /** The webview's longest frame (rAF to rAF) from the request to the end, ms. */
  longestFrameMs: number;
}

/** Sends one question in the panel, the server answering `answer` in `chunk`-character events; measures it. */
export async function measureRun(page: import('playwright-core').Page, server: Awaited<ReturnType<typeof startDifyServer>>, answer: string, chunk: number, limitMs: number): Promise<PanelRun> {
  server.script(LOG_APP.key, { answer, chunkChars: chunk });
  const frame = await panelFrame(page);
  const expected = renderedLength(answer);
  const index = await frame.locator('.entry').count();
  // A string: tsx would wrap a named function in a helper the page does not have.
  await frame.evaluate(`(() => {
    const b = (window.__bench = { frames: [], stop: false });
    let last = performance.now();
    const tick = (t) => { b.frames.push(t - last); last = t; if (!b.stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    window.addEventListener('message', (e) => {
      const p = e.data && e.data.type === 'entryPatch' ? e.data.patch : null;
      if (p && p.answerAppend) { b.firstText ??= Date.now(); b.lastText = Date.now(); b.patches = (b.patches || 0) + 1; b.chars = (b.chars || 0) + p.answerAppend.length; }
      if (p && p.status && p.status !== 'running') b.endPatch = Date.now();
    });
  })()`);
  const before = server.requests.length;
  const input = frame.locator('.composer textarea');
  await input.fill('dump the log');
  const sentAt = Date.now();
  await input.press('Enter');
  const req = await server.waitForRequest((r) => r.path === '/v1/workflows/run' && server.requests.indexOf(r) >= before, 30_000);
  void req;
  let endAt = 0;
  let completeAt = 0;
  let statusAt = 0;
  let copyAt = 0;
  let shrinks = 0;
  let jumps = 0;
  let lastLen = 0;
  let lastTop = -Infinity;
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (!endAt) {
      const ended = [...server.taskEndedAt.values()].filter((t) => t >= sentAt);
      if (ended.length) endAt = Math.min(...ended);
    }
    const s = await frame.evaluate((i) => {
      const e = document.querySelectorAll('.entry')[i] as HTMLElement | undefined;
      const a = e?.querySelector('.answer');
      const sc = document.querySelector('.scroller') as HTMLElement;
      return {
        len: a ? a.textContent!.length - Array.from(a.querySelectorAll('.code-header'), (h) => h.textContent!.length).reduce((x, y) => x + y, 0) : 0,
        status: e?.dataset.status ?? '',
        copy: !!e?.querySelector('.answer-actions button[aria-label="Copy"]'),
        top: sc.scrollTop,
        height: sc.scrollHeight,
        client: sc.clientHeight,
        // How far down the answer the view is: content above it that changes height moves both (scroll anchoring).
        // (Not measured while the answer is hidden, before its first text.)
        within: a && !(a as HTMLElement).hidden ? sc.getBoundingClientRect().top - a.getBoundingClientRect().top : null,
      };
    }, index);
    const now = Date.now();
    if (s.len < lastLen) shrinks++;
    if (s.within !== null && s.within < lastTop - 50 && !completeAt) {
      jumps++;
      if (process.env.PANEL_BENCH_DEBUG) say(`jump at ${now - sentAt} ms: ${lastTop} → ${s.within} px down the answer, scrollTop ${s.top}, height ${s.height}, len ${s.len}`);
    }
    lastLen = s.len;
    if (s.within !== null) lastTop = s.within;
    if (!statusAt && s.status === 'succeeded') statusAt = now;
    if (!copyAt && s.copy) copyAt = now;
    if (!completeAt && s.len >= expected) completeAt = now;
    if (endAt && completeAt && statusAt && copyAt) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const { frames, firstText, lastText, endPatch, patches, chars } = await frame.evaluate(() => {
    const w = window as unknown as { __bench: { frames: number[]; stop: boolean; firstText: number; lastText: number; endPatch: number; patches: number; chars: number } };
    w.__bench.stop = true;
    return w.__bench;
  });
  if (process.env.PANEL_BENCH_DEBUG) say(`  sent ${sentAt}: first text patch +${firstText - sentAt} ms, last +${lastText - sentAt} ms, end patch +${endPatch - sentAt} ms, server end +${endAt - sentAt} ms, ${patches} patches, ${chars} chars`);
  const rel = (t: number) => (t && endAt ? t - endAt : -1);
  return {
    streamMs: endAt ? endAt - sentAt : -1,
    completeMs: rel(completeAt),
    statusMs: rel(statusAt),
    copyMs: rel(copyAt),
    shrinks,
    jumps,
    longestFrameMs: Math.round(Math.max(0, ...frames)),
  };
}

async function main() {
  const server = await startDifyServer({ apps: [LOG_APP] });
  const wb = await openWorkbench({ settings: { 'dify.apps': [{ name: LOG_APP.name, baseUrl: server.url }], 'dify.defaultApp': LOG_APP.name } });
  const results: Record<string, unknown>[] = [];
  try {
    await setKeyThroughUi(wb.page, LOG_APP.name, LOG_APP.key, { pick: false });
    await runCommand(wb.page, 'Open Dify Chat');
    await panelFrame(wb.page);
    for (const shape of SHAPE_LIST) {
      if (!SHAPES.includes(shape)) throw new Error(`unknown shape ${shape}`);
      const answer = shapedAnswer(shape, SIZE);
      for (let run = 0; run < RUNS; run++) {
        say(`${shape}: streamed in ${CHUNK}-character chunks (run ${run + 1}/${RUNS})`);
        const streamed = await measureRun(wb.page, server, answer, CHUNK, 15 * 60_000);
        say(`  ${JSON.stringify(streamed)}`);
        say(`${shape}: in one chunk (run ${run + 1}/${RUNS})`);
        const whole = await measureRun(wb.page, server, answer, answer.length, 15 * 60_000);
        say(`  ${JSON.stringify(whole)}`);
        results.push({ shape, chars: answer.length, chunk: CHUNK, run, streamed, whole });
      }
    }
  } finally {
    await wb.close();
    await server.close();
    await cleanupAll();
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/panel.json'), JSON.stringify({ date: new Date().toISOString(), size: SIZE, chunk: CHUNK, runs: RUNS, results }, null, 2));
  console.log(JSON.stringify(results, null, 2));
}

if (require.main === module) {
  main().catch(async (e: Error) => {
    console.error(e.stack ?? e.message);
    await cleanupAll();
    process.exit(1);
  });
}
