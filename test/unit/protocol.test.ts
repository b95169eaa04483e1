import * as assert from 'node:assert/strict';
import { isOpenableLink, parseWebviewMessage } from '../../src/protocol';

describe('webview → host messages', () => {
  it('accepts well-formed messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'send', text: 'hi', app: 'A' }), { type: 'send', text: 'hi', app: 'A' });
    assert.deepEqual(parseWebviewMessage({ type: 'stop', extra: 'ignored' }), { type: 'stop' });
    assert.deepEqual(parseWebviewMessage({ type: 'errorAction', id: 'e1', action: 'setApiKey' }), { type: 'errorAction', id: 'e1', action: 'setApiKey' });
  });

  it('drops malformed, unknown or oversized messages', () => {
    for (const bad of [null, 'send', 42, {}, { type: 'eval', code: 'x' }, { type: 'send' }, { type: 'send', text: 1 }, { type: 'insert', text: 'x'.repeat(1_000_001) },
      { type: 'retry', id: {} }, { type: 'errorAction', id: 'e', action: 'runCommand' }, { type: 'openLink', href: 7 }, { type: '__proto__' }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 60));
    }
  });

  it('takes the compact form\'s values only as a bounded flat record of text and booleans', () => {
    const ok = { type: 'send', text: '', app: 'A', inputs: { topic: 'x', strict: false, ['__proto__']: 'kept as a key' } };
    const parsed = parseWebviewMessage(JSON.parse(JSON.stringify(ok)));
    assert.equal(parsed?.type, 'send');
    const inputs = (parsed as { inputs: Record<string, unknown> }).inputs;
    assert.equal(inputs.topic, 'x');
    assert.equal(inputs.strict, false);
    assert.equal(Object.getPrototypeOf(inputs), Object.prototype, 'a __proto__ key does not change the prototype');
    for (const bad of [[], null, 'x', { a: 1 }, { a: { b: 'c' } }, { a: ['x'] }, { ['k'.repeat(201)]: 'v' }, { a: 'x'.repeat(1_000_001) },
      Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, 'v']))]) {
      assert.equal(parseWebviewMessage({ type: 'send', text: 'hi', inputs: bad }), undefined, JSON.stringify(bad)?.slice(0, 60));
    }
    assert.deepEqual(parseWebviewMessage({ type: 'pickFiles', app: 'A', variable: 'doc' }), { type: 'pickFiles', app: 'A', variable: 'doc' });
    assert.deepEqual(parseWebviewMessage({ type: 'clearFiles', app: 'A', variable: 'doc', x: 1 }), { type: 'clearFiles', app: 'A', variable: 'doc' });
    assert.equal(parseWebviewMessage({ type: 'pickFiles', app: 'A' }), undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'selectApp', app: 'A', pick: 1764800000123 }), { type: 'selectApp', app: 'A', pick: 1764800000123 });
    for (const pick of ['1', 1.5, Infinity, Number.MAX_VALUE, null, undefined])
      assert.deepEqual(parseWebviewMessage({ type: 'selectApp', app: 'A', pick }), { type: 'selectApp', app: 'A' }, String(pick));
  });

  it('opens only http(s) links', () => {
    for (const ok of ['https://dify.ai/docs', 'http://localhost:3000/x?y=1']) assert.equal(isOpenableLink(ok), true, ok);
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'command:workbench.action.quit', 'command:dify.addApp?%5B%5D', 'data:text/html,x', 'file:///etc/passwd', 'vscode://x', 'vbscript:x', '//evil.example', 'not a url', ''])
      assert.equal(isOpenableLink(bad), false, bad);
  });
});
