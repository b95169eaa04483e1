// The incremental renderer against the one-shot reference, in the real browser bundle.
import { demoApps } from '../support/dify/apps';
import { chunkText } from '../support/dify/frames';
import assert from 'node:assert/strict';
import { makeAnswer } from '../../bench/render/corpus';
import { RICH_MARKDOWN } from './fixtures';
import { MAX_WAIT_MS, RELAX } from '../../src/webview/scheduler';
import { pageForSuite } from './harness';
import type { TestPage } from './harness';
import { rng } from './rng';


function chunk(text: string, sizes: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; ) {
    const n = Math.max(1, sizes());
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

interface Outcome {
  incremental: string;
  oneShot: string;
  /** Plain `DOMPurify.sanitize(marked.parse(all))` with library defaults, as text. */
  naiveText: string;
  incrementalText: string;
  renders: number;
  lexedChars: number;
  /** Code blocks highlighted (by the worker) in the incremental and the one-shot render. */
  highlighted: [number, number];
}

/** Streams chunks into an IncrementalMarkdown, rendering after every `perRender` chunks, then finishes. */
async function stream(tp: TestPage, chunks: string[], perRender: number, highlight: boolean): Promise<Outcome> {
  return tp.page.evaluate(
    async ({ chunks, perRender, highlight }) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      document.body.append(el);
      const md = new B.IncrementalMarkdown(el, { highlight });
      chunks.forEach((c, i) => {
        md.append(c);
        if ((i + 1) % perRender === 0) B.settle(md);
      });
      md.finish();
      B.settle(md);
      const ref = document.createElement('div');
      document.body.append(ref);
      ref.append(B.renderOneShot(chunks.join(''), { highlight }));
      // Highlighting comes back from the worker: compare once every block has its result.
      await B.highlightIdle();
      const naive = document.createElement('div');
      naive.innerHTML = B.naive(chunks.join(''));
      const strip = (e: HTMLElement) => {
        const c = e.cloneNode(true) as HTMLElement;
        c.querySelectorAll('.code-header').forEach((h) => h.remove());
        return c.textContent;
      };
      const out = {
        incremental: el.innerHTML,
        oneShot: ref.innerHTML,
        naiveText: naive.textContent ?? '',
        incrementalText: strip(el) ?? '',
        renders: md.stats.renders,
        lexedChars: md.stats.lexedChars,
        highlighted: [el.querySelectorAll('code.hljs').length, ref.querySelectorAll('code.hljs').length] as [number, number],
      };
      el.remove();
      ref.remove();
      return out;
    },
    { chunks, perRender, highlight },
  );
}

describe('incremental markdown renderer', function () {
  this.timeout(120_000);
  const tp = pageForSuite({ bundle: 'bench' });

  const doc = RICH_MARKDOWN;

  it('5-char chunks, one render per chunk: identical DOM to one-shot (with and without highlighting)', async () => {
    for (const highlight of [false, true]) {
      const r = await stream(tp, chunk(doc, () => 5), 1, highlight);
      assert.equal(r.incremental, r.oneShot);
      if (highlight) assert.ok(r.highlighted[0] >= 2 && r.highlighted[0] === r.highlighted[1], `highlighted blocks: ${r.highlighted}`);
      assert.equal(r.incrementalText, r.naiveText);
    }
  });

  it('the demo answer in the test server\'s own chunking (a fence followed by a blockquote): identical DOM', async () => {
    const answer = demoApps()[0].answer!;
    for (const perRender of [1, 2, 3]) {
      for (const highlight of [true, false]) {
        const r = await stream(tp, chunkText(answer, 20, 60), perRender, highlight);
        assert.equal(r.incremental, r.oneShot, `perRender ${perRender}, highlight ${highlight}`);
      }
    }
  });

  it('1-char chunks: identical DOM to one-shot', async () => {
    const r = await stream(tp, chunk(doc, () => 1), 1, true);
    assert.equal(r.incremental, r.oneShot);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`random chunk sizes and render batching (seed ${seed}): identical DOM`, async () => {
      const rand = rng(seed * 7919);
      const maxChunk = [3, 8, 20, 60, 200][seed % 5];
      const r = await stream(tp, chunk(doc, () => 1 + Math.floor(rand() * maxChunk)), 1 + (seed % 3), seed % 2 === 0);
      assert.equal(r.incremental, r.oneShot);
      assert.equal(r.incrementalText, r.naiveText);
    });
  }

  it('every prefix renders like its own one-shot while streaming (not only the final DOM)', async () => {
    const mismatches = await tp.page.evaluate((text) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      const md = new B.IncrementalMarkdown(el, { highlight: false });
      const bad: number[] = [];
      for (let i = 0; i < text.length; i += 3) {
        md.append(text.slice(i, i + 3));
        B.settle(md);
        const ref = document.createElement('div');
        ref.append(B.renderOneShot(text.slice(0, i + 3), { highlight: false }));
        // Reference definitions only apply to earlier blocks once finished; compare without them.
        if (!/\[docs\]:/.test(text.slice(0, i + 3)) && el.innerHTML !== ref.innerHTML) bad.push(i + 3);
      }
      return bad;
    }, doc);
    assert.deepEqual(mismatches, []);
  });

  it('lexing in two steps (blocks, then inline content per top-level token asked for) gives marked\'s tokens', async () => {
    const texts = [
      doc,
      makeAnswer(30_000, 3),
      '- [ ] task *one*\n- [x] task **two**\n  > quoted `code` in an item\n  > - nested [ref]\n\n[ref]: https://example.com\n',
      'Title\n===\n\n| a | *b* |\n|---|:-:|\n| `c` | [d][ref] |\n\npara <span>raw\nlazy</span> line\n[ref]: https://e.x "t"\n\n> quote\ncontinued *lazily*\n',
    ];
    const problems = await tp.page.evaluate((texts) => {
      const B = window.__difyBench;
      const out: string[] = [];
      texts.forEach((text, t) => {
        const want = JSON.stringify(B.lexWithLinks(text, { known: { href: 'https://k.x', title: null } }));
        const whole = B.lexDeferred(text, { known: { href: 'https://k.x', title: null } });
        whole.inline(0);
        if (JSON.stringify(whole.tokens) !== want) out.push(`text ${t}: all at once`);
        // In pieces, out of order, overlapping: a token's inline content is lexed when asked for, once.
        const parts = B.lexDeferred(text, { known: { href: 'https://k.x', title: null } });
        const n = parts.tokens.length;
        const last = parts.tokens.map((tok) => tok.type).lastIndexOf('paragraph');
        const inlineOf = (i: number) => (parts.tokens[i] as { tokens?: unknown[] }).tokens?.length ?? 0;
        if (last >= 1) {
          parts.inline(0, last);
          if (inlineOf(last) !== 0) out.push(`text ${t}: token ${last} lexed before it was asked for`);
          if (inlineOf(0) === 0) out.push(`text ${t}: token 0 not lexed when asked for`);
          parts.inline(last, last + 1);
          if (inlineOf(last) === 0) out.push(`text ${t}: token ${last} not lexed when asked for`);
        }
        parts.inline(Math.floor(n / 2));
        parts.inline(0, 1);
        parts.inline(0);
        if (JSON.stringify(parts.tokens) !== want) out.push(`text ${t}: in pieces`);
      });
      return out;
    }, texts);
    assert.deepEqual(problems, []);
  });

  it('only re-lexes the tail: lexed characters stay far below n² for a long answer', async () => {
    const big = Array.from({ length: 25 }, (_, i) => doc.replace('[docs]: https://docs.dify.ai "Dify Docs"\n', `Part ${i}.\n`)).join('\n');
    const r = await stream(tp, chunk(big, () => 5), 1, false);
    assert.equal(r.incremental, r.oneShot);
    const naiveLexed = (big.length * big.length) / 10; // Σ prefix lengths for 5-char chunks
    assert.ok(r.lexedChars < naiveLexed / 50, `lexed ${r.lexedChars} chars vs naive ${naiveLexed}`);
  });

  it('a burst is rendered in slices: each render takes in part of it, every slice is a valid prefix, each block is rendered once, the end is exact', async () => {
    const big = makeAnswer(120_000, 11);
    const fence = '```ts\n' + 'const x = 1; // one long unfinished block\n'.repeat(2500) + '```\n\nafter';
    const r = await tp.page.evaluate(([big, fence]) => {
      const B = window.__difyBench;
      /** `pieces` 1: everything at once, as when a finished answer is shown; more: the text keeps arriving in
       * that many pieces (of random lengths, the last one finishing it) while the first ones are sliced. */
      const run = (text: string, pieces = 1) => {
        const el = document.createElement('div');
        const md = new B.IncrementalMarkdown(el, { highlight: false });
        const cuts = [0, ...Array.from({ length: pieces - 1 }, (_, i) => Math.round(((i + 1 + Math.sin(i) / 3) * text.length) / pieces)), text.length];
        let next = 0;
        const arrive = () => {
          md.append(text.slice(cuts[next], cuts[next + 1]));
          if (++next === pieces) md.finish();
        };
        arrive();
        const lengths: number[] = [];
        while ((md.pending || next < pieces) && lengths.length < 10_000) {
          lengths.push(el.textContent!.length);
          if (next < pieces) arrive();
          md.render();
        }
        const ref = document.createElement('div');
        ref.append(B.renderOneShot(text, { highlight: false }));
        // Each slice shows more of the answer (an unfinished tail may lose a few markup characters: `**b` → b).
        const prefixesOk = lengths.every((n, i) => i === 0 || n >= lengths[i - 1] - 50);
        return { slices: lengths.length + 1, first: lengths[0], total: ref.textContent!.length, exact: el.innerHTML === ref.innerHTML, prefixesOk, pending: md.pending, rendered: md.stats.renderedChars / text.length };
      };
      return [run(big), run(fence), run(big, 7), run(fence, 5)];
    }, [big, fence]);
    for (const [name, o] of [['prose', r[0]], ['one 100 KB block', r[1]], ['prose arriving while sliced', r[2]], ['one block arriving while sliced', r[3]]] as const) {
      assert.equal(o.pending, false, `${name}: rendering ended`);
      assert.equal(o.exact, true, `${name}: final DOM identical to one-shot`);
      assert.ok(o.slices > 3, `${name}: rendered in ${o.slices} slices`);
      assert.ok(o.first < o.total / 3, `${name}: the first render took in ${o.first} of ${o.total} characters`);
      assert.ok(o.prefixesOk, `${name}: the shown text grows slice by slice`);
    }
    // A slice renders the blocks it finishes and leaves its unfinished last block to the next one: each block
    // of the prose is rendered once, not once more per slice it was cut by.
    assert.ok(r[0].rendered < 1.02, `prose: rendered ${r[0].rendered.toFixed(3)}× its length`);
  });

  it('a burst\'s slices are sized by the page\'s measured cost per character: the first one small, the next from the estimate, half as much in view', async () => {
    const big = makeAnswer(120_000, 5);
    const r = await tp.page.evaluate((big) => {
      const B = window.__difyBench;
      /** The characters shown after the first and the second slice; `below`: the second lands below the view. */
      const burst = (below = false) => {
        const el = document.createElement('div');
        const md = new B.IncrementalMarkdown(el, { highlight: false });
        md.append(big);
        md.finish();
        const ends = [el.textContent!.length];
        md.render(below);
        md.release();
        ends.push(el.textContent!.length);
        while (md.pending) md.render();
        return ends;
      };
      // As if the warm-up had measured 0.1 µs per character: a 5 ms slice takes 50 000 characters, one laid
      // out in view (its end not below the view) half of it.
      B.calibrateRenderCost(5, 50_000);
      const inView = burst();
      B.calibrateRenderCost(5, 50_000);
      const held = burst(true);
      // As if it had measured 6 µs (the first estimate of a page): the 1 000-character minimum.
      B.calibrateRenderCost(6, 1_000);
      const slow = burst(true);
      return { inView, held, slow };
    }, big);
    const second = (ends: number[]) => ends[1] - ends[0];
    assert.ok(r.held[0] > 0 && r.held[0] <= 1_000, `the first slice showed ${r.held[0]} characters`);
    assert.ok(second(r.held) > 35_000, `the second slice added ${second(r.held)} characters`);
    assert.ok(second(r.inView) > 15_000 && second(r.inView) < 0.75 * second(r.held), `in view, the second slice added ${second(r.inView)} characters (held: ${second(r.held)})`);
    assert.ok(second(r.slow) < 2_000, `at 6 µs per character the second slice added ${second(r.slow)}`);
  });

  it('slices rendered below the view are held back out of the document, then put in by a render of their own, exactly', async () => {
    const big = makeAnswer(120_000, 12);
    const r = await tp.page.evaluate((big) => {
      const B = window.__difyBench;
      const REPLACED = big.slice(0, 30_000) + '\n\nReplaced tail.\n';
      const FENCE = '```ts\n' + 'const x = 1; // one long unfinished block\n'.repeat(2500) + '```\n\nafter';
      const oneShot = (text: string) => {
        const ref = document.createElement('div');
        ref.append(B.renderOneShot(text, { highlight: false }));
        return ref.innerHTML;
      };
      /** Renders `big` shown at once; `below(i)`: whether render i is told the text's end is below the view;
       * `at`: a step (render index → what to do before it) to replace the text or release mid-burst; `final`:
       * the text it ends with. */
      const run = (below: (i: number) => boolean, at: Record<number, (md: InstanceType<typeof B.IncrementalMarkdown>) => void> = {}, final = big) => {
        // The page's first, cautious cost estimate (what earlier tests measured would make a fast machine's burst
        // one or two slices): the burst then has the slices these steps need, whatever the machine.
        B.calibrateRenderCost(6, 1000);
        const el = document.createElement('div');
        document.body.append(el);
        const md = new B.IncrementalMarkdown(el, { highlight: false });
        md.append(final === FENCE ? FENCE : big);
        md.finish(below(0));
        const shown: number[] = [el.textContent!.length];
        let stepped = 0;
        for (let i = 1; md.pending && i < 10_000; i++) {
          if (at[i]) {
            at[i](md);
            stepped++;
          }
          md.render(below(i));
          shown.push(el.textContent!.length);
        }
        el.remove();
        return { shown, stepped: stepped === Object.keys(at).length, exact: el.innerHTML === oneShot(final), releases: md.stats.releases, renders: md.stats.renders, pending: md.pending };
      };
      return {
        // Below the view from the second slice on: the first one is shown, the rest held until the end.
        held: run((i) => i > 0),
        // Scrolled to the end midway (the end in view for one frame), then below again.
        scrolled: run((i) => i !== 6),
        // release() midway (a catch-up follow), and the answer replaced midway (text_replace / message_replace).
        released: run(() => true, { 5: (md) => md.release() }),
        replaced: run(() => true, { 2: (md) => md.setText(REPLACED) }, REPLACED),
        // One 100 KB code block: each slice re-renders the unfinished block, held, in place of the last one.
        block: run(() => true, {}, FENCE),
      };
    }, big);
    const { held, scrolled, released } = r;
    for (const [name, o] of Object.entries(r)) assert.equal(o.pending, false, `${name}: rendering ended`);
    for (const [name, o] of Object.entries(r)) assert.ok(o.stepped, `${name}: its steps ran (the burst was long enough)`);
    for (const [name, o] of Object.entries(r)) assert.ok(o.exact, `${name}: final DOM identical to one-shot`);
    // Held: what the first slice showed stays unchanged while the others are taken in, and the document grows
    // only by releases, each in a render of its own: after 24 held slices and the one that waits with them, or
    // at the end. (How many slices a burst takes depends on the machine's speed: the slices are timed.)
    const grewAt = (o: { shown: number[] }) => o.shown.flatMap((n, i) => (i > 0 && n !== o.shown[i - 1] ? [i] : []));
    assert.ok(held.shown[0] > 0 && held.renders > 4, `${held.renders} renders, first showed ${held.shown[0]} chars`);
    const steps = grewAt(held);
    // (The burst's last slice goes in directly when nothing is held just then: right after a release.)
    const last = held.shown.length - 1;
    assert.ok(steps.length === held.releases || (steps.length === held.releases + 1 && steps.at(-1) === last && steps.at(-2) === last - 1), `the document changed at renders ${steps.join(',')}, released ${held.releases} times, ${held.shown.length} renders`);
    assert.equal(steps[0], Math.min(26, held.shown.length - 1), `the first release came at render ${steps[0]}`);
    assert.ok([0, ...steps].every((i, k, a) => k === 0 || i - a[k - 1] <= 26), `the document grew at renders ${steps.join(',')}`);
    assert.ok(held.shown.at(-1)! > held.shown[0] * 10, 'all of it is in at the end');
    const { block } = r;
    assert.ok(block.renders > 3 && grewAt(block).length <= block.releases + 1, `one block: grew at ${grewAt(block).join(',')}, ${block.releases} releases`);
    // In view for one frame: that slice waits with the rest and they are put in by the next render; then held again.
    assert.ok(scrolled.releases >= 2, `${scrolled.releases} releases`);
    const grew = scrolled.shown.findIndex((n) => n > scrolled.shown[0]);
    assert.equal(grew, 7, `the held slices came in at render ${grew}`);
    // release(): the document shows what was held, a prefix, at once.
    assert.ok(released.shown[5] > released.shown[4], `release() mid-burst: ${released.shown[4]} → ${released.shown[5]}`);
  });

  it('long answers are placed in md-chunk and md-section wrappers by position, identically to one-shot, through rollbacks', async () => {
    const big = makeAnswer(60_000, 7) + '\n\n' + doc;
    for (const seed of [21, 22, 23]) {
      const rand = rng(seed);
      const r = await stream(tp, chunk(big, () => 1 + Math.floor(rand() * 400)), 1 + (seed % 3), seed % 2 === 0);
      assert.equal(r.incremental, r.oneShot);
      assert.equal(r.incrementalText, r.naiveText);
      const chunks = (r.incremental.match(/<div class="md-chunk">/g) ?? []).length;
      assert.ok(chunks > 16, `more chunks than a section holds: ${chunks}`);
      assert.ok((r.incremental.match(/<div class="md-section">/g) ?? []).length >= 2, 'several sections');
    }
    // setText rolling back across chunk boundaries (and forward again) stays exact.
    const res = await tp.page.evaluate((big) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      const md = new B.IncrementalMarkdown(el, { highlight: false });
      const same = (text: string) => {
        const ref = document.createElement('div');
        ref.append(B.renderOneShot(text, { highlight: false }));
        return el.innerHTML === ref.innerHTML;
      };
      const out: boolean[] = [];
      for (let i = 0; i < big.length; i += 997) {
        md.append(big.slice(i, i + 997));
        B.settle(md);
      }
      out.push(same(big));
      // Cuts before the reference definitions of `doc` (those apply to earlier blocks only once finished).
      for (const cut of [59_000, 20_000, 9_000, 300, 45_000]) {
        const text = big.slice(0, cut) + '\n\nReplaced **tail**\n';
        md.setText(text);
        B.settle(md);
        out.push(same(text));
      }
      md.setText(big);
      md.finish();
      B.settle(md);
      out.push(same(big));
      return out;
    }, big);
    assert.deepEqual(res, res.map(() => true));
  });

  it('a stream never takes a wrapper out of the answer: the unfinished block that starts a chunk is re-rendered into it', async () => {
    const r = await tp.page.evaluate(() => {
      const B = window.__difyBench;
      const text = Array.from({ length: 1200 }, (_, i) => `Paragraph ${i} with *some* text.`).join('\n\n');
      const el = document.createElement('div');
      document.body.append(el);
      const md = new B.IncrementalMarkdown(el, { highlight: false });
      const obs = new MutationObserver(() => undefined);
      obs.observe(el, { childList: true, subtree: true });
      const removed: string[] = [];
      const note = () => {
        for (const rec of obs.takeRecords()) for (const n of Array.from(rec.removedNodes)) if (n instanceof Element && n.matches('.md-chunk, .md-section')) removed.push(n.className);
      };
      for (let i = 0; i < text.length; i += 7) {
        md.append(text.slice(i, i + 7));
        md.render();
        note();
      }
      md.finish();
      B.settle(md);
      note();
      obs.disconnect();
      const ref = document.createElement('div');
      ref.append(B.renderOneShot(text, { highlight: false }));
      const out = { removed: removed.length, chunks: el.querySelectorAll('.md-chunk').length, same: el.innerHTML === ref.innerHTML };
      el.remove();
      return out;
    });
    // 1 200 paragraphs of 2 nodes each in 74 chunks (placed before, wrappers went out and back in 181 times).
    assert.deepEqual(r, { removed: 0, chunks: 74, same: true });
  });

  it('wrappers by position: the first 32 top-level nodes directly, then chunks of 32 nodes in sections of 16 chunks, in order', async () => {
    const r = await tp.page.evaluate(() => {
      const B = window.__difyBench;
      const text = Array.from({ length: 700 }, (_, i) => `Paragraph ${i}.`).join('\n\n');
      const root = document.createElement('div');
      root.append(B.renderOneShot(text, { highlight: false }));
      const kids = Array.from(root.childNodes);
      const direct = kids.slice(0, 32);
      const sections = kids.slice(32) as Element[];
      const unwrapped = [...direct, ...sections.flatMap((s) => Array.from(s.children).flatMap((c) => Array.from(c.childNodes)))];
      const flat = document.createElement('div');
      flat.innerHTML = B.naive(text);
      const texts = (nodes: Node[]) => nodes.map((n) => n.textContent).join('|');
      return {
        directUnwrapped: direct.every((n) => !(n instanceof Element) || n.tagName === 'P'),
        sections: sections.map((s) => s.className),
        chunksPerSection: sections.map((s) => s.childElementCount),
        chunkClasses: [...new Set(sections.flatMap((s) => Array.from(s.children).map((c) => c.className)))],
        nodesPerChunk: [...new Set(sections.flatMap((s) => Array.from(s.children).slice(0, -1).map((c) => c.childNodes.length)))],
        inOrder: unwrapped.length === flat.childNodes.length && texts(unwrapped) === texts(Array.from(flat.childNodes)),
      };
    });
    // 700 paragraphs, each a <p> and a newline: 1 400 nodes, 32 of them direct, 1 368 in 43 chunks (the last 24).
    assert.deepEqual(r, {
      directUnwrapped: true,
      sections: ['md-section', 'md-section', 'md-section'],
      chunksPerSection: [16, 16, 11],
      chunkClasses: ['md-chunk'],
      nodesPerChunk: [32],
      inOrder: true,
    });
  });

  it('adaptive frame budget: expensive renders skip frames (MAX_WAIT_MS of them at most, or RELAX × a render that costs more than a third of that), urgent flushes do not, the final DOM stays exact', async () => {
    const big = makeAnswer(30_000, 3);
    const r = await tp.page.evaluate((text) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      document.body.append(el);
      const md = new B.IncrementalMarkdown(el);
      let clock = 0;
      let frame: (() => void) | undefined;
      let extra = 4; // ms of simulated extra (repeated) work per render, e.g. a slow machine
      const sched = new B.FrameScheduler(
        () => {
          B.settle(md);
          const t = performance.now();
          while (performance.now() - t < extra);
        },
        (cb) => (frame = cb),
        () => clock,
        B.renderProgressMs,
      );
      const run = (f: () => void) => {
        const g = frame;
        frame = undefined;
        g?.();
        f();
      };
      let frames = 0;
      for (let i = 0; i < text.length; i += 60) {
        md.append(text.slice(i, i + 60));
        sched.schedule();
        clock += 1000 / 60;
        frames++;
        run(() => undefined);
      }
      const skippedExpensive = sched.stats.skipped;
      const rendersExpensive = md.stats.renders;
      // After a costly render the next frames are skipped, unless the schedule is urgent.
      extra = 25;
      md.append('\n\nmore');
      sched.schedule();
      sched.flushNow();
      md.append(' text');
      sched.schedule();
      clock += 1000 / 60;
      const before = md.stats.renders;
      run(() => undefined);
      const skippedAfterCostly = md.stats.renders === before;
      sched.schedule(true);
      clock += 1000 / 60;
      run(() => undefined);
      const urgentRendered = md.stats.renders === before + 1;
      // However costly the last render (25 ms × COST_FACTOR), the next one comes within MAX_WAIT_MS.
      const waitFrames = () => {
        md.append(' and');
        sched.schedule();
        let waited = 0;
        const r0 = md.stats.renders;
        while (md.stats.renders === r0 && waited < 400) {
          clock += 1000 / 60;
          waited++;
          run(() => undefined);
        }
        return waited;
      };
      const cappedFrames = waitFrames();
      // A render of 60 ms (a huge unfinished block) is followed RELAX × 60 ms later: the panel stays responsive.
      extra = 60;
      waitFrames();
      const relaxedFrames = waitFrames();
      extra = 0;
      md.finish();
      B.settle(md);
      const ref = document.createElement('div');
      ref.append(B.renderOneShot(text + '\n\nmore text and and and'));
      const same = el.innerHTML === ref.innerHTML;
      el.remove();
      return { frames, skippedExpensive, rendersExpensive, skippedAfterCostly, urgentRendered, cappedFrames, relaxedFrames, same };
    }, big);
    assert.equal(r.same, true);
    assert.equal(r.skippedAfterCostly, true);
    assert.equal(r.urgentRendered, true);
    const capped = Math.ceil(MAX_WAIT_MS / (1000 / 60));
    assert.ok(r.cappedFrames >= 2 && r.cappedFrames <= capped + 1, `the render after a costly one came ${r.cappedFrames} frames later`);
    const relaxed = (RELAX * 60) / (1000 / 60);
    // (At least RELAX × 60 ms; more when the busy machine stretched the 60 ms render.)
    assert.ok(r.relaxedFrames >= relaxed - 1 && r.relaxedFrames <= 3 * relaxed, `the render after a 60 ms one came ${r.relaxedFrames} frames later`);
    assert.ok(r.skippedExpensive > r.frames / 3, `frames skipped: ${r.skippedExpensive} of ${r.frames}`);
    assert.ok(r.rendersExpensive < r.frames * 0.7, `renders: ${r.rendersExpensive} of ${r.frames}`);
  });

  it('CRLF split across chunks and text replacement (setText) keep the DOM exact', async () => {
    const res = await tp.page.evaluate((text) => {
      const B = window.__difyBench;
      const el = document.createElement('div');
      const md = new B.IncrementalMarkdown(el, { highlight: true });
      const crlf = text.replace(/\n/g, '\r\n');
      for (let i = 0; i < crlf.length; i += 7) {
        md.append(crlf.slice(i, i + 7));
        B.settle(md);
      }
      md.finish();
      B.settle(md);
      const ref1 = document.createElement('div');
      ref1.append(B.renderOneShot(text));
      const first = el.innerHTML === ref1.innerHTML;
      // text_replace: a new answer sharing a prefix, then a shorter one.
      const replaced = text.slice(0, 400) + '\n\nReplaced **tail** 替换\n';
      md.setText(replaced);
      B.settle(md);
      md.finish();
      B.settle(md);
      const ref2 = document.createElement('div');
      ref2.append(B.renderOneShot(replaced));
      const second = el.innerHTML === ref2.innerHTML || el.innerHTML;
      md.setText('short');
      md.finish();
      B.settle(md);
      return { first, second, third: el.innerHTML };
    }, doc);
    assert.equal(res.first, true);
    assert.equal(res.second, true);
    assert.equal(res.third, '<p>short</p>\n');
  });
});
