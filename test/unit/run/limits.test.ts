// Sizes are bounded with a message, never a crash: outputs of any depth, JSON bodies of any size, forms of any length.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { normalizeParameters } from '../../../src/providers/dify/parameters';
import { MAX_JSON_BODY, requestJson } from '../../../src/net/http';
import { EntryState } from '../../../src/run/entryState';
import { History } from '../../../src/run/history';
import { bounded, boundedForm, RUN_BOUNDS } from '../../../src/run/limits';
import type { EntryView } from '../../../src/protocol';

function entry(): EntryView {
  return { id: 'e', app: 'A', question: 'q', answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'running', startedAt: 0, canReplaceSelection: false };
}

/** `{"a":{"a":…}}` nested `depth` levels, parsed as a stream frame is (JSON.stringify itself cannot go that deep). */
function nested(depth: number): Record<string, unknown> {
  return JSON.parse(`${'{"a":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`) as Record<string, unknown>;
}

describe('bounds', () => {
  it('outputs nested 20 000 levels deep are cut to the depth bound, and the history saves them', async () => {
    const deep = nested(20_000);
    const state = new EntryState(entry());
    const patch = state.apply({ type: 'outputs', outputs: { result: deep } });
    let depth = 0;
    for (let v: unknown = patch?.outputs?.result; v && typeof v === 'object'; v = (v as { a: unknown }).a) depth++;
    assert.equal(depth, RUN_BOUNDS.depth - 1);
    let saved: unknown;
    const history = await History.load({ read: async () => undefined, write: async (d) => void (saved = JSON.parse(JSON.stringify(d))) });
    history.add(state.entry);
    await history.save();
    assert.ok(JSON.stringify(saved).includes('…'));
  });

  it('long arrays and strings end in a note; a __proto__ key stays a plain key', () => {
    const big = bounded({ list: Array.from({ length: 5000 }, (_, i) => i), text: 'x'.repeat(RUN_BOUNDS.stringChars + 10), ['__proto__']: { polluted: true } }) as Record<string, unknown>;
    assert.equal((big.list as unknown[]).length, RUN_BOUNDS.entries + 1);
    assert.equal((big.list as unknown[]).at(-1), '… 4000 more');
    assert.equal((big.text as string).length, RUN_BOUNDS.stringChars + 1);
    assert.ok(Object.prototype.hasOwnProperty.call(big, '__proto__'));
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('a form of 1000 fields keeps the first ones and says how many were left out', () => {
    const form = Array.from({ length: 1000 }, (_, i) => ({ 'text-input': { variable: `v${i}`, label: `Field ${i}`, required: false } }));
    const p = boundedForm(normalizeParameters({ user_input_form: form }));
    assert.equal(p.fields.length, RUN_BOUNDS.formFields);
    assert.equal(p.droppedFields, 1000 - RUN_BOUNDS.formFields);
  });

  describe('a JSON body larger than the limit', () => {
    let server: Server;
    let url: string;
    before(async () => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      server = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"user_input_form":[');
        let sent = 0;
        const more = (): void => {
          while (sent <= MAX_JSON_BODY) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end(']}');
        };
        res.on('error', () => undefined);
        more();
      }).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it('is refused with a clear error, not read whole', async () => {
      const err = await requestJson({ baseUrl: url }, { path: '/parameters' }).then(() => undefined, (e: Error & { kind?: string }) => e);
      assert.equal(err?.kind, 'too-large');
      assert.match(err!.message, /the answer to GET \/v1\/parameters is larger than 32 MB/);
    });
  });
});
