export { IncrementalMarkdown, renderProgressMs, renderOneShot, lexWithLinks, warmUp } from './incremental';
export type { MarkdownOptions } from './incremental';
export { enhanceCodeBlocks, safeLanguage } from './highlight';
export type { CodeActions } from './highlight';
export { sanitizeToFragment, sanitizeToString } from './purify';
