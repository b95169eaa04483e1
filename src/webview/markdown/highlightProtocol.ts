// The messages between the panel and its highlight worker (webview-internal; not part of src/protocol.ts,
// which is the host ↔ webview contract).

/** Panel → worker: highlight one code block. */
export interface HighlightJob {
  id: number;
  text: string;
  /** The fence's language, already reduced to safe characters; '' when it has none. */
  lang: string;
  /** Without a language: detect one (finished blocks only). */
  auto: boolean;
}

/**
 * Highlighted code as DOM-building steps, not HTML: a string is a text node, a number n ≥ 0 opens a span
 * with `classes[n]`, -1 closes it. The panel builds nodes from it (text never parsed as HTML), so the
 * sanitizer is not needed — it took most of the main thread's time on highlight.js's HTML.
 */
export interface HighlightTokens {
  ops: (string | number)[];
  classes: string[];
}

/** Worker → panel: the block's tokens, or null when it stays plain. */
export interface HighlightResult {
  id: number;
  tokens: HighlightTokens | null;
  /** The language used: the fence's, or the detected one ('' when none). */
  lang: string;
}
