// A long history opens with its latest answer, not with all of it: the real panel bundle is given a history of 120
// runs; the newest are rendered and in view, the ones far above show only their question until scrolled to, and
// what changed in an entry while it waited is there when it is rendered.
import assert from 'node:assert/strict';
import type { EntryView, PanelState } from '../../src/protocol';
import { entryView, pagePerTest, panelDriver } from './harness';

const COUNT = 120;

function history(): EntryView[] {
  return Array.from({ length: COUNT }, (_, i) => entryView({
    id: `h${i}`, app: 'Helper Chat', question: `问题 ${i} 🤔`, status: 'succeeded', thinkingDone: true,
    answer: `答案 A${i}Z 👍\n\n${'这是一个比较长的段落，用来占据一些高度。 '.repeat(8)}\n\n\`\`\`ts\nconst x${i} = ${i};\n\`\`\`\n`,
  }));
}

function state(): PanelState {
  return { apps: [{ name: 'Helper Chat', mode: 'chat', server: 'https://api.dify.ai/v1', provider: 'dify' }], selectedApp: 'Helper Chat', entries: history(), running: false };
}

describe('a long history in the panel', function () {
  this.timeout(60_000);
  const tp = pagePerTest();
  const { init, send } = panelDriver(tp, state);

  /** Per entry (oldest first): whether its answer is rendered, and its text. */
  const answers = () => tp.page.evaluate(() => [...document.querySelectorAll('.entries > .entry')].map((e) => {
    const a = e.querySelector('.answer')!;
    return { rendered: a.childNodes.length > 0, text: a.textContent ?? '', deferred: e.classList.contains('deferred') };
  }));
  const scrollTo = async (where: 'top' | 'bottom') => {
    await tp.page.evaluate((w) => {
      const s = document.querySelector('.scroller')!;
      s.scrollTop = w === 'top' ? 0 : s.scrollHeight;
    }, where);
    await tp.frames(4);
  };

  it('renders the latest answers in view and leaves the ones far above unrendered until scrolled to', async () => {
    await init();
    let a = await answers();
    assert.equal(a.length, COUNT, 'every entry is in the list');
    assert.ok(a[COUNT - 1].rendered && a[COUNT - 1].text.includes(`A${COUNT - 1}Z`), 'the latest answer is rendered');
    const inView = await tp.page.evaluate(() => {
      const s = document.querySelector('.scroller')!.getBoundingClientRect();
      const r = document.querySelector('.entries > .entry:last-child .answer')!.getBoundingClientRect();
      return r.bottom > s.top && r.top < s.bottom;
    });
    assert.ok(inView, 'the latest answer is in the view');
    const rendered = a.filter((x) => x.rendered).length;
    assert.ok(rendered < COUNT / 4, `only the entries near the view are rendered (${rendered} of ${COUNT})`);
    assert.ok(!a[0].rendered && a[0].deferred, 'the oldest entry is not rendered');
    // Its question shows; nothing of its body does (no "longer than the panel shows" note, no actions).
    const shell = await tp.page.evaluate(() => {
      const e = document.querySelector('.entries > .entry')!;
      const body = e.querySelector<HTMLElement>('.entry-body')!;
      return { question: e.querySelector('.question-text')!.textContent, bodyHeight: body.getBoundingClientRect().height };
    });
    assert.equal(shell.question, '问题 0 🤔');
    assert.equal(shell.bodyHeight, 0);

    await scrollTo('top');
    a = await answers();
    assert.ok(a[0].rendered && a[0].text.includes('A0Z'), 'scrolled to, the oldest answer is rendered');
    assert.ok(!a[0].deferred);
    const middle = Math.floor(COUNT / 2);
    assert.ok(!a[middle].rendered, 'an entry in between that was never near the view is still not rendered');
  });

  it('shows what changed in an entry while it waited, once it is rendered', async () => {
    await init();
    await send({ type: 'entryPatch', patch: { id: 'h0', answer: '改过的答案 R0Z ✅', feedback: { rating: 'like' } } });
    let a = await answers();
    assert.ok(!a[0].rendered, 'a patch does not render an entry out of view');
    await scrollTo('top');
    a = await answers();
    assert.ok(a[0].text.includes('R0Z') && !a[0].text.includes('A0Z'), `the replaced answer shows: ${a[0].text.slice(0, 80)}`);
  });

  it('renders a new run at the end at once, and a history restored from the saved state the same way', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entryView({ id: 'new', app: 'Helper Chat', question: '新问题', answer: 'NEW1 🚀', status: 'running' }) });
    let a = await answers();
    assert.ok(a[COUNT].rendered && a[COUNT].text.includes('NEW1'));
    await tp.reopen({ state: { ...state(), l10n: {} } });
    await tp.frames(4);
    a = await answers();
    assert.ok(a[COUNT - 1].rendered, 'the restored latest answer is rendered');
    assert.ok(!a[0].rendered, 'the restored oldest is not');
  });
});
