// One entry of the panel: question, thinking, trace, answer, outputs, usage, citations, files,
// suggestions, paused reason, status, error, and the answer actions.
import type { EntryView, WebviewMessage } from '../../protocol';
import type { RunStatus } from '../../shared/model';
import { IncrementalMarkdown, renderOneShot } from '../markdown';
import type { CodeActions } from '../markdown';
import { remoteImages } from '../markdown/images';
import { replacementText, visibleMarkdown } from '../markdown/visible';
import { ALL_CHANGES } from '../state';
import type { EntryChanges } from '../state';
import { t } from '../strings';
import { button, formatNumber, formatSeconds, h, icon, show } from './dom';
import { FeedbackView } from './feedback';
import { TraceView } from './trace';
import { HumanInputView } from './humanInput';

export type Post = (msg: WebviewMessage) => void;

const STATUS_ICON: Record<RunStatus, string> = {
  running: 'loading codicon-modifier-spin',
  succeeded: 'pass-filled',
  failed: 'error',
  stopped: 'circle-slash',
  'partial-succeeded': 'warning',
  paused: 'debug-pause',
};

export function statusText(s: RunStatus): string {
  switch (s) {
    case 'running': return t('Running');
    case 'succeeded': return t('Succeeded');
    case 'failed': return t('Failed');
    case 'stopped': return t('Stopped');
    case 'partial-succeeded': return t('Partially succeeded');
    case 'paused': return t('Paused');
    default: return String(s);
  }
}

/** Inline raster data: shown as it is (the CSP allows data: images). */
const isInlineImage = (url: string) => /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp);/i.test(url);

/** An image on a server: shown through the host, on a click unless its origin is trusted (images.ts). */
function isRemoteImage(url: string, fileType?: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  return fileType === 'image' || /\.(?:png|jpe?g|gif|webp|avif|bmp|svg)(?:[?#]|$)/i.test(url);
}

/** A markdown fence that cannot be closed early by the content. */
function fence(lang: string, body: string): string {
  const longest = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${lang}\n${body}\n${ticks}\n`;
}

/** What waits for the answer to be on screen once a run has ended. */
const AFTER_ANSWER = ['status', 'outputs', 'suggestions', 'paused', 'error', 'answerCut'] as const;

export function formatOutputs(outputs: Record<string, unknown>): string {
  return JSON.stringify(outputs, null, 2);
}

export class EntryElement {
  readonly el: HTMLElement;
  private readonly thinking: HTMLDetailsElement;
  private readonly thinkingLabel: HTMLElement;
  private readonly thinkingMd: IncrementalMarkdown;
  private readonly trace = new TraceView();
  private readonly answerEl: HTMLElement;
  private readonly answerMd: IncrementalMarkdown;
  private readonly outputsEl: HTMLElement;
  private readonly filesEl: HTMLElement;
  private readonly usageEl: HTMLElement;
  private readonly citationsEl: HTMLElement;
  private readonly suggestionsEl: HTMLElement;
  private readonly pausedEl: HTMLElement;
  /** The forms the run waits on (or waited on), where it paused. */
  readonly humanInput: HumanInputView;
  private readonly cutEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly actionsEl: HTMLElement;
  private readonly feedback: FeedbackView;
  private answerSynced = 0;
  private thinkingSynced = 0;
  private thinkingUserToggled = false;
  private pending: EntryChanges = {};
  /** Changes held until the answer is on screen (see `flush`). */
  private afterAnswer: EntryChanges = {};

  constructor(public entry: EntryView, private readonly post: Post) {
    const actions: CodeActions = {
      copy: (text) => post({ type: 'copy', text }),
      insert: (text) => post({ type: 'insert', text }),
      apply: (text, info) => post({ type: 'applyCode', id: entry.id, text, target: 'file', info }),
    };
    const e = entry;
    const question = h('div', { class: 'question', role: 'group', 'aria-label': t('Question') },
      h('div', { class: 'question-text', text: e.question }));
    // The question is usually one of the inputs (a workflow's first text field): it is shown once, as the question.
    const asked = e.question.replace(/…$/, '');
    const inputs = Object.entries(e.inputs ?? {}).filter(([, v]) => !(v === e.question || (asked && v.replace(/…$/, '') === asked)));
    if (inputs.length) {
      question.append(h('dl', { class: 'inputs', 'aria-label': t('Inputs') },
        ...inputs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v, title: v })])));
    }
    const appLine = h('div', { class: 'entry-app' }, icon('comment-discussion'), h('span', { text: e.app }));

    this.thinkingLabel = h('span', { text: t('Thinking') });
    const thinkingBody = h('div', { class: 'markdown thinking-body' });
    this.thinking = h('details', { class: 'thinking' }, h('summary', {}, icon('lightbulb'), this.thinkingLabel), thinkingBody);
    this.thinking.querySelector('summary')!.addEventListener('click', () => (this.thinkingUserToggled = true));
    this.thinkingMd = new IncrementalMarkdown(thinkingBody, { actions });

    this.answerEl = h('div', { class: 'markdown answer', 'aria-live': 'polite', 'aria-label': t('Answer') });
    this.answerMd = new IncrementalMarkdown(this.answerEl, { actions });
    this.outputsEl = h('section', { class: 'outputs', 'aria-label': t('Outputs') });
    this.filesEl = h('div', { class: 'files', 'aria-label': t('Files') });
    this.citationsEl = h('div', { class: 'citations' });
    this.usageEl = h('div', { class: 'usage' });
    this.suggestionsEl = h('div', { class: 'suggestions', role: 'group', 'aria-label': t('Suggested questions') });
    this.pausedEl = h('div', { class: 'paused', role: 'note' });
    this.humanInput = new HumanInputView(entry.id, post);
    this.cutEl = h('div', { class: 'answer-cut', role: 'note' }, icon('info'), h('span', { text: t('The answer is longer than the panel shows.') }),
      button({ icon: 'go-to-file', label: t('Open in New Editor'), text: true, class: 'text-button', onClick: () => this.post({ type: 'openInEditor', id: entry.id }) }));
    this.statusEl = h('div', { class: 'status', role: 'status' });
    this.errorEl = h('div', { class: 'inline-error', role: 'alert' });
    this.actionsEl = h('div', { class: 'answer-actions', role: 'toolbar', 'aria-label': t('Answer actions') });
    this.feedback = new FeedbackView(post);

    this.el = h('article', { class: 'entry', 'data-entry-id': e.id },
      h('div', { class: 'entry-head' }, appLine, question),
      h('div', { class: 'entry-body' }, this.thinking, this.trace.el, this.answerEl, this.cutEl, this.outputsEl, this.filesEl,
        this.pausedEl, this.humanInput.el, this.errorEl, this.suggestionsEl, this.citationsEl,
        h('div', { class: 'entry-foot' }, this.statusEl, this.usageEl, this.actionsEl, this.feedback.el)));
  }

  /** Records changes; nothing is rendered until `flush()` (once per animation frame). */
  invalidate(changes: EntryChanges): void {
    for (const k of Object.keys(changes) as (keyof EntryChanges)[]) if (changes[k]) this.pending[k] = true;
  }

  /** Only the question is shown until `reveal()`: an entry of a long history out of view is not rendered (the panel
   * opens with its latest answer without rendering 200 earlier ones first). */
  private deferred = false;

  defer(): void {
    this.deferred = true;
    this.el.classList.add('deferred');
  }

  /** Renders a deferred entry whole at the next flush; false when it was not deferred. */
  reveal(): boolean {
    if (!this.deferred) return false;
    this.deferred = false;
    this.el.classList.remove('deferred');
    this.invalidate(ALL_CHANGES);
    return true;
  }

  /** True when something changed, a long text is still being rendered slice by slice, or what waits for the
   * answer has yet to follow it (never while deferred). */
  get dirty(): boolean {
    if (this.deferred) return false;
    return Object.keys(this.pending).length > 0 || Object.keys(this.afterAnswer).length > 0 || this.answerMd.pending || this.thinkingMd.pending;
  }

  /**
   * Renders what changed. `viewBottom`: the viewport's bottom edge (client px) in the last frame's layout, read
   * before this frame wrote anything (so reading the answer's edge here forces no layout); while the answer's
   * end is below it, a burst's slices are held back out of the document (IncrementalMarkdown.render).
   */
  flush(viewBottom = Infinity): void {
    const c = this.pending;
    const belowView = viewBottom < Infinity && (c.answer || this.answerMd.pending) && this.answerEl.getBoundingClientRect().bottom > viewBottom;
    this.pending = {};
    const e = this.entry;
    const running = e.status === 'running';
    if (c.answer) {
      if (c.answerReplaced || e.answer.length < this.answerSynced) this.answerMd.setText(e.answer);
      else this.answerMd.append(e.answer.slice(this.answerSynced));
      this.answerSynced = e.answer.length;
    }
    if (c.thinking) {
      if (e.thinking.length < this.thinkingSynced) this.thinkingMd.setText(e.thinking);
      else this.thinkingMd.append(e.thinking.slice(this.thinkingSynced));
      this.thinkingSynced = e.thinking.length;
    }
    if (c.thinking || c.thinkingDone || c.status) this.updateThinking();
    else this.thinkingMd.render(); // the next slice of a long text, if any
    if (c.answer || c.status) {
      if (running) this.answerMd.render(belowView);
      else this.answerMd.finish(belowView);
      show(this.answerEl, e.answer.length > 0);
    } else this.answerMd.render(belowView);
    // Screen readers: the region is busy while streaming (or still rendering), so chunks are not read one by one.
    this.answerEl.setAttribute('aria-busy', String(running || this.answerMd.pending));
    // The run ended but its answer is still going in: what says it is done (status, Copy, outputs, suggestions…)
    // waits for the text, so nothing is offered for an answer the panel does not show yet.
    const behind = !running && this.answerMd.pending;
    for (const k of AFTER_ANSWER) {
      if (behind && c[k]) this.afterAnswer[k] = true;
      else if (!behind && this.afterAnswer[k]) c[k] = true;
      if (behind) c[k] = false;
    }
    if (!behind) this.afterAnswer = {};
    if (behind && c.answer) c.answer = false; // (the answer's actions wait too)
    if (c.answerCut || c.status) show(this.cutEl, !!e.answerCut);
    if (c.nodes || c.status) this.trace.update(e.nodes, !running && !behind);
    if (c.outputs || (c.answer && e.outputs) || c.status) this.updateOutputs();
    if (c.files) this.updateFiles();
    if (c.usage) this.updateUsage();
    if (c.citations) this.updateCitations();
    if (c.suggestions || c.status) this.updateSuggestions();
    if (c.paused || c.status || c.forms) {
      this.pausedEl.replaceChildren();
      if (e.paused) this.pausedEl.append(icon('debug-pause'), h('span', { text: t('Paused: {0}', e.paused) }));
      // A form to answer says itself why the run waits.
      show(this.pausedEl, !!e.paused && e.status === 'paused' && !e.forms?.some((f) => f.state === 'waiting' || f.state === 'elsewhere'));
    }
    if (c.forms || c.status) this.humanInput.update(e);
    if (c.error || c.status) this.updateError();
    if (c.status) this.updateStatus();
    if (c.status || c.outputs || c.error || c.answerCut || (c.answer && !running)) this.updateActions();
    if (c.status || c.feedback || c.answer || c.outputs) this.feedback.update(e);
  }

  /** Puts what the answer's slices held back into the document, in this frame; false when nothing was held. */
  release(): boolean {
    if (!this.answerMd.holding) return false;
    this.answerMd.release();
    return true;
  }

  private updateThinking(): void {
    const e = this.entry;
    show(this.thinking, e.thinking.length > 0);
    const streamingThoughts = !e.thinkingDone && e.status === 'running';
    this.thinkingLabel.textContent = streamingThoughts ? t('Thinking…') : t('Thought');
    if (streamingThoughts) this.thinkingMd.render();
    else this.thinkingMd.finish();
    if (!this.thinkingUserToggled) this.thinking.open = streamingThoughts;
  }

  private updateOutputs(): void {
    const e = this.entry;
    this.outputsEl.replaceChildren();
    const answer = e.answer.trim();
    const rows: HTMLElement[] = [];
    for (const [key, value] of Object.entries(e.outputs ?? {})) {
      if (value === null || value === undefined) continue;
      // The streamed answer usually is one of the outputs; do not show it twice.
      if (typeof value === 'string' && answer && value.trim() === answer) continue;
      const body = h('div', { class: 'markdown output-value' });
      const md = typeof value === 'string' ? value : fence('json', JSON.stringify(value, null, 2));
      body.append(renderOneShot(md, { actions: { copy: (text) => this.post({ type: 'copy', text }), insert: (text) => this.post({ type: 'insert', text }) } }));
      rows.push(h('div', { class: 'output', 'data-key': key }, h('div', { class: 'output-key', text: key }), body));
    }
    if (rows.length) this.outputsEl.append(h('div', { class: 'section-title', text: t('Outputs') }), ...rows);
    show(this.outputsEl, rows.length > 0);
  }

  private updateFiles(): void {
    const files = this.entry.files ?? [];
    this.filesEl.replaceChildren(...files.map((f) => {
      if (isInlineImage(f.url)) {
        const img = h('img', { class: 'file-image', alt: t('Image'), loading: 'lazy' });
        img.src = f.url;
        return img;
      }
      if (isRemoteImage(f.url, f.fileType)) return remoteImages.element(f.url, h('img', { class: 'file-image', alt: t('Image') }));
      const name = f.url.split(/[?#]/)[0].split('/').pop() || f.url;
      const a = h('a', { class: 'file-link', href: f.url, title: f.url }, icon('file-media'), h('span', { text: decodeURIComponentSafe(name) }));
      return a;
    }));
    show(this.filesEl, files.length > 0);
  }

  private updateUsage(): void {
    const u = this.entry.usage;
    const parts: string[] = [];
    if (u?.totalTokens) parts.push(t('{0} tokens', formatNumber(u.totalTokens)));
    if (u?.latencySeconds !== undefined) parts.push(t('{0} s', formatSeconds(u.latencySeconds)));
    if (u?.totalPrice && Number(u.totalPrice) > 0) parts.push(`${u.totalPrice} ${u.currency ?? ''}`.trim());
    this.usageEl.textContent = parts.join(' · ');
    show(this.usageEl, parts.length > 0);
  }

  private updateCitations(): void {
    const cites = this.entry.citations ?? [];
    this.citationsEl.replaceChildren();
    if (cites.length) {
      const list = h('ol', { class: 'citation-list' }, ...cites.map((c) => h('li', {},
        icon('book'),
        h('span', { class: 'citation-doc', text: c.documentName ?? c.datasetName ?? '' }),
        c.datasetName && c.documentName ? h('span', { class: 'citation-dataset', text: c.datasetName }) : null,
        c.score !== undefined ? h('span', { class: 'citation-score', text: t('Score {0}', c.score.toFixed(2)) }) : null,
        c.content ? h('div', { class: 'citation-content', text: c.content }) : null)));
      this.citationsEl.append(h('details', {}, h('summary', { text: t('Citations ({0})', cites.length) }), list));
    }
    show(this.citationsEl, cites.length > 0);
  }

  private updateSuggestions(): void {
    const list = this.entry.status === 'running' ? [] : this.entry.suggestions ?? [];
    this.suggestionsEl.replaceChildren(...list.map((q) =>
      button({ label: q, text: true, class: 'suggestion', icon: 'sparkle', onClick: () => this.post({ type: 'send', text: q, app: this.entry.app }) })));
    show(this.suggestionsEl, list.length > 0);
  }

  private updateError(): void {
    const err = this.entry.error;
    this.errorEl.replaceChildren();
    if (err) {
      this.errorEl.append(icon('error'), h('span', { class: 'error-message', text: err.message }),
        h('span', { class: 'error-actions' }, ...err.actions.map((a) => button({
          label: a.label, text: true, class: 'text-button secondary',
          onClick: () => this.post({ type: 'errorAction', id: this.entry.id, action: a.action }),
        }))));
    }
    show(this.errorEl, !!err);
  }

  private updateStatus(): void {
    const s = this.entry.status;
    this.el.dataset.status = s;
    this.statusEl.replaceChildren(icon(STATUS_ICON[s] ?? 'circle-outline'), h('span', { text: statusText(s) }));
    this.statusEl.setAttribute('aria-label', t('Status: {0}', statusText(s)));
  }

  /** The result the answer actions act on: the answer, else the one text output (both markdown), else all the
   * outputs as JSON (shown as a code block). */
  private result(): { markdown: string; json?: string } {
    const e = this.entry;
    if (e.answer) return { markdown: e.answer };
    const outs = Object.values(e.outputs ?? {});
    if (outs.length === 1 && typeof outs[0] === 'string') return { markdown: outs[0] };
    if (!e.outputs || !Object.keys(e.outputs).length) return { markdown: '' };
    const json = formatOutputs(e.outputs);
    return { markdown: fence('json', json), json };
  }

  /** What Copy and Insert at Cursor take: the text the panel shows of the result (computed on a click only). */
  private resultText(): string {
    const r = this.result();
    return r.json ?? visibleMarkdown(r.markdown);
  }

  private updateActions(): void {
    const e = this.entry;
    const done = e.status !== 'running';
    const buttons: HTMLButtonElement[] = [];
    if (done && this.result().markdown) {
      buttons.push(
        button({ icon: 'copy', label: t('Copy'), onClick: () => this.post({ type: 'copy', text: this.resultText() }) }),
        button({ icon: 'insert', label: t('Insert at Cursor'), onClick: () => this.post({ type: 'insert', text: this.resultText() }) }),
      );
      if (e.canReplaceSelection) {
        const replacement = () => replacementText(this.result().markdown);
        buttons.push(
          button({ icon: 'git-compare', label: t('Apply to Selection'), onClick: () => this.post({ type: 'applyCode', id: e.id, text: replacement(), target: 'selection' }) }),
          button({ icon: 'replace', label: t('Replace Selection'), onClick: () => this.post({ type: 'replaceSelection', id: e.id, text: replacement() }) }),
        );
      }
      buttons.push(button({ icon: 'go-to-file', label: t('Open in New Editor'), onClick: () => this.post({ type: 'openInEditor', id: e.id }) }));
    }
    // A failure's own Retry button is the one Retry.
    if (done && !e.error?.actions.some((a) => a.action === 'retry')) buttons.push(button({ icon: 'refresh', label: t('Retry'), onClick: () => this.post({ type: 'retry', id: e.id }) }));
    this.actionsEl.replaceChildren(...buttons);
    show(this.actionsEl, buttons.length > 0);
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
