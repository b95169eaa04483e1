// Every failure reaches the user as one clear, translated sentence with the action that fixes it.
import * as vscode from 'vscode';
import type { ErrorAction, ErrorView } from '../shared/entry';
import type { ApiError } from '../net/apiError';
import { toApiError } from '../net/errors';
import { DestinationRefusedError } from '../config/trust';
import { describeDestination } from '../config/destination';

interface Described {
  message: string;
  actions: ErrorAction[];
}

/** Any failure of an app (no key, a destination the person did not allow, a provider error) as one sentence. */
export function describeFailure(e: unknown, app: string, server: string): ErrorView {
  const view = (message: string, actions: ErrorAction[]): ErrorView => ({ message, actions: actions.map((action) => ({ action, label: actionLabel(action) })) });
  if ((e as Error)?.name === 'MissingKeyError') {
    return view(vscode.l10n.t('No API key is stored for "{0}": set it to run the app.', app), ['setApiKey']);
  }
  if (e instanceof DestinationRefusedError) {
    const to = describeDestination(e.destination);
    return e.keyBoundTo
      ? view(vscode.l10n.t('Nothing was sent for "{0}": its key belongs to {1}, and the app now points to {2}. Fix the app\'s settings, or set its key again for the new server.', app, describeDestination(e.keyBoundTo), to), ['openSettings', 'setApiKey'])
      : view(vscode.l10n.t('Nothing was sent for "{0}": this workspace\'s settings send it to {1}, which you did not allow.', app, to), ['openSettings']);
  }
  return describeApiError(toApiError(e), app, server);
}

/** Maps a provider error to a sentence + actions. `app` and `server` name the app and its host. */
export function describeApiError(e: ApiError, app: string, server: string): ErrorView {
  const d = describe(e, app, server);
  return { message: d.message, actions: d.actions.map((action) => ({ action, label: actionLabel(action) })) };
}

// Each sentence names the app the person knows, says once what happened, and where the fix is; the server's
// address appears only where the fix is about it (base URL, certificate, network).
function describe(e: ApiError, app: string, server: string): Described {
  const retry: ErrorAction[] = ['retry', 'showLog'];
  switch (e.kind) {
    case 'dns':
      return { message: vscode.l10n.t('"{0}" cannot be reached: the host name {1} does not resolve. Check the app\'s base URL in settings.', app, server), actions: ['openSettings', 'showLog'] };
    case 'refused':
      return { message: vscode.l10n.t('"{0}" cannot be reached: nothing is listening at {1}. Start the server, or fix the app\'s base URL.', app, server), actions: ['openSettings', 'retry'] };
    case 'reset':
      return { message: vscode.l10n.t('The connection of "{0}" was closed before the answer was complete; the partial answer is kept. Retry.', app), actions: retry };
    case 'tls':
      return { message: vscode.l10n.t('"{0}" was not contacted: the certificate of {1} is not trusted. Add your CA in "dify.caCertificates", or allow the self-signed certificate for this app.', app, server), actions: ['openSettings', 'showLog'] };
    case 'connect-timeout':
      return { message: vscode.l10n.t('"{0}" did not answer in time ({1}). Check the network or proxy settings, then retry.', app, server), actions: ['retry', 'openSettings'] };
    case 'idle-timeout':
      return e.code === 'run_limit'
        ? { message: vscode.l10n.t('"{0}" ran longer than "dify.maxRunMinutes" allows and was stopped; the partial answer is kept.', app), actions: ['openSettings', 'retry'] }
        : { message: vscode.l10n.t('"{0}" stopped sending data and was stopped; the partial answer is kept. Retry, or raise "dify.idleTimeoutSeconds" if the app is slow.', app), actions: retry };
    case 'proxy':
      return { message: vscode.l10n.t('The proxy refused the connection of "{0}". Check "http.proxy" and the proxy credentials.', app), actions: ['openSettings', 'showLog'] };
    case 'incomplete':
      return { message: vscode.l10n.t('The answer of "{0}" ended unexpectedly (a proxy in front of the server may buffer or cut streams); the partial answer is kept. Retry.', app), actions: retry };
    case 'malformed':
      return { message: vscode.l10n.t('"{0}" answered with something that is not a Dify reply. Is its base URL the API, ending in /v1?', app), actions: ['openSettings', 'showLog'] };
    case 'aborted':
      return { message: vscode.l10n.t('The run was stopped.'), actions: ['retry'] };
    case 'too-large':
      return e.code === 'answer_limit'
        ? { message: vscode.l10n.t('The answer of "{0}" grew past what the extension keeps and was stopped; the first part is kept (Open in New Editor shows it).', app), actions: ['retry'] }
        : { message: vscode.l10n.t('"{0}" sent a reply larger than the extension reads ({1}). Check the app on the server.', app, e.message), actions: ['showLog'] };
    case 'stream':
    case 'http':
      return describeHttp(e, app, server);
    default:
      return { message: vscode.l10n.t('"{0}" cannot be reached: {1}', app, e.message), actions: retry };
  }
}

function describeHttp(e: ApiError, app: string, server: string): Described {
  const detail = e.message ? ` (${e.message})` : '';
  switch (e.code) {
    case 'provider_not_initialize':
      return { message: vscode.l10n.t('The model provider of "{0}" has no valid credentials on the Dify server: ask its admin to set them up.', app), actions: ['showLog'] };
    case 'provider_quota_exceeded':
      return { message: vscode.l10n.t('The model quota of "{0}" is used up on the Dify server: ask its admin to raise it.', app), actions: ['showLog'] };
    case 'model_currently_not_support':
      return { message: vscode.l10n.t('The model of "{0}" is currently unavailable on the Dify server; try again later.', app), actions: ['retry', 'showLog'] };
    case 'app_unavailable':
      return { message: vscode.l10n.t('"{0}" is not published or is misconfigured on the Dify server{1}.', app, detail), actions: ['showLog'] };
    case 'invalid_param':
      return { message: vscode.l10n.t('Dify rejected the inputs of "{0}"{1}; fix them and retry.', app, detail), actions: ['retry', 'showLog'] };
    case 'too_many_requests':
      return { message: vscode.l10n.t('"{0}" is busy (too many requests); retry in a moment.', app), actions: ['retry'] };
    case 'rate_limit_error':
      return { message: vscode.l10n.t('The model of "{0}" hit its rate limit; retry in a moment.', app), actions: ['retry'] };
    case 'run_failed':
      return { message: vscode.l10n.t('The run of "{0}" failed: {1}', app, e.message), actions: ['retry', 'showLog'] };
    case 'run_not_found':
      return { message: vscode.l10n.t('The run of "{0}" is no longer on its server, so it cannot be followed; what it answered so far is kept.', app), actions: ['retry', 'showLog'] };
    case 'follow_unsupported':
      return { message: vscode.l10n.t('{0} cannot follow a run that goes on (Dify 1.14 or later can); what "{1}" answered so far is kept.', server, app), actions: ['showLog'] };
    case 'completion_request_error':
      return { message: vscode.l10n.t('The model call of "{0}" failed: {1}', app, e.message), actions: ['retry', 'showLog'] };
    case 'upsert_failed':
      return { message: vscode.l10n.t('The documents could not be added to the knowledge base of "{0}" ({1}); check the chatflow\'s vector store and document loader, or send the message without them.', app, e.message), actions: ['retry', 'showLog'] };
  }
  // The server's own words, when it said more than the status's standard phrase.
  const said = e.serverMessage ? ` (${e.serverMessage})` : '';
  switch (e.status) {
    case 401:
      return { message: vscode.l10n.t('The API key of "{0}" was rejected by {1}: set the right key.', app, server), actions: ['setApiKey'] };
    case 403:
      return { message: vscode.l10n.t('"{0}" refused the request (its API access may be disabled){1}.', app, said), actions: ['showLog'] };
    case 404:
      if (/conversation/i.test(e.message)) {
        return { message: vscode.l10n.t('This conversation of "{0}" no longer exists on its server; retry to start a new one.', app), actions: ['retry'] };
      }
      // Dify's own "not found" of a thing (a message, a run, a form), not of the route: the thing is gone.
      if (e.code === 'not_found' && e.serverMessage && !/requested URL was not found/i.test(e.serverMessage)) {
        return { message: vscode.l10n.t('The server of "{0}" no longer has it: {1}', app, e.serverMessage), actions: ['showLog'] };
      }
      return { message: vscode.l10n.t('{0} has no such app or route: check the base URL of "{1}" (it usually ends in /v1).', server, app), actions: ['openSettings', 'showLog'] };
    case 407:
      return { message: vscode.l10n.t('The proxy needs authentication: set "http.proxyAuthorization" or credentials in "http.proxy".'), actions: ['openSettings'] };
    case 413:
      return { message: vscode.l10n.t('The file is larger than "{0}" allows.', app), actions: ['showLog'] };
    case 415:
      return { message: vscode.l10n.t('"{0}" does not accept this type of file.', app), actions: ['showLog'] };
    case 429: {
      const wait = e.retryAfterSeconds ? vscode.l10n.t(' in {0} s', e.retryAfterSeconds) : '';
      return { message: vscode.l10n.t('"{0}" is rate limited; retry{1}.', app, wait), actions: ['retry'] };
    }
    case 502:
    case 503:
    case 504:
      // A gateway (nginx, a load balancer) answered: the Dify server behind it is down or too slow, not broken.
      return { message: vscode.l10n.t('The gateway in front of "{0}" could not reach its server (HTTP {1}){2}; retry in a moment, or ask its admin.', app, e.status, said), actions: ['retry', 'showLog'] };
  }
  if (e.status && e.status >= 500) {
    return { message: vscode.l10n.t('The server of "{0}" had an internal error (HTTP {1}){2}; retry, or check its logs.', app, e.status, said), actions: ['retry', 'showLog'] };
  }
  return { message: vscode.l10n.t('"{0}" failed: {1}', app, e.message), actions: ['retry', 'showLog'] };
}

export function actionLabel(action: ErrorAction): string {
  switch (action) {
    case 'setApiKey':
      return vscode.l10n.t('Set API Key');
    case 'openSettings':
      return vscode.l10n.t('Open Settings');
    case 'retry':
      return vscode.l10n.t('Retry');
    case 'showLog':
      return vscode.l10n.t('Show Log');
    case 'addApp':
      return vscode.l10n.t('Add App');
  }
}
