/**
 * `npm run demo` — Dify for VS Code in a real VS Code served to your browser, against the project's Dify- and
 * Flowise-compatible test servers with demo apps. Offline; nothing is faked: the extension is installed (copied as a
 * VSIX would be) into the demo's extensions folder and talks HTTP to the test servers. On a fresh machine it first
 * installs Chromium, fonts, Node 24 and the VS Code server (scripts/tooling.mjs), a few minutes once.
 *
 *   npm run demo [-- options]
 *     --port <n>             VS Code port (default 8717; keep it stable: your browser keeps the API keys per address)
 *     --host <addr>          listen address (default 127.0.0.1; e.g. 0.0.0.0 to open it from another machine)
 *     --fresh                forget the demo state (.demo/: settings, workspace, the key that seals browser secrets)
 *     --no-build             use the current dist/ instead of running `node esbuild.mjs`
 *     --screenshots <dir>    headless: follow the printed tour (demo.png), then ask a chat app in Chinese
 *                            (chinese.png), save both pictures and exit
 *
 * API keys: VS Code keeps secret storage in the browser, so the demo cannot put a key there without a back door; the
 * tour has the user paste one demo key when VS Code asks for it (the test servers' fixed keys, not secrets). The
 * demo runs code-server's wrapper on a stable address with a kept .demo/ folder, so keys survive demo restarts.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import {
  cleanupAll,
  createSandbox,
  defaultFiles,
  difyCli,
  ensureTooling,
  launchBrowser,
  repoRoot,
  flowiseCli,
  startDifyTestServer,
  startServer,
  withTimeout,
  workbenchUrl,
} from '../test/host/harness';

const DEFAULT_PORT = 8717;
const demoDir = join(repoRoot, '.demo');

interface Args {
  port?: number;
  host: string;
  fresh: boolean;
  build: boolean;
  screenshots?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { host: '127.0.0.1', fresh: false, build: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i] ?? fail(`${k} needs a value`);
    if (k === '--port') a.port = Number(v());
    else if (k === '--host') a.host = v();
    else if (k === '--fresh') a.fresh = true;
    else if (k === '--no-build') a.build = false;
    else if (k === '--screenshots') a.screenshots = resolve(v());
    else if (k === '--help' || k === '-h') {
      console.log(readFileSync(__filename, 'utf8').split('*/')[0]);
      process.exit(0);
    } else fail(`unknown option ${k} (see --help)`);
  }
  return a;
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** True if host:port can be bound right now. */
function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createServer();
    s.once('error', () => r(false));
    s.listen(port, host, () => s.close(() => r(true)));
  });
}

/** Files a VSIX of this extension contains (see .vscodeignore), copied into <extensions>/<publisher>.<name>-<version>. */
function installExtension(extensionsDir: string): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  // Replace any earlier copy (other versions too) so the server sees exactly one, current build.
  for (const d of existsSync(extensionsDir) ? readdirSync(extensionsDir) : []) {
    if (d.startsWith(`${pkg.publisher}.${pkg.name}-`) || d === 'extensions.json' || d === '.obsolete') {
      rmSync(join(extensionsDir, d), { recursive: true, force: true });
    }
  }
  const target = join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  mkdirSync(target, { recursive: true });
  const include = [
    'package.json',
    'package.nls.json',
    'package.nls.zh-cn.json',
    'README.md',
    'CHANGELOG.md',
    'LICENSE',
    'dist',
    'media',
    'l10n',
  ];
  for (const f of include) {
    const src = join(repoRoot, f);
    if (existsSync(src)) {
      cpSync(src, join(target, f), {
        recursive: true,
        filter: (p) => !p.endsWith('.map') && !p.endsWith('.meta.json'),
      });
    }
  }
  return target;
}

interface DemoApp {
  key: string;
  name: string;
  mode: string;
}

async function loadDemoApps(): Promise<DemoApp[]> {
  const mod = (await import('../test/support/dify/apps')) as { demoApps(): DemoApp[] };
  return mod.demoApps();
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(difyCli)) {
    fail(`the demo needs the Dify test server ${difyCli}, which does not exist yet`);
  }
  const say = (m: string) => console.log(`[demo] ${m}`);
  // First: on a fresh machine this installs the browser and the VS Code server, or says the one command to run.
  ensureTooling();

  if (args.build) {
    say('building the extension (node esbuild.mjs)…');
    const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (b.status !== 0) fail('node esbuild.mjs failed: fix the build (or pass --no-build to demo the current dist/)');
  }
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run node esbuild.mjs');

  const apps = await loadDemoApps();
  const dify = await startDifyTestServer();
  say(`Dify test server: ${dify.url}`);
  const flowise = await startDifyTestServer({ cli: flowiseCli });
  say(`Flowise test server: ${flowise.url}`);
  const flowiseApp = { name: 'Flowise Helper', key: 'flowise-demo-key', mode: 'flowise', chatflowId: 'demo-flowise-chatflow' };
  // An agentflow with a Human Input node (no key): it stops and asks to proceed or reject.
  const flowiseApproval = { name: 'Flowise Approval', key: '(none)', mode: 'flowise', chatflowId: 'demo-flowise-approval' };

  // Screenshot runs use a throwaway state; the interactive demo keeps .demo/ so browser-stored keys stay valid.
  if (args.fresh && !args.screenshots) rmSync(demoDir, { recursive: true, force: true });
  const sandbox = args.screenshots
    ? createSandbox({ settings: {} })
    : createSandbox({ dir: demoDir, files: existsSync(join(demoDir, 'workspace')) ? null : defaultFiles() });
  if (!sandbox.workspace) sandbox.workspace = join(demoDir, 'workspace');
  const workflow = apps.find((a) => a.mode === 'workflow') ?? apps[0];
  sandbox.writeSettings({
    // The workflow app takes its `code` input from the editor selection (an input template, as users configure it).
    'dify.apps': [
      ...apps.map((a) =>
        a === workflow ? { name: a.name, baseUrl: dify.url, inputs: { code: '${selection}' } } : { name: a.name, baseUrl: dify.url },
      ),
      { name: flowiseApp.name, provider: 'flowise', baseUrl: flowise.url, chatflowId: flowiseApp.chatflowId },
      { name: flowiseApproval.name, provider: 'flowise', baseUrl: flowise.url, chatflowId: flowiseApproval.chatflowId },
    ],
    'dify.defaultApp': workflow.name,
    'workbench.colorTheme': 'Default Dark Modern',
  });
  const installed = installExtension(sandbox.extensionsDir);
  say(`extension installed in ${installed}`);

  let port = args.port ?? (args.screenshots ? 0 : DEFAULT_PORT);
  if (!args.port && port && !(await portFree(args.host, port))) {
    say(`port ${port} is busy; using a free one (keys stored in your browser are per port: pass --port to pin it)`);
    port = 0;
  }
  const server = await startServer({
    sandbox,
    host: args.host,
    port,
    flavor: args.screenshots ? 'server-main' : 'code-server',
    graceMs: 3000,
  });
  const url = workbenchUrl(server, { folder: sandbox.workspace, extensionDevelopmentPath: null });

  if (args.screenshots) {
    return screenshotRun(url, sandbox.browserProfile, { workflow, chat: apps.find((a) => a.mode === 'chat') ?? apps[0] }, args.screenshots);
  }

  const chat = apps.find((a) => a.mode === 'chat') ?? apps[0];
  const width = Math.max(...apps.map((a) => a.name.length), flowiseApp.name.length);
  const approval = apps.find((a) => a.name === 'Release Approval');
  console.log(
    [
      '',
      '  Dify for VS Code — demo: a real VS Code with the extension, and local servers that speak Dify\'s and Flowise\'s APIs',
      '',
      `  1. Open ${url}`,
      '  2. In the Explorer, open sample.ts and select the function `add`.',
      '  3. Right-click the selection → "Ask Dify About Selection".',
      `  4. VS Code asks for the API key of ${workflow.name} (the app on ${new URL(dify.url).host}). Paste:  ${workflow.key}`,
      '  5. The Dify panel opens and streams the review: the model\'s thinking (click "Thinking"), each workflow',
      '     step, 中文 and a code block with Copy, Insert and Apply.',
      '',
      `  Then: pick "${chat.name}" at the bottom of the panel and ask in Chinese, e.g. 这段代码有什么可以改进的地方？`,
      `  (its key: ${chat.key}). Every app has a key; "Dify: Set API Key" stores the others:`,
      ...[...apps, flowiseApp, flowiseApproval].map((a) => `    ${a.name.padEnd(width)}  ${a.key.padEnd(22)} ${a.mode}`),
      ...(approval
        ? ['', `  Human input: pick "${approval.name}" and send what changed. The run pauses with a form in its entry; fill it and`,
          '  press Approve: the run goes on there ("Dify: Answer Waiting Form…" answers from the palette; reload the window',
          '  while it waits, and it is still there to answer).']
        : []),
      '',
      '  Ctrl+C stops VS Code and the test servers. Your keys stay in this browser for this address.',
      '',
    ].join('\n'),
  );
  return new Promise<never>(() => undefined); // until SIGINT/SIGTERM (handled by the harness: stops everything)
}

type Ui = typeof import('../test/e2e/workbench');
type Page = import('playwright-core').Page;

/** Headless: the printed tour step by step (demo.png), then a question in Chinese to a chat app (chinese.png). */
async function screenshotRun(url: string, profile: string, apps: { workflow: DemoApp; chat: DemoApp }, dir: string): Promise<number> {
  const ui = await import('../test/e2e/workbench');
  const { page } = await launchBrowser({ profileDir: profile, viewport: { width: 1600, height: 1000 } });
  if (process.env.DIFY_HOST_VERBOSE === '1') {
    page.on('console', (m) => m.type() === 'error' && console.error(`[demo] console error: ${m.text().slice(0, 300)}`));
  }
  let step = 'the tour';
  try {
    const t0 = Date.now();
    await tour(ui, page, url, apps.workflow);
    await settle(ui, page);
    await ui.screenshot(page, join(dir, 'demo.png'));
    console.log(`[demo] the tour answered ${((Date.now() - t0) / 1000).toFixed(1)} s after the URL opened; saved ${join(dir, 'demo.png')}`);
    step = 'the Chinese conversation';
    await chineseConversation(ui, page, apps.chat);
    await ui.screenshot(page, join(dir, 'chinese.png'));
    console.log(`[demo] saved ${join(dir, 'chinese.png')}`);
    return 0;
  } catch (e) {
    const failed = join(dir, 'failed.png');
    await ui.screenshot(page, failed).catch(() => undefined);
    throw new Error(`${step}: ${(e as Error).message} (the screen at that moment: ${failed})`);
  }
}

/** What the printed tour tells a newcomer to do, click for click. */
async function tour(ui: Ui, page: Page, url: string, app: DemoApp): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await ui.openFile(page, 'sample.ts');
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+A');
  // The context menu's command is there once the extension's contributions are: retry until it is.
  await withTimeout(
    (async () => {
      for (;;) {
        const ok = await ui.rightClickEditorAndChoose(page, 'Ask Dify About Selection').then(() => true, () => false);
        if (ok) return;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(500);
      }
    })(),
    30_000,
    'the editor context menu offering "Ask Dify About Selection"',
  );
  await ui.waitForQuickInputPrompt(page, `API key of ${app.name}`, 30_000);
  await ui.typeInQuickInput(page, app.key);
  await ui.webviewFrame(page).getByText('Review summary').first().waitFor({ timeout: 45_000 });
}

/** Waits for the last entry to finish, then opens its thinking part for the picture. */
async function settle(ui: Ui, page: Page): Promise<void> {
  const entry = ui.webviewFrame(page).locator('.entry').last();
  await entry.locator('.status').filter({ hasText: /Succeeded/ }).waitFor({ timeout: 45_000 });
  const thinking = entry.locator('details.thinking');
  if ((await thinking.count()) && !(await thinking.evaluate((d) => (d as HTMLDetailsElement).open))) await thinking.locator('summary').click();
  await page.waitForTimeout(500);
}

/** The chat app asked in Chinese from the panel's message box: a qwen3-style answer with its thinking. */
async function chineseConversation(ui: Ui, page: Page, app: DemoApp): Promise<void> {
  await ui.runCommand(page, 'Dify: Set API Key');
  await ui.pickQuickItem(page, app.name);
  await ui.typeInQuickInput(page, app.key, { placeholder: app.name });
  const panel = ui.webviewFrame(page);
  await panel.locator('.app-select').selectOption(app.name);
  const input = panel.locator('.composer textarea');
  await input.fill('这段代码有什么可以改进的地方？');
  await input.press('Enter');
  await panel.getByText('代码评审').first().waitFor({ timeout: 45_000 });
  await settle(ui, page);
}

main()
  .catch((e: Error) => {
    console.error(`[demo] ${e.message}`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  });
