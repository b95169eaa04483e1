// Dify apps as VS Code language models (vendor `dify`): every configured conversational app — chat, chatflow,
// agent, Flowise chatflow — appears in the model picker and to any extension that calls `vscode.lm.selectChatModels`.
// A request's last user message is the Dify question; the earlier turns continue the Dify conversation they came
// from, or go along as context (app/transcript.ts). Only text is carried: images and tool calls are not. The answer
// streams as text, without the model's thinking. Where VS Code has no such API, nothing is registered.
import * as vscode from 'vscode';
import { serverLabel } from '../config/apps';
import type { AppCatalog } from '../config/catalog';
import { captureEditorContext } from '../app/editorContext';
import { describeFailure } from '../app/errors';
import { prepareRun } from '../app/runPreparation';
import type { Runs } from '../app/runs';
import { approximateTokens, Conversations, type TranscriptMessage } from '../app/transcript';
import { isChatMode } from '../shared/model';

export const LM_VENDOR = 'dify';

// The language model chat provider API (VS Code 1.104+), declared here as this extension uses it: the extension
// keeps working with older VS Code versions (engines ^1.95), whose type definitions do not have it.
interface ModelInformation {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly version: string;
  readonly detail?: string;
  readonly tooltip?: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  readonly capabilities: { readonly imageInput?: boolean; readonly toolCalling?: boolean | number };
}
interface RequestMessage {
  readonly role: number;
  readonly content: ReadonlyArray<unknown>;
}
interface ChatProvider {
  readonly onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(options: { readonly silent: boolean }, token: vscode.CancellationToken): vscode.ProviderResult<ModelInformation[]>;
  provideLanguageModelChatResponse(model: ModelInformation, messages: readonly RequestMessage[], options: unknown, progress: vscode.Progress<unknown>, token: vscode.CancellationToken): Thenable<void>;
  provideTokenCount(model: ModelInformation, text: string | RequestMessage, token: vscode.CancellationToken): Thenable<number>;
}
type LmWithProviders = typeof vscode.lm & { registerLanguageModelChatProvider?(vendor: string, provider: ChatProvider): vscode.Disposable };

export interface LanguageModelDeps {
  catalog: AppCatalog;
  runs: Runs;
  userId: string;
}

/** Registers the provider where the API exists; undefined elsewhere (older VS Code, or no language model API). */
export function registerLanguageModels(deps: LanguageModelDeps): vscode.Disposable | undefined {
  const lm = vscode.lm as LmWithProviders | undefined;
  if (typeof lm?.registerLanguageModelChatProvider !== 'function') return undefined;
  const provider = new DifyModels(deps);
  return vscode.Disposable.from(lm.registerLanguageModelChatProvider(LM_VENDOR, provider), provider);
}

class DifyModels implements ChatProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this.changed.event;
  private readonly conversations = new Conversations();
  private readonly watch: vscode.Disposable;

  constructor(private readonly deps: LanguageModelDeps) {
    this.watch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dify.apps')) this.changed.fire();
    });
  }

  /** The conversational apps; with `silent`, only those whose mode is known already (no request is made). */
  async provideLanguageModelChatInformation(options: { readonly silent: boolean }): Promise<ModelInformation[]> {
    const models: ModelInformation[] = [];
    for (const app of this.deps.catalog.apps()) {
      let mode = this.deps.catalog.cachedMode(app);
      if (!mode && !options.silent) mode = await this.deps.catalog.info(app).then((i) => i.mode, () => undefined);
      if (!isChatMode(mode)) continue;
      models.push({
        id: app.name,
        name: app.name,
        family: `dify-${mode}`,
        version: '1',
        detail: serverLabel(app),
        tooltip: vscode.l10n.t('The Dify app "{0}" ({1}) on {2}', app.name, mode!, serverLabel(app)),
        // A Dify app's model and its limits are set on the server and not published: generous figures.
        maxInputTokens: 128_000,
        maxOutputTokens: 16_000,
        capabilities: { imageInput: false, toolCalling: false },
      });
    }
    return models;
  }

  async provideLanguageModelChatResponse(model: ModelInformation, messages: readonly RequestMessage[], _options: unknown, progress: vscode.Progress<unknown>, token: vscode.CancellationToken): Promise<void> {
    const app = this.deps.catalog.find(model.id);
    if (!app) throw new Error(vscode.l10n.t('The Dify app "{0}" is no longer configured.', model.id));
    const turn = this.conversations.turn(app.name, messages.map(transcriptMessage));
    if (!turn.query.trim()) throw new Error(vscode.l10n.t('The request has no question for "{0}".', app.name));
    let answer = '';
    try {
      const start = await prepareRun(this.deps.catalog, this.deps.userId, app, captureEditorContext(), { kind: 'text', text: turn.query }, false);
      if (!start) throw new Error(vscode.l10n.t('The inputs for "{0}" are incomplete.', app.name));
      const launched = await this.deps.runs.launch({ ...start, conversationId: turn.conversationId ?? '' }, {
        showPanel: false,
        // Only the answer: the thinking part and the trace stay out of the model's text.
        observe: (p) => {
          if (!p.answerAppend) return;
          answer += p.answerAppend;
          progress.report(new vscode.LanguageModelTextPart(p.answerAppend));
        },
      });
      const cancel = token.onCancellationRequested(() => void launched.run.stop());
      const entry = await launched.done.finally(() => cancel.dispose());
      if (entry.status === 'failed') throw new Error(entry.error?.message ?? vscode.l10n.t('The run failed.'));
      if (entry.conversationId) this.conversations.remember(turn.next(answer), entry.conversationId);
    } catch (e) {
      if (token.isCancellationRequested) return;
      throw e instanceof Error && !isKernelError(e) ? e : new Error(describeFailure(e, app.name, serverLabel(app)).message);
    }
  }

  async provideTokenCount(_model: ModelInformation, text: string | RequestMessage): Promise<number> {
    return approximateTokens(typeof text === 'string' ? text : transcriptMessage(text).text);
  }

  dispose(): void {
    this.watch.dispose();
    this.changed.dispose();
  }
}

/** Errors the kernel throws (no key, a refused destination, ApiError) are worded for the person first. */
function isKernelError(e: Error): boolean {
  return ['MissingKeyError', 'DestinationRefusedError', 'ApiError'].includes(e.name);
}

/** A text part (a tool call or result has a `callId`, an image or data part a `mimeType`). */
function isTextPart(p: unknown): p is { value: string } {
  if (p instanceof vscode.LanguageModelTextPart) return true;
  return typeof p === 'object' && p !== null && typeof (p as { value?: unknown }).value === 'string' && !('callId' in p) && !('mimeType' in p);
}

/** A request message as text: its text parts; images, tool calls and tool results are not carried. */
function transcriptMessage(m: RequestMessage): TranscriptMessage {
  const text = m.content.filter(isTextPart).map((p) => p.value).join('');
  const role = m.role === vscode.LanguageModelChatMessageRole.User ? 'user' : m.role === vscode.LanguageModelChatMessageRole.Assistant ? 'assistant' : 'system';
  return { role, text };
}
