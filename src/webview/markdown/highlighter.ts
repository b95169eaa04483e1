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
/**
 * A finished block of more than GROUPED_MIN_LINES lines is put in as `span.hl-lines` groups of GROUP_LINES
 * lines (media/panel.css: each its own block, with `content-visibility: auto`), over several animation
 * frames of at most GROUP_FRAME_MS of JavaScript each. In one piece, the browser's next frame styled, laid out
 * and painted every span of the block at once (a 50 KB block: a 63 ms frame, measured in a CPU trace); in
 * groups, a frame takes in one group on screen (16 lines of ~25 tokens: ~5 ms of the browser's style, layout
 * and paint; 32 lines took ~10) and any number off-screen, which the browser skips until they are scrolled to.
 */
const GROUP_LINES = 16;
const GROUPED_MIN_LINES = 64;
const GROUP_FRAME_MS = 3;
/**
 * While a renderer takes a burst in, slice after slice (a long answer shown at once, a fast local server, a
 * restored history), its blocks queue up instead of going to the worker one by one: they race past below the
 * view unseen, and the worker and its results would compete with the slices for the CPU (on two cores the
 * burst's main-thread time rose by about a seventh at 1 MB). HOLD_MS after the last slice, the queue goes to
 * the worker newest first: the view follows the end of the answer, so the blocks on screen are coloured
 * first instead of last.
 */
const HOLD_MS = 100;
/** Recent results for blocks rendered during a hold are put in after it, in tasks of at most this long, ms. */
const READY_TASK_MS = 3;

interface Pending extends HighlightJob {
  code: HTMLElement;
  onLanguage?: (lang: string) => void;
}

/** A block whose text was highlighted recently, to be put in once a hold ends (it never goes to the worker). */
interface Ready {
  code: HTMLElement;
  text: string;
  auto: boolean;
  onLanguage?: (lang: string) => void;
  result: Recent;
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
  /** Blocks rendered during a hold whose result is known (see `paint`), put in after it, newest first. */
  private ready: Ready[] = [];
  private readyQueued = false;
  private inFlight: Pending | null = null;
  private recent: Recent[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Long blocks being put in group by group. */
  private grouping = 0;
  private pumpQueued = false;
  /** Until when (performance.now()) blocks wait in the queue (see HOLD_MS), and the timer that ends it. */
  private heldUntil = 0;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  /** The queue is drained newest first (set by a hold, until the queue is empty). */
  private newestFirst = false;
  /** Blocks sent to the worker, highlighted by it, results put in, recent results reused, stale blocks not sent;
   * the main thread's time taking the worker's results in (building their spans), in total and at most (the
   * bench). */
  readonly stats = { sent: 0, highlighted: 0, applied: 0, reused: 0, dropped: 0, resultMs: 0, longestResultMs: 0 };

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
        if (!r.tokens) return;
        // While a burst's slices race past (a hold), building the spans would lengthen every slice that has
        // such a block, by an amount its size in characters does not predict (the slices are sized by it):
        // they are put in after the hold, like the worker's results.
        if (performance.now() < this.heldUntil) this.ready.push({ code, text, auto, onLanguage, result: r });
        else this.apply(code, r, auto, onLanguage, true);
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

  /** Keeps queued blocks from the worker until HOLD_MS from now (a renderer calls it for every slice of a
   * burst); then they are sent newest first. */
  hold(): void {
    this.heldUntil = performance.now() + HOLD_MS;
    this.newestFirst = true;
    // One timer per burst, moved on when it fires early: clearing and setting one on every slice cost ~1 ms
    // per 50 KB burst, more than the rest of the call.
    this.holdTimer ??= setTimeout(this.resume, HOLD_MS);
  }

  private readonly resume = (): void => {
    this.holdTimer = undefined;
    const left = this.heldUntil - performance.now();
    if (left > 0) this.holdTimer = setTimeout(this.resume, left);
    else this.pump();
  };

  /** Resolves once no block waits for the worker. */
  idle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get isIdle(): boolean {
    return !this.inFlight && !this.queue.length && !this.ready.length && !this.grouping;
  }

  private wakeIdle(): void {
    if (this.isIdle) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Sends the next block that is still on the page (a re-rendered block's old element is dropped). */
  private pump(): void {
    if (this.pumpQueued || this.holdTimer !== undefined) return;
    while (!this.inFlight && this.queue.length) {
      const next = this.newestFirst ? this.queue.pop()! : this.queue.shift()!;
      if (!next.code.isConnected) {
        this.stats.dropped++;
        continue;
      }
      this.inFlight = next;
      const job: HighlightJob = { id: next.id, text: next.text, lang: next.lang, auto: next.auto };
      this.worker!.postMessage(job);
      this.stats.sent++;
    }
    if (!this.queue.length) this.newestFirst = false;
    if (this.ready.length && !this.readyQueued) {
      this.readyQueued = true;
      setTimeout(this.putReady, 0);
    }
    this.wakeIdle();
  }

  /** Puts in the known results of blocks rendered during a hold, newest first (the view follows the end), for
   * at most READY_TASK_MS per task. */
  private readonly putReady = (): void => {
    this.readyQueued = false;
    if (this.holdTimer !== undefined) return; // held again: the pump after it comes back here
    const t0 = performance.now();
    while (this.ready.length && performance.now() - t0 < READY_TASK_MS) {
      const job = this.ready.pop()!;
      if (job.code.isConnected && job.code.textContent === job.text) this.apply(job.code, job.result, job.auto, job.onLanguage, true);
      else this.stats.dropped++;
    }
    this.count(performance.now() - t0);
    if (this.ready.length) {
      this.readyQueued = true;
      setTimeout(this.putReady, 0);
    }
    this.wakeIdle();
  };

  private settle(result: HighlightResult): void {
    const job = this.inFlight;
    if (!job || job.id !== result.id) return;
    const t0 = performance.now();
    this.take(job, result);
    this.count(performance.now() - t0);
    this.pump();
  }

  /** Main-thread time spent putting a result in (one task or animation frame), ms. */
  private count(ms: number): void {
    this.stats.resultMs += ms;
    this.stats.longestResultMs = Math.max(this.stats.longestResultMs, ms);
  }

  private take(job: Pending, result: HighlightResult): void {
    this.inFlight = null;
    this.stats.highlighted++;
    const r: Recent = { key: keyOf(job.lang, job.auto), text: job.text, tokens: result.tokens, lang: result.lang };
    this.remember(r);
    // Only where the block still shows the text sent (a stream may have appended to it since).
    if (r.tokens && job.code.isConnected && job.code.textContent === job.text) this.apply(job.code, r, job.auto, job.onLanguage);
  }

  /**
   * Puts a result in: at once, or (a long finished block) in groups over the next frames. `now`: a block
   * shown highlighted a moment ago in another element (a finished block committed after the stream showed
   * it) gets all its groups at once, so it does not flash plain; the browser still skips those off-screen.
   */
  private apply(code: HTMLElement, r: Recent, finished: boolean, onLanguage?: (lang: string) => void, now = false): void {
    code.classList.add('hljs');
    this.stats.applied++;
    if (r.lang && onLanguage) onLanguage(r.lang);
    const groups = finished ? splitLines(r.text, GROUP_LINES) : [];
    if (groups.length <= GROUPED_MIN_LINES / GROUP_LINES) {
      code.replaceChildren(build(r.tokens!));
      return;
    }
    // The text as plain groups first (the browser lays out only those on screen), then each replaced by its
    // highlighted spans, as long as the block still shows this text.
    const boxes = groups.map((text) => lineGroup(text));
    const spans = lineGroupsOf(r.tokens!);
    const todo = new Set(boxes.keys());
    if (spans.count !== boxes.length) todo.clear(); // (cannot happen: the steps carry exactly the text)
    if (now) for (const j of todo.keys()) boxes[j].replaceChildren(spans.group(j));
    code.replaceChildren(...boxes);
    if (now || !todo.size) return;
    this.grouping++;
    const step = () => {
      const t0 = performance.now();
      if (!code.isConnected || code.textContent !== r.text) todo.clear();
      // Per frame: first one group on or near the screen (the browser styles, lays out and paints it in this
      // frame: several times the JavaScript that builds it), then groups more than a screen away, which the
      // browser skips, as long as the frame's budget lasts. Where the groups are is read before anything
      // changes (the last frame's layout: no new one is forced).
      const ids = Array.from(todo);
      const far = ids.map((j) => distanceFromScreen(boxes[j]));
      const h = window.innerHeight;
      let best = -1;
      far.forEach((d, n) => {
        if (d < h && (best < 0 || d < far[best])) best = n;
      });
      // The group nearest the screen, then those off-screen; other groups near the screen wait their frame.
      const order = best < 0 ? ids : [ids[best], ...ids.filter((_, n) => far[n] >= h)];
      for (const j of order) {
        boxes[j].replaceChildren(spans.group(j));
        todo.delete(j);
        if (performance.now() - t0 >= GROUP_FRAME_MS) break;
      }
      this.count(performance.now() - t0);
      if (todo.size) requestAnimationFrame(step);
      else {
        this.grouping--;
        this.wakeIdle();
      }
    };
    requestAnimationFrame(step);
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
    this.ready = [];
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** Class names as highlight.js writes them (`hljs-title function_`); anything else is left out. */
const CLASS_NAMES = /^[\w .-]{1,100}$/;

function span(cls: string): HTMLSpanElement {
  const el = document.createElement('span');
  if (cls) el.className = cls;
  return el;
}

const classOf = (tokens: HighlightTokens, op: number) => {
  const cls = tokens.classes[op];
  return typeof cls === 'string' && CLASS_NAMES.test(cls) ? cls : '';
};

/** The spans and Text nodes the steps describe. */
export function build(tokens: HighlightTokens): DocumentFragment {
  return spansFrom(tokens, { k: 0, rest: '', open: [] }, Infinity);
}

/** `text` cut after every `n`-th line break (the last part may be shorter; no empty part at the end). */
export function splitLines(text: string, n: number): string[] {
  const parts: string[] = [];
  let from = 0;
  let pos = 0;
  let lines = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    pos = nl + 1;
    if (++lines === n) {
      parts.push(text.slice(from, pos));
      from = pos;
      lines = 0;
    }
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts;
}

/** How far an element is from the screen, px (0: on it), from the last frame's layout. */
function distanceFromScreen(el: Element): number {
  const r = el.getBoundingClientRect();
  return r.bottom < 0 ? -r.bottom : r.top > window.innerHeight ? r.top - window.innerHeight : 0;
}

/** One group of lines of a long block, plain (its height is known before the browser lays it out). */
function lineGroup(text: string): HTMLElement {
  const el = span('hl-lines');
  let lines = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) lines++;
  if (!text.endsWith('\n')) lines++;
  el.style.setProperty('--lines', String(lines));
  el.append(text);
  return el;
}

interface Cut {
  /** The step the group starts at, the rest of a text step cut before it, and the spans open there. */
  k: number;
  rest: string;
  open: string[];
}

/**
 * The steps cut into groups of GROUP_LINES lines, as `splitLines` cuts the text: `group(j)` builds group j's
 * spans, re-opening the spans still open at its start (a comment or string crossing the cut). One pass over
 * the steps (no DOM) finds where each group starts, so groups can be built in any order.
 */
export function lineGroupsOf(tokens: HighlightTokens): { count: number; group(j: number): DocumentFragment } {
  const { ops } = tokens;
  const cuts: Cut[] = [{ k: 0, rest: '', open: [] }];
  const open: string[] = [];
  let lines = 0;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    if (typeof op === 'string') {
      for (let nl = op.indexOf('\n'); nl >= 0; nl = op.indexOf('\n', nl + 1)) {
        if (++lines < GROUP_LINES) continue;
        lines = 0;
        cuts.push({ k: k + 1, rest: op.slice(nl + 1), open: open.slice() });
      }
    } else if (op >= 0) open.push(classOf(tokens, op));
    else open.pop();
  }
  // A cut at the very end starts no group.
  const last = cuts[cuts.length - 1];
  if (cuts.length > 1 && !last.rest && !ops.slice(last.k).some((op) => typeof op === 'string' && op)) cuts.pop();
  const group = (j: number) => spansFrom(tokens, cuts[j], GROUP_LINES);
  return { count: cuts.length, group };
}

/** The spans and Text nodes of the steps from `cut` on, for at most `maxLines` lines. */
function spansFrom(tokens: HighlightTokens, cut: Cut, maxLines: number): DocumentFragment {
  const { ops } = tokens;
  const frag = document.createDocumentFragment();
  let parent: ParentNode = frag;
  for (const cls of cut.open) {
    const el = span(cls);
    parent.append(el);
    parent = el;
  }
  let depth = cut.open.length;
  let lines = 0;
  /** Appends text up to the line that ends the group; true when it did. */
  const take = (text: string): boolean => {
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
      if (++lines === maxLines) {
        parent.append(text.slice(0, nl + 1));
        return true;
      }
    }
    if (text) parent.append(text);
    return false;
  };
  if (cut.rest && take(cut.rest)) return frag;
  for (let k = cut.k; k < ops.length; k++) {
    const op = ops[k];
    if (typeof op === 'string') {
      if (take(op)) break;
    } else if (op >= 0) {
      const el = span(classOf(tokens, op));
      parent.append(el);
      parent = el;
      depth++;
    } else if (depth > 0) {
      depth--;
      parent = parent.parentNode as ParentNode;
    }
  }
  return frag;
}

/** The panel's highlighter. */
export const highlighter = new Highlighter(WORKER_SOURCE);
