// A deterministic, realistic LLM answer of a given size: prose with inline markup, headings, bullet and
// numbered lists (some nested), code fences in several languages, tables, quotes and Chinese text.
const PROSE = [
  'The client keeps a single connection per server and retries idempotent requests with exponential backoff, so transient failures rarely reach the user.',
  'When the stream ends without a terminal event, the run is marked as failed and the partial answer is kept above the error.',
  'Use `AbortSignal` to cancel a request; the server is asked to stop the task as well, see [the API reference](https://docs.dify.ai/api).',
  '这个函数会把输入拆分成若干块，并在每个块完成后立即渲染，从而避免在长回答中重复解析整个文档。',
  'Tokens are counted on the server; the **usage** event carries prompt and completion tokens, the latency and the price.',
  '在大多数情况下，默认配置已经足够；如果需要代理，请在设置中填写 `dify.apps[].proxy`。',
  'A workflow run emits `node_started` and `node_finished` for every node, and iterations report each round under their parent.',
  'Markdown is rendered incrementally: only the *last* block is parsed again while the answer streams.',
];
const CODE: [string, string][] = [
  ['ts', 'export async function* stream(url: string, signal: AbortSignal): AsyncGenerator<string> {\n  const res = await fetch(url, { signal });\n  if (!res.ok) throw new Error(`HTTP ${res.status}`);\n  const reader = res.body!.getReader();\n  const decoder = new TextDecoder();\n  for (;;) {\n    const { done, value } = await reader.read();\n    if (done) return;\n    yield decoder.decode(value, { stream: true });\n  }\n}'],
  ['python', 'def chunk(text: str, size: int = 5):\n    """Split text into fixed-size chunks."""\n    for i in range(0, len(text), size):\n        yield text[i:i + size]\n\nprint(sum(1 for _ in chunk("hello world" * 10)))'],
  ['json', '{\n  "inputs": { "query": "summarize" },\n  "response_mode": "streaming",\n  "user": "vscode-42",\n  "files": []\n}'],
  ['bash', 'curl -N -X POST "$DIFY_URL/chat-messages" \\\n  -H "Authorization: Bearer $DIFY_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d \'{"query":"hi","inputs":{},"user":"me"}\''],
  ['go', 'func Retry(ctx context.Context, n int, f func() error) error {\n\tvar err error\n\tfor i := 0; i < n; i++ {\n\t\tif err = f(); err == nil {\n\t\t\treturn nil\n\t\t}\n\t\ttime.Sleep(time.Duration(1<<i) * 100 * time.Millisecond)\n\t}\n\treturn err\n}'],
  ['sql', 'SELECT conversation_id, COUNT(*) AS messages\nFROM messages\nWHERE created_at > NOW() - INTERVAL \'7 days\'\nGROUP BY conversation_id\nORDER BY messages DESC\nLIMIT 20;'],
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

export function makeAnswer(targetChars: number, seed = 42): string {
  const r = rng(seed);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const parts: string[] = [];
  let size = 0;
  let section = 0;
  const push = (s: string) => {
    parts.push(s);
    size += s.length;
  };
  while (size < targetChars) {
    section++;
    push(`## ${section}. ${pick(['Overview', 'Streaming', 'Errors', '配置说明', 'Examples', 'Performance'])}\n\n`);
    const blocks = 3 + Math.floor(r() * 5);
    for (let b = 0; b < blocks; b++) {
      const kind = r();
      if (kind < 0.4) {
        push(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(PROSE)).join(' ') + '\n\n');
      } else if (kind < 0.6) {
        const ordered = r() < 0.4;
        const items = 2 + Math.floor(r() * 5);
        let list = '';
        for (let i = 0; i < items; i++) {
          list += `${ordered ? `${i + 1}.` : '-'} ${pick(PROSE).slice(0, 40 + Math.floor(r() * 80))}\n`;
          if (r() < 0.25) list += `${ordered ? '   ' : '  '}- ${pick(PROSE).slice(0, 60)}\n`;
        }
        push(list + '\n');
      } else if (kind < 0.8) {
        const [lang, code] = pick(CODE);
        push('```' + lang + '\n' + code + '\n```\n\n');
      } else if (kind < 0.9) {
        let table = '| Setting | Default | 说明 |\n|---|---:|---|\n';
        for (let i = 0; i < 3 + Math.floor(r() * 4); i++) table += `| \`opt${i}\` | ${Math.floor(r() * 100)} | ${pick(PROSE).slice(0, 30)} |\n`;
        push(table + '\n');
      } else {
        push(`> **Note:** ${pick(PROSE)}\n\n`);
      }
    }
  }
  return parts.join('').slice(0, targetChars);
}
