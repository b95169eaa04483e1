// The workflow app of the panel benchmarks: one optional text input, an answer the benchmark scripts.
import type { DifyTestApp } from '../../test/support/dify/apps';

export const LOG_APP: DifyTestApp = {
  key: 'app-bench-log',
  name: 'Log Dump',
  mode: 'workflow',
  answer: 'ok',
  workflowNodes: [{ node_id: 'start', node_type: 'start', title: 'Start' }],
  parameters: {
    user_input_form: [{ paragraph: { variable: 'query', label: 'Query', required: false, max_length: 1000, default: '' } }],
    file_upload: { enabled: false },
    system_parameters: {},
  },
};

