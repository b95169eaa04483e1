// Two bundles: the extension (Node, CommonJS, `vscode` external) and the webview (browser, IIFE).
// `--production` minifies; source maps are always written (linked, so the VSIX can leave them out).
// `--metafile` writes dist/*.meta.json for the bundle-size report in `npm run bench`.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inlineWorker } from './scripts/inlineWorker.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const metafile = process.argv.includes('--metafile') || production;

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  metafile,
  legalComments: 'linked',
};

// undici's index pulls in all of undici (fetch, WebSocket, caches, mock agents…): ~530 KB of the ~640 KB bundle.
// The extension bundle takes only what src/ imports, through scripts/undici-slim.cjs (same objects, see there).
const UNDICI_SLIM = join(import.meta.dirname, 'scripts', 'undici-slim.cjs');
// undici's HTTP/1 parser is WebAssembly shipped as two base64 modules (SIMD and a fallback, 72 KB each) that
// client-h1 `require`s inside a function on the first request. They stay separate files (dist/llhttp/, required
// at run time exactly as undici does), so activation does not load 144 KB that only a request needs.
const LLHTTP_FILES = ['llhttp_simd-wasm.js', 'llhttp-wasm.js'];
const slimUndici = {
  name: 'slim-undici',
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: UNDICI_SLIM }));
    build.onResolve({ filter: /\/llhttp\/llhttp(_simd)?-wasm\.js$/ }, (args) => {
      const file = args.path.split('/').pop();
      return LLHTTP_FILES.includes(file) ? { path: `./llhttp/${file}`, external: true } : undefined;
    });
  },
};

/** Fails when src/ imports a value from 'undici' that the slim entry lacks, or one that is not undici's own. */
function checkSlimUndici() {
  const require = createRequire(import.meta.url);
  const slim = require(UNDICI_SLIM);
  const full = require('undici');
  const problems = [];
  for (const [name, value] of Object.entries(slim)) {
    if (name !== 'request' && value !== full[name]) problems.push(`${name} is not undici's ${name}`);
  }
  const files = readdirSync('src', { recursive: true }).filter((f) => /\.tsx?$/.test(f));
  for (const f of files) {
    const text = readFileSync(join('src', f), 'utf8');
    for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*'undici'/g)) {
      if (m[1]) continue;
      for (const spec of m[2].split(',').map((x) => x.trim()).filter(Boolean)) {
        if (spec.startsWith('type ')) continue;
        const name = spec.split(/\s+as\s+/)[0];
        if (!(name in slim)) problems.push(`src/${f} imports ${name} from 'undici', missing in scripts/undici-slim.cjs`);
      }
    }
    if (/import\s+\*\s+as\s+\w+\s+from\s*'undici'|require\('undici'\)/.test(text)) problems.push(`src/${f}: namespace import of undici; add the names to scripts/undici-slim.cjs`);
  }
  if (problems.length) throw new Error(`slim undici entry out of step:\n  ${problems.join('\n  ')}`);
}
checkSlimUndici();

const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    mainFields: ['module', 'main'],
    plugins: [slimUndici],
  },
  {
    ...common,
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    loader: { '.css': 'css' },
    plugins: [inlineWorker({ minify: production })],
  },
];

function copyAssets() {
  // codicons: the font and its stylesheet are loaded by the webview from dist/codicons.
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
  }
  // undici's llhttp WebAssembly, loaded by the extension bundle on its first HTTP request (see slimUndici).
  mkdirSync('dist/llhttp', { recursive: true });
  for (const f of LLHTTP_FILES) cpSync(`node_modules/undici/lib/llhttp/${f}`, `dist/llhttp/${f}`);
}

if (watch) {
  copyAssets();
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching…');
} else {
  copyAssets();
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  if (metafile) {
    results.forEach((r, i) => {
      const name = Object.keys(builds[i].entryPoints)[0];
      writeFileSync(`dist/${name}.meta.json`, JSON.stringify(r.metafile));
    });
  }
}
