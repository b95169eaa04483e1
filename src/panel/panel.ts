// The chat's webviews: the editor-tab panel beside the editor (restored after a reload by a serializer) and the view
// that docks in the side bar or the secondary side bar. Both show the one session's state (src/app/panelSession.ts)
// and keep none of their own. This host validates what a webview sends before the session acts on it, batches entry
// patches to one message per frame, and answers image requests itself.
import * as vscode from 'vscode';
import type { PanelPort } from '../app/panelSession';
import { parseWebviewMessage, type HostMessage, type PanelState, type WebviewMessage } from '../protocol';
import { panelHtml } from './panelHtml';
import { PatchBatcher } from './patchBatcher';

export const PANEL_VIEW_TYPE = 'dify.chat';
export const CHAT_VIEW_ID = 'dify.chatView';

export interface PanelHost {
  state(): PanelState;
  strings(): Record<string, string>;
  onMessage(message: WebviewMessage): void;
  /** An answer's image, fetched for the webview (which loads nothing from outside itself). */
  loadImage(url: string, userAsked: boolean): Promise<HostMessage>;
}

export class ChatPanel implements PanelPort, vscode.WebviewViewProvider, vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private view?: vscode.WebviewView;
  /** The webviews loaded and listening: messages go to these (a loading one gets the whole state when ready). */
  private readonly ready = new Set<vscode.Webview>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly batcher = new PatchBatcher((patch) => this.deliver({ type: 'entryPatch', patch }));
  /** Sees every message posted to the webviews (set by the extension's own tests). */
  tap?: (message: HostMessage) => void;

  constructor(private readonly extensionUri: vscode.Uri, private readonly host: PanelHost) {}

  get visible(): boolean {
    return !!this.panel?.visible || !!this.view?.visible;
  }

  /** Shows the chat: the docked view when it is open, else the panel beside the editor (creating it if needed). */
  show(preserveFocus = true): void {
    if (this.view?.visible) return this.view.show(preserveFocus);
    this.showPanel(preserveFocus);
  }

  /** Shows the editor-tab panel ("Open Dify Chat"). */
  showPanel(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(undefined, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      vscode.l10n.t('Dify Chat'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { ...this.webviewOptions(), retainContextWhenHidden: false },
    );
    this.attachPanel(panel);
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
    this.attachPanel(panel);
  }

  /** The docked view, when VS Code shows it. */
  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    // Kept here: a disposed view's `webview` getter throws, also inside its own onDidDispose.
    const webview = view.webview;
    webview.options = this.webviewOptions();
    this.attach(webview);
    this.disposables.push(
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready.delete(webview);
      }),
      view.onDidDispose(() => {
        this.ready.delete(webview);
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  /** Entry patches go out at most once per frame each; anything else goes at once, after the patches before it. */
  post(message: HostMessage): void {
    if (message.type === 'entryPatch') return this.batcher.push(message.patch);
    this.batcher.flush();
    this.deliver(message);
  }

  private deliver(message: HostMessage): void {
    this.tap?.(message);
    for (const webview of this.ready) void webview.postMessage(message);
  }

  dispose(): void {
    this.batcher.dispose();
    this.panel?.dispose();
    this.disposables.forEach((d) => d.dispose());
  }

  private webviewOptions(): vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attachPanel(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'panel-icon.svg');
    // Kept here: a disposed panel's `webview` getter throws, also inside its own onDidDispose (a panel the person
    // closed would otherwise stay this host's panel, and "Open Dify Chat" would fail on it).
    const webview = panel.webview;
    this.attach(webview);
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready.delete(webview);
      }),
      panel.onDidDispose(() => {
        this.ready.delete(webview);
        if (this.panel === panel) this.panel = undefined;
      }),
    );
  }

  private attach(webview: vscode.Webview): void {
    this.ready.delete(webview);
    webview.html = panelHtml(webview, this.extensionUri, vscode.l10n.t('Dify Chat'));
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (!message) return;
        if (message.type === 'loadImage') {
          void this.host.loadImage(message.url, message.userAsked).then((reply) => this.post(reply));
          return;
        }
        if (message.type === 'ready') {
          // (Re)load of a webview: it gets the whole state, then live patches. Patches batched before this
          // moment are already part of that state, so they must not arrive after it (text would repeat).
          this.batcher.flush();
          this.ready.add(webview);
          const init: HostMessage = { type: 'init', state: this.host.state(), l10n: this.host.strings() };
          this.tap?.(init);
          void webview.postMessage(init);
        }
        this.host.onMessage(message);
      }),
    );
  }
}
