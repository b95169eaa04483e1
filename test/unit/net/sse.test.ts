import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readSse, SseMessage } from '../../../src/net/sse';
import { ApiError } from '../../../src/net/apiError';
import { chunksStream, pingingStream, splitAt, stallingStream } from '../../support/net/bytes';

async function collect(it: AsyncIterable<SseMessage>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of it) out.push(m);
  return out;
}

const enc = new TextEncoder();

describe('net/sse readSse', () => {
  const text = 'data: {"event":"message","answer":"中文🙂é"}\n\nevent: ping\n\n:heartbeat\n\ndata: {"event":"message_end"}\n\n';
  const bytes = enc.encode(text);

  it('parses data frames, yields pings, skips comments', async () => {
    const got = await collect(readSse(chunksStream([bytes])));
    assert.deepEqual(got.map((m) => [m.event, m.data]), [
      [undefined, '{"event":"message","answer":"中文🙂é"}'],
      ['ping', ''],
      [undefined, '{"event":"message_end"}'],
    ]);
  });

  it('gives identical results for every single split point (inside multi-byte characters too)', async () => {
    const expected = await collect(readSse(chunksStream([bytes])));
    for (let i = 1; i < bytes.length; i++) {
      const got = await collect(readSse(chunksStream(splitAt(bytes, [i]))));
      assert.deepEqual(got, expected, `split at byte ${i}`);
    }
  });

  it('handles one byte per read', async () => {
    const pieces = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
    const got = await collect(readSse(chunksStream(pieces)));
    assert.equal(got.length, 3);
    assert.equal(JSON.parse(got[0].data).answer, '中文🙂é');
  });

  it('handles CRLF and bare CR line endings, split anywhere', async () => {
    const crlf = enc.encode(text.replace(/\n/g, '\r\n'));
    const expected = await collect(readSse(chunksStream([bytes])));
    for (let i = 1; i < crlf.length; i += 3) {
      assert.deepEqual(await collect(readSse(chunksStream(splitAt(crlf, [i])))), expected, `crlf split ${i}`);
    }
    const cr = enc.encode(text.replace(/\n/g, '\r'));
    assert.deepEqual(await collect(readSse(chunksStream([cr]))), expected);
  });

  it('reads a ping as the very first frame and pings without a space', async () => {
    const got = await collect(readSse(chunksStream([enc.encode('event: ping\n\nevent:ping\n\ndata:{"a":1}\n\n')])));
    assert.deepEqual(got.map((m) => m.event ?? m.data), ['ping', 'ping', '{"a":1}']);
  });

  it('keeps event and id fields (Flowise-style message: lines are ignored)', async () => {
    const got = await collect(readSse(chunksStream([enc.encode('message:\ndata:{"event":"token","data":"hi"}\n\nid: 7\nevent: x\ndata: a\ndata: b\n\n')])));
    assert.deepEqual(got[0], { id: undefined, event: undefined, data: '{"event":"token","data":"hi"}' });
    assert.equal(got[1].event, 'x');
    assert.equal(got[1].id, '7');
    assert.equal(got[1].data, 'a\nb');
  });

  it('drops an incomplete trailing event', async () => {
    const got = await collect(readSse(chunksStream([enc.encode('data: {"a":1}\n\ndata: {"b":')])));
    assert.equal(got.length, 1);
  });

  it('throws idle-timeout when no bytes arrive and destroys the body', async () => {
    const body = stallingStream([enc.encode('data: {"a":1}\n\n')]);
    const got: SseMessage[] = [];
    await assert.rejects(
      (async () => {
        for await (const m of readSse(body, { idleTimeoutMs: 150, route: 'POST /x' })) got.push(m);
      })(),
      (e: unknown) => e instanceof ApiError && e.kind === 'idle-timeout' && /POST \/x/.test(e.message),
    );
    assert.equal(got.length, 1);
    assert.equal(body.destroyed, true);
  });

  it('pings and comments keep a slow stream alive', async () => {
    const body = pingingStream(4, 60, 'data: {"done":true}\n\n');
    const got = await collect(readSse(body, { idleTimeoutMs: 250 }));
    assert.deepEqual(got.map((m) => m.event ?? m.data), ['ping', 'ping', '{"done":true}']);
  });

  it('aborts promptly with kind aborted and releases the body', async () => {
    const body = stallingStream([enc.encode('data: {"a":1}\n\n')]);
    const ctl = new AbortController();
    const it = readSse(body, { signal: ctl.signal, idleTimeoutMs: 10_000 });
    const first = await it.next();
    assert.equal(first.done, false);
    setTimeout(() => ctl.abort(), 20);
    await assert.rejects(it.next(), (e: unknown) => e instanceof ApiError && e.kind === 'aborted');
    assert.equal(body.destroyed, true);
  });

  it('an already-aborted signal fails before reading', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(collect(readSse(chunksStream([bytes]), { signal: ctl.signal })), (e: unknown) => e instanceof ApiError && e.kind === 'aborted');
  });

  it('breaking out of the loop destroys the body', async () => {
    const body = stallingStream([enc.encode('data: 1\n\ndata: 2\n\n')]);
    for await (const m of readSse(body)) {
      assert.equal(m.data, '1');
      break;
    }
    assert.equal(body.destroyed, true);
  });

  it('a reset body maps to kind reset', async () => {
    const body = new Readable({ read() {} });
    body.push('data: {"a":1}\n\n');
    setTimeout(() => body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), 20);
    const got: SseMessage[] = [];
    await assert.rejects(
      (async () => {
        for await (const m of readSse(body)) got.push(m);
      })(),
      (e: unknown) => e instanceof ApiError && e.kind === 'reset',
    );
    assert.equal(got.length, 1);
  });

  it('streams a multi-megabyte body in large chunks correctly', async () => {
    const frame = 'data: {"event":"message","answer":"' + '文字abc'.repeat(10) + '"}\n\n';
    const buf = Buffer.from(frame.repeat(40_000));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < buf.length; i += 65_537) chunks.push(buf.subarray(i, i + 65_537));
    let n = 0;
    for await (const m of readSse(chunksStream(chunks))) {
      if (JSON.parse(m.data).answer.length === 50) n++;
    }
    assert.equal(n, 40_000);
  });
});
