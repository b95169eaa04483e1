/**
 * Baseline: the stream parsing of the official Dify Node SDK, as described in /work/shared/dify-api.md §H
 * (`sdks/nodejs-client/src/http/sse.ts` of the TypeScript rewrite). That rewrite is NOT on npm: the newest
 * published `dify-client` (2.3.2, our devDependency) is the old axios SDK, whose `createChatMessage(…, stream=true)`
 * hands back axios's raw Node stream (`response.data`) and leaves parsing to the caller. So this file re-states the
 * documented algorithm — same steps, same per-line async iteration — to give the SDK's consumers a parser:
 *   UTF-8 StringDecoder → split into lines at '\n' (dropping a trailing '\r') → skip ':' comments → remember an
 *   `event:` value, collect `data:` values (leading whitespace trimmed) → on a blank line emit
 *   `{ event, data: JSON.parse(joined) or the raw string (null when empty), raw }`.
 * A ping therefore arrives as `{event:'ping', data:null}` and normal chunks as `{event: undefined, data:{event:…}}`.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface SdkStreamEvent {
  event?: string;
  data: unknown;
  raw: string;
}

async function* lines(stream: Readable | AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending += decoder.write(chunk);
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
  }
  pending += decoder.end();
  if (pending) yield pending;
}

function jsonOrText(value: string): unknown {
  if (!value) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export async function* parseSdkStream(stream: Readable | AsyncIterable<Buffer>): AsyncGenerator<SdkStreamEvent> {
  let event: string | undefined;
  const data: string[] = [];
  const take = (): SdkStreamEvent | undefined => {
    if (event === undefined && data.length === 0) return undefined;
    const raw = data.join('\n');
    const out: SdkStreamEvent = { event, data: jsonOrText(raw), raw };
    event = undefined;
    data.length = 0;
    return out;
  };
  for await (const line of lines(stream)) {
    if (line === '') {
      const ev = take();
      if (ev) yield ev;
    } else if (line.startsWith(':')) {
      continue;
    } else if (line.startsWith('event:')) {
      event = line.slice(6).trim();
    } else if (line.startsWith('data:')) {
      data.push(line.slice(5).trimStart());
    }
  }
  const last = take();
  if (last) yield last;
}
