/**
 * A child process serving the recorded stream over HTTP on 127.0.0.1 (so the server's work does not share the
 * client's event loop): every POST gets `text/event-stream; charset=utf-8` and the same bytes written in the
 * given read-sized pieces (respecting backpressure), then the connection ends. Prints `PORT <n>` when listening.
 *   node --import tsx bench/stream/server.ts <events> <minWrite> <maxWrite>
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chunk, makeRecording } from './recording';

const [events, min, max] = process.argv.slice(2).map(Number);
const rec = makeRecording(events);
const pieces = chunk(rec.bytes, min, max);

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const p of pieces) {
      if (!res.write(p)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as AddressInfo).port}`));
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
