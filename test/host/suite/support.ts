// Shared set-up for the product suites in the real extension host: the Dify-compatible test server
// with the demo apps, `dify.apps` pointing at it, keys stored through the extension's SecretStorage.
import * as vscode from 'vscode';
import type { TestApi } from '../../../src/extension';
import { demoApps } from '../../support/dify/apps';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';

export const EXTENSION_ID = 'dify-vscode.dify-vscode';

export interface HostFixture {
  api: TestApi;
  server: DifyTestServer;
  apps: ReturnType<typeof demoApps>;
  close(): Promise<void>;
}

/** Starts a test server, configures every demo app and stores its key the way "Set API Key" does. */
export async function setUpApps(opts: { storeKeys?: boolean } = {}): Promise<HostFixture> {
  const apps = demoApps();
  const server = await startDifyServer({ apps });
  const config = vscode.workspace.getConfiguration('dify');
  await config.update('apps', apps.map((a) => ({ name: a.name, baseUrl: server.url })), vscode.ConfigurationTarget.Global);
  await config.update('defaultApp', 'Helper Chat', vscode.ConfigurationTarget.Global);
  const api = (await vscode.extensions.getExtension<TestApi>(EXTENSION_ID)!.activate())!;
  if (opts.storeKeys !== false) for (const a of apps) await api.keys.set(api.catalog.find(a.name)!, a.key);
  // Each suite talks to its own server: conversations of another suite's server do not exist here.
  api.history.clear();
  return {
    api,
    server,
    apps,
    close: async () => {
      await api.runs.stopAll();
      await server.close();
      await config.update('apps', undefined, vscode.ConfigurationTarget.Global);
      await config.update('defaultApp', undefined, vscode.ConfigurationTarget.Global);
      for (const a of apps) await api.keys.delete(a.name);
    },
  };
}

/**
 * Mocha hooks for a suite that runs the demo apps: set up before its first test, closed after its last. The returned
 * object reads the current fixture, so a suite writes `const fx = withApps();` and uses `fx.api`, `fx.server`.
 */
export function withApps(opts: { storeKeys?: boolean } = {}): HostFixture {
  let current: HostFixture | undefined;
  before(async () => {
    current = await setUpApps(opts);
  });
  after(async () => {
    await current?.close();
  });
  const now = (): HostFixture => {
    if (!current) throw new Error('the apps are set up in the suite\'s before hook');
    return current;
  };
  return {
    get api() {
      return now().api;
    },
    get server() {
      return now().server;
    },
    get apps() {
      return now().apps;
    },
    close: () => now().close(),
  };
}

/** Waits until `check` returns a value (polling), or fails with `what`. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A Memento in memory: the global or workspace state earlier versions kept things in. */
export class MemoryMemento implements vscode.Memento {
  readonly values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (this.values.get(key) as T) : fallback;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
}
