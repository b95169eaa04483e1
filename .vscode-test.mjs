// @vscode/test-cli configuration, for desktops WITH internet (it downloads VS Code). On machines without internet
// use `npm run test:host`, which runs the very same compiled suite in the VS Code server + headless Chromium.
//
//   npx tsx test/host/build.ts && node esbuild.mjs && npx vscode-test
//
// out/host/suite/**/*.test.js are the per-file bundles of test/host/suite/**/*.test.ts (see test/host/build.ts);
// test-cli loads them with its own mocha (BDD globals). hostTestConfig() is empty there: suites must cope.
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'host',
  files: 'out/host/suite/**/*.test.js',
  extensionDevelopmentPath: '.',
  workspaceFolder: './test/host/fixtures/workspace',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'bdd', timeout: 20000, color: true },
});
