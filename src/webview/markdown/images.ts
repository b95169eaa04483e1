// Remote images: the webview never loads one itself (its CSP allows images from the extension and data: only),
// so an answer cannot make it call out (a tracking pixel carrying the user's code in its URL). Each shows as a
// placeholder naming its host; a click asks the host, which fetches the image without credentials and sends it
// back as a data: URI. Images from origins the user trusts (the apps' own servers, `dify.trustedImageOrigins`)
// are asked for at once, through the same path.
import type { HostMessage, WebviewMessage } from '../../protocol';
import { t } from '../strings';
import { REMOTE_SRC } from './purify';

type ImageReply = Extract<HostMessage, { type: 'image' }>;

/** The data: URIs kept for re-renders (a streamed answer renders its last block again and again), chars. */
const MAX_KEPT_CHARS = 64 * 1024 * 1024;
/** Placeholders waiting for one image past which those no longer in the page are forgotten. */
const PRUNE_AT = 64;
/** Attributes a loaded image takes over from the `<img>` it replaces. */
const KEPT_ATTRS = ['alt', 'title', 'width', 'height', 'class'];

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export class RemoteImages {
  private post?: (msg: WebviewMessage) => void;
  private trusted = new Set<string>();
  /** url → data: URI, oldest first. */
  private readonly kept = new Map<string, string>();
  private keptChars = 0;
  /** Asked for and not answered yet. */
  private readonly inFlight = new Set<string>();
  /** Asked for without a click once already (a failed one is not asked for again on every render). */
  private readonly autoAsked = new Set<string>();
  /** Placeholders per url, and the `<img>` each stands for. */
  private readonly waiting = new Map<string, Set<HTMLElement>>();
  private readonly original = new WeakMap<HTMLElement, Element>();

  /** Gives the panel's channel to the host; until then (the bench page) a click does nothing. */
  connect(post: (msg: WebviewMessage) => void): void {
    this.post = post;
  }

  /** The origins whose images load without a click (from the host's state). */
  trust(origins: readonly string[] | undefined): void {
    this.trusted = new Set(origins ?? []);
  }

  /** Puts placeholders (or the images, once loaded) in place of the remote `<img>`s of a rendered fragment. */
  show(root: ParentNode): void {
    for (const img of Array.from(root.querySelectorAll(`img[${REMOTE_SRC}]`))) img.replaceWith(this.element(img.getAttribute(REMOTE_SRC)!, img));
  }

  /** What shows the image at `url`: the image when the host has sent it, else a placeholder. `like`: the
   * `<img>` it stands for (alt, title, size, class). */
  element(url: string, like: Element): HTMLElement {
    const data = this.kept.get(url);
    if (data !== undefined) return this.image(data, like);
    const el = this.placeholder(url);
    this.original.set(el, like);
    this.wait(url, el);
    const origin = originOf(url);
    if (origin && this.trusted.has(origin) && !this.autoAsked.has(url)) {
      this.autoAsked.add(url);
      this.ask(url, false);
    }
    return el;
  }

  /** The host's answer to a `loadImage`. */
  receive(msg: ImageReply): void {
    this.inFlight.delete(msg.url);
    const els = this.waiting.get(msg.url) ?? new Set<HTMLElement>();
    if ('dataUri' in msg) {
      this.keep(msg.url, msg.dataUri);
      this.waiting.delete(msg.url);
      for (const el of els) el.replaceWith(this.image(msg.dataUri, this.original.get(el)));
      return;
    }
    for (const el of els) this.label(el, msg.url, msg.error);
  }

  private placeholder(url: string): HTMLElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'remote-image';
    b.setAttribute(REMOTE_SRC, url);
    b.title = url;
    const i = document.createElement('span');
    i.className = 'codicon codicon-file-media';
    i.setAttribute('aria-hidden', 'true');
    b.append(i, document.createElement('span'));
    this.label(b, url);
    b.addEventListener('click', (e) => {
      // Inside a link, the click loads the image; it does not follow the link.
      e.preventDefault();
      e.stopPropagation();
      this.click(url, b);
    });
    return b;
  }

  private label(b: HTMLElement, url: string, error?: string): void {
    const text = error ?? t('Image from {0} — click to load', hostOf(url));
    b.lastElementChild!.textContent = text;
    b.removeAttribute('aria-busy');
    b.classList.toggle('failed', error !== undefined);
  }

  private click(url: string, b: HTMLElement): void {
    const data = this.kept.get(url);
    if (data !== undefined) {
      b.replaceWith(this.image(data, this.original.get(b)));
      return;
    }
    this.wait(url, b);
    b.lastElementChild!.textContent = t('Loading image from {0}…', hostOf(url));
    b.setAttribute('aria-busy', 'true');
    this.ask(url, true);
  }

  private ask(url: string, userAsked: boolean): void {
    if (!this.post || this.inFlight.has(url)) return;
    this.inFlight.add(url);
    this.post({ type: 'loadImage', url, userAsked });
  }

  private wait(url: string, el: HTMLElement): void {
    let set = this.waiting.get(url);
    if (!set) this.waiting.set(url, (set = new Set()));
    if (set.size >= PRUNE_AT) for (const old of set) if (!old.isConnected) set.delete(old);
    set.add(el);
  }

  private image(dataUri: string, like: Element | undefined): HTMLImageElement {
    const img = document.createElement('img');
    for (const name of KEPT_ATTRS) {
      const v = like?.getAttribute(name);
      if (v !== null && v !== undefined) img.setAttribute(name, v);
    }
    img.src = dataUri;
    return img;
  }

  private keep(url: string, dataUri: string): void {
    const old = this.kept.get(url);
    if (old !== undefined) this.keptChars -= old.length;
    this.kept.delete(url);
    this.kept.set(url, dataUri);
    this.keptChars += dataUri.length;
    for (const [u, d] of this.kept) {
      if (this.keptChars <= MAX_KEPT_CHARS || u === url) break;
      this.kept.delete(u);
      this.keptChars -= d.length;
    }
  }
}

/** The page's one set of remote images (the answers' renders and the files list share what was loaded). */
export const remoteImages = new RemoteImages();
