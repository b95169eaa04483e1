// Bench / test entry: exposes the real renderer pieces to a page. Bundled by bench/render/run.ts and the
// webview tests; never part of dist/webview.js.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { IncrementalMarkdown, renderOneShot } from '../../src/webview/markdown';
import { FrameScheduler } from '../../src/webview/scheduler';

declare global {
  interface Window {
    __difyBench: {
      IncrementalMarkdown: typeof IncrementalMarkdown;
      renderOneShot: typeof renderOneShot;
      FrameScheduler: typeof FrameScheduler;
      /** The naive reference: the library defaults, no highlighting. */
      naive(markdown: string): string;
    };
  }
}

window.__difyBench = {
  IncrementalMarkdown,
  renderOneShot,
  FrameScheduler,
  naive: (markdown: string) => DOMPurify.sanitize(marked.parse(markdown, { async: false }) as string),
};
