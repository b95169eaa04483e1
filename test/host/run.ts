/**
 * `npm run test:host` — runs the mocha suite test/host/suite/**\/*.test.ts INSIDE a real VS Code extension host
 * (VS Code server 1.139 from code-server@4.139.1 + headless Debian Chromium), offline.
 *
 *   npm run test:host [-- options]
 *     --grep <regexp>          only tests whose full title matches
 *     --settings <file|json>   extra user settings (repeatable; later wins). String values may contain
 *                              ${difyUrl} and ${workspace}, replaced before writing settings.json.
 *     --config-json <json>     extra fields for the in-host config (hostTestConfig())
 *     --dify                   start the Dify test server (test/support/dify/cli.ts) first; its URL reaches the
 *                              suite as hostTestConfig().difyUrl and settings as ${difyUrl}. (Suites can also
 *                              start it in-process, as test/host/suite/support.ts does.)
 *     --no-build               skip `node esbuild.mjs` (the extension bundle) — the suite is always rebundled
 *     --timeout <seconds>      overall limit (default 600)
 *     --verbose                server log + every page console message
 *     --keep                   keep the sandbox dir (also DIFY_HOST_KEEP=1)
 *     --extension <dir>        the extensionDevelopmentPath (default: this repo; the bench uses an empty extension)
 *
 * Steps: ensure tooling → bundle extension and suite → sandbox (XDG_*, TMPDIR, settings, workspace with
 * sample.ts and notes.md from test/host/fixtures/workspace) → optional Dify test server → VS Code server (own process group) → Chromium opens
 * the workbench with extensionDevelopmentPath=<repo> and extensionTestsPath=out/host/index.js → the extension
 * host's console is relayed here → exit with the suite's code. Everything started is stopped at the end.
 *
 * The suite gets its configuration through the JSON file named by DIFY_HOST_TEST_CONFIG (see test/host/config.ts).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHostSuite } from './build';
import type { HostTestConfig } from './config';
import {
  cleanupAll,
  createSandbox,
  ensureTooling,
  launchBrowser,
  relayConsole,
  repoRoot,
  startDifyTestServer,
  startServer,
  withTimeout,
  workbenchUrl,
} from './harness';

interface Args {
  grep?: string;
  settings: Record<string, unknown>;
  configJson: Record<string, unknown>;
  dify: boolean;
  build: boolean;
  timeoutS: number;
  verbose: boolean;
  keep: boolean;
  extension?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { settings: {}, configJson: {}, dify: false, build: true, timeoutS: 600, verbose: false, keep: false };
  const json = (v: string) => JSON.parse(v.trim().startsWith('{') ? v : readFileSync(v, 'utf8'));
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--grep' || k === '-g') a.grep = next();
    else if (k === '--settings') Object.assign(a.settings, json(next()));
    else if (k === '--config-json') Object.assign(a.configJson, json(next()));
    else if (k === '--dify') a.dify = true;
    else if (k === '--no-dify') a.dify = false;
    else if (k === '--no-build') a.build = false;
    else if (k === '--timeout') a.timeoutS = Number(next());
    else if (k === '--verbose') a.verbose = true;
    else if (k === '--keep') a.keep = true;
    else if (k === '--extension') a.extension = next();
    else if (k === '--help' || k === '-h') {
      console.log(readFileSync(__filename, 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown option ${k} (see --help)`);
  }
  return a;
}

/** Replaces ${name} in every string value (deep). */
function substitute<T>(value: T, vars: Record<string, string | undefined>): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}/g, (m, n: string) => vars[n] ?? m) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  }
  return value;
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const args = parseArgs(process.argv.slice(2));
  const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
  const say = (m: string) => console.log(`[host ${stamp()}] ${m}`);

  ensureTooling();
  if (args.build) {
    const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) {
      throw new Error('node esbuild.mjs failed: the extension does not build (pass --no-build to use the last dist/)');
    }
  }
  const index = await buildHostSuite();
  say('tooling ready, extension and suite bundled');

  let difyUrl: string | undefined;
  if (args.dify) {
    difyUrl = (await startDifyTestServer()).url;
    say(`Dify test server at ${difyUrl}`);
  }

  const sandbox = createSandbox({ keep: args.keep });
  // Another extension that uses VS Code's language models (test/host/fixtures/lm-consumer), installed beside ours.
  cpSync(join(repoRoot, 'test', 'host', 'fixtures', 'lm-consumer'), join(sandbox.extensionsDir, 'dify-tests.lm-consumer-0.0.1'), { recursive: true });
  const vars = { difyUrl, workspace: sandbox.workspace };
  sandbox.writeSettings(substitute(args.settings, vars));
  const config: HostTestConfig = {
    ...args.configJson,
    difyUrl,
    workspace: sandbox.workspace,
    sandbox: sandbox.dir,
    grep: args.grep,
  };
  const configFile = join(sandbox.dir, 'host-test-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));

  const server = await startServer({
    sandbox,
    env: { DIFY_HOST_TEST_CONFIG: configFile },
    verbose: args.verbose,
  });
  say(`VS Code server listening on ${server.origin}`);

  const { page } = await launchBrowser({ profileDir: sandbox.browserProfile });
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  // Must be exposed before the workbench loads: it calls window.codeAutomationExit(code) when run() settles.
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
  const relay = relayConsole(page, (line) => console.log(line), { all: args.verbose });
  page.on('pageerror', (e) => args.verbose && console.error(`[page error] ${e.message}`));
  page.on('crash', () => resolveExit(70));

  const url = workbenchUrl(server, { folder: sandbox.workspace, extensionTestsPath: index, extensionDevelopmentPath: args.extension });
  if (args.verbose) say(`opening ${url}`);
  await page.goto(url);
  say('workbench loading; running the suite in the extension host');

  const code = await withTimeout(exited, args.timeoutS * 1000, 'the in-host test run').catch((e: Error) => {
    console.error(`[host] ${e.message} (raise it with --timeout <seconds>; last server log:\n${server.log().slice(-2000)})`);
    return 124;
  });
  await relay.flush();
  say(`suite finished with exit code ${code}`);
  return code;
}

main()
  .catch((e: Error) => {
    console.error(`[host] ${e.stack ?? e.message}`);
    return 1;
  })
  .then(async (code) => {
    const t = Date.now();
    await cleanupAll();
    if (process.env.DIFY_HOST_VERBOSE === '1') console.log(`[host] cleanup took ${Date.now() - t} ms`);
    process.exit(code);
  });
