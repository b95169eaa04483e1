/**
 * Mocha bootstrap that runs INSIDE the VS Code extension host (the `extensionTestsPath` module).
 *
 * The workbench loads this bundle (out/host/index.js) and calls `run()`; its promise decides the exit code the
 * runner receives (resolve → 0, reject → 1). Suites are the separately bundled files out/host/suite/**\/*.test.js
 * (from test/host/suite/**\/*.test.ts), `require`d here after mocha's BDD globals (describe/it/…) are installed —
 * the same files @vscode/test-cli loads through .vscode-test.mjs.
 *
 * Output goes through console.log (mocha's reporters print with console.log), which the extension host forwards
 * to the workbench page console; the runner relays it to the terminal. The last line is always
 * `host: N passing, M failing` (plus pending).
 */
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { hostTestConfig } from './config';

/**
 * Marks the suite's own output (mocha's reporter and the final summary) so the runner can tell it from the
 * workbench's log lines: both reach the page console as "%c INFO …". Keep in sync with test/host/harness.ts.
 * The extension host owns `console` (its methods cannot be replaced), so mocha's `Base.consoleLog` is redirected
 * instead; other console output of suites and of the extension is relayed while the suite runs (between the
 * first and the last marked line).
 */
export const HOST_MARK = '\u2063[ext]';

/** console.log, printf-formatted here (the workbench forwards raw arguments), marked, one message per line. */
export function hostLog(...args: unknown[]): void {
  for (const line of format(...args).split('\n')) console.log(HOST_MARK + line);
}

/** All compiled suite files below `dir`, sorted. */
function suiteFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(dir, f));
}

export function run(): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown, what: string) => {
      hostLog(e);
      hostLog(`host: 0 passing, 1 failing (${what})`);
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    try {
      const cfg = hostTestConfig();
      Mocha.reporters.Base.consoleLog = hostLog;
      const mocha = new Mocha({
        ui: 'bdd',
        color: false,
        reporter: 'spec',
        timeout: cfg.timeoutMs ?? 20_000,
        slow: 2_000,
        grep: cfg.grep,
      });
      const files = suiteFiles(join(__dirname, 'suite'));
      if (files.length === 0) return fail(new Error(`no *.test.js below ${join(__dirname, 'suite')}`), 'no suites');
      for (const f of files) mocha.addFile(f);
      const runner = mocha.run((failures) => {
        const s = runner.stats ?? { passes: 0, failures, pending: 0 };
        const pending = s.pending ? `, ${s.pending} pending` : '';
        hostLog(`host: ${s.passes} passing, ${s.failures} failing${pending}`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (e) {
      fail(e, 'the suite failed to load');
    }
  });
}
