// The one DOMPurify instance of the webview, with the panel's policy. Every HTML string that reaches
// the DOM (markdown output, highlighted code) goes through `sanitizeToFragment` / `sanitizeToString`.
import DOMPurify from 'dompurify';
import type { Config } from 'dompurify';

/** Links keep only these schemes; anything else loses its href (the host opens http(s) only). */
const SAFE_HREF = /^(?:https?:|mailto:|#)/i;
/** Images load only from https: or inline raster data (CSP: img-src https: data:). */
const SAFE_IMG = /^(?:https:|data:image\/(?:png|gif|jpe?g|webp|avif|bmp);)/i;

const CONFIG: Config = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: [
    'style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'frameset',
    'object', 'embed', 'applet', 'meta', 'link', 'base', 'dialog', 'template', 'audio', 'video', 'source', 'track',
  ],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'target', 'ping', 'background'],
  ALLOW_DATA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/|#)/i,
};

// `setConfig` makes DOMPurify ignore per-call options, so each output kind gets its own configured instance
// (parsing the config once instead of on every call — the renderer sanitizes on every frame).
function create(config: Config) {
  const purify = DOMPurify(window);
  purify.setConfig(config);
  purify.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName === 'A') {
      const href = el.getAttribute('href');
      if (href !== null && !SAFE_HREF.test(href.trim())) el.removeAttribute('href');
      // Navigation never happens inside the webview: clicks are intercepted and posted to the host.
      el.setAttribute('rel', 'noopener noreferrer');
    } else if (el.tagName === 'IMG') {
      const src = el.getAttribute('src');
      if (src === null || !SAFE_IMG.test(src.trim())) el.removeAttribute('src');
      el.setAttribute('loading', 'lazy');
    } else if (el.hasAttribute('src')) {
      el.removeAttribute('src');
    }
  });
  return purify;
}

let toFragment: ReturnType<typeof create> | undefined;
let toString: ReturnType<typeof create> | undefined;

/** Sanitizes an HTML string into a fragment owned by the current document. */
export function sanitizeToFragment(html: string): DocumentFragment {
  toFragment ??= create({ ...CONFIG, RETURN_DOM_FRAGMENT: true });
  return toFragment.sanitize(html) as unknown as DocumentFragment;
}

/** Sanitizes an HTML string and returns HTML. */
export function sanitizeToString(html: string): string {
  toString ??= create(CONFIG);
  return toString.sanitize(html) as unknown as string;
}
