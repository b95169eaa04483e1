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
    }, tsFence(10_000));
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
});
