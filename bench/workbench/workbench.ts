// What the workbench benches share: a real VS Code (the VS Code server from code-server, as test/e2e uses it) in
// headless Chromium, with the Dify extension as development extension and any bench extensions installed beside
// it; the webview frames of an extension; the clock offset between this process and a page; and statistics.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { chromiumArgs, createSandbox, ensureTooling, onCleanup, startServer, workbenchUrl, type Sandbox, type ServerHandle } from '../../test/host/harness';

export interface BenchWorkbench {
  page: Page;
  context: BrowserContext;
  browser: Browser;
  server: ServerHandle;
  sandbox: Sandbox;
  /** Reloads the window as the browser's refresh does (a new extension host; browser storage is kept). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

export interface BenchWorkbenchOptions {
  settings: Record<string, unknown>;
  /** Extension folders installed beside the development extension (named publisher.name-version there). */
  extensions?: { dir: string; id: string }[];
  /** Environment of the VS Code server and its extension hosts. */
  env?: NodeJS.ProcessEnv;
  /** A script run at the start of every document of every frame (Playwright's addInitScript). */
  initScript?: { fn: (arg: unknown) => void; arg: unknown };
}

/** Starts a VS Code server in a fresh sandbox and opens its workbench; everything is stopped by `close()` or at exit. */
export async function openBenchWorkbench(o: BenchWorkbenchOptions): Promise<BenchWorkbench> {
  const sandbox = createSandbox({ settings: o.settings });
  for (const x of o.extensions ?? []) cpSync(x.dir, join(sandbox.extensionsDir, x.id), { recursive: true });
  const server = await startServer({ sandbox, env: o.env });
  const browser = await chromium.launch({ executablePath: ensureTooling().chromium, headless: true, args: chromiumArgs });
  onCleanup('bench chromium', () => browser.close().catch(() => undefined));
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  if (o.initScript) await context.addInitScript(o.initScript.fn, o.initScript.arg);
  const page = await context.newPage();
  const ready = async () => {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 60_000 });
  };
  await page.goto(workbenchUrl(server, { folder: sandbox.workspace }));
  await ready();
  return {
    page,
    context,
    browser,
    server,
    sandbox,
    async reload() {
      await page.reload();
      await ready();
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      sandbox.dispose();
    },
  };
}

/** The content frame of `extensionId`'s webview (VS Code's `fake.html` frame inside the webview's `index.html`). */
export function webviewContent(page: Page, extensionId: string): Frame | undefined {
  return page.frames().find((f) => f.url().includes('/fake.html') && !!f.parentFrame()?.url().includes(`extensionId=${encodeURIComponent(extensionId)}`));
}

/** Waits until `extensionId`'s webview shows an element matching `selector`; returns its content frame. */
export async function waitForWebview(page: Page, extensionId: string, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = webviewContent(page, extensionId);
    if (f && (await f.locator(selector).count().catch(() => 0)) > 0) return f;
    if (Date.now() > deadline) throw new Error(`the webview of ${extensionId} did not show ${selector} within ${timeoutMs} ms`);
    await page.waitForTimeout(100);
  }
}

/**
 * Functions handed to a page are compiled by tsx with esbuild's keepNames, which wraps nested functions in calls to
 * its `__name` helper: the page needs one too. Call before `frame.evaluate` of such a function.
 */
export async function allowNamedFunctions(frame: Frame): Promise<void> {
  await frame.evaluate('globalThis.__name ??= (f) => f');
}

/** This process's clock for comparing with a page's: both `performance.timeOrigin + performance.now()` (epoch ms). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * How far a frame's clock is ahead of this process's (ms), from the round trip with the least delay of `n`: both
 * read `performance.timeOrigin + performance.now()`, but each process fixed its time origin from the wall clock
 * when it started.
 */
export async function clockOffset(frame: Frame, n = 15): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  for (let i = 0; i < n; i++) {
    const a = epochNow();
    const f = await frame.evaluate(() => performance.timeOrigin + performance.now());
    const b = epochNow();
    if (b - a < best.rttMs) best = { offsetMs: f - (a + b) / 2, rttMs: b - a };
  }
  return best;
}

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** The q-quantile, interpolated between the closest ranks. */
export function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

export interface Summary {
  n: number;
  median: number;
  p95: number;
  /** The middle half (25th–75th percentile) and the extremes. */
  p25: number;
  p75: number;
  min: number;
  max: number;
}

export function summarize(xs: number[]): Summary {
  return { n: xs.length, median: median(xs), p95: quantile(xs, 0.95), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Logs a progress line (the bench's step watchdog stops a step that stays silent). */
export const say = (m: string): void => console.log(`[workbench bench] ${m}`);
