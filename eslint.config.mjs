import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers, top to bottom: the VS Code adapters (commands, panel, chat) → app → config → run → providers → net →
 * shared. An import may go down, never up, and the adapters do not import each other. The webview is a separate
 * bundle that sees only shared/ and protocol.ts. `vscode` stays out of the kernel (net, providers, run, shared).
 */
const ALL = ['shared', 'net', 'providers', 'run', 'config', 'app', 'commands', 'panel', 'chat', 'webview'];
const layer = (name, allowed, extra = []) => {
  const forbidden = ALL.filter((d) => d !== name && !allowed.includes(d));
  return {
    files: [`src/${name}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: extra.map((p) => ({ name: p, message: `src/${name} must not depend on ${p}.` })),
          patterns: [
            {
              group: forbidden.map((d) => `**/${d}/*`),
              message: `src/${name} may import ${allowed.length ? allowed.join(', ') : 'nothing else of src'} (see the layers in eslint.config.mjs).`,
            },
            ...(allowed.includes('protocol') ? [] : [{ group: ['**/protocol'], message: `src/${name} does not speak to the webview.` }]),
          ],
        },
      ],
    },
  };
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.demo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**', 'test/**', 'bench/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Test servers and harnesses parse loosely typed wire data.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  layer('shared', [], ['vscode']),
  layer('net', ['shared'], ['vscode']),
  layer('providers', ['shared', 'net'], ['vscode']),
  layer('run', ['shared', 'net', 'providers'], ['vscode']),
  layer('config', ['shared', 'net', 'providers', 'run']),
  layer('app', ['shared', 'net', 'providers', 'run', 'config', 'protocol']),
  layer('commands', ['shared', 'net', 'providers', 'run', 'config', 'app']),
  layer('panel', ['shared', 'net', 'providers', 'run', 'config', 'app', 'protocol']),
  layer('chat', ['shared', 'net', 'providers', 'run', 'config', 'app']),
  layer('webview', ['shared', 'protocol'], ['vscode']),
  {
    // The messages between host and webview, and nothing else: it may use the shared entry model only.
    files: ['src/protocol.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: ['vscode'], patterns: [{ group: ALL.filter((d) => d !== 'shared').map((d) => `./${d}/*`), message: 'protocol.ts holds messages only.' }] }] },
  },
);
