// Splits a streamed answer into "thinking" and "answer" as reasoning models emit it inline:
// qwen3 / deepseek-r1 via Ollama write `<think>…</think>` (tags may be split across chunks), and some
// templates drop the opening tag and only close it. Chunks in, deltas out; no regex over the whole text.

export interface SplitDelta {
  answer: string;
  thinking: string;
  /** Set when text already sent as answer turned out to be thinking (a lone `</think>`). */
  movedToThinking?: string;
}

const OPEN = '<think>';
const CLOSE = '</think>';
const MAX_UNTAGGED = 256 * 1024;

export class ThinkSplitter {
  private inThink = false;
  private sawOpen = false;
  private sawAnyTag = false;
  /** A tail that may be the start of a tag, held back until the next chunk decides. */
  private pending = '';
  /** Answer text emitted so far while no tag has been seen (for the lone-`</think>` case). */
  private untaggedAnswer = '';
  /** Right after a closing tag: the blank lines before the answer proper are not part of it. */
  private afterThinking = false;

  push(chunk: string): SplitDelta {
    let text = this.pending + chunk;
    this.pending = '';
    const out: SplitDelta = { answer: '', thinking: '' };
    while (text.length > 0) {
      const tag = this.inThink ? CLOSE : OPEN;
      const idx = text.indexOf(tag);
      const otherIdx = this.inThink ? -1 : text.indexOf(CLOSE);
      if (!this.inThink && otherIdx !== -1 && (idx === -1 || otherIdx < idx) && !this.sawOpen) {
        // `</think>` with no opening tag: everything before it was reasoning.
        const before = text.slice(0, otherIdx);
        out.movedToThinking = (out.movedToThinking ?? '') + this.untaggedAnswer + out.answer + before;
        out.answer = '';
        this.untaggedAnswer = '';
        this.sawAnyTag = true;
        this.sawOpen = true;
        this.afterThinking = true;
        text = text.slice(otherIdx + CLOSE.length);
        continue;
      }
      if (idx === -1) {
        const keep = partialTagSuffix(text, this.inThink ? [CLOSE] : [OPEN, CLOSE]);
        this.emit(out, text.slice(0, text.length - keep));
        this.pending = text.slice(text.length - keep);
        break;
      }
      this.emit(out, text.slice(0, idx));
      this.inThink = !this.inThink;
      this.sawAnyTag = true;
      if (this.inThink) this.sawOpen = true;
      else this.afterThinking = true;
      text = text.slice(idx + tag.length);
    }
    return out;
  }

  /** Flushes a held-back partial tag at the end of the stream. */
  end(): SplitDelta {
    const out: SplitDelta = { answer: '', thinking: '' };
    this.emit(out, this.pending);
    this.pending = '';
    return out;
  }

  get thinking(): boolean {
    return this.inThink;
  }

  private emit(out: SplitDelta, s: string): void {
    if (this.afterThinking && !this.inThink) {
      s = s.replace(/^\s+/, '');
      if (s) this.afterThinking = false;
    }
    if (!s) return;
    if (this.inThink) {
      out.thinking += s;
    } else {
      out.answer += s;
      if (!this.sawAnyTag) {
        this.untaggedAnswer += s;
        // A reasoning preamble is never this long: stop watching for a lone `</think>`.
        if (this.untaggedAnswer.length > MAX_UNTAGGED) {
          this.sawAnyTag = true;
          this.sawOpen = true;
          this.untaggedAnswer = '';
        }
      }
    }
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of one of `tags`. */
function partialTagSuffix(text: string, tags: string[]): number {
  const lt = text.lastIndexOf('<');
  if (lt === -1 || text.length - lt >= CLOSE.length) return 0;
  const tail = text.slice(lt);
  return tags.some((t) => t.startsWith(tail)) ? tail.length : 0;
}
