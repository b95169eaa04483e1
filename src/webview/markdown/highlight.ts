// Code blocks: a header with the language and Copy / Insert at Cursor buttons, and syntax highlighting (in a
// worker: highlighter.ts). Buttons are created here by script, never from HTML, so markdown cannot forge one.
import { t } from '../strings';
import { highlighter } from './highlighter';
import { visibleText } from './visibleText';

export interface CodeActions {
  copy(text: string): void;
  insert(text: string): void;
  /** Shows the code as a reviewed change of a file; `info`: the fence's info string (it may name the file). */
  apply?(text: string, info: string): void;
}

export interface EnhanceOptions {
  /** Syntax highlighting on (default true). */
  highlight?: boolean;
  /** Run auto-detection for fences without a language (finished blocks only; default true); or per block. */
  auto?: boolean | ((code: Element) => boolean);
  actions?: CodeActions;
}

/** A language name from a fence info string, reduced to safe characters; '' when unusable. */
export function safeLanguage(lang: string | undefined | null): string {
  const m = /^[A-Za-z0-9_+#.-]{1,32}$/.exec((lang ?? '').trim());
  return m ? m[0].toLowerCase() : '';
}

function languageOf(code: Element): string {
  for (const c of Array.from(code.classList)) if (c.startsWith('language-')) return safeLanguage(c.slice(9));
  return '';
}


function iconButton(icon: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'icon-button';
  b.title = label;
  b.setAttribute('aria-label', label);
  const i = document.createElement('span');
  i.className = `codicon codicon-${icon}`;
  i.setAttribute('aria-hidden', 'true');
  b.append(i);
  b.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** Highlights every `pre > code` under `root` and wraps it with a header. Idempotent per block. */
export function enhanceCodeBlocks(root: ParentNode, opts: EnhanceOptions = {}): void {
  const highlight = opts.highlight !== false;
  for (const code of Array.from(root.querySelectorAll('pre > code'))) {
    const pre = code.parentElement as HTMLElement;
    if (pre.parentElement?.classList.contains('code-block')) continue;
    const text = code.textContent ?? '';
    const lang = languageOf(code);
    code.className = lang ? `language-${lang}` : '';
    const block = document.createElement('div');
    block.className = 'code-block';
    const header = document.createElement('div');
    header.className = 'code-header';
    const label = document.createElement('span');
    label.className = 'code-lang';
    label.textContent = lang || t('Code');
    const auto = typeof opts.auto === 'function' ? opts.auto(code) : opts.auto !== false;
    if (highlight) highlighter.paint(code as HTMLElement, text, lang, auto, (found) => (label.textContent = found));
    const tools = document.createElement('span');
    tools.className = 'code-tools';
    const actions = opts.actions;
    tools.append(
      // The code as the block shows it (sanitized: nothing in it is hidden), read when clicked.
      iconButton('copy', t('Copy code'), () => actions?.copy(visibleText(code))),
      iconButton('insert', t('Insert code at cursor'), () => actions?.insert(visibleText(code))),
    );
    const apply = actions?.apply;
    if (apply) tools.append(iconButton('git-compare', t('Apply code to a file (review the diff first)'), () => apply(visibleText(code), pre.dataset.info ?? lang)));
    header.append(label, tools);
    pre.replaceWith(block);
    block.append(header, pre);
  }
}
