// How the test server writes JSON: compact (orjson, newest Dify) or Python json.dumps style (older Dify:
// `", "`/`": "` separators and \uXXXX escapes for every non-ASCII UTF-16 unit).

/** Serializes like Python's json.dumps with default separators and ensure_ascii=True. */
export function pythonJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(pythonJson).join(', ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => pythonJson(k) + ': ' + pythonJson(x)).join(', ') + '}';
  }
  return 'null';
}

/** Serializes in the requested style. */
export function toJson(v: unknown, style: 'compact' | 'python' = 'compact'): string {
  return style === 'python' ? pythonJson(v) : JSON.stringify(v);
}
