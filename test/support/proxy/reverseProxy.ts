/**
 * A small reverse proxy for tests, standing where nginx stands in front of a self-hosted Dify: node:http on
 * 127.0.0.1 (random port) forwarding every request to `upstream`.
 *   - A dead upstream gets nginx's HTML 502 page, as a real reverse proxy answers.
 *   - `intercept` answers chosen requests itself (a rate limiter's 429, a WAF's 415, …); the rest pass.
 *   - `buffer: true` holds the whole upstream body and sends it in one piece (nginx `proxy_buffering on`
 *     with large buffers): a stream still arrives, but all at once.
 * Records method and path of each request (never headers). Unref'd; `close()` destroys its sockets.
 */
import { listenLoopback } from './listen';
import * as http from 'node:http';
import * as net from 'node:net';

export interface InterceptAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface ReverseProxyOptions {
  /** `http://127.0.0.1:PORT` of the upstream server. */
  upstream: string;
  /** Return an answer to send instead of forwarding; `n` counts requests with the same method+path (from 1). */
  intercept?: (req: { method: string; path: string; n: number }) => InterceptAnswer | undefined;
  buffer?: boolean;
}

export interface ReverseProxy {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  seen: { method: string; path: string; intercepted: boolean }[];
  close(): Promise<void>;
}

export const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n';

export async function startReverseProxy(opts: ReverseProxyOptions): Promise<ReverseProxy> {
  const up = new URL(opts.upstream);
  const seen: ReverseProxy['seen'] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const key = `${method} ${path}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    const answer = opts.intercept?.({ method, path, n });
    seen.push({ method, path, intercepted: !!answer });
    if (answer) {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': 'application/json', server: 'nginx/1.27.3', ...answer.headers });
        res.end(answer.body);
      });
      return;
    }
    const headers = { ...req.headers, host: up.host, 'x-forwarded-for': '127.0.0.1' };
    const fwd = http.request({ host: up.hostname, port: up.port, path: req.url, method, headers, agent: false }, (ur) => {
      if (!opts.buffer) {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        return;
      }
      const parts: Buffer[] = [];
      ur.on('data', (c: Buffer) => parts.push(c));
      ur.on('end', () => {
        const body = Buffer.concat(parts);
        const h = { ...ur.headers };
        delete h['transfer-encoding'];
        h['content-length'] = String(body.length);
        res.writeHead(ur.statusCode ?? 502, h);
        res.end(body);
      });
      ur.on('error', () => res.destroy());
    });
    fwd.on('error', () => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { 'content-type': 'text/html', server: 'nginx/1.27.3' });
      res.end(NGINX_502);
    });
    res.on('close', () => {
      if (!res.writableFinished) fwd.destroy();
    });
    req.pipe(fwd);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const { port, close } = await listenLoopback(server, sockets);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    close,
  };
}
