// The highlight worker: highlight.js off the panel's main thread (a 10 KB block takes ~6 ms, auto-detection
// runs every grammar: ~14× that). Bundled into the webview as a string (scripts/inlineWorker.mjs) and started
// from a blob: URL, as VS Code webviews require. Grammars are warmed up one per task while no block waits.
import { highlightCode, warmOneGrammar } from './grammars';
import type { HighlightJob, HighlightResult } from './highlightProtocol';

interface WorkerScope {
  onmessage: ((e: MessageEvent<HighlightJob>) => void) | null;
  postMessage(message: HighlightResult): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => scope.postMessage(highlightCode(e.data));

// A timer task per grammar: a job's message (also a task) is taken in between.
const warm = () => {
  if (warmOneGrammar()) setTimeout(warm, 0);
};
setTimeout(warm, 0);
