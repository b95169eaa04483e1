// Warming the rendering pipeline up in idle time after the panel loads.
import { highlighter } from './highlighter';
import { IncrementalMarkdown, calibrateRenderCost, renderOneShot } from './incremental';

/**
 * Warm-up samples, one per idle callback: every block and inline kind a model answer uses (lexer rules,
 * the renderer and DOMPurify code paths are compiled and optimized on first use) and CJK
 * text (the first layout of CJK text looks up fallback fonts: 10–45 ms measured). Without them the first
 * frames of the first answer pay for all of it (a 50–100 ms first frame in the benchmark).
 */
const WARM_SAMPLES = [
  '# Title\n\n## 1. Overview\n\nSome *emphasis*, **strong**, `code`, [a link](https://example.com) and ~~del~~.\n\n---\n',
  '- item one\n- item `two`\n  - nested **item**\n\n1. first\n2. second\n   - nested\n\n> **Note:** quoted [text](https://e)\n',
  '| Setting | Default | 说明 |\n|---|---:|---|\n| `opt0` | 12 | 默认配置 |\n| `opt1` | 3 | text |\n',
  '这个函数会把输入拆分成若干块，并在每个块完成后立即渲染。在大多数情况下，默认配置已经足够；如果需要代理，请在设置中填写。',
  '```ts\nexport async function f(url: string): Promise<void> {\n  const r = await fetch(url);\n}\n```\n\n```python\ndef f(x):\n    return x\n```\n\n```\nplain\n```\n',
];

/**
 * Then all the samples, streamed through the incremental renderer (detached: no layout) this many times, one
 * per idle callback (~0.3–1 ms each). V8 optimizes the lexer's and the sanitizer's code once it has run
 * often: with only the samples above, the first 1 000-character slice of a long answer took 10–30 ms in the
 * benchmark's pages; after these repeats, 2–9 ms.
 */
const WARM_REPEATS = 40;
/** The last step renders this many copies of the samples at once (≈4 KB, a few ms) and times it. */
const CALIBRATION_COPIES = 4;

/** Warms the pipeline (lexer, sanitizer, first layout of each kind of block, CJK fonts) in idle time after
 * the panel loads, one small step per idle callback, and starts the highlight worker (which warms its
 * grammars up on its own thread). */
export function warmUp(schedule: (cb: () => void) => void = idle): void {
  highlighter.start();
  const samples = WARM_SAMPLES.slice();
  const all = WARM_SAMPLES.join('\n');
  let repeats = WARM_REPEATS;
  const next = () => {
    const sample = samples.shift();
    if (sample === undefined) {
      if (repeats-- <= 0) return;
      if (repeats === 0) {
        // The last one, with the code optimized, measures what rendering a long answer's slice costs per
        // character (a few kilobytes at once, the same pipeline: the fixed cost of a render weighs little).
        const text = Array(CALIBRATION_COPIES).fill(all).join('\n');
        const t0 = performance.now();
        renderOneShot(text, { highlight: false });
        calibrateRenderCost(performance.now() - t0, text.length);
        return;
      }
      const md = new IncrementalMarkdown(document.createElement('div'), { highlight: false });
      md.append(all.slice(0, all.length >> 1));
      md.render();
      md.append(all.slice(all.length >> 1));
      md.finish();
      schedule(next);
      return;
    }
    const host = document.createElement('div');
    host.className = 'markdown md-warmup';
    host.setAttribute('aria-hidden', 'true');
    // Rendered twice: the second pass runs the code the first one compiled (closer to a frame's cost).
    renderOneShot(sample);
    host.append(renderOneShot(sample));
    (document.body ?? document.documentElement).append(host);
    void host.offsetHeight;
    host.remove();
    schedule(next);
  };
  schedule(next);
}

function idle(cb: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => cb(), { timeout: 2000 });
  else setTimeout(cb, 50);
}
