// Bench / test entry: exposes the real renderer pieces to a page. Bundled by bench/render/run.ts and the
// webview tests; never part of dist/webview.js.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { IncrementalMarkdown, renderOneShot, renderProgressMs, warmUp } from '../../src/webview/markdown';
import { newChunk } from '../../src/webview/markdown/pipeline';
import { FollowPolicy } from '../../src/webview/follow';
import { FrameScheduler } from '../../src/webview/scheduler';

declare global {
  interface Window {
    __difyBench: {
      IncrementalMarkdown: typeof IncrementalMarkdown;
      renderOneShot: typeof renderOneShot;
      renderProgressMs: typeof renderProgressMs;
      FrameScheduler: typeof FrameScheduler;
      FollowPolicy: typeof FollowPolicy;
      /** What the panel does in idle time after load; resolves when done. */
      warmUp(): Promise<void>;
      newChunk: typeof newChunk;
      /** Resolves in a new task (a MessageChannel message: no timer clamping), so each step is its own task. */
      nextTask(): Promise<void>;
      /** Renders until nothing is pending (a long text is rendered in slices, one per frame). */
      settle(md: IncrementalMarkdown): void;
      /** The naive reference: the library defaults, no highlighting. */
      naive(markdown: string): string;
    };
  }
}

const channel = new MessageChannel();
let resume: (() => void) | undefined;
channel.port1.onmessage = () => resume?.();

window.__difyBench = {
  IncrementalMarkdown,
  renderOneShot,
  renderProgressMs,
  FrameScheduler,
  FollowPolicy,
  warmUp: () =>
    new Promise<void>((resolve) => {
      let pending = 0;
      warmUp((cb) => {
        pending++;
        setTimeout(() => {
          cb();
          if (--pending === 0) resolve();
        }, 0);
      });
    }),
  newChunk,
  nextTask: () => new Promise<void>((resolve) => ((resume = resolve), channel.port2.postMessage(0))),
  settle: (md) => {
    do md.render();
    while (md.pending);
  },
  naive: (markdown: string) => DOMPurify.sanitize(marked.parse(markdown, { async: false }) as string),
};
