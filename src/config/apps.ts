// App profiles from the `dify.apps` / `dify.defaultApp` settings. Keys are never here (see secrets.ts).
import * as vscode from 'vscode';
import { PROVIDERS, providerOf } from '../providers/registry';

export interface AppProfile {
  name: string;
  baseUrl: string;
  /** A provider id of the registry (`dify`, `flowise`). */
  provider: string;
  /** The settings the app's provider reads besides its URL (`Provider.settings`), by name. */
  fields: Record<string, string | undefined>;
  inputs?: Record<string, string>;
  proxy?: string;
  allowSelfSignedCertificate?: boolean;
  /** Where the app's requests go was decided by the workspace's settings (a cloned repository), not the user's. */
  fromWorkspace?: boolean;
  /** The user's own definition of an app of this name, when the workspace's settings change where it goes. */
  userDefinition?: AppProfile;
}

/** The fields that decide where an app's requests (and its key) go. */
const DESTINATION_FIELDS = ['baseUrl', 'proxy', 'allowSelfSignedCertificate', 'provider'] as const;

function section(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('dify');
}

type RawApp = Record<string, unknown>;

function rawList(value: unknown): RawApp[] {
  return Array.isArray(value) ? value.filter((a): a is RawApp => typeof a === 'object' && a !== null && typeof a.name === 'string' && !!a.name.trim()) : [];
}

function profile(a: RawApp): AppProfile {
  const provider = providerOf(typeof a.provider === 'string' ? a.provider : undefined);
  const fields: Record<string, string | undefined> = {};
  for (const name of provider.settings) fields[name] = typeof a[name] === 'string' && a[name] ? (a[name] as string) : undefined;
  return {
    name: String(a.name).trim(),
    baseUrl: (typeof a.baseUrl === 'string' && a.baseUrl.trim()) || provider.defaultBaseUrl,
    provider: provider.id,
    fields,
    inputs: isStringRecord(a.inputs) ? a.inputs : undefined,
    proxy: typeof a.proxy === 'string' && a.proxy ? a.proxy : undefined,
    allowSelfSignedCertificate: a.allowSelfSignedCertificate === true,
  };
}

/**
 * The configured apps: the user's (user or remote settings), then the workspace's, a workspace entry of the same
 * name overriding the user's field by field. An app whose destination the workspace decided is marked
 * `fromWorkspace`, so nothing is sent there before the person allows it (see trust.ts). In Restricted Mode the
 * workspace's entries are ignored, as VS Code does for `restrictedConfigurations`.
 */
export function readApps(): AppProfile[] {
  const info = section().inspect<unknown[]>('apps');
  const user = new Map<string, RawApp>();
  for (const a of rawList(info?.globalValue)) if (!user.has(String(a.name).trim())) user.set(String(a.name).trim(), a);
  const workspace = new Map<string, RawApp>();
  const workspaceValue = vscode.workspace.isTrusted ? info?.workspaceValue : undefined;
  for (const a of rawList(workspaceValue)) if (!workspace.has(String(a.name).trim())) workspace.set(String(a.name).trim(), a);
  const apps: AppProfile[] = [];
  for (const [name, raw] of user) {
    const over = workspace.get(name);
    if (!over) {
      apps.push(profile(raw));
      continue;
    }
    const mine = profile(raw);
    const merged = profile({ ...raw, ...over });
    const moved = DESTINATION_FIELDS.some((f) => f in over && merged[f] !== mine[f]);
    apps.push(moved ? { ...merged, fromWorkspace: true, userDefinition: mine } : merged);
  }
  for (const [name, raw] of workspace) if (!user.has(name)) apps.push({ ...profile(raw), fromWorkspace: true });
  return apps;
}

/** The person's own choice only: a cloned repository does not pick which app gets the selection. */
export function defaultAppName(): string | undefined {
  return section().inspect<string>('defaultApp')?.globalValue || undefined;
}

/** The default app if set and configured, else the only app, else undefined. */
export function defaultApp(apps = readApps()): AppProfile | undefined {
  const name = defaultAppName();
  return apps.find((a) => a.name === name) ?? (apps.length === 1 ? apps[0] : undefined);
}

/** Adds or replaces an app in the user's settings (global target). */
export async function saveApp(app: AppProfile): Promise<void> {
  const raw = (section().inspect<unknown[]>('apps')?.globalValue ?? []) as Record<string, unknown>[];
  const stored: Record<string, unknown> = { name: app.name, baseUrl: app.baseUrl };
  // The first provider is what a setting without `provider` means.
  if (app.provider !== PROVIDERS[0].id) stored.provider = app.provider;
  for (const [k, v] of Object.entries(app.fields)) if (v) stored[k] = v;
  if (app.inputs) stored.inputs = app.inputs;
  const next = raw.filter((a) => a?.name !== app.name).concat(stored);
  await section().update('apps', next, vscode.ConfigurationTarget.Global);
}

/** Removes an app from every settings scope where it is defined. */
export async function removeApp(name: string): Promise<void> {
  const info = section().inspect<Record<string, unknown>[]>('apps');
  const targets: [Record<string, unknown>[] | undefined, vscode.ConfigurationTarget][] = [
    [info?.globalValue, vscode.ConfigurationTarget.Global],
    [info?.workspaceValue, vscode.ConfigurationTarget.Workspace],
    [info?.workspaceFolderValue, vscode.ConfigurationTarget.WorkspaceFolder],
  ];
  for (const [value, target] of targets) {
    if (value?.some((a) => a?.name === name)) {
      await section().update('apps', value.filter((a) => a?.name !== name), target);
    }
  }
  if (defaultAppName() === name) await section().update('defaultApp', undefined, vscode.ConfigurationTarget.Global);
}

/** A short server label for pickers: host (and port) of the base URL. */
export function serverLabel(app: AppProfile): string {
  try {
    return new URL(app.baseUrl).host;
  } catch {
    return app.baseUrl;
  }
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}
