/**
 * A TCP front for a test server: listens on 127.0.0.1 (random port) and pipes every connection to the target
 * port, optionally terminating TLS first (`tls: {key, cert}`) — so the plain-HTTP Dify test server becomes a
 * real HTTPS server with the certificate under test, byte for byte the same protocol behind it.
 * It counts open client connections, so tests can prove that nothing is left open after a run or a failure.
 * When either side closes, the other side is closed too (a reset upstream is a reset for the client).
 * Unref'd; `close()` destroys every socket.
 */
import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import * as tls from 'node:tls';

export interface FrontOptions {
  /** Port on 127.0.0.1 to forward to. */
  targetPort: number;
  /** Terminate TLS with this key and certificate chain. */
  tls?: { key: string; cert: string };
  /** Listen on this port (default: a random free port). */
  port?: number;
}

export interface Front {
  /** `https://127.0.0.1:PORT` or `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** Client connections currently open. */
  open(): number;
  /** Client connections accepted so far (TLS: handshakes completed). */
  accepted(): number;
  /** TLS handshakes that failed (the client rejected the certificate, …). */
  tlsErrors(): number;
  /** Resolves once no client connection is open (or rejects after `timeoutMs`). */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFront(opts: FrontOptions): Promise<Front> {
  const clients = new Set<net.Socket>();
  const all = new Set<net.Socket>();
  let accepted = 0;
  let tlsErrors = 0;
  const waiters: (() => void)[] = [];
  const settle = (): void => {
    if (clients.size) return;
    for (const w of waiters.splice(0)) w();
  };
  const own = (s: net.Socket): void => {
    all.add(s);
    s.on('close', () => all.delete(s));
    s.on('error', () => {});
  };
  const pipe = (client: net.Socket): void => {
    accepted++;
    clients.add(client);
    own(client);
    client.on('close', () => {
      clients.delete(client);
      settle();
    });
    const up = net.connect(opts.targetPort, '127.0.0.1');
    own(up);
    client.pipe(up);
    up.pipe(client);
    up.on('close', () => client.destroy());
    client.on('close', () => up.destroy());
  };
  const server = opts.tls
    ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, pipe)
    : net.createServer(pipe);
  if (opts.tls) {
    server.on('connection', own);
    server.on('tlsClientError', () => tlsErrors++);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    origin: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    open: () => clients.size,
    accepted: () => accepted,
    tlsErrors: () => tlsErrors,
    drained: (timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (!clients.size) return resolve();
        const t = setTimeout(() => reject(new Error(`${clients.size} connection(s) still open after ${timeoutMs} ms`)), timeoutMs);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of all) s.destroy();
      })),
  };
}
