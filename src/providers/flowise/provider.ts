// Flowise as a provider: chatflows and agentflows through the prediction API; a key only where the flow has one.
import type { Provider } from '../types';

export const flowiseProvider: Provider = {
  id: 'flowise',
  label: 'Flowise',
  // No cloud default: a local server is the likeliest place.
  defaultBaseUrl: 'http://localhost:3000',
  keyRequired: false,
  fixedMode: 'flowise',
  optionalParameters: true,
  settings: ['chatflowId'],
  conversations: false,
  runLog: false,
  feedback: 'changeable',
  appFields: [{ setting: 'chatflowId', prompt: 'Chatflow ID (from the flow\'s API endpoint)', required: true }],
  texts: {
    description: 'A Flowise chatflow (prediction API)',
    urlPrompt: 'Flowise server URL, e.g. http://localhost:3000',
    keyPrompt: 'The chatflow\'s API key (leave empty if the flow has none)',
  },
  async createClient(s) {
    const { FlowiseClient } = await import('./client');
    return new FlowiseClient({ baseUrl: s.baseUrl, chatflowId: s.fields.chatflowId ?? '', apiKey: s.apiKey, name: s.name, dispatcher: s.dispatcher, connectTimeoutMs: s.connectTimeoutMs, idleTimeoutMs: s.idleTimeoutMs, log: s.log });
  },
};
