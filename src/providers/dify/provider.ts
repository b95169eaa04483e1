// Dify as a provider: every app mode, a key per app, forms from /parameters.
import type { Provider } from '../types';

export const difyProvider: Provider = {
  id: 'dify',
  label: 'Dify',
  defaultBaseUrl: 'https://api.dify.ai/v1',
  keyRequired: true,
  optionalParameters: false,
  settings: ['workflowId'],
  appFields: [],
  conversations: true,
  runLog: true,
  feedback: 'revocable',
  texts: {
    description: 'Workflow, chatflow, chat, agent or completion app',
    urlPrompt: 'Dify API base URL (Dify cloud or your own server, ending in /v1)',
    keyPrompt: 'The app\'s API key (Dify: app → API Access → API Key, starts with "app-")',
  },
  async createClient(s) {
    const { DifyClient } = await import('./client');
    return new DifyClient({ baseUrl: s.baseUrl, apiKey: s.apiKey ?? '', dispatcher: s.dispatcher, connectTimeoutMs: s.connectTimeoutMs, idleTimeoutMs: s.idleTimeoutMs, log: s.log, workflowId: s.fields.workflowId });
  },
};
