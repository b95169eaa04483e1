// Small DOM helpers: elements are built with createElement/textContent only (no HTML strings here).
type Attrs = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function icon(name: string, extra = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extra ? ' ' + extra : ''}`, 'aria-hidden': 'true' });
}

/** A button with a codicon, a tooltip and an accessible name; `label` shows text next to the icon. */
export function button(
  opts: { icon?: string; label: string; text?: boolean; class?: string; onClick: (e: MouseEvent) => void },
): HTMLButtonElement {
  const b = h('button', {
    type: 'button',
    class: opts.class ?? (opts.text ? 'text-button' : 'icon-button'),
    title: opts.label,
    'aria-label': opts.label,
  });
  if (opts.icon) b.append(icon(opts.icon));
  if (opts.text) b.append(h('span', { text: opts.label }));
  b.addEventListener('click', (e) => {
    e.preventDefault();
    opts.onClick(e);
  });
  return b;
}

export function show(el: HTMLElement, visible: boolean): void {
  el.hidden = !visible;
}

export function formatNumber(n: number): string {
  return n.toLocaleString(document.documentElement.lang || undefined);
}

export function formatSeconds(s: number): string {
  return s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : Math.round(s).toString();
}
