export { IncrementalMarkdown, noteFrameOverhead, renderProgressMs, renderOneShot } from './incremental';
export { lexWithLinks } from './pipeline';
export type { MarkdownOptions } from './pipeline';
export { warmUp } from './warmUp';
export { enhanceCodeBlocks, safeLanguage } from './highlight';
export type { CodeActions } from './highlight';
export { sanitizeToFragment, sanitizeToString } from './purify';
export { highlighter } from './highlighter';
