// A paused run's form inside its entry, in the real panel bundle (headless Chromium, the host's CSP): the content
// sanitized with inputs in place of its placeholders, styled actions, the check before sending, files through the
// host, what the server said, answered forms folded.
import assert from 'node:assert/strict';
import type { EntryView, PanelState } from '../../src/protocol';
import type { EntryForm } from '../../src/shared/model';
import { entryView, pagePerTest, panelDriver } from './harness';

const FORM: EntryForm = {
  nodeId: 'review', title: '发布审批 Review', token: 'tok-1', state: 'waiting', expiresAt: Date.UTC(2030, 0, 2, 3, 4),
  content: '### Release approval\n\nThe draft is **above**.\n\nComment: {{#$output.comment#}}\n\nChannel: {{#$output.channel#}}\n\n<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>[click](javascript:alert(1))',
  fields: [
    { kind: 'paragraph', name: 'comment', default: 'LGTM 👍' },
    { kind: 'select', name: 'channel', options: ['stable', 'beta', '内测'] },
    { kind: 'file-list', name: 'logs', maxFiles: 1 },
  ],
  actions: [
    { id: 'approve', title: 'Approve ✅', style: 'primary' },
    { id: 'reject', title: 'Reject', style: 'default' },
    { id: 'later', title: 'Ask someone else', style: 'ghost' },
  ],
};

const paused = (over: Partial<EntryView> = {}): EntryView =>
  entryView({ id: 'e1', app: 'Release Approval', mode: 'workflow', question: 'notes', answer: '## Draft\n\n- one', status: 'paused', paused: 'Waiting for human input: Review', forms: [FORM], ...over });

function state(entries: EntryView[]): PanelState {
  return { apps: [{ name: 'Release Approval', mode: 'workflow', server: 'http://127.0.0.1/v1', provider: 'dify' }], selectedApp: 'Release Approval', entries, running: false };
}

describe('chat panel: a paused run\'s form', function () {
  this.timeout(60_000);
  const tp = pagePerTest();
  const { init, send, posted } = panelDriver(tp, () => state([paused()]));
  const form = () => tp.page.locator('.entry .hitl-form').first();

  it('shows the content (sanitized, through the markdown renderer) with the inputs in place of their placeholders', async () => {
    await init();
    assert.equal(await form().locator('h3').textContent(), 'Release approval');
    assert.equal(await form().locator('strong').textContent(), 'above');
    // Each input sits where its placeholder was, in order, with its default.
    const paragraphs = form().locator('.hitl-content p');
    assert.equal(await paragraphs.filter({ hasText: 'Comment:' }).locator('textarea').inputValue(), 'LGTM 👍');
    assert.deepEqual(await paragraphs.filter({ hasText: 'Channel:' }).locator('select option').allTextContents(), ['Choose…', 'stable', 'beta', '内测']);
    // An input the content does not place is listed after it, with its name.
    assert.equal(await form().locator('.hitl-more .form-label').textContent(), 'logs');
    assert.equal(await form().locator('.hitl-more .form-choose').count(), 1);
    // Nothing of the server's markup runs or links out; the placeholders are gone.
    assert.equal(await tp.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await form().locator('script, [onerror], a[href^="javascript"]').count(), 0);
    assert.ok(!(await form().textContent())!.includes('{{#$output'));
    // The buttons in their styles, the title, the expiry; the paused note gives way to the form.
    assert.deepEqual(await form().locator('.hitl-actions button').evaluateAll((bs) => bs.map((b) => [b.textContent, b.className])), [
      ['Approve ✅', 'text-button hitl-action hitl-primary'], ['Reject', 'text-button hitl-action hitl-default'], ['Ask someone else', 'text-button hitl-action hitl-ghost'],
    ]);
    assert.equal(await form().locator('.hitl-title').textContent(), '发布审批 Review');
    assert.match((await form().locator('.hitl-expiry').textContent())!, /^Answer by .*2030/);
    assert.equal(await tp.page.isVisible('.entry .paused'), false);
  });

  it('checks before sending (translated), then sends the action and the text values; files go through the host', async () => {
    await init(state([paused()]), { 'Choose a value for {0}.': '请为 {0} 选择一个值。' });
    await form().locator('button', { hasText: 'Approve ✅' }).click();
    assert.deepEqual(await posted('answerForm'), []);
    assert.deepEqual(await form().locator('.form-error:not([hidden])').allTextContents(), ['请为 channel 选择一个值。']);
    assert.equal(await tp.page.evaluate(() => document.activeElement?.tagName), 'SELECT', 'the first problem has the focus');
    assert.equal(await form().locator('select').getAttribute('aria-invalid'), 'true');

    // "Choose…" asks the host; its answer lists the files; too many are refused here already.
    await form().locator('.form-choose').click();
    assert.deepEqual(await posted('pickFormFiles'), [{ type: 'pickFormFiles', id: 'e1', nodeId: 'review', name: 'logs' }]);
    await send({ type: 'humanInputFiles', id: 'e1', nodeId: 'review', name: 'logs', files: ['a.log', 'b.log'] });
    assert.deepEqual(await form().locator('.form-chip').allTextContents(), ['a.log', 'b.log']);
    await form().locator('select').selectOption('内测');
    await form().locator('textarea').fill('好的，发布吧 🚀');
    await form().locator('button', { hasText: 'Approve ✅' }).click();
    assert.deepEqual(await form().locator('.form-error:not([hidden])').allTextContents(), ['logs takes at most 1 files.']);
    await form().locator('.form-files button').click();
    assert.deepEqual(await posted('clearFormFiles'), [{ type: 'clearFormFiles', id: 'e1', nodeId: 'review', name: 'logs' }]);
    await send({ type: 'humanInputFiles', id: 'e1', nodeId: 'review', name: 'logs', files: [] });

    await form().locator('button', { hasText: 'Approve ✅' }).click();
    assert.deepEqual(await posted('answerForm'), [{ type: 'answerForm', id: 'e1', nodeId: 'review', action: 'approve', values: { comment: '好的，发布吧 🚀', channel: '内测' } }]);
    // Sent: the buttons wait for the host; a second click sends nothing more.
    assert.equal(await form().locator('button', { hasText: 'Reject' }).isDisabled(), true);
    assert.equal(await form().getAttribute('aria-busy'), 'true');
    // Problems the host found show where the person looks, and the form can be sent again.
    await send({ type: 'humanInputErrors', id: 'e1', nodeId: 'review', errors: { '': 'The server did not take the answer: Invalid action: approve' } });
    assert.equal(await form().locator('.hitl-general').textContent(), 'The server did not take the answer: Invalid action: approve');
    assert.equal(await form().locator('button', { hasText: 'Reject' }).isDisabled(), false);
  });

  it('what the person typed stays while the entry changes; the server\'s word on the form shows; the answer folds the form', async () => {
    await init();
    await form().locator('textarea').fill('draft reply');
    await send({ type: 'entryPatch', patch: { id: 'e1', forms: [{ ...FORM, message: 'This form expired: the server takes no answer now.' }] } });
    assert.equal(await form().locator('textarea').inputValue(), 'draft reply');
    assert.equal(await form().locator('.hitl-message').textContent(), 'This form expired: the server takes no answer now.');
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'running', paused: '', forms: [{ ...FORM, state: 'answered', answer: { actionId: 'approve', actionText: 'Approve ✅', content: 'Comment: **ok**\n\nChannel: beta' } }] } });
    const done = tp.page.locator('.entry details.hitl-done');
    assert.equal(await done.locator('summary').textContent(), 'Answered: 发布审批 Review — Approve ✅');
    assert.equal(await done.getAttribute('open'), null, 'folded');
    assert.equal(await done.locator('strong').textContent(), 'ok');
    assert.equal(await tp.page.locator('.entry .hitl-actions').count(), 0);
    await send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: '\n\nPublished. 🎉', status: 'succeeded' } });
    assert.match((await tp.page.textContent('.entry .answer'))!, /Published\. 🎉/);
  });

  it('a form answered elsewhere, expired, timed out, or waiting on an email says so; none of them can be sent', async () => {
    const forms: EntryForm[] = [
      { ...FORM, nodeId: 'a', state: 'answered', message: 'Someone answered this form first (elsewhere).' },
      { ...FORM, nodeId: 'b', state: 'expired', message: 'This form expired.' },
      { ...FORM, nodeId: 'c', state: 'timedOut' },
      { ...FORM, nodeId: 'd', state: 'elsewhere', token: undefined, channels: ['email', 'console'] },
    ];
    await init(state([paused({ forms })]));
    assert.deepEqual(await tp.page.locator('.hitl-done summary').allTextContents(), ['Answered elsewhere: 发布审批 Review', 'Expired: 发布审批 Review', 'No answer came in time: 发布审批 Review']);
    assert.equal(await tp.page.locator('.hitl-done[data-state="expired"]').getAttribute('open'), '', 'why it expired is in view');
    const mail = tp.page.locator('.hitl-form[data-state="elsewhere"]');
    assert.equal(await mail.locator('.hitl-note').textContent(), 'Waiting for an answer elsewhere (email, console).');
    assert.equal(await mail.locator('textarea, select, .hitl-actions').count(), 0);
    assert.match((await mail.textContent())!, /Comment: …/);
  });

  it('a waiting form of a run that is not paused (followed again after a reload) cannot be sent until it is', async () => {
    await init(state([paused({ status: 'running' })]));
    assert.equal(await form().locator('button', { hasText: 'Approve ✅' }).isDisabled(), true);
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'paused' } });
    assert.equal(await form().locator('button', { hasText: 'Approve ✅' }).isDisabled(), false);
  });

  it('the host reveals a form (palette, @dify): scrolled into view, its first input focused; Flowise\'s feedback is named', async () => {
    const flowise: EntryForm = { nodeId: 'humanInputAgentflow_0', title: 'Human Input 0', token: 'chat-1', state: 'waiting', content: '', fields: [{ kind: 'paragraph', name: 'feedback' }], actions: [{ id: 'proceed', title: 'Proceed', style: 'primary' }, { id: 'reject', title: 'Reject', style: 'default' }] };
    const filler = Array.from({ length: 12 }, (_, i) => entryView({ id: `f${i}`, answer: 'line\n\n'.repeat(20), status: 'succeeded' }));
    await init(state([paused({ id: 'fl', app: 'Flowise Approval', mode: 'flowise', forms: [flowise] }), ...filler]), { Feedback: '反馈' });
    await send({ type: 'revealForm', id: 'fl' });
    assert.equal(await tp.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), '反馈');
    assert.equal(await tp.page.locator('.hitl-more .form-label').textContent(), '反馈');
    await tp.page.locator('.hitl-form textarea').fill('go');
    await tp.page.locator('.hitl-form button', { hasText: 'Reject' }).click();
    assert.deepEqual(await posted('answerForm'), [{ type: 'answerForm', id: 'fl', nodeId: 'humanInputAgentflow_0', action: 'reject', values: { feedback: 'go' } }]);
  });
});
