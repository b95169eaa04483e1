/**
 * A throw-away PKI made at test time with the `openssl` CLI: a CA, a leaf for 127.0.0.1/localhost signed by
 * it (SANs IP:127.0.0.1, DNS:localhost), a leaf signed by the same CA for another name (host-name mismatch),
 * and a self-signed leaf for 127.0.0.1 (no CA at all). Keys are EC P-256 (fast to make). Made once per process
 * in a temporary directory that is removed at exit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestPki {
  /** The CA certificate (PEM): what a user puts in `dify.caCertificates`. */
  caCert: string;
  /** Leaf for 127.0.0.1 and localhost, signed by the CA. */
  leaf: KeyPair;
  /** Leaf for `other.example` only, signed by the CA: valid chain, wrong host name. */
  wrongHost: KeyPair;
  /** Self-signed leaf for 127.0.0.1 and localhost (no CA). */
  selfSigned: KeyPair;
}

let cached: TestPki | undefined;

/** True when the openssl CLI can be run. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), 'dify-pki-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const f = (name: string): string => path.join(dir, name);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ecKey = (name: string): void => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', f(name));

  ecKey('ca.key');
  ssl('req', '-x509', '-new', '-key', f('ca.key'), '-sha256', '-days', '2', '-subj', '/CN=Dify Test Private CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', f('ca.crt'));

  const signed = (name: string, cn: string, san: string): KeyPair => {
    ecKey(`${name}.key`);
    ssl('req', '-new', '-key', f(`${name}.key`), '-subj', `/CN=${cn}`, '-out', f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-sha256',
      '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`));
    return { key: readFileSync(f(`${name}.key`), 'utf8'), cert: readFileSync(f(`${name}.crt`), 'utf8') };
  };
  const leaf = signed('leaf', '127.0.0.1', 'IP:127.0.0.1,DNS:localhost');
  const wrongHost = signed('wrong', 'other.example', 'DNS:other.example');

  ecKey('self.key');
  ssl('req', '-x509', '-new', '-key', f('self.key'), '-sha256', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-out', f('self.crt'));
  const selfSigned = { key: readFileSync(f('self.key'), 'utf8'), cert: readFileSync(f('self.crt'), 'utf8') };

  cached = { caCert: readFileSync(f('ca.crt'), 'utf8'), leaf, wrongHost, selfSigned };
  return cached;
}
