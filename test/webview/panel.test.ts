// The real panel bundle (src/webview/main.ts) in headless Chromium under the host's CSP, driven with host
// messages; asserts on the DOM and on the messages it posts to the fake host.
import assert from 'node:assert/strict';
import type { PanelState } from '../../src/protocol';
import { XSS_PAYLOADS } from './fixtures';
import { entryView, pagePerTest, panelDriver } from './harness';

const APPS: PanelState['apps'] = [
  { name: 'Coder', mode: 'advanced-chat', server: 'https://api.dify.ai/v1', provider: 'dify' },
  { name: 'Summarizer', mode: 'workflow', server: 'https://api.dify.ai/v1', provider: 'dify' },
];

const entry = entryView;

function state(over: Partial<PanelState> = {}): PanelState {
  return { apps: APPS, selectedApp: 'Coder', entries: [], running: false, ...over };
}

describe('chat panel webview', function () {
  this.timeout(60_000);
  // No CSP violation, page error or console error in any test.
  const tp = pagePerTest();

  const { init, send, posted } = panelDriver(tp, state);

  it('posts ready on load, renders init with the l10n table, and lists apps with their mode', async () => {
    assert.deepEqual((await tp.posted())[0], { type: 'ready' });
    await init(state(), { 'Send (Enter)': '发送 (Enter)', 'Ask {0}…': '向 {0} 提问…' });
    assert.equal(await tp.page.getAttribute('.send-button', 'aria-label'), '发送 (Enter)');
    // The message box says what to type, naming the selected app.
    assert.equal(await tp.page.getAttribute('textarea', 'placeholder'), '向 Coder 提问…');
    const options = await tp.page.$$eval('.app-select option', (os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
    assert.deepEqual(options, [['Coder', 'Coder — advanced-chat'], ['Summarizer', 'Summarizer — workflow']]);
    await tp.page.selectOption('.app-select', 'Summarizer');
    const [pick] = await posted('selectApp');
    assert.deepEqual(pick, { type: 'selectApp', app: 'Summarizer', pick: pick.pick });
    assert.ok(Number.isSafeInteger(pick.pick) && (pick.pick as number) >= Date.now() - 60_000, 'picks are numbered from the clock');
  });

  it('a picked app stays picked while the host sends what it had before; the host\'s answer to the pick applies', async () => {
    await init({ ...state(), opening: { statement: 'Coder opening', questions: [] } });
    assert.equal(await tp.page.isVisible('.opening'), true);
    await tp.page.selectOption('.app-select', 'Summarizer');
    const pick = (await posted('selectApp'))[0].pick as number;
    assert.equal(await tp.page.isVisible('.opening'), false, 'the other app\'s opening goes at once');
    // Sent before the host saw the pick (a reload's init, a form fetched for the app before).
    await init({ ...state(), selectedApp: 'Coder', opening: { statement: 'Coder opening', questions: [] }, pick: pick - 1 });
    await send({ type: 'apps', apps: state().apps, selectedApp: 'Coder', opening: { statement: 'Coder opening', questions: [] } });
    assert.equal(await tp.page.inputValue('.app-select'), 'Summarizer');
    assert.equal(await tp.page.isVisible('.opening'), false);
    await tp.page.fill('textarea', 'go');
    await tp.page.press('textarea', 'Enter');
    assert.equal((await posted('send')).at(-1)!.app, 'Summarizer', 'Send goes to the picked app');
    // The host's answer to the pick, then what it sends later (its own selection again counts).
    await send({ type: 'apps', apps: state().apps, selectedApp: 'Summarizer', pick });
    assert.equal(await tp.page.inputValue('.app-select'), 'Summarizer');
    await send({ type: 'apps', apps: state().apps, selectedApp: 'Coder', opening: { statement: 'Coder opening', questions: [] }, pick });
    assert.equal(await tp.page.inputValue('.app-select'), 'Coder');
    assert.equal(await tp.page.isVisible('.opening'), true);
  });

  it('Enter sends, Shift+Enter inserts a newline, IME composition Enter does not send', async () => {
    await init();
    await tp.page.focus('textarea');
    await tp.page.keyboard.type('line one');
    await tp.page.keyboard.press('Shift+Enter');
    await tp.page.keyboard.type('line two');
    assert.equal((await posted('send')).length, 0);
    assert.equal(await tp.page.inputValue('textarea'), 'line one\nline two');
    // An Enter that confirms an IME composition.
    await tp.page.evaluate(() => {
      const ta = document.querySelector('textarea')!;
      ta.dispatchEvent(new CompositionEvent('compositionstart'));
      ta.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
      ta.dispatchEvent(new CompositionEvent('compositionend'));
    });
    assert.equal((await posted('send')).length, 0);
    await tp.page.keyboard.press('Enter');
    assert.deepEqual(await posted('send'), [{ type: 'send', text: 'line one\nline two', app: 'Coder' }]);
    assert.equal(await tp.page.inputValue('textarea'), '');
  });

  it('Send toggles to Stop while running; toolbar posts newConversation, listConversations, resumeConversation', async () => {
    await init();
    await send({ type: 'running', running: true });
    assert.equal(await tp.page.getAttribute('.send-button', 'aria-label'), 'Stop generating');
    await tp.page.click('.send-button');
    assert.deepEqual(await posted('stop'), [{ type: 'stop' }]);
    await send({ type: 'running', running: false });
    assert.equal(await tp.page.getAttribute('.send-button', 'aria-label'), 'Send (Enter)');
    await tp.page.click('button[aria-label="New Conversation"]');
    assert.equal((await posted('newConversation')).length, 1);
    await tp.page.click('button[aria-label="Conversations…"]');
    assert.equal((await posted('listConversations')).length, 1);
    await send({ type: 'conversations', app: 'Coder', conversations: [{ id: 'c1', name: 'First chat' }, { id: 'c2', name: 'Second' }] });
    await tp.page.click('.conversation-list button:has-text("Second")');
    assert.deepEqual(await posted('resumeConversation'), [{ type: 'resumeConversation', conversationId: 'c2' }]);
    assert.equal(await tp.page.isVisible('.conversations'), false);
  });

  it('shows the opening statement and suggested questions while the conversation is empty', async () => {
    await init(state({ opening: { statement: 'Hello, I am **Coder**.', questions: ['What can you do?'] } }));
    assert.equal(await tp.page.textContent('.opening-statement strong'), 'Coder');
    await tp.page.click('.opening .suggestion');
    assert.deepEqual(await posted('send'), [{ type: 'send', text: 'What can you do?', app: 'Coder' }]);
    await send({ type: 'entryAdded', entry: entry() });
    assert.equal(await tp.page.isVisible('.opening'), false);
  });

  it('streams thinking (open) then collapses it when thinkingDone arrives; answer streams as markdown', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ inputs: { lang: 'ts' } }) });
    assert.equal(await tp.page.textContent('.question-text'), 'How?');
    assert.equal(await tp.page.textContent('.inputs dd'), 'ts');
    await send({ type: 'entryPatch', patch: { id: 'e1', thinkingAppend: 'Let me **think**' } });
    assert.equal(await tp.page.$eval('details.thinking', (d) => (d as HTMLDetailsElement).open), true);
    assert.equal(await tp.page.textContent('.thinking-body strong'), 'think');
    assert.equal(await tp.page.textContent('.thinking summary'), 'Thinking…');
    await send({ type: 'entryPatch', patch: { id: 'e1', thinkingDone: true, answerAppend: '# Title\n\nSome `code` ' } });
    assert.equal(await tp.page.$eval('details.thinking', (d) => (d as HTMLDetailsElement).open), false);
    assert.equal(await tp.page.textContent('.thinking summary'), 'Thought');
    assert.equal(await tp.page.textContent('.answer h1'), 'Title');
    assert.equal(await tp.page.getAttribute('.answer', 'aria-live'), 'polite');
    assert.equal(await tp.page.getAttribute('.answer', 'aria-busy'), 'true');
    // Many patches inside one frame are coalesced into one render, at most MAX_WAIT_MS (200 ms) after the last.
    await tp.page.evaluate(() => {
      for (let i = 0; i < 50; i++) window.postMessage({ type: 'entryPatch', patch: { id: 'e1', answerAppend: 'x' } }, '*');
    });
    await tp.page.waitForFunction(() => /x{50}$/.test(document.querySelector('.answer p')?.textContent ?? ''), undefined, { timeout: 2000 });
    assert.equal(await tp.page.textContent('.entry .status'), 'Running');
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'succeeded', usage: { totalTokens: 1234, latencySeconds: 2.5, totalPrice: '0.0012', currency: 'USD' } } });
    assert.equal(await tp.page.textContent('.entry .status'), 'Succeeded');
    assert.equal(await tp.page.getAttribute('.answer', 'aria-busy'), 'false');
    assert.equal(await tp.page.textContent('.usage'), '1,234 tokens · 2.50 s · 0.0012 USD');
  });

  it('shows the first text of an answer in the very next frame, whatever frame budget rendering the entry left', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry() });
    // The check runs in the frame after the patch arrives, after the panel's own frame callback (its message
    // listener came first): the text must be in the DOM by then. Later text may wait for the frame budget.
    const shown = await tp.page.evaluate(() => new Promise<string>((resolve) => {
      window.addEventListener('message', () => requestAnimationFrame(() => resolve(document.querySelector('.answer')?.textContent ?? '')), { once: true });
      window.postMessage({ type: 'entryPatch', patch: { id: 'e1', answerAppend: '第一个字 first words' } }, '*');
    }));
    assert.equal(shown.trim(), '第一个字 first words');
  });

  it('text replacement (answer) replaces the streamed answer', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry() });
    await send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: 'bad words here' } });
    await send({ type: 'entryPatch', patch: { id: 'e1', answer: '**clean**', answerAppend: ' text' } });
    assert.equal(await tp.page.$eval('.answer', (e) => e.innerHTML), '<p><strong>clean</strong> text</p>\n');
  });

  /** How far the view is from the bottom, px. */
  const gap = () => tp.page.$eval('.scroller', (s) => s.scrollHeight - s.scrollTop - s.clientHeight);

  /** Logs, every animation frame: the scroll position, how many paragraphs the answer shows, whether it is
   * busy; and the frames (by time) in which the DOM changed and those in which the view was scrolled. */
  const logFrames = () =>
    tp.page.evaluate(() => {
      const s = document.querySelector('.scroller')!;
      const w = window as unknown as { frameLog: [number, number, boolean][]; changedIn: Set<number>; followedIn: number[] };
      const log: [number, number, boolean][] = (w.frameLog = []);
      const tick = () => {
        const answer = document.querySelector('.answer');
        log.push([s.scrollTop, document.querySelectorAll('.answer p').length, answer?.getAttribute('aria-busy') === 'true']);
        if (log.length < 5000) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      w.changedIn = new Set();
      w.followedIn = [];
      new MutationObserver(() => w.changedIn.add(document.timeline.currentTime as number)).observe(s, { childList: true, subtree: true });
      const top = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTop')!;
      Object.defineProperty(s, 'scrollTop', {
        get() {
          return top.get!.call(this);
        },
        set(v: number) {
          w.followedIn.push(document.timeline.currentTime as number);
          top.set!.call(this, v);
        },
      });
    });
  const frameLog = () => tp.page.evaluate(() => {
    const w = window as unknown as { frameLog: [number, number, boolean][]; changedIn: Set<number>; followedIn: number[] };
    return { log: w.frameLog, changedIn: [...w.changedIn], followedIn: w.followedIn };
  });
  const paragraphs = () => tp.page.$eval('.answer', (e) => e.querySelectorAll('p').length);
  const LONG = Array.from({ length: 1500 }, (_, i) => `Paragraph ${i} with **bold** text and \`code\`.`).join('\n\n');

  it('a long finished answer is rendered over several frames, held back below the view, and ends complete', async () => {
    await init();
    await logFrames();
    await tp.send({ type: 'entryAdded', entry: entry({ answer: LONG, status: 'succeeded' }) });
    await tp.frames(1);
    const early = await paragraphs();
    for (let i = 0; i < 300 && (await paragraphs()) < 1500; i++) await tp.frames(1);
    assert.ok(early > 0 && early < 1500, `first frame showed ${early} of 1500 paragraphs`);
    assert.equal(await paragraphs(), 1500);
    assert.equal(await tp.page.$eval('.answer', (e) => e.getAttribute('aria-busy')), 'false');
    await tp.frames(2);
    // What says the run is done came with the text (it waited for it), whichever frame put the last of it in.
    assert.match(await tp.page.textContent('.status') ?? '', /Succeeded/);
    assert.equal(await tp.page.locator('.answer-actions button[aria-label="Copy"]').count(), 1);
    const { log, changedIn, followedIn } = await frameLog();
    // The frames the renderer worked in (the answer busy): several, one slice each — the frame budget does not
    // space a burst's slices out (10 s for 1 MB at 100 ms apart instead of under 2 s). 1500 paragraphs are
    // about 66 KB: at most 66 slices of the smallest size, plus their follows and releases.
    const busy = log.filter(([, , b]) => b).length;
    assert.ok(busy >= 4 && busy <= 80, `${busy} busy frames`);
    // Slices whose text lands below the view are held back out of the document (no style, layout or paint per
    // slice): the document changed in far fewer frames than the renderer worked in.
    assert.ok(changedIn.length <= busy / 2, `the DOM changed in ${changedIn.length} of ${busy} frames`);
    // While it caught up, the view followed only now and then (src/webview/follow.ts: when it starts, about once
    // a second at 60 frames a second, and at its end), and then to the end.
    assert.ok(followedIn.length >= 1 && followedIn.length <= 2 + Math.ceil(busy / 60), `the view was scrolled ${followedIn.length} times in ${busy} frames`);
    assert.ok((await gap()) < 1, `${await gap()} px from the bottom at the end`);
    // Each follow had a frame of its own, and so did putting in what was held back: the browser lays out and
    // paints what a follow reveals there, not on top of other work.
    assert.deepEqual(followedIn.filter((t) => changedIn.includes(t)), [], 'frames with both a follow and a DOM change');
  });

  it('a long answer held back below the view comes in as soon as the user scrolls to its end', async () => {
    await init();
    await tp.send({ type: 'entryAdded', entry: entry({ answer: LONG, status: 'succeeded' }) });
    await tp.frames(4);
    const before = await paragraphs();
    assert.ok(before < 1500, `${before} paragraphs after 4 frames`);
    // The user scrolls to the end of what is shown: what the slices held back (below it) is put in.
    const b = (await (await tp.page.$('.scroller'))!.boundingBox())!;
    await tp.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await tp.page.mouse.wheel(0, 1_000_000);
    await tp.frames(2);
    const shown = await paragraphs();
    const busy = await tp.page.$eval('.answer', (e) => e.getAttribute('aria-busy'));
    assert.ok(shown > before + 50 || (shown === 1500 && busy === 'false'), `${before} → ${shown} paragraphs after scrolling to the end`);
  });

  it('follows a streaming answer to the bottom, and stops following when the user scrolls up', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry() });
    for (let i = 0; i < 40; i++) {
      await send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: `Paragraph ${i} of a streamed answer.\n\n` } });
      assert.ok((await gap()) < 1, `after patch ${i}: ${await gap()} px from the bottom`);
    }
    const box = (await tp.page.$('.scroller'))!.boundingBox();
    const b = (await box)!;
    await tp.page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await tp.page.mouse.wheel(0, -100_000);
    await tp.frames(2);
    assert.equal(await tp.page.$eval('.scroller', (s) => s.scrollTop), 0);
    await send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: 'More.\n\n' } });
    assert.equal(await tp.page.$eval('.scroller', (s) => s.scrollTop), 0);
  });

  it('groups iteration rounds under their parent and highlights failures', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ mode: 'workflow' }) });
    await send({ type: 'entryPatch', patch: { id: 'e1', nodes: [
      { id: 'n1', kind: 'start', title: 'Start', status: 'succeeded', elapsedSeconds: 0.01 },
      { id: 'it', kind: 'iteration', title: 'Each file', status: 'running' },
      { id: 'c0', kind: 'llm', title: 'Review', status: 'succeeded', parentId: 'it', index: 0, totalTokens: 120 },
      { id: 'c1', kind: 'llm', title: 'Review', status: 'failed', parentId: 'it', index: 1, error: 'rate limited' },
    ] } });
    const top = await tp.page.$$eval('.trace > .trace-list > li', (lis) => lis.map((l) => (l as HTMLElement).dataset.nodeId));
    assert.deepEqual(top, ['n1', 'it']);
    const rounds = await tp.page.$$eval('[data-node-id="it"] .trace-round', (rs) => rs.map((r) => ({
      title: r.querySelector('.trace-round-title')!.textContent,
      nodes: Array.from(r.querySelectorAll('[data-node-id]'), (n) => (n as HTMLElement).dataset.nodeId),
    })));
    assert.deepEqual(rounds, [{ title: 'Iteration 1', nodes: ['c0'] }, { title: 'Iteration 2', nodes: ['c1'] }]);
    assert.equal(await tp.page.textContent('.trace-count'), '2 steps');
    assert.equal(await tp.page.getAttribute('[data-node-id="c1"] .trace-row', 'class'), 'trace-row status-failed failed');
    assert.equal(await tp.page.textContent('[data-node-id="c1"] .trace-error'), 'rate limited');
    assert.equal(await tp.page.getAttribute('[data-node-id="c0"] .trace-status', 'aria-label'), 'Succeeded');
    assert.equal(await tp.page.textContent('[data-node-id="c0"] .trace-meta'), '120 tokens');
    assert.equal(await tp.page.$eval('.trace', (d) => d.classList.contains('has-failure')), true);
    // Upsert by id: the iteration finishes.
    await send({ type: 'entryPatch', patch: { id: 'e1', nodes: [{ id: 'it', kind: 'iteration', title: 'Each file', status: 'succeeded', elapsedSeconds: 3 }] } });
    assert.equal(await tp.page.$$eval('.trace-node', (n) => n.length), 4);
    assert.equal(await tp.page.textContent('[data-node-id="it"] .trace-meta'), '3.00 s');
  });

  it('renders outputs when no answer streamed: text as markdown, others as JSON code', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ mode: 'workflow' }) });
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'succeeded', outputs: { summary: 'A *short* summary', data: { n: 1, list: ['a'] } } } });
    assert.equal(await tp.page.isVisible('.answer'), false);
    assert.equal(await tp.page.textContent('.output[data-key="summary"] em'), 'short');
    assert.equal(await tp.page.textContent('.output[data-key="data"] .code-lang'), 'json');
    assert.deepEqual(JSON.parse((await tp.page.textContent('.output[data-key="data"] pre code'))!), { n: 1, list: ['a'] });
    await tp.page.click('.answer-actions button[aria-label="Copy"]');
    const copied = (await posted('copy'))[0] as unknown as { text: string };
    assert.deepEqual(JSON.parse(copied.text), { summary: 'A *short* summary', data: { n: 1, list: ['a'] } });
  });

  it('every action button posts the right message', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ answer: 'Use:\n\n```python\nprint("hi")\n```\n', status: 'succeeded', suggestions: ['And then?'],
      citations: [{ documentName: 'guide.md', datasetName: 'Docs', score: 0.91, content: 'snippet' }],
      files: [{ url: 'data:image/png;base64,iVBORw0KGgo=', fileType: 'image' }] }) });
    await send({ type: 'entryPatch', patch: { id: 'e1', error: { message: 'The API key is invalid.', actions: [{ action: 'setApiKey', label: 'Set API Key' }, { action: 'showLog', label: 'Show Log' }] }, status: 'failed' } });
    await tp.clearPosted();
    const click = (sel: string) => tp.page.click(sel);
    await click('.answer-actions button[aria-label="Copy"]');
    await click('.answer-actions button[aria-label="Insert at Cursor"]');
    await click('.answer-actions button[aria-label="Replace Selection"]');
    await click('.answer-actions button[aria-label="Open in New Editor"]');
    await click('.answer-actions button[aria-label="Retry"]');
    await click('.code-block button[aria-label="Copy code"]');
    await click('.code-block button[aria-label="Insert code at cursor"]');
    await click('.inline-error button:has-text("Set API Key")');
    await click('.inline-error button:has-text("Show Log")');
    await click('.entry .suggestion');
    const answer = 'Use:\n\n```python\nprint("hi")\n```\n';
    assert.deepEqual(await tp.posted(), [
      { type: 'copy', text: answer },
      { type: 'insert', text: answer },
      { type: 'replaceSelection', id: 'e1', text: 'print("hi")' },
      { type: 'openInEditor', id: 'e1' },
      { type: 'retry', id: 'e1' },
      { type: 'copy', text: 'print("hi")\n' },
      { type: 'insert', text: 'print("hi")\n' },
      { type: 'errorAction', id: 'e1', action: 'setApiKey' },
      { type: 'errorAction', id: 'e1', action: 'showLog' },
      { type: 'send', text: 'And then?', app: 'Coder' },
    ]);
    // The partial answer stays above the inline error; code is highlighted with a sanitized language class.
    assert.equal(await tp.page.$eval('.answer', (a) => a.compareDocumentPosition(document.querySelector('.inline-error')!) & Node.DOCUMENT_POSITION_FOLLOWING), 4);
    assert.equal(await tp.page.getAttribute('.answer pre code', 'class'), 'language-python hljs');
    assert.ok((await tp.page.$$('.answer pre code .hljs-built_in')).length > 0);
    assert.equal(await tp.page.textContent('.entry .status'), 'Failed');
    assert.equal(await tp.page.getAttribute('.file-image', 'src'), 'data:image/png;base64,iVBORw0KGgo=');
    assert.match((await tp.page.textContent('.citations summary'))!, /Citations \(1\)/);
    // Replace Selection only when the host says it can act.
    await send({ type: 'entryAdded', entry: entry({ id: 'e2', answer: 'x', status: 'succeeded', canReplaceSelection: false }) });
    assert.equal(await tp.page.$$eval('[data-entry-id="e2"] button[aria-label="Replace Selection"]', (b) => b.length), 0);
    // Every button has an accessible name.
    assert.deepEqual(await tp.page.$$eval('button', (bs) => bs.filter((b) => !b.getAttribute('aria-label') && !b.textContent?.trim()).length), 0);
  });

  it('a failed entry offers Retry once: its error\'s button, no second one among the answer actions', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ answer: 'partial', status: 'failed', error: { message: 'The gateway in front of "Coder" could not reach its server (HTTP 502).', actions: [{ action: 'retry', label: 'Retry' }, { action: 'showLog', label: 'Show Log' }] } }) });
    assert.equal(await tp.page.locator('.entry button:has-text("Retry"), .entry button[aria-label="Retry"]').count(), 1);
    await send({ type: 'entryAdded', entry: entry({ id: 'e2', answer: 'done', status: 'succeeded' }) });
    assert.equal(await tp.page.locator('[data-entry-id="e2"] .answer-actions button[aria-label="Retry"]').count(), 1, 'a finished entry keeps its Retry');
  });

  it('a workflow\'s question is shown once: not again among its inputs', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ app: 'Summarizer', mode: 'workflow', question: 'function f() {}', inputs: { Code: 'function f() {}', Language: 'TypeScript' }, status: 'succeeded', answer: 'ok' }) });
    assert.equal(await tp.page.textContent('.question-text'), 'function f() {}');
    assert.deepEqual(await tp.page.$$eval('.inputs dt', (dts) => dts.map((d) => d.textContent)), ['Language']);
  });

  it('an answer longer than the panel shows says so once, with Open in New Editor', async () => {
    await init();
    await send({ type: 'entryAdded', entry: entry({ answer: 'first part', status: 'running' }) });
    assert.equal(await tp.page.isVisible('.answer-cut'), false);
    await send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: ' more', answerCut: true } });
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'succeeded' } });
    assert.equal(await tp.page.isVisible('.answer-cut'), true);
    assert.match((await tp.page.textContent('.answer-cut'))!, /The answer is longer than the panel shows\./);
    await tp.clearPosted();
    await tp.page.click('.answer-cut button');
    assert.deepEqual(await tp.posted(), [{ type: 'openInEditor', id: 'e1' }]);
  });

  it('sanitizes hostile markdown: no script runs, no navigation, links go to the host as openLink', async () => {
    await init();
    // DOMPurify parses in a document that inherits the panel's CSP: a payload's <base href> is refused there
    // (and then removed), which Chromium reports as a violation.
    tp.expectBlocked('base-uri');
    // Safe links first: an unclosed payload (the mXSS one) legitimately swallows what follows it.
    const answer = '[safe](https://example.com/ok) and [rel](./file.md) <https://dify.ai>\n\n' + XSS_PAYLOADS.join('\n\n') + '\n';
    const url = tp.page.url();
    // Streamed in small chunks (incremental path) and as a whole (restored entry).
    await send({ type: 'entryAdded', entry: entry() });
    for (let i = 0; i < answer.length; i += 9) await tp.send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: answer.slice(i, i + 9) } });
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'succeeded' } });
    await send({ type: 'entryAdded', entry: entry({ id: 'e2', answer, status: 'succeeded' }) });
    await tp.page.waitForTimeout(300);
    const report = await tp.page.evaluate(() => {
      const md = Array.from(document.querySelectorAll('.answer'));
      const all = md.flatMap((m) => Array.from(m.querySelectorAll('*')));
      return {
        pwned: (window as unknown as { __pwned?: string }).__pwned,
        // (The panel's own placeholders for remote images are buttons: markdown cannot make one, nor give a class.)
        forbidden: all.filter((e) => /^(script|iframe|object|embed|form|input|button|style|meta|base|svg|math|video|audio)$/i.test(e.tagName) && !e.matches('button.remote-image')).map((e) => e.tagName),
        handlers: all.flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name) || a.name === 'style' || a.name === 'srcdoc' || a.name === 'target').map((a) => a.name)),
        hrefs: all.filter((e) => e.tagName === 'A' && e.hasAttribute('href')).map((e) => e.getAttribute('href')),
        imgs: all.filter((e) => e.tagName === 'IMG').map((e) => e.getAttribute('src')),
        same: md[0].innerHTML === md[1].innerHTML,
      };
    });
    assert.equal(report.pwned, undefined);
    assert.deepEqual(report.forbidden, []);
    assert.deepEqual(report.handlers, []);
    assert.ok(report.hrefs.length >= 4, JSON.stringify(report.hrefs));
    assert.ok(report.hrefs.every((href) => /^https:\/\//.test(href!)), JSON.stringify(report.hrefs));
    // Remote images load nothing: they wait behind a click (test/webview/hostile.test.ts).
    assert.ok(report.imgs.every((src) => src === null || /^data:image\//.test(src)), JSON.stringify(report.imgs));
    assert.equal(report.same, true, 'streamed and one-shot answers render identically');
    // Click every link: nothing navigates, https links are posted to the host.
    await tp.clearPosted();
    for (const a of await tp.page.$$('[data-entry-id="e1"] .answer a')) await a.click();
    await tp.page.waitForTimeout(200);
    assert.equal(tp.page.url(), url);
    assert.equal(await tp.page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
    const links = await posted('openLink');
    assert.deepEqual(links.map((m) => m.href), report.hrefs.slice(0, report.hrefs.length / 2));
    assert.ok(links.some((m) => m.href === 'https://example.com/ok'));
    assert.ok(!links.some((m) => /^(javascript|command|data):/i.test(String(m.href))));
  });

  it('persists the state with setState and restores it from getState before init', async () => {
    await init(state({ opening: { questions: [] } }), { Retry: '重试' });
    await send({ type: 'entryAdded', entry: entry() });
    await send({ type: 'entryPatch', patch: { id: 'e1', answerAppend: 'Persisted **answer**', thinkingAppend: 'hmm', thinkingDone: true } });
    await send({ type: 'entryPatch', patch: { id: 'e1', status: 'succeeded', conversationId: 'conv-9' } });
    const saved = (await tp.state()) as PanelState & { l10n?: Record<string, string> };
    assert.equal(saved.entries[0].answer, 'Persisted **answer**');
    assert.equal(saved.entries[0].status, 'succeeded');
    assert.equal(saved.conversationId, 'conv-9');
    assert.equal(saved.selectedApp, 'Coder');
    assert.deepEqual(saved.l10n, { Retry: '重试' });
    await tp.reopen({ state: saved });
    await tp.frames();
    // Rendered from getState alone (no init sent), translated, and ready still posted.
    assert.equal(await tp.page.innerHTML('.answer'), '<p>Persisted <strong>answer</strong></p>\n');
    assert.equal(await tp.page.getAttribute('.answer-actions button:last-child', 'aria-label'), '重试');
    assert.equal(await tp.page.inputValue('.app-select'), 'Coder');
    assert.deepEqual(await tp.posted(), [{ type: 'ready' }]);
    // A copy until the host answers: busy, then the host's state replaces it (a newer entry from the host).
    assert.equal(await tp.page.getAttribute('.dify-panel', 'aria-busy'), 'true');
    await init({ ...saved, entries: [...saved.entries, { ...entry(), id: 'e2', answer: 'From the host' }] }, { Retry: '重试' });
    assert.equal(await tp.page.getAttribute('.dify-panel', 'aria-busy'), null);
    assert.equal(await tp.page.locator('.entry').count(), 2);
  });
});
