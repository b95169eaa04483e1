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

/** Worker → panel: highlight.js's HTML (sanitized by the panel before use), or null when the block stays plain. */
export interface HighlightResult {
  id: number;
  html: string | null;
  /** The language used: the fence's, or the detected one ('' when none). */
  lang: string;
}
