// How requests leave the machine: direct, through an explicit proxy (with a no-proxy list), or through the
// environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY; TLS trust (extra CAs added to Node's roots, or a per-app
// self-signed switch); connect timeout. vscode-free: the extension turns its settings into `TransportOptions`.
import * as tls from 'node:tls';
import { Agent, Client, Dispatcher, EnvHttpProxyAgent, Pool, ProxyAgent } from 'undici';

/** Transport settings for one app (or one group of apps sharing a server). */
export interface TransportOptions {
  /** Explicit proxy URL (`http://user:pass@proxy:3128`); credentials in the URL become Basic proxy auth. */
  proxy?: string;
  /** A full `Proxy-Authorization` header value (e.g. `Basic …`, `Bearer …`); wins over URL credentials. */
  proxyAuthorization?: string;
  /** Hosts that bypass the explicit proxy: `host`, `.suffix` / `*.suffix`, `host:port`, `*` (everything). */
  noProxy?: string[];
  /** Honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment when no explicit proxy is given. */
  useEnvProxy?: boolean;
  /** Verify server certificates (default true). */
  strictSSL?: boolean;
  /** Extra PEM certificates (file contents), added to Node's default roots, not replacing them. */
  ca?: string[];
  /** Per-app explicit switch: accept any certificate for this dispatcher only. Never global. */
  allowSelfSigned?: boolean;
  /** TCP+TLS connect timeout (default 15 000 ms). */
  connectTimeoutMs?: number;
  /** Keep-alive for idle pooled sockets (default 4 000 ms, like undici). */
  keepAliveTimeoutMs?: number;
}

/** Default connect timeout when none is configured. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

/**
 * Builds an undici Dispatcher for the options. Header and body timeouts are disabled on purpose: streams are
 * guarded by the SSE idle timeout and requests by their own `timeoutMs`/AbortSignal (blocking runs may take
 * minutes before the first byte).
 */
export function createDispatcher(opts: TransportOptions = {}): Dispatcher {
  const tlsOpts = tlsOptions(opts);
  const timeout = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const common = {
    bodyTimeout: 0,
    headersTimeout: 0,
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4_000,
  };
  const direct = (): Dispatcher => new Agent({ ...common, connect: { ...tlsOpts, timeout } });
  // Through a proxy, http:// targets are sent as absolute-URI requests (as curl and VS Code do) rather than
  // through a CONNECT tunnel: common proxies (Squid's default `deny CONNECT !SSL_ports`) refuse CONNECT to
  // anything but 443. https:// targets are always tunnelled. The factory gives the proxy's own connection pool
  // the same (disabled) header/body timeouts as every other pool; undici's default would be 300 s.
  const viaProxy = {
    ...common,
    proxyTunnel: false,
    factory: (origin: string | URL, o: object): Dispatcher => {
      const merged = { ...o, ...common };
      return (o as { connections?: number }).connections === 1 ? new Client(origin, merged) : new Pool(origin, merged);
    },
  };
  if (opts.proxy) {
    const proxy = new ProxyAgent({
      ...viaProxy,
      uri: opts.proxy,
      token: opts.proxyAuthorization,
      connect: { timeout },
      requestTls: { ...tlsOpts, timeout },
      proxyTls: { ca: tlsOpts.ca, rejectUnauthorized: opts.strictSSL !== false, timeout },
    });
    const noProxy = (opts.noProxy ?? []).map((s) => s.trim()).filter(Boolean);
    return noProxy.length ? new NoProxyRouter(proxy, direct(), noProxy) : proxy;
  }
  if (opts.useEnvProxy && hasEnvProxy()) {
    return new EnvHttpProxyAgent({
      ...viaProxy,
      connect: { ...tlsOpts, timeout },
      requestTls: { ...tlsOpts, timeout },
      proxyTls: { ca: tlsOpts.ca, rejectUnauthorized: opts.strictSSL !== false, timeout },
    });
  }
  return direct();
}

/** The TLS options a dispatcher uses: extra CAs appended to the default roots; self-signed only when asked. */
export function tlsOptions(opts: Pick<TransportOptions, 'ca' | 'strictSSL' | 'allowSelfSigned'>): {
  ca?: string[];
  rejectUnauthorized: boolean;
} {
  const rejectUnauthorized = opts.strictSSL !== false && !opts.allowSelfSigned;
  const extra = (opts.ca ?? []).map((s) => s.trim()).filter(Boolean);
  if (!extra.length) return { rejectUnauthorized };
  return { ca: [...defaultRoots(), ...extra], rejectUnauthorized };
}

function defaultRoots(): string[] {
  // Node ≥ 22.15 can report the effective defaults (including NODE_EXTRA_CA_CERTS and --use-system-ca).
  const get = (tls as unknown as { getCACertificates?: (t?: string) => string[] }).getCACertificates;
  if (typeof get === 'function') {
    try {
      return get('default');
    } catch {
      /* fall through */
    }
  }
  return [...tls.rootCertificates];
}

function hasEnvProxy(): boolean {
  const e = process.env;
  return !!(e.HTTPS_PROXY || e.https_proxy || e.HTTP_PROXY || e.http_proxy);
}

/**
 * True when `host` (and `port`) is covered by a no-proxy list: `*`, an exact name, a domain suffix written as
 * `.corp` / `*.corp` / `corp` (which also matches `a.corp`), or `host:port`. IPv6 literals may be bracketed.
 */
export function matchesNoProxy(host: string, port: number | string | undefined, list: readonly string[]): boolean {
  const h = stripBrackets(host.toLowerCase()).replace(/\.$/, '');
  const p = port === undefined || port === '' ? undefined : String(port);
  for (const raw of list) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (m) {
      entry = m[1];
      entryPort = m[2];
    }
    if (entryPort && p !== entryPort) continue;
    entry = stripBrackets(entry);
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      if (h === entry.slice(1) || h.endsWith(entry)) return true;
    } else if (h === entry || h.endsWith('.' + entry)) {
      return true;
    }
  }
  return false;
}

function stripBrackets(h: string): string {
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/** Sends each origin either through the proxy or directly, by the no-proxy list (decided once per origin). */
class NoProxyRouter extends Dispatcher {
  private readonly decisions = new Map<string, boolean>();

  constructor(
    private readonly proxy: Dispatcher,
    private readonly direct: Dispatcher,
    private readonly noProxy: string[],
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = String(options.origin ?? '');
    let bypass = this.decisions.get(origin);
    if (bypass === undefined) {
      try {
        const u = new URL(origin);
        const port = u.port || (u.protocol === 'https:' ? '443' : '80');
        bypass = matchesNoProxy(u.hostname, port, this.noProxy);
      } catch {
        bypass = false;
      }
      this.decisions.set(origin, bypass);
    }
    return (bypass ? this.direct : this.proxy).dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.proxy.close(), this.direct.close()]);
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.proxy.destroy(), this.direct.destroy()]);
  }
}
