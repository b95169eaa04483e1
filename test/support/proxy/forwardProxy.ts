/**
 * A real forward proxy for tests: node:http on 127.0.0.1 (random port), the two ways clients use a proxy:
 *   - `CONNECT host:port` tunnels (https targets, and http targets of clients that always tunnel), and
 *   - absolute-URI requests (`GET http://host:port/path`) for http targets, forwarded and streamed back.
 * Optional Basic auth: a missing or wrong `Proxy-Authorization` gets 407 with `Proxy-Authenticate`.
 * Optional Squid-like CONNECT port policy (`connectPorts`): CONNECT to other ports gets 403, as Squid's
 * default `http_access deny CONNECT !SSL_ports` does.
 *
 * It records what went through it (method, target host:port, whether credentials were given and accepted),
 * never any header value: the app's `Authorization` header and the proxy password are not stored.
 * The server is unref'd (never keeps a process alive); `close()` destroys every socket it holds.
 *
 * Written here rather than taken from npm (`proxy` of the proxy-agents family): that package has no
 * CONNECT port policy, no per-request record of the target and auth outcome, and no connection count,
 * which are exactly what the tests assert; the whole thing is ~150 lines of node:http.
 */
import { listenLoopback } from './listen';
import * as http from 'node:http';
import * as net from 'node:net';

/** One request the proxy handled. */
export interface ProxyRecord {
  /** 'CONNECT' for tunnels, otherwise the forwarded method (GET, POST, …). */
  method: string;
  /** `host:port` of the target. */
  target: string;
  /** A `Proxy-Authorization` header was present. */
  authGiven: boolean;
  /** The credentials matched (always true when the proxy needs none). */
  authOk: boolean;
  /** What the proxy answered itself (407, 403, 502) or 200 once the tunnel/forward was set up. */
  status: number;
}

export interface ForwardProxyOptions {
  /** Require Basic auth with these credentials. */
  auth?: { username: string; password: string };
  /** Only allow CONNECT to these target ports (403 otherwise), like Squid's SSL_ports rule. */
  connectPorts?: number[];
}

export interface ForwardProxy {
  /** `http://127.0.0.1:PORT` (no credentials). */
  url: string;
  port: number;
  records: ProxyRecord[];
  /** Client and upstream sockets currently open. */
  openSockets(): number;
  close(): Promise<void>;
}

/** `Basic base64(user:pass)` for a proxy's credentials. */
export function basicAuth(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

export async function startForwardProxy(opts: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const expected = opts.auth ? basicAuth(opts.auth.username, opts.auth.password) : undefined;
  const check = (req: http.IncomingMessage): { authGiven: boolean; authOk: boolean } => {
    const given = req.headers['proxy-authorization'];
    return { authGiven: given !== undefined, authOk: !expected || given === expected };
  };

  const server = http.createServer((req, res) => {
    const auth = check(req);
    let target: URL;
    try {
      target = new URL(req.url ?? '');
      if (target.protocol !== 'http:') throw new Error('not http');
    } catch {
      records.push({ method: req.method ?? '?', target: '?', ...auth, status: 400 });
      res.writeHead(400, { 'content-type': 'text/plain' }).end('absolute http:// URI expected');
      return;
    }
    const port = Number(target.port || 80);
    const rec: ProxyRecord = { method: req.method ?? 'GET', target: `${target.hostname}:${port}`, ...auth, status: 200 };
    records.push(rec);
    if (!auth.authOk) {
      rec.status = 407;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test-proxy"', 'content-type': 'text/html' });
      res.end('<html><body><h1>407 Proxy Authentication Required</h1></body></html>');
      req.resume();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = http.request(
      { host: target.hostname, port, path: target.pathname + target.search, method: req.method, headers, agent: false },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        ur.on('error', () => res.destroy());
      },
    );
    up.on('socket', track);
    up.on('error', () => {
      if (!res.headersSent) {
        rec.status = 502;
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      } else {
        res.destroy();
      }
    });
    // The client went away (Stop, idle timeout): drop the upstream request too, as real proxies do.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const auth = check(req);
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
    const rec: ProxyRecord = { method: 'CONNECT', target: req.url ?? '?', ...auth, status: 200 };
    records.push(rec);
    client.on('error', () => {});
    const refuse = (status: number, reason: string, extra = ''): void => {
      rec.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!m) return refuse(400, 'Bad Request');
    if (!auth.authOk) return refuse(407, 'Proxy Authentication Required', 'Proxy-Authenticate: Basic realm="test-proxy"\r\n');
    const port = Number(m[2]);
    if (opts.connectPorts && !opts.connectPorts.includes(port)) return refuse(403, 'Forbidden');
    const up = net.connect(port, m[1].replace(/^\[|\]$/g, ''));
    track(up);
    let connected = false;
    up.on('connect', () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    up.on('error', () => {
      if (!connected) refuse(502, 'Bad Gateway');
    });
    up.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('close', () => up.destroy());
  });
  server.on('connection', track);

  const { port, close } = await listenLoopback(server, sockets);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    openSockets: () => sockets.size,
    close,
  };
}
