// A conversation's beginning and its follow-ups in the real panel bundle (headless Chromium, the host's CSP): the
// opening of a new conversation, the app's placeholder and disclaimer, the latest answer's follow-up questions, and
// the conversation list (pages, search, rename / export / delete) — what renders and what the panel posts.
import assert from 'node:assert/strict';
import type { AppForm, PanelState } from '../../src/protocol';
import { entryView, pagePerTest, panelDriver } from './harness';

const APPS: PanelState['apps'] = [
  { name: 'Docs', mode: 'advanced-chat', server: 'https://dify.local/v1', provider: 'dify' },
  { name: 'Reviewer', mode: 'workflow', server: 'https://dify.local/v1', provider: 'dify' },
];

const DOCS_FORM: AppForm = {
  app: 'Docs',
  messageOptional: false,
  placeholder: '问问文档… Ask the docs…',
  disclaimer: 'Answers may be wrong. 回答仅供参考。',
  fields: [{ variable: 'product', label: 'Product', kind: 'text', required: false, default: 'Dify' }],
  fromEditor: [],
  files: {},
};

const OPENING: NonNullable<PanelState['opening']> = {
  title: 'Docs',
  description: '文档助手 📚',
  statement: 'Ask me **anything** about the docs.',
  questions: ['How do I deploy?', '如何配置代理？'],
};

function state(over: Partial<PanelState> = {}): PanelState {
  return { apps: APPS, selectedApp: 'Docs', entries: [], running: false, form: DOCS_FORM, opening: OPENING, ...over };
}

const entry = (over: Parameters<typeof entryView>[0] = {}) => entryView({ app: 'Docs', ...over });

describe('chat panel: conversations and follow-ups', function () {
  this.timeout(60_000);
  const tp = pagePerTest();
  const { init, send, posted } = panelDriver(tp, state);

  it('a new conversation opens with the app\'s title, description, statement and questions, below the earlier entries', async () => {
    const old = entry({ id: 'old', status: 'succeeded', answer: 'old answer', conversationId: 'c-old' });
    await init(state({ entries: [old] }));
    assert.equal(await tp.page.isVisible('.opening'), true);
    assert.equal(await tp.page.textContent('.opening-title'), 'Docs');
    assert.equal(await tp.page.textContent('.opening-description'), '文档助手 📚');
    assert.equal(await tp.page.textContent('.opening-statement strong'), 'anything');
    const order = await tp.page.$$eval('.scroller > *', (els) => els.map((e) => e.className));
    assert.deepEqual(order, ['entries', 'opening'], 'after the entries, where the new conversation starts');
    // A suggested question asks itself, with the form's values (as Send would).
    await tp.page.click('.opening .suggestion:has-text("如何配置代理？")');
    assert.deepEqual(await posted('send'), [{ type: 'send', text: '如何配置代理？', app: 'Docs', inputs: { product: 'Dify' } }]);
  });

  it('the opening goes while the first message is on its way and once the conversation exists; New Conversation brings it back', async () => {
    await init();
    assert.equal(await tp.page.isVisible('.opening'), true);
    await send({ type: 'entryAdded', entry: entry({ id: 'n1' }) });
    assert.equal(await tp.page.isVisible('.opening'), false, 'the first message is running');
    await send({ type: 'entryPatch', patch: { id: 'n1', conversationId: 'c-1' } });
    await send({ type: 'entryPatch', patch: { id: 'n1', status: 'succeeded', answer: 'hi' } });
    assert.equal(await tp.page.isVisible('.opening'), false, 'the conversation continues');
    // New Conversation: the host sends the entries, and no conversation to continue.
    await send({ type: 'entries', entries: [entry({ id: 'n1', status: 'succeeded', answer: 'hi', conversationId: 'c-1' })] });
    assert.equal(await tp.page.isVisible('.opening'), true);
    // A resumed conversation continues: no opening.
    await send({ type: 'entries', entries: [], conversationId: 'c-9' });
    assert.equal(await tp.page.isVisible('.opening'), false);
    // Another app picked whose conversation is under way.
    await send({ type: 'entries', entries: [] });
    await send({ type: 'apps', apps: APPS, selectedApp: 'Docs', opening: OPENING, form: DOCS_FORM, conversationId: 'c-2' });
    assert.equal(await tp.page.isVisible('.opening'), false);
  });

  it('a first message that failed leaves the conversation unstarted: the opening shows again; another app\'s run does not hide it', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ id: 'f1' }) });
    await send({ type: 'entryPatch', patch: { id: 'f1', status: 'failed', error: { message: 'No key.', actions: [] } } });
    assert.equal(await tp.page.isVisible('.opening'), true);
    await send({ type: 'entryAdded', entry: entry({ id: 'w1', app: 'Reviewer', mode: 'workflow' }) });
    assert.equal(await tp.page.isVisible('.opening'), true);
  });

  it('the app\'s own placeholder and disclaimer; none for an app without a site', async () => {
    await init();
    assert.equal(await tp.page.getAttribute('textarea', 'placeholder'), '问问文档… Ask the docs…');
    assert.equal(await tp.page.textContent('.disclaimer'), 'Answers may be wrong. 回答仅供参考。');
    assert.equal(await tp.page.isVisible('.disclaimer'), true);
    const below = await tp.page.$eval('.disclaimer', (d) => d.getBoundingClientRect().top >= document.querySelector('textarea')!.getBoundingClientRect().bottom);
    assert.ok(below, 'under the message box');
    await send({ type: 'apps', apps: APPS, selectedApp: 'Docs', opening: OPENING, form: { ...DOCS_FORM, placeholder: undefined, disclaimer: undefined } });
    assert.equal(await tp.page.getAttribute('textarea', 'placeholder'), 'Ask Docs…');
    assert.equal(await tp.page.isVisible('.disclaimer'), false);
  });

  it('follow-up questions show for the latest answer only, and ask with the form\'s values', async () => {
    await init(state({ opening: undefined }));
    await send({ type: 'entryAdded', entry: entry({ id: 'a1', status: 'succeeded', answer: 'first', suggestions: ['Old follow-up?'] }) });
    assert.equal(await tp.page.isVisible('[data-entry-id="a1"] .suggestion'), true);
    await send({ type: 'entryAdded', entry: entry({ id: 'a2', answer: '' }) });
    assert.equal(await tp.page.isVisible('[data-entry-id="a1"] .suggestion'), false, 'an earlier answer\'s questions go');
    // They arrive after the answer (Dify asks for them once it is complete).
    await send({ type: 'entryPatch', patch: { id: 'a2', status: 'succeeded', answerAppend: 'second' } });
    assert.equal(await tp.page.locator('[data-entry-id="a2"] .suggestion').count(), 0);
    await send({ type: 'entryPatch', patch: { id: 'a2', suggestions: ['能否举个例子？', 'What about proxies?'] } });
    assert.deepEqual(await tp.page.$$eval('[data-entry-id="a2"] .suggestion', (b) => b.map((x) => x.textContent)), ['能否举个例子？', 'What about proxies?']);
    assert.equal(await tp.page.getAttribute('[data-entry-id="a2"] .suggestions', 'aria-label'), 'Suggested questions');
    await tp.page.fill('.form-row input', 'Flowise');
    await tp.page.click('[data-entry-id="a2"] .suggestion:has-text("能否举个例子？")');
    assert.deepEqual(await posted('send'), [{ type: 'send', text: '能否举个例子？', app: 'Docs', inputs: { product: 'Flowise' } }]);
    // An answer of an app whose form is not shown asks without one.
    await send({ type: 'entryAdded', entry: entry({ id: 'b1', app: 'Other', status: 'succeeded', answer: 'x', suggestions: ['More?'] }) });
    await tp.page.click('[data-entry-id="b1"] .suggestion');
    assert.deepEqual((await posted('send')).at(-1), { type: 'send', text: 'More?', app: 'Other' });
  });

  it('the conversation list: a page at a time, search among those loaded, and each one\'s actions', async () => {
    await init();
    await tp.page.click('button[aria-label="Conversations…"]');
    assert.deepEqual(await posted('listConversations'), [{ type: 'listConversations' }]);
    assert.equal(await tp.page.textContent('.conversation-note'), ' Loading…');
    const page1 = Array.from({ length: 20 }, (_, i) => ({ id: `c${i}`, name: i === 3 ? '部署笔记 🚀' : `Chat ${i}`, updatedAt: 1_700_000_000 - i }));
    await send({ type: 'conversations', app: 'Docs', conversations: page1, hasMore: true });
    assert.equal(await tp.page.locator('.conversation-list li').count(), 20);
    await tp.page.fill('.conversation-search', '部署');
    assert.deepEqual(await tp.page.$$eval('.conversation-name', (n) => n.map((x) => x.textContent)), ['部署笔记 🚀']);
    assert.match((await tp.page.textContent('.conversation-note')) ?? '', /loaded so far/);
    await tp.page.fill('.conversation-search', 'nginx');
    assert.equal(await tp.page.locator('.conversation-list li').count(), 0);
    assert.match((await tp.page.textContent('.conversation-note')) ?? '', /None of the conversations loaded so far matches/);
    // Load more: the next page after the last one shown, appended.
    await tp.page.click('.conversation-more');
    assert.deepEqual((await posted('listConversations')).at(-1), { type: 'listConversations', lastId: 'c19' });
    await send({ type: 'conversations', app: 'Docs', conversations: [{ id: 'c20', name: 'nginx proxy', updatedAt: 1 }, { id: 'c19', name: 'Chat 19' }], hasMore: false, append: true });
    assert.deepEqual(await tp.page.$$eval('.conversation-name', (n) => n.map((x) => x.textContent)), ['nginx proxy']);
    assert.equal(await tp.page.isVisible('.conversation-more'), false);
    await tp.page.fill('.conversation-search', '');
    assert.equal(await tp.page.locator('.conversation-list li').count(), 21, 'a repeated one is listed once');
    // Each one's actions: the host asks and confirms.
    await tp.clearPosted();
    await tp.page.click('li[data-id="c3"] button[aria-label="Rename 部署笔记 🚀"]');
    await tp.page.click('li[data-id="c3"] button[aria-label="Export 部署笔记 🚀 as Markdown"]');
    await tp.page.click('li[data-id="c3"] button[aria-label="Delete 部署笔记 🚀"]');
    assert.deepEqual(await tp.posted(), [
      { type: 'conversationAction', action: 'rename', conversationId: 'c3' },
      { type: 'conversationAction', action: 'export', conversationId: 'c3' },
      { type: 'conversationAction', action: 'delete', conversationId: 'c3' },
    ]);
    assert.equal(await tp.page.isVisible('.conversations'), true, 'the list stays open');
    // What the host says changed (from here or the palette).
    await send({ type: 'conversationChanged', app: 'Docs', conversationId: 'c3', conversation: { id: 'c3', name: '✨ Deploying behind nginx' } });
    assert.equal(await tp.page.textContent('li[data-id="c3"] .conversation-name'), '✨ Deploying behind nginx');
    await send({ type: 'conversationChanged', app: 'Docs', conversationId: 'c3' });
    assert.equal(await tp.page.locator('li[data-id="c3"]').count(), 0);
    await send({ type: 'conversationChanged', app: 'Other', conversationId: 'c4' });
    assert.equal(await tp.page.locator('li[data-id="c4"]').count(), 1, 'another app\'s change leaves this list alone');
    // Resuming closes the list.
    await tp.page.click('li[data-id="c5"] .conversation');
    assert.deepEqual((await posted('resumeConversation')).at(-1), { type: 'resumeConversation', conversationId: 'c5' });
    assert.equal(await tp.page.isVisible('.conversations'), false);
  });

  it('the list says why it is empty: a failure (with its sentence), an app that keeps none, none yet', async () => {
    await init();
    await tp.page.click('button[aria-label="Conversations…"]');
    await send({ type: 'conversations', app: 'Docs', conversations: [], error: 'The API key of "Docs" was rejected by dify.local: set the right key.' });
    assert.equal((await tp.page.textContent('.conversation-note'))?.trim(), 'The API key of "Docs" was rejected by dify.local: set the right key.');
    assert.equal(await tp.page.$eval('.conversation-note', (n) => n.classList.contains('error')), true);
    assert.equal(await tp.page.isVisible('.conversation-search'), false);
    await send({ type: 'conversations', app: 'Docs', conversations: [], unsupported: true });
    assert.equal((await tp.page.textContent('.conversation-note'))?.trim(), 'This app keeps no conversations on its server.');
    await send({ type: 'conversations', app: 'Docs', conversations: [] });
    assert.equal((await tp.page.textContent('.conversation-note'))?.trim(), 'No conversations yet.');
    // A page for an app the list is not open for (asked before another app was picked) is not shown.
    await send({ type: 'conversations', app: 'Reviewer', conversations: [{ id: 'x', name: 'not this app' }] });
    assert.equal(await tp.page.locator('.conversation-list li').count(), 0);
  });
});
