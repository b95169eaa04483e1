// The one function that says what text a rendered part of an answer shows: every answer action takes its text
// through it (a code block's Copy and Insert directly, the answer's through visible.ts).

/** Elements that start a new line where they begin and end. */
const BLOCKS = new Set([
  'ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'CAPTION', 'CENTER', 'DD', 'DETAILS', 'DIV', 'DL', 'DT', 'FIELDSET',
  'FIGCAPTION', 'FIGURE', 'FOOTER', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HGROUP', 'HR', 'LEGEND', 'LI',
  'MAIN', 'MENU', 'NAV', 'OL', 'P', 'PRE', 'SEARCH', 'SECTION', 'SUMMARY', 'TABLE', 'TR', 'UL',
]);

/**
 * The text a rendered node shows: its text, a line break for `<br>` and around blocks. The panel's own controls
 * (buttons: an image's placeholder) and what it hides are left out; the sanitizer keeps nothing else that hides.
 */
export function visibleText(root: Node): string {
  let out = '';
  const newline = () => {
    if (out && !out.endsWith('\n')) out += '\n';
  };
  const walk = (node: Node): void => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === Node.TEXT_NODE) {
        out += (c as Text).data;
        continue;
      }
      if (c.nodeType !== Node.ELEMENT_NODE) continue; // comments
      const el = c as Element;
      if (el.tagName === 'BR') out += '\n';
      else if (el.tagName === 'BUTTON' || el.hasAttribute('hidden')) continue;
      else if (!BLOCKS.has(el.tagName)) walk(el);
      else {
        newline();
        walk(el);
        newline();
      }
    }
  };
  walk(root);
  return out;
}
