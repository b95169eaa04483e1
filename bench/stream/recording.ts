/**
 * A recorded Dify chatflow stream, generated deterministically as the exact bytes a server sends:
 * `data: <json>\n\n` frames (the event name inside the JSON), bare `event: ping\n\n` keep-alives, both JSON styles
 * (compact raw-UTF-8 like orjson, and json.dumps' `", "`/`": "` separators with `\uXXXX` escapes), varying key
 * order, mixed Chinese prose and code in `message` and `text_chunk` answers, and node_started/node_finished events
 * with realistic payloads. Ends with message_end + workflow_finished, as an advanced-chat app does.
 */
import { randomUUID } from 'node:crypto';

/** Small, fast, deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZH = [
  '我们先来看一下这个函数的实现。', '在流式输出中，', '每一个分块都会', '被立即渲染到界面上，', '这样用户可以更快地看到结果。',
  '需要注意的是，', '字符可能会在两个读取之间被切断，', '因此解码器必须保留未完成的字节。', '总结一下：', '性能', '内存占用保持平稳', '。',
  '下面是修改后的代码：', '「引号」与（括号）', '以及 emoji 🚀✅', '和全角数字１２３',
];
const CODE = [
  '\n```ts\n', 'export async function* readSse(body: ByteStream) {\n', '  const decoder = new TextDecoder("utf-8");\n',
  '  for await (const chunk of body) {\n', '    yield decoder.decode(chunk, { stream: true });\n', '  }\n}\n', '```\n',
  'if (a < b && c > d) { return "quoted \\"text\\""; }\n', '\tconst path = "C:\\\\Users\\\\dev";\n', 'x = {"k": [1, 2, 3]}\n',
  '| col | 列 |\n|---|---|\n', '- item\n', '**bold** `code` ',
];

export interface RecordingInfo {
  bytes: Buffer;
  events: number;
  /** Frames that carry answer text (message + text_chunk). */
  textEvents: number;
  pings: number;
  nodeEvents: number;
  /** Total answer characters (UTF-16 code units), what the mapper should accumulate. */
  answerChars: number;
}

/** Python json.dumps(ensure_ascii=True) style: `", "` and `": "` separators, non-ASCII as \uXXXX. */
function pyJson(o: unknown): string {
  return JSON.stringify(o)
    .replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/("(?:[^"\\]|\\.)*")|([,:])/g, (_m, str: string | undefined, sep: string) => str ?? sep + ' ');
}

function shuffleKeys(o: Record<string, unknown>, r: () => number): Record<string, unknown> {
  const keys = Object.keys(o);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = o[k];
  return out;
}

/** Generates `events` frames (about 200 bytes each on average: 100k ≈ 20 MB). */
export function makeRecording(events: number, seed = 42): RecordingInfo {
  const r = rng(seed);
  const uuid = (): string => {
    // deterministic UUID-shaped ids
    const h = (): string => Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
    const s = h() + h() + h() + h();
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
  };
  void randomUUID;
  const taskId = uuid();
  const runId = uuid();
  const conversationId = uuid();
  const messageId = uuid();
  const workflowId = uuid();
  const parts: string[] = [];
  let textEvents = 0;
  let pings = 0;
  let nodeEvents = 0;
  let answerChars = 0;
  let count = 0;
  let created = 1_732_500_000;
  // A real server writes each event type with one key order (its own serializer's); the two styles stand for two
  // server builds, so each (style, event type) gets its own fixed, shuffled order.
  const orders = new Map<string, string[]>();
  const frame = (o: Record<string, unknown>): void => {
    const compact = r() < 0.7;
    const key = `${compact}:${o.event as string}`;
    let order = orders.get(key);
    if (!order) orders.set(key, (order = Object.keys(shuffleKeys(o, r))));
    const obj: Record<string, unknown> = {};
    for (const k of order) obj[k] = o[k];
    parts.push('data: ' + (compact ? JSON.stringify(obj) : pyJson(obj)) + '\n\n');
    count++;
  };
  const piece = (): string => {
    const n = 1 + Math.floor(r() * 3);
    let s = '';
    for (let i = 0; i < n; i++) {
      const src = r() < 0.6 ? ZH : CODE;
      const p = src[Math.floor(r() * src.length)];
      // LLM chunks are short: take a slice of a few characters most of the time.
      const len = r() < 0.8 ? 1 + Math.floor(r() * 6) : p.length;
      const start = Math.floor(r() * Math.max(1, p.length - len));
      s += p.slice(start, start + len);
    }
    // never emit a lone surrogate half (emoji) at either end
    return s.replace(/^[\udc00-\udfff]|[\ud800-\udbff]$/g, '') || '。';
  };

  parts.push('event: ping\n\n');
  pings++;
  count++;
  frame({ event: 'workflow_started', task_id: taskId, workflow_run_id: runId, data: { id: runId, workflow_id: workflowId, inputs: { 'sys.query': '解释这段代码' }, created_at: created } });
  let node = 0;
  while (count < events - 2) {
    const x = r();
    if (x < 0.008) {
      parts.push('event: ping\n\n');
      pings++;
      count++;
    } else if (x < 0.02) {
      const id = uuid();
      const nodeId = String(1_700_000_000_000 + node++);
      const base = { id, node_id: nodeId, node_type: r() < 0.5 ? 'llm' : 'code', title: `节点 ${node}`, index: node, predecessor_node_id: null, created_at: created };
      frame({ event: 'node_started', task_id: taskId, workflow_run_id: runId, data: { ...base, inputs: { query: piece(), context: piece() }, extras: {}, iteration_id: null, loop_id: null } });
      frame({
        event: 'node_finished', task_id: taskId, workflow_run_id: runId,
        data: { ...base, inputs: { query: piece() }, process_data: { model_mode: 'chat', prompts: [{ role: 'user', text: piece() + piece() }] }, outputs: { text: piece() + piece() + piece() }, status: 'succeeded', error: null, elapsed_time: r() * 3, execution_metadata: { total_tokens: Math.floor(r() * 2000), total_price: '0.0012', currency: 'USD' }, finished_at: created + 1, files: [] },
      });
      nodeEvents += 2;
    } else {
      const text = piece();
      answerChars += text.length;
      textEvents++;
      if (r() < 0.5) {
        frame({ event: 'message', conversation_id: conversationId, message_id: messageId, created_at: created, task_id: taskId, id: messageId, answer: text });
      } else {
        frame({ event: 'text_chunk', task_id: taskId, workflow_run_id: runId, data: { text, from_variable_selector: ['llm', 'text'] } });
      }
    }
    if (r() < 0.01) created++;
  }
  frame({ event: 'message_end', conversation_id: conversationId, message_id: messageId, created_at: created, task_id: taskId, id: messageId, metadata: { usage: { prompt_tokens: 1200, completion_tokens: 90_000, total_tokens: 91_200, total_price: '0.182', currency: 'USD', latency: 42.5 } }, files: [] });
  frame({ event: 'workflow_finished', task_id: taskId, workflow_run_id: runId, data: { id: runId, workflow_id: workflowId, status: 'succeeded', outputs: { answer: '(omitted)' }, error: null, elapsed_time: 42.7, total_tokens: 91_200, total_steps: node + 2, created_at: created, finished_at: created + 43, exceptions_count: 0, files: [] } });
  return { bytes: Buffer.from(parts.join(''), 'utf8'), events: count, textEvents, pings, nodeEvents, answerChars };
}

/** Cuts `bytes` into read-sized views (no copies) with sizes uniform in [min, max], deterministic. */
export function chunk(bytes: Buffer, min: number, max: number, seed = 7): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = min + Math.floor(r() * (max - min + 1));
    out.push(bytes.subarray(i, Math.min(bytes.length, i + n)));
    i += n;
  }
  return out;
}
