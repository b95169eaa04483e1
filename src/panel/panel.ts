// The chat panel host: one WebviewPanel beside the editor, restored after reload by a serializer. It validates what
// the webview sends before the session acts on it, batches entry patches to one message per frame, and answers
// image requests itself; the panel's state belongs to the session (src/app/panelSession.ts).
import * as vscode from 'vscode';
import type { PanelPort } from '../app/panelSession';
import { parseWebviewMessage, type HostMessage, type PanelState, type WebviewMessage } from '../protocol';
import { panelHtml } from './panelHtml';
import { PatchBatcher } from './patchBatcher';

export const PANEL_VIEW_TYPE = 'dify.chat';

export interface PanelHost {
  state(): PanelState;
  strings(): Record<string, string>;
  onMessage(message: WebviewMessage): void;
  /** An answer's image, fetched for the webview (which loads nothing from outside itself). */
  loadImage(url: string, userAsked: boolean): Promise<HostMessage>;
}

export class ChatPanel implements PanelPort, vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly batcher = new PatchBatcher((patch) => this.deliver({ type: 'entryPatch', patch }));
  /** Sees every message posted to the webview (set by the extension's own tests). */
  tap?: (message: HostMessage) => void;

  constructor(private readonly extensionUri: vscode.Uri, private readonly host: PanelHost) {}

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  /** Shows the panel beside the editor (creating it if needed). */
  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      vscode.l10n.t('Dify Chat'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      this.webviewOptions(),
    );
    this.attach(panel);
  }

  /**
   * Adopts a panel VS Code restored after a reload. "Open Dify Chat" may have opened one already while VS Code
   * was still bringing back the one from before (VS Code for the Web can be slow to, or forget a panel opened
   * just before the reload): the restored one then closes, and the open one stays.
   */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel && this.panel !== panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
  }

  /** Entry patches go out at most once per frame each; anything else goes at once, after the patches before it. */
  post(message: HostMessage): void {
    if (message.type === 'entryPatch') return this.batcher.push(message.patch);
    this.batcher.flush();
    this.deliver(message);
  }

  private deliver(message: HostMessage): void {
    this.tap?.(message);
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.batcher.dispose();
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
      retainContextWhenHidden: false,
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'panel-icon.svg');
    panel.webview.html = panelHtml(panel.webview, this.extensionUri, vscode.l10n.t('Dify Chat'));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (!message) return;
        if (message.type === 'loadImage') {
          void this.host.loadImage(message.url, message.userAsked).then((reply) => this.post(reply));
          return;
        }
        if (message.type === 'ready') {
          // (Re)load of the webview: it gets the whole state, then live patches. Patches batched before this
          // moment are already part of that state, so they must not arrive after it (text would repeat).
          this.batcher.flush();
          this.ready = true;
          const init: HostMessage = { type: 'init', state: this.host.state(), l10n: this.host.strings() };
          this.tap?.(init);
          void panel.webview.postMessage(init);
        }
        this.host.onMessage(message);
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = undefined;
        this.ready = false;
      }),
    );
  }
}
