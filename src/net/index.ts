// src/net: vscode-free HTTP/streaming foundation shared by the Dify and Flowise clients.
export { createDispatcher, matchesNoProxy, tlsOptions, DEFAULT_CONNECT_TIMEOUT_MS, type TransportOptions } from './transport';
export {
  requestJson, openStream, postMultipart, buildUrl,
  type HttpEndpoint, type HttpRequest, type OpenedStream, type LogFn, type LogLevel,
} from './http';
export { readSse, type SseMessage, type ReadSseOptions, type ByteStream } from './sse';
export { withRetry, retryDelayMs, type RetryOptions } from './retry';
export { toApiError, errorFromResponse, parseRetryAfter, reasonPhrase, type ErrorContext } from './errors';
export { redact, describeRequest } from './redact';
