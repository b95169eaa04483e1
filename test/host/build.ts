/**
 * Bundles the in-host mocha suite with esbuild:
 *   test/host/index.ts            → out/host/index.js            (the extensionTestsPath module; mocha bundled in)
 *   test/host/suite/**\/*.test.ts → out/host/suite/**\/*.test.js  (one CommonJS bundle per suite; `vscode` external)
 * Run directly with `npx tsx test/host/build.ts` (e.g. before @vscode/test-cli), or via test/host/run.ts.
 */
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
export const hostOutDir = join(root, 'out', 'host');

/** Suite sources below test/host/suite, relative to the repo. */
export function suiteSources(): string[] {
  const dir = join(root, 'test', 'host', 'suite');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.test\.tsx?$/.test(f))
    .sort()
    .map((f) => relative(root, join(dir, f)));
}

/** Builds out/host; returns the path of index.js. */
export async function buildHostSuite(): Promise<string> {
  rmSync(hostOutDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['test/host/index.ts', ...suiteSources()],
    outbase: 'test/host',
    outdir: hostOutDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'warning',
    // mocha's parallel mode (unused here) require.resolve()s worker files; harmless in a bundle.
    logOverride: { 'require-resolve-not-external': 'silent' },
    // mocha 12 is an ES module package; inside a CJS bundle `import.meta.url` must be rewritten.
    define: { 'import.meta.url': '__importMetaUrl' },
    banner: { js: 'const __importMetaUrl = require("url").pathToFileURL(__filename).href;' },
  });
  return join(hostOutDir, 'index.js');
}

if (require.main === module) {
  buildHostSuite().then(
    (f) => console.log(`built ${relative(root, f)} + ${suiteSources().length} suite file(s)`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
