// The workflow trace: nodes as they start and finish, iteration/loop rounds grouped under their parent.
import type { TraceNode } from '../../shared/model';
import { t } from '../strings';
import { formatNumber, formatSeconds, h, icon } from './dom';

const STATUS_ICON: Record<string, string> = {
  running: 'loading codicon-modifier-spin',
  succeeded: 'pass-filled',
  failed: 'error',
  exception: 'error',
  stopped: 'circle-slash',
  paused: 'debug-pause',
  retry: 'sync',
};

export function isFailure(status: string): boolean {
  return status === 'failed' || status === 'exception';
}

function statusLabel(status: string): string {
  switch (status) {
    case 'running': return t('Running');
    case 'succeeded': return t('Succeeded');
    case 'failed': case 'exception': return t('Failed');
    case 'stopped': return t('Stopped');
    case 'paused': return t('Paused');
    default: return status;
  }
}

export class TraceView {
  readonly el: HTMLDetailsElement;
  private readonly summaryCount: HTMLElement;
  private readonly list: HTMLOListElement;
  /** Open state of groups the user toggled, by node id (survives re-rendering). */
  private readonly groupOpen = new Map<string, boolean>();
  private userToggled = false;
  private autoCollapsed = false;

  constructor() {
    this.summaryCount = h('span', { class: 'trace-count' });
    const summary = h('summary', {}, icon('type-hierarchy'), h('span', { class: 'trace-title', text: t('Workflow') }), this.summaryCount);
    this.list = h('ol', { class: 'trace-list' });
    this.el = h('details', { class: 'trace', open: true }, summary, this.list);
    summary.addEventListener('click', () => (this.userToggled = true));
  }

  /** Re-renders from the node list; `done` collapses the trace once unless something failed. */
  update(nodes: TraceNode[], done: boolean): void {
    this.el.hidden = nodes.length === 0;
    const top = nodes.filter((n) => !n.parentId || !nodes.some((p) => p.id === n.parentId));
    this.summaryCount.textContent = t('{0} steps', top.length);
    const children = new Map<string, TraceNode[]>();
    for (const n of nodes) {
      if (n.parentId && nodes.some((p) => p.id === n.parentId)) {
        const list = children.get(n.parentId) ?? [];
        list.push(n);
        children.set(n.parentId, list);
      }
    }
    this.list.replaceChildren(...top.map((n) => this.item(n, children)));
    const failed = nodes.some((n) => isFailure(n.status));
    this.el.classList.toggle('has-failure', failed);
    if (done && !this.autoCollapsed && !this.userToggled) {
      this.autoCollapsed = true;
      this.el.open = failed;
    }
  }

  private row(n: TraceNode): HTMLElement {
    const failed = isFailure(n.status);
    const meta: string[] = [];
    if (n.elapsedSeconds !== undefined) meta.push(t('{0} s', formatSeconds(n.elapsedSeconds)));
    if (n.totalTokens) meta.push(t('{0} tokens', formatNumber(n.totalTokens)));
    const status = STATUS_ICON[n.status] ?? 'circle-outline';
    return h(
      'span',
      { class: `trace-row status-${n.status}${failed ? ' failed' : ''}` },
      h('span', { class: `codicon codicon-${status} trace-status`, role: 'img', 'aria-label': statusLabel(n.status), title: statusLabel(n.status) }),
      h('span', { class: 'trace-node-title', text: n.title || n.kind }),
      h('span', { class: 'trace-kind', text: n.kind }),
      meta.length ? h('span', { class: 'trace-meta', text: meta.join(' · ') }) : null,
    );
  }

  private item(n: TraceNode, children: Map<string, TraceNode[]>): HTMLLIElement {
    const kids = children.get(n.id) ?? [];
    const li = h('li', { class: 'trace-node', 'data-node-id': n.id });
    const extra: HTMLElement[] = [];
    if (n.error) extra.push(h('div', { class: 'trace-error', role: 'note', text: n.error }));
    if (n.detail) extra.push(h('details', { class: 'trace-detail' }, h('summary', { text: n.kind }), h('pre', { text: n.detail })));
    if (!kids.length) {
      li.append(this.row(n), ...extra);
      return li;
    }
    // Iteration / loop: rounds grouped by index, each round a nested list.
    const rounds = new Map<number | undefined, TraceNode[]>();
    for (const k of kids) {
      const list = rounds.get(k.index) ?? [];
      list.push(k);
      rounds.set(k.index, list);
    }
    const body = h('div', { class: 'trace-rounds' });
    const roundLabel = n.kind === 'loop' ? 'Round {0}' : 'Iteration {0}';
    for (const [index, list] of rounds) {
      const ol = h('ol', { class: 'trace-list' }, ...list.map((k) => this.item(k, children)));
      if (index === undefined) body.append(ol);
      else body.append(h('div', { class: 'trace-round' }, h('div', { class: 'trace-round-title', text: t(roundLabel, index + 1) }), ol));
    }
    const anyFailed = kids.some((k) => isFailure(k.status));
    const open = this.groupOpen.get(n.id) ?? (n.status === 'running' || anyFailed);
    const group = h('details', { class: 'trace-group', open }, h('summary', {}, this.row(n)), ...extra, body);
    group.addEventListener('toggle', () => this.groupOpen.set(n.id, group.open));
    li.append(group);
    return li;
  }
}
