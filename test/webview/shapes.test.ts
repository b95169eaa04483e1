// Answers made of one huge block (a log paragraph, a list, a table, a code block, 200 nested blockquotes or lists),
// streamed in small chunks into the real renderer: every render shows what a one-shot render of the text so far
// shows, the text on screen never shrinks, and the work stays proportional to the text (counted, not timed).
import assert from 'node:assert/strict';
import { SHAPES, logLine, shapedAnswer } from '../../bench/render/shapes';
import type { Shape } from '../../bench/render/shapes';
import { pageForSuite } from './harness';
import type { TestPage } from './harness';
import { rng } from './rng';

interface Streamed {
  /** Renders whose DOM differed from the one-shot render of the text it shows (sampled), as text offsets; negative:
   * renders that showed less than the text so far but for its last line's block markers. */
  mismatches: number[];
  /** Renders after which the answer's text was shorter than after the one before. */
  shrinks: number;
  finalExact: boolean;
  renders: number;
  lexedChars: number;
  renderedChars: number;
  resumes: number;
  seals: number;
  fastAppends: number;
}

/**
 * Streams `text` in `chunk`-character chunks into an IncrementalMarkdown (no highlighting), rendering until nothing
 * is pending after every `perRender` chunks; compares with the one-shot render every `sampleEvery` renders.
 */
async function stream(tp: TestPage, text: string, o: { chunk: number; perRender?: number; sampleEvery?: number; resumeMin?: number }): Promise<Streamed> {
  return tp.page.evaluate(
    ({ text, chunk, perRender, sampleEvery, resumeMin }) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      el.className = 'markdown answer';
      document.body.append(el);
      const md = new B.IncrementalMarkdown(el, { highlight: false }, resumeMin);
      const ref = document.createElement('div');
      const mismatches: number[] = [];
      let shrinks = 0;
      let last = 0;
      let renders = 0;
      let shown = 0;
      const check = (upTo: number) => {
        const len = el.textContent!.length;
        if (len < last || md.shown < shown) shrinks++;
        last = len;
        shown = md.shown;
        // What the DOM shows is the text so far, but for a last line that is still only block markers.
        if (shown > upTo || !/^[\s>*+\-_=#`~|:.)\d]*$/.test(text.slice(shown, upTo)) || text.slice(shown, upTo).includes('\n')) mismatches.push(-upTo);
        if (++renders % sampleEvery === 0) {
          ref.replaceChildren(B.renderOneShot(text.slice(0, shown), { highlight: false }));
          if (ref.innerHTML !== el.innerHTML) mismatches.push(upTo);
        }
      };
      let n = 0;
      for (let i = 0; i < text.length; i += chunk) {
        md.append(text.slice(i, i + chunk));
        if (++n % perRender === 0) {
          B.settle(md);
          check(Math.min(text.length, i + chunk));
        }
      }
      md.finish();
      B.settle(md);
      ref.replaceChildren(B.renderOneShot(text, { highlight: false }));
      const out = { mismatches, shrinks, finalExact: ref.innerHTML === el.innerHTML, renders: md.stats.renders, lexedChars: md.stats.lexedChars, renderedChars: md.stats.renderedChars, resumes: md.stats.resumes, seals: md.stats.seals, fastAppends: md.stats.fastAppends };
      el.remove();
      return out;
    },
    { text, chunk: o.chunk, perRender: o.perRender ?? 1, sampleEvery: o.sampleEvery ?? 1, resumeMin: o.resumeMin ?? 4096 },
  );
}


describe('one huge block, streamed: exact, never shrinking, linear work', function () {
  this.timeout(180_000);
  const tp = pageForSuite({ bundle: 'bench' });

  const SIZE: Record<Shape, number> = { paragraph: 60_000, list: 60_000, table: 60_000, code: 60_000, quotes: 120_000, 'nested-lists': 120_000 };
  for (const shape of SHAPES) {
    it(`${shape}: 4-character chunks, a render every 8 chunks: every sampled render exact, the text never shrinks, work linear in the text`, async () => {
      const text = shapedAnswer(shape, SIZE[shape]);
      const r = await stream(tp, text, { chunk: 4, perRender: 8, sampleEvery: 97 });
      // Each character is lexed and rendered a bounded number of times, however long the block (before: every
      // render lexed and rendered the whole block, ~n²/64 characters here).
      assert.ok(r.lexedChars <= 12 * text.length, `lexed ${r.lexedChars} characters for ${text.length}`);
      assert.ok(r.renderedChars <= 12 * text.length, `rendered ${r.renderedChars} characters for ${text.length}`);
      assert.deepEqual(r.mismatches, [], 'renders that differ from the one-shot render of the text so far');
      assert.ok(r.finalExact, 'the final DOM is the one-shot render');
      assert.equal(r.shrinks, 0, 'renders after which less text was on screen');
      if (shape === 'code') assert.ok(r.fastAppends > r.renders / 2, `fast appends ${r.fastAppends} of ${r.renders}`);
      else assert.ok(r.seals > 0 && r.resumes > r.renders / 2, `resumed ${r.resumes} of ${r.renders} renders, ${r.seals} windows sealed`);
    });
  }

  // Small blocks resumed from the first line (resumeMin 0): every kind of markup against the one-shot render.
  const LINES = [
    'plain words and more words',
    'a *b* c **d** e `f` g ~~h~~',
    'an open *star and _under',
    'a [link](https://example.com) and [ref] and [x](y "t")',
    'www.example.com and me@example.com and <https://a.b>',
    'trailing spaces  ',
    'trailing backslash\\',
    'a | b | c',
    '--|--|--',
    '===',
    '---',
    '1. one',
    '2. two',
    '- dash',
    '* star',
    '> quote',
    '> > deeper',
    '    indented',
    '```',
    '~~~js',
    '# heading',
    '| h1 | h2 |',
    '|---|---|',
    '| c1 | c2 |',
    '',
    '  - nested',
    '    continued',
    '- [ ] task',
    '10. ten',
    '<b>bold</b>',
    '[ref]: https://example.com/ref',
    'job_1 and __init__ and snake_case_name',
    '&amp; &copy; \\* \\_',
  ];
  for (let seed = 1; seed <= 16; seed++) {
    it(`random markdown lines (seed ${seed}), resumed from small blocks: every render exact`, async () => {
      const rand = rng(seed * 7907);
      const lines: string[] = [];
      const prefix = ['', '', '', '> ', '- ', '  ', '> > ', '1. '][seed % 8];
      for (let i = 0; i < 120; i++) {
        const r = rand();
        lines.push(r < 0.45 ? prefix + logLine(i) : r < 0.5 ? '' : prefix + LINES[Math.floor(rand() * LINES.length)]);
      }
      const text = lines.join('\n') + '\n';
      const chunk = 1 + Math.floor(rand() * 9);
      const r = await stream(tp, text, { chunk, perRender: 1 + (seed % 3), resumeMin: seed % 2 ? 0 : 200 });
      assert.deepEqual(r.mismatches, [], `chunk ${chunk}`);
      assert.ok(r.finalExact);
    });
  }

  // One long block of one kind, its lines full of inline markup (emphasis left open, code spans, links, brackets,
  // pipes, hard breaks, raw HTML) and now and then a line that ends or changes the block (a setext underline, a
  // table delimiter, a blank line, a fence, a heading, an item of another list): resumed from its first line.
  const COMPLETE = ['*em*', '**strong**', '`code`', '~~del~~', '[link](https://x.y/z)', '[ref]', 'snake_case', '_it_', '__dunder__', '&amp;',
    'www.example.com', 'me@example.com', '<https://a.b>', '![img](https://x.y/i.png)', '\\*'];
  const OPEN = ['*open', 'close*', '`tick', '[open', 'shut]', '](x)', '<b>', '<i>x</i>', 'a | b', 'back\\', '#', '1.', '>', '_under'];
  const BREAKS = ['===', '---', '', '# heading', '```', '- other', '1. other', '> quote', '| a | b |', '|---|---|', '    code', '* star', '2) two'];
  const coverage: number[] = [];
  const KINDS: [string, string, string][] = [
    // first-line prefix, prefix of the next lines, prefix of a continuation line
    ['', '', ''],
    ['- ', '- ', '  '],
    ['1. ', '1. ', '   '],
    ['> ', '> ', '> '],
    ['> > ', '> > ', '> > '],
    ['- top\n  - ', '  - ', '    '],
    ['| h1 | h2 |\n|---|:-:|\n| ', '| ', '| '],
    ['- a\n\n- ', '\n- ', '  '],
  ];
  for (let seed = 1; seed <= 24; seed++) {
    it(`one long block with inline markup and breaks (seed ${seed}), resumed from its first line: every render exact`, async () => {
      const rand = rng(seed * 104729);
      const [first, next, cont] = KINDS[seed % KINDS.length];
      let text = '# Title\n\n';
      for (let i = 0; i < 90; i++) {
        const words: string[] = [];
        for (let w = 0; w < 4 + Math.floor(rand() * 8); w++) {
          const r = rand();
          words.push(r < 0.015 ? OPEN[Math.floor(rand() * OPEN.length)] : r < 0.2 ? COMPLETE[Math.floor(rand() * COMPLETE.length)] : logLine(i + w).split(' ')[w % 6]);
        }
        if (rand() < 0.05) words.push(' ');
        const line = words.join(' ') + (first.startsWith('|') ? ' | x |' : '');
        const r = rand();
        if (r < 0.02) text += `${rand() < 0.5 ? cont : ''}${BREAKS[Math.floor(rand() * BREAKS.length)]}\n`;
        else text += `${i === 0 ? first : r < 0.3 ? cont : next}${line}\n`;
      }
      const chunk = 1 + Math.floor(rand() * 9);
      const r = await stream(tp, text, { chunk, perRender: 1 + (seed % 3), resumeMin: 0 });
      assert.deepEqual(r.mismatches, [], `chunk ${chunk}`);
      assert.ok(r.finalExact);
      coverage.push(r.seals);
    });
  }

  it('the long blocks above were mostly resumed (the windows, not the whole-block path, were checked)', () => {
    assert.equal(coverage.length, 24);
    assert.ok(coverage.filter((n) => n > 0).length >= 16 && coverage.reduce((a, b) => a + b, 0) >= 200, `windows sealed per seed: ${coverage.join(', ')}`);
  });
});
