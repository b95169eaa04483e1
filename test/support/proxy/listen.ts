// What both test proxies do to start and stop: listen on 127.0.0.1 (random port, never keeping the process
// alive) and close by destroying their open sockets.
import type * as http from 'node:http';
import type * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Listening {
  port: number;
  /** Closes the server and destroys its sockets; idempotent. */
  close(): Promise<void>;
}

export async function listenLoopback(server: http.Server | net.Server, sockets: Set<net.Socket>): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.unref();
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })),
  };
}
