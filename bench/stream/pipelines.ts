/**
 * The three consumers of the same recorded bytes, each fed through a Node Readable (what undici's body and axios'
 * response stream are) in the given read sizes:
 *   ours  — the project's real pipeline: readSseBatches (eventsource-parser) → parseDifyEvent → RunEventMapper →
 *           RunEvents, through difyRunEvents: exactly the loop of DifyClient.run, without the socket;
 *   sdk   — the Dify SDK's documented stream parsing (sdkParser.ts), reading answers out of `data`;
 *   floor — a raw read: UTF-8 decode and count characters.
 * Each returns a checksum so the bench can prove all of them saw the same stream.
 */
import { Readable } from 'node:stream';
import { difyRunEvents } from '../../src/providers/dify/client';
import { RunEventMapper } from '../../src/providers/dify/runEvents';
import { parseSdkStream } from './sdkParser';

export interface Checksum {
  /** Events seen: SSE events (pings included) for sdk; RunEvents for ours (what DifyClient.run yields). */
  events: number;
  /** Characters of answer text recovered (UTF-16 units); the floor reports decoded characters instead. */
  chars: number;
  /** Provider-neutral RunEvents produced (ours only). */
  runEvents?: number;
}

export type PipelineName = 'ours' | 'sdk' | 'floor';

/** A fresh body over the chunks (no copies), as a network client would hand it over. */
export function body(chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

export async function ours(src: AsyncIterable<Uint8Array> & { destroy?(): unknown }, onEvent?: (n: number) => void): Promise<Checksum> {
  const route = 'POST /chat-messages';
  const mapper = new RunEventMapper('advanced-chat', { route });
  let runEvents = 0;
  for await (const ev of difyRunEvents(async () => ({ body: src, route }), mapper, { route, idleTimeoutMs: 120_000 })) {
    void ev;
    onEvent?.(++runEvents);
  }
  return { events: runEvents, chars: mapper.answer.length, runEvents };
}

export async function sdk(src: AsyncIterable<Buffer>, onEvent?: (n: number) => void): Promise<Checksum> {
  // Like any consumer that shows the answer, keep it (as our mapper does), so memory compares like with like.
  let events = 0;
  let answer = '';
  for await (const ev of parseSdkStream(src)) {
    events++;
    const d = ev.data as { event?: string; answer?: string; data?: { text?: string } } | null;
    if (d && typeof d === 'object') {
      if (d.event === 'message' && typeof d.answer === 'string') answer += d.answer;
      else if (d.event === 'text_chunk' && typeof d.data?.text === 'string') answer += d.data.text;
    }
    onEvent?.(events);
  }
  return { events, chars: answer.length };
}

export async function floor(src: AsyncIterable<Uint8Array>): Promise<Checksum> {
  const decoder = new TextDecoder('utf-8');
  let chars = 0;
  let reads = 0;
  for await (const c of src) {
    chars += decoder.decode(c, { stream: true }).length;
    reads++;
  }
  chars += decoder.decode().length;
  return { events: reads, chars };
}

export const PIPELINES: Record<PipelineName, (chunks: Buffer[], onEvent?: (n: number) => void) => Promise<Checksum>> = {
  ours: (c, on) => ours(body(c), on),
  sdk: (c, on) => sdk(body(c), on),
  floor: (c) => floor(body(c)),
};
