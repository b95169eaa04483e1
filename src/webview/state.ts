// Pure state updates for the panel: the shared entry model's patch rules (src/shared/entry.ts), as the webview uses them.
export { ALL_CHANGES, applyPatch, mergeChanges, upsertNodes, type EntryChanges } from '../shared/entry';
