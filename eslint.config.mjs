import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The vscode-free core: tested as plain Node, reused by the chat participant and the LM tool.
    files: ['src/dify/**', 'src/flowise/**', 'src/run/**', 'src/net/**', 'src/webview/**', 'src/protocol.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'This folder must not depend on VS Code.' }] }] },
  },
);
