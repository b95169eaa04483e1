// The panel's conversation list: pages of the selected app's conversations, and what is done to one of them. Renaming,
// deleting and exporting ask and confirm in VS Code's own UI (the palette's commands, which the panel runs); the
// list hears of every change, wherever it was made.
import * as vscode from 'vscode';
import type { AppProfile } from '../config/apps';
import type { ConversationAction, ConversationSummary } from '../protocol';
import type { Conversation } from '../providers/types';
import type { ConversationService } from './conversationService';
import type { PanelPort } from './panelSession';

/** The command each action of the list runs (commands/conversations.ts). */
export const CONVERSATION_COMMANDS: Record<ConversationAction, string> = {
  rename: 'dify.renameConversation',
  delete: 'dify.deleteConversation',
  export: 'dify.exportConversation',
};

const summary = (c: Conversation): ConversationSummary => ({ id: c.id, name: c.name, updatedAt: c.updatedAt });

export class PanelConversations {
  constructor(private readonly service: ConversationService, private readonly port: PanelPort) {
    service.onChange((c) => port.post({ type: 'conversationChanged', app: c.app, conversationId: c.conversationId, conversation: c.conversation && summary(c.conversation) }));
  }

  /** Sends the first page of the app's conversations, or the one after `lastId`; a failure is said in the list. */
  async list(app: AppProfile, lastId?: string): Promise<void> {
    const append = lastId !== undefined;
    try {
      const page = await this.service.page(app, lastId);
      if (!page) return this.port.post({ type: 'conversations', app: app.name, conversations: [], unsupported: true });
      this.port.post({ type: 'conversations', app: app.name, conversations: page.conversations.map(summary), hasMore: page.hasMore, append });
    } catch (e) {
      this.port.post({ type: 'conversations', app: app.name, conversations: [], append, error: this.service.describe(app, e) });
    }
  }

  act(app: AppProfile, action: ConversationAction, conversationId: string): Thenable<unknown> {
    return vscode.commands.executeCommand(CONVERSATION_COMMANDS[action], { app: app.name, conversationId });
  }
}
