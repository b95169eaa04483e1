// The real panel bundle streaming answers made of one huge block (a log paragraph, a list, a table, a code block,
// 200 nested blockquotes or lists) the way the host sends them: a patch per animation frame, then the run's end.
// Frame by frame: the answer's text on screen never shrinks, the view never moves up the answer, "Succeeded" and
// Copy appear in the frame the whole text does, and that frame comes within a bounded number of frames of the end
// (counted in frames, generous for a loaded 2-core machine: the renderer used to fall minutes behind).
import assert from 'node:assert/strict';
import { SHAPES, renderedLength, shapedAnswer } from '../../bench/render/shapes';
import type { PanelState } from '../../src/protocol';
import { entryView, pagePerTest, panelDriver } from './harness';

function state(): PanelState {
  return { apps: [{ name: 'Log Dump', mode: 'workflow', server: 'https://api.dify.ai/v1', provider: 'dify' }], selectedApp: 'Log Dump', entries: [], running: false };
}

interface Streamed {
  /** Frames in which the answer's text was shorter than in the frame before. */
  shrinks: number;
  /** Frames in which the view had moved up the answer (more than 50 px) though nobody scrolled. */
  jumps: number;
  /** Frames from the run's end to the whole text on screen. */
  framesToComplete: number;
  /** Frames in which "Succeeded" or Copy was shown before all of the text. */
  early: number;
  /** Whether "Succeeded" and Copy were shown in the frame the text was complete (or the next). */
  withText: boolean;
  textLength: number;
  expectedLength: number;
}

describe('long answers in the panel: no flicker, no jump, done when the text is', function () {
  this.timeout(180_000);
  const tp = pagePerTest();
  const { init, send } = panelDriver(tp, state);

  /** Streams `answer` in `perFrame`-character patches, one per frame, then ends the run; measures every frame. */
  const stream = async (answer: string, perFrame: number): Promise<Streamed> => {
    const expectedLength = renderedLength(answer);
    await init();
    await send({ type: 'entryAdded', entry: entryView({ id: 'e1', app: 'Log Dump', answer: '', status: 'running' }) });
    return tp.page.evaluate(
      ({ answer, perFrame, expectedLength }) =>
        new Promise<Streamed>((resolve) => {
          const sc = document.querySelector('.scroller') as HTMLElement;
          const entry = () => document.querySelector('.entry[data-entry-id="e1"]') as HTMLElement;
          let sent = 0;
          let ended = -1;
          let frame = 0;
          let lastLen = 0;
          let lastWithin = -Infinity;
          let completeAt = -1;
          let doneAt = -1;
          const out = { shrinks: 0, jumps: 0, early: 0 };
          const tick = () => {
            frame++;
            const a = entry().querySelector('.answer')!;
            // The text, but code blocks' headers (their language and buttons).
            let len = a.textContent!.length;
            for (const h of Array.from(a.querySelectorAll('.code-header'))) len -= h.textContent!.length;
            // How far down the answer the view is (content above the answer changing height moves both).
            const within = (a as HTMLElement).hidden ? lastWithin : sc.getBoundingClientRect().top - a.getBoundingClientRect().top;
            if (len < lastLen) out.shrinks++;
            if (within < lastWithin - 50) {
              out.jumps++;
              (window as unknown as { __jumps: string[] }).__jumps ??= [];
              (window as unknown as { __jumps: string[] }).__jumps.push(`frame ${frame}: ${lastWithin} → ${within}, scrollTop ${sc.scrollTop}, height ${sc.scrollHeight}, client ${sc.clientHeight}, len ${len}, sent ${sent}`);
            }
            lastLen = len;
            lastWithin = within;
            const succeeded = /Succeeded/.test(entry().querySelector('.status')!.textContent ?? '');
            const copy = !!entry().querySelector('.answer-actions button[aria-label="Copy"]');
            const complete = len >= expectedLength;
            if (!complete && (succeeded || copy)) out.early++;
            if (complete && completeAt < 0) completeAt = frame;
            if (succeeded && copy && doneAt < 0) doneAt = frame;
            if (sent < answer.length) {
              const delta = answer.slice(sent, sent + perFrame);
              sent += delta.length;
              window.postMessage({ type: 'entryPatch', patch: { id: 'e1', answerAppend: delta } }, '*');
            } else if (ended < 0) {
              ended = frame;
              window.postMessage({ type: 'entryPatch', patch: { id: 'e1', status: 'succeeded' } }, '*');
            }
            if ((completeAt > 0 && doneAt > 0) || frame > 20_000) {
              resolve({ ...out, framesToComplete: completeAt - ended, withText: doneAt >= completeAt && doneAt <= completeAt + 1, textLength: len, expectedLength });
              return;
            }
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        }),
      { answer, perFrame, expectedLength },
    );
  };

  for (const shape of SHAPES) {
    it(`${shape}: streamed a patch per frame — no shrinking, no jump, done with the text, within 90 frames of the end`, async () => {
      // About 400 KB/s, as 4-character chunks from a fast server reach the panel (the host sends ≤ 60 patches/s).
      const answer = shapedAnswer(shape, 400_000);
      const r = await stream(answer, 7000);
      if (process.env.LONG_ANSWERS_DEBUG) console.log(`      ${shape}: ${JSON.stringify(r)}`);
      assert.equal(r.textLength, r.expectedLength, 'the whole text is shown');
      assert.equal(r.shrinks, 0, 'frames in which the answer showed less text than before');
      assert.equal(r.jumps, 0, `frames in which the view moved up the answer: ${await tp.page.evaluate(() => (window as unknown as { __jumps: string[] }).__jumps?.join('; '))}`);
      assert.equal(r.early, 0, 'frames with "Succeeded" or Copy before the whole text');
      assert.ok(r.withText, '"Succeeded" and Copy come with the text');
      assert.ok(r.framesToComplete <= 90, `the text was complete ${r.framesToComplete} frames after the end`);
    });
  }

  it('an answer that arrives whole (a fast local server): "Succeeded" and Copy wait for its text, then come with it', async () => {
    const answer = shapedAnswer('paragraph', 400_000);
    const r = await stream(answer, answer.length);
    assert.equal(r.early, 0, 'frames with "Succeeded" or Copy before the whole text');
    assert.ok(r.withText, '"Succeeded" and Copy come with the text');
    assert.equal(r.shrinks, 0);
    assert.ok(r.framesToComplete <= 90, `the text was complete ${r.framesToComplete} frames after the end`);
  });
});
