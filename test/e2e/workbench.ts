/**
 * Helpers for UI specs that drive the REAL VS Code workbench (VS Code server 1.139 + headless Chromium) the way a
 * user does: command palette, quick inputs, context menus, webviews, notifications. Specs run in plain Node with
 * mocha (`npm run test:e2e`, see test/e2e/run.ts); every workbench gets its own VS Code server, sandbox (user
 * settings, workspace, XDG dirs) and fresh browser context — so SecretStorage (which lives in the browser) starts
 * empty each time.
 *
 * Timing facts this library absorbs: commands appear in the palette 2–5 s after load (runCommand retries);
 * VS Code ignores clicks in the first ~100 ms after a menu renders; webview frames are replaced when their content
 * reloads (look them up again with webviewFrame); with --enable-smoke-test-driver no notification toasts are
 * shown (read the notification center instead).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import {
  chromiumArgs,
  cleanupAll,
  createSandbox,
  ensureTooling,
  onCleanup,
  relayConsole,
  startDifyTestServer,
  startServer,
  workbenchUrl,
  type DifyTestServer,
  type Sandbox,
  type ServerHandle,
} from '../host/harness';

export { cleanupAll };

/** Default time a helper waits for the UI before failing. */
export const UI_TIMEOUT = 20_000;

export interface OpenWorkbenchOptions {
  /** User settings merged over the harness defaults (e.g. `{'dify.apps': [...]}`). */
  settings?: Record<string, unknown>;
  /** Workspace files (relative path → content); default: test/host/fixtures/workspace. `null`: no folder. */
  files?: Record<string, string> | null;
  /** Load the repo's extension as development extension (default true; false when `vsix` is given). */
  extension?: boolean;
  /** Install this .vsix into the server's extensions dir first, the way `code --install-extension` does. */
  vsix?: string;
  /** Extra environment for the VS Code server and its extension host. */
  env?: NodeJS.ProcessEnv;
  /** Browser viewport (default 1400×900). */
  viewport?: { width: number; height: number };
  /** Relay the extension host's / workbench's console to stderr (also E2E_CONSOLE=1). */
  console?: boolean;
  /** VS Code's own server (default), or code-server around it, as teams host it. */
  flavor?: 'server-main' | 'code-server';
}

export interface Workbench {
  page: Page;
  context: BrowserContext;
  server: ServerHandle;
  sandbox: Sandbox;
  /** Absolute path of the opened workspace folder (undefined when `files: null`). */
  workspace?: string;
  /**
   * Reloads the window (extension host restarts; browser storage such as SecretStorage survives): by default as
   * the browser's refresh does, where VS Code saves its layout only as far as the closing page allows; with
   * `'command'` through "Developer: Reload Window", which saves the layout (open editors, panels) first.
   */
  reload(how?: 'browser' | 'command'): Promise<void>;
  /** Closes the browser context, stops the server, removes the sandbox. */
  close(): Promise<void>;
}

let sharedBrowser: Promise<Browser> | undefined;

/** One headless Chromium for the whole process; each workbench gets a fresh context (empty storage). */
function browser(): Promise<Browser> {
  sharedBrowser ??= chromium
    .launch({ executablePath: ensureTooling().chromium, headless: true, args: chromiumArgs })
    .then((b) => {
      onCleanup('chromium', () => b.close().catch(() => undefined));
      return b;
    });
  return sharedBrowser;
}

let sharedDify: Promise<DifyTestServer> | undefined;

/**
 * The Dify-compatible test server (test/support/dify/cli.ts), started once per process and stopped at exit.
 * Use its `url` (…/v1) as `baseUrl` in `dify.apps`.
 */
export function difyTestServer(): Promise<DifyTestServer> {
  sharedDify ??= startDifyTestServer();
  return sharedDify;
}

/**
 * Starts a VS Code server with the given settings and workspace files, opens the workbench in a fresh browser
 * context (with the repo's extension as development extension) and waits until the workbench is rendered.
 */
export async function openWorkbench(o: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const sandbox = createSandbox({ settings: o.settings, files: o.files });
  if (o.vsix) installVsix(sandbox, o.vsix);
  const server = await startServer({ sandbox, env: o.env, flavor: o.flavor });
  const context = await (await browser()).newContext({ viewport: o.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  if (o.console || process.env.E2E_CONSOLE === '1') {
    relayConsole(page, (l) => console.error(`  [host] ${l}`), { all: process.env.E2E_CONSOLE === 'all' });
  }
  const url = workbenchUrl(server, {
    folder: sandbox.workspace,
    extensionDevelopmentPath: o.extension === false || (o.vsix && o.extension !== true) ? null : undefined,
  });
  const waitReady = async () => {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    // The remote connection (and thus the extension host) is up once the remote indicator shows the host.
    await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 60_000 });
  };
  await page.goto(url);
  await waitReady();
  let closed = false;
  const wb: Workbench = {
    page,
    context,
    server,
    sandbox,
    workspace: sandbox.workspace,
    async reload(how = 'browser') {
      if (how === 'command') {
        // Both awaited together: a command that fails leaves no wait for the page's load rejecting later, unheard.
        await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), runCommand(page, 'Developer: Reload Window')]);
      } else {
        await page.reload();
      }
      await waitReady();
    },
    async close() {
      if (closed) return;
      closed = true;
      unregister();
      await context.close().catch(() => undefined);
      await server.stop();
      sandbox.dispose();
    },
  };
  const unregister = onCleanup('workbench', () => wb.close());
  return wb;
}

/** Installs a VSIX with the VS Code server's own CLI (`server-main.js --install-extension`), as a user would. */
function installVsix(sandbox: Sandbox, vsix: string): void {
  const tooling = ensureTooling();
  const r = spawnSync(
    tooling.node24,
    [tooling.serverMain, '--install-extension', vsix, '--force', '--accept-server-license-terms', '--server-data-dir', sandbox.serverDataDir, '--user-data-dir', sandbox.userDataDir, '--extensions-dir', sandbox.extensionsDir],
    { env: sandbox.env, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
    throw new Error(`installing ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The visible quick input widget (command palette, quick pick, input box). */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/** Rows of the quick input list whose label contains `label` (first match first). */
function quickRows(page: Page, label: string | RegExp): Locator {
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: label });
}

/** Runs a command by its palette title ("View: Toggle Word Wrap"): F1, type, click the row; retries while missing. */
export async function runCommand(page: Page, title: string, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  const exact = new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`);
  for (let attempt = 0; ; attempt++) {
    await closeQuickInput(page);
    await page.keyboard.press('F1');
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.waitFor({ state: 'visible', timeout: 5000 });
    await box.fill(`>${title}`);
    // Prefer the row whose label is exactly the title; fall back to any row containing it.
    const labels = page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
    const exactRow = quickRows(page, title).filter({ has: labels.filter({ hasText: exact }) });
    try {
      await quickRows(page, title).first().waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(500, deadline - Date.now())) });
      const row = (await exactRow.count()) > 0 ? exactRow.first() : quickRows(page, title).first();
      await row.click();
      await quickInput(page).filter({ hasText: title }).waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        await closeQuickInput(page);
        throw new Error(`command "${title}" did not appear in the command palette within ${timeout} ms (${attempt + 1} tries)`, { cause: e });
      }
      await page.waitForTimeout(500);
    }
  }
}

/** Closes the quick input if it is open (Escape). */
export async function closeQuickInput(page: Page): Promise<void> {
  if (await quickInput(page).isVisible()) {
    // Escape goes to whatever has focus: in an editor it would cancel the selection a test just made (the widget
    // can still be fading out, or shown without focus). So it is pressed inside the widget only.
    const box = quickInput(page).locator('.quick-input-box input');
    const focused = await box.evaluate((el) => el === document.activeElement).catch(() => false);
    if (!focused) {
      if (!(await quickInput(page).isVisible())) return;
      await box.focus({ timeout: 2000 }).catch(() => undefined);
    }
    await box.press('Escape', { timeout: 2000 }).catch(() => undefined);
    await quickInput(page).waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
  }
}

/** Clicks the quick pick item whose label contains `label` (string or RegExp), waiting for it to appear. */
export async function pickQuickItem(page: Page, label: string | RegExp, timeout = UI_TIMEOUT): Promise<void> {
  const row = quickRows(page, label).first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/** Labels of the rows currently shown in the quick pick. */
export async function quickItems(page: Page): Promise<string[]> {
  await quickInput(page).waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name').allInnerTexts();
}

/**
 * Types into the open quick input / input box (replacing its value) and presses Enter unless `enter: false`.
 * `placeholder` (optional) first waits for an input whose placeholder or prompt contains that text.
 */
export async function typeInQuickInput(
  page: Page,
  text: string,
  o: { enter?: boolean; placeholder?: string | RegExp; timeout?: number } = {},
): Promise<void> {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: o.timeout ?? UI_TIMEOUT });
  if (o.placeholder) await waitForQuickInputPrompt(page, o.placeholder, o.timeout);
  const box = widget.locator('.quick-input-box input');
  await box.fill(text);
  if (o.enter !== false) await box.press('Enter');
}

/** Waits until the quick input shows a prompt (message below the box), placeholder or title containing `text`. */
export async function waitForQuickInputPrompt(page: Page, text: string | RegExp, timeout = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeout;
  const match = (s: string | null | undefined) => !!s && (typeof text === 'string' ? s.includes(text) : text.test(s));
  while (Date.now() < deadline) {
    const widget = quickInput(page);
    if (await widget.isVisible()) {
      const placeholder = await widget.locator('.quick-input-box input').getAttribute('placeholder').catch(() => null);
      const visibleText = await widget.innerText().catch(() => '');
      if (match(placeholder) || match(visibleText)) return;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`no quick input with prompt ${String(text)} within ${timeout} ms`);
}

/**
 * The content frame of the (first visible) webview: `iframe.webview` → `iframe#active-frame`. Frames are replaced
 * when the webview reloads, so call this again after reloads instead of keeping the locator around.
 */
export function webviewFrame(page: Page): FrameLocator {
  // Hidden webviews (background tabs) keep their iframes; the visible one is the panel the user sees.
  return page.locator('iframe.webview:visible').first().contentFrame().frameLocator('iframe#active-frame');
}

/**
 * Right-clicks in the active text editor (at the given line-relative position, default the first line) and clicks
 * the context-menu item `label`. Waits past VS Code's ~100 ms click guard after the menu renders.
 */
export async function rightClickEditorAndChoose(page: Page, label: string | RegExp, o: { line?: number } = {}): Promise<void> {
  const lines = page.locator('.monaco-editor .view-lines').first();
  await lines.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  const target = o.line ? lines.locator('.view-line').nth(o.line - 1) : lines;
  await target.click({ button: 'right', position: o.line ? { x: 5, y: 5 } : { x: 20, y: 8 } });
  // Context menus live in a shadow root; Playwright's CSS engine pierces open shadow roots.
  const item = page.locator('.monaco-menu .action-item:not(.disabled) .action-label').filter({ hasText: label }).first();
  await item.waitFor({ state: 'visible', timeout: 5000 });
  await page.waitForTimeout(200);
  await item.click();
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab to be active. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = relativePath.split('/').pop()!;
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  await typeInQuickInput(page, relativePath, { enter: false });
  await pickQuickItem(page, name);
  await waitForActiveTab(page, name);
}

/** Waits until the active editor tab shows the file `name` (e.g. "settings.json"). */
export async function waitForActiveTab(page: Page, name: string, timeout = UI_TIMEOUT): Promise<void> {
  await page
    .locator(`.editor-group-container.active .tabs-container .tab.active[data-resource-name="${name.replace(/"/g, '\\"')}"]`)
    .waitFor({ state: 'visible', timeout });
}

/** Text of the active editor's visible lines (what is rendered; long files are virtualized). */
export async function activeEditorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await lines.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  // innerText uses non-breaking spaces for indentation; normalize them.
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/** File name of the active editor tab ("sample.ts", "settings.json"). */
export async function activeTabTitle(page: Page): Promise<string> {
  const tab = page.locator('.editor-group-container.active .tabs-container .tab.active').first();
  await tab.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  return (await tab.getAttribute('data-resource-name')) ?? (await tab.innerText()).trim();
}

/**
 * Messages in the notification center (opened via the status-bar bell, then closed again). With
 * --enable-smoke-test-driver toasts are not shown, so this is how specs read notifications.
 */
export async function notifications(page: Page): Promise<string[]> {
  const center = page.locator('.notifications-center');
  const wasOpen = await center.isVisible();
  if (!wasOpen) {
    await toggleNotificationCenter(page);
    // A click can land while the bell's hover ("1 New Notification") is being drawn and do nothing: ask again.
    const opened = await center.waitFor({ state: 'visible', timeout: 2500 }).then(() => true, () => false);
    if (!opened) await runCommand(page, 'Notifications: Show Notifications');
  }
  await center.waitFor({ state: 'visible', timeout: 5000 });
  const messages = await center.locator('.notification-list-item-message').allInnerTexts();
  if (!wasOpen) await toggleNotificationCenter(page);
  return messages.map((m) => m.trim());
}

/** Waits until a notification containing `text` is in the notification center; returns its full message. */
export async function waitForNotification(page: Page, text: string | RegExp, timeout = UI_TIMEOUT): Promise<string> {
  const deadline = Date.now() + timeout;
  const match = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await notifications(page);
    const hit = last.find(match);
    if (hit) return hit;
    await page.waitForTimeout(300);
  }
  throw new Error(`no notification matching ${String(text)} within ${timeout} ms; seen: ${JSON.stringify(last)}`);
}

/** Clicks the status-bar bell (or runs "Notifications: Toggle Notifications" if the bell is hidden). */
async function toggleNotificationCenter(page: Page): Promise<void> {
  if (await dialog(page).isVisible()) {
    throw new Error(`a modal dialog blocks the workbench: ${JSON.stringify(await dialogMessage(page))}`);
  }
  const bell = page.locator('#status\\.notifications a, .statusbar-item[id="status.notifications"] a').first();
  if (await bell.isVisible()) await bell.click();
  else await runCommand(page, 'Notifications: Toggle Notifications');
}

/** The modal dialog (e.g. from `showInformationMessage(…, { modal: true })`), if one is open. */
export function dialog(page: Page): Locator {
  return page.locator('.monaco-dialog-box');
}

/** Waits for a modal dialog and returns its message (title line and detail). */
export async function dialogMessage(page: Page, timeout = UI_TIMEOUT): Promise<string> {
  const box = dialog(page);
  await box.waitFor({ state: 'visible', timeout });
  const parts = await box.locator('.dialog-message-text, .dialog-message-detail').allInnerTexts();
  return parts.map((p) => p.trim()).filter(Boolean).join('\n');
}

/** Clicks the button `label` of the open modal dialog and waits for it to close. */
export async function clickDialogButton(page: Page, label: string | RegExp, timeout = UI_TIMEOUT): Promise<void> {
  const box = dialog(page);
  await box.waitFor({ state: 'visible', timeout });
  await box.locator('.dialog-buttons .monaco-button').filter({ hasText: label }).first().click();
  await box.waitFor({ state: 'hidden', timeout });
}

/** Saves a PNG screenshot of the whole window (creating the folder). */
export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: false });
}

/** Path under out/e2e/ for artifacts (screenshots of failures etc.). */
export function artifactPath(name: string): string {
  return join(__dirname, '..', '..', 'out', 'e2e', name);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
