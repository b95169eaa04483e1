/**
 * `npm run demo` — Dify for VS Code in a real VS Code (served to your browser), against the Dify-compatible test
 * server with the demo apps. Offline; nothing is faked: the extension is INSTALLED (copied like a VSIX would be)
 * into the demo's extensions dir and talks HTTP to the test server.
 *
 *   npm run demo [-- options]
 *     --port <n>            VS Code port (default 8717; keep it stable: your browser stores the API keys per origin)
 *     --host <addr>         listen address (default 127.0.0.1; e.g. 0.0.0.0 to open it from another machine)
 *     --fresh               forget the demo state (.demo/: settings, workspace, the key that seals browser secrets)
 *     --no-build            use the current dist/ instead of running `node esbuild.mjs`
 *     --screenshot <png>    headless: set the workflow app's key through the UI, run "Run Dify Workflow" on
 *                           sample.ts, wait for the streamed answer, save a screenshot, exit
 *
 * API keys: VS Code keeps SecretStorage in the BROWSER (localStorage, sealed with a key half the server keeps in
 * .demo/user/serve-web-key-half), so no server-side script can put keys there without a back door. The demo
 * therefore does what a user does: run "Dify: Set API Key" once per app (keys are printed below — they are the
 * test server's fixed demo keys, not secrets). Because the demo uses code-server's wrapper (which serves that
 * key half) on a stable origin with a persistent .demo/ dir, the keys survive demo restarts in that browser.
 * The --screenshot mode enters its key through the same UI in its own headless browser.
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
  screenshot?: string;
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
    else if (k === '--screenshot') a.screenshot = resolve(v());
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

  if (args.build) {
    say('building the extension (node esbuild.mjs)…');
    const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (b.status !== 0) fail('node esbuild.mjs failed: fix the build (or pass --no-build to demo the current dist/)');
  }
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run node esbuild.mjs');
  ensureTooling();

  const apps = await loadDemoApps();
  const dify = await startDifyTestServer();
  say(`Dify test server: ${dify.url}`);
  const flowise = await startDifyTestServer({ cli: flowiseCli });
  say(`Flowise test server: ${flowise.url}`);
  const flowiseApp = { name: 'Flowise Helper', key: 'flowise-demo-key', mode: 'flowise', chatflowId: 'demo-flowise-chatflow' };

  // Screenshot runs use a throwaway state; the interactive demo keeps .demo/ so browser-stored keys stay valid.
  if (args.fresh && !args.screenshot) rmSync(demoDir, { recursive: true, force: true });
  const sandbox = args.screenshot
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
    ],
    'dify.defaultApp': workflow.name,
    'workbench.colorTheme': 'Default Dark Modern',
  });
  const installed = installExtension(sandbox.extensionsDir);
  say(`extension installed in ${installed}`);

  let port = args.port ?? (args.screenshot ? 0 : DEFAULT_PORT);
  if (!args.port && port && !(await portFree(args.host, port))) {
    say(`port ${port} is busy; using a free one (keys stored in your browser are per port: pass --port to pin it)`);
    port = 0;
  }
  const server = await startServer({
    sandbox,
    host: args.host,
    port,
    flavor: args.screenshot ? 'server-main' : 'code-server',
    graceMs: 3000,
  });
  const url = workbenchUrl(server, { folder: sandbox.workspace, extensionDevelopmentPath: null });

  if (args.screenshot) return screenshotRun(url, sandbox.browserProfile, workflow, args.screenshot);

  const width = Math.max(...apps.map((a) => a.name.length), flowiseApp.name.length);
  console.log(
    [
      '',
      '  Dify for VS Code — demo',
      '',
      `  Open in your browser:  ${url}`,
      '',
      '  Once per browser, store the demo keys: F1 → "Dify: Set API Key" → pick the app → paste its key.',
      '  (The demo keys are fixed test-server keys, not secrets; your browser keeps them for this address.)',
      ...[...apps, flowiseApp].map((a) => `    ${a.name.padEnd(width)}  ${a.key}   (${a.mode})`),
      '',
      `  Then select some code in sample.ts and run "Run Dify Workflow" (default app: ${workflow.name}).`,
      '  Ctrl+C stops VS Code and the test servers.',
      '',
    ].join('\n'),
  );
  return new Promise<never>(() => undefined); // until SIGINT/SIGTERM (handled by the harness: stops everything)
}

/** Headless: key via "Dify: Set API Key", then "Run Dify Workflow" on sample.ts, wait for the answer, screenshot. */
async function screenshotRun(url: string, profile: string, app: DemoApp, out: string): Promise<number> {
  const ui = await import('../test/e2e/workbench');
  const { page } = await launchBrowser({ profileDir: profile, viewport: { width: 1600, height: 1000 } });
  if (process.env.DIFY_HOST_VERBOSE === '1') {
    page.on('console', (m) => m.type() === 'error' && console.error(`[demo] console error: ${m.text().slice(0, 300)}`));
  }
  try {
    return await driveWorkflow(ui, page, url, app, out);
  } catch (e) {
    const failed = out.replace(/\.png$/i, '') + '.failed.png';
    await ui.screenshot(page, failed).catch(() => undefined);
    if (process.env.DIFY_HOST_VERBOSE === '1') {
      for (const f of page.frames()) {
        const text = await f.evaluate(() => document.body?.innerText ?? '').catch((err: Error) => `<${err.message}>`);
        console.error(`[demo] frame ${f.url().slice(0, 140)}: ${JSON.stringify(text.slice(0, 200))}`);
      }
    }
    throw new Error(`${(e as Error).message} (the screen at that moment: ${failed})`);
  }
}

async function driveWorkflow(
  ui: typeof import('../test/e2e/workbench'),
  page: import('playwright-core').Page,
  url: string,
  app: DemoApp,
  out: string,
): Promise<number> {
  await page.goto(url);
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  await ui.openFile(page, 'sample.ts');

  // The key goes in exactly as a user enters it.
  await ui.runCommand(page, 'Dify: Set API Key', 30_000);
  await ui.pickQuickItem(page, app.name);
  await ui.typeInQuickInput(page, app.key, { placeholder: app.name });

  // Select the code, run the workflow, answer whatever the extension asks with its defaults.
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+A');
  await ui.runCommand(page, 'Run Dify Workflow');
  // Looked up afresh on every check: webview frames are replaced when the panel's content reloads.
  const answered = () => ui.webviewFrame(page).getByText('Review summary').first();
  const deadline = Date.now() + 45_000;
  let lastPrompt = '';
  while (!(await answered().isVisible().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('no streamed answer ("Review summary") in the Dify panel within 45 s');
    const qi = ui.quickInput(page);
    if (await qi.isVisible()) {
      // Accept each step's default (picks: the highlighted item; inputs: empty = optional field left out). If the
      // same step is still there with an empty box, the field is required: give it a short text.
      const prompt = (await qi.innerText().catch(() => '')).trim();
      const input = qi.locator('.quick-input-box input');
      const rows = await qi.locator('.quick-input-list .monaco-list-row').count();
      if (prompt === lastPrompt && rows === 0 && !(await input.inputValue())) await input.fill('Please review this code.');
      lastPrompt = prompt;
      await input.press('Enter');
      await page.waitForTimeout(400);
    } else await page.waitForTimeout(250);
  }
  // Let the stream finish (the stop button / progress disappears) before the picture.
  await withTimeout(page.waitForTimeout(3000), 5000, 'settling');
  await ui.screenshot(page, out);
  console.log(`[demo] screenshot saved: ${out}`);
  return 0;
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
