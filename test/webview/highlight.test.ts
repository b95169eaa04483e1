// Syntax highlighting in the highlight worker, in the real bundle under the panel's CSP.
import assert from 'node:assert/strict';
import { pageForSuite } from './harness';

/** A labelled TypeScript fence of about `chars` characters. */
function tsFence(chars: number, lang = 'ts'): string {
  const line = 'export async function load(url: string): Promise<number> { const r = await fetch(url); return r.status; } // ok\n';
  return '```' + lang + '\n' + line.repeat(Math.ceil(chars / line.length)) + '```\n';
}

describe('syntax highlighting (worker)', function () {
  this.timeout(60_000);
  const tp = pageForSuite({ bundle: 'bench' });

  it('a render returns with the code plain; the worker\'s result is put in afterwards, exactly as the text', async () => {
    const r = await tp.page.evaluate(async (md) => {
      const B = window.__difyBench;
      const before = B.highlighter.stats.highlighted;
      const el = document.createElement('div');
      document.body.append(el);
      el.append(B.renderOneShot(md));
      const code = el.querySelector('pre > code')!;
      const plainAtFirst = !code.classList.contains('hljs') && !code.querySelector('span');
      const text = code.textContent;
      await B.highlightIdle();
      const out = {
        plainAtFirst,
        highlighted: B.highlighter.stats.highlighted - before,
        spans: code.querySelectorAll('span[class^="hljs-"]').length,
        className: code.className,
        sameText: code.textContent === text,
        label: el.querySelector('.code-lang')!.textContent,
      };
      el.remove();
      return out;
    }, tsFence(6_000));
    assert.equal(r.plainAtFirst, true, 'not highlighted inside the render');
    assert.equal(r.highlighted, 1);
    assert.ok(r.spans > 100, `spans: ${r.spans}`);
    assert.equal(r.className, 'language-ts hljs');
    assert.equal(r.sameText, true);
    assert.equal(r.label, 'ts');
  });

  it('a re-rendered block takes the recent result at once; a grown one shows its highlighted prefix until the worker answers', async () => {
    const r = await tp.page.evaluate(async ([a, b]) => {
      const B = window.__difyBench;
      const render = (md: string) => {
        const el = document.createElement('div');
        document.body.append(el);
        el.append(B.renderOneShot(md));
        return el;
      };
      const first = render(a);
      await B.highlightIdle();
      const sent = B.highlighter.stats.highlighted;
      // The same block rendered again (a finished block committed after the tail showed it).
      const again = render(a);
      const againNow = again.querySelector('pre > code')!.innerHTML === first.querySelector('pre > code')!.innerHTML;
      // The block grown (streaming): highlighted prefix plus the new text, plain, right away.
      const grown = render(b);
      const code = grown.querySelector('pre > code')!;
      const grownNow = { hljs: code.classList.contains('hljs'), text: code.textContent === b.slice(b.indexOf('\n') + 1, b.lastIndexOf('```')) };
      await B.highlightIdle();
      const ref = render(b.replace('```ts', '```typescript'));
      await B.highlightIdle();
      const out = {
        againNow,
        sentForAgain: B.highlighter.stats.highlighted - sent,
        grownNow,
        // The grown block ends highlighted as a whole (the same spans as the same code in another render).
        grownFinal: code.innerHTML === ref.querySelector('pre > code')!.innerHTML,
      };
      for (const e of [first, again, grown, ref]) e.remove();
      return out;
    }, [tsFence(2_000), tsFence(4_000)]);
    assert.equal(r.againNow, true);
    assert.equal(r.grownNow.hljs, true);
    assert.equal(r.grownNow.text, true);
    assert.equal(r.sentForAgain, 2, 'the grown block and the reference are sent, the repeated one is not');
    assert.equal(r.grownFinal, true);
  });

  it('detects the language of a finished fence without one, and labels it; a block replaced before its turn is not sent', async () => {
    const r = await tp.page.evaluate(async () => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      document.body.append(el);
      const dropped = B.highlighter.stats.dropped;
      // Rendered and thrown away in the same task (a streaming tail re-rendered): never sent.
      B.renderOneShot('```python\ndef f(x):\n    return x * 2  # stale\n```\n');
      el.append(B.renderOneShot('```\ndef area(r: float) -> float:\n    """Area of a circle."""\n    import math\n    return math.pi * r ** 2\n\nprint(area(2.0))\n```\n'));
      await B.highlightIdle();
      const code = el.querySelector('pre > code')!;
      const out = { label: el.querySelector('.code-lang')!.textContent, hljs: code.classList.contains('hljs'), dropped: B.highlighter.stats.dropped - dropped };
      el.remove();
      return out;
    });
    assert.equal(r.label, 'python');
    assert.equal(r.hljs, true);
    assert.equal(r.dropped, 1);
  });

  it('streaming: a finished fence without a language is detected, the unfinished one rendered in the same batch is not until the answer ends', async () => {
    const r = await tp.page.evaluate(async () => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      document.body.append(el);
      const md = new B.IncrementalMarkdown(el);
      const py = 'def area(r: float) -> float:\n    """Area of a circle."""\n    import math\n    return math.pi * r ** 2\n\nprint(area(2.0))\n';
      // One render: the finished fence and the paragraph go through one sanitizer call with the open fence.
      md.append('```\n' + py + '```\n\nAnd the same again:\n\n```\n' + py);
      md.render();
      await B.highlightIdle();
      const labels = () => Array.from(el.querySelectorAll('.code-lang'), (l) => l.textContent);
      const streaming = { labels: labels(), hljs: Array.from(el.querySelectorAll('pre > code'), (c) => c.classList.contains('hljs')), renders: md.stats.renders };
      md.append('```\n');
      md.finish();
      await B.highlightIdle();
      const done = labels();
      el.remove();
      return { streaming, done };
    });
    assert.equal(r.streaming.renders, 1);
    assert.deepEqual(r.streaming.labels, ['python', 'Code']);
    assert.deepEqual(r.streaming.hljs, [true, false]);
    assert.deepEqual(r.done, ['python', 'python']);
  });

  it('a block whose text changed before the result came back keeps its text (the stream\'s appends are not undone)', async () => {
    const r = await tp.page.evaluate(async (md) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      document.body.append(el);
      el.append(B.renderOneShot(md));
      const code = el.querySelector('pre > code')!;
      code.append('// appended after the render\n');
      const text = code.textContent;
      await B.highlightIdle();
      const out = { kept: code.textContent === text, hljs: code.classList.contains('hljs') };
      el.remove();
      return out;
    }, tsFence(3_000, 'rust'));
    assert.equal(r.kept, true);
    assert.equal(r.hljs, false);
  });

  it('a long finished block is put in as groups of 16 lines, in the frames after its result: same text, same colours, same height, spans re-opened across a cut; shown again: at once; a streaming one stays in one piece', async () => {
    const line = (i: number) => `const v${i} = load("u${i}", ${i}); // line ${i}\n`;
    const lines = Array.from({ length: 100 }, (_, i) => line(i));
    // A comment from line 28 to 37 crosses the cut after line 32.
    lines.splice(28, 0, '/* a comment\n' + 'still the comment\n'.repeat(8) + 'end */\n');
    // One of 75 lines (one step of highlight.js's output) holds whole groups and two cuts.
    lines.splice(60, 0, '/* long\n' + 'comment line\n'.repeat(73) + '*/\n');
    const body = lines.join('');
    const r = await tp.page.evaluate(async (body) => {
      const B = window.__difyBench;
      const show = (md: string) => {
        const sc = document.createElement('div');
        sc.style.cssText = 'height: 300px; overflow-y: auto; width: 640px';
        const el = document.createElement('div');
        el.className = 'markdown';
        sc.append(el);
        document.body.append(sc);
        el.append(B.renderOneShot(md));
        return { sc, code: el.querySelector('pre > code') as HTMLElement };
      };
      const runs = (root: Element) => {
        // Each text with the classes of the spans around it, merged where they continue across a cut.
        const out: [string, string][] = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const classes: string[] = [];
          for (let p = n.parentElement; p && p !== root; p = p.parentElement) if (p.className && !p.classList.contains('hl-lines')) classes.unshift(p.className);
          const key = classes.join('>');
          const last = out[out.length - 1];
          if (last && last[0] === key) last[1] += n.textContent;
          else out.push([key, n.textContent!]);
        }
        return out;
      };
      const { sc, code } = show('```ts\n' + body + '```\n');
      const plainHeight = code.parentElement!.getBoundingClientRect().height;
      const text = code.textContent;
      // The result arrives: the block is cut into plain groups, highlighted from the next frame on.
      let sawPartial = false;
      const watch = () => {
        const groups = code.querySelectorAll(':scope > .hl-lines');
        const done = Array.from(groups).filter((g) => g.querySelector('span')).length;
        if (groups.length && done < groups.length) sawPartial = true;
        if (!groups.length || done < groups.length) requestAnimationFrame(watch);
      };
      requestAnimationFrame(watch);
      await B.highlightIdle();
      const groups = Array.from(code.querySelectorAll(':scope > .hl-lines')) as HTMLElement[];
      const groupedHeight = code.parentElement!.getBoundingClientRect().height;
      const cv = getComputedStyle(groups[0]).contentVisibility;
      // The same block rendered again (committed after the stream showed it): all its groups at once.
      const again = show('```ts\n' + body + '```\n');
      const againNow = again.code.innerHTML === code.innerHTML;
      again.sc.remove();
      // The same code highlighted in one piece: as a block that is still streaming (not finished) is.
      const open = document.createElement('pre');
      const flat = document.createElement('code');
      flat.textContent = body;
      open.append(flat);
      document.body.append(open);
      B.highlighter.paint(flat, body, 'ts', false);
      await B.highlightIdle();
      const out = {
        groups: groups.length,
        groupTexts: groups.map((g) => g.textContent),
        sameText: code.textContent === text,
        className: code.className,
        sawPartial,
        againNow,
        plainHeight,
        groupedHeight,
        cv,
        sameRuns: JSON.stringify(runs(code)) === JSON.stringify(runs(flat)),
        // The third group starts inside the comment: its span is opened again there.
        reopened: [groups[2].firstElementChild?.className, groups[2].firstElementChild?.textContent?.split('\n')[0]],
        flatGroups: flat.querySelectorAll('.hl-lines').length,
        flatSpans: flat.querySelectorAll('span[class^="hljs-"]').length,
      };
      sc.remove();
      open.remove();
      return out;
    }, body);
    const total = body.split('\n').length - 1;
    assert.equal(r.groups, Math.ceil(total / 16));
    assert.deepEqual(r.groupTexts, r.groupTexts.map((_, i) => body.split('\n').slice(i * 16, i * 16 + 16).map((l) => l + '\n').join('').slice(0, r.groupTexts[i].length)));
    assert.equal(r.groupTexts.join(''), body);
    assert.equal(r.sameText, true);
    assert.equal(r.className, 'language-ts hljs');
    assert.equal(r.sawPartial, true, 'plain groups first, highlighted in the frames after');
    assert.equal(r.cv, 'auto');
    assert.equal(r.againNow, true, 'a block shown highlighted before gets all its groups at once');
    assert.ok(Math.abs(r.groupedHeight - r.plainHeight) < 1, `height ${r.plainHeight} → ${r.groupedHeight}`);
    assert.equal(r.sameRuns, true, 'the same text in the same colours as in one piece');
    assert.deepEqual(r.reopened, ['hljs-comment', 'still the comment'], 'the comment crossing the cut goes on in the next group');
    assert.equal(r.flatGroups, 0, 'a streaming block is not grouped');
    assert.ok(r.flatSpans > 100);
  });

  it('a long block scrolled to its end is coloured there first', async () => {
    const body = Array.from({ length: 640 }, (_, i) => `const v${i} = load("u${i}", ${i}); // line ${i}\n`).join('');
    const r = await tp.page.evaluate(async (body) => {
      const B = window.__difyBench;
      B.setupPage();
      const { sc, el } = B.answerBox();
      el.append(B.renderOneShot('```ts\n' + body + '```\n'));
      sc.scrollTop = sc.scrollHeight; // the end of the block is on screen, its start far above
      const code = el.querySelector('pre > code') as HTMLElement;
      const order: number[] = [];
      const mo = new MutationObserver((records) => {
        for (const m of records) {
          const g = m.target as HTMLElement;
          if (g.classList?.contains('hl-lines') && g.querySelector('span')) order.push(Array.prototype.indexOf.call(code.children, g));
        }
      });
      mo.observe(code, { childList: true, subtree: true });
      await B.highlightIdle();
      mo.disconnect();
      const groups = code.children.length;
      const view = sc.getBoundingClientRect();
      const visible = Array.from(code.children).map((g, i) => [i, g.getBoundingClientRect()] as const).filter(([, r]) => r.bottom > view.top && r.top < view.bottom).map(([i]) => i);
      sc.remove();
      return { order, groups, visible };
    }, body);
    assert.equal(r.groups, 40);
    assert.equal(r.order.length, 40, 'every group coloured once');
    assert.ok(r.visible.includes(r.order[0]), `first coloured: group ${r.order[0]}; on screen: ${r.visible.join(', ')}`);
  });

  it('a burst\'s code blocks wait while the renderer takes it in, slice by slice; then they are coloured newest first', async () => {
    // Distinct blocks (no recent result to reuse) between paragraphs: about 55 KB, rendered in many slices.
    const r = await renderBurst(codeBurst('block'));
    assert.ok(r.slices > 4, `rendered in ${r.slices} slices`);
    assert.equal(r.sentWhileSlicing, 0, 'no block went to the worker while the burst was being taken in');
    assert.equal(r.blocks, 12);
    assert.equal(r.coloured, 12, 'every block coloured in the end');
    assert.deepEqual(r.order, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'newest first');
  });

  it('a burst of blocks highlighted before: their known results are put in after it too, newest first, none sent again', async () => {
    const text = codeBurst('again');
    const first = await renderBurst(text);
    const second = await renderBurst(text);
    assert.ok(second.slices > 4, `rendered in ${second.slices} slices`);
    assert.equal(first.sent, 12, 'the first burst sent every block to the worker');
    assert.equal(second.sent, 0, 'the second burst sent none: every result was known');
    assert.equal(second.reused, 12);
    assert.equal(second.colouredWhileSlicing, 0, 'no known result was put in while the burst was being taken in');
    assert.deepEqual(second.order, [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'newest first');
    assert.deepEqual(second.html, first.html, 'the same spans as the worker gave');
  });

  /** 12 code blocks named after `name` between long paragraphs: about 55 KB, a burst of many slices. */
  function codeBurst(name: string): string {
    const parts: string[] = [];
    for (let i = 0; i < 12; i++) {
      parts.push(`${name} ${i}: ${'some **prose** with `code` and more words. '.repeat(100)}`);
      parts.push('```ts\n' + Array.from({ length: 8 }, (_, j) => `const ${name}${i}_${j} = load("${name}${i}", ${j});`).join('\n') + '\n```');
    }
    return parts.join('\n\n');
  }

  /** Shows `text` at once in the panel's layout, one slice per task, then waits for the highlighter: the
   * slices, the worker's and the recent results' counts, the blocks coloured while slicing, and the order
   * (block index) in which they were coloured afterwards. */
  function renderBurst(text: string) {
    return tp.page.evaluate(async (text) => {
      const B = window.__difyBench;
      B.setupPage();
      const { el } = B.answerBox();
      const md = new B.IncrementalMarkdown(el);
      const sent = B.highlighter.stats.sent;
      const reused = B.highlighter.stats.reused;
      md.append(text);
      md.finish();
      let slices = 1;
      let colouredWhileSlicing = 0;
      while (md.pending) {
        await B.nextTask();
        md.render();
        slices++;
        colouredWhileSlicing = Math.max(colouredWhileSlicing, el.querySelectorAll('pre > code.hljs').length);
      }
      const sentWhileSlicing = B.highlighter.stats.sent - sent;
      const codes = Array.from(el.querySelectorAll('pre > code'));
      const order: number[] = [];
      const mo = new MutationObserver((records) => {
        for (const m of records) {
          const i = codes.indexOf(m.target as Element);
          if (i >= 0 && (m.target as Element).classList.contains('hljs') && !order.includes(i)) order.push(i);
        }
      });
      mo.observe(el, { attributes: true, attributeFilter: ['class'], subtree: true });
      await B.highlightIdle();
      mo.disconnect();
      return {
        slices, sentWhileSlicing, colouredWhileSlicing, order, blocks: codes.length,
        coloured: codes.filter((c) => c.querySelector('span')).length,
        sent: B.highlighter.stats.sent - sent, reused: B.highlighter.stats.reused - reused,
        html: codes.map((c) => c.innerHTML),
      };
    }, text);
  }
});
