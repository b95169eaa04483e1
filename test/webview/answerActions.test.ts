// Rating an answer, applying its code as a reviewed change, and the context chips of the composer: the real panel
// bundle in headless Chromium, asserting on what it posts to the host.
import assert from 'node:assert/strict';
import type { PanelState } from '../../src/protocol';
import { entryView as entry, pagePerTest, panelDriver } from './harness';

const APPS: PanelState['apps'] = [{ name: 'Coder', mode: 'advanced-chat', server: 'https://api.dify.ai/v1', provider: 'dify' }];
const state = (over: Partial<PanelState> = {}): PanelState => ({ apps: APPS, selectedApp: 'Coder', entries: [], running: false, ...over });

describe('answer actions: rating, apply, context', function () {
  this.timeout(60_000);
  const tp = pagePerTest();
  const { init, send, posted } = panelDriver(tp, state);

  it('offers a rating only once the answer is done and the server knows it (a message id)', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ answer: '部分', status: 'running', rateable: 'revocable' }) });
    assert.equal(await tp.page.isVisible('.feedback-buttons'), false);
    await send({ type: 'entryPatch', patch: { id: 'e1', messageId: 'm1', status: 'succeeded' } });
    assert.equal(await tp.page.isVisible('.feedback-buttons'), true);
    await send({ type: 'entryAdded', entry: entry({ id: 'e2', answer: 'no id', status: 'succeeded', rateable: 'revocable' }) });
    assert.equal(await tp.page.isVisible('[data-entry-id="e2"] .feedback-buttons'), false, 'no message id, nothing to rate');
  });

  it('like, take back, and dislike with a comment post what the host needs; the rating shows as the host patches it', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ answer: '好的 👍', status: 'succeeded', messageId: 'm1', rateable: 'revocable' }) });
    await tp.page.click('.feedback-buttons button[aria-label="Helpful"]');
    assert.deepEqual(await posted('rate'), [{ type: 'rate', id: 'e1', rating: 'like' }]);
    assert.equal(await tp.page.getAttribute('.feedback-buttons button >> nth=0', 'aria-pressed'), 'false', 'not shown as rated before the server took it');
    await send({ type: 'entryPatch', patch: { id: 'e1', feedback: { rating: 'like' } } });
    assert.equal(await tp.page.getAttribute('.feedback-buttons button >> nth=0', 'aria-pressed'), 'true');
    await tp.clearPosted();
    await tp.page.click('.feedback-buttons button[aria-label="Take back your rating"]');
    assert.deepEqual(await posted('rate'), [{ type: 'rate', id: 'e1', rating: null }]);
    await send({ type: 'entryPatch', patch: { id: 'e1', feedback: null } });
    await tp.clearPosted();
    await tp.page.click('.feedback-buttons button[aria-label="Not helpful"]');
    assert.equal(await tp.page.isVisible('.feedback-comment'), true, 'a dislike opens the comment box');
    await tp.page.fill('.feedback-comment', '缺少例子');
    await tp.page.click('.feedback-form button:has-text("Send feedback")');
    assert.deepEqual(await posted('rate'), [
      { type: 'rate', id: 'e1', rating: 'dislike' },
      { type: 'rate', id: 'e1', rating: 'dislike', content: '缺少例子' },
    ]);
    assert.equal(await tp.page.isVisible('.feedback-comment'), false);
  });

  it('a Flowise rating can be changed but not taken back', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ answer: 'ok', status: 'succeeded', messageId: 'm1', rateable: 'changeable', feedback: { rating: 'like', id: 'f1' } }) });
    assert.equal(await tp.page.isDisabled('.feedback-buttons button >> nth=0'), true);
    await tp.page.click('.feedback-buttons button[aria-label="Not helpful"]');
    assert.deepEqual((await posted('rate'))[0], { type: 'rate', id: 'e1', rating: 'dislike' });
  });

  it('a code block applies as a reviewed change with its fence info; the answer applies to the selection it came from', async () => {
    await init();
    const answer = 'Here:\n\n```ts src/util.ts\nexport const x = 1;\n```\n';
    await send({ type: 'entryAdded', entry: entry({ answer, status: 'succeeded', canReplaceSelection: true }) });
    await tp.page.click('.code-block button[aria-label="Apply code to a file (review the diff first)"]');
    assert.deepEqual(await posted('applyCode'), [{ type: 'applyCode', id: 'e1', text: 'export const x = 1;\n', target: 'file', info: 'ts src/util.ts' }]);
    await tp.clearPosted();
    await tp.page.click('.answer-actions button[aria-label="Apply to Selection"]');
    assert.deepEqual(await posted('applyCode'), [{ type: 'applyCode', id: 'e1', text: 'export const x = 1;', target: 'selection' }]);
  });

  it('context chips show by file and lines and can be removed', async () => {
    await init(state({ contexts: [{ id: 'c1', name: '工具.ts:3-7' }] }));
    assert.equal(await tp.page.textContent('.context-chip'), '工具.ts:3-7');
    await send({ type: 'contexts', contexts: [{ id: 'c1', name: '工具.ts:3-7' }, { id: 'c2', name: 'b.py:1' }] });
    assert.equal(await tp.page.locator('.context-chip').count(), 2);
    await tp.page.click('.context-chip button[aria-label="Remove b.py:1 from the message"]');
    assert.deepEqual(await posted('removeContext'), [{ type: 'removeContext', id: 'c2' }]);
    await send({ type: 'contexts', contexts: [] });
    assert.equal(await tp.page.isVisible('.context-chips'), false);
  });
});
