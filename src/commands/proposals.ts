// An answer's code applied as a change the person reviews: a diff editor shows the file as it is and as it would be,
// with Apply and Discard in its title bar (and in a notification); nothing is written before Apply, and the applied
// change is one step of undo. Closing the diff discards the change.
import * as vscode from 'vscode';
import type { Runs } from '../app/runs';
import { fileTarget, selectionTarget, type ApplyRequest } from './editorActions';

export const PROPOSAL_SCHEME = 'dify-proposal';
const OPEN_CONTEXT = 'dify.changeProposed';

interface Proposal {
  target: vscode.Uri;
  /** The range replaced, or none for a file created. */
  range?: vscode.Range;
  text: string;
  /** The document's version when proposed: a file changed since is proposed again, not overwritten. */
  version?: number;
  /** The file as it would be. */
  proposed: string;
  settle(applied: boolean): void;
}

export class Proposals implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly open = new Map<string, Proposal>();
  private seq = 0;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly runs: Runs) {
    this.disposables = [
      vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, this),
      // Closing the diff is a "no".
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        for (const tab of e.closed) {
          const input = tab.input;
          if (input instanceof vscode.TabInputTextDiff && input.modified.scheme === PROPOSAL_SCHEME) this.settle(input.modified.path, false);
        }
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return uri.query === 'empty' ? '' : (this.open.get(uri.path)?.proposed ?? '');
  }

  /** Shows the change and resolves whether the person applied it. */
  async propose(r: ApplyRequest): Promise<boolean> {
    const target = r.target === 'selection' ? await selectionTarget(this.runs, r.entryId) : await fileTarget(r.text, r.info);
    if (!target) return false;
    const doc = target.range ? await vscode.workspace.openTextDocument(target.uri) : undefined;
    const proposed = doc && target.range ? doc.getText().slice(0, doc.offsetAt(target.range.start)) + r.text + doc.getText().slice(doc.offsetAt(target.range.end)) : r.text;
    const id = `/${++this.seq}/${target.uri.path.split('/').pop()}`;
    const applied = new Promise<boolean>((settle) => this.open.set(id, { target: target.uri, range: target.range, text: r.text, version: doc?.version, proposed, settle }));
    const left = doc ? target.uri : vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: id, query: 'empty' });
    const name = vscode.workspace.asRelativePath(target.uri);
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: id }), vscode.l10n.t('{0} ↔ the answer\'s change (review, then Apply or Discard)', name), { preview: false });
    void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, true);
    const apply = vscode.l10n.t('Apply');
    const discard = vscode.l10n.t('Discard');
    void vscode.window.showInformationMessage(vscode.l10n.t('Apply the answer\'s change to {0}?', name), apply, discard).then((choice) => {
      if (choice) void this.decide(id, choice === apply);
    });
    return applied;
  }

  /** Apply or Discard for the proposal in the active diff editor (the title bar's buttons). */
  async decideActive(apply: boolean): Promise<void> {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const id = input instanceof vscode.TabInputTextDiff && input.modified.scheme === PROPOSAL_SCHEME ? input.modified.path : [...this.open.keys()].at(-1);
    if (id) await this.decide(id, apply);
  }

  private async decide(id: string, apply: boolean): Promise<void> {
    const p = this.open.get(id);
    if (!p) return;
    if (apply) {
      const doc = p.range ? await vscode.workspace.openTextDocument(p.target) : undefined;
      if (doc && doc.version !== p.version) {
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} changed since the change was proposed; nothing was applied. Apply the answer again to review it on the new text.', vscode.workspace.asRelativePath(p.target)));
        apply = false;
      } else {
        const edit = new vscode.WorkspaceEdit();
        if (p.range) edit.replace(p.target, p.range, p.text);
        else edit.createFile(p.target, { contents: new TextEncoder().encode(p.text) });
        apply = await vscode.workspace.applyEdit(edit);
      }
    }
    this.settle(id, apply);
    await this.closeDiff(id);
  }

  private settle(id: string, applied: boolean): void {
    const p = this.open.get(id);
    if (!p) return;
    this.open.delete(id);
    p.settle(applied);
    if (!this.open.size) void vscode.commands.executeCommand('setContext', OPEN_CONTEXT, false);
  }

  private async closeDiff(id: string): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === PROPOSAL_SCHEME && t.input.modified.path === id);
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  dispose(): void {
    for (const id of [...this.open.keys()]) this.settle(id, false);
    this.disposables.forEach((d) => d.dispose());
  }
}
