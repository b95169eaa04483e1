/**
 * Configuration handed from the runner (test/host/run.ts, outside) to the suite running INSIDE the extension host.
 *
 * The runner writes a JSON file into its sandbox and passes its path in the environment variable
 * DIFY_HOST_TEST_CONFIG to the VS Code server; the server's extension host inherits that environment.
 * Suites read it with {@link hostTestConfig}. Under @vscode/test-cli (no runner) the variable is unset and
 * every field is optional, so suites must cope (e.g. start the Dify test server themselves, or skip).
 */
import { readFileSync } from 'node:fs';

export interface HostTestConfig {
  /** Base URL (…/v1) of the Dify-compatible test server the runner started, if any. */
  difyUrl?: string;
  /** The workspace folder opened in the window (absolute path). */
  workspace?: string;
  /** The runner's sandbox dir (temp; removed after the run). Suites may write scratch files below it. */
  sandbox?: string;
  /** Mocha grep (from `npm run test:host -- --grep <re>`). */
  grep?: string;
  /** Per-test timeout in ms (default 20 000). */
  timeoutMs?: number;
  /** Anything else the runner was given with `--config-json '{…}'`. */
  [key: string]: unknown;
}

let memo: HostTestConfig | undefined;

/** The runner's configuration (empty object when run without the runner). */
export function hostTestConfig(): HostTestConfig {
  if (memo) return memo;
  const file = process.env.DIFY_HOST_TEST_CONFIG;
  memo = file ? (JSON.parse(readFileSync(file, 'utf8')) as HostTestConfig) : {};
  return memo;
}
