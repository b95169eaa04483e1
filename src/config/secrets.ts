// API keys live only in SecretStorage, keyed by app name, each with the destination it was entered for: a key
// is never sent elsewhere without the person's say (trust.ts). Nothing here logs or returns a key elsewhere.
import type * as vscode from 'vscode';
import type { AppProfile } from './apps';
import { destinationOf, type Destination } from './destination';

const PREFIX = 'dify.apiKey:';

export interface StoredKey {
  key: string;
  /** Where the key was entered for; undefined for a key an earlier version stored without its server. */
  boundTo?: Destination;
}

interface StoredV2 {
  v: 2;
  key: string;
  boundTo?: Destination;
}

function isDestination(d: unknown): d is Destination {
  const o = d as Destination | undefined;
  return !!o && typeof o.origin === 'string' && typeof o.relaxedTls === 'boolean' && (o.proxy === undefined || typeof o.proxy === 'string');
}

export class KeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /**
   * The app's key and its destination. A key kept by an earlier version (the bare key) is bound to where the
   * person's own settings send the app, and stored again; with no such settings it stays unbound (asked once).
   */
  async get(app: AppProfile): Promise<StoredKey | undefined> {
    const raw = await this.secrets.get(PREFIX + app.name);
    if (!raw) return undefined;
    const parsed = parse(raw);
    if (parsed) return { key: parsed.key, boundTo: isDestination(parsed.boundTo) ? parsed.boundTo : undefined };
    const own = app.fromWorkspace ? app.userDefinition : app;
    const migrated: StoredKey = { key: raw.trim(), boundTo: own && destinationOf(own) };
    await this.write(app.name, migrated);
    return migrated;
  }

  /** Stores a key for the app as its settings send it now. */
  set(app: AppProfile, key: string): Thenable<void> {
    return this.write(app.name, { key: key.trim(), boundTo: destinationOf(app) });
  }

  /** Lets the stored key go to `destination` from now on (the person agreed). */
  async rebind(app: AppProfile, destination: Destination): Promise<void> {
    const stored = await this.get(app);
    if (stored) await this.write(app.name, { key: stored.key, boundTo: destination });
  }

  delete(app: string): Thenable<void> {
    return this.secrets.delete(PREFIX + app);
  }

  private write(app: string, k: StoredKey): Thenable<void> {
    const value: StoredV2 = { v: 2, key: k.key, boundTo: k.boundTo };
    return this.secrets.store(PREFIX + app, JSON.stringify(value));
  }
}

function parse(raw: string): StoredV2 | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(raw) as StoredV2;
    return v && v.v === 2 && typeof v.key === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}
