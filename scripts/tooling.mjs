// What the browser tests, the real-host tests and `npm run demo` need, installed on first use into a git-ignored
// cache and found again in milliseconds: Debian's Chromium and fonts (CJK, emoji), Node 24 from npm and the VS Code
// server inside the npm package code-server@4.139.1.
//
//   node scripts/tooling.mjs [browser|server]   installs what that part needs; prints its paths as JSON last
//
// Works the same started by hand, by `npm test`/`npm run demo` or by a test runner: the inner npm installs run in
// an environment without the outer npm's `npm_*` variables, which npm would take as its own configuration.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
/** Debian packages: the browser and fonts that render 中文 and emoji; build tools for code-server's native modules. */
const BROWSER_DEBS = ['chromium', 'fonts-noto-cjk', 'fonts-noto-color-emoji'];
const SERVER_BUILD_DEBS = ['libkrb5-dev', 'pkg-config'];

/** A failure the user can act on: the message says what to do. */
export class ToolingError extends Error {}

/** Packages only an administrator can install: the message names the one command to run. */
export class NeedsAdminError extends ToolingError {}

/** Where everything lives. DIFY_HOST_CACHE and DIFY_CHROMIUM override the defaults. */
export function toolingPaths(env = process.env) {
  const cache = env.DIFY_HOST_CACHE ?? join(root, '.vscode-test', 'host');
  const nodePkg = join(cache, 'node24', 'node_modules', `node-linux-${process.arch}`);
  const codeServer = join(cache, 'code-server', 'node_modules', 'code-server');
  return {
    cache,
    chromium: env.DIFY_CHROMIUM ?? '/usr/bin/chromium',
    nodePkg,
    node24: join(nodePkg, 'bin', 'node'),
    serverMain: join(codeServer, 'lib', 'vscode', 'out', 'server-main.js'),
    codeServerEntry: join(codeServer, 'out', 'node', 'entry.js'),
  };
}

const log = (m) => process.stderr.write(`[tooling] ${m}\n`);

/** The environment for an inner npm: the outer npm's variables removed, so it reads only its own config. */
export function cleanEnv(env = process.env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE') continue;
    out[k] = v;
  }
  return out;
}

function missingDebs(names) {
  if (!existsSync('/usr/bin/dpkg-query')) return [];
  return names.filter((n) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', n], { encoding: 'utf8' });
    return !(r.status === 0 && r.stdout.includes('install ok installed'));
  });
}

function installDebs(names, why) {
  if (!names.length) return;
  const command = `sudo apt-get install -y ${names.join(' ')}`;
  if (!existsSync('/usr/bin/apt-get')) {
    throw new ToolingError(
      `${why} needs ${names.join(', ')}, and this is not a Debian-like system: install Chromium and the Noto CJK and ` +
        'emoji fonts with your package manager, then set DIFY_CHROMIUM to the browser if it is not /usr/bin/chromium.',
    );
  }
  if (process.getuid?.() !== 0) {
    throw new NeedsAdminError(`${why} need Debian packages this user cannot install. Run this once, then start again:\n\n    ${command}\n`);
  }
  log(`installing Debian packages: ${names.join(' ')} (about a minute)`);
  const env = { ...cleanEnv(), DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new ToolingError(`apt-get ${args.join(' ')} failed (exit ${r.status}); try: ${command}`);
  };
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', ...names]);
}

/** Chromium and the fonts; DIFY_CHROMIUM names another browser and skips the Debian packages. */
export function ensureBrowser(env = process.env) {
  const paths = toolingPaths(env);
  if (env.DIFY_CHROMIUM) {
    if (!existsSync(paths.chromium)) throw new ToolingError(`DIFY_CHROMIUM is ${paths.chromium}, which does not exist.`);
    return paths;
  }
  installDebs(missingDebs(BROWSER_DEBS), 'The browser tests and the demo');
  if (!existsSync(paths.chromium)) throw new ToolingError(`Chromium is still missing at ${paths.chromium} after installing it.`);
  return paths;
}

function npmInstall(prefix, spec, extraEnv, logFile) {
  mkdirSync(prefix, { recursive: true });
  const args = ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--foreground-scripts', spec];
  const r = spawnSync('npm', args, { env: { ...cleanEnv(), ...extraEnv }, encoding: 'utf8', maxBuffer: 64 << 20 });
  writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0) {
    process.stderr.write((r.stdout + r.stderr).split('\n').slice(-40).join('\n') + '\n');
    throw new ToolingError(`npm install ${spec} failed (exit ${r.status}); the whole log is ${logFile}`);
  }
}

/** Node 24 and the VS Code server (plus the browser): what the real-host tests and the demo run. */
export function ensureServer(env = process.env) {
  const paths = ensureBrowser(env);
  if (existsSync(paths.serverMain) && existsSync(paths.node24)) return paths;
  installDebs(missingDebs(SERVER_BUILD_DEBS), 'The real VS Code (tests and demo)');
  if (!existsSync(paths.node24)) {
    log(`installing Node ${NODE_VERSION} from npm into ${paths.cache}/node24 (about 190 MB)`);
    npmInstall(join(paths.cache, 'node24'), `node-linux-${process.arch}@${NODE_VERSION}`, {}, join(paths.cache, 'node24.log'));
  }
  if (!existsSync(paths.serverMain)) {
    log(`installing the VS Code server (code-server@${CODE_SERVER_VERSION}) into ${paths.cache}/code-server (about 3 minutes)`);
    npmInstall(
      join(paths.cache, 'code-server'),
      `code-server@${CODE_SERVER_VERSION}`,
      // Its native modules build against Node 24's own headers, not the machine's npm `nodedir`.
      { PATH: `${dirname(paths.node24)}:${process.env.PATH}`, npm_config_nodedir: paths.nodePkg },
      join(paths.cache, 'code-server-install.log'),
    );
  }
  for (const p of [paths.node24, paths.serverMain]) {
    if (!existsSync(p)) throw new ToolingError(`the tooling is incomplete (${p} is missing): delete ${paths.cache} and start again.`);
  }
  return paths;
}

/** The Chromium version, for messages; undefined when it cannot run. */
export function chromiumVersion(paths = toolingPaths()) {
  try {
    return execFileSync(paths.chromium, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const part = process.argv[2] ?? 'server';
  try {
    const paths = part === 'browser' ? ensureBrowser() : ensureServer();
    process.stdout.write(`${JSON.stringify(paths)}\n`);
  } catch (e) {
    process.stderr.write(`[tooling] ${e instanceof ToolingError ? e.message : e.stack}\n`);
    process.exit(e instanceof ToolingError ? 2 : 1);
  }
}
