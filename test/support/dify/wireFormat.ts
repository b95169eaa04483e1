// How the test server writes JSON: compact (orjson, newest Dify) or Python json.dumps style (older Dify:
// `", "`/`": "` separators and \uXXXX escapes for every non-ASCII UTF-16 unit).

/** Serializes like Python's json.dumps with default separators and ensure_ascii=True (or False: raw UTF-8). */
export function pythonJson(v: unknown, ascii = true): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return ascii ? JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')) : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map((x) => pythonJson(x, ascii)).join(', ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => pythonJson(k, ascii) + ': ' + pythonJson(x, ascii)).join(', ') + '}';
  }
  return 'null';
}

/** Serializes in the requested style (`python-utf8`: json.dumps with ensure_ascii=False). */
export function toJson(v: unknown, style: 'compact' | 'python' | 'python-utf8' = 'compact'): string {
  return style === 'python' ? pythonJson(v) : style === 'python-utf8' ? pythonJson(v, false) : JSON.stringify(v);
}
