// A chat transcript as a language-model request sends it (the whole history, every time) turned into one Dify
// question, and the Dify conversation that continues it. Dify keeps its own history per conversation, so a request
// whose earlier turns are a conversation this window already ran sends only its new question; any other request
// starts a conversation with the earlier turns folded into the question as context. Pure: no `vscode`.
import { createHash } from 'node:crypto';

export interface TranscriptMessage {
  role: 'user' | 'assistant' | 'system';
  text: string;
}

/** What one request becomes. */
export interface TranscriptTurn {
  /** The question to send. */
  query: string;
  /** The Dify conversation to continue, when the earlier turns are one of ours. */
  conversationId?: string;
  /** The key under which the conversation continues after this turn's answer (see `remember`). */
  next(answer: string): string;
}

/** How many transcripts are remembered (a window rarely keeps more open). */
const MAX_REMEMBERED = 200;

export class Conversations {
  private readonly byHistory = new Map<string, string>();

  /** The turn for `messages` sent to `model`: the last user message, and the conversation its history continues. */
  turn(model: string, messages: readonly TranscriptMessage[]): TranscriptTurn {
    const lastUser = findLastIndex(messages, (m) => m.role === 'user');
    const earlier = lastUser < 0 ? messages : messages.slice(0, lastUser);
    const question = lastUser < 0 ? '' : messages[lastUser].text;
    const conversationId = earlier.length ? this.byHistory.get(keyOf(model, earlier)) : undefined;
    const query = conversationId ? question : foldedQuestion(earlier, question);
    const upToQuestion = lastUser < 0 ? messages : messages.slice(0, lastUser + 1);
    return {
      query,
      conversationId,
      next: (answer) => keyOf(model, [...upToQuestion, { role: 'assistant', text: answer }]),
    };
  }

  /** The conversation a turn ran in, found again when the next request repeats this history. */
  remember(key: string, conversationId: string): void {
    this.byHistory.delete(key);
    this.byHistory.set(key, conversationId);
    if (this.byHistory.size > MAX_REMEMBERED) this.byHistory.delete(this.byHistory.keys().next().value!);
  }
}

/** The question with what came before it: system instructions first, then the turns, labelled. */
function foldedQuestion(earlier: readonly TranscriptMessage[], question: string): string {
  if (!earlier.length) return question;
  const system = earlier.filter((m) => m.role === 'system').map((m) => m.text.trim()).filter(Boolean);
  const turns = earlier.filter((m) => m.role !== 'system' && m.text.trim());
  const parts: string[] = [];
  if (system.length) parts.push(system.join('\n\n'));
  if (turns.length) parts.push(turns.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.text.trim()}`).join('\n\n'));
  parts.push(turns.length ? `User: ${question}` : question);
  return parts.join('\n\n');
}

function keyOf(model: string, messages: readonly TranscriptMessage[]): string {
  const h = createHash('sha256').update(model);
  for (const m of messages) h.update(`\u0000${m.role}\u0000${m.text.trim()}`);
  return h.digest('base64');
}

function findLastIndex<T>(xs: readonly T[], p: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i])) return i;
  return -1;
}

/** A rough token count for a text: a CJK character is about one token, other text about four characters each. */
export function approximateTokens(text: string): number {
  let cjk = 0;
  for (const ch of text) if (/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/.test(ch)) cjk++;
  return cjk + Math.ceil((text.length - cjk) / 4);
}
