// The panel controller: owns the PanelState, applies host messages, renders once per animation frame,
// persists the state for instant restore, and routes link clicks to the host.
import type { EntryView, FormValues, HostMessage, PanelState, WebviewMessage } from '../protocol';
import { isOpenableLink } from '../protocol';
import { noteFrameOverhead, renderProgressMs, warmUp } from './markdown';
import { remoteImages } from './markdown/images';
import { FollowPolicy } from './follow';
import { FrameScheduler } from './scheduler';
import { ALL_CHANGES, applyPatch } from './state';
import { setL10n } from './strings';
import { isUrgent } from './urgency';
import { Composer } from './views/composer';
import { EntryElement } from './views/entry';
import { h } from './views/dom';
import { loadState, post, saveState } from './vscode';
import type { PersistedState } from './vscode';

const SAVE_DELAY_MS = 500;
/** While streaming, saves take at most about 1/SAVE_COST_FACTOR of the time: a save serializes the whole state
 * (a 2 MiB answer: JSON and two copies across the webview's frames, ~10–20 ms each time). */
const SAVE_COST_FACTOR = 50;
/** Keys that scroll the focused scroller. */
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' ']);
/** Everything that navigates when clicked: links, image-map areas, SVG links (`href` or `xlink:href`). */
const NAVIGATES = 'a, area, [href], [*|href]';
const XLINK = 'http://www.w3.org/1999/xlink';
/** A history opens with at most this many of its newest entries rendered, fewer past EAGER_CHARS of text (always
 * the latest); the rest are rendered as they come within LAZY_MARGIN of the view. */
const EAGER_ENTRIES = 4;
const EAGER_CHARS = 30_000;
const LAZY_MARGIN = '1200px 0px';

export class Panel {
  private state: PanelState = { apps: [], entries: [], running: false };
  private l10n: Record<string, string> | undefined;
  private readonly views = new Map<string, EntryElement>();
  private readonly entriesEl: HTMLElement;
  private composer: Composer;
  private readonly scheduler: FrameScheduler;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private structureDirty = false;
  /** The compact form's values per app (persisted with the state, never sent to the host until Send). */
  private formValues: Record<string, FormValues> = {};
  /** The person's last app pick, and whether the host has answered it yet. */
  private pick = { seq: 0, pending: false };

  constructor(private readonly root: HTMLElement) {
    this.scheduler = new FrameScheduler(() => this.flush(), undefined, undefined, renderProgressMs);
    this.composer = this.newComposer();
    this.entriesEl = h('div', { class: 'entries' });
    // A new conversation's opening comes after the earlier entries, where the new conversation starts.
    const scroller = h('div', { class: 'scroller' }, this.entriesEl, this.composer.opening);
    root.replaceChildren(this.composer.toolbar, this.composer.conversationsEl, scroller, this.composer.form);
    root.classList.add('dify-panel');
    this.scroller = scroller;
    remoteImages.connect(post);
    root.addEventListener('click', (e) => this.onClick(e), true);
    root.addEventListener('auxclick', (e) => this.onClick(e), true);
    window.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data));
    // A hidden webview gets no animation frames; render what is pending when it becomes visible again.
    document.addEventListener('visibilitychange', () => this.scheduler.flushNow());
    this.watchScroll();
  }

  private readonly scroller: HTMLElement;

  /** What an entry posts; a suggested question goes through the composer, so the form's values go with it. */
  private readonly entryPost = (m: WebviewMessage): void => (m.type === 'send' ? this.composer.ask(m.text, m.app) : post(m));

  private newComposer(): Composer {
    return new Composer(post, {
      get: (app) => this.formValues[app],
      set: (app, values) => {
        this.formValues = { ...this.formValues, [app]: values };
        this.save();
      },
    }, (app) => this.onPick(app));
  }

  start(): void {
    // What shows until the host answers is the saved copy: busy until `init` brings the host's state.
    this.root.setAttribute('aria-busy', 'true');
    const saved = loadState();
    if (saved) {
      if (saved.l10n) setL10n(saved.l10n);
      this.l10n = saved.l10n;
      if (saved.formValues && typeof saved.formValues === 'object') this.formValues = saved.formValues;
      this.setState(saved);
    } else {
      this.setState(this.state);
    }
    post({ type: 'ready' });
    warmUp();
  }

  /**
   * The person picked an app. The host may have sent messages with the app before in the meantime: until
   * one says it applied this pick, their selection (and that app's opening and form) is not shown.
   * Numbered from the clock, so a pick is newer than any the host saw from an earlier load of the panel.
   */
  private onPick(app: string): void {
    this.pick = { seq: Math.max(this.pick.seq + 1, Date.now()), pending: true };
    this.state = { ...this.state, selectedApp: app, opening: undefined, form: undefined, conversationId: undefined };
    this.composer.setOpening(this.state);
    this.save();
    post({ type: 'selectApp', app, pick: this.pick.seq });
  }

  /** Whether a host message sent with the host's last applied pick `seq` shows the person's last pick. */
  private answersPick(seq: number | undefined): boolean {
    if (this.pick.pending && (seq ?? 0) < this.pick.seq) return false;
    this.pick.pending = false;
    return true;
  }

  /** Nothing navigates the webview: links of every kind go to the host, which opens http(s) ones. */
  private onClick(e: MouseEvent): void {
    const target = e.target as Element | null;
    // An image's placeholder inside a link loads the image (its own handler); the link is not followed.
    if (target?.closest?.('.remote-image')) return;
    const link = target?.closest?.(NAVIGATES);
    if (!link || !this.root.contains(link)) return;
    e.preventDefault();
    if (e.type === 'auxclick' && e.button !== 1) return;
    const href = (link.getAttribute('href') ?? link.getAttributeNS(XLINK, 'href'))?.trim();
    if (href && isOpenableLink(href)) post({ type: 'openLink', href });
  }

  private onMessage(raw: unknown): void {
    if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'string') return;
    const msg = raw as HostMessage;
    switch (msg.type) {
      case 'init':
        setL10n(msg.l10n);
        this.l10n = msg.l10n;
        this.rebuild(this.answersPick(msg.state.pick) ? msg.state
          : { ...msg.state, selectedApp: this.state.selectedApp, opening: undefined, form: undefined });
        this.root.removeAttribute('aria-busy');
        break;
      case 'apps':
        this.state.apps = msg.apps;
        this.state.imageOrigins = msg.imageOrigins;
        remoteImages.trust(msg.imageOrigins);
        if (this.answersPick(msg.pick)) {
          this.state.selectedApp = msg.selectedApp;
          this.state.opening = msg.opening;
          this.state.form = msg.form;
          this.state.conversationId = msg.conversationId;
        }
        this.composer.setApps(msg.apps, this.state.selectedApp);
        this.composer.setForm(this.state.form);
        this.composer.setOpening(this.state);
        this.save();
        break;
      case 'formFiles':
        if (this.state.form?.app === msg.app) this.state.form.files = { ...this.state.form.files, [msg.variable]: msg.files };
        this.composer.setFormFiles(msg.app, msg.variable, msg.files);
        this.save();
        break;
      case 'formErrors':
        this.composer.showFormErrors(msg.app, msg.errors);
        break;
      case 'entryAdded':
        if (this.views.has(msg.entry.id)) this.replaceEntry(msg.entry);
        else this.addEntry(msg.entry);
        this.composer.setOpening(this.state);
        this.save();
        break;
      case 'entryPatch': {
        const view = this.views.get(msg.patch.id);
        if (!view) return;
        const urgent = isUrgent(view.entry, msg.patch);
        view.invalidate(applyPatch(view.entry, msg.patch));
        if (msg.patch.conversationId && view.entry.app === this.state.selectedApp) this.state.conversationId = msg.patch.conversationId;
        if (msg.patch.conversationId || msg.patch.status) this.composer.setOpening(this.state);
        // Streamed text follows the adaptive frame budget; anything else is rendered on the next frame.
        this.scheduler.schedule(urgent);
        this.save(view.entry.status === 'running');
        break;
      }
      case 'entries':
        this.state.entries = msg.entries;
        // Sent when a conversation was resumed or a new one started: its id, or none (the next message starts one).
        this.state.conversationId = msg.conversationId;
        this.renderEntries();
        this.composer.setOpening(this.state);
        this.save();
        break;
      case 'conversations':
      case 'conversationChanged':
        this.composer.conversationsMessage(msg);
        break;
      case 'running':
        this.state.running = msg.running;
        this.composer.setRunning(msg.running);
        this.save();
        break;
      case 'focusInput':
        this.composer.focus();
        break;
      case 'contexts':
        this.state.contexts = msg.contexts;
        this.composer.setContexts(msg.contexts);
        this.save();
        break;
      case 'image':
        remoteImages.receive(msg);
        break;
      case 'humanInputFiles':
        this.views.get(msg.id)?.humanInput.setFiles(msg.nodeId, msg.name, msg.files);
        break;
      case 'humanInputErrors':
        this.views.get(msg.id)?.humanInput.showErrors(msg.nodeId, msg.errors);
        break;
      case 'revealForm': {
        const view = this.views.get(msg.id);
        // An entry of a long history not rendered yet (far above the view) is rendered first, then its form shown.
        if (view?.reveal()) {
          this.scheduler.schedule(true);
          this.scheduler.flushNow();
        }
        view?.humanInput.reveal(msg.nodeId);
        break;
      }
    }
  }

  private rebuild(state: PanelState): void {
    const focused = document.activeElement === this.composer.textarea;
    const draft = this.composer.textarea.value;
    // Strings may have changed: the composer is rebuilt (it has no listeners outside its own elements).
    this.composer.opening.remove();
    this.composer = this.newComposer();
    this.scroller.append(this.composer.opening);
    this.root.replaceChildren(this.composer.toolbar, this.composer.conversationsEl, this.scroller, this.composer.form);
    this.setState(state);
    this.composer.textarea.value = draft;
    if (focused) this.composer.focus();
  }

  private setState(state: PanelState): void {
    this.state = { ...state, entries: state.entries.slice() };
    remoteImages.trust(state.imageOrigins);
    this.composer.setApps(state.apps, state.selectedApp);
    this.composer.setForm(state.form);
    this.composer.setRunning(state.running);
    this.composer.setContexts(state.contexts ?? []);
    this.renderEntries();
    this.composer.setOpening(this.state);
    this.save();
  }

  /**
   * Shows a whole history (the host keeps 200 runs, answers up to 200 000 characters): only its newest entries are
   * rendered at once; the others show their question and are rendered when they come near the view (scrolling up),
   * so the latest answer is on screen without rendering the whole history first, and what the page holds grows with
   * what was scrolled through, not with the history.
   */
  private renderEntries(): void {
    this.views.clear();
    this.lazy?.disconnect();
    this.entriesEl.replaceChildren();
    const entries = this.state.entries;
    let eager = 0;
    let chars = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      chars += e.answer.length + e.thinking.length;
      if (eager > 0 && (eager >= EAGER_ENTRIES || chars > EAGER_CHARS)) break;
      eager++;
    }
    entries.forEach((e, i) => this.addEntry(e, false, i < entries.length - eager));
    this.flush();
    // At the end before the first frame: the deferred entries seen first are the ones above the latest (a follow in
    // that frame would come after the lazy entries at the top had been found in view).
    if (eager < entries.length && this.pinned) this.scrollToEnd();
  }

  /** Reveals deferred entries as they come within LAZY_MARGIN of the view. */
  private lazy: IntersectionObserver | undefined;

  private observeDeferred(view: EntryElement): void {
    if (typeof IntersectionObserver !== 'function') {
      view.reveal();
      return;
    }
    this.lazy ??= new IntersectionObserver((seen) => {
      let revealed = false;
      for (const s of seen) {
        if (!s.isIntersecting) continue;
        this.lazy!.unobserve(s.target);
        const view = this.views.get((s.target as HTMLElement).dataset.entryId ?? '');
        revealed = !!view?.reveal() || revealed;
      }
      if (revealed) this.scheduler.schedule(true);
    }, { root: this.scroller, rootMargin: LAZY_MARGIN });
    this.lazy.observe(view.el);
  }

  private addEntry(entry: EntryView, push = true, deferred = false): void {
    if (push) this.state.entries.push(entry);
    const view = new EntryElement(entry, this.entryPost);
    this.views.set(entry.id, view);
    view.invalidate(ALL_CHANGES);
    this.entriesEl.append(view.el);
    if (deferred) {
      view.defer();
      this.observeDeferred(view);
      return;
    }
    this.structureDirty = true;
    this.scheduler.schedule(true);
  }

  private replaceEntry(entry: EntryView): void {
    const i = this.state.entries.findIndex((e) => e.id === entry.id);
    if (i >= 0) this.state.entries[i] = entry;
    const old = this.views.get(entry.id)!;
    this.lazy?.unobserve(old.el);
    const view = new EntryElement(entry, this.entryPost);
    this.views.set(entry.id, view);
    view.invalidate(ALL_CHANGES);
    old.el.replaceWith(view.el);
    this.scheduler.schedule(true);
  }

  /** One animation frame: render every entry that changed. Writes only — what it reads is the last frame's
   * layout, still clean (a catch-up follow's gap, the viewport's edge). */
  private flush(): void {
    noteFrameOverhead(this.scheduler.stats.lastBrowserMs);
    if (this.pinned && this.follow.followNow()) {
      // A follow while a burst is rendered in slices: first what the slices held back goes in (its layout in a
      // frame of its own), then the follow gets the next frame to itself (see FollowPolicy).
      let released = false;
      for (const v of this.views.values()) released = v.release() || released;
      if (released || this.gap() >= 1) {
        if (!released) this.scrollToEnd();
        this.scheduler.schedule(true);
        return;
      }
    }
    // New entries were put in by the message handlers: no layout to read for free, so nothing is held back.
    const viewBottom = this.structureDirty ? Infinity : this.scroller.getBoundingClientRect().bottom;
    if (this.structureDirty) this.pinned = true;
    this.structureDirty = false;
    let more = false;
    for (const v of this.views.values()) {
      if (v.dirty) v.flush(viewBottom);
      more ||= v.dirty; // a long answer rendered in slices continues in the next frames
    }
    // The next slice comes in the next frame: taking in new text is not the repeated work the budget spaces out.
    if (more) this.scheduler.schedule(true);
    if (this.follow.rendered(more)) {
      // Caught up: follow to the end at once, in the next frame (not in this slice's).
      requestAnimationFrame(() => {
        this.follow.ended();
        this.stick();
      });
    }
  }

  /**
   * Keeps the view pinned to the bottom without forcing a synchronous layout in the frame: whether the user
   * is at the bottom is read on scroll (layout is clean then), and the scroll to the bottom happens in a
   * ResizeObserver callback, which the browser runs after its own layout of the frame, before paint. While a
   * burst is rendered in slices, it follows only now and then (see FollowPolicy).
   */
  private pinned = true;
  private readonly follow = new FollowPolicy();
  /** How far the view is from the bottom, px. */
  private gap(): number {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight;
  }
  private readonly stick = (): void => {
    if (this.pinned && this.follow.free && this.gap() >= 1) this.scrollToEnd();
  };
  private scrollToEnd(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.follow.followed();
  }
  private watchScroll(): void {
    const s = this.scroller;
    // Only the user's own scrolling pins or unpins the view: scroll events also come from our follows and
    // from layout (a chunk's real height replacing its placeholder, scroll anchoring), which must not unpin.
    let intentUntil = 0;
    const intent = (ms: number) => () => (intentUntil = Math.max(intentUntil, performance.now() + ms));
    s.addEventListener('wheel', intent(500), { passive: true });
    s.addEventListener('touchmove', intent(500), { passive: true });
    s.addEventListener('pointerdown', intent(Infinity), { passive: true }); // dragging the scrollbar
    const released = () => (intentUntil = Math.min(intentUntil, performance.now() + 500));
    window.addEventListener('pointerup', released, { passive: true });
    window.addEventListener('pointercancel', released, { passive: true });
    window.addEventListener('keydown', (e) => {
      if (SCROLL_KEYS.has(e.key) && !(e.target as HTMLElement).closest('textarea, input, select, [contenteditable]')) intent(500)();
    });
    s.addEventListener('scroll', () => {
      if (performance.now() < intentUntil) this.pinned = this.gap() < 48;
    }, { passive: true });
    if (typeof ResizeObserver !== 'function') return;
    const ro = new ResizeObserver(this.stick);
    ro.observe(this.entriesEl); // the answer grew
    ro.observe(s); // the view shrank (composer grew, window resized)
  }

  /** Persists the state; while streaming, at most every SAVE_DELAY_MS, and less often when saves are slow (the
   * answer can be large). */
  private save(streaming = false): void {
    if (streaming) {
      this.saveTimer ??= setTimeout(() => this.saveNow(), Math.max(SAVE_DELAY_MS, SAVE_COST_FACTOR * this.saveMs));
      return;
    }
    this.saveNow();
  }

  /** How long the last save took, ms. */
  private saveMs = 0;

  private saveNow(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const persisted: PersistedState = { ...this.state, l10n: this.l10n, formValues: this.formValues };
    const t0 = performance.now();
    saveState(persisted);
    this.saveMs = performance.now() - t0;
  }
}
