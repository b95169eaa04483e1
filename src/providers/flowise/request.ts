// Building the Flowise prediction body from a provider-neutral RunRequest (Interface.ts::IncomingInput).
import { mimeOfName } from '../../net/mime';
import type { FileRef, RunRequest } from '../types';

/** One message of explicit history (`history` field). The legacy `{type, message}` form is also accepted. */
export interface FlowiseHistoryMessage {
  role: 'userMessage' | 'apiMessage';
  content: string;
}

/** A file for Flowise: a `data:` URI (sent as `type:'file'`) or an http(s) URL (`type:'url'`). */
export interface FlowiseFileRef extends FileRef {
  name?: string;
  mimeType?: string;
  /** A document for the chatflow's vector store: upserted with the chat's id before the prediction, then sent
   * as `file:rag` (Flowise's own chat does the same). */
  rag?: boolean;
}

/** An answer to an Agentflow v2 Human Input node (`IHumanInput`). */
export interface FlowiseHumanInput {
  type: 'proceed' | 'reject';
  /** The node that asked (`action.data.nodeId`): the flow goes on from there. */
  startNodeId: string;
  feedback?: string;
}

/** A RunRequest with the Flowise-only extras. */
export interface FlowiseRunRequest extends RunRequest {
  history?: Array<FlowiseHistoryMessage | { role: 'user' | 'assistant'; content: string } | { type: string; message: string }>;
  files?: FlowiseFileRef[];
  humanInput?: FlowiseHumanInput;
}

export interface FlowiseUpload {
  data: string;
  type: 'file' | 'url' | 'file:rag';
  name: string;
  mime: string;
}

export interface PredictionBody {
  question: string;
  chatId: string;
  streaming?: boolean;
  overrideConfig?: { sessionId?: string; vars?: Record<string, unknown> };
  history?: FlowiseHistoryMessage[];
  uploads?: FlowiseUpload[];
  humanInput?: FlowiseHumanInput;
}

/** The question: the query, or the inputs (one value as is; several as `name: value` lines). */
export function questionFrom(request: RunRequest): string {
  if (typeof request.query === 'string' && request.query.trim()) return request.query;
  const entries = Object.entries(request.inputs ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== '');
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (entries.length === 1) return show(entries[0][1]);
  return entries.map(([k, v]) => `${k}: ${show(v)}`).join('\n');
}

function nameFromUrl(url: string, index: number): string {
  if (url.startsWith('data:')) return `file-${index + 1}`;
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : `file-${index + 1}`;
  } catch {
    return `file-${index + 1}`;
  }
}

function mimeFor(f: FlowiseFileRef, url: string, name: string): string {
  if (f.mimeType) return f.mimeType;
  const m = /^data:([^;,]+)[;,]/i.exec(url);
  if (m) return m[1].toLowerCase();
  const known = mimeOfName(name);
  if (known) return known;
  if (f.type === 'image') return 'image/png';
  if (f.type === 'audio') return 'audio/webm';
  return 'application/octet-stream';
}

/** A file attached from VS Code, as Flowise takes it: inline in the prediction (a base64 data URI; nothing is
 * uploaded first). */
export function inlineFile(file: { name: string; data: Uint8Array; mimeType: string }, type: FileRef['type']): FlowiseFileRef {
  const data = Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength).toString('base64');
  return { type, transfer_method: 'local_file', url: `data:${file.mimeType};base64,${data}`, name: file.name, mimeType: file.mimeType };
}

/** The bytes of an inline (`data:…;base64,`) file, for the vector upsert; undefined for anything else. */
export function inlineBytes(f: FlowiseFileRef): Uint8Array | undefined {
  const m = /^data:[^,]*;base64,/i.exec(f.url ?? '');
  return m ? Buffer.from(f.url!.slice(m[0].length), 'base64') : undefined;
}

/** FileRefs → Flowise `uploads`. Refs without a URL (Dify upload ids) cannot be sent and are returned in `skipped`. */
export function uploadsFrom(files: FlowiseFileRef[] | undefined): { uploads: FlowiseUpload[]; skipped: number } {
  const uploads: FlowiseUpload[] = [];
  let skipped = 0;
  (files ?? []).forEach((f, i) => {
    const url = f.url?.trim();
    if (!url || !/^(data:|https?:)/i.test(url)) {
      skipped++;
      return;
    }
    const name = f.name ?? nameFromUrl(url, i);
    const inline = url.startsWith('data:');
    uploads.push({ data: url, type: inline ? (f.rag ? 'file:rag' : 'file') : 'url', name, mime: mimeFor(f, url, name) });
  });
  return { uploads, skipped };
}

function historyFrom(h: FlowiseRunRequest['history']): FlowiseHistoryMessage[] {
  const out: FlowiseHistoryMessage[] = [];
  for (const m of h ?? []) {
    if ('role' in m && typeof m.content === 'string') {
      const role = m.role === 'user' || m.role === 'userMessage' ? 'userMessage' : 'apiMessage';
      out.push({ role, content: m.content });
    } else if ('type' in m && typeof m.message === 'string') {
      out.push({ role: m.type === 'userMessage' || m.type === 'human' ? 'userMessage' : 'apiMessage', content: m.message });
    }
  }
  return out;
}

/** The JSON body of `POST /api/v1/prediction/{id}`. */
export function buildPredictionBody(
  request: FlowiseRunRequest,
  opts: { chatId: string; streaming: boolean },
): { body: PredictionBody; skippedFiles: number } {
  const body: PredictionBody = { question: questionFrom(request), chatId: opts.chatId };
  if (opts.streaming) body.streaming = true;
  const overrideConfig: NonNullable<PredictionBody['overrideConfig']> = {};
  if (request.conversationId) overrideConfig.sessionId = request.conversationId;
  const vars = Object.fromEntries(Object.entries(request.inputs ?? {}).filter(([, v]) => v !== undefined && v !== null));
  if (Object.keys(vars).length) overrideConfig.vars = vars;
  if (Object.keys(overrideConfig).length) body.overrideConfig = overrideConfig;
  const history = historyFrom(request.history);
  if (history.length) body.history = history;
  const { uploads, skipped } = uploadsFrom(request.files);
  if (uploads.length) body.uploads = uploads;
  if (request.humanInput) body.humanInput = request.humanInput;
  return { body, skippedFiles: skipped };
}
