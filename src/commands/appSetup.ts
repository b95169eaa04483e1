// "Dify: Add App…", "Dify: Set API Key", "Dify: Remove App", "Dify: Test Connection".
import * as vscode from 'vscode';
import { readApps, removeApp, saveApp, serverLabel, type AppProfile } from '../config/apps';
import { PROVIDERS, providerOf } from '../providers/registry';
import type { AppCatalog } from '../config/catalog';
import { isInsecureRemote } from '../config/network';
import type { KeyStore } from '../config/secrets';
import { describeDestination, destinationOf } from '../config/destination';
import type { DestinationGuard } from '../config/trust';
import { describeFailure } from '../app/errors';
import type { Log } from '../app/log';

export interface SetupDeps {
  catalog: AppCatalog;
  keys: KeyStore;
  guard: DestinationGuard;
  log: Log;
  onAppsChanged(): void;
}

/** Quick pick of the configured apps (skipped when there is one); the default app first. */
export async function pickApp(catalog: AppCatalog, placeHolder: string, apps = catalog.apps()): Promise<AppProfile | undefined> {
  if (apps.length === 0) {
    const add = vscode.l10n.t('Add App…');
    if ((await vscode.window.showInformationMessage(vscode.l10n.t('No Dify app is configured yet.'), add)) === add) {
      await vscode.commands.executeCommand('dify.addApp');
    }
    return undefined;
  }
  if (apps.length === 1) return apps[0];
  const def = vscode.workspace.getConfiguration('dify').get<string>('defaultApp');
  const sorted = [...apps].sort((a, b) => Number(b.name === def) - Number(a.name === def));
  const picked = await vscode.window.showQuickPick(
    sorted.map((a) => ({
      label: a.name,
      description: [catalog.cachedMode(a), a.name === def ? vscode.l10n.t('default') : undefined].filter(Boolean).join(' · '),
      detail: serverLabel(a),
      app: a,
    })),
    { placeHolder, matchOnDetail: true, ignoreFocusOut: true },
  );
  return picked?.app;
}

export async function setApiKey(deps: SetupDeps, appName?: string): Promise<boolean> {
  const app = (appName && deps.catalog.find(appName)) || (await pickApp(deps.catalog, vscode.l10n.t('Set the API key of which app?')));
  if (!app) return false;
  const provider = providerOf(app.provider);
  const key = await askKey(app.name, vscode.l10n.t(provider.texts.keyPrompt), !provider.keyRequired, describeDestination(destinationOf(app)), app.fromWorkspace);
  if (key === undefined) return false;
  if (key) await deps.keys.set(app, key);
  else await deps.keys.delete(app.name);
  // A key typed for the server the prompt named is the person's say that the app may go there.
  await deps.guard.allow(app);
  deps.catalog.forget(app.name);
  deps.log.addSecret(key);
  void vscode.window.showInformationMessage(vscode.l10n.t('The API key of "{0}" is stored in VS Code\'s secret storage.', app.name));
  return true;
}

/** The key prompt always names the server the key will be sent to (and says when a workspace chose it). */
function askKey(app: string, what: string, optional: boolean, server: string, fromWorkspace = false): Thenable<string | undefined> {
  const where = fromWorkspace ? vscode.l10n.t('It is sent only to {0}, which this workspace\'s settings chose.', server) : vscode.l10n.t('It is sent only to {0}.', server);
  return vscode.window.showInputBox({
    title: vscode.l10n.t('API key of {0}', app),
    prompt: `${what} ${where}`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (s) => (optional || s.trim() ? undefined : vscode.l10n.t('Paste the API key.')),
  });
}

export async function addApp(deps: SetupDeps): Promise<AppProfile | undefined> {
  const picked = await vscode.window.showQuickPick(
    PROVIDERS.map((p) => ({ label: p.label, description: vscode.l10n.t(p.texts.description), provider: p })),
    { title: vscode.l10n.t('Add App (1/4)'), placeHolder: vscode.l10n.t('Which kind of server?'), ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  const provider = picked.provider;
  const baseUrl = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add App (2/4)'),
    prompt: vscode.l10n.t(provider.texts.urlPrompt),
    value: provider.defaultBaseUrl,
    ignoreFocusOut: true,
    validateInput: (s) => validUrl(s) ? undefined : vscode.l10n.t('Enter an http(s) URL.'),
  });
  if (baseUrl === undefined) return undefined;
  const fields: Record<string, string | undefined> = {};
  for (const f of provider.appFields) {
    const value = await vscode.window.showInputBox({ title: vscode.l10n.t('Add App (2/4)'), prompt: vscode.l10n.t(f.prompt), ignoreFocusOut: true, validateInput: (s) => (s.trim() || !f.required ? undefined : vscode.l10n.t('This is needed.')) });
    if (value === undefined) return undefined;
    fields[f.setting] = value.trim() || undefined;
  }
  if (isInsecureRemote(baseUrl) && !(await confirmInsecure(baseUrl))) return undefined;
  const draft: AppProfile = { name: '', baseUrl: baseUrl.trim().replace(/\/+$/, ''), provider: provider.id, fields };
  const key = await askKey(vscode.l10n.t('the new app'), vscode.l10n.t(provider.texts.keyPrompt), !provider.keyRequired, describeDestination(destinationOf(draft)));
  if (key === undefined) return undefined;
  deps.log.addSecret(key);

  // Test the connection before saving; the app's own name and mode come back from /info.
  let infoName = Object.values(fields).find(Boolean) ?? '';
  let mode: string = provider.fixedMode ?? '';
  const tested = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing the connection to {0}…', serverLabel(draft)) }, async () => {
    try {
      const client = await deps.catalog.client({ ...draft, name: '(new app)' }, key || undefined);
      const info = await client.info();
      infoName = info.name || infoName;
      mode = info.mode;
      return undefined;
    } catch (e) {
      return describeFailure(e, vscode.l10n.t('the new app'), serverLabel(draft)).message;
    }
  });
  if (tested) {
    const saveAnyway = vscode.l10n.t('Save Anyway');
    const choice = await vscode.window.showErrorMessage(tested, { modal: false }, saveAnyway);
    if (choice !== saveAnyway) return undefined;
  }
  const taken = new Set(readApps().map((a) => a.name));
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Add App (4/4)'),
    prompt: mode ? vscode.l10n.t('Name for this {0} app', mode) : vscode.l10n.t('Name for this app'),
    value: uniqueName(infoName || serverLabel(draft), taken),
    ignoreFocusOut: true,
    validateInput: (s) => (!s.trim() ? vscode.l10n.t('Enter a name.') : taken.has(s.trim()) ? vscode.l10n.t('An app with this name exists.') : undefined),
  });
  if (name === undefined) return undefined;
  const app: AppProfile = { ...draft, name: name.trim() };
  if (key) await deps.keys.set(app, key);
  await saveApp(app);
  deps.catalog.forget(app.name);
  deps.onAppsChanged();
  const run = vscode.l10n.t('Run It');
  void vscode.window.showInformationMessage(mode ? vscode.l10n.t('Added "{0}" ({1} app on {2}).', app.name, mode, serverLabel(app)) : vscode.l10n.t('Added "{0}".', app.name), run).then((c) => {
    if (c === run) void vscode.commands.executeCommand('dify.run', app.name);
  });
  return app;
}

export async function removeAppCommand(deps: SetupDeps): Promise<void> {
  const app = await pickApp(deps.catalog, vscode.l10n.t('Remove which app?'));
  if (!app) return;
  const remove = vscode.l10n.t('Remove');
  if ((await vscode.window.showWarningMessage(vscode.l10n.t('Remove "{0}" and its stored API key?', app.name), { modal: true }, remove)) !== remove) return;
  await removeApp(app.name);
  await deps.keys.delete(app.name);
  deps.catalog.forget(app.name);
  deps.onAppsChanged();
}

export async function testConnection(deps: SetupDeps, appName?: string): Promise<boolean> {
  const app = (appName && deps.catalog.find(appName)) || (await pickApp(deps.catalog, vscode.l10n.t('Test the connection of which app?')));
  if (!app) return false;
  try {
    const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing {0}…', app.name) }, () => deps.catalog.info(app, true));
    void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" is reachable: {1} app "{2}" on {3}.', app.name, info.mode, info.name, serverLabel(app)));
    return true;
  } catch (e) {
    await showError(deps, app, e);
    return false;
  }
}

/** Shows a failure that happened outside a run (no key, a refused destination, /info failed…) with its fixing action. */
export async function showError(deps: SetupDeps, app: AppProfile, e: unknown): Promise<void> {
  if ((e as Error)?.name !== 'MissingKeyError') deps.log.write('error', `[${app.name}] ${(e as Error)?.message ?? String(e)}`);
  const view = describeFailure(e, app.name, serverLabel(app));
  const choice = await vscode.window.showErrorMessage(view.message, ...view.actions.filter((a) => a.action !== 'retry').map((a) => a.label));
  const action = view.actions.find((a) => a.label === choice)?.action;
  if (action === 'setApiKey') await vscode.commands.executeCommand('dify.setApiKey', app.name);
  else if (action === 'openSettings') await vscode.commands.executeCommand('workbench.action.openSettings', 'dify');
  else if (action === 'showLog') deps.log.show();
}

async function confirmInsecure(url: string): Promise<boolean> {
  const go = vscode.l10n.t('Use Anyway');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} is plain http:// to another machine: the API key would travel unencrypted. Use https:// if the server offers it.', url),
    { modal: true },
    go,
  );
  return choice === go;
}

function validUrl(s: string): boolean {
  try {
    const u = new URL(s.trim());
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base} (${i})`;
  return name;
}
