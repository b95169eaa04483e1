// src/flowise: the Flowise prediction client (vscode-free).
export { FlowiseClient, parseFlowiseUrl, parseFrame, type FlowiseClientOptions, type FlowiseLog } from './client';
export { FlowiseEventMapper, parseFollowUps, statusFromErrorMessage, mapFlowStatus, type FlowiseFrame, type FlowiseMapperOptions } from './events';
export {
  buildPredictionBody, questionFrom, uploadsFrom,
  type FlowiseRunRequest, type FlowiseFileRef, type FlowiseHistoryMessage, type FlowiseUpload, type PredictionBody,
} from './request';
