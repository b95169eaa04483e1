// Turns VS Code's proxy settings, the environment, `dify.caCertificates` and per-app overrides into
// the vscode-free TransportOptions of src/net.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TransportOptions } from '../net/transport';
import type { AppProfile } from './apps';

export interface Timeouts {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxRunMs: number;
}

/** The timeouts, clamped to their ranges (application scope: a workspace cannot set them, see package.json). */
export function readTimeouts(): Timeouts {
  const c = vscode.workspace.getConfiguration('dify');
  const num = (key: string, dflt: number, min: number, max: number) => Math.min(max, Math.max(min, Number(c.get<number>(key)) || dflt));
  return {
    connectTimeoutMs: num('connectTimeoutSeconds', 15, 1, 300) * 1000,
    idleTimeoutMs: num('idleTimeoutSeconds', 120, 5, 3600) * 1000,
    maxRunMs: num('maxRunMinutes', 30, 1, 1440) * 60_000,
  };
}

/** Reads the CA files named in `dify.caCertificates` (`~` expanded). Unreadable files are reported, not fatal. */
export async function readCaCertificates(onProblem: (file: string, error: Error) => void): Promise<string[]> {
  const files = vscode.workspace.getConfiguration('dify').get<string[]>('caCertificates') ?? [];
  const pems: string[] = [];
  for (const f of files) {
    const file = f.startsWith('~') ? path.join(os.homedir(), f.slice(1)) : f;
    try {
      pems.push(await readFile(file, 'utf8'));
    } catch (e) {
      onProblem(file, e as Error);
    }
  }
  return pems;
}

export function transportOptions(app: AppProfile, ca: string[], timeouts: Timeouts): TransportOptions {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = app.proxy || http.get<string>('proxy') || undefined;
  return {
    proxy,
    proxyAuthorization: http.get<string>('proxyAuthorization') || undefined,
    noProxy: http.get<string[]>('noProxy') ?? [],
    useEnvProxy: !proxy,
    strictSSL: http.get<boolean>('proxyStrictSSL') !== false,
    ca,
    allowSelfSigned: app.allowSelfSignedCertificate === true,
    connectTimeoutMs: timeouts.connectTimeoutMs,
  };
}

/** True when a key would travel in clear text: http:// to a host that is not this machine. */
export function isInsecureRemote(baseUrl: string): boolean {
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:') return false;
    const h = u.hostname.replace(/^\[|\]$/g, '');
    return !(h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h));
  } catch {
    return false;
  }
}
