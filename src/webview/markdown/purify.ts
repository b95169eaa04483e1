// The one DOMPurify instance of the webview, with the panel's policy. Every HTML string that reaches
// the DOM (markdown output, highlighted code) goes through `sanitizeToFragment` / `sanitizeToString`.
//
// Beyond "no script": nothing in an answer loads from outside the webview by itself (remote images keep their
// URL in REMOTE_SRC and get no src: images.ts shows a placeholder, the host fetches them), and nothing in an
// answer hides text from the user (what the answer actions copy is what the panel shows: visible.ts).
import DOMPurify from 'dompurify';
import type { Config } from 'dompurify';

/** Links keep only these schemes; anything else loses its href (the host opens http(s) only). */
const SAFE_HREF = /^(?:https?:|mailto:|#)/i;
/** Images the webview shows as they are: inline raster data (CSP: img-src data:). */
const INLINE_IMG = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp);/i;
/** Images fetched through the host, on a click or from a trusted origin. */
const REMOTE_IMG = /^https?:\/\//i;
/** Where a remote image's URL waits for the host (images.ts). */
export const REMOTE_SRC = 'data-remote-src';
/** The only class names kept: the ones marked's renderer writes (code blocks' `language-*`) and highlight.js's
 * (`hljs-title function_`: the bench's main-thread baseline sanitizes its HTML). Others could borrow the panel's
 * own styles (one of them hides). */
const OWN_CLASS = /^(?:language-[\w+#.-]+|hljs(?:-[\w-]+)?|[a-z]+_+)$/;

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    'style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset',
    'object', 'embed', 'applet', 'meta', 'link', 'base', 'dialog', 'template', 'audio', 'video', 'source', 'track',
    // Their content is not drawn (rp, datalist; meter, progress and canvas show a widget instead) or moves out
    // of view (marquee): without the element, the content shows as text.
    'rp', 'datalist', 'meter', 'progress', 'canvas', 'optgroup', 'marquee',
  ],
  FORBID_ATTR: [
    'style', 'srcset', 'action', 'formaction', 'target', 'ping', 'background',
    // Text the user cannot see: hidden and popovers are not drawn, colours can match the background,
    // aria-hidden hides it from screen readers.
    'hidden', 'popover', 'popovertarget', 'popovertargetaction', 'command', 'commandfor', 'inert',
    'color', 'bgcolor', 'face', 'aria-hidden',
  ],
  ALLOW_DATA_ATTR: false,
  // A code block's fence info string (pipeline.ts): only a hint of which file it is for; the host checks the path.
  ADD_ATTR: ['data-info'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/|#)/i,
  // DOMPurify tests every other attribute's value against the URI pattern too: these are not URLs, and marked writes
  // them (a list that starts at 3, a table column's alignment).
  ADD_URI_SAFE_ATTR: ['start', 'align', 'colspan', 'rowspan', 'scope', 'abbr', 'lang', 'width', 'height', 'reversed', 'data-info'],
  // A script's source is not shown, renamed as it is (pipeline.ts `neutralizeHtml`) like before.
  ADD_FORBID_CONTENTS: ['blocked-script'],
};

/** Set by the hook when a sanitize call turned an image into a remote one (see `hadRemoteImages`). */
let remoteImages = false;

function keepOwnClasses(el: Element): void {
  const kept = Array.from(el.classList).filter((c) => OWN_CLASS.test(c));
  if (kept.length) el.className = kept.join(' ');
  else el.removeAttribute('class');
}

function afterAttributes(el: Element): void {
  if (el.hasAttribute('class')) keepOwnClasses(el);
  switch (el.tagName) {
    case 'A':
    case 'AREA': {
      const href = el.getAttribute('href');
      if (href !== null && !SAFE_HREF.test(href.trim())) el.removeAttribute('href');
      // Navigation never happens inside the webview: clicks are intercepted and posted to the host.
      el.setAttribute('rel', 'noopener noreferrer');
      return;
    }
    case 'IMG': {
      const src = el.getAttribute('src')?.trim() ?? '';
      if (REMOTE_IMG.test(src)) {
        el.setAttribute(REMOTE_SRC, src);
        remoteImages = true;
      }
      if (!INLINE_IMG.test(src)) el.removeAttribute('src');
      el.setAttribute('loading', 'lazy');
      return;
    }
    case 'DETAILS':
      // A closed <details> hides its content; what is copied must have been on screen.
      el.setAttribute('open', '');
      return;
    default:
      if (el.hasAttribute('src')) el.removeAttribute('src');
  }
}

// `setConfig` makes DOMPurify ignore per-call options, so each output kind gets its own configured instance
// (parsing the config once instead of on every call — the renderer sanitizes on every frame).
function create(config: Config) {
  const purify = DOMPurify(window);
  purify.setConfig(config);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeType === Node.ELEMENT_NODE) afterAttributes(node as Element);
  });
  return purify;
}

let toFragment: ReturnType<typeof create> | undefined;
let toString: ReturnType<typeof create> | undefined;

/**
 * A `<frameset>` (or `<frame>`) where the parser still accepts one replaces the document's body: DOMPurify then
 * has no body to return (null / ''), and the whole input would be lost. Renamed, they are unknown elements,
 * which DOMPurify drops while keeping what follows them.
 */
function withoutFramesets(html: string): string {
  return html.replace(/(<\/?)(frameset|frame)(?=[\s/>])/gi, '$1blocked-$2');
}

/** Sanitizes an HTML string into a fragment; what the sanitizer refuses is dropped, never the rest with it. */
export function sanitizeToFragment(html: string): DocumentFragment {
  toFragment ??= create({ ...CONFIG, RETURN_DOM_FRAGMENT: true });
  remoteImages = false;
  const frag = toFragment.sanitize(html) as unknown as DocumentFragment | null;
  if (frag) return frag;
  return (toFragment.sanitize(withoutFramesets(html)) as unknown as DocumentFragment | null) ?? document.createDocumentFragment();
}

/** Sanitizes an HTML string and returns HTML (see `sanitizeToFragment`). */
export function sanitizeToString(html: string): string {
  toString ??= create(CONFIG);
  const out = (toString.sanitize(html) as unknown as string | null) ?? '';
  return out || !/<frame/i.test(html) ? out : ((toString.sanitize(withoutFramesets(html)) as unknown as string | null) ?? '');
}

/** Whether the last `sanitizeToFragment` call left remote images (`img[data-remote-src]`) in its fragment. */
export function hadRemoteImages(): boolean {
  return remoteImages;
}
