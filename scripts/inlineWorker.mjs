// esbuild plugin: `import source from 'inline-worker:./file'` bundles ./file.ts as its own browser script and
// imports it as a string. VS Code webviews can only start a worker from a blob: or data: URL, not from the
// extension's files, so the webview bundle carries its worker and starts it with a blob: URL.
import * as esbuild from 'esbuild';
import { resolve } from 'node:path';

const PREFIX = 'inline-worker:';

/** @param {{ minify?: boolean }} options @returns {import('esbuild').Plugin} */
export function inlineWorker({ minify = false } = {}) {
  return {
    name: 'inline-worker',
    setup(build) {
      build.onResolve({ filter: /^inline-worker:/ }, (args) => ({
        path: resolve(args.resolveDir, `${args.path.slice(PREFIX.length)}.ts`),
        namespace: 'inline-worker',
      }));
      build.onLoad({ filter: /.*/, namespace: 'inline-worker' }, async (args) => {
        const r = await esbuild.build({
          entryPoints: [args.path],
          bundle: true,
          write: false,
          minify,
          format: 'iife',
          platform: 'browser',
          target: 'chrome120',
          metafile: true,
          logLevel: 'silent',
        });
        return { contents: r.outputFiles[0].text, loader: 'text', watchFiles: Object.keys(r.metafile.inputs).map((f) => resolve(f)) };
      });
    },
  };
}
