// One place that turns an app profile into a ready client (key from SecretStorage, transport from
// settings) and caches what the app says about itself (/info mode, /parameters form) per app.
import * as vscode from 'vscode';
import type { Dispatcher } from 'undici';
import type { LogFn as Logger } from '../net/http';
import type { AppClient, AppInfo, AppParameters, AppSite } from '../providers/types';
import { providerOf } from '../providers/registry';
import { boundedForm } from '../run/limits';
import { isChatMode } from '../shared/model';
import { readApps, serverLabel, type AppProfile } from './apps';
import { readCaCertificates, readTimeouts, transportOptions } from './network';
import type { KeyStore } from './secrets';
import type { DestinationGuard } from './trust';

export class MissingKeyError extends Error {
  constructor(readonly app: string) {
    super(`No API key is stored for "${app}".`);
    this.name = 'MissingKeyError';
  }
}

interface Cached {
  info?: AppInfo;
  parameters?: AppParameters;
  /** The app's web site settings; null: it has none (or its provider has no such thing). */
  site?: AppSite | null;
}

/** What the panel shows when a conversation with a chat app starts. */
export interface Opening {
  title?: string;
  description?: string;
  statement?: string;
  questions: string[];
}


export class AppCatalog implements vscode.Disposable {
  private readonly cache = new Map<string, Cached>();
  /** One connection pool per distinct transport (proxy, CA, TLS switch), reused across runs. */
  private readonly dispatchers = new Map<string, Dispatcher>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly keys: KeyStore,
    private readonly guard: DestinationGuard,
    private readonly state: vscode.Memento,
    private readonly log: Logger,
    private readonly onKey: (key: string) => void,
  ) {
    // Settings that change what a client looks like invalidate the cached forms and modes.
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('dify.apps')) this.cache.clear();
        if (e.affectsConfiguration('http') || e.affectsConfiguration('dify')) this.closeDispatchers();
      }),
    );
  }

  apps(): AppProfile[] {
    return readApps();
  }

  find(name: string): AppProfile | undefined {
    return readApps().find((a) => a.name === name);
  }

  /**
   * A client for the app, or MissingKeyError when a Dify app has no key (Flowise keys are optional). Nothing is
   * sent before the guard agrees: a stored key goes only where it was entered for, a workspace's destination only
   * once allowed. `keyOverride` is a key typed just now for this very destination (Add App).
   */
  async client(app: AppProfile, keyOverride?: string): Promise<AppClient> {
    let key = keyOverride;
    if (key === undefined) {
      const stored = await this.keys.get(app);
      if (!stored && providerOf(app.provider).keyRequired) throw new MissingKeyError(app.name);
      await this.guard.check(app, stored);
      key = stored?.key;
    }
    if (key) this.onKey(key);
    const timeouts = readTimeouts();
    const ca = await readCaCertificates((file, e) => this.log('warn', `Cannot read CA certificate ${file}: ${e.message}`));
    // The HTTP stack loads on first use, not at activation.
    const { createDispatcher } = await import('../net/transport');
    const options = transportOptions(app, ca, timeouts);
    const poolKey = JSON.stringify(options);
    let dispatcher = this.dispatchers.get(poolKey);
    if (!dispatcher) this.dispatchers.set(poolKey, (dispatcher = createDispatcher(options)));
    return providerOf(app.provider).createClient({
      name: app.name, baseUrl: app.baseUrl, apiKey: key || undefined, dispatcher, fields: app.fields,
      connectTimeoutMs: timeouts.connectTimeoutMs, idleTimeoutMs: timeouts.idleTimeoutMs, log: this.log,
    });
  }

  /** The app's /info (mode), cached in memory and across sessions; `refresh` asks the server again. */
  async info(app: AppProfile, refresh = false, signal?: AbortSignal): Promise<AppInfo> {
    const c = this.entry(app);
    if (!refresh && c.info) return c.info;
    const stateKey = `dify.info:${app.name}:${app.baseUrl}`;
    if (!refresh) {
      const stored = this.state.get<AppInfo>(stateKey);
      if (stored) return (c.info = stored);
    }
    const info = await (await this.client(app)).info(signal);
    c.info = info;
    await this.state.update(stateKey, info);
    return info;
  }

  async parameters(app: AppProfile, refresh = false, signal?: AbortSignal): Promise<AppParameters> {
    const c = this.entry(app);
    if (!refresh && c.parameters) return c.parameters;
    const params = boundedForm(await (await this.client(app)).parameters(signal));
    c.parameters = params;
    return params;
  }

  /** The app's mode if already known (no network). */
  cachedMode(app: AppProfile): AppInfo['mode'] | undefined {
    const fixed = providerOf(app.provider).fixedMode;
    if (fixed) return fixed;
    return this.entry(app).info?.mode ?? this.state.get<AppInfo>(`dify.info:${app.name}:${app.baseUrl}`)?.mode;
  }

  /** The app's /parameters if already fetched (no network). */
  cachedParameters(app: AppProfile): AppParameters | undefined {
    return this.entry(app).parameters;
  }

  /**
   * The app's web site settings (Dify `/site`: placeholder, disclaimer, title), cached like its form; undefined when
   * it has none. A failure to ask is logged and asked again next time (the site is a nicety, never in the way).
   */
  async site(app: AppProfile, refresh = false, signal?: AbortSignal): Promise<AppSite | undefined> {
    const c = this.entry(app);
    if (!refresh && c.site !== undefined) return c.site ?? undefined;
    const client = await this.client(app);
    try {
      c.site = (client.site && (await client.site(signal))) || null;
    } catch (e) {
      this.log('info', `[${app.name}] its web site settings could not be read: ${(e as Error).message}`);
      return undefined;
    }
    return c.site ?? undefined;
  }

  /** The app's web site settings if already fetched (no network). */
  cachedSite(app: AppProfile): AppSite | undefined {
    return this.entry(app).site ?? undefined;
  }

  /** What a new conversation with a chat app opens with (its site's title and description, its opening statement
   * and suggested questions), if its form is already known. */
  cachedOpening(app: AppProfile): Opening | undefined {
    const p = this.entry(app).parameters;
    if (!p || !isChatMode(this.cachedMode(app))) return undefined;
    const site = this.cachedSite(app);
    if (!p.openingStatement && !p.suggestedQuestions.length && !site?.description) return undefined;
    return { title: site?.title, description: site?.description, statement: p.openingStatement, questions: p.suggestedQuestions };
  }

  /** Forgets what is cached about an app (after its key or settings changed). */
  forget(name: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${name}\u0000`)) this.cache.delete(k);
    for (const k of this.state.keys()) if (k.startsWith(`dify.info:${name}:`)) void this.state.update(k, undefined);
  }

  server(app: AppProfile): string {
    return serverLabel(app);
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
    this.closeDispatchers();
  }

  private closeDispatchers(): void {
    // Running streams keep their sockets: close() lets in-flight requests finish.
    for (const d of this.dispatchers.values()) void d.close().catch(() => undefined);
    this.dispatchers.clear();
  }

  private entry(app: AppProfile): Cached {
    const k = `${app.name}\u0000${app.baseUrl}`;
    let c = this.cache.get(k);
    if (!c) this.cache.set(k, (c = {}));
    return c;
  }
}
