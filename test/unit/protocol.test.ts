import * as assert from 'node:assert/strict';
import { isOpenableLink, parseWebviewMessage } from '../../src/protocol';
import { codeOf } from '../../src/webview/markdown/answerCode';

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

  it('a rating is like, dislike or null with a bounded comment; Apply names its target and a bounded fence info', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'rate', id: 'e1', rating: 'like' }), { type: 'rate', id: 'e1', rating: 'like' });
    assert.deepEqual(parseWebviewMessage({ type: 'rate', id: 'e1', rating: null }), { type: 'rate', id: 'e1', rating: null });
    assert.deepEqual(parseWebviewMessage({ type: 'rate', id: 'e1', rating: 'dislike', content: '太慢' }), { type: 'rate', id: 'e1', rating: 'dislike', content: '太慢' });
    for (const bad of [{ rating: 'love' }, { rating: undefined }, { rating: 'like', content: 5 }, { rating: 'like', content: 'x'.repeat(10_001) }, { rating: 'like', id: {} }]) {
      assert.equal(parseWebviewMessage({ type: 'rate', id: 'e1', ...bad }), undefined, JSON.stringify(bad).slice(0, 60));
    }
    assert.deepEqual(parseWebviewMessage({ type: 'applyCode', id: 'e1', text: 'x', target: 'file', info: 'ts a.ts' }), { type: 'applyCode', id: 'e1', text: 'x', target: 'file', info: 'ts a.ts' });
    assert.deepEqual(parseWebviewMessage({ type: 'applyCode', id: 'e1', text: 'x', target: 'selection' }), { type: 'applyCode', id: 'e1', text: 'x', target: 'selection' });
    for (const bad of [{ target: 'workspace' }, { target: 'file', info: 'x'.repeat(301) }, { target: 'file', text: 1 }]) {
      assert.equal(parseWebviewMessage({ type: 'applyCode', id: 'e1', text: 'x', ...bad }), undefined, JSON.stringify(bad).slice(0, 60));
    }
  });

  it('answers to a form: an entry, a node, an action and a bounded flat record of text values; file picks by field', () => {
    const ok = { type: 'answerForm', id: 'e1', nodeId: 'review', action: 'approve', values: { comment: '好的 👍', channel: 'beta', ['__proto__']: 'kept as a key' } };
    const parsed = parseWebviewMessage(JSON.parse(JSON.stringify(ok)));
    assert.equal(parsed?.type, 'answerForm');
    const values = (parsed as { values: Record<string, string> }).values;
    assert.equal(values.comment, '好的 👍');
    assert.equal(Object.getPrototypeOf(values), Object.prototype, 'a __proto__ key does not change the prototype');
    for (const bad of [
      { ...ok, values: undefined }, { ...ok, values: [] }, { ...ok, values: { a: 1 } }, { ...ok, values: { a: true } }, { ...ok, values: { a: ['x'] } },
      { ...ok, values: { a: 'x'.repeat(100_001) } }, { ...ok, values: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, 'v'])) },
      { ...ok, id: 7 }, { ...ok, nodeId: undefined }, { ...ok, action: 'a'.repeat(201) }, { ...ok, values: { ['k'.repeat(201)]: 'v' } },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
    assert.deepEqual(parseWebviewMessage({ type: 'pickFormFiles', id: 'e1', nodeId: 'n', name: 'logs', extra: 1 }), { type: 'pickFormFiles', id: 'e1', nodeId: 'n', name: 'logs' });
    assert.deepEqual(parseWebviewMessage({ type: 'clearFormFiles', id: 'e1', nodeId: 'n', name: 'logs' }), { type: 'clearFormFiles', id: 'e1', nodeId: 'n', name: 'logs' });
    for (const bad of [{ type: 'pickFormFiles', id: 'e1', nodeId: 'n' }, { type: 'clearFormFiles', id: 'e1', name: 'x' }, { type: 'pickFormFiles', id: 'e1', nodeId: 'n', name: 'x'.repeat(201) }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('conversation list messages: a page after a bounded id, and only the three actions', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'listConversations' }), { type: 'listConversations' });
    assert.deepEqual(parseWebviewMessage({ type: 'listConversations', lastId: 'c-20' }), { type: 'listConversations', lastId: 'c-20' });
    for (const lastId of [7, null, 'x'.repeat(201)]) assert.equal(parseWebviewMessage({ type: 'listConversations', lastId }), undefined, String(lastId));
    for (const action of ['rename', 'delete', 'export'] as const) {
      assert.deepEqual(parseWebviewMessage({ type: 'conversationAction', action, conversationId: 'c1', name: 'ignored' }), { type: 'conversationAction', action, conversationId: 'c1' });
    }
    for (const bad of [{ action: 'resume', conversationId: 'c1' }, { action: 'delete' }, { action: 'delete', conversationId: 'x'.repeat(201) }, { action: 'runCommand', conversationId: 'c1' }]) {
      assert.equal(parseWebviewMessage({ type: 'conversationAction', ...bad }), undefined, JSON.stringify(bad).slice(0, 60));
    }
  });

  it('opens only http(s) links', () => {
    for (const ok of ['https://dify.ai/docs', 'http://localhost:3000/x?y=1']) assert.equal(isOpenableLink(ok), true, ok);
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'command:workbench.action.quit', 'command:dify.addApp?%5B%5D', 'data:text/html,x', 'file:///etc/passwd', 'vscode://x', 'vbscript:x', '//evil.example', 'not a url', ''])
      assert.equal(isOpenableLink(bad), false, bad);
  });

  it('Replace Selection carries the text the panel shows (a bounded string), never just an id', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'replaceSelection', id: 'e1', text: 'Done.' }), { type: 'replaceSelection', id: 'e1', text: 'Done.' });
    assert.deepEqual(parseWebviewMessage({ type: 'replaceSelection', id: 'e1', text: '' }), { type: 'replaceSelection', id: 'e1', text: '' });
    for (const bad of [{ id: 'e1' }, { id: 'e1', text: 5 }, { id: 'e1', text: 'x'.repeat(1_000_001) }, { text: 'x' }, { id: 'e'.repeat(201), text: 'x' }])
      assert.equal(parseWebviewMessage({ type: 'replaceSelection', ...bad }), undefined, JSON.stringify(bad).slice(0, 60));
  });

  it('asks the host for http(s) images only, with a bounded URL and whether the person clicked', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'loadImage', url: 'https://x.example/p.png?d=1', userAsked: true }), { type: 'loadImage', url: 'https://x.example/p.png?d=1', userAsked: true });
    assert.deepEqual(parseWebviewMessage({ type: 'loadImage', url: 'http://localhost:3000/a.svg', userAsked: false, extra: 1 }), { type: 'loadImage', url: 'http://localhost:3000/a.svg', userAsked: false });
    for (const bad of [
      { url: 'file:///etc/passwd', userAsked: true }, { url: 'data:image/png;base64,AA', userAsked: true }, { url: 'javascript:alert(1)', userAsked: true },
      { url: '/relative.png', userAsked: true }, { url: 'https://x.example/' + 'a'.repeat(8192), userAsked: true }, { url: 'https://x.example/a.png' },
      { url: 'https://x.example/a.png', userAsked: 'yes' }, { url: 7, userAsked: true },
    ]) assert.equal(parseWebviewMessage({ type: 'loadImage', ...bad }), undefined, JSON.stringify(bad).slice(0, 60));
  });

  it('Replace Selection takes the code of an answer that is one fenced block, else the whole text', () => {
    assert.equal(codeOf('Here:\n\n```ts\nconst a = 1;\n```\n\nDone.'), 'const a = 1;');
    assert.equal(codeOf('  just text  \n'), 'just text');
    assert.equal(codeOf('```a\nx\n```\n\n```b\ny\n```'), '```a\nx\n```\n\n```b\ny\n```');
  });
});
