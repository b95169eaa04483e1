// The host's fetch of an answer's image for the panel: no credentials, images only, bounded, redirects checked.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchImage, httpOrigin } from '../../src/panel/imageFetch';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a2f5b1a90000000049454e44ae426082', 'hex');

describe('fetching an answer\'s image for the panel', () => {
  let server: Server;
  let base: string;
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      const port = (server.address() as AddressInfo).port;
      switch (req.url) {
        case '/pixel.png':
          res.writeHead(200, { 'content-type': 'image/png', 'set-cookie': 'track=1' });
          return res.end(PNG);
        case '/logo.svg':
          res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8' });
          return res.end('<svg xmlns="http://www.w3.org/2000/svg"/>');
        case '/page':
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end('<script>x</script>');
        case '/big-declared':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': '5000' });
          return res.end(Buffer.alloc(5000));
        case '/big-streamed':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.write(Buffer.alloc(800));
          return res.end(Buffer.alloc(800));
        case '/here':
          res.writeHead(302, { location: '/pixel.png' });
          return res.end();
        case '/away':
          res.writeHead(302, { location: `http://localhost:${port}/pixel.png` });
          return res.end();
        case '/loop':
          res.writeHead(301, { location: '/loop' });
          return res.end();
        default:
          res.writeHead(404, { 'content-type': 'image/png' });
          return res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const opts = (allowed: (u: URL) => boolean = () => true, maxBytes?: number) => ({ headersTimeoutMs: 5000, bodyTimeoutMs: 5000, allowed, maxBytes });

  it('returns the image as a data: URI of its type, and sends no credentials', async () => {
    seen.length = 0;
    assert.deepEqual(await fetchImage(`${base}/pixel.png`, opts()), { dataUri: `data:image/png;base64,${PNG.toString('base64')}` });
    const svg = await fetchImage(`${base}/logo.svg`, opts());
    assert.ok('dataUri' in svg && svg.dataUri.startsWith('data:image/svg+xml;base64,'), JSON.stringify(svg));
    // A cookie the server set is not sent back either; user info in the URL does not become a header.
    await fetchImage(`${base}/pixel.png`, opts());
    await fetchImage(base.replace('//', '//user:secret@') + '/pixel.png', opts());
    assert.equal(seen.length, 4);
    for (const { headers } of seen) {
      assert.equal(headers.authorization, undefined);
      assert.equal(headers.cookie, undefined);
      assert.equal(headers['proxy-authorization'], undefined);
    }
  });

  it('refuses what is not an image, answers other than 200, and bodies over the limit', async () => {
    assert.deepEqual(await fetchImage(`${base}/page`, opts()), { failure: { kind: 'type', contentType: 'text/html' } });
    assert.deepEqual(await fetchImage(`${base}/missing.png`, opts()), { failure: { kind: 'status', status: 404 } });
    assert.deepEqual(await fetchImage(`${base}/big-declared`, opts(undefined, 1000)), { failure: { kind: 'size' } });
    assert.deepEqual(await fetchImage(`${base}/big-streamed`, opts(undefined, 1000)), { failure: { kind: 'size' } });
    const down = await fetchImage('http://127.0.0.1:1/x.png', opts());
    assert.equal('failure' in down && down.failure.kind, 'network');
  });

  it('follows a few redirects, each to a URL it may fetch', async () => {
    assert.ok('dataUri' in (await fetchImage(`${base}/here`, opts())));
    const sameOrigin = (u: URL) => u.origin === base;
    assert.deepEqual(await fetchImage(`${base}/away`, opts(sameOrigin)), { failure: { kind: 'redirect' } });
    assert.ok('dataUri' in (await fetchImage(`${base}/away`, opts())));
    assert.deepEqual(await fetchImage(`${base}/loop`, opts()), { failure: { kind: 'redirect' } });
    assert.deepEqual(await fetchImage(`${base}/pixel.png`, opts(() => false)), { failure: { kind: 'redirect' } });
  });

  it('knows the origins of http(s) URLs only', () => {
    assert.equal(httpOrigin('https://api.dify.ai/v1'), 'https://api.dify.ai');
    assert.equal(httpOrigin('http://localhost:3000'), 'http://localhost:3000');
    for (const bad of ['file:///x', 'data:image/png;base64,AA', 'not a url', '']) assert.equal(httpOrigin(bad), undefined, bad);
  });
});
