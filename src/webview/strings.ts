// Every user-visible string of the webview. The host sends a table keyed by these English strings
// (`init.l10n`); a missing entry falls back to the English key. `{0}`, `{1}` are positional arguments,
// the same convention as `vscode.l10n.t`, so the host can translate them with its bundle.

/** The keys the webview uses; the host translates exactly these (see l10n/bundle.l10n.*.json). */
export const STRING_KEYS = [
  'Dify Chat',
  'The answer is longer than the panel shows.',
  'Ask {0}…',
  'Type the {0} for {1}…',
  '{0} more inputs of this app are not shown.',
  'Ask a question…',
  'Message',
  'Send',
  'Send (Enter)',
  'Stop',
  'Stop generating',
  'New Conversation',
  'Conversations…',
  'No conversations yet.',
  'Close',
  'App',
  'No apps configured',
  'Thinking',
  'Thinking…',
  'Thought',
  'Workflow',
  '{0} steps',
  'Answer',
  'Outputs',
  'Copy',
  'Copy code',
  'Insert at Cursor',
  'Insert code at cursor',
  'Replace Selection',
  'Open in New Editor',
  'Retry',
  'Running',
  'Succeeded',
  'Failed',
  'Stopped',
  'Partially succeeded',
  'Paused',
  'Paused: {0}',
  '{0} tokens',
  '{0} s',
  'Citations ({0})',
  'Score {0}',
  'Files',
  'Image',
  'Suggested questions',
  'Iteration {0}',
  'Round {0}',
  'Status: {0}',
  'Question',
  'Inputs',
  'Error',
  'Answer actions',
  'Code',
  'Inputs of {0}',
  'Inputs ({0})',
  '{0} required',
  'From the editor: {0}',
  'Choose…',
  'Remove {0}',
  'No file yet',
  'Optional',
  '{0} is required.',
  '{0} needs a file.',
  '{0} must be a number.',
  '{0} must be a JSON object.',
  '{0} is longer than {1} characters.',
  'Run {0} (Enter)',
  'Image from {0} — click to load',
  'Loading image from {0}…',
  'Rate this answer',
  'Helpful',
  'Not helpful',
  'Take back your rating',
  'You found this helpful',
  'You found this unhelpful',
  'Add a comment',
  'Your comment: {0}',
  'Comment on this answer',
  'What was good or missing? (optional)',
  'Send feedback',
  'Cancel',
  'Apply code to a file (review the diff first)',
  'Apply to Selection',
  'Context for the next message',
  'Remove {0} from the message',
  // Human Input forms (views/humanInput.ts; the checks' texts are shared/humanInput.ts ANSWER_PROBLEM_TEXTS)
  'Form',
  'Form: {0}',
  'Answer by {0}',
  'Your answer',
  'Feedback',
  'Waiting for an answer elsewhere ({0}).',
  'an email or the Dify console',
  'Answered: {0}',
  'Answered elsewhere: {0}',
  'Expired: {0}',
  'No answer came in time: {0}',
  'No longer available: {0}',
  'Choose a value for {0}.',
  '{0} takes at most {1} files.',
  'Choose one of: {0}.',
  'Search conversations',
  'Load more',
  'Loading…',
  'Untitled conversation',
  'This app keeps no conversations on its server.',
  'None of the conversations loaded so far matches; load more to search older ones.',
  'No conversation matches "{0}".',
  'Searching the conversations loaded so far; load more to search older ones.',
  'Rename {0}',
  'Export {0} as Markdown',
  'Delete {0}',
] as const;

export type StringKey = (typeof STRING_KEYS)[number];

let table: Record<string, string> = {};

/** Installs the host's translation table (from `init`). Non-string values are ignored. */
export function setL10n(l10n: Record<string, unknown> | undefined): void {
  const next: Record<string, string> = {};
  if (l10n && typeof l10n === 'object') {
    for (const [k, v] of Object.entries(l10n)) if (typeof v === 'string') next[k] = v;
  }
  table = next;
}

/** Translates `key` (English text as fallback) and fills `{0}`… with `args`. */
export function t(key: StringKey, ...args: (string | number)[]): string {
  const template = table[key] ?? key;
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (m, i: string) => {
    const v = args[Number(i)];
    return v === undefined ? m : String(v);
  });
}
