// Bench / test entry: exposes the real renderer pieces to a page. Bundled by bench/render/run.ts and the
// webview tests; never part of dist/webview.js.
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { IncrementalMarkdown, highlighter, noteFrameOverhead, renderOneShot, renderProgressMs, warmUp } from '../../src/webview/markdown';
import { calibrateRenderCost } from '../../src/webview/markdown/incremental';
import { ChunkPlacer } from '../../src/webview/markdown/chunks';
import { highlightHtml } from '../../src/webview/markdown/grammars';
import { sanitizeToString } from '../../src/webview/markdown/purify';
import { lexDeferred, lexWithLinks } from '../../src/webview/markdown/pipeline';
import { FollowPolicy } from '../../src/webview/follow';
import { FrameScheduler } from '../../src/webview/scheduler';

declare global {
  interface Window {
    __difyBench: {
      IncrementalMarkdown: typeof IncrementalMarkdown;
      renderOneShot: typeof renderOneShot;
      renderProgressMs: typeof renderProgressMs;
      /** What the panel tells the renderer each frame: the browser's work past the last frame (see incremental.ts). */
      noteFrameOverhead: typeof noteFrameOverhead;
      lexWithLinks: typeof lexWithLinks;
      lexDeferred: typeof lexDeferred;
      /** Sets the page's rendering cost per character, which sizes a burst's slices (the warm-up measures it). */
      calibrateRenderCost: typeof calibrateRenderCost;
      FrameScheduler: typeof FrameScheduler;
      FollowPolicy: typeof FollowPolicy;
      /** What the panel does in idle time after load; resolves when done. */
      warmUp(): Promise<void>;
      /** Places top-level nodes in the answer's wrappers (chunks.ts). */
      ChunkPlacer: typeof ChunkPlacer;
      /** The panel's layout: a 600 px high scroller kept at the bottom, holding the answer (`.markdown.answer`,
       * panel.css applies), in a page emptied of anything else. */
      setupPage(): void;
      /** The scroller and the answer element of `setupPage`. Scrolling to the bottom after a render reads
       * scrollHeight: that is the frame's layout. */
      answerBox(): { sc: HTMLElement; el: HTMLElement };
      /** Resolves in a new task (a MessageChannel message: no timer clamping), so each step is its own task. */
      nextTask(): Promise<void>;
      /** Renders until nothing is pending (a long text is rendered in slices, one per frame). */
      settle(md: IncrementalMarkdown): void;
      /** The naive reference: the library defaults, no highlighting. */
      naive(markdown: string): string;
      /** The panel's highlighter (its worker's results are put in asynchronously). */
      highlighter: typeof highlighter;
      /** Resolves once every code block on the page that waits for the highlight worker has its result. */
      highlightIdle(): Promise<void>;
      /** Starts counting the main thread's time taking the worker's results in; the function returned reads
       * the total, the number of results put in and the longest, since the call. */
      highlightCost(): () => { ms: number; results: number; longestMs: number };
      /** What the panel did before the worker (the code-block bench's baseline): highlight.js on the main
       * thread, for every code block under `root`, in the caller's task. */
      highlightOnMain(root: ParentNode): void;
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
  noteFrameOverhead,
  lexWithLinks,
  lexDeferred,
  calibrateRenderCost,
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
  ChunkPlacer,
  highlighter,
  highlightIdle: () => highlighter.idle(),
  highlightCost: () => {
    const st = highlighter.stats;
    const [ms0, results0] = [st.resultMs, st.applied];
    st.longestResultMs = 0;
    return () => ({ ms: st.resultMs - ms0, results: st.applied - results0, longestMs: st.longestResultMs });
  },
  highlightOnMain: (root) => {
    for (const code of Array.from(root.querySelectorAll('pre > code'))) {
      const lang = /\blanguage-(\S+)/.exec(code.className)?.[1] ?? '';
      // As the panel did: highlight.js's HTML, sanitized, parsed into the block.
      const r = highlightHtml(code.textContent ?? '', lang, true);
      if (!r) continue;
      code.innerHTML = sanitizeToString(r.html);
      code.classList.add('hljs');
    }
  },
  setupPage: () => {
    document.body.replaceChildren();
    const sc = document.createElement('div');
    sc.className = 'bench-scroller';
    const el = document.createElement('div');
    el.className = 'markdown answer';
    sc.append(el);
    document.body.append(sc);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('.bench-scroller { height: 600px; width: 660px; overflow-y: auto; } .bench-scroller > .answer { width: 640px; } .bench-all-visible .md-chunk, .bench-all-visible .md-section { content-visibility: visible; }');
    document.adoptedStyleSheets = [sheet];
  },
  answerBox: () => {
    const sc = document.querySelector('.bench-scroller') as HTMLElement;
    return { sc, el: sc.firstElementChild as HTMLElement };
  },
  nextTask: () => new Promise<void>((resolve) => ((resume = resolve), channel.port2.postMessage(0))),
  settle: (md) => {
    do md.render();
    while (md.pending);
  },
  naive: (markdown: string) => DOMPurify.sanitize(marked.parse(markdown, { async: false }) as string),
};
