// The renderer's fast append path (src/webview/markdown/incremental.ts, `fastAppend`): while streaming, text
// that can only extend the tail's last text is appended as a Text node instead of re-rendering the block.
// These tests check that it is taken where it should be, refused in every doubtful case it guards, and that
// the DOM stays exactly the one-shot render of the text so far (every frame) and of the final text.
import assert from 'node:assert/strict';
import { makeAnswer } from '../../bench/render/corpus';
import { RICH_MARKDOWN } from './fixtures';
import { pageForSuite } from './harness';
import type { TestPage } from './harness';

/** Markdown chosen to sit on the fast path's guards: autolinks, e-mails, entities, emphasis flanking,
 * trailing spaces, list markers, setext underlines, table rows with extra cells, heading closers, Unicode
 * whitespace, code fences opening and closing. */
export const ADVERSARIAL = `Plain prose that streams word by word, then *emphasis*, snake_case_words and __strong__ text.
A soft break, then see www.example.com/path, http://dify.ai/x and mail dev.team@example.org today.
Entities &amp; &#169; &copy and a [link](https://e.com/a) then (parens) and [ref] text.

1. first
2. second item text  
   continued
10) other

- a
- b\u3000c
- trailing spaces   
- [ ] task

Setext below
===

## Heading with closer ##
## Heading # not closer
### 1. Numbered heading

| h1 | h2 |
|----|----|
| a | b | extra cell |
| c | d
| e

> quote line
> second line lazy
continued

\`\`\`ts
const a = "x" < 1 && b > 2; // <b>not html</b>
  indented line

\`\`\`

~~~
tilde fence with \`\`\` inside
~~~

Trailing text with a tab\there and 中文，标点。 More www text, AT&T and 3 * 4 = 12 _under_score.
Last line ends here`;

interface Frames {
  /** Offsets (text length) where the DOM differed from the one-shot render of the text so far. */
  mismatches: number[];
  fast: number;
  /** Renders that re-rendered only the last items of a list / rows of a table. */
  partial: number;
  renders: number;
  finalSame: boolean;
}

/** Streams `text` in `size`-char chunks with a render after each; compares every frame and the end. */
async function frames(tp: TestPage, text: string, size: number, highlight: boolean): Promise<Frames> {
  return tp.page.evaluate(
    ({ text, size, highlight }) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      document.body.append(el);
      const md = new B.IncrementalMarkdown(el, { highlight });
      const mismatches: number[] = [];
      const view = (e: HTMLElement) => (highlight ? e.textContent : e.innerHTML);
      for (let i = 0; i < text.length; i += size) {
        md.append(text.slice(i, i + size));
        B.settle(md);
        const prefix = text.slice(0, i + size);
        // Reference definitions only apply to earlier blocks once finished; those prefixes are not compared.
        if (/\[[^\]]+\]:/.test(prefix)) continue;
        const ref = document.createElement('div');
        ref.append(B.renderOneShot(prefix, { highlight }));
        if (view(el) !== view(ref)) mismatches.push(Math.min(text.length, i + size));
      }
      const fast = md.stats.fastAppends;
      const partial = md.stats.partialRenders;
      const renders = md.stats.renders;
      md.finish();
      B.settle(md);
      const ref = document.createElement('div');
      ref.append(B.renderOneShot(text, { highlight }));
      const finalSame = el.innerHTML === ref.innerHTML;
      el.remove();
      return { mismatches, fast, partial, renders, finalSame };
    },
    { text, size, highlight },
  );
}

/** Renders `base`, then appends `delta` and renders: was the fast path taken, and is the DOM exact? */
async function step(tp: TestPage, base: string, delta: string): Promise<{ fast: boolean; same: boolean; html: string; ref: string }> {
  return tp.page.evaluate(
    ({ base, delta }) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      const md = new B.IncrementalMarkdown(el, { highlight: false });
      md.append(base);
      B.settle(md);
      const before = md.stats.fastAppends;
      md.append(delta);
      B.settle(md);
      const ref = document.createElement('div');
      ref.append(B.renderOneShot(base + delta, { highlight: false }));
      return { fast: md.stats.fastAppends > before, same: el.innerHTML === ref.innerHTML, html: el.innerHTML, ref: ref.innerHTML };
    },
    { base, delta },
  );
}

describe('incremental markdown: fast append path', function () {
  this.timeout(300_000);
  const tp = pageForSuite({ bundle: 'bench' });

  it('is taken for plain prose (paragraph, list item, heading, table cell, quote) and open code', async () => {
    const cases: [string, string][] = [
      ['Hello world', ' and more plain text'],
      ['Intro with **bold** and `code` then', ' plain words follow'],
      ['Intro with **bold** ', 'plain words after markup'],
      ['中文段落，这是', '一个测试。更多文字'],
      ['- item one\n- item', ' two grows'],
      ['1. first\n2. second', ' grows too '],
      ['## 3. Heading', ' grows'],
      ['| a | b |\n|---|---|\n| c | d', 'dd more'],
      ['> quoted', ' text grows'],
      ['```ts\nconst a = 1;\n', 'const b = 2;\nconst c'],
      ['```\nplain', ' code\n\nmore lines\n'],
      ['~~~python\n', 'def f(x):\n    return x * 2 # <b> & "q"'],
      // Backticks and tildes in code that cannot close its fence (not a line of them alone).
      ['```js\nconst a = 1;\n', 'const s = `x ${a}`; // ~~ ```\n'],
      ['~~~md\nUse ', '`code` and ```fences``` ~~~ here\n  ``x``'],
      // A single run of a delimiter is literal: the opener streams as text (the closer takes the full path).
      ['Use the', ' `AbortSignal'],
      ['Some', ' **Note'],
      ['snake', '_case words'],
      ['Note', ': see (this) page! a | b, x < y'],
      ['> **Note:** When', ' the stream ends'],
      ['see [the API](https://e.com/a). A', ' workflow run'],
      ['- a * ', 'b'],
    ];
    for (const [base, delta] of cases) {
      const r = await step(tp, base, delta);
      assert.equal(r.fast, true, `fast path not taken for ${JSON.stringify(base)} + ${JSON.stringify(delta)}`);
      assert.equal(r.same, true, `${JSON.stringify(base + delta)}:\n${r.html}\n!==\n${r.ref}`);
    }
  });

  it('is refused for each doubtful case it guards (and the DOM stays exact)', async () => {
    const cases: [string, string, string][] = [
      ['emphasis closer', 'Hello *wor', 'ld* again'],
      ['underscore flanking', 'snake', '_case_ x'],
      ['prior char is a delimiter', 'Hello *world*', ' bar'],
      ['code span', 'use the', ' `flag` now'],
      ['backtick closes a fence', '```ts\nconst a = 1;\n', '```\n\nafter'],
      ['tilde closes a fence', '~~~\ncode\n', '~~~\n\nafter'],
      ['a closing fence arriving in pieces', '```\ncode\n`', '``\n\nafter'],
      ['an indented closing fence', '```\ncode\n', '   ```\nafter'],
      ['fence info string still arriving', '```t', 's\ncode'],
      ['newline in a paragraph (list interrupts)', 'some text', '\n- item'],
      ['newline in a paragraph (setext underline)', 'some text', '\n==='],
      ['line starting with a digit can become a list', '1', '. item'],
      ['www autolink forming across the delta', 'visit ww', 'w.example.com today'],
      ['www autolink extended', 'see www', '.example.com now'],
      ['e-mail autolink completed by a dot', 'mail user@example', '.com now'],
      ['scheme autolink', 'go to http', '://dify.ai now'],
      ['entity completed by a semicolon', 'AT&amp', '; and more'],
      ['link destination closed', 'a [link](http', 's) more'],
      ['extra table cell (dropped by the table)', '| a | b |\n|---|---|\n| x | y | z', 'zz more'],
      ['heading closing sequence', '## Title #', ' more'],
      ['heading trailing whitespace then closer', '## Title # ', 'more'],
      ['a line starting with three backticks (a fence)', '```', 'ts'],
      ['a line starting with a bullet', '* ', 'item'],
      ['Unicode space in a list item', '- foo', '\u3000bar'],
      ['raw html', 'a <span', ' class="x">b'],
      ['a tag closed after an earlier <', 'a <b', 'r> c'],
      ['a second run of backticks', 'a `b` c', ' `d'],
      ['a second run of asterisks', 'a *b', ' c*'],
      ['a pipe in a table row', '| a | b |\n|---|---|\n| c | d', ' | e'],
    ];
    for (const [what, base, delta] of cases) {
      const r = await step(tp, base, delta);
      assert.equal(r.fast, false, `fast path taken: ${what}`);
      assert.equal(r.same, true, `${what}:\n${r.html}\n!==\n${r.ref}`);
    }
  });

  for (const [name, text] of [['adversarial', ADVERSARIAL], ['rich fixture', RICH_MARKDOWN]] as const) {
    it(`${name}: every frame equals the one-shot render of the text so far, at chunk sizes 1–33`, async () => {
      for (const size of [1, 2, 3, 5, 8, 13, 33]) {
        const r = await frames(tp, text, size, false);
        assert.deepEqual(r.mismatches, [], `chunk size ${size}: frames differing from one-shot`);
        assert.equal(r.finalSame, true, `chunk size ${size}: final DOM`);
        assert.ok(r.fast > 0, `chunk size ${size}: fast path never taken`);
      }
    });
  }

  it('with highlighting: the visible text equals the one-shot render\'s every frame; final DOM identical', async () => {
    for (const text of [ADVERSARIAL, RICH_MARKDOWN, makeAnswer(12_000, 5)]) {
      for (const size of [5, 16]) {
        const r = await frames(tp, text, size, true);
        assert.deepEqual(r.mismatches, [], `chunk size ${size}: visible text differing from one-shot`);
        assert.equal(r.finalSame, true, `chunk size ${size}: final DOM`);
        assert.ok(r.fast > (text.length < 10_000 ? 0 : r.renders / 4), `fast appends ${r.fast} of ${r.renders} renders`);
      }
    }
  });

  it('the benchmark corpus: every frame exact (no highlighting), most frames on the fast path, lists and tables re-rendered by item', async () => {
    for (const size of [5, 16, 60]) {
      const r = await frames(tp, makeAnswer(20_000, 9), size, false);
      assert.deepEqual(r.mismatches, [], `chunk size ${size}`);
      assert.equal(r.finalSame, true);
      if (size === 5) assert.ok(r.fast > r.renders / 2, `fast appends ${r.fast} of ${r.renders} renders`);
      assert.ok(r.partial > 10, `partial renders ${r.partial} (chunk size ${size})`);
    }
  });

  it('lists and tables: only changed items are re-rendered, and the DOM stays exact (loose, ordered, nested, tasks, alignment)', async () => {
    const doc = '- a\n- b `x`\n  - nested *c*\n- [ ] task\n\n1. one\n2. two\n\n   para in two\n3. three\n\n7) seven\n8) eight [r]\n\n' +
      '| L | C | R |\n|:--|:-:|--:|\n| a | `b` | c |\n| d | e\n| f | g | h | i |\n\n- [r]: /x\n- [r] ref\n\nend';
    for (const size of [1, 2, 3, 7]) {
      const r = await frames(tp, doc, size, false);
      assert.deepEqual(r.mismatches, [], `chunk size ${size}`);
      assert.equal(r.finalSame, true, `chunk size ${size}: final DOM`);
      assert.ok(r.partial > 0, `chunk size ${size}: no partial render`);
    }
  });

  it('a render after a long run of fast appends never shows less text than the fast path already showed', async () => {
    const r = await tp.page.evaluate(() => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      const md = new B.IncrementalMarkdown(el, { highlight: false });
      md.append('Intro paragraph.\n\nA long paragraph');
      md.render();
      const fast0 = md.stats.fastAppends;
      for (let i = 0; i < 400; i++) {
        md.append(' word' + i);
        md.render();
      }
      const shown = el.textContent!.length;
      md.append('\n\n- a list item');
      md.render(); // one frame: the full path, which slices its input
      return { fast: md.stats.fastAppends - fast0, shown, after: el.textContent!.length };
    });
    assert.ok(r.fast > 300, `fast appends: ${r.fast}`);
    assert.ok(r.after >= r.shown, `shown ${r.shown} characters, then ${r.after}`);
  });

  it('final DOM equals the one-shot render when the stream is split at every position', async () => {
    for (const text of [ADVERSARIAL, RICH_MARKDOWN]) {
      const bad = await tp.page.evaluate((text) => {
        const B = window.__difyBench;
        const ref = document.createElement('div');
        ref.append(B.renderOneShot(text, { highlight: true }));
        const want = ref.innerHTML;
        const out: number[] = [];
        for (let p = 1; p < text.length; p++) {
          const el = document.createElement('div');
          const md = new B.IncrementalMarkdown(el, { highlight: true });
          // Three renders: before the split, just after it (often on the fast path), then the rest.
          md.append(text.slice(0, p));
          B.settle(md);
          md.append(text.slice(p, p + 3));
          B.settle(md);
          md.append(text.slice(p + 3));
          B.settle(md);
          md.finish();
          B.settle(md);
          if (el.innerHTML !== want) out.push(p);
        }
        return out;
      }, text);
      assert.deepEqual(bad, []);
    }
  });
});
