// The palette's conversation commands, which the panel's list runs too: "Dify: Conversations…" (a searchable list,
// a page at a time, with rename, delete and export on each item; picking one resumes it), and "Rename / Delete /
// Export Conversation…" on their own. Asking and confirming go through `ConversationPrompts` (tests replace it).
import * as vscode from 'vscode';
import { isChatMode } from '../shared/model';
import type { AppProfile } from '../config/apps';
import type { ConversationService } from '../app/conversationService';
import { fileNameOf } from '../app/conversationMarkdown';
import type { Runs } from '../app/runs';
import type { Conversation, ConversationRename } from '../providers/types';
import { providerOf } from '../providers/registry';
import { pickApp, showError, type SetupDeps } from './appSetup';

/** What the commands ask the person (a test answers instead). */
export interface ConversationPrompts {
  /** A new name typed, or "let the app name it"; undefined: cancelled. */
  name(current: string, app: string): Promise<ConversationRename | undefined>;
  /** A modal confirmation naming the conversation. */
  confirmDelete(label: string, app: string): Promise<boolean>;
  /** Where the export goes. */
  exportTarget(label: string): Promise<'editor' | 'file' | undefined>;
  /** The file to save the export as. */
  saveAs(suggestedName: string): Promise<vscode.Uri | undefined>;
}

export interface ConversationDeps extends SetupDeps {
  runs: Runs;
  conversations: ConversationService;
  prompts: ConversationPrompts;
  /** Shows the chat (a resumed conversation is there). */
  showPanel(): void;
}

/** What the panel's list passes: the app by name and the conversation. */
interface Target {
  app?: unknown;
  conversationId?: unknown;
}

export function registerConversationCommands(deps: ConversationDeps): vscode.Disposable[] {
  const reg = vscode.commands.registerCommand;
  return [
    reg('dify.conversations', async () => {
      const app = await pickChatApp(deps, vscode.l10n.t('Conversations of which app?'));
      if (app) await browse(deps, app);
    }),
    reg('dify.renameConversation', (t?: Target) => withConversation(deps, t, vscode.l10n.t('Rename which conversation?'), (app, id) => rename(deps, app, id))),
    reg('dify.deleteConversation', (t?: Target) => withConversation(deps, t, vscode.l10n.t('Delete which conversation?'), (app, id) => remove(deps, app, id))),
    reg('dify.exportConversation', (t?: Target) => withConversation(deps, t, vscode.l10n.t('Export which conversation?'), (app, id) => exportConversation(deps, app, id))),
  ];
}

/** The prompts of VS Code itself. */
export const vscodePrompts: ConversationPrompts = {
  name: (current) =>
    new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      const generate: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('sparkle'), tooltip: vscode.l10n.t('Let the app name it from the first message') };
      box.title = vscode.l10n.t('Rename Conversation');
      box.prompt = vscode.l10n.t('A new name, or ✨ to let the app name it from its first message.');
      box.value = current;
      box.valueSelection = [0, current.length];
      box.buttons = [generate];
      box.ignoreFocusOut = true;
      let done = false;
      const finish = (r: ConversationRename | undefined) => {
        if (done) return;
        done = true;
        resolve(r);
        box.dispose();
      };
      box.onDidChangeValue(() => (box.validationMessage = undefined));
      box.onDidTriggerButton(() => finish({ autoGenerate: true }));
      box.onDidAccept(() => {
        const name = box.value.trim();
        if (!name) box.validationMessage = vscode.l10n.t('Type a name, or let the app name it (✨).');
        else finish({ name });
      });
      box.onDidHide(() => finish(undefined));
      box.show();
    }),
  confirmDelete: async (label, app) => {
    const del = vscode.l10n.t('Delete');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete the conversation "{0}" of {1}?', label, app),
      { modal: true, detail: vscode.l10n.t('It is deleted on the server with all its messages; this cannot be undone.') },
      del,
    );
    return choice === del;
  },
  exportTarget: async (label) => {
    const picked = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('$(go-to-file) Open in New Editor'), target: 'editor' as const },
        { label: vscode.l10n.t('$(save-as) Save As…'), target: 'file' as const },
      ],
      { title: vscode.l10n.t('Export "{0}" as Markdown', label), ignoreFocusOut: true },
    );
    return picked?.target;
  },
  saveAs: async (suggestedName) => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined,
      filters: { Markdown: ['md'] },
      saveLabel: vscode.l10n.t('Export'),
    });
  },
};

/** Dify chat apps (and apps whose mode is not known yet: the server says). */
async function pickChatApp(deps: ConversationDeps, placeHolder: string): Promise<AppProfile | undefined> {
  const apps = deps.catalog.apps().filter((a) => {
    const mode = deps.catalog.cachedMode(a);
    return providerOf(a.provider).conversations && (mode === undefined || isChatMode(mode));
  });
  if (!apps.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('None of your apps keeps conversations on its server: add a Dify chat app, chatflow or agent.'));
    return undefined;
  }
  return pickApp(deps.catalog, placeHolder, apps);
}

async function withConversation(deps: ConversationDeps, t: Target | undefined, placeHolder: string, act: (app: AppProfile, id: string) => Promise<unknown>): Promise<void> {
  const named = typeof t?.app === 'string' ? deps.catalog.find(t.app) : undefined;
  const app = named ?? (await pickChatApp(deps, placeHolder));
  if (!app) return;
  const id = typeof t?.conversationId === 'string' && t.conversationId ? t.conversationId : await pickConversation(deps, app, placeHolder);
  if (!id) return;
  try {
    await act(app, id);
  } catch (e) {
    await say(deps, app, e);
  }
}

/** Tells a failure (with its fix as the message's buttons); the command ends without waiting for it. */
async function say(deps: ConversationDeps, app: AppProfile, e: unknown): Promise<void> {
  if ((e as Error)?.name === 'Refusal') void vscode.window.showInformationMessage((e as Error).message);
  else void showError(deps, app, e);
}

async function rename(deps: ConversationDeps, app: AppProfile, id: string): Promise<void> {
  const r = await deps.prompts.name(deps.conversations.find(app.name, id)?.name ?? '', app.name);
  if (!r) return;
  const renamed = await deps.conversations.rename(app, id, r);
  vscode.window.setStatusBarMessage(vscode.l10n.t('$(check) Conversation renamed to "{0}"', renamed.name), 4000);
}

async function remove(deps: ConversationDeps, app: AppProfile, id: string): Promise<void> {
  if (!(await deps.prompts.confirmDelete(deps.conversations.label(app.name, id), app.name))) return;
  await deps.conversations.remove(app, id);
}

async function exportConversation(deps: ConversationDeps, app: AppProfile, id: string): Promise<void> {
  const target = await deps.prompts.exportTarget(deps.conversations.label(app.name, id));
  if (!target) return;
  const { title, markdown } = await deps.conversations.exportMarkdown(app, id);
  if (target === 'editor') {
    const doc = await vscode.workspace.openTextDocument({ content: markdown, language: 'markdown' });
    await vscode.window.showTextDocument(doc, { preview: false });
    return;
  }
  const uri = await deps.prompts.saveAs(`${fileNameOf(title)}.md`);
  if (!uri) return;
  await vscode.workspace.fs.writeFile(uri, Buffer.from(markdown, 'utf8'));
  // Said without waiting: the command is done once the file is written.
  const open = vscode.l10n.t('Open');
  void vscode.window.showInformationMessage(vscode.l10n.t('The conversation was saved to {0}.', uri.fsPath || uri.toString()), open).then((choice) => {
    if (choice === open) void vscode.window.showTextDocument(uri);
  });
}

interface ConversationItem extends vscode.QuickPickItem {
  conversation?: Conversation;
  more?: boolean;
}

/**
 * A quick pick of the app's conversations, a page at a time ("Load more…" fetches the next). Typing filters the
 * names loaded so far; "Load more…" stays while the server has more, so a search reaches older ones on demand.
 */
function conversationPick(deps: ConversationDeps, app: AppProfile, title: string, buttons: vscode.QuickInputButton[]) {
  const qp = vscode.window.createQuickPick<ConversationItem>();
  qp.title = title;
  qp.placeholder = vscode.l10n.t('Search the conversations loaded so far');
  qp.matchOnDescription = true;
  qp.ignoreFocusOut = true;
  const loaded: Conversation[] = [];
  let hasMore = false;
  let lastId: string | undefined;
  const current = deps.runs.conversationOf(app.name);
  const render = () => {
    const items: ConversationItem[] = loaded.map((c) => ({
      label: c.name.trim() || vscode.l10n.t('Untitled conversation'),
      description: [c.id === current ? vscode.l10n.t('current') : undefined, c.updatedAt ? new Date(c.updatedAt * 1000).toLocaleString(vscode.env.language) : undefined].filter(Boolean).join(' · '),
      conversation: c,
      buttons,
    }));
    if (hasMore) items.push({ label: vscode.l10n.t('$(chevron-down) Load more…'), alwaysShow: true, more: true });
    const active = qp.activeItems[0]?.conversation?.id;
    qp.items = items;
    const keep = items.find((i) => i.conversation?.id === active);
    if (keep) qp.activeItems = [keep];
  };
  const load = async (): Promise<boolean> => {
    qp.busy = true;
    try {
      const page = await deps.conversations.page(app, lastId);
      if (!page) {
        qp.hide();
        void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" keeps no conversations on its server.', app.name));
        return false;
      }
      loaded.push(...page.conversations);
      hasMore = page.hasMore && page.conversations.length > 0;
      lastId = page.conversations.at(-1)?.id ?? lastId;
      if (!loaded.length) qp.placeholder = vscode.l10n.t('{0} has no conversations with you yet.', app.name);
      render();
      return true;
    } catch (e) {
      qp.hide();
      await say(deps, app, e);
      return false;
    } finally {
      qp.busy = false;
    }
  };
  const forget = (id: string) => {
    const i = loaded.findIndex((c) => c.id === id);
    if (i >= 0) loaded.splice(i, 1);
    render();
  };
  const replace = (c: Conversation) => {
    const i = loaded.findIndex((x) => x.id === c.id);
    if (i >= 0) loaded[i] = c;
    render();
  };
  return { qp, load, forget, replace };
}

/** Picks a conversation of the app (for a command run without one). */
async function pickConversation(deps: ConversationDeps, app: AppProfile, title: string): Promise<string | undefined> {
  const { qp, load } = conversationPick(deps, app, title, []);
  return new Promise((resolve) => {
    let picked: string | undefined;
    qp.onDidAccept(async () => {
      const item = qp.selectedItems[0];
      if (item?.more) return void (await load());
      picked = item?.conversation?.id;
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(picked);
      qp.dispose();
    });
    qp.show();
    void load();
  });
}

/** "Dify: Conversations…": the list with its item buttons; picking a conversation resumes it in the chat. */
async function browse(deps: ConversationDeps, app: AppProfile): Promise<void> {
  const renameBtn: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: vscode.l10n.t('Rename Conversation…') };
  const exportBtn: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('export'), tooltip: vscode.l10n.t('Export Conversation…') };
  const deleteBtn: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: vscode.l10n.t('Delete Conversation…') };
  const { qp, load, forget, replace } = conversationPick(deps, app, vscode.l10n.t('Conversations of {0}', app.name), [renameBtn, exportBtn, deleteBtn]);
  qp.onDidTriggerItemButton(async ({ item, button }) => {
    const c = item.conversation;
    if (!c) return;
    // The prompts take the quick input's place: the list goes, and opens again after.
    qp.hide();
    try {
      if (button === renameBtn) await rename(deps, app, c.id);
      else if (button === deleteBtn) await remove(deps, app, c.id);
      else return await exportConversation(deps, app, c.id);
    } catch (e) {
      return await say(deps, app, e);
    }
    await browse(deps, app);
  });
  const stop = deps.conversations.onChange((change) => {
    if (change.app !== app.name) return;
    if (change.conversation) replace(change.conversation);
    else forget(change.conversationId);
  });
  qp.onDidAccept(async () => {
    const item = qp.selectedItems[0];
    if (item?.more) return void (await load());
    const c = item?.conversation;
    if (!c) return;
    qp.hide();
    try {
      await deps.runs.resume(app, c.id);
      deps.showPanel();
    } catch (e) {
      await say(deps, app, e);
    }
  });
  qp.onDidHide(() => {
    stop();
    qp.dispose();
  });
  qp.show();
  await load();
}
