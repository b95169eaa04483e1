// Helpers for feeding byte streams to the SSE reader in tests.
import { Readable } from 'node:stream';

/** Splits `buf` into pieces at the given byte offsets. */
export function splitAt(buf: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of [...offsets].sort((a, b) => a - b)) {
    if (o > prev && o < buf.length) {
      out.push(buf.subarray(prev, o));
      prev = o;
    }
  }
  out.push(buf.subarray(prev));
  return out;
}

/** A Readable (destroyable, like undici's body) that yields the given chunks. */
export function chunksStream(chunks: Uint8Array[]): Readable {
  return Readable.from(chunks.map((c) => Buffer.from(c)), { objectMode: false });
}

/** A Readable that yields `chunks` and then never ends (until destroyed). */
export function stallingStream(chunks: Uint8Array[]): Readable {
  const r = new Readable({ read() {} });
  for (const c of chunks) r.push(Buffer.from(c));
  return r;
}

/** A slow stream kept alive only by keep-alives: `pings` of them (alternately `event: ping` and a `:keepalive`
 * comment), one every `intervalMs`, then the frame `last`, then the end. */
export function pingingStream(pings: number, intervalMs: number, last: string): Readable {
  const body = new Readable({ read() {} });
  let n = 0;
  const t = setInterval(() => {
    n++;
    if (n <= pings) body.push(n % 2 ? 'event: ping\n\n' : ':keepalive\n\n');
    else {
      body.push(last);
      body.push(null);
      clearInterval(t);
    }
  }, intervalMs);
  return body;
}
