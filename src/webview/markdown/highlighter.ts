// Syntax highlighting off the main thread. highlight.js runs in a Web Worker (highlightWorker.ts); the panel
// shows a block plain, sends its text, and builds the result's spans when it comes back — if the block still
// shows that text. The result is DOM-building steps, never HTML: text goes into Text nodes. Blocks re-rendered
// with text highlighted before (a finished block committed after the tail showed it, a streaming block
// growing) take the recent result at once: the same text exactly, or a highlighted prefix with the rest plain
// until the worker answers, so nothing flashes plain.
import WORKER_SOURCE from 'inline-worker:./highlightWorker';
import type { HighlightJob, HighlightResult, HighlightTokens } from './highlightProtocol';

/** Highlighting is skipped for blocks this large (plain text stays fast and correct). */
const HIGHLIGHT_MAX_CHARS = 200_000;
/** Recent results kept for re-rendered blocks: at most this many, holding at most this many characters. */
const RECENT_MAX = 24;
const RECENT_MAX_CHARS = 2_000_000;
/** A prefix this short is not worth showing highlighted ahead of the worker's answer. */
const PREFIX_MIN_CHARS = 200;

interface Pending extends HighlightJob {
  code: HTMLElement;
  onLanguage?: (lang: string) => void;
}

interface Recent {
  key: string;
  text: string;
  /** null: the block stays plain. */
  tokens: HighlightTokens | null;
  lang: string;
}

const keyOf = (lang: string, auto: boolean) => `${lang}\0${auto && !lang ? 'auto' : ''}`;

export class Highlighter {
  private worker: Worker | null | undefined;
  private nextId = 1;
  private queue: Pending[] = [];
  private inFlight: Pending | null = null;
  private recent: Recent[] = [];
  private idleWaiters: (() => void)[] = [];
  private pumpQueued = false;
  /** Blocks the worker highlighted, results put in, recent results reused, stale blocks not sent; the main
   * thread's time taking the worker's results in (building their spans), in total and at most (the bench). */
  readonly stats = { highlighted: 0, applied: 0, reused: 0, dropped: 0, resultMs: 0, longestResultMs: 0 };

  constructor(private readonly source: string) {}

  /** Starts the worker (it warms its grammars up while idle); false when this page cannot run one. */
  start(): boolean {
    if (this.worker === undefined) {
      try {
        const url = URL.createObjectURL(new Blob([this.source], { type: 'text/javascript' }));
        this.worker = new Worker(url, { name: 'dify-highlight' });
        URL.revokeObjectURL(url);
        this.worker.onmessage = (e: MessageEvent<HighlightResult>) => this.settle(e.data);
        this.worker.onerror = () => this.disable();
      } catch {
        this.worker = null;
      }
    }
    return this.worker !== null;
  }

  /**
   * Highlights `code`, which shows `text`: now from a recent result when there is one for exactly this text,
   * else (its highlighted prefix shown at once when there is one) when the worker answers. `onLanguage` gets
   * the detected language of a block without one.
   */
  paint(code: HTMLElement, text: string, lang: string, auto: boolean, onLanguage?: (lang: string) => void): void {
    if (text.length > HIGHLIGHT_MAX_CHARS || (!lang && (!auto || !text.trim()))) return;
    const key = keyOf(lang, auto);
    let prefix: Recent | undefined;
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const r = this.recent[i];
      if (r.key !== key) continue;
      if (r.text === text) {
        this.stats.reused++;
        if (r.tokens) this.apply(code, r, onLanguage);
        return;
      }
      if (lang && r.tokens && r.text.length >= PREFIX_MIN_CHARS && (!prefix || r.text.length > prefix.text.length) && text.startsWith(r.text)) prefix = r;
    }
    if (!this.start()) return;
    if (prefix) {
      const frag = build(prefix.tokens!);
      frag.append(text.slice(prefix.text.length));
      code.replaceChildren(frag);
      code.classList.add('hljs');
    }
    this.queue.push({ id: this.nextId++, text, lang, auto, code, onLanguage });
    // After the current task: the block is rendered into a fragment that is put on the page right after.
    if (!this.pumpQueued) {
      this.pumpQueued = true;
      queueMicrotask(() => {
        this.pumpQueued = false;
        this.pump();
      });
    }
  }

  /** Resolves once no block waits for the worker. */
  idle(): Promise<void> {
    if (!this.inFlight && !this.queue.length) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Sends the next block that is still on the page (a re-rendered block's old element is dropped). */
  private pump(): void {
    if (this.pumpQueued) return;
    while (!this.inFlight && this.queue.length) {
      const next = this.queue.shift()!;
      if (!next.code.isConnected) {
        this.stats.dropped++;
        continue;
      }
      this.inFlight = next;
      const job: HighlightJob = { id: next.id, text: next.text, lang: next.lang, auto: next.auto };
      this.worker!.postMessage(job);
    }
    if (!this.inFlight && !this.queue.length) for (const w of this.idleWaiters.splice(0)) w();
  }

  private settle(result: HighlightResult): void {
    const job = this.inFlight;
    if (!job || job.id !== result.id) return;
    const t0 = performance.now();
    this.take(job, result);
    const ms = performance.now() - t0;
    this.stats.resultMs += ms;
    this.stats.longestResultMs = Math.max(this.stats.longestResultMs, ms);
    this.pump();
  }

  private take(job: Pending, result: HighlightResult): void {
    this.inFlight = null;
    this.stats.highlighted++;
    const r: Recent = { key: keyOf(job.lang, job.auto), text: job.text, tokens: result.tokens, lang: result.lang };
    this.remember(r);
    // Only where the block still shows the text sent (a stream may have appended to it since).
    if (r.tokens && job.code.isConnected && job.code.textContent === job.text) this.apply(job.code, r, job.onLanguage);
  }

  private apply(code: HTMLElement, r: Recent, onLanguage?: (lang: string) => void): void {
    code.replaceChildren(build(r.tokens!));
    code.classList.add('hljs');
    this.stats.applied++;
    if (r.lang && onLanguage) onLanguage(r.lang);
  }

  private remember(r: Recent): void {
    const i = this.recent.findIndex((x) => x.key === r.key && x.text === r.text);
    if (i >= 0) this.recent.splice(i, 1);
    this.recent.push(r);
    const size = (x: Recent) => 2 * x.text.length + (x.tokens?.ops.length ?? 0);
    let chars = 0;
    for (const x of this.recent) chars += size(x);
    while (this.recent.length > 1 && (this.recent.length > RECENT_MAX || chars > RECENT_MAX_CHARS)) chars -= size(this.recent.shift()!);
  }

  /** The worker failed: blocks stay plain from now on. */
  private disable(): void {
    this.worker?.terminate();
    this.worker = null;
    this.inFlight = null;
    this.queue = [];
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** Class names as highlight.js writes them (`hljs-title function_`); anything else is left out. */
const CLASS_NAMES = /^[\w .-]{1,100}$/;

/** The spans and Text nodes the steps describe. */
export function build(tokens: HighlightTokens): DocumentFragment {
  const frag = document.createDocumentFragment();
  const stack: ParentNode[] = [];
  let parent: ParentNode = frag;
  for (const op of tokens.ops) {
    if (typeof op === 'string') parent.append(op);
    else if (op >= 0) {
      const span = document.createElement('span');
      const cls = tokens.classes[op];
      if (typeof cls === 'string' && CLASS_NAMES.test(cls)) span.className = cls;
      parent.append(span);
      stack.push(parent);
      parent = span;
    } else if (stack.length) parent = stack.pop()!;
  }
  return frag;
}

/** The panel's highlighter. */
export const highlighter = new Highlighter(WORKER_SOURCE);
