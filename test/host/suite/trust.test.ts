// A cloned repository cannot take a Dify key: its settings (.vscode/settings.json) can point an app somewhere
// else, add a proxy, relax TLS or name a default app, and nothing goes there before the person allows it in a
// prompt that names the servers. A second local server plays the attacker: it must never see a request.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { startForwardProxy, type ForwardProxy } from '../../support/proxy/forwardProxy';
import { setUpApps, until, type HostFixture } from './support';

const config = () => vscode.workspace.getConfiguration('dify');

describe('trust boundaries: where a key may go', function () {
  this.timeout(60_000);
  let fx: HostFixture;
  let attacker: DifyTestServer;
  let proxy: ForwardProxy;
  let asked: { message: string; detail: string; button: string }[];
  /** What the tests' stand-in for the modal prompt answers: decline, or press its button. */
  let answer: 'decline' | 'accept';

  before(async () => {
    fx = await setUpApps();
    attacker = await startDifyServer();
    proxy = await startForwardProxy();
  });
  beforeEach(() => {
    asked = [];
    answer = 'decline';
    fx.api.guard.ask = async (message, detail, button) => {
      asked.push({ message, detail, button });
      return answer === 'accept' ? button : undefined;
    };
  });
  afterEach(async () => {
    await config().update('apps', undefined, vscode.ConfigurationTarget.Workspace);
  });
  after(async () => {
    await fx?.close();
    await attacker?.close();
    await proxy?.close();
  });

  /** Runs an app as the panel's composer does; resolves with the failure, if any. */
  const run = async (app: string) => {
    try {
      const start = await fx.api.prepare(app, 'hello');
      return start && (await fx.api.runs.start({ ...start, continueConversation: false })).error;
    } catch (e) {
      return e as Error;
    }
  };
  const attackerSawNothing = () => assert.deepEqual(attacker.requests.map((r) => `${r.method} ${r.path}`), [], 'the attacker received requests');

  it('a workspace that moves a user\'s app to another server gets no request before the person agrees', async () => {
    await config().update('apps', [{ name: 'Helper Chat', baseUrl: attacker.url }], vscode.ConfigurationTarget.Workspace);
    const app = fx.api.catalog.find('Helper Chat')!;
    assert.equal(app.fromWorkspace, true);
    const failure = await run('Helper Chat');
    assert.equal((failure as Error)?.name, 'DestinationRefusedError');
    attackerSawNothing();
    assert.equal(asked.length, 1, 'one question, naming both servers');
    assert.match(asked[0].message, new RegExp(`was entered for ${escape(new URL(fx.server.url).origin)}\\. Send it to ${escape(new URL(attacker.url).origin)}\\?`));
    assert.match(asked[0].detail, /this workspace's settings/);
    assert.match(asked[0].detail, new RegExp(`Your own settings send it to ${escape(new URL(fx.server.url).origin)}`));
  });

  it('a workspace proxy in front of the real server sees nothing, and the question names it', async () => {
    await config().update('apps', [{ name: 'Helper Chat', proxy: proxy.url }], vscode.ConfigurationTarget.Workspace);
    const before = fx.server.requests.length;
    const failure = await run('Helper Chat');
    assert.equal((failure as Error)?.name, 'DestinationRefusedError');
    assert.deepEqual(proxy.records, [], 'the proxy saw a request');
    assert.equal(fx.server.requests.length, before, 'nothing went to the real server either');
    assert.match(asked[0].message, new RegExp(`through the proxy ${escape(proxy.url)}`));
  });

  it('weaker TLS from the workspace is asked about too', async () => {
    await config().update('apps', [{ name: 'Helper Chat', allowSelfSignedCertificate: true }], vscode.ConfigurationTarget.Workspace);
    const failure = await run('Helper Chat');
    assert.equal((failure as Error)?.name, 'DestinationRefusedError');
    assert.match(asked[0].message, /accepting any certificate/);
  });

  it('the panel says in one sentence why nothing was sent, with its fix', async () => {
    await config().update('apps', [{ name: 'Helper Chat', baseUrl: attacker.url }], vscode.ConfigurationTarget.Workspace);
    const posted: unknown[] = [];
    fx.api.panel.tap = (m) => posted.push(m);
    try {
      await fx.api.session.handle({ type: 'send', text: 'hello', app: 'Helper Chat' });
    } finally {
      fx.api.panel.tap = undefined;
    }
    const added = posted.find((m): m is { type: 'entryAdded'; entry: { error?: { message: string } } } => (m as { type: string }).type === 'entryAdded');
    assert.match(added?.entry.error?.message ?? '', /Nothing was sent for "Helper Chat": its key belongs to .*, and the app now points to/);
    attackerSawNothing();
  });

  it('a workspace cannot choose the default app; an app only the workspace defines is asked about before anything is sent to it', async () => {
    // A Flowise chatflow needs no key: without the question, the selection would go straight to the workspace's server.
    await config().update('apps', [{ name: 'Repo Bot', provider: 'flowise', baseUrl: attacker.url.replace(/\/v1$/, ''), chatflowId: 'x' }], vscode.ConfigurationTarget.Workspace);
    // `dify.defaultApp` is application-scoped: VS Code refuses it in workspace settings (and the extension reads only the user's).
    await assert.rejects(Promise.resolve(config().update('defaultApp', 'Repo Bot', vscode.ConfigurationTarget.Workspace)));
    assert.notEqual(fx.api.session.state().selectedApp, 'Repo Bot');
    const failure = await run('Repo Bot');
    assert.equal((failure as Error)?.name, 'DestinationRefusedError');
    attackerSawNothing();
    assert.match(asked[0].message, new RegExp(`This workspace's settings send "Repo Bot" to ${escape(new URL(attacker.url).origin)}\\. Allow it\\?`));
    assert.equal(asked[0].button, 'Allow in This Workspace');
  });

  it('a key is never asked for without naming its server: an app with no key fails before any request', async () => {
    await config().update('apps', [{ name: 'Repo App', baseUrl: attacker.url }], vscode.ConfigurationTarget.Workspace);
    const failure = await run('Repo App');
    assert.equal((failure as Error)?.name, 'MissingKeyError');
    attackerSawNothing();
  });

  it('once allowed, the key goes to the new server and the answer is remembered', async () => {
    const moved = await startDifyServer(); // a legitimate move: the same apps on another server
    try {
      await config().update('apps', [{ name: 'Helper Chat', baseUrl: moved.url }], vscode.ConfigurationTarget.Workspace);
      answer = 'accept';
      assert.equal(await run('Helper Chat'), undefined);
      assert.equal(moved.requests.at(-1)?.headers.authorization, 'Bearer app-demo-chat');
      assert.equal(asked.length, 1);
      assert.equal(await run('Helper Chat'), undefined, 'asked once');
      assert.equal(asked.length, 1);
      // The key is bound to the new server now; back on the user's own server it is asked about again.
      await config().update('apps', undefined, vscode.ConfigurationTarget.Workspace);
      answer = 'decline';
      assert.equal(((await run('Helper Chat')) as Error)?.name, 'DestinationRefusedError');
      answer = 'accept';
      assert.equal(await run('Helper Chat'), undefined);
    } finally {
      await moved.close();
    }
  });

  it('a key stored by an earlier version keeps working where the user\'s settings send it', async () => {
    await fx.api.secrets.store('dify.apiKey:Helper Chat', 'app-demo-chat');
    assert.equal(await run('Helper Chat'), undefined);
    assert.equal(asked.length, 0, 'no question for the user\'s own server');
    const stored = JSON.parse((await fx.api.secrets.get('dify.apiKey:Helper Chat'))!) as { v: number; boundTo: { origin: string } };
    assert.equal(stored.v, 2);
    assert.equal(stored.boundTo.origin, new URL(fx.server.url).origin);
  });

  it('a key stored by an earlier version for an app only the workspace defines is asked about once', async () => {
    await config().update('apps', [{ name: 'Repo App', baseUrl: attacker.url }], vscode.ConfigurationTarget.Workspace);
    await fx.api.secrets.store('dify.apiKey:Repo App', 'app-demo-chat');
    try {
      assert.equal(((await run('Repo App')) as Error)?.name, 'DestinationRefusedError');
      attackerSawNothing();
      assert.match(asked[0].message, /was stored by an earlier version, without its server\. Send it to/);
    } finally {
      await fx.api.keys.delete('Repo App');
    }
  });
});

describe('trust boundaries: settings a workspace cannot set', function () {
  this.timeout(30_000);

  it('timeouts and the run limit come from the user\'s settings only, whatever a repository\'s settings.json says', async function () {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!folder) this.skip();
    const file = vscode.Uri.joinPath(folder!, '.vscode', 'settings.json');
    const marker = [{ name: 'marker', baseUrl: 'http://127.0.0.1:9/v1' }];
    const hostile = { 'dify.maxRunMinutes': 100000, 'dify.idleTimeoutSeconds': 99999, 'dify.connectTimeoutSeconds': 9999, 'dify.defaultApp': 'marker', 'dify.apps': marker };
    await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(hostile)));
    try {
      // The file is read: a setting a workspace may hold arrives.
      await until(() => JSON.stringify(config().inspect('apps')?.workspaceValue) === JSON.stringify(marker), 'the workspace settings to load');
      assert.notEqual(config().get('defaultApp'), 'marker', 'the default app is the person\'s choice');
      assert.equal(config().get('maxRunMinutes'), 30);
      assert.equal(config().get('idleTimeoutSeconds'), 120);
      assert.equal(config().get('connectTimeoutSeconds'), 15);
    } finally {
      await vscode.workspace.fs.delete(file);
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
