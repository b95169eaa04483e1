// Tiny local servers for the net tests: a programmable HTTP(S) server and a forward proxy (CONNECT and
// absolute-URI) that can demand credentials. All listen on 127.0.0.1 with a random port.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

export interface LocalServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function listen(server: http.Server | https.Server, scheme: string): Promise<LocalServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `${scheme}://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            for (const sock of sockets) sock.destroy();
          }),
      });
    });
  });
}

function wrap(handler: Handler): http.RequestListener {
  return (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(parts)));
  };
}

/** A plain HTTP server on 127.0.0.1. */
export function startHttp(handler: Handler): Promise<LocalServer> {
  return listen(http.createServer(wrap(handler)), 'http');
}

/** An HTTPS server on 127.0.0.1 with the given certificate. */
export function startHttps(handler: Handler, cert: string, key: string): Promise<LocalServer> {
  return listen(https.createServer({ cert, key }, wrap(handler)), 'https');
}

/** A port that was just closed (connections are refused). */
export async function closedPort(): Promise<number> {
  const s = await startHttp(() => {});
  await s.close();
  return s.port;
}

export interface ProxyServer extends LocalServer {
  /** Targets seen, e.g. `CONNECT 127.0.0.1:443` or `GET http://127.0.0.1:1234/x`. */
  seen: string[];
  /** Proxy-Authorization headers seen. */
  auth: (string | undefined)[];
}

/** A forward proxy. With `requireAuth`, requests without that exact Proxy-Authorization get 407. */
export function startProxy(requireAuth?: string): Promise<ProxyServer> {
  const seen: string[] = [];
  const auth: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    auth.push(req.headers['proxy-authorization']);
    if (requireAuth && req.headers['proxy-authorization'] !== requireAuth) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="proxy"' }).end('auth');
      return;
    }
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    seen.push(`CONNECT ${req.url}`);
    auth.push(req.headers['proxy-authorization']);
    if (requireAuth && req.headers['proxy-authorization'] !== requireAuth) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = String(req.url).split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  return listen(server, 'http').then((s) => Object.assign(s, { seen, auth }));
}
