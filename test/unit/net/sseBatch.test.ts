import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readSse, readSseBatches, ReadSseOptions, SseMessage } from '../../../src/net/sse';
import { ApiError } from '../../../src/net/apiError';
import { chunksStream, pingingStream, splitAt, stallingStream } from '../../support/net/bytes';

type Tuple = [string | undefined, string | undefined, string];
const tuple = (m: SseMessage): Tuple => [m.id, m.event, m.data];

async function batches(body: Readable, opts?: ReadSseOptions): Promise<SseMessage[][]> {
  const out: SseMessage[][] = [];
  for await (const b of readSseBatches(body, opts)) out.push(b);
  return out;
}
async function flat(body: Readable, opts?: ReadSseOptions): Promise<Tuple[]> {
  return (await batches(body, opts)).flat().map(tuple);
}
async function single(body: Readable, opts?: ReadSseOptions): Promise<Tuple[]> {
  const out: Tuple[] = [];
  for await (const m of readSse(body, opts)) out.push(tuple(m));
  return out;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();

describe('net/sse readSseBatches', () => {
  // Every edge case at once: a BOM, comments, `data:` with and without a space (only one space stripped), LF, CRLF
  // and bare CR, bare pings (with and without a space), multi-line data, `id:`/`event:` lines, `retry:` and unknown
  // fields, a field without a colon, multi-byte UTF-8 (split anywhere below), and an incomplete trailing event.
  const text =
    '\uFEFF: comment\n' +
    'data: {"a":1}\n\n' +
    'data:{"b":2}\r\n\r\n' +
    'event: ping\n\n' +
    ':keepalive\n\n' +
    'event:ping\r\rdata: x\rdata:  y\r\r' +
    'id: 7\nevent: custom\ndata: line1\ndata: line2\n\n' +
    'data: 中文🙂é\n\n' +
    'retry: 100\nfoo: bar\ndata\n\n' +
    'data: {"answer":"ok"}\r\n\r\n' +
    'data: tail';
  const bytes = enc.encode(text);
  const expected: Tuple[] = [
    [undefined, undefined, '{"a":1}'],
    [undefined, undefined, '{"b":2}'],
    [undefined, 'ping', ''],
    [undefined, 'ping', ''],
    [undefined, undefined, 'x\n y'],
    ['7', 'custom', 'line1\nline2'],
    [undefined, undefined, '中文🙂é'],
    [undefined, undefined, ''],
    [undefined, undefined, '{"answer":"ok"}'],
  ];

  it('parses every edge case (BOM, comments, CR/LF/CRLF, pings, multi-line data, id/event, trailing event dropped)', async () => {
    assert.deepEqual(await flat(chunksStream([bytes])), expected);
  });

  it('split at every byte boundary gives identical events, batched and through readSse', async () => {
    for (let i = 1; i < bytes.length; i++) {
      assert.deepEqual(await flat(chunksStream(splitAt(bytes, [i]))), expected, `batches, split at byte ${i}`);
      assert.deepEqual(await single(chunksStream(splitAt(bytes, [i]))), expected, `readSse, split at byte ${i}`);
    }
  });

  it('split at every pair of boundaries (a short stream) gives identical events', async () => {
    const small = enc.encode('\uFEFFevent: ping\r\n\r\ndata: é🙂\r\rid: 1\ndata:x\n\n');
    const want = await flat(chunksStream([small]));
    assert.deepEqual(want, [[undefined, 'ping', ''], [undefined, undefined, 'é🙂'], ['1', undefined, 'x']]);
    for (let i = 1; i < small.length; i++) {
      for (let j = i + 1; j < small.length; j++) {
        assert.deepEqual(await flat(chunksStream(splitAt(small, [i, j]))), want, `split at ${i}, ${j}`);
      }
    }
  });

  it('one byte per read gives identical events', async () => {
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    assert.deepEqual(await flat(chunksStream(pieces)), expected);
  });

  it('yields one fresh array per read that completes events, nothing for reads that complete none', async () => {
    const got = await batches(chunksStream([enc.encode('data: 1\n\ndata: 2\n\ndata: 3'), enc.encode('\n'), enc.encode('\n:c\n\n'), enc.encode('data: 4\n\n')]));
    assert.deepEqual(got.map((b) => b.map((m) => m.data)), [['1', '2'], ['3'], ['4']]);
    assert.notEqual(got[0], got[1]);
  });

  it('pings: false leaves out bare pings (and only them); everything else is identical at every split', async () => {
    const want = expected.filter(([, event]) => event !== 'ping');
    assert.deepEqual(await flat(chunksStream([bytes]), { pings: false }), want);
    for (let i = 1; i < bytes.length; i += 2) {
      assert.deepEqual(await flat(chunksStream(splitAt(bytes, [i])), { pings: false }), want, `split at byte ${i}`);
    }
    // a ping frame that carries data is still an event named ping
    assert.deepEqual(await flat(chunksStream([enc.encode('event: ping\ndata: {}\n\n')]), { pings: false }), [[undefined, 'ping', '{}']]);
  });

  it('an event that grows past maxEventChars while buffered fails as malformed', async () => {
    const big = enc.encode(`data: 1\n\ndata: ${'x'.repeat(5000)}\n\n`);
    const pieces = Array.from({ length: Math.ceil(big.length / 500) }, (_, i) => big.subarray(i * 500, i * 500 + 500));
    await assert.rejects(batches(chunksStream(pieces), { maxEventChars: 1000, route: 'POST /x' }), (e: unknown) => e instanceof ApiError && e.kind === 'malformed' && /POST \/x/.test(e.message));
  });

  it('throws idle-timeout when no bytes arrive, after yielding what came, and destroys the body', async () => {
    const body = stallingStream([enc.encode('data: {"a":1}\n\ndata: 2\n\n')]);
    const got: SseMessage[][] = [];
    const t0 = Date.now();
    await assert.rejects(
      (async () => {
        for await (const b of readSseBatches(body, { idleTimeoutMs: 150, route: 'POST /x' })) got.push(b);
      })(),
      (e: unknown) => e instanceof ApiError && e.kind === 'idle-timeout' && e.message === 'The server sent nothing for 150 ms (POST /x); the connection looks stalled.',
    );
    assert.ok(Date.now() - t0 >= 140);
    assert.deepEqual(got.map((b) => b.length), [2]);
    assert.equal(body.destroyed, true);
  });

  it('the idle clock only runs while waiting for the network: a slow consumer does not time out', async () => {
    const body = new Readable({ read() {} });
    body.push('data: 1\n\n');
    setTimeout(() => body.push('data: 2\n\n'), 20);
    setTimeout(() => {
      body.push('data: 3\n\n');
      body.push(null);
    }, 40);
    const got: string[] = [];
    for await (const b of readSseBatches(body, { idleTimeoutMs: 80 })) {
      for (const m of b) got.push(m.data);
      await sleep(200); // longer than the idle timeout, but the next bytes are already there
    }
    assert.deepEqual(got, ['1', '2', '3']);
  });

  it('pings and comments keep a slow stream alive', async () => {
    const body = pingingStream(4, 60, 'data: {"done":true}\n\n');
    assert.deepEqual((await flat(body, { idleTimeoutMs: 250, pings: false })).map((m) => m[2]), ['{"done":true}']);
  });

  it('aborts promptly while waiting, with kind aborted, and releases the body', async () => {
    const body = stallingStream([enc.encode('data: {"a":1}\n\n')]);
    const ctl = new AbortController();
    const it = readSseBatches(body, { signal: ctl.signal, idleTimeoutMs: 10_000, route: 'POST /y' });
    const first = await it.next();
    assert.equal(first.done, false);
    const t0 = Date.now();
    setTimeout(() => ctl.abort(), 20);
    await assert.rejects(it.next(), (e: unknown) => e instanceof ApiError && e.kind === 'aborted' && e.message === 'The request was cancelled (POST /y).');
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(body.destroyed, true);
  });

  it('an abort while the consumer holds a batch fails the next read', async () => {
    const body = new Readable({ read() {} });
    body.push('data: 1\n\n');
    const ctl = new AbortController();
    const it = readSseBatches(body, { signal: ctl.signal });
    assert.deepEqual((await it.next()).value?.map((m: SseMessage) => m.data), ['1']);
    ctl.abort();
    body.push('data: 2\n\n');
    await assert.rejects(it.next(), (e: unknown) => e instanceof ApiError && e.kind === 'aborted');
    assert.equal(body.destroyed, true);
  });

  it('an already-aborted signal fails before reading', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(batches(chunksStream([bytes]), { signal: ctl.signal }), (e: unknown) => e instanceof ApiError && e.kind === 'aborted');
  });

  it('breaking out of the loop destroys the body', async () => {
    const body = stallingStream([enc.encode('data: 1\n\ndata: 2\n\n')]);
    for await (const b of readSseBatches(body)) {
      assert.equal(b.length, 2);
      break;
    }
    assert.equal(body.destroyed, true);
  });

  it('does not keep the chunks it has read alive (memory stays flat on a long stream)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const frame = Buffer.from(`data: {"answer":"${'x'.repeat(64 * 1024)}"}\n\n`);
    let n = 0;
    const body = new Readable({
      read() {
        this.push(n++ < 400 ? Buffer.from(frame) : null); // 400 fresh 64 KB reads, about 26 MB in all
      },
    });
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let seen = 0;
    let grown = 0;
    for await (const b of readSseBatches(body, { idleTimeoutMs: 10_000 })) {
      seen += b.length;
      if (seen === 390) {
        gc();
        grown = process.memoryUsage().arrayBuffers - base;
      }
    }
    assert.equal(seen, 400);
    assert.ok(grown < 8 * 1024 * 1024, `array buffers grew by ${(grown / 1e6).toFixed(1)} MB while reading`);
  });

  it('a reset body maps to kind reset after the events that came', async () => {
    const body = new Readable({ read() {} });
    body.push('data: {"a":1}\n\n');
    setTimeout(() => body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), 20);
    const got: SseMessage[] = [];
    await assert.rejects(
      (async () => {
        for await (const b of readSseBatches(body)) got.push(...b);
      })(),
      (e: unknown) => e instanceof ApiError && e.kind === 'reset',
    );
    assert.equal(got.length, 1);
  });
});
