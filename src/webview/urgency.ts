// Which entry patches the panel renders in the very next frame, and which wait for the adaptive frame budget
// (src/webview/scheduler.ts), which may space renders out by up to 100 ms after a costly one.
import type { EntryPatch, EntryView } from '../protocol';

/** Patch fields that only stream text. */
const STREAMED_KEYS = new Set(['id', 'answerAppend', 'thinkingAppend', 'conversationId']);

/**
 * Whether `patch` is rendered in the next frame: anything but streamed text (structure, status), and the first
 * text of an entry — nothing of it shows yet, and the budget left by rendering the new entry would otherwise hold
 * its first characters back for up to 100 ms. Call it before applying the patch to `entry`.
 */
export function isUrgent(entry: EntryView, patch: EntryPatch): boolean {
  if (Object.keys(patch).some((k) => !STREAMED_KEYS.has(k))) return true;
  return !entry.answer && !entry.thinking && !!(patch.answerAppend || patch.thinkingAppend);
}
