import type { Plugin } from 'esbuild';
export function inlineWorker(options?: { minify?: boolean }): Plugin;
