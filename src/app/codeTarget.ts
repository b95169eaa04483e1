// Which file a code block of an answer is for, when the answer says so: in the fence's info string
// (```ts src/app.ts, ```ts:src/app.ts, ```ts title="src/app.ts") or in a first-line comment (// src/app.ts,
// # file: app.py). Only relative paths inside the workspace count: an answer cannot point outside it. Pure.

const PATHLIKE = /^(?!\/)(?![a-zA-Z]:)(?!.*(?:^|\/)\.\.(?:\/|$))[\w@.+-][\w@.+\-/]*\.[\w]+$/;
const INFO_ATTR = /\b(?:title|file|filename|path)\s*=\s*"?([^"\s]+)"?/;
const FIRST_LINE = /^\s*(?:\/\/|#|--|;|\/\*|<!--)\s*(?:file(?:name)?\s*:\s*)?(\S+?)\s*(?:\*\/|-->)?\s*$/i;

/** The workspace-relative path a code block names, if any. `info` is the fence's info string (`ts src/app.ts`). */
export function fileHintOf(info: string, code: string): string | undefined {
  const candidates: string[] = [];
  const attr = INFO_ATTR.exec(info)?.[1];
  if (attr) candidates.push(attr);
  const words = info.trim().split(/\s+/);
  const colon = words[0]?.indexOf(':') ?? -1;
  if (colon > 0) candidates.push(words[0].slice(colon + 1));
  candidates.push(...words.slice(1));
  const first = FIRST_LINE.exec(code.split('\n', 1)[0] ?? '')?.[1];
  if (first) candidates.push(first);
  return candidates.map((c) => c.replace(/^\.\//, '')).find((c) => PATHLIKE.test(c));
}
