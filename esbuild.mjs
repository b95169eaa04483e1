// Two bundles: the extension (Node, CommonJS, `vscode` external) and the webview (browser, IIFE).
// `--production` minifies; source maps are always written (linked, so the VSIX can leave them out).
// `--metafile` writes dist/*.meta.json for the bundle-size report in `npm run bench`.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';

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
  },
  {
    ...common,
    entryPoints: { webview: 'src/webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    loader: { '.css': 'css' },
  },
];

function copyAssets() {
  // codicons: the font and its stylesheet are loaded by the webview from dist/codicons.
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    cpSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
  }
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
