// The one gate before anything is sent for an app: a key goes only where it was entered for, and a destination a
// workspace's settings chose (a cloned repository is not trusted with that) is used only once the person allows it.
// Each question names the servers, in a modal prompt; the answer is remembered.
import * as vscode from 'vscode';
import type { AppProfile } from './apps';
import { covers, describeDestination, destinationKey, destinationOf, type Destination } from './destination';
import type { KeyStore, StoredKey } from './secrets';

const APPROVED = 'dify.allowedDestinations';

/** The person declined to send the app's requests (and key) where its settings point now. */
export class DestinationRefusedError extends Error {
  constructor(
    readonly app: string,
    readonly destination: Destination,
    /** Where the key was entered for, when that is why the person was asked. */
    readonly keyBoundTo?: Destination,
  ) {
    super(`The requests of "${app}" were not sent to ${destination.origin}: the person did not allow it.`);
    this.name = 'DestinationRefusedError';
  }
}

/** Shows a modal question; resolves with the chosen button, or undefined when dismissed. */
export type Ask = (message: string, detail: string, button: string) => Thenable<string | undefined>;

const askModal: Ask = (message, detail, button) => vscode.window.showWarningMessage(message, { modal: true, detail }, button);

export class DestinationGuard {
  /** Replaced by the extension's own tests, which cannot click a modal dialog. */
  ask: Ask = askModal;
  /** One question at a time per app and destination (a panel asks for /info and /parameters together). */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly keys: KeyStore,
    /** The workspace's state: what the person allowed for this workspace. */
    private readonly state: vscode.Memento,
  ) {}

  /** Resolves when the app's requests may go where its settings point now; throws DestinationRefusedError if not. */
  check(app: AppProfile, stored: StoredKey | undefined): Promise<void> {
    const now = destinationOf(app);
    const keyMoved = !!stored && (!stored.boundTo || !covers(stored.boundTo, now));
    const unapproved = !!app.fromWorkspace && !this.allowed(app.name, now);
    if (!keyMoved && !unapproved) return Promise.resolve();
    const id = destinationKey(app.name, now);
    let p = this.pending.get(id);
    if (!p) {
      p = this.confirm(app, now, keyMoved ? stored : undefined).finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    return p;
  }

  /** Remembers that the person allowed this workspace's destination for the app (they entered its key for it). */
  async allow(app: AppProfile): Promise<void> {
    if (!app.fromWorkspace) return;
    const key = destinationKey(app.name, destinationOf(app));
    const list = this.state.get<string[]>(APPROVED) ?? [];
    if (!list.includes(key)) await this.state.update(APPROVED, [...list, key].slice(-200));
  }

  private allowed(name: string, d: Destination): boolean {
    return (this.state.get<string[]>(APPROVED) ?? []).includes(destinationKey(name, d));
  }

  private async confirm(app: AppProfile, now: Destination, moved: StoredKey | undefined): Promise<void> {
    const where = describeDestination(now);
    const source = app.fromWorkspace ? vscode.l10n.t('This is set in this workspace\'s settings (.vscode/settings.json or the workspace file).') : '';
    const own = app.userDefinition ? vscode.l10n.t('Your own settings send it to {0}.', describeDestination(destinationOf(app.userDefinition))) : '';
    let message: string;
    if (moved?.boundTo) {
      message = vscode.l10n.t('The API key of "{0}" was entered for {1}. Send it to {2}?', app.name, describeDestination(moved.boundTo), where);
    } else if (moved) {
      message = vscode.l10n.t('The API key of "{0}" was stored by an earlier version, without its server. Send it to {1}?', app.name, where);
    } else {
      message = vscode.l10n.t('This workspace\'s settings send "{0}" to {1}. Allow it?', app.name, where);
    }
    const button = moved ? vscode.l10n.t('Send to {0}', hostOf(now.origin)) : vscode.l10n.t('Allow in This Workspace');
    const detail = [source, own, vscode.l10n.t('Only allow servers you know: whoever runs them receives your questions, your code and the app\'s key.')].filter(Boolean).join('\n\n');
    if ((await this.ask(message, detail, button)) !== button) throw new DestinationRefusedError(app.name, now, moved?.boundTo);
    if (moved) await this.keys.rebind(app, now);
    await this.allow(app);
  }
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}
