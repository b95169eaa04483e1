// `@dify` in VS Code's own chat: `@dify <question>` asks the default app, `@dify /run <app> <question>`
// a named one, `/apps` lists them, `/new` starts a fresh Dify conversation. What the question refers to (`#file`,
// `#selection`…) goes with it as text (chatReferences.ts). Streams the answer with
// stream.markdown, the workflow's progress with stream.progress, continues the Dify conversation
// across turns of the VS Code chat thread, and honours cancellation (abort + server stop).
import * as vscode from 'vscode';
import { defaultApp, serverLabel, type AppProfile } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { describeFailure } from '../app/errors';
import { captureEditorContext } from '../app/editorContext';
import { prepareRun } from '../app/runPreparation';
import { withReferences } from './chatReferences';
import type { Runs } from '../app/runs';
import type { EntryView } from '../shared/entry';

export const PARTICIPANT_ID = 'dify-vscode.dify';

interface TurnMetadata {
  app?: string;
  /** The run's entry: a thumbs up or down on this turn rates its answer on the app's server. */
  entryId?: string;
  conversationId?: string;
  newConversation?: boolean;
}

export interface ParticipantDeps {
  catalog: AppCatalog;
  runs: Runs;
  userId: string;
  extensionUri: vscode.Uri;
}

/** Registers `@dify` where the chat API exists; elsewhere does nothing (the rest keeps working). */
export function registerParticipant(deps: ParticipantDeps): vscode.Disposable | undefined {
  if (typeof vscode.chat?.createChatParticipant !== 'function') return undefined;
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, (req, ctx, stream, token) => handleChatRequest(deps, req, ctx, stream, token));
  participant.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
  const feedback = participant.onDidReceiveFeedback((f) => {
    const entryId = (f.result.metadata as TurnMetadata | undefined)?.entryId;
    const rating = f.kind === vscode.ChatResultFeedbackKind.Helpful ? 'like' : 'dislike';
    if (entryId) deps.runs.rate(entryId, rating).catch((e: Error) => void vscode.window.showWarningMessage(e.message));
  });
  return vscode.Disposable.from(participant, feedback);
}

/** Finds the app named at the start of the prompt (longest configured name first). */
export function splitAppFromPrompt(apps: AppProfile[], prompt: string): { app?: AppProfile; rest: string } {
  const text = prompt.trim();
  const byLength = [...apps].sort((a, b) => b.name.length - a.name.length);
  for (const app of byLength) {
    for (const form of [app.name, `"${app.name}"`]) {
      if (text.toLowerCase().startsWith(form.toLowerCase()) && (text.length === form.length || /\s/.test(text[form.length]))) {
        return { app, rest: text.slice(form.length).trim() };
      }
    }
  }
  return { rest: text };
}

export async function handleChatRequest(
  deps: ParticipantDeps,
  req: vscode.ChatRequest,
  ctx: vscode.ChatContext,
  stream: vscode.ChatResponseStream,
  token: vscode.CancellationToken,
): Promise<vscode.ChatResult> {
  const apps = deps.catalog.apps();
  if (req.command === 'apps' || apps.length === 0) {
    if (!apps.length) {
      stream.markdown(vscode.l10n.t('No Dify app is configured yet.'));
      stream.button({ command: 'dify.addApp', title: vscode.l10n.t('Add App…') });
      return {};
    }
    stream.markdown(apps.map((a) => `- **${escapeMd(a.name)}** — ${deps.catalog.cachedMode(a) ?? a.provider} · ${serverLabel(a)}`).join('\n'));
    return {};
  }
  if (req.command === 'new') {
    stream.markdown(vscode.l10n.t('Started a new Dify conversation. Your next question begins fresh.'));
    return { metadata: { newConversation: true } satisfies TurnMetadata };
  }

  // `/run <app> …` names the app; otherwise the thread keeps the app it used last, else the default app.
  const named = req.command === 'run' ? splitAppFromPrompt(apps, req.prompt) : { app: undefined, rest: req.prompt.trim() };
  const rest = named.rest;
  const app = named.app ?? (req.command === 'run' ? undefined : lastApp(ctx, apps)) ?? defaultApp(apps);
  if (!app) {
    stream.markdown(vscode.l10n.t('Several apps are configured: name one with `/run <app> <question>`, or set `dify.defaultApp`. Apps: {0}', apps.map((a) => a.name).join(', ')));
    return {};
  }
  if (!rest) {
    stream.markdown(vscode.l10n.t('Ask a question after the app name, e.g. `@dify /run {0} explain this file`.', app.name));
    return {};
  }

  try {
    const text = await withReferences(rest, req.references);
    const start = await prepareRun(deps.catalog, deps.userId, app, captureEditorContext(), { kind: 'text', text }, false);
    if (!start) return {};
    const conversationId = conversationFromHistory(ctx, app.name);
    stream.progress(vscode.l10n.t('Running {0} on {1}…', app.name, serverLabel(app)));
    let streamed = '';
    const launched = await deps.runs.launch({ ...start, conversationId: conversationId ?? '' }, {
      showPanel: false,
      observe: (p) => {
        if (p.nodes) for (const n of p.nodes) if (n.status === 'running') stream.progress(`${n.title}…`);
        if (p.answer !== undefined && p.answer !== streamed) {
          // Moderation replaced the answer: already streamed text cannot be taken back, so say so.
          stream.markdown(`\n\n---\n${vscode.l10n.t('The server replaced the answer:')}\n\n${p.answer}`);
          streamed = p.answer;
        }
        if (p.answerAppend) {
          stream.markdown(p.answerAppend);
          streamed += p.answerAppend;
        }
      },
    });
    const cancel = token.onCancellationRequested(() => void launched.run.stop());
    const entry = await launched.done.finally(() => cancel.dispose());
    if (!entry.answer && entry.outputs) {
      stream.markdown('```json\n' + JSON.stringify(entry.outputs, null, 2) + '\n```');
    }
    if (entry.answer && entry.status !== 'paused') {
      stream.button({ command: 'dify.insertText', arguments: [entry.answer], title: vscode.l10n.t('Insert at Cursor') });
    }
    if (entry.status === 'paused') waitingNote(stream, entry, app.name);
    const metadata: TurnMetadata = { app: app.name, conversationId: entry.conversationId, entryId: entry.id };
    if (entry.status === 'failed') return { errorDetails: { message: entry.error?.message ?? vscode.l10n.t('The run failed.') }, metadata };
    return { metadata };
  } catch (e) {
    if ((e as Error)?.name === 'MissingKeyError') {
      stream.markdown(vscode.l10n.t('No API key is stored for "{0}".', app.name));
      stream.button({ command: 'dify.setApiKey', arguments: [app.name], title: vscode.l10n.t('Set API Key') });
      return {};
    }
    return { errorDetails: { message: describeFailure(e, app.name, serverLabel(app)).message } };
  }
}

/** The Dify conversation this chat thread continues: the latest turn's, unless `/new` came after it. */
function conversationFromHistory(ctx: vscode.ChatContext, app: string): string | undefined {
  for (let i = ctx.history.length - 1; i >= 0; i--) {
    const turn = ctx.history[i];
    if (!(turn instanceof vscode.ChatResponseTurn)) continue;
    const m = turn.result.metadata as TurnMetadata | undefined;
    if (m?.newConversation) return undefined;
    if (m?.app === app && m.conversationId) return m.conversationId;
  }
  return undefined;
}

function lastApp(ctx: vscode.ChatContext, apps: AppProfile[]): AppProfile | undefined {
  for (let i = ctx.history.length - 1; i >= 0; i--) {
    const turn = ctx.history[i];
    if (turn instanceof vscode.ChatResponseTurn) {
      const name = (turn.result.metadata as TurnMetadata | undefined)?.app;
      if (name) return apps.find((a) => a.name === name);
    }
  }
  return undefined;
}

/** A run that paused for a person says so, and offers its form: answered from the palette, or in the panel. */
function waitingNote(stream: vscode.ChatResponseStream, entry: EntryView, app: string): void {
  const waiting = (entry.forms ?? []).filter((f) => f.state === 'waiting' && f.token);
  if (!waiting.length) {
    stream.markdown(`\n\n${vscode.l10n.t('The run of {0} waits for an approval elsewhere (an email or the Dify console); it goes on once someone answers there.', escapeMd(app))}`);
    return;
  }
  const titles = waiting.map((f) => `**${escapeMd(f.title || vscode.l10n.t('Form'))}**`).join(', ');
  stream.markdown(`\n\n${vscode.l10n.t('The run of {0} waits for your answer: {1}. It goes on in the Dify chat panel once you answer.', escapeMd(app), titles)}`);
  stream.button({ command: 'dify.answerForm', arguments: [entry.id], title: vscode.l10n.t('Answer…') });
  stream.button({ command: 'dify.revealForm', arguments: [entry.id], title: vscode.l10n.t('Show in Chat Panel') });
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
