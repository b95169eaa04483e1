// The highlight worker's output (src/webview/markdown/grammars.ts) in plain Node: highlight.js's HTML turned
// into DOM-building steps whose text is exactly the code, markup in the code staying text.
import * as assert from 'node:assert/strict';
import { highlightCode, tokensOf } from '../../src/webview/markdown/grammars';
import type { HighlightTokens } from '../../src/webview/markdown/highlightProtocol';

/** The text the steps put on the page, and the span nesting they describe (checked balanced). */
function textOf(t: HighlightTokens): string {
  let depth = 0;
  let out = '';
  for (const op of t.ops) {
    if (typeof op === 'string') out += op;
    else if (op >= 0) {
      assert.ok(typeof t.classes[op] === 'string');
      depth++;
    } else depth--;
    assert.ok(depth >= 0);
  }
  assert.equal(depth, 0);
  return out;
}

describe('highlight tokens (worker output)', () => {
  it('the steps carry exactly the code, with markup and entities in it as text', () => {
    const code = 'const s = "<script>alert(1)</script>" && a < b > c; // &amp; \'q\' <img src=x onerror=alert(1)>\n';
    const r = highlightCode({ id: 7, text: code, lang: 'typescript', auto: false });
    assert.equal(r.id, 7);
    assert.equal(r.lang, 'typescript');
    assert.ok(r.tokens);
    assert.equal(textOf(r.tokens), code);
    assert.ok(r.tokens.classes.some((c) => c.startsWith('hljs-')));
    // Nothing that looks like a tag reaches a step's class name.
    assert.ok(r.tokens.classes.every((c) => /^[\w .-]+$/.test(c)));
  });

  it('detects the language of a block without one, or leaves it plain', () => {
    const py = 'def area(r: float) -> float:\n    """Area."""\n    import math\n    return math.pi * r ** 2\n';
    const r = highlightCode({ id: 1, text: py, lang: '', auto: true });
    assert.equal(r.lang, 'python');
    assert.equal(textOf(r.tokens!), py);
    assert.equal(highlightCode({ id: 2, text: py, lang: '', auto: false }).tokens, null, 'no detection while streaming');
    assert.equal(highlightCode({ id: 3, text: 'x', lang: 'cobol', auto: true }).tokens, null, 'an unknown language stays plain');
  });

  it('refuses HTML that is not highlight.js\'s shape (stays plain rather than shown wrong)', () => {
    assert.deepEqual(tokensOf('<span class="hljs-keyword">const</span> a &lt; b'), { ops: [0, 'const', -1, ' a < b'], classes: ['hljs-keyword'] });
    assert.equal(tokensOf('<b>x</b>'), null);
    assert.equal(tokensOf('<span class="a" onclick="x">y</span>'), null);
    assert.equal(tokensOf('<span class="a">unclosed'), null);
    assert.equal(tokensOf('a &nbsp; b'), null);
    assert.equal(tokensOf('a > b'), null);
  });
});
