// The API key appears only in SecretStorage and the Authorization header: not in settings, the log
// channel (every level, captured after redaction), messages to the webview, history, error messages,
// or any file the VS Code server and the extension host wrote during the runs.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { HostMessage } from '../../../src/protocol';
import { hostTestConfig } from '../config';
import { setUpApps, until, type HostFixture } from './support';

function filesBelow(dir: string, skip: string[]): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const f = join(dir, name);
    if (skip.includes(f)) continue;
    const st = statSync(f, { throwIfNoEntry: false });
    if (st?.isDirectory()) out.push(...filesBelow(f, skip));
    else if (st?.isFile() && st.size < 50_000_000) out.push(f);
  }
  return out;
}

describe('the API key stays secret', function () {
  this.timeout(60_000);
  let fx: HostFixture;
  const logLines: string[] = [];
  const posted: HostMessage[] = [];

  before(async () => {
    fx = await setUpApps();
    fx.api.log.tap = (level, line) => logLines.push(`${level} ${line}`);
    fx.api.panel.tap = (m) => posted.push(m);
  });
  after(async () => {
    fx.api.log.tap = undefined;
    fx.api.panel.tap = undefined;
    await fx?.close();
  });

  it('appears in no log line, webview message, history entry, error or settings during real runs', async () => {
    await vscode.commands.executeCommand('dify.openChat');
    await until(() => posted.some((m) => m.type === 'init'), 'the panel to load', 20_000).catch(() => undefined);
    for (const app of fx.apps) {
      const start = (await fx.api.prepare(app.name, `secret check for ${app.name}`))!;
      const entry = await fx.api.runs.start({ ...start, continueConversation: false });
      // Apps with a Human Input node stop at their form (the key went out for the run and the form alike).
      assert.equal(entry.status, app.humanInput ? 'paused' : 'succeeded', `${app.name}: ${entry.error?.message}`);
    }
    // A failing run too: a wrong key produces an error message (and the wrong key must not leak either).
    const wrongKey = 'app-WrongKeyThatMustNotLeak123';
    const start = (await fx.api.prepare('Helper Chat', 'will fail'))!;
    await fx.api.keys.set(fx.api.catalog.find('Helper Chat')!, wrongKey);
    const failed = await fx.api.runs.start(start);
    await fx.api.keys.set(fx.api.catalog.find('Helper Chat')!, 'app-demo-chat');
    assert.equal(failed.status, 'failed');
    await fx.api.history.save();

    const keys = [...fx.apps.map((a) => a.key), wrongKey];
    const places: Record<string, string> = {
      'log channel': logLines.join('\n'),
      'webview messages': JSON.stringify(posted),
      history: JSON.stringify(fx.api.history.entries),
      'error messages': JSON.stringify(fx.api.history.entries.map((e) => e.error)),
      settings: JSON.stringify(['dify', 'http'].map((s) => vscode.workspace.getConfiguration().inspect(s))),
    };
    assert.ok(logLines.length > 5, 'the log saw the runs');
    assert.ok(posted.length > 5, 'the webview got messages');
    for (const [where, text] of Object.entries(places)) {
      for (const key of keys) assert.ok(!text.includes(key), `${key} found in ${where}`);
    }
    // The server did receive each key, in the Authorization header only.
    for (const r of fx.server.requests) {
      const auth = String(r.headers.authorization ?? '');
      // `appKey` is the test server's own note of which app the key selected, not something the client sent.
      const rest = JSON.stringify({ ...r, appKey: undefined, headers: { ...r.headers, authorization: undefined } });
      for (const key of keys) assert.ok(!rest.includes(key), `${key} sent outside the Authorization header: ${r.method} ${r.path}`);
      assert.match(auth, /^Bearer /);
    }
  });

  it('appears in no file the VS Code server or the extension host wrote', function () {
    const { sandbox } = hostTestConfig();
    if (!sandbox) this.skip(); // only the test/host/run.ts runner knows its sandbox
    // The browser profile holds SecretStorage (where the keys belong); everything else is searched.
    const files = filesBelow(sandbox!, [join(sandbox!, 'browser')]);
    assert.ok(files.length > 10, `only ${files.length} files to search`);
    const keys = [...fx.apps.map((a) => a.key), 'app-WrongKeyThatMustNotLeak123'];
    for (const f of files) {
      const text = readFileSync(f).toString('latin1');
      for (const key of keys) assert.ok(!text.includes(key), `${key} found in ${relative(sandbox!, f)}`);
    }
  });
});
