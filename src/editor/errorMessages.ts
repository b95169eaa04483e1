// Every failure reaches the user as one clear, translated sentence with the action that fixes it.
import * as vscode from 'vscode';
import type { ErrorAction, ErrorView } from '../protocol';
import type { ApiError } from '../run/errors';

interface Described {
  message: string;
  actions: ErrorAction[];
}

/** Maps a provider error to a sentence + actions. `app` and `server` name the app and its host. */
export function describeApiError(e: ApiError, app: string, server: string): ErrorView {
  const d = describe(e, app, server);
  return { message: d.message, actions: d.actions.map((action) => ({ action, label: actionLabel(action) })) };
}

function describe(e: ApiError, app: string, server: string): Described {
  const retry: ErrorAction[] = ['retry', 'showLog'];
  switch (e.kind) {
    case 'dns':
      return { message: vscode.l10n.t('Cannot find the server {0} (DNS lookup failed): check the base URL of "{1}" in settings.', server, app), actions: ['openSettings', 'showLog'] };
    case 'refused':
      return { message: vscode.l10n.t('Nothing is listening at {0}: start the Dify server or fix the base URL of "{1}".', server, app), actions: ['openSettings', 'retry'] };
    case 'reset':
      return { message: vscode.l10n.t('The connection to {0} was closed before the answer was complete; the partial answer is kept — retry.', server), actions: retry };
    case 'tls':
      return { message: vscode.l10n.t('The certificate of {0} is not trusted: add your CA in "dify.caCertificates" or allow the self-signed certificate for "{1}".', server, app), actions: ['openSettings', 'showLog'] };
    case 'connect-timeout':
      return { message: vscode.l10n.t('Could not connect to {0} in time: check the network or proxy settings, then retry.', server), actions: ['retry', 'openSettings'] };
    case 'idle-timeout':
      return e.code === 'run_limit'
        ? { message: vscode.l10n.t('The run took longer than the limit set in "dify.maxRunMinutes" and was stopped; the partial answer is kept.'), actions: ['openSettings', 'retry'] }
        : { message: vscode.l10n.t('{0} stopped sending data; the partial answer is kept. Retry, or raise "dify.idleTimeoutSeconds" if the app is slow.', server), actions: retry };
    case 'proxy':
      return { message: vscode.l10n.t('The proxy refused the connection to {0}: check "http.proxy" and the proxy credentials.', server), actions: ['openSettings', 'showLog'] };
    case 'incomplete':
      return { message: vscode.l10n.t('The answer from {0} ended unexpectedly (a proxy in front of it may buffer or cut streams); the partial answer is kept — retry.', server), actions: retry };
    case 'malformed':
      return { message: vscode.l10n.t('{0} sent a reply that is not a Dify stream (is the base URL pointing at the API, ending in /v1?).', server), actions: ['openSettings', 'showLog'] };
    case 'aborted':
      return { message: vscode.l10n.t('The run was stopped.'), actions: ['retry'] };
    case 'stream':
    case 'http':
      return describeHttp(e, app, server);
    default:
      return { message: vscode.l10n.t('Could not reach {0}: {1}', server, e.message), actions: retry };
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
    case 'completion_request_error':
      return { message: vscode.l10n.t('The model call of "{0}" failed: {1}', app, e.message), actions: ['retry', 'showLog'] };
  }
  switch (e.status) {
    case 401:
      return { message: vscode.l10n.t('The API key of "{0}" was rejected by {1}: set the right key.', app, server), actions: ['setApiKey'] };
    case 403:
      return { message: vscode.l10n.t('"{0}" refused the request (its API access may be disabled){1}.', app, detail), actions: ['showLog'] };
    case 404:
      if (/conversation/i.test(e.message)) {
        return { message: vscode.l10n.t('This conversation no longer exists on {0}; retry to start a new one.', server), actions: ['retry'] };
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
  }
  if (e.status && e.status >= 500) {
    return { message: vscode.l10n.t('{0} had an internal error (HTTP {1}){2}; retry, or check the server logs.', server, e.status, detail), actions: ['retry', 'showLog'] };
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
