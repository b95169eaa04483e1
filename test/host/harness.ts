/**
 * Shared machinery for running the extension in a REAL VS Code (the VS Code server shipped in the npm package
 * code-server@4.139.1, served to headless Debian Chromium driven by playwright-core). Used by the in-host test
 * runner (test/host/run.ts), the UI specs (test/e2e/workbench.ts) and `npm run demo` (scripts/demo.ts).
 *
 * Runs under the machine's Node (20); only the VS Code server itself runs under Node 24 from the tooling cache.
 * Every process started here is registered for cleanup: its whole process group is killed on normal exit,
 * on failures and on SIGINT/SIGTERM. Nothing we did not start is ever killed.
 * See /work/shared/real-host-testing.md for the recipe this follows.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type Dirent,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Absolute path of the repository (the extension's folder). */
export const repoRoot = resolve(__dirname, '..', '..');

/** Where the tooling lives, as printed by scripts/tooling.mjs. */
export interface Tooling {
  cache: string;
  /** Node 24 binary; runs server-main.js (VS Code 1.139 needs it for its native modules). */
  node24: string;
  /** lib/vscode/out/server-main.js of code-server@4.139.1. */
  serverMain: string;
  /** code-server's own entry (out/node/entry.js): the wrapper used by the demo (persists SecretStorage). */
  codeServerEntry: string;
  chromium: string;
}

let toolingMemo: Tooling | undefined;

/** Installs (cold, minutes) or finds (warm, milliseconds) the tooling through scripts/tooling.mjs. */
export function ensureTooling(): Tooling {
  if (toolingMemo) return toolingMemo;
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/tooling.mjs'), 'server'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`the real VS Code cannot start here: scripts/tooling.mjs failed (exit ${r.status}), see above`);
  toolingMemo = JSON.parse(r.stdout.trim().split('\n').pop()!) as Tooling;
  return toolingMemo;
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup registry: process groups, browsers, temp dirs. Runs once, in reverse order of registration.

type Cleanup = { name: string; run: () => void | Promise<void>; sync?: () => void };
const cleanups: Cleanup[] = [];
let signalsInstalled = false;

/** Registers something to undo at the end; `sync` (if given) is also run from process.on('exit'). */
export function onCleanup(name: string, run: () => void | Promise<void>, sync?: () => void): () => void {
  installSignalHandlers();
  const c: Cleanup = { name, run, sync };
  cleanups.push(c);
  return () => {
    const i = cleanups.indexOf(c);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** Runs (and forgets) all registered cleanups, newest first. Never throws. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const c = cleanups.pop()!;
    const t = Date.now();
    try {
      await withTimeout(Promise.resolve(c.run()), 10_000, `cleanup ${c.name}`);
      if (process.env.DIFY_HOST_VERBOSE === '1') console.error(`[host] cleanup ${c.name}: ${Date.now() - t} ms`);
    } catch (e) {
      console.error(`[host] cleanup ${c.name} failed: ${(e as Error).message}`);
      try {
        c.sync?.();
      } catch {
        /* best effort */
      }
    }
  }
}

function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      console.error(`\n[host] ${sig}: stopping everything this run started…`);
      void cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  // Last resort (e.g. process.exit() from elsewhere): synchronous kills only.
  process.on('exit', () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        c.sync?.();
      } catch {
        /* best effort */
      }
    }
  });
}

/** Rejects with `what timed out after …` if `p` takes longer than `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

/**
 * Spawns `cmd` in its own process group (detached) and registers a cleanup that kills the whole group
 * (SIGTERM, then SIGKILL after `graceMs`, default 3 s). Returns the child (stdout/stderr are pipes) and `stop()`,
 * which does the same kill now and forgets the cleanup.
 */
export function spawnGroup(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: 'ignore' | 'pipe'; graceMs?: number } = {},
): { child: ChildProcess; stop: () => Promise<void> } {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? process.env,
    detached: true,
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid!;
  let exited = false;
  child.once('exit', () => (exited = true));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch {
      return false; // group already gone
    }
  };
  const stopGroup = async () => {
      if (!killGroup('SIGTERM')) return;
      const deadline = Date.now() + (opts.graceMs ?? 3000);
      while (Date.now() < deadline) {
        await sleep(100);
        // group still alive? signal 0 probes without killing
        if (!killGroup(0 as unknown as NodeJS.Signals)) return;
      }
      killGroup('SIGKILL');
      if (!exited) await sleep(100);
  };
  const unregister = onCleanup(name, stopGroup, () => void killGroup('SIGKILL'));
  return {
    child,
    stop: async () => {
      unregister();
      await stopGroup();
    },
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// Sandbox: a fresh temp dir with XDG_* / TMPDIR, server/user/extensions dirs, user settings and a workspace.

/** Default user settings: quiet, deterministic workbench without AI features, telemetry or startup editors. */
export const defaultSettings: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'window.commandCenter': false,
  'editor.minimap.enabled': false,
  'files.hotExit': 'off',
  'github.gitAuthentication': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'typescript.tsserver.web.projectWideIntellisense.enabled': false,
  'npm.fetchOnlinePackageInfo': false,
};

/** Folder whose files seed every workspace by default (also the @vscode/test-cli workspace). */
export const fixtureWorkspace = join(repoRoot, 'test', 'host', 'fixtures', 'workspace');

/** Files of the default workspace folder: test/host/fixtures/workspace (sample.ts, notes.md). */
export function defaultFiles(): Record<string, string> {
  return Object.fromEntries(
    (readdirSync(fixtureWorkspace, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((d) => d.isFile())
      .map((d) => {
        const abs = join(d.parentPath, d.name);
        return [relative(fixtureWorkspace, abs), readFileSync(abs, 'utf8')];
      }),
  );
}

export interface SandboxOptions {
  /** Extra user settings, merged over {@link defaultSettings}. */
  settings?: Record<string, unknown>;
  /** Workspace files (relative path → content); default {@link defaultFiles}(). `null` for no workspace folder. */
  files?: Record<string, string> | null;
  /** Keep the directory afterwards (for debugging); also DIFY_HOST_KEEP=1. */
  keep?: boolean;
  /** Use this directory instead of a fresh temp dir (the demo keeps state in `.demo/`). */
  dir?: string;
}

export interface Sandbox {
  dir: string;
  serverDataDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** The workspace folder, or undefined when `files: null`. */
  workspace?: string;
  /** Browser profile dir (fresh per sandbox: SecretStorage lives here, so it starts empty). */
  browserProfile: string;
  /** Environment for child processes: XDG_* and TMPDIR inside the sandbox. */
  env: NodeJS.ProcessEnv;
  /** Writes the user settings file (defaults + `settings`). */
  writeSettings(settings: Record<string, unknown>): void;
  /** Removes the directory now (unless kept or caller-provided) and forgets its cleanup. */
  dispose(): void;
}

/** Creates a sandbox dir (removed at cleanup unless `keep`). */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const dir = opts.dir ?? mkdtempSync(join(process.env.DIFY_HOST_TMP ?? tmpdir(), 'dify-host-'));
  const p = (...s: string[]) => {
    const f = join(dir, ...s);
    mkdirSync(f, { recursive: true });
    return f;
  };
  const sandbox: Sandbox = {
    dir,
    serverDataDir: p('server'),
    userDataDir: p('user'),
    extensionsDir: p('extensions'),
    browserProfile: p('browser'),
    env: {
      ...process.env,
      XDG_CONFIG_HOME: p('xdg', 'config'),
      XDG_DATA_HOME: p('xdg', 'data'),
      XDG_CACHE_HOME: p('xdg', 'cache'),
      XDG_RUNTIME_DIR: p('xdg', 'runtime'),
      XDG_STATE_HOME: p('xdg', 'state'),
      TMPDIR: p('tmp'),
    },
    dispose: () => undefined,
    writeSettings(settings) {
      const f = join(this.userDataDir, 'User', 'settings.json');
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(f, JSON.stringify({ ...defaultSettings, ...settings }, null, 2));
      // The browser side also keeps user settings; the server's user-data-dir copy is what remote workbenches read.
      const machine = join(this.serverDataDir, 'data', 'Machine', 'settings.json');
      mkdirSync(dirname(machine), { recursive: true });
      if (!existsSync(machine)) writeFileSync(machine, '{}');
    },
  };
  sandbox.writeSettings(opts.settings ?? {});
  const files = opts.files === undefined ? defaultFiles() : opts.files;
  if (files) {
    const ws = p('workspace');
    for (const [rel, content] of Object.entries(files)) {
      const f = join(ws, rel);
      mkdirSync(dirname(f), { recursive: true });
      writeFileSync(f, content);
    }
    sandbox.workspace = ws;
  }
  const keep = opts.keep || process.env.DIFY_HOST_KEEP === '1';
  if (!opts.dir) {
    const remove = () => {
      if (keep) console.error(`[host] kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    };
    const unregister = onCleanup(`sandbox ${dir}`, remove);
    sandbox.dispose = () => {
      unregister();
      remove();
    };
  }
  return sandbox;
}

// ---------------------------------------------------------------------------------------------------------------
// The VS Code server

export interface ServerOptions {
  sandbox: Sandbox;
  host?: string;
  /** 0 (default) = any free port. */
  port?: number;
  /** Extra environment for the server and thus the extension host (it inherits the server's environment). */
  env?: NodeJS.ProcessEnv;
  /** Mirror the server log to stderr (also DIFY_HOST_VERBOSE=1). */
  verbose?: boolean;
  /**
   * 'server-main' (default): the plain VS Code server with --enable-smoke-test-driver (tests, e2e).
   * 'code-server': code-server's wrapper, which also serves /mint-key so SecretStorage persists in the browser (demo).
   */
  flavor?: 'server-main' | 'code-server';
  /** How long to wait for the "listening" line. */
  startTimeoutMs?: number;
  /** At cleanup: SIGTERM, then SIGKILL after this long (default 500 ms: test sandboxes are thrown away). */
  graceMs?: number;
}

export interface ServerHandle {
  host: string;
  port: number;
  /** http://host:port */
  origin: string;
  /** Everything the server logged so far. */
  log(): string;
  /** Stops the server's process group (also done by cleanupAll). */
  stop(): Promise<void>;
}

/** Starts the VS Code server in its own process group and waits until it listens. */
export async function startServer(opts: ServerOptions): Promise<ServerHandle> {
  const tooling = ensureTooling();
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const sb = opts.sandbox;
  const flavor = opts.flavor ?? 'server-main';
  const common = [
    '--disable-telemetry',
    '--disable-workspace-trust',
    '--user-data-dir',
    sb.userDataDir,
    '--extensions-dir',
    sb.extensionsDir,
  ];
  const args =
    flavor === 'server-main'
      ? [
          tooling.serverMain,
          '--host',
          host,
          '--port',
          String(port),
          '--without-connection-token',
          '--accept-server-license-terms',
          '--enable-smoke-test-driver',
          '--reconnection-grace-time',
          '5',
          '--server-data-dir',
          sb.serverDataDir,
          ...common,
        ]
      : [
          tooling.codeServerEntry,
          '--bind-addr',
          `${host}:${port}`,
          '--auth',
          'none',
          '--disable-update-check',
          '--disable-getting-started-override',
          '--disable-file-downloads',
          '--ignore-last-opened',
          '--reconnection-grace-time',
          '5',
          '--config',
          join(sb.dir, 'code-server.yaml'),
          ...common,
        ];
  if (flavor === 'code-server') writeFileSync(join(sb.dir, 'code-server.yaml'), '# managed by test/host/harness.ts (flags override this)\nauth: none\n');
  const verbose = opts.verbose || process.env.DIFY_HOST_VERBOSE === '1';
  const { child, stop } = spawnGroup(`vscode-server`, tooling.node24, args, {
    env: { ...sb.env, ...opts.env },
    graceMs: opts.graceMs ?? 500,
  });
  let log = '';
  const listening =
    flavor === 'server-main'
      ? /Extension host agent listening on (\d+)/
      : /HTTP server listening on https?:\/\/[^\s]*:(\d+)/;
  const found = new Promise<number>((resolvePort, reject) => {
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      log += text;
      if (verbose) process.stderr.write(text.replace(/^/gm, '[server] '));
      const m = listening.exec(log);
      if (m) resolvePort(Number(m[1]));
      if (/EADDRINUSE|address already in use/i.test(text)) reject(new Error(`port ${host}:${port} is busy`));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new Error(`VS Code server exited early (${signal ?? code}). Log:\n${log.slice(-4000)}`)),
    );
  });
  const actualPort = await withTimeout(found, opts.startTimeoutMs ?? 60_000, 'waiting for the VS Code server');
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  return {
    host,
    port: actualPort,
    origin,
    log: () => log,
    stop,
  };
}

export interface WorkbenchUrlOptions {
  /** Folder to open (absolute, on the server machine). */
  folder?: string;
  /** Load the extension from this folder (default: the repo). `null`: do not add a development extension. */
  extensionDevelopmentPath?: string | null;
  /** Compiled mocha entry to run inside the extension host (exports run()). */
  extensionTestsPath?: string;
}

/** The workbench URL for a server, with `?folder=` and the development/test payload (URL-encoded). */
export function workbenchUrl(server: ServerHandle, o: WorkbenchUrlOptions = {}): string {
  const remote = (abs: string) => `vscode-remote://${server.host}:${server.port}${abs}`;
  const payload: [string, string][] = [];
  const dev = o.extensionDevelopmentPath === undefined ? repoRoot : o.extensionDevelopmentPath;
  if (dev) payload.push(['extensionDevelopmentPath', remote(dev)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  const q = new URLSearchParams();
  if (o.folder) q.set('folder', o.folder);
  if (payload.length) q.set('payload', JSON.stringify(payload));
  const qs = q.toString();
  return `${server.origin}/${qs ? `?${qs}` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The browser

/** Chromium flags that make headless Chromium quiet and offline-friendly. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserOptions {
  /** Profile dir (default: the sandbox's fresh `browser/` dir). */
  profileDir: string;
  headless?: boolean;
  viewport?: { width: number; height: number };
}

/** Launches Chromium with a persistent (but fresh) profile; closed at cleanup. */
export async function launchBrowser(o: BrowserOptions): Promise<{ context: BrowserContext; page: Page }> {
  const tooling = ensureTooling();
  const context = await chromium.launchPersistentContext(o.profileDir, {
    executablePath: tooling.chromium,
    headless: o.headless ?? true,
    args: chromiumArgs,
    viewport: o.viewport ?? { width: 1400, height: 900 },
    // the Chromium process tree is Playwright's child; closing the context ends it
  });
  onCleanup('chromium', () => context.close().catch(() => undefined));
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Marker put in front of every extension-host console line by test/host/index.ts (keep in sync). */
export const HOST_MARK = '\u2063[ext]';

/**
 * Relays the extension host's console to `sink`, one call per line, in order. Lines marked by test/host/index.ts
 * (mocha's reporter) are always relayed; while the suite runs (between the first marked line and the summary
 * line `host: N passing…`) every other log-service line is relayed too (console.* of suites and the extension),
 * except messages carrying workbench (renderer) stack frames, e.g. failed marketplace queries while offline.
 * With `all`, every page console message is relayed. Call `flush()` before closing the page.
 */
export function relayConsole(
  page: Page,
  sink: (line: string) => void,
  opts: { all?: boolean } = {},
): { flush(): Promise<void> } {
  let chain = Promise.resolve();
  let inSuite = false;
  page.on('console', (msg) => {
    const values = Promise.all(msg.args().map((a) => a.jsonValue().catch(() => '[unserializable]')));
    chain = chain.then(async () => {
      const raw = (await values.catch(() => [msg.text()])) as unknown[];
      // The workbench's log service prints "%c INFO", "color: …", ...original args.
      const level = typeof raw[0] === 'string' ? /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)\b/.exec(raw[0])?.[1] : undefined;
      const text = level ? format(...raw.slice(2)) : format(...raw);
      if (text.includes(HOST_MARK)) {
        inSuite = true;
        for (const line of text.split('\n')) {
          const l = line.replace(HOST_MARK, '');
          sink(l);
          if (/^host: \d+ passing/.test(l)) inSuite = false;
        }
      } else if (opts.all) sink(`[${level ?? msg.type()}] ${text}`);
      else if (inSuite && level && !text.includes('/static/out/vs/')) for (const line of text.split('\n')) sink(level === 'INFO' ? line : `[${level}] ${line}`);
    });
  });
  /** Waits until every message received so far has been relayed. */
  return { flush: () => withTimeout(chain, 5000, 'relaying console output').catch(() => undefined) };
}

/** Reads a JSON file, or undefined if it does not exist. */
export function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The Dify-compatible test server (test/support/dify/cli.ts, written by another helper)

/** Path of the test server's CLI. */
export const difyCli = join(repoRoot, 'test', 'support', 'dify', 'cli.ts');
/** The Flowise-compatible test server's CLI (same `{"url":…}` protocol; `startDifyTestServer({ cli: flowiseCli })`). */
export const flowiseCli = join(repoRoot, 'test', 'support', 'flowise', 'cli.ts');

export interface DifyTestServer {
  /** Base URL ending in /v1, as printed by the CLI. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `tsx test/support/dify/cli.ts --port 0` in its own process group and waits for its JSON line
 * `{"url":"http://127.0.0.1:PORT/v1"}`. Throws a clear error if the CLI does not exist (yet).
 */
export async function startDifyTestServer(opts: { host?: string; env?: NodeJS.ProcessEnv; cli?: string } = {}): Promise<DifyTestServer> {
  const cli = opts.cli ?? difyCli;
  if (!existsSync(cli)) {
    throw new Error(`the test server is missing: ${cli} does not exist (it prints {"url":…} and serves the demo apps)`);
  }
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const args = [cli, '--port', '0', ...(opts.host ? ['--host', opts.host] : [])];
  // stdin stays an open pipe: the CLI stops when it closes, i.e. also if we die without cleanup.
  const { child, stop } = spawnGroup('dify-test-server', tsx, args, {
    env: { ...process.env, ...opts.env },
    stdin: 'pipe',
    graceMs: 2000,
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (process.env.DIFY_HOST_VERBOSE === '1') process.stderr.write(d.toString().replace(/^/gm, '[dify] '));
  });
  const url = await withTimeout(
    new Promise<string>((resolveUrl, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        for (const line of out.split('\n')) {
          const t = line.trim();
          if (!t.startsWith('{')) continue;
          try {
            const j = JSON.parse(t) as { url?: string };
            if (j.url) return resolveUrl(j.url);
          } catch {
            /* partial line */
          }
        }
      });
      child.once('exit', (code) =>
        reject(new Error(`Dify test server exited (${code}) before printing its URL:\n${err.slice(-3000)}`)),
      );
    }),
    30_000,
    'waiting for the Dify test server',
  );
  return {
    url,
    async stop() {
      child.stdin?.end();
      await stop();
    },
  };
}
