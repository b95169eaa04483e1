// A status-bar item while runs are active (click: stop), and the `dify.running` context key.
import * as vscode from 'vscode';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('dify.running', vscode.StatusBarAlignment.Left, 100);

  constructor() {
    this.item.name = vscode.l10n.t('Dify run');
    this.item.command = 'dify.stop';
  }

  update(running: { app: string }[]): void {
    void vscode.commands.executeCommand('setContext', 'dify.running', running.length > 0);
    if (!running.length) {
      this.item.hide();
      return;
    }
    this.item.text = running.length === 1 ? `$(loading~spin) ${running[0].app}` : `$(loading~spin) ${vscode.l10n.t('Dify: {0} runs', running.length)}`;
    this.item.tooltip = vscode.l10n.t('Dify is running {0}. Click to stop.', running.map((r) => r.app).join(', '));
    this.item.accessibilityInformation = { label: vscode.l10n.t('Dify is running. Activate to stop.') };
    this.item.show();
  }

  dispose(): void {
    void vscode.commands.executeCommand('setContext', 'dify.running', false);
    this.item.dispose();
  }
}
