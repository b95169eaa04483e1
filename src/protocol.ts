// The only contract between the extension host and the chat webview. Both sides import these types,
// so a renamed field is a compile error on both. The host validates every incoming message with
// `parseWebviewMessage` (the webview is treated as untrusted input).
import type { EntryPatch, EntryView, ErrorAction } from './shared/entry';
import type { AppMode } from './shared/model';

export type { EntryPatch, EntryView, ErrorAction, ErrorView } from './shared/entry';

export interface AppSummary {
  name: string;
  mode?: AppMode;
  server: string;
  /** A provider id (`dify`, `flowise`). */
  provider: string;
}

export interface ConversationSummary {
  id: string;
  name: string;
  /** Unix seconds. */
  updatedAt?: number;
}

/** What the panel's conversation list does with one conversation (the host asks and confirms in VS Code's own UI). */
export type ConversationAction = 'rename' | 'delete' | 'export';
const CONVERSATION_ACTIONS: readonly ConversationAction[] = ['rename', 'delete', 'export'];

/** How one field of the app's form is shown in the panel's compact form. */
export type FormFieldKind = 'text' | 'paragraph' | 'select' | 'number' | 'checkbox' | 'json' | 'file' | 'files';

export interface FormField {
  variable: string;
  label: string;
  kind: FormFieldKind;
  required: boolean;
  description?: string;
  options?: string[];
  maxLength?: number;
  /** The app's default, as the control shows it. */
  default?: string | boolean;
}

/** The selected app's inputs besides the message box (Dify `user_input_form`, from /parameters). */
export interface AppForm {
  app: string;
  /** The form field the message box fills (workflow/completion apps); undefined: the message is the chat query,
   * or (with `messageOptional`) the app takes no free text. */
  messageField?: { variable: string; label: string; required: boolean };
  /** True when the app can run without a message (no chat query and no free-text field takes it). */
  messageOptional: boolean;
  /** What the message box invites the person to type (the app's own placeholder, from its web site's settings). */
  placeholder?: string;
  /** The line the app's owner wants under the message box (its web site's disclaimer). */
  disclaimer?: string;
  /** How many of the app's inputs past the form's bound are not shown. */
  droppedFields?: number;
  fields: FormField[];
  /** Labels of fields the app's templates fill from the editor (`dify.apps[].inputs`). */
  fromEditor: string[];
  /** Names of the files attached so far, per file field. */
  files: Record<string, string[]>;
}

/** The raw values the compact form sends: text as typed, checkboxes as booleans. */
export type FormValues = Record<string, string | boolean>;

export interface PanelState {
  apps: AppSummary[];
  selectedApp?: string;
  /** The conversation follow-ups continue (chat-style apps). */
  conversationId?: string;
  entries: EntryView[];
  /** What a new conversation with the selected chat app opens with: its site's title and description, its opening
   * statement and suggested questions. */
  opening?: { title?: string; description?: string; statement?: string; questions: string[] };
  /** The selected app's other inputs, once its /parameters are known. */
  form?: AppForm;
  running: boolean;
  /** The last `selectApp.pick` the host had applied when it sent this (see the panel's app picks). */
  pick?: number;
  /** What the person added to go along with their next message (a selection, by file and lines). */
  contexts?: ContextChip[];
  /** Origins whose images the panel asks the host for without a click: the apps' own servers and
   * `dify.trustedImageOrigins` (any other image loads only on a click). */
  imageOrigins?: string[];
}

/** A piece of context waiting for the next message, as the composer shows it (its text stays on the host). */
export interface ContextChip {
  id: string;
  /** `sample.ts:3-7` */
  name: string;
}

export type HostMessage =
  | { type: 'init'; state: PanelState; l10n: Record<string, string> }
  | { type: 'apps'; apps: AppSummary[]; selectedApp?: string; opening?: PanelState['opening']; form?: AppForm; pick?: number; imageOrigins?: string[]; conversationId?: string }
  | { type: 'formFiles'; app: string; variable: string; files: string[] }
  /** Problems with the form's values, per variable ('' for the whole form), already translated. */
  | { type: 'formErrors'; app: string; errors: Record<string, string> }
  | { type: 'entryAdded'; entry: EntryView }
  | { type: 'entryPatch'; patch: EntryPatch }
  | { type: 'entries'; entries: EntryView[]; conversationId?: string }
  /** A page of the app's conversations: `append` to the ones shown; `hasMore`: there is a next page; `error`: why
   * there is none (one translated sentence); `unsupported`: the app keeps no list of conversations. */
  | { type: 'conversations'; app: string; conversations: ConversationSummary[]; hasMore?: boolean; append?: boolean; error?: string; unsupported?: boolean }
  /** A conversation was renamed, or deleted (`conversation` absent), from the panel or the palette. */
  | { type: 'conversationChanged'; app: string; conversationId: string; conversation?: ConversationSummary }
  | { type: 'running'; running: boolean }
  | { type: 'contexts'; contexts: ContextChip[] }
  | { type: 'focusInput' }
  /** The names of the files chosen for a form's file input (Human Input), kept on the host until the form is sent. */
  | { type: 'humanInputFiles'; id: string; nodeId: string; name: string; files: string[] }
  /** Problems the host found with an answer to a form, per field ('' for the form); an empty record clears them. */
  | { type: 'humanInputErrors'; id: string; nodeId: string; errors: Record<string, string> }
  /** Shows an entry's waiting form (from the palette's "Answer Waiting Form…", or @dify): scrolled to, focused. */
  | { type: 'revealForm'; id: string; nodeId?: string }
  /** The answer to `loadImage`: the image as a data: URI, or why not (one short sentence, translated). */
  | { type: 'image'; url: string; dataUri: string }
  | { type: 'image'; url: string; error: string };

export type WebviewMessage =
  | { type: 'ready' }
  /** `inputs`: the compact form's values (absent when the form was not shown: the host asks what is missing). */
  | { type: 'send'; text: string; app?: string; inputs?: FormValues }
  | { type: 'pickFiles'; app: string; variable: string }
  | { type: 'clearFiles'; app: string; variable: string }
  | { type: 'stop' }
  | { type: 'retry'; id: string }
  | { type: 'copy'; text: string }
  | { type: 'insert'; text: string }
  /** `text`: what the panel shows of the answer (see src/webview/markdown/visible.ts), put in as it is. */
  | { type: 'replaceSelection'; id: string; text: string }
  /** Shows `text` (what the panel shows) as a reviewed diff of the run's selection or of a file; `info`: the code
   * block's fence info string, which may name a workspace file. */
  | { type: 'applyCode'; id: string; text: string; target: 'file' | 'selection'; info?: string }
  | { type: 'openInEditor'; id: string }
  | { type: 'openLink'; href: string }
  /** An image of an answer, fetched by the host (the webview loads nothing from outside). `userAsked`: the
   * person clicked it; otherwise its origin must be one of `PanelState.imageOrigins`. */
  | { type: 'loadImage'; url: string; userAsked: boolean }
  | { type: 'newConversation' }
  /** `pick` numbers the person's picks; the host sends back the last it applied, so the panel can tell which
   * of the host's messages were sent before it saw a pick (their selection is older than what the person chose). */
  | { type: 'selectApp'; app: string; pick?: number }
  /** The selected app's conversations: the first page, or the one after `lastId`. */
  | { type: 'listConversations'; lastId?: string }
  | { type: 'resumeConversation'; conversationId: string }
  | { type: 'conversationAction'; action: ConversationAction; conversationId: string }
  | { type: 'errorAction'; id: string; action: ErrorAction }
  | { type: 'removeContext'; id: string }
  /** Rates an answer (`null` takes the rating back); `content`: what the person wrote about it. */
  | { type: 'rate'; id: string; rating: 'like' | 'dislike' | null; content?: string }
  /** Answers the entry's waiting form: the action (button) and the text of its paragraph and select inputs (files
   * chosen for it are on the host already). */
  | { type: 'answerForm'; id: string; nodeId: string; action: string; values: Record<string, string> }
  /** "Choose…" on a form's file input: the host asks, uploads, and answers `humanInputFiles`. */
  | { type: 'pickFormFiles'; id: string; nodeId: string; name: string }
  | { type: 'clearFormFiles'; id: string; nodeId: string; name: string };

const MAX_TEXT = 1_000_000;
const MAX_IMAGE_URL = 8192;
/** A rating's comment (Dify stores it as text; a page of prose is plenty). */
const MAX_FEEDBACK = 10_000;
const str = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;
const ERROR_ACTIONS: readonly ErrorAction[] = ['setApiKey', 'openSettings', 'retry', 'showLog', 'addApp'];

/** Validates a message from the webview. Returns undefined for anything malformed or unknown. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'stop':
    case 'newConversation':
      return { type: m.type };
    case 'listConversations':
      if (m.lastId === undefined) return { type: 'listConversations' };
      return str(m.lastId, 200) ? { type: 'listConversations', lastId: m.lastId } : undefined;
    case 'conversationAction':
      return str(m.conversationId, 200) && CONVERSATION_ACTIONS.includes(m.action as ConversationAction)
        ? { type: 'conversationAction', action: m.action as ConversationAction, conversationId: m.conversationId }
        : undefined;
    case 'send': {
      if (!str(m.text) || (m.app !== undefined && !str(m.app, 200))) return undefined;
      if (m.inputs === undefined) return { type: 'send', text: m.text, app: m.app as string | undefined };
      const inputs = formValues(m.inputs);
      return inputs && { type: 'send', text: m.text, app: m.app as string | undefined, inputs };
    }
    case 'pickFiles':
    case 'clearFiles':
      return str(m.app, 200) && str(m.variable, 200) ? { type: m.type, app: m.app, variable: m.variable } : undefined;
    case 'copy':
    case 'insert':
      return str(m.text) ? { type: m.type, text: m.text } : undefined;
    case 'retry':
    case 'openInEditor':
      return str(m.id, 200) ? { type: m.type, id: m.id } : undefined;
    case 'replaceSelection':
      return str(m.id, 200) && str(m.text) ? { type: 'replaceSelection', id: m.id, text: m.text } : undefined;
    case 'applyCode':
      if (!str(m.id, 200) || !str(m.text) || (m.target !== 'file' && m.target !== 'selection')) return undefined;
      if (m.info !== undefined && !str(m.info, 300)) return undefined;
      return { type: 'applyCode', id: m.id, text: m.text, target: m.target, ...(m.info !== undefined ? { info: m.info as string } : {}) };
    case 'openLink':
      return str(m.href, 8192) ? { type: 'openLink', href: m.href } : undefined;
    case 'loadImage':
      return str(m.url, MAX_IMAGE_URL) && isOpenableLink(m.url) && typeof m.userAsked === 'boolean'
        ? { type: 'loadImage', url: m.url, userAsked: m.userAsked }
        : undefined;
    case 'selectApp':
      if (!str(m.app, 200)) return undefined;
      return Number.isSafeInteger(m.pick) ? { type: 'selectApp', app: m.app, pick: m.pick as number } : { type: 'selectApp', app: m.app };
    case 'resumeConversation':
      return str(m.conversationId, 200) ? { type: 'resumeConversation', conversationId: m.conversationId } : undefined;
    case 'removeContext':
      return str(m.id, 200) ? { type: 'removeContext', id: m.id } : undefined;
    case 'rate':
      if (!str(m.id, 200) || !(m.rating === 'like' || m.rating === 'dislike' || m.rating === null)) return undefined;
      if (m.content !== undefined && !str(m.content, MAX_FEEDBACK)) return undefined;
      return { type: 'rate', id: m.id, rating: m.rating, ...(m.content !== undefined ? { content: m.content as string } : {}) };
    case 'answerForm': {
      if (!str(m.id, 200) || !str(m.nodeId, 200) || !str(m.action, 200)) return undefined;
      const values = textValues(m.values);
      return values && { type: 'answerForm', id: m.id, nodeId: m.nodeId, action: m.action, values };
    }
    case 'pickFormFiles':
    case 'clearFormFiles':
      return str(m.id, 200) && str(m.nodeId, 200) && str(m.name, 200) ? { type: m.type, id: m.id, nodeId: m.nodeId, name: m.name } : undefined;
    case 'errorAction':
      return str(m.id, 200) && ERROR_ACTIONS.includes(m.action as ErrorAction)
        ? { type: 'errorAction', id: m.id, action: m.action as ErrorAction }
        : undefined;
    default:
      return undefined;
  }
}

const MAX_FIELDS = 100;

/** A flat record of strings and booleans with bounded size; anything else is refused. */
function formValues(raw: unknown): FormValues | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_FIELDS) return undefined;
  for (const [k, v] of entries) if (k.length > 200 || !(typeof v === 'boolean' || str(v))) return undefined;
  // fromEntries defines own properties: a `__proto__` key stays a plain key.
  return Object.fromEntries(entries) as FormValues;
}

/** A form's text values: a flat record of bounded strings (a form has at most 50 inputs). */
function textValues(raw: unknown): Record<string, string> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 50) return undefined;
  for (const [k, v] of entries) if (k.length > 200 || !str(v, 100_000)) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Links the host opens for the webview: http(s) only. */
export function isOpenableLink(href: string): boolean {
  try {
    const u = new URL(href);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
