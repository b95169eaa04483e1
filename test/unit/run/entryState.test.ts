import * as assert from 'node:assert/strict';
import { PatchBatcher } from '../../../src/panel/patchBatcher';
import type { EntryPatch, EntryView } from '../../../src/protocol';
import { EntryState } from '../../../src/run/entryState';
import { mergePatch } from '../../../src/shared/entry';
import type { HumanInputForm } from '../../../src/shared/model';

const entry = (): EntryView => ({ id: 'e1', app: 'a', question: 'q', answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'running', startedAt: 0, canReplaceSelection: false });

/** Applies patches the way the webview does. */
function applyPatch(view: { answer: string; thinking: string }, p: EntryPatch): void {
  if (p.answer !== undefined) view.answer = p.answer;
  if (p.answerAppend) view.answer += p.answerAppend;
  if (p.thinkingAppend) view.thinking += p.thinkingAppend;
}

describe('EntryState', () => {
  it('splits think tags, collapses thinking when the answer starts, and applies replaces', () => {
    const s = new EntryState(entry());
    const patches = ['<thi', 'nk>plan', '</think>', '\n', 'Hello', ' world'].map((text) => s.apply({ type: 'answer', text })).filter(Boolean) as EntryPatch[];
    assert.equal(s.entry.thinking, 'plan');
    assert.equal(s.entry.answer, 'Hello world', 'the blank line after the think block is not part of the answer');
    assert.equal(patches.find((p) => p.thinkingDone)?.answerAppend, 'Hello');
    s.apply({ type: 'answerReplace', text: '<think>x</think>moderated' });
    assert.equal(s.entry.answer, 'moderated');
  });

  it('shows workflow outputs, except one that only repeats the streamed answer', () => {
    const s = new EntryState(entry());
    s.apply({ type: 'answer', text: '<think>hm</think>\n# Title\nBody' });
    assert.equal(s.apply({ type: 'outputs', outputs: { text: '<think>hm</think>\n# Title\nBody\n' } }), undefined);
    assert.equal(s.entry.outputs, undefined);
    const p = s.apply({ type: 'outputs', outputs: { text: '# Title\nBody', score: 0.9, summary: 'other' } });
    assert.deepEqual(p?.outputs, { score: 0.9, summary: 'other' });
    const silent = new EntryState(entry());
    assert.deepEqual(silent.apply({ type: 'outputs', outputs: { result: 'only output' } })?.outputs, { result: 'only output' }, 'a workflow that streamed no text shows its outputs');
  });

  it('upserts trace nodes and keeps their order', () => {
    const s = new EntryState(entry());
    s.apply({ type: 'node', node: { id: 'n1', kind: 'llm', title: 'LLM', status: 'running' } });
    s.apply({ type: 'node', node: { id: 'n2', kind: 'code', title: 'Code', status: 'running' } });
    s.apply({ type: 'node', node: { id: 'n1', kind: 'llm', title: 'LLM', status: 'succeeded', elapsedSeconds: 1.5 } });
    assert.deepEqual(s.entry.nodes.map((n) => [n.id, n.status]), [['n1', 'succeeded'], ['n2', 'running']]);
  });

  it('merged patches give the same view as applying each patch', () => {
    const s = new EntryState(entry());
    const events = ['a', 'b', '<think>t</think>', 'c'].map((text) => ({ type: 'answer' as const, text }));
    const each = { answer: '', thinking: '' };
    let merged: EntryPatch = { id: 'e1' };
    const all: EntryPatch[] = [];
    for (const ev of events) {
      const p = s.apply(ev);
      if (p) all.push(p);
    }
    all.push(s.apply({ type: 'answerReplace', text: 'R' })!);
    all.push(s.apply({ type: 'answer', text: 'S' })!);
    for (const p of all) {
      applyPatch(each, p);
      merged = mergePatch(merged, structuredClone(p));
    }
    const once = { answer: '', thinking: '' };
    applyPatch(once, merged);
    assert.deepEqual(once, each);
  });
});

describe('PatchBatcher', () => {
  it('coalesces a fast stream into few messages and delivers the end at once', async () => {
    const sent: EntryPatch[] = [];
    const b = new PatchBatcher((p) => sent.push(p), 20);
    for (let i = 0; i < 1000; i++) b.push({ id: 'e1', answerAppend: 'x' });
    assert.equal(sent.length, 1, 'only the first text went out at once');
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sent.length, 2);
    assert.equal(sent[1].answerAppend, 'x'.repeat(999));
    b.push({ id: 'e1', answerAppend: 'y' });
    b.push({ id: 'e1', status: 'succeeded' });
    assert.equal(sent.length, 3);
    assert.deepEqual(sent[2], { id: 'e1', answerAppend: 'y', status: 'succeeded', nodes: undefined });
    b.dispose();
  });

  it('sends the first text of a run at once, with what was batched before it, and batches what follows', async () => {
    const sent: EntryPatch[] = [];
    const b = new PatchBatcher((p) => sent.push(p), 20);
    b.push({ id: 'e1', conversationId: 'c1' });
    assert.equal(sent.length, 0, 'no text yet: batched');
    b.push({ id: 'e1', thinkingAppend: '想一想' });
    assert.deepEqual(sent.slice(), [{ id: 'e1', conversationId: 'c1', thinkingAppend: '想一想', nodes: undefined }], 'the first text (thinking counts) goes without waiting');
    b.push({ id: 'e1', answerAppend: 'Hello' });
    assert.equal(sent.length, 1, 'later text of a run waits for the interval');
    b.push({ id: 'e2', answerAppend: '第二个' });
    assert.deepEqual(sent.slice(1).map((p) => [p.id, p.answerAppend]), [['e1', 'Hello'], ['e2', '第二个']], "another run's first text goes at once too, what was pending with it");
    b.push({ id: 'e1', answerAppend: ' world' });
    assert.equal(sent.length, 3);
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sent.at(-1)?.answerAppend, ' world');
    // A run that ended and a new run reusing nothing: the next run's first text is again at once.
    b.push({ id: 'e1', status: 'succeeded' });
    const before = sent.length;
    b.push({ id: 'e3', answer: 'replaced at once' });
    assert.equal(sent.length, before + 1);
    b.dispose();
  });

  describe('forms (Human Input)', () => {
    const form = (over: Partial<HumanInputForm> = {}): HumanInputForm => ({
      nodeId: 'review', title: '审批 Review', token: 'tok-1', content: 'Note: {{#$output.note#}}', fields: [{ kind: 'paragraph', name: 'note' }],
      actions: [{ id: 'yes', title: 'Yes', style: 'primary' }], ...over,
    });

    it('a waiting form is kept with the entry; one without a token waits elsewhere', () => {
      const s = new EntryState(entry());
      const p = s.apply({ type: 'form', form: form() });
      assert.equal(p?.forms?.[0].state, 'waiting');
      s.apply({ type: 'form', form: form({ nodeId: 'mail', token: undefined, channels: ['email'] }) });
      assert.deepEqual(s.entry.forms?.map((f) => [f.nodeId, f.state]), [['review', 'waiting'], ['mail', 'elsewhere']]);
    });

    it('answered and timed-out events settle the node\'s form; a snapshot\'s replay of an answered form keeps it answered', () => {
      const s = new EntryState(entry());
      s.apply({ type: 'form', form: form() });
      s.apply({ type: 'formAnswered', nodeId: 'review', actionId: 'yes', actionText: 'Yes', content: 'Note: 好的' });
      assert.deepEqual(s.entry.forms?.[0].answer, { actionId: 'yes', actionText: 'Yes', content: 'Note: 好的' });
      assert.equal(s.apply({ type: 'form', form: form() })?.forms?.[0].state, 'answered', 'the same token again');
      // The node pauses again (a loop): a new token is a new form.
      assert.equal(s.apply({ type: 'form', form: form({ token: 'tok-2' }) })?.forms?.[0].state, 'waiting');
      s.apply({ type: 'formTimedOut', nodeId: 'review' });
      assert.equal(s.entry.forms?.[0].state, 'timedOut');
      // A node never seen as waiting (answered before this window followed the run) is added settled.
      s.apply({ type: 'formAnswered', nodeId: 'other', title: 'Other', actionText: 'No' });
      assert.deepEqual(s.entry.forms?.map((f) => [f.nodeId, f.state]), [['review', 'timedOut'], ['other', 'answered']]);
    });

    it('keeps at most 20 forms, letting the oldest settled ones go first', () => {
      const s = new EntryState(entry());
      for (let i = 0; i < 25; i++) {
        s.apply({ type: 'form', form: form({ nodeId: `n${i}`, token: `t${i}` }) });
        if (i > 0) s.apply({ type: 'formAnswered', nodeId: `n${i}` });
      }
      assert.equal(s.entry.forms?.length, 20);
      assert.equal(s.entry.forms?.[0].nodeId, 'n0', 'the waiting one stays');
      assert.equal(s.entry.forms?.at(-1)?.nodeId, 'n24');
    });
  });
});
