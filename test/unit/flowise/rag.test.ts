// Flowise document (RAG) uploads against the Flowise-compatible test server: what the chatflow allows, the upsert
// with the chat's id before the prediction (as Flowise's own chat does it), the `file:rag` uploads, and the refusals.
import * as assert from 'node:assert/strict';
import { attachmentsField, fileProblem, fileRefType } from '../../../src/run/inputForm';
import { inlineFile, type FlowiseFileRef } from '../../../src/providers/flowise/request';
import { startFlowiseServer, type FlowiseTestFlow, type FlowiseTestServer } from '../../support/flowise/server';
import { answerOf, clientFor, collect, expectApiError, ofType, predictions, run } from './helpers';

const KEY = 'sk-flowise-rag-0987654321';
const DOC_TYPES = [{ fileTypes: ['.txt', '.md', '.pdf'], maxUploadSize: 1 }];

const flows: FlowiseTestFlow[] = [
  { id: 'docs', name: 'Docs', streaming: true, apiKey: KEY, uploads: { isRAGFileUploadAllowed: true, fileUploadSizeAndTypes: DOC_TYPES } },
  { id: 'docs-blocking', name: 'Docs blocking', streaming: false, uploads: { isRAGFileUploadAllowed: true, fileUploadSizeAndTypes: DOC_TYPES } },
  { id: 'anything', name: 'Anything', streaming: true, uploads: { isRAGFileUploadAllowed: true, isImageUploadAllowed: true, fileUploadSizeAndTypes: [{ fileTypes: ['*'], maxUploadSize: 2 }] } },
  { id: 'images', name: 'Images', streaming: true, uploads: { isImageUploadAllowed: true } },
];

const NOTES = '部署说明：先运行 docker compose up -d，然后打开 http://localhost。🚀';
const utf8 = (s: string) => new TextEncoder().encode(s);
const uploads = (server: FlowiseTestServer, flow: string) => server.requests.filter((r) => r.method === 'POST' && r.path === `/api/v1/vector/upsert/${flow}`);

describe('Flowise document uploads (RAG)', function () {
  this.timeout(20_000);
  let server: FlowiseTestServer;

  before(async () => {
    server = await startFlowiseServer({ flows });
  });
  after(async () => {
    await server.close();
  });

  it('offers documents by the extensions and size the chatflow allows; `*` takes any file', async () => {
    const p = await clientFor(server, 'docs', { apiKey: KEY }).parameters();
    assert.equal(p.fileUpload?.enabled, true);
    assert.deepEqual(p.fileUpload?.allowedFileTypes, ['custom']);
    assert.deepEqual(p.fileUpload?.allowedFileExtensions, ['.txt', '.md', '.pdf']);
    assert.equal(p.limits.fileSizeLimitMb, 1);
    // What the attach flow makes of it: the app's attachments field checks type and size before anything is sent.
    const field = attachmentsField(p, 'Files')!;
    assert.equal(fileProblem(field, '部署说明.md', 1000, p.limits), undefined);
    assert.match(fileProblem(field, 'tool.exe', 1000, p.limits) ?? '', /does not accept tool\.exe/);
    assert.match(fileProblem(field, 'big.pdf', 2 * 1024 * 1024, p.limits) ?? '', /larger than the 1 MB/);
    assert.equal(fileRefType(field, 'notes.md'), 'custom');
    const any = await clientFor(server, 'anything').parameters();
    assert.equal(any.fileUpload?.allowedFileTypes, undefined, 'any type');
    assert.equal(any.limits.fileSizeLimitMb, 2);
    const images = await clientFor(server, 'images').parameters();
    assert.deepEqual(images.fileUpload?.allowedFileTypes, ['image']);
  });

  it('attach: an image goes to the model, anything else is a document for the vector store', async () => {
    const c = clientFor(server, 'anything');
    const img = (await c.attach({ name: 'shot.png', data: new Uint8Array([1, 2]), mimeType: 'image/png' }, 'image')) as FlowiseFileRef;
    assert.equal(img.rag, undefined);
    const doc = (await c.attach({ name: '说明.md', data: utf8(NOTES), mimeType: 'text/markdown' }, 'custom')) as FlowiseFileRef;
    assert.equal(doc.rag, true);
    assert.equal(doc.url, `data:text/markdown;base64,${Buffer.from(NOTES).toString('base64')}`);
    assert.equal(server.requests.filter((r) => r.path.includes('/vector/')).length, 0, 'nothing is sent before the run');
  });

  for (const flow of ['docs', 'docs-blocking']) {
    it(`upserts the documents with the chat's id before the prediction, then sends them as file:rag (${flow})`, async () => {
      const c = clientFor(server, flow, { apiKey: flow === 'docs' ? KEY : undefined });
      const doc = await c.attach({ name: '部署说明.md', data: utf8(NOTES), mimeType: 'text/markdown' }, 'custom');
      const image = inlineFile({ name: 'a.png', data: new Uint8Array([9]), mimeType: 'image/png' }, 'image');
      const { events, error } = await collect(run(c, { query: '怎么部署？', files: [doc, image] }));
      assert.equal(error, undefined, String(error));
      const chatId = ofType(events, 'meta')[0].taskId!;
      const [up] = uploads(server, flow).slice(-1);
      const pred = predictions(server, flow).at(-1)!;
      assert.ok(server.requests.indexOf(up) < server.requests.indexOf(pred), 'the upsert comes first');
      assert.match(String(up.headers['content-type']), /^multipart\/form-data; boundary=/);
      if (flow === 'docs') assert.equal(up.headers.authorization, `Bearer ${KEY}`);
      assert.deepEqual(server.upserted(chatId).map((d) => ({ name: d.name, mime: d.mime, text: d.text })), [{ name: '部署说明.md', mime: 'text/markdown', text: NOTES }], 'only the document, with its bytes and the chat id');
      assert.equal(pred.json.chatId, chatId);
      assert.deepEqual(pred.json.uploads.map((u: { type: string; name: string }) => [u.type, u.name]), [['file:rag', '部署说明.md'], ['file', 'a.png']]);
      assert.equal(pred.json.uploads[0].data, `data:text/markdown;base64,${Buffer.from(NOTES).toString('base64')}`);
      assert.match(answerOf(events), /From your documents: 部署说明\.md: "部署说明：先运行 docker compose/);
    });
  }

  it('a follow-up keeps the chat: its documents go with the same chat id', async () => {
    const c = clientFor(server, 'docs', { apiKey: KEY });
    const first = await collect(run(c, { query: 'hi' }));
    const conversationId = ofType(first.events, 'meta').at(-1)!.conversationId!;
    const doc = await c.attach({ name: 'later.txt', data: utf8('later notes'), mimeType: 'text/plain' }, 'custom');
    const second = await collect(run(c, { query: 'and now?', conversationId, files: [doc] }));
    assert.equal(second.error, undefined);
    assert.deepEqual(server.upserted(conversationId).map((d) => d.name), ['later.txt']);
    assert.equal(predictions(server, 'docs').at(-1)!.json.chatId, conversationId);
  });

  it('refusals: a wrong key (told as 401), a flow without a vector store, a MIME type that lies, a file too large; no prediction follows', async () => {
    const doc = (name: string, mime: string, bytes = utf8('x')) => inlineFile({ name, data: bytes, mimeType: mime }, 'custom');
    const rag = (f: FlowiseFileRef) => Object.assign(f, { rag: true });
    const cases: { flow: string; key?: string; file: FlowiseFileRef; status: number; code?: string; says?: RegExp }[] = [
      { flow: 'docs', key: 'wrong-key', file: rag(doc('a.md', 'text/markdown')), status: 401, code: 'unauthorized' },
      { flow: 'images', file: rag(doc('a.md', 'text/markdown')), status: 500, code: 'upsert_failed', says: /^No vector node found/ },
      { flow: 'docs', key: KEY, file: rag(doc('a.pdf', 'text/plain')), status: 500, code: 'upsert_failed', says: /MIME type "text\/plain" does not match file extension "\.pdf"/ },
      { flow: 'docs', key: KEY, file: rag(doc('big.txt', 'text/plain', new Uint8Array(1024 * 1024 + 1))), status: 500, code: 'upsert_failed', says: /^File too large/ },
    ];
    for (const k of cases) {
      const before = predictions(server, k.flow).length;
      const { error } = await collect(run(clientFor(server, k.flow, { apiKey: k.key }), { query: 'q', files: [k.file] }));
      const e = expectApiError(error, 'http', k.status);
      assert.equal(e.code, k.code, e.message);
      if (k.says) assert.match(e.message, k.says);
      assert.ok(!e.message.includes(KEY), 'no key in the message');
      assert.equal(predictions(server, k.flow).length, before, `${k.flow}: nothing asked after a failed upsert`);
    }
  });
});
