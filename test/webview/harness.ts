// Shared test harness: builds the REAL webview bundle (and the renderer bench entry) with esbuild into a
// temp dir, serves it from a 127.0.0.1 server under the host's CSP, and drives it in Debian's headless
// Chromium. A fake `acquireVsCodeApi` records posted messages and state; CSP violations, page errors and
// console errors are collected so every test can fail on them.
import * as assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, extname } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { inlineWorker } from '../../scripts/inlineWorker.mjs';
import { panelCsp } from '../../src/panel/panelCsp';
import type { EntryView, HostMessage, PanelState } from '../../src/protocol';

export const ROOT = resolve(__dirname, '../..');

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/** The browser the tests drive: Debian's Chromium, or DIFY_CHROMIUM. */
export const CHROMIUM = process.env.DIFY_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium, or fails at once with what to do when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`node scripts/tooling.mjs browser\` (npm test does it first), or set DIFY_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Bundles the production webview entry and the bench entry exactly as esbuild.mjs does (browser IIFE). */
export async function buildBundles(outdir: string, minify = true): Promise<void> {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { webview: 'src/webview/main.ts', bench: 'bench/render/entry.ts' },
    outdir,
    bundle: true,
    minify,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    logLevel: 'error',
    loader: { '.css': 'css' },
    plugins: [inlineWorker({ minify })],
  });
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html', '.map': 'application/json',
};

export interface PageOptions {
  /** 'webview' loads the panel (dist/webview.js); 'bench' loads only the renderer entry. */
  bundle?: 'webview' | 'bench';
  /** What `vscode.getState()` returns at load. */
  state?: unknown;
}

export interface Harness {
  origin: string;
  browser: Browser;
  open(opts?: PageOptions): Promise<TestPage>;
  close(): Promise<void>;
}

export interface TestPage {
  page: Page;
  /** Messages the webview posted to the host so far. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  clearPosted(): Promise<void>;
  /** Sends a host → webview message. */
  send(msg: unknown): Promise<void>;
  /** Waits until animation frames have run (rendering is rAF-scheduled). */
  frames(n?: number): Promise<void>;
  state(): Promise<unknown>;
  /** CSP violations, page errors and console errors seen so far (but those `expectBlocked` allows). */
  problems(): Promise<string[]>;
  /** CSP violations of `directive` are expected in this test (the policy blocking what a test feeds it). */
  expectBlocked(directive: string): void;
  close(): Promise<void>;
}

/** Starts the server and the browser; the bundles are built once per harness. */
export async function startHarness(): Promise<Harness> {
  // The browser first: if it cannot start, nothing else is left running to keep the process alive.
  const browser = await launchChromium();
  const out = mkdtempSync(join(tmpdir(), 'dify-webview-'));
  // BENCH_MINIFY=0: readable function names in CPU profiles of the bench bundle.
  await buildBundles(out, process.env.BENCH_MINIFY !== '0').catch(async (e: unknown) => {
    await browser.close();
    throw e;
  });
  const files: Record<string, string> = {
    '/webview.js': join(out, 'webview.js'),
    '/bench.js': join(out, 'bench.js'),
    '/media/panel.css': join(ROOT, 'media/panel.css'),
    '/codicons/codicon.css': join(ROOT, 'node_modules/@vscode/codicons/dist/codicon.css'),
    '/codicons/codicon.ttf': join(ROOT, 'node_modules/@vscode/codicons/dist/codicon.ttf'),
  };
  let nonceSeq = 0;
  const pages = new Map<string, PageOptions>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/panel.html') {
      const opts = pages.get(url.searchParams.get('id') ?? '') ?? {};
      const nonce = `n${++nonceSeq}${Math.random().toString(36).slice(2)}`;
      const self = `http://${req.headers.host}`;
      // The host's CSP, with the test server standing in for webview.cspSource.
      const csp = panelCsp(nonce, self);
      const script = opts.bundle === 'bench' ? '/bench.js' : '/webview.js';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      res.end(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/codicons/codicon.css"><link rel="stylesheet" href="/media/panel.css">
<script nonce="${nonce}">
window.__problems = [];
// tsx (esbuild keepNames) wraps named functions inside page.evaluate callbacks with __name().
window.__name = (f) => f;
document.addEventListener('securitypolicyviolation', (e) => window.__problems.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
window.__posted = [];
window.__state = ${JSON.stringify(opts.state ?? null).replace(/</g, '\\u003c')};
window.__stateWrites = 0;
let acquired = false;
window.acquireVsCodeApi = () => {
  if (acquired) throw new Error('acquireVsCodeApi called twice');
  acquired = true;
  return Object.freeze({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => window.__state,
    setState: (s) => { window.__stateWrites++; window.__state = JSON.parse(JSON.stringify(s)); return s; },
  });
};
</script></head><body><div id="root"></div><script nonce="${nonce}" src="${script}"></script></body></html>`);
      return;
    }
    const file = files[url.pathname];
    if (!file || !existsSync(file)) {
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
  let seq = 0;

  return {
    origin,
    browser,
    async open(opts: PageOptions = {}) {
      const id = String(++seq);
      pages.set(id, opts);
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      const blocked: string[] = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      // No network beyond the test server: https images in hostile markdown must not reach out.
      await context.route((u) => !u.href.startsWith(origin), (r) => r.fulfill({ status: 204, body: '' }));
      await page.goto(`${origin}/panel.html?id=${id}`);
      const tp: TestPage = {
        page,
        posted: () => page.evaluate(() => (window as unknown as { __posted: never[] }).__posted),
        clearPosted: () => page.evaluate(() => void ((window as unknown as { __posted: unknown[] }).__posted.length = 0)),
        send: (msg) => page.evaluate((m) => window.postMessage(m, '*'), msg as never),
        frames: (n = 2) =>
          page.evaluate(
            (count) =>
              new Promise<void>((r) => {
                let left = count;
                const tick = () => (--left <= 0 ? setTimeout(r, 0) : requestAnimationFrame(tick));
                requestAnimationFrame(tick);
              }),
            n,
          ),
        state: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
        problems: async () =>
          [...problems, ...(await page.evaluate(() => (window as unknown as { __problems: string[] }).__problems))].filter(
            (p) => !blocked.some((d) => p.startsWith(`CSP: ${d} `) || (p.startsWith('console: ') && p.includes(`directive: "${d} `))),
          ),
        expectBlocked: (directive) => void blocked.push(directive),
        close: () => context.close(),
      };
      return tp;
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(out, { recursive: true, force: true });
    },
  };
}

/** The page of the running test, forwarding to whichever page is current (see `pagePerTest`). */
function current(get: () => TestPage): TestPage {
  return {
    get page() {
      return get().page;
    },
    posted: () => get().posted(),
    clearPosted: () => get().clearPosted(),
    send: (msg) => get().send(msg),
    frames: (n) => get().frames(n),
    state: () => get().state(),
    problems: () => get().problems(),
    expectBlocked: (d) => get().expectBlocked(d),
    close: () => get().close(),
  };
}

/**
 * Mocha hooks for a suite of panel tests: one harness (browser and file server) for the suite, a fresh page
 * for each test, and each test fails on any CSP violation, page error or console error it caused. Returns
 * the current test's page; `reopen(opts)` replaces it (a webview reloaded with saved state).
 */
export function pagePerTest(opts: PageOptions = {}): TestPage & { reopen(opts: PageOptions): Promise<void> } {
  let h: Harness;
  let tp: TestPage;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    tp = await h.open(opts);
  });
  afterEach(async function () {
    const problems = await tp.problems();
    await tp.close();
    assert.deepEqual(problems, [], `problems in "${this.currentTest?.title}"`);
  });
  return Object.assign(current(() => tp), {
    async reopen(next: PageOptions) {
      await tp.close();
      tp = await h.open(next);
    },
  });
}

/** Mocha hooks for one page shared by a whole suite (the renderer tests); the suite fails on any page problem. */
export function pageForSuite(opts: PageOptions): TestPage {
  let h: Harness;
  let tp: TestPage;
  before(async () => {
    h = await startHarness();
    tp = await h.open(opts);
  });
  after(async () => {
    if (!h) return;
    try {
      if (tp) assert.deepEqual(await tp.problems(), []);
    } finally {
      await h.close();
    }
  });
  return current(() => tp);
}

/** A finished-or-running entry for panel tests; `over` sets what a test is about. */
export function entryView(over: Partial<EntryView> = {}): EntryView {
  return {
    id: 'e1', app: 'Coder', mode: 'advanced-chat', question: 'How?', answer: '', thinking: '', thinkingDone: false,
    nodes: [], status: 'running', startedAt: 1, canReplaceSelection: true, ...over,
  };
}

/**
 * Host-side moves for a panel test: `send` a message and let its frames run, `init` the panel with a state,
 * `posted` the messages of one type the panel sent.
 */
export function panelDriver(tp: TestPage, defaultState: () => PanelState) {
  const send = async (m: HostMessage) => {
    await tp.send(m);
    await tp.frames();
  };
  return {
    send,
    init: (s: PanelState = defaultState(), l10n: Record<string, string> = {}) => send({ type: 'init', state: s, l10n }),
    posted: async (type: string) => (await tp.posted()).filter((m) => m.type === type),
  };
}
