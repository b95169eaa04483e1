// src/dify: the vscode-free Dify client.
export { DifyClient, type DifyClientOptions, type DifyRunOptions } from './client';
export { parseDifyEvent, KNOWN_EVENTS, type DifyStreamEvent, type DifyEnvelope } from './events';
export { RunEventMapper, routeFamily, toUsage, toCitations, answerFromOutputs } from './runEvents';
export { blockingToEvents } from './blocking';
export { normalizeInfo, normalizeParameters, normalizeField, suggestionsEnabled } from './parameters';
export { fileTypeOf, localFileRef, remoteFileRef, fileInput, fileListInput } from './files';
export type * from './wire';
