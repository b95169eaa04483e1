// The code Replace Selection writes for an answer: pure text work, kept apart from the DOM so Node tests run it.
/**
 * What Replace Selection puts in for an answer's (visible) markdown: when it is a single fenced code block
 * (optionally with prose around it), the code, not the markdown around it.
 */
export function codeOf(answer: string): string {
  const blocks = [...answer.matchAll(/^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n\1[ \t]*$/gm)];
  return blocks.length === 1 ? blocks[0][2] : answer.trim();
}
