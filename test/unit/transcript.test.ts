// A language-model request's transcript as one Dify question, and the conversation that continues it.
import * as assert from 'node:assert/strict';
import { approximateTokens, Conversations } from '../../src/app/transcript';

describe('transcript: language-model requests as Dify turns', () => {
  it('a first request is its question; the next one repeating the history continues that conversation', () => {
    const c = new Conversations();
    const first = c.turn('Helper', [{ role: 'user', text: 'How do I deploy?' }]);
    assert.deepEqual({ query: first.query, conversationId: first.conversationId }, { query: 'How do I deploy?', conversationId: undefined });
    c.remember(first.next('Use docker.'), 'conv-1');
    const second = c.turn('Helper', [
      { role: 'user', text: 'How do I deploy?' },
      { role: 'assistant', text: 'Use docker.' },
      { role: 'user', text: 'And then?' },
    ]);
    assert.deepEqual({ query: second.query, conversationId: second.conversationId }, { query: 'And then?', conversationId: 'conv-1' });
  });

  it('a history this window did not run (another model, an edited turn, another app) goes along as context', () => {
    const c = new Conversations();
    const t = c.turn('Helper', [{ role: 'user', text: 'q1' }]);
    c.remember(t.next('a1'), 'conv-1');
    const edited = c.turn('Helper', [
      { role: 'system', text: 'Be brief.' },
      { role: 'user', text: 'q1' },
      { role: 'assistant', text: 'a1, edited' },
      { role: 'user', text: 'q2' },
    ]);
    assert.equal(edited.conversationId, undefined);
    assert.equal(edited.query, 'Be brief.\n\nUser: q1\n\nAssistant: a1, edited\n\nUser: q2');
    assert.equal(c.turn('Other', [{ role: 'user', text: 'q1' }, { role: 'assistant', text: 'a1' }, { role: 'user', text: 'q2' }]).conversationId, undefined);
  });

  it('counts tokens roughly: a CJK character about one, other text about four characters each', () => {
    assert.equal(approximateTokens(''), 0);
    assert.equal(approximateTokens('abcdefgh'), 2);
    assert.equal(approximateTokens('中文'), 2);
    assert.equal(approximateTokens('中文 and English text'), 2 + Math.ceil(' and English text'.length / 4));
  });
});
