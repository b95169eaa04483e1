// Demo apps for the Dify-compatible test server (also used by `npm run demo` and UI tests).
// Fixed keys (`app-demo-…`), realistic /parameters forms covering every input kind, markdown answers with a
// fenced code block, Chinese text and a qwen3-style <think> part.
import type { AppMode } from '../../../src/providers/types';
import type { HumanInputNode } from './humanInput';

/** One app served by the test server. */
export interface DifyTestApp {
  /** The API key (Bearer token) that selects this app. */
  key: string;
  name: string;
  mode: AppMode;
  description?: string;
  /** Raw GET /parameters JSON; a sensible default per mode when absent. */
  parameters?: object;
  /** Default answer text (markdown). */
  answer?: string;
  /** Nodes emitted before the LLM node in workflow runs (default: start + an iteration with two rounds). */
  workflowNodes?: { node_id: string; node_type: string; title: string }[];
  /** Reasoning placed as `<think>…</think>` at the start of the answer. */
  thinking?: string;
  /** Answer and reasoning for a question written in Chinese (as a qwen3 model answers one). */
  chinese?: { answer: string; thinking: string };
  /** Key valid but API disabled: every call answers 403 forbidden. */
  disabled?: boolean;
  /** Default delay between frames for this app (ms, or a [min,max] range). */
  chunkDelayMs?: number | [number, number];
  /** Max upload size in bytes (default 15 MB). */
  uploadLimitBytes?: number;
  /** A Human Input node after the answer: the run pauses there until its form is answered (workflow, chatflow). */
  humanInput?: HumanInputNode;
  /** GET /site: fields over the defaults, or `false` for an app without a web site (403). */
  site?: false | Record<string, unknown>;
  /** What /messages/{id}/suggested answers when on (default three questions; [] as a failed model call gives). */
  suggestions?: string[];
  /** How the server says they are off: 400 `bad_request` (released builds, default) or the newest 403. */
  suggestionsOff?: 'bad_request' | 'forbidden';
}

const ANSWER_MD = `## Review summary

The change looks good overall. 中文说明：代码结构清晰，建议补充单元测试。

1. Rename \`tmp\` to something meaningful.
2. Handle the empty-input case.

\`\`\`ts
export function add(a: number, b: number): number {
  return a + b; // 加法
}
\`\`\`

> Tip: run \`npm test\` before pushing. 🙂
`;

/** What a local qwen3 says to a Chinese question: it thinks aloud first, then answers in Chinese. */
const CHINESE = {
  thinking: '用户用中文提问，想知道这段代码有什么可以改进的地方。先看命名，再看边界情况，最后看测试。',
  answer: `## 代码评审 🔍

整体结构清晰 👍，有三点建议：

1. **命名**：\`tmp\` 改成更有意义的名字，比如 \`total\`。
2. **边界情况**：输入为空数组时应直接返回 \`0\`。
3. **测试**：为 \`add\` 补充单元测试 ✅。

\`\`\`ts
export function add(a: number, b: number): number {
  return a + b; // 加法，保持简单
}
\`\`\`

> 小提示：提交前先运行 \`npm test\`。🚀
`,
};

const FILE_UPLOAD = {
  image: { enabled: true, number_limits: 3, detail: 'high', transfer_methods: ['remote_url', 'local_file'] },
  enabled: true,
  allowed_file_types: ['image', 'document'],
  allowed_file_extensions: ['.md', '.txt', '.png'],
  allowed_file_upload_methods: ['local_file', 'remote_url'],
  number_limits: 3,
};

const SYSTEM = { file_size_limit: 15, image_file_size_limit: 10, audio_file_size_limit: 50, video_file_size_limit: 100, workflow_file_upload_limit: 10 };

function params(form: object[], extra: object = {}): object {
  return {
    opening_statement: '',
    suggested_questions: [],
    suggested_questions_after_answer: { enabled: false },
    speech_to_text: { enabled: false },
    text_to_speech: { enabled: false, voice: '', language: '', autoPlay: 'disabled' },
    retriever_resource: { enabled: true },
    annotation_reply: { enabled: false },
    more_like_this: { enabled: false },
    sensitive_word_avoidance: { enabled: false, type: '', configs: [] },
    user_input_form: form,
    file_upload: { image: { enabled: false, number_limits: 3, transfer_methods: ['local_file', 'remote_url'] } },
    system_parameters: SYSTEM,
    ...extra,
  };
}

/** Workflow-style form item: the inner object repeats `type`. */
function wf(type: string, o: object): object {
  return { [type]: { type, ...o } };
}

/** The five demo apps (one per mode). */
export function demoApps(): DifyTestApp[] {
  return [
    {
      key: 'app-demo-workflow',
      name: 'Code Reviewer',
      mode: 'workflow',
      description: 'Reviews a piece of code and suggests improvements.',
      answer: ANSWER_MD,
      thinking: '用户想要代码评审。Let me look at naming, edge cases and tests.',
      chinese: CHINESE,
      parameters: params(
        [
          wf('paragraph', { variable: 'code', label: 'Code', required: true, max_length: 48000, default: '' }),
          wf('select', { variable: 'language', label: 'Language', required: false, options: ['TypeScript', 'Python', 'Go'], default: 'TypeScript' }),
          wf('text-input', { variable: 'focus', label: 'Focus', required: false, max_length: 256, description: 'What to look at' }),
          wf('number', { variable: 'max_issues', label: 'Max issues', required: false, default: 5 }),
          wf('checkbox', { variable: 'strict', label: 'Strict mode', required: false, default: false }),
          wf('json_object', { variable: 'options', label: 'Options', required: false, json_schema: '{"type":"object","properties":{"tone":{"type":"string"}}}' }),
          wf('file', { variable: 'attachment', label: 'Attachment', required: false, allowed_file_types: ['document'], allowed_file_extensions: ['.md', '.txt'], allowed_file_upload_methods: ['local_file', 'remote_url'] }),
          wf('file-list', { variable: 'context_files', label: 'Context files', required: false, max_length: 3, allowed_file_types: ['document', 'image'], allowed_file_upload_methods: ['local_file'] }),
        ],
        { file_upload: FILE_UPLOAD },
      ),
    },
    {
      key: 'app-demo-chatflow',
      name: 'Docs Chat',
      mode: 'advanced-chat',
      description: 'Answers questions about the docs (Chatflow).',
      answer: ANSWER_MD,
      thinking: 'The user asks about the docs; 我需要查一下文档。',
      chinese: CHINESE,
      parameters: params(
        [wf('text-input', { variable: 'product', label: 'Product', required: false, max_length: 48, default: 'Dify' }), wf('text-input', { variable: 'hidden_hint', label: 'Hidden', required: false, hide: true })],
        { opening_statement: 'Ask me anything about the docs.', suggested_questions: ['How do I deploy?', '如何配置代理？'], suggested_questions_after_answer: { enabled: true } },
      ),
      site: { description: '文档助手：回答关于部署和配置的问题。', input_placeholder: '问问文档… Ask the docs…', custom_disclaimer: 'Answers may be wrong; check the docs. 回答仅供参考。' },
    },
    {
      key: 'app-demo-completion',
      name: 'Commit Message Writer',
      mode: 'completion',
      description: 'Writes a commit message for a diff.',
      answer: 'feat(net): add proxy support 支持代理\n\n- Honour HTTPS_PROXY and NO_PROXY\n- Add `ca` option\n\n```\nSigned-off-by: demo\n```\n',
      parameters: params([
        { paragraph: { variable: 'diff', label: 'Diff', required: true, max_length: 100000, default: '' } },
        { select: { variable: 'style', label: 'Style', required: false, options: ['conventional', 'plain'], default: 'conventional' } },
        { external_data_tool: { variable: 'ticket', label: 'Ticket', required: false, type: 'api', config: { api_based_extension_id: 'x' }, enabled: true } },
      ]),
    },
    {
      key: 'app-demo-chat',
      name: 'Helper Chat',
      mode: 'chat',
      description: 'A plain chatbot.',
      answer: ANSWER_MD,
      thinking: '简单的问题。',
      chinese: CHINESE,
      parameters: params([{ 'text-input': { variable: 'name', label: 'Your name', required: false, max_length: 48, default: '' } }], {
        suggested_questions_after_answer: { enabled: true },
      }),
      site: false,
    },
    {
      key: 'app-demo-agent',
      name: 'Research Agent',
      mode: 'agent-chat',
      description: 'An agent that searches the web.',
      answer: 'I searched the web. 结果如下：\n\n- Dify supports **self-hosting**.\n- Use `docker compose up -d`.\n',
      parameters: params([]),
    },
    {
      key: 'app-demo-approval',
      name: 'Release Approval',
      mode: 'workflow',
      description: 'Drafts release notes, then waits for a person to approve them (Human Input).',
      answer: RELEASE_DRAFT,
      workflowNodes: [{ node_id: 'start', node_type: 'start', title: 'Start' }],
      parameters: params([wf('paragraph', { variable: 'changes', label: 'Changes', required: true, max_length: 10000, default: '' })]),
      humanInput: RELEASE_REVIEW,
    },
    {
      key: 'app-demo-deploy',
      name: 'Deploy Chat',
      mode: 'advanced-chat',
      description: 'Plans a deployment and asks before it deploys (Chatflow with Human Input).',
      answer: DEPLOY_PLAN,
      workflowNodes: [{ node_id: 'start', node_type: 'start', title: 'Start' }],
      parameters: params([], { opening_statement: 'Tell me what to deploy; I ask before I do it.' }),
      humanInput: DEPLOY_CONFIRM,
    },
  ];
}

const RELEASE_DRAFT = `## Release notes draft 📝

- Streams answers faster behind proxies.
- 修复了自签名证书的问题。
`;

/** The approval form of "Release Approval": a paragraph with a default, a select, three buttons. */
const RELEASE_REVIEW: HumanInputNode = {
  node_id: 'review_release',
  title: 'Review the release',
  content: '### 发布审批 · Release approval\n\nThe draft is above. **Approve** to publish it, or reject it.\n\nComment: {{#$output.comment#}}\n\nChannel: {{#$output.channel#}}\n',
  inputs: [
    { type: 'paragraph', output_variable_name: 'comment', default: { type: 'constant', selector: [], value: 'LGTM 👍' } },
    { type: 'select', output_variable_name: 'channel', option_source: { type: 'constant', selector: [], value: ['stable', 'beta', '内测'] } },
  ],
  actions: [
    { id: 'approve', title: 'Approve ✅', button_style: 'primary' },
    { id: 'reject', title: 'Reject', button_style: 'default' },
    { id: 'later', title: 'Ask someone else', button_style: 'ghost' },
  ],
  branches: {
    approve: 'Published to **{{channel}}**. 🎉 Comment: {{comment}}\n',
    reject: 'Not published. Reason: {{comment}}\n',
    later: 'Handed over to another reviewer.\n',
    timeout: 'Nobody answered in time, so nothing was published. ⏰\n',
  },
};

const DEPLOY_PLAN = 'I will deploy **v2.3.0** to production. 部署前请确认。\n\n';

/** The confirmation of "Deploy Chat": a reason and optional log files (a file list). */
const DEPLOY_CONFIRM: HumanInputNode = {
  node_id: 'confirm_deploy',
  title: 'Confirm the deployment',
  content: 'Deploy **v2.3.0** to production?\n\nReason: {{#$output.reason#}}\n\nLogs: {{#$output.logs#}}\n',
  inputs: [
    { type: 'paragraph', output_variable_name: 'reason', default: null },
    { type: 'file-list', output_variable_name: 'logs', allowed_file_types: ['document'], allowed_file_extensions: ['.txt', '.log', '.md'], allowed_file_upload_methods: ['local_file'], number_limits: 2 },
  ],
  actions: [
    { id: 'deploy', title: 'Deploy 🚀', button_style: 'primary' },
    { id: 'cancel', title: 'Cancel', button_style: 'ghost' },
  ],
  branches: {
    deploy: 'Deployed v2.3.0. ✅ ({{reason}})\n',
    cancel: 'Deployment cancelled. 已取消。\n',
    timeout: 'No confirmation came in time: nothing was deployed.\n',
  },
};
