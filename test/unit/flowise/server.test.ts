// The Flowise-compatible test server itself: wire format and routes as the real server has them.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DEMO_FLOW_ID, DEMO_FLOW_KEY, demoFlows, startFlowiseServer, type FlowiseTestServer } from '../../support/flowise/server';

async function raw(url: string, init?: RequestInit): Promise<{ status: number; type: string; text: string; headers: Headers }> {
  const r = await fetch(url, init);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text(), headers: r.headers };
}

const post = (body: unknown, key?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
  body: JSON.stringify(body),
});

describe('Flowise test server', () => {
  let server: FlowiseTestServer;
  before(async () => {
    server = await startFlowiseServer();
  });
  after(() => server.close());

  it('streams real Flowise framing: message:/data: without a space, start+token, metadata, end', async () => {
    const r = await raw(`${server.url}/api/v1/prediction/${DEMO_FLOW_ID}`, post({ question: 'hi', streaming: true, chatId: 'c-1' }, DEMO_FLOW_KEY));
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/event-stream/);
    assert.equal(r.headers.get('x-accel-buffering'), 'no');
    const frames = r.text.split('\n\n').filter(Boolean);
    for (const f of frames) assert.match(f, /^message:?\ndata:\{/);
    const events = frames.map((f) => JSON.parse(f.slice(f.indexOf('data:') + 5)) as { event: string; data: unknown });
    const names = events.map((e) => e.event);
    assert.equal(names[0], 'calledTools');
    assert.equal(names[1], 'start');
    assert.equal(events[1].data, events[2].data, 'start repeats the first token');
    assert.deepEqual(names.slice(-2), ['metadata', 'end']);
    assert.ok(names.includes('sourceDocuments') && names.includes('usedTools'));
    const meta = events.at(-2)!.data as { chatId: string; sessionId: string; followUpPrompts: string[] };
    assert.equal(meta.chatId, 'c-1');
    assert.equal(meta.sessionId, 'c-1');
    assert.ok(Array.isArray(meta.followUpPrompts));
    assert.ok(frames.at(-1)!.startsWith('message\ndata:'), 'end uses the older `message` line');
  });

  it('keyed flow: bad key → error + end inside a 200 stream; JSON path → 401 body', async () => {
    const s = await raw(`${server.url}/api/v1/prediction/${DEMO_FLOW_ID}`, post({ question: 'hi', streaming: true }, 'bad'));
    assert.equal(s.status, 200);
    assert.equal(s.text, 'message\ndata:{"event":"error","data":"Unauthorized"}\n\nmessage\ndata:{"event":"end","data":"[DONE]"}\n\n');
    const j = await raw(`${server.url}/api/v1/prediction/${DEMO_FLOW_ID}`, post({ question: 'hi' }));
    assert.equal(j.status, 401);
    assert.deepEqual(JSON.parse(j.text), { statusCode: 401, success: false, message: 'Unauthorized', stack: {} });
  });

  it('routes: 404/412 error bodies, chatflows-streaming, chatflows-uploads, abort, ping', async () => {
    const nf = await raw(`${server.url}/api/v1/prediction/nope`, post({ question: 'x', streaming: true }));
    assert.equal(nf.status, 404);
    assert.deepEqual(JSON.parse(nf.text), { statusCode: 404, success: false, message: 'Chatflow nope not found', stack: {} });
    const noId = await raw(`${server.url}/api/v1/prediction/`, post({ question: 'x' }));
    assert.equal(noId.status, 412);
    assert.equal(JSON.parse(noId.text).statusCode, 412);
    assert.deepEqual(JSON.parse((await raw(`${server.url}/api/v1/chatflows-streaming/${DEMO_FLOW_ID}`)).text), { isStreaming: true });
    assert.deepEqual(JSON.parse((await raw(`${server.url}/api/v1/chatflows-streaming/demo-flowise-blocking`)).text), { isStreaming: false });
    assert.equal((await raw(`${server.url}/api/v1/chatflows-streaming/nope`)).status, 404);
    const up = JSON.parse((await raw(`${server.url}/api/v1/chatflows-uploads/${DEMO_FLOW_ID}`)).text);
    assert.equal(up.isImageUploadAllowed, true);
    assert.equal(up.isRAGFileUploadAllowed, false);
    const ab = await raw(`${server.url}/api/v1/chatmessage/abort/${DEMO_FLOW_ID}/whatever`, { method: 'PUT' });
    assert.deepEqual(JSON.parse(ab.text), { status: 200, message: 'Chat message aborted' });
    assert.equal((await raw(`${server.url}/api/v1/ping`)).text, 'pong');
  });

  it('answers a non-streaming flow with the JSON reply even when streaming is asked', async () => {
    const r = await raw(`${server.url}/api/v1/prediction/demo-flowise-blocking`, post({ question: 'plain', streaming: true }));
    assert.match(r.type, /^application\/json/);
    const j = JSON.parse(r.text);
    assert.equal(j.text, 'You asked: plain');
    assert.equal(typeof j.followUpPrompts, 'string');
    assert.equal(j.sessionId, j.chatId);
    assert.ok(Array.isArray(j.sourceDocuments));
  });

  it('waitForRequest sees past and future requests and rejects after its timeout', async () => {
    await raw(`${server.url}/api/v1/ping`);
    assert.equal((await server.waitForRequest((r) => r.path === '/api/v1/ping', 100)).method, 'GET');
    const later = server.waitForRequest((r) => r.path === '/api/v1/chatflows-streaming/later', 2000);
    await raw(`${server.url}/api/v1/chatflows-streaming/later`);
    assert.equal((await later).flowId, 'later');
    await assert.rejects(server.waitForRequest(() => false, 20), /No matching request/);
  });

  it('closes itself after the idle timeout', async () => {
    const s = await startFlowiseServer({ flows: demoFlows(), idleTimeoutMs: 50 });
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(fetch(`${s.url}/api/v1/ping`));
    await s.close();
  });

  it('the CLI prints its URL as one JSON line, serves, and stops when stdin closes', async function () {
    this.timeout(30_000);
    const cli = path.join(__dirname, '../../support/flowise/cli.ts');
    const tsx = path.join(__dirname, '../../../node_modules/.bin/tsx');
    const child = spawn(tsx, [cli, '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl >= 0) resolve(buf.slice(0, nl));
      });
      child.on('exit', (code) => reject(new Error(`cli exited early with ${code}`)));
    });
    const info = JSON.parse(line) as { url: string; flows: { id: string }[] };
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(info.flows.some((f) => f.id === DEMO_FLOW_ID));
    assert.equal((await raw(`${info.url}/api/v1/ping`)).text, 'pong');
    child.stdin.end();
    assert.equal(await exited, 0);
  });
});
