// A Flowise-compatible test server (prediction API, server 3.x wire format; see /work/shared/dify-api.md §G).
// Real `node:http` on 127.0.0.1 with a random port. Used by the unit tests and by `npm run demo`.
//
// Stable API:
//
//   export interface FlowiseTestFlow {
//     id: string; name: string; apiKey?: string; streaming: boolean;
//     answer?: string;          // fixed answer; default `You asked: <question>`
//     thinking?: string;        // sent as `thinking` events before the answer (then '' with `duration`)
//     tools?: boolean;          // calledTools before the answer, usedTools after it
//     sources?: boolean;        // sourceDocuments after the answer
//     agentflow?: boolean;      // AgentflowV2 style: agentFlowEvent, nextAgentFlow, agentReasoning,
//                               // agentFlowExecutedData, tokens without `start`
//     followUpPrompts?: string[]; // metadata.followUpPrompts (default two prompts; [] = none)
//     uploads?: Partial<FlowiseUploadsInfo>; // chatflows-uploads answer
//     humanInput?: { feedback: boolean };   // AgentflowV2 with a Human Input node after the answer: the run stops
//                               // there (STOPPED + `action`); a prediction with `humanInput` {type, startNodeId,
//                               // feedback} and the same chatId goes on (proceed or reject branch)
//   }
//   export interface FlowiseScript {     // consumed one per prediction request of that flow, in order
//     splitAt?: 'random' | number[];     // write the SSE body in pieces cut at these byte offsets (or randomly)
//     heartbeatFirst?: boolean;          // `:heartbeat\n\n` before anything else
//     heartbeatBetween?: boolean;        // `:heartbeat\n\n` between all frames
//     heartbeatIntervalMs?: number;      // a heartbeat timer like the real server's 30 s one
//     errorAfterTokens?: number;         // `error` event (errorMessage) after N tokens, then `end`
//     errorMessage?: string;
//     closeEarlyAfterTokens?: number;    // end the response after N tokens without `end`
//     stallAfterTokens?: number;         // stop sending after N tokens (until abort/close, or stallMs)
//     stallMs?: number;
//     chunkDelayMs?: number;             // pause between frames/pieces (default 1 ms when splitting, else 0)
//     http?: { status; body; contentType?; headers? };  // answer the prediction with this instead
//     resetAfterTokens?: number;         // reset the connection (RST) after N tokens
//   }
//   export interface FlowiseTestServer {
//     url: string;                       // http://127.0.0.1:PORT (server root; routes under /api/v1)
//     requests: RecordedRequest[];       // every request, in arrival order, after its body was read
//     flows: FlowiseTestFlow[];
//     script(flowId, s | s[]): void;     // queue scripts for the next prediction requests of flowId
//     waitForRequest(pred, timeoutMs): Promise<RecordedRequest>;  // past or future request
//     memory(sessionId): { question: string; answer: string }[];
//     feedbackOf(messageId): { rating; content } | undefined;   // POST/PUT /api/v1/feedback
//     close(): Promise<void>;
//   }
//   export function startFlowiseServer(opts?: { flows?; idleTimeoutMs?; port?; keepProcessAlive? }): Promise<FlowiseTestServer>
//   export function demoFlows(): FlowiseTestFlow[]
//
// Routes: POST /api/v1/prediction/:id, GET /api/v1/chatflows-streaming/:id, GET /api/v1/chatflows-uploads/:id,
// PUT /api/v1/chatmessage/abort/:chatflowid/:chatId, POST /api/v1/feedback, PUT /api/v1/feedback/:id, GET /api/v1/ping,
// POST /api/v1/vector/upsert/:id (multipart `files` + `chatId`: documents into a flow's vector store, tagged with the
// chat; `upserted(chatId)` lists them, and a prediction of that chat with `file:rag` uploads answers from them).
// Upsert failures come as Flowise wraps them: every one a 500 "Error: vectorsService.upsertVector - <why>", a
// refused key too; why: an unknown flow, the key, a flow without a vector store (no RAG uploads), a file whose
// MIME type does not match its extension (newest builds), a file over the flow's size (a server file size limit).
// Behaviour as the real server: SSE headers are flushed before the run, so a bad key for a keyed flow arrives as
// `error` "Unauthorized" + `end` inside a 200 stream (the JSON path answers 401); frames are
// `message:\ndata:{json}\n\n` (`error`, `abort` and `end` use the older `message\ndata:` line, as SSEStreamer does);
// `start` carries the first token, which is ALSO sent as a `token`; memory per sessionId (a follow-up answer
// quotes the previous question); errors are `{statusCode, success:false, message, stack:{}}`.

import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { parseMultipart } from '../dify/multipart';

export interface FlowiseUploadsInfo {
  isSpeechToTextEnabled: boolean;
  isImageUploadAllowed: boolean;
  isRAGFileUploadAllowed: boolean;
  imgUploadSizeAndTypes: { fileTypes: string[]; maxUploadSize: number }[];
  fileUploadSizeAndTypes: { fileTypes: string[]; maxUploadSize: number }[];
}

export interface FlowiseTestFlow {
  id: string;
  name: string;
  apiKey?: string;
  streaming: boolean;
  answer?: string;
  thinking?: string;
  tools?: boolean;
  sources?: boolean;
  agentflow?: boolean;
  followUpPrompts?: string[];
  uploads?: Partial<FlowiseUploadsInfo>;
  humanInput?: { feedback: boolean };
}

export interface FlowiseScript {
  splitAt?: 'random' | number[];
  heartbeatFirst?: boolean;
  heartbeatBetween?: boolean;
  heartbeatIntervalMs?: number;
  errorAfterTokens?: number;
  errorMessage?: string;
  closeEarlyAfterTokens?: number;
  stallAfterTokens?: number;
  stallMs?: number;
  chunkDelayMs?: number;
  http?: { status: number; body: string; contentType?: string; headers?: Record<string, string> };
  resetAfterTokens?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The parsed body when it was JSON (loosely typed on purpose: tests read wire fields directly). */
  json?: any;
  /** Flow id for prediction/streaming/uploads/abort routes. */
  flowId?: string;
  /** chatId of the abort route. */
  chatId?: string;
}

/** The fields of a prediction body the server reads (Interface.ts::IncomingInput). */
interface PredictionInput {
  question?: unknown;
  streaming?: unknown;
  chatId?: unknown;
  overrideConfig?: { sessionId?: unknown; vars?: unknown };
  history?: unknown;
  uploads?: unknown;
  humanInput?: { type?: unknown; startNodeId?: unknown; feedback?: unknown };
}

interface HistoryItem {
  role?: unknown;
  type?: unknown;
  content?: unknown;
  message?: unknown;
}

export interface FlowiseTestServer {
  url: string;
  requests: RecordedRequest[];
  flows: FlowiseTestFlow[];
  script(flowId: string, s: FlowiseScript | FlowiseScript[]): void;
  waitForRequest(pred: (r: RecordedRequest) => boolean, timeoutMs: number): Promise<RecordedRequest>;
  memory(sessionId: string): { question: string; answer: string }[];
  /** The rating an answer has (`THUMBS_UP` / `THUMBS_DOWN`), as Flowise's message view shows it. */
  feedbackOf(messageId: string): { rating: string; content: string } | undefined;
  /** The documents upserted for a chat (`flowise_chatId` in their metadata), in order. */
  upserted(chatId: string): { name: string; mime: string; size: number; text: string }[];
  close(): Promise<void>;
}

export interface StartFlowiseServerOptions {
  flows?: FlowiseTestFlow[];
  /** Close the server after this long without any request (and no open stream). */
  idleTimeoutMs?: number;
  /** Port to listen on (default 0 = random). */
  port?: number;
  /** By default the server is unref'd so it never keeps a test process alive; the CLI sets this. */
  keepProcessAlive?: boolean;
}

export const DEMO_FLOW_ID = 'demo-flowise-chatflow';
export const DEMO_FLOW_KEY = 'flowise-demo-key';

export function demoFlows(): FlowiseTestFlow[] {
  return [
    {
      id: DEMO_FLOW_ID,
      name: 'Flowise Helper',
      apiKey: DEMO_FLOW_KEY,
      streaming: true,
      answer:
        '<think>The user wants a short explanation; check the docs first.</think>' +
        'Flowise runs **chatflows** built from LangChain nodes. According to the guide, a prediction call ' +
        'streams tokens and ends with metadata. 6 × 7 = 42.',
      tools: true,
      sources: true,
      followUpPrompts: ['How do I add memory?', 'Which models are supported?'],
      uploads: { isImageUploadAllowed: true },
    },
    {
      id: 'demo-flowise-agentflow',
      name: 'Flowise Agents',
      streaming: true,
      agentflow: true,
      thinking: 'Route the question to the writer agent.',
    },
    {
      id: 'demo-flowise-blocking',
      name: 'Flowise Blocking',
      streaming: false,
      sources: true,
    },
    {
      id: 'demo-flowise-approval',
      name: 'Flowise Approval',
      streaming: true,
      agentflow: true,
      answer: 'Here is the plan: rotate the API keys of the staging cluster. 先轮换预发布环境的密钥。',
      humanInput: { feedback: true },
    },
  ];
}

/** The Human Input node of the test agentflows, and what it asks (the fixed description after the last message). */
export const HUMAN_INPUT_NODE = { nodeId: 'humanInputAgentflow_0', nodeLabel: 'Human Input 0' };
export const HUMAN_INPUT_QUESTION = '\n\nDo you want to proceed?';

const JSON_TYPE = 'application/json; charset=utf-8';
const enc = new TextEncoder();

function sleep(ms: number, cancel?: { promise: Promise<void> }): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    cancel?.promise.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Split text into token-like pieces: words with their trailing space; long runs (CJK) in 3-character pieces. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.match(/\S+\s*|\s+/gu) ?? []) {
    const chars = Array.from(m);
    for (let i = 0; i < chars.length; i += chars.length > 8 ? 3 : chars.length) {
      out.push(chars.slice(i, i + (chars.length > 8 ? 3 : chars.length)).join(''));
    }
  }
  return out;
}

interface ActiveRun {
  aborted: boolean;
  abort: () => void;
  abortSignal: { promise: Promise<void> };
}

export async function startFlowiseServer(opts: StartFlowiseServerOptions = {}): Promise<FlowiseTestServer> {
  const flows = opts.flows ?? demoFlows();
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, FlowiseScript[]>();
  const memory = new Map<string, { question: string; answer: string }[]>();
  /** Answers by chatMessageId (what feedback must name), and the ratings given (routes/feedback). */
  const answered = new Map<string, { chatflowid: string; chatId: string }>();
  const feedbacks = new Map<string, { id: string; chatflowid: string; chatId: string; messageId: string; rating: string; content: string; createdDate: string }>();
  const active = new Map<string, ActiveRun>();
  /** chatId → the Human Input node its run stopped at (what `humanInput.startNodeId` must name). */
  const pending = new Map<string, string>();

  /** The `action` of a stopped Human Input node (buildAgentflow.ts), with `humanInputEnableFeedback` in its input. */
  function humanInputAction(flow: FlowiseTestFlow): Record<string, unknown> {
    return {
      id: randomUUID(),
      mapping: { approve: 'Proceed', reject: 'Reject' },
      elements: [{ type: 'agentflowv2-approve-button', label: 'Proceed' }, { type: 'agentflowv2-reject-button', label: 'Reject' }],
      data: { ...HUMAN_INPUT_NODE, input: { messages: [], humanInputEnableFeedback: !!flow.humanInput?.feedback } },
    };
  }

  /** Why a `humanInput` answer cannot go on: no run of this chatId stopped at that node (the flow then fails). */
  function humanInputProblem(flow: FlowiseTestFlow, body: PredictionInput): string | undefined {
    const hi = body.humanInput;
    if (!hi) return undefined;
    const chatId = typeof body.chatId === 'string' ? body.chatId : '';
    if (!flow.humanInput || pending.get(chatId) !== hi.startNodeId) return `Error: buildAgentflow - no human input is waiting at ${String(hi.startNodeId)} in chat ${chatId}`;
    if (hi.type !== 'proceed' && hi.type !== 'reject') return `Error: buildAgentflow - unknown human input type ${String(hi.type)}`;
    return undefined;
  }
  const vectors = new Map<string, { name: string; mime: string; size: number; text: string }[]>();
  const waiters = new Set<{ pred: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }>();
  const sockets = new Set<Socket>();
  let openStreams = 0;
  let idleTimer: NodeJS.Timeout | undefined;

  const findFlow = (id: string | undefined) => flows.find((f) => f.id === id);

  function record(r: RecordedRequest): void {
    requests.push(r);
    for (const w of [...waiters]) {
      if (w.pred(r)) {
        waiters.delete(w);
        w.resolve(r);
      }
    }
  }

  function armIdle(): void {
    if (!opts.idleTimeoutMs) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (openStreams > 0) return armIdle();
      void api.close();
    }, opts.idleTimeoutMs);
    idleTimer.unref();
  }

  function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function sendError(res: http.ServerResponse, status: number, message: string): void {
    sendJson(res, status, { statusCode: status, success: false, message, stack: {} });
  }

  function authorized(flow: FlowiseTestFlow, req: http.IncomingMessage): boolean {
    if (!flow.apiKey) return true;
    const h = req.headers.authorization ?? '';
    // validateKey.ts: the key is whatever follows "Bearer ".
    const suppliedKey = h.startsWith('Bearer ') ? h.slice('Bearer '.length) : '';
    return suppliedKey === flow.apiKey;
  }

  const server = http.createServer((req, res) => {
    armIdle();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      if (body && /json/i.test(req.headers['content-type'] ?? '')) {
        try {
          rec.json = JSON.parse(body);
        } catch {
          /* recorded as text */
        }
      }
      const parts = url.pathname.replace(/\/+$/, '').split('/').map(decodeURIComponent);
      // ['', 'api', 'v1', route, ...]
      const route = parts[1] === 'api' && parts[2] === 'v1' ? parts[3] : undefined;
      rec.flowId = parts[4];
      if (route === 'chatmessage' && parts[4] === 'abort') {
        rec.flowId = parts[5];
        rec.chatId = parts[6];
      }
      record(rec);
      try {
        if (route === 'vector' && parts[4] === 'upsert' && req.method === 'POST') return upsert(req, res, rec, parts[5], raw);
        handle(req, res, rec, route, parts);
      } catch (e) {
        if (!res.headersSent) sendError(res, 500, String(e));
        else res.destroy();
      }
    });
  });

  function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rec: RecordedRequest,
    route: string | undefined,
    parts: string[],
  ): void {
    const method = req.method ?? 'GET';
    if (route === 'ping' && method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('pong');
      return;
    }
    if (route === 'chatflows-streaming' && method === 'GET') {
      const flow = findFlow(rec.flowId);
      if (!flow) return sendError(res, 404, `Chatflow ${rec.flowId ?? ''} not found`);
      return sendJson(res, 200, { isStreaming: flow.streaming });
    }
    if (route === 'chatflows-uploads' && method === 'GET') {
      const flow = findFlow(rec.flowId);
      if (!flow) return sendError(res, 404, `Chatflow ${rec.flowId ?? ''} not found`);
      const u = flow.uploads ?? {};
      const info: FlowiseUploadsInfo = {
        isSpeechToTextEnabled: u.isSpeechToTextEnabled ?? false,
        isImageUploadAllowed: u.isImageUploadAllowed ?? false,
        isRAGFileUploadAllowed: u.isRAGFileUploadAllowed ?? false,
        imgUploadSizeAndTypes:
          u.imgUploadSizeAndTypes ??
          (u.isImageUploadAllowed ? [{ fileTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'], maxUploadSize: 5 }] : []),
        fileUploadSizeAndTypes:
          u.fileUploadSizeAndTypes ??
          (u.isRAGFileUploadAllowed ? [{ fileTypes: ['.pdf', '.txt', '.md'], maxUploadSize: 500 }] : []),
      };
      return sendJson(res, 200, info);
    }
    if (route === 'feedback' && (method === 'POST' || method === 'PUT')) return feedback(method, rec, res, parts[4]);
    if (route === 'chatmessage' && parts[4] === 'abort' && method === 'PUT') {
      if (!rec.flowId || !rec.chatId) {
        return sendError(res, 412, 'Error: chatMessagesController.abortChatMessage - chatflowid or chatid not provided!');
      }
      active.get(`${rec.flowId}_${rec.chatId}`)?.abort();
      return sendJson(res, 200, { status: 200, message: 'Chat message aborted' });
    }
    if (route === 'prediction' && method === 'POST') {
      if (!rec.flowId) return sendError(res, 412, 'Error: predictionsController.createPrediction - id not provided!');
      const flow = findFlow(rec.flowId);
      if (!flow) return sendError(res, 404, `Chatflow ${rec.flowId} not found`);
      const queue = scripts.get(flow.id);
      const script = queue?.shift() ?? {};
      if (script.http) {
        const h = script.http;
        res.writeHead(h.status, { 'Content-Type': h.contentType ?? 'text/plain; charset=utf-8', ...h.headers });
        res.end(h.body);
        return;
      }
      if (rec.json === undefined || typeof rec.json !== 'object' || rec.json === null) {
        return sendError(res, 400, 'Error: predictionsController.createPrediction - body not provided!');
      }
      const streamingRequested = rec.json.streaming === true || rec.json.streaming === 'true';
      if (flow.streaming && streamingRequested) {
        void stream(flow, rec.json, script, req, res);
      } else {
        blocking(flow, rec.json, script, req, res);
      }
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`Cannot ${method} ${rec.path}`);
  }

  interface Turn {
    chatId: string;
    sessionId: string;
    chatMessageId: string;
    question: string;
    answer: string;
    followUps: string[];
  }

  function prepareTurn(flow: FlowiseTestFlow, body: PredictionInput): Turn {
    const question = typeof body.question === 'string' ? body.question : '';
    const chatId: string =
      (typeof body.chatId === 'string' && body.chatId) ||
      (typeof body.overrideConfig?.sessionId === 'string' && body.overrideConfig.sessionId) ||
      randomUUID();
    // utils/index.ts::getMemorySessionId: overrideConfig.sessionId first, then chatId.
    const sessionId: string =
      (typeof body.overrideConfig?.sessionId === 'string' && body.overrideConfig.sessionId) || chatId;
    const past = memory.get(sessionId) ?? [];
    let answer = flow.answer ?? `You asked: ${question}`;
    const hi = body.humanInput;
    if (flow.humanInput && hi) {
      const feedback = typeof hi.feedback === 'string' && flow.humanInput.feedback ? hi.feedback : '';
      answer = hi.type === 'reject' ? `Stopped: nothing was changed.${feedback ? ` (${feedback})` : ''}` : `Done: the keys are rotated. ✅${feedback ? ` Noted: ${feedback}` : ''}`;
      return { chatId, sessionId, chatMessageId: randomUUID(), question, answer, followUps: [] };
    }
    const history: HistoryItem[] = Array.isArray(body.history) ? body.history : [];
    const lastHistoryQuestion = [...history]
      .reverse()
      .find((m) => m?.role === 'userMessage' || m?.type === 'userMessage');
    if (past.length > 0) {
      answer = `Earlier you asked: "${past[past.length - 1].question}". ${answer}`;
    } else if (lastHistoryQuestion) {
      answer = `From the history you sent, earlier you asked: "${String(lastHistoryQuestion.content ?? lastHistoryQuestion.message)}". ${answer}`;
    }
    const uploads: { name?: unknown; type?: unknown }[] = Array.isArray(body.uploads) ? body.uploads : [];
    if (uploads.length > 0) {
      answer += ` (received ${uploads.length} upload(s): ${uploads.map((u) => String(u?.name)).join(', ')})`;
    }
    // The vector store's retriever finds this chat's documents (and only those).
    const documents = (vectors.get(chatId) ?? []).filter((d) => uploads.some((u) => u?.type === 'file:rag' && u.name === d.name));
    if (documents.length) answer += ` From your documents: ${documents.map((d) => `${d.name}: "${d.text.slice(0, 40)}"`).join('; ')}`;
    return {
      chatId,
      sessionId,
      chatMessageId: randomUUID(),
      question,
      answer,
      followUps: flow.followUpPrompts ?? ['Tell me more', 'Give me an example'],
    };
  }

  /** Flowise's MIME type for an extension, where the newest builds check that the two match. */
  const MIME_OF: Record<string, string> = {
    '.txt': 'text/plain', '.md': 'text/markdown', '.pdf': 'application/pdf', '.csv': 'text/csv', '.json': 'application/json',
    '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', '.png': 'image/png', '.jpg': 'image/jpeg',
  };

  /** routes/vectors: the documents into the flow's vector store, tagged with the chat's id. */
  function upsert(req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest, flowId: string | undefined, raw: Buffer): void {
    const fail = (why: string) => sendError(res, 500, `Error: vectorsService.upsertVector - ${why}`);
    rec.flowId = flowId;
    const flow = findFlow(flowId);
    if (!flow) return fail(`Chatflow ${flowId ?? ''} not found`);
    if (!authorized(flow, req)) return fail('Unauthorized');
    const mp = parseMultipart(raw, req.headers['content-type']) ?? [];
    const files = mp.filter((x) => x.name === 'files' && x.filename !== undefined);
    const chatId = mp.find((x) => x.name === 'chatId' && x.filename === undefined)?.data.toString('utf8') || randomUUID();
    if (!flow.uploads?.isRAGFileUploadAllowed) return fail('No vector node found');
    const allowed = flow.uploads.fileUploadSizeAndTypes ?? [{ fileTypes: ['.pdf', '.txt', '.md'], maxUploadSize: 500 }];
    const maxBytes = Math.max(...allowed.map((a) => a.maxUploadSize)) * 1024 * 1024;
    for (const f of files) {
      const ext = extname(f.filename!).toLowerCase();
      const expected = MIME_OF[ext];
      if (expected && f.contentType && f.contentType.split(';')[0].trim() !== expected) {
        return fail(`MIME type "${f.contentType}" does not match file extension "${ext}" of ${f.filename}`);
      }
      if (f.data.length > maxBytes) return fail('File too large');
    }
    const list = vectors.get(chatId) ?? [];
    for (const f of files) list.push({ name: f.filename!, mime: f.contentType ?? '', size: f.data.length, text: f.data.toString('utf8') });
    vectors.set(chatId, list);
    sendJson(res, 200, { numAdded: files.length, numDeleted: 0, numUpdated: 0, numSkipped: 0, addedDocs: files.map((f) => ({ pageContent: f.data.toString('utf8').slice(0, 200), metadata: { source: f.filename, flowise_chatId: chatId } })) });
  }

  /** routes/feedback: create (the message must exist in that chat of that flow), or update by id. */
  function feedback(method: string, rec: RecordedRequest, res: http.ServerResponse, id: string | undefined): void {
    const b = (rec.json ?? {}) as Record<string, unknown>;
    if (b.rating !== 'THUMBS_UP' && b.rating !== 'THUMBS_DOWN') return sendError(res, 500, 'Error: feedbackService - Invalid rating');
    if (method === 'PUT') {
      const f = id ? feedbacks.get(id) : undefined;
      if (!f) return sendError(res, 404, `Feedback with id ${id ?? ''} not found`);
      f.rating = b.rating;
      if (typeof b.content === 'string') f.content = b.content;
      return sendJson(res, 200, f);
    }
    const { chatflowid, chatId, messageId } = b;
    if (typeof chatflowid !== 'string' || typeof chatId !== 'string' || typeof messageId !== 'string') {
      return sendError(res, 400, 'Error: feedbackController.createChatMessageFeedbackForChatflow - body not provided!');
    }
    const msg = answered.get(messageId);
    if (!msg || msg.chatId !== chatId || msg.chatflowid !== chatflowid) return sendError(res, 404, `Message ${messageId} not found`);
    const f = { id: randomUUID(), chatflowid, chatId, messageId, rating: b.rating, content: typeof b.content === 'string' ? b.content : '', createdDate: new Date().toISOString() };
    feedbacks.set(f.id, f);
    sendJson(res, 200, f);
  }

  function remember(turn: Turn, flowId: string): void {
    answered.set(turn.chatMessageId, { chatflowid: flowId, chatId: turn.chatId });
    const list = memory.get(turn.sessionId) ?? [];
    list.push({ question: turn.question, answer: turn.answer });
    memory.set(turn.sessionId, list);
  }

  const toolCall = { tool: 'calculator', toolInput: { input: '6 * 7' } };
  function sourceDocs() {
    return [
      { pageContent: 'A prediction call streams tokens and ends with metadata.', metadata: { source: 'docs/guide.md', score: 0.91 } },
      { pageContent: 'Chatflows are built from LangChain nodes.', metadata: { source: 'https://docs.flowiseai.com/', loc: { lines: { from: 1, to: 3 } } } },
    ];
  }
  function agentReasoning() {
    return [
      { agentName: 'Supervisor', messages: ['Routing the question to Writer.'], next: 'Writer', instructions: 'Pick the best worker.', usedTools: [], sourceDocuments: [], state: {}, nodeName: 'supervisor', nodeId: 'supervisor_0' },
      { agentName: 'Writer', messages: ['Drafted the answer.'], next: 'FINISH', instructions: 'Write clearly.', usedTools: [], sourceDocuments: [], state: {}, nodeName: 'worker', nodeId: 'worker_0' },
    ];
  }

  function blocking(flow: FlowiseTestFlow, body: PredictionInput, script: FlowiseScript, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!authorized(flow, req)) return sendError(res, 401, 'Unauthorized');
    if (script.errorAfterTokens !== undefined) {
      return sendError(res, 500, `Error: predictionsServices.buildChatflow - ${script.errorMessage ?? 'Model failed'}`);
    }
    if (script.resetAfterTokens !== undefined || script.closeEarlyAfterTokens !== undefined) {
      res.socket?.destroy();
      return;
    }
    const refused = humanInputProblem(flow, body);
    if (refused) return sendError(res, 500, refused);
    const turn = prepareTurn(flow, body);
    remember(turn, flow.id);
    const asks = !!flow.humanInput && !body.humanInput;
    if (asks) {
      turn.answer += HUMAN_INPUT_QUESTION;
      pending.set(turn.chatId, HUMAN_INPUT_NODE.nodeId);
    } else if (body.humanInput) pending.delete(turn.chatId);
    const reply: Record<string, unknown> = {
      text: turn.answer,
      question: turn.question,
      chatId: turn.chatId,
      chatMessageId: turn.chatMessageId,
      isStreamValid: false,
      sessionId: turn.sessionId,
      memoryType: 'Buffer Memory',
    };
    if (turn.followUps.length) reply.followUpPrompts = JSON.stringify(turn.followUps);
    if (flow.sources) reply.sourceDocuments = sourceDocs();
    if (flow.tools) reply.usedTools = [{ ...toolCall, toolOutput: '42' }];
    if (flow.agentflow) {
      reply.agentReasoning = agentReasoning();
      reply.executionId = randomUUID();
      reply.agentFlowExecutedData = [
        { nodeId: 'startAgentflow_0', nodeLabel: 'Start', data: {}, previousNodeIds: [], status: 'FINISHED' },
        { nodeId: 'llmAgentflow_0', nodeLabel: 'Writer', data: { output: { content: turn.answer } }, previousNodeIds: ['startAgentflow_0'], status: 'FINISHED' },
      ];
    }
    if (asks) reply.action = humanInputAction(flow);
    sendJson(res, 200, reply);
  }

  async function stream(flow: FlowiseTestFlow, body: PredictionInput, script: FlowiseScript, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    openStreams++;
    const turn = prepareTurn(flow, body);
    const asks = !!flow.humanInput && !body.humanInput;
    const refused = humanInputProblem(flow, body);
    const runKey = `${flow.id}_${turn.chatId}`;
    let resolveAbort!: () => void;
    const run: ActiveRun = {
      aborted: false,
      abort: () => {
        run.aborted = true;
        resolveAbort();
      },
      abortSignal: { promise: new Promise<void>((r) => (resolveAbort = r)) },
    };
    active.set(runKey, run);
    let clientGone = false;
    res.on('close', () => {
      clientGone = true;
      resolveAbort();
    });
    res.socket?.setNoDelay(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();

    // All writes go through one chain so heartbeats never land inside a split frame.
    let chain = Promise.resolve();
    let offset = 0;
    const cuts = Array.isArray(script.splitAt) ? [...script.splitAt].sort((a, b) => a - b) : [];
    const delay = script.chunkDelayMs ?? (script.splitAt ? 1 : 0);
    const write = (text: string): Promise<void> => {
      chain = chain.then(async () => {
        if (clientGone || res.writableEnded) return;
        const bytes = enc.encode(text);
        const local: number[] = [];
        if (script.splitAt === 'random') {
          const n = 1 + Math.floor(Math.random() * 3);
          for (let i = 0; i < n; i++) local.push(1 + Math.floor(Math.random() * Math.max(1, bytes.length - 1)));
        } else {
          for (const c of cuts) if (c > offset && c < offset + bytes.length) local.push(c - offset);
        }
        const points = [...new Set(local)].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b);
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          if (clientGone) return;
          res.write(Buffer.from(bytes.subarray(prev, p)));
          prev = p;
          if (delay > 0) await sleep(delay);
        }
        offset += bytes.length;
      });
      return chain;
    };
    const frame = (event: string, data: unknown, extra?: Record<string, unknown>, oldStyle = false) =>
      write(`${oldStyle ? 'message' : 'message:'}\ndata:${JSON.stringify({ event, data, ...extra })}\n\n`);
    const heartbeat = () => write(':heartbeat\n\n');
    const between = async () => {
      if (script.heartbeatBetween) await heartbeat();
    };
    let hbTimer: NodeJS.Timeout | undefined;
    if (script.heartbeatIntervalMs) hbTimer = setInterval(() => void heartbeat(), script.heartbeatIntervalMs);

    const finish = async (withEnd: boolean) => {
      if (hbTimer) clearInterval(hbTimer);
      if (withEnd) await frame('end', '[DONE]', undefined, true);
      await chain;
      active.delete(runKey);
      openStreams--;
      armIdle();
      if (!res.writableEnded) res.end();
    };
    const abortIfNeeded = async (): Promise<boolean> => {
      if (clientGone) {
        await finish(false);
        return true;
      }
      if (!run.aborted) return false;
      await frame('abort', '[DONE]', undefined, true);
      await finish(true);
      return true;
    };

    try {
      if (script.heartbeatFirst) await heartbeat();
      if (!authorized(flow, req)) {
        await frame('error', 'Unauthorized', undefined, true);
        await finish(true);
        return;
      }
      if (refused) {
        await frame('error', refused, undefined, true);
        await finish(true);
        return;
      }
      if (flow.agentflow && body.humanInput) {
        // Going on from the Human Input node: its outcome, then the branch it chose.
        pending.delete(turn.chatId);
        await frame('agentFlowEvent', 'INPROGRESS');
        await frame('nextAgentFlow', { ...HUMAN_INPUT_NODE, status: 'FINISHED' });
        await frame('nextAgentFlow', { nodeId: 'llmAgentflow_1', nodeLabel: body.humanInput.type === 'reject' ? 'Stop' : 'Carry out', status: 'INPROGRESS' });
      } else if (flow.agentflow) {
        await frame('agentFlowEvent', 'INPROGRESS');
        await between();
        await frame('nextAgentFlow', { nodeId: 'startAgentflow_0', nodeLabel: 'Start', status: 'INPROGRESS' });
        await frame('nextAgentFlow', { nodeId: 'startAgentflow_0', nodeLabel: 'Start', status: 'FINISHED' });
        await frame('agentReasoning', agentReasoning());
        await frame('nextAgentFlow', { nodeId: 'llmAgentflow_0', nodeLabel: 'Writer', status: 'INPROGRESS' });
      }
      if (flow.thinking) {
        for (const t of tokenize(flow.thinking)) {
          await frame('thinking', t);
          await between();
        }
        await frame('thinking', '', { duration: 2 });
      }
      if (flow.tools) {
        await frame('calledTools', [{ ...toolCall, toolOutput: '' }]);
        await between();
      }
      const tokens = tokenize(turn.answer);
      for (let i = 0; i <= tokens.length; i++) {
        if (await abortIfNeeded()) return;
        if (script.errorAfterTokens === i) {
          await frame('error', script.errorMessage ?? 'Error: model provider returned 500 Internal Server Error', undefined, true);
          await finish(true);
          return;
        }
        if (script.closeEarlyAfterTokens === i) {
          await finish(false);
          return;
        }
        if (script.resetAfterTokens === i) {
          await chain;
          if (hbTimer) clearInterval(hbTimer);
          active.delete(runKey);
          openStreams--;
          // Let what was written reach the client, then reset the TCP connection (RST).
          await new Promise<void>((r) => res.write('', () => r()));
          await sleep(20);
          const sock = res.socket as (Socket & { resetAndDestroy?: () => void }) | null;
          if (sock?.resetAndDestroy) sock.resetAndDestroy();
          else sock?.destroy();
          return;
        }
        if (script.stallAfterTokens === i) {
          if (script.stallMs !== undefined) await sleep(script.stallMs, run.abortSignal);
          else await run.abortSignal.promise;
          if (await abortIfNeeded()) return;
        }
        if (i === tokens.length) break;
        if (i === 0 && !flow.agentflow) await frame('start', tokens[0]);
        await frame('token', tokens[i]);
        await between();
      }
      if (asks) {
        // The Human Input node: it asks (its fixed description, streamed as text), the flow stops, and `action` says how to go on.
        await frame('nextAgentFlow', { nodeId: 'llmAgentflow_0', nodeLabel: 'Writer', status: 'FINISHED' });
        await frame('nextAgentFlow', { ...HUMAN_INPUT_NODE, status: 'INPROGRESS' });
        await frame('token', HUMAN_INPUT_QUESTION);
        turn.answer += HUMAN_INPUT_QUESTION;
        await frame('nextAgentFlow', { ...HUMAN_INPUT_NODE, status: 'STOPPED' });
        await frame('agentFlowExecutedData', [
          { nodeId: 'startAgentflow_0', nodeLabel: 'Start', data: {}, previousNodeIds: [], status: 'FINISHED' },
          { nodeId: 'llmAgentflow_0', nodeLabel: 'Writer', data: {}, previousNodeIds: ['startAgentflow_0'], status: 'FINISHED' },
          { ...HUMAN_INPUT_NODE, data: {}, previousNodeIds: ['llmAgentflow_0'], status: 'STOPPED' },
        ]);
        await frame('agentFlowEvent', 'STOPPED');
        await frame('action', humanInputAction(flow));
        pending.set(turn.chatId, HUMAN_INPUT_NODE.nodeId);
      } else if (flow.agentflow) {
        await frame('nextAgentFlow', { nodeId: body.humanInput ? 'llmAgentflow_1' : 'llmAgentflow_0', nodeLabel: body.humanInput ? (body.humanInput.type === 'reject' ? 'Stop' : 'Carry out') : 'Writer', status: 'FINISHED' });
        await frame('agentFlowExecutedData', [
          { nodeId: 'startAgentflow_0', nodeLabel: 'Start', data: {}, previousNodeIds: [], status: 'FINISHED' },
          { nodeId: 'llmAgentflow_0', nodeLabel: 'Writer', data: { output: { content: turn.answer } }, previousNodeIds: ['startAgentflow_0'], status: 'FINISHED' },
        ]);
        await frame('agentFlowEvent', 'FINISHED');
      }
      if (flow.sources) await frame('sourceDocuments', sourceDocs());
      if (flow.tools) await frame('usedTools', [{ ...toolCall, toolOutput: '42' }]);
      await frame('usageMetadata', { input_tokens: 12, output_tokens: tokens.length, total_tokens: 12 + tokens.length });
      await between();
      if (await abortIfNeeded()) return;
      remember(turn, flow.id);
      const meta: Record<string, unknown> = {
        chatId: turn.chatId,
        chatMessageId: turn.chatMessageId,
        question: turn.question,
        sessionId: turn.sessionId,
        memoryType: 'Buffer Memory',
      };
      if (turn.followUps.length) meta.followUpPrompts = turn.followUps;
      if (asks) meta.action = humanInputAction(flow);
      await frame('metadata', meta);
      await between();
      await finish(true);
    } catch {
      if (hbTimer) clearInterval(hbTimer);
      active.delete(runKey);
      res.destroy();
    }
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (!opts.keepProcessAlive) server.unref();
  armIdle();

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  const api: FlowiseTestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    flows,
    script(flowId, s) {
      const list = scripts.get(flowId) ?? [];
      list.push(...(Array.isArray(s) ? s : [s]));
      scripts.set(flowId, list);
    },
    waitForRequest(pred, timeoutMs) {
      const found = requests.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`No matching request within ${timeoutMs} ms (saw: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'})`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    feedbackOf(messageId) {
      const f = [...feedbacks.values()].find((x) => x.messageId === messageId);
      return f && { rating: f.rating, content: f.content };
    },
    memory(sessionId) {
      return [...(memory.get(sessionId) ?? [])];
    },
    upserted(chatId) {
      return [...(vectors.get(chatId) ?? [])];
    },
    close() {
      if (closing) return closing;
      if (idleTimer) clearTimeout(idleTimer);
      for (const run of active.values()) run.abort();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
  return api;
}
