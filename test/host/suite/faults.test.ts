// The fault matrix's visible side in the real extension host: each failure ends the run as failed with one
// clear sentence and its actions, the partial answer kept, nothing left running.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { until, withApps } from './support';

describe('failures in the real extension host', function () {
  this.timeout(40_000);
  const fx = withApps();
  after(async () => {
    await vscode.workspace.getConfiguration('dify').update('idleTimeoutSeconds', undefined, vscode.ConfigurationTarget.Global);
  });

  const cases: { name: string; script: object; message: RegExp; actions: string[]; partial: boolean }[] = [
    { name: 'an error event mid-stream', script: { errorAfterChunks: 3 }, message: /failed|model/i, actions: ['retry', 'showLog'], partial: true },
    { name: 'a stream closed without its terminal event', script: { closeEarlyAfterChunks: 3 }, message: /^The answer of "Helper Chat" ended unexpectedly.*partial answer is kept/, actions: ['retry', 'showLog'], partial: true },
    { name: 'a connection reset mid-stream', script: { resetAfterChunks: 3 }, message: /^The connection of "Helper Chat" was closed before the answer was complete/, actions: ['retry', 'showLog'], partial: true },
    { name: 'a 502 HTML page from a reverse proxy', script: { http: { status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>' } }, message: /^The gateway in front of "Helper Chat" could not reach its server \(HTTP 502\); retry in a moment, or ask its admin\.$/, actions: ['retry', 'showLog'], partial: false },
    { name: '429 with Retry-After', script: { http: { status: 429, contentType: 'application/json', headers: { 'Retry-After': '7' }, body: '{"code":"too_many_requests","message":"Too many requests. Please try again later.","status":429}' } }, message: /busy/, actions: ['retry'], partial: false },
  ];

  for (const c of cases) {
    it(`${c.name}: failed, one sentence, partial answer kept, nothing running`, async () => {
      fx.server.script('app-demo-chat', c.script as never);
      const start = (await fx.api.prepare('Helper Chat', 'fault please'))!;
      const entry = await fx.api.runs.start({ ...start, continueConversation: false }, { showPanel: false });
      assert.equal(entry.status, 'failed');
      assert.match(entry.error!.message, c.message);
      assert.ok(!/<html|<body|nginx<\/center>/i.test(entry.error!.message), 'no HTML in the message');
      assert.equal(entry.error!.message.split(/(?<=[.!?])\s+(?=[A-Z])/).length <= 2, true, `one sentence: ${entry.error!.message}`);
      assert.deepEqual(entry.error!.actions.map((a) => a.action), c.actions);
      if (c.partial) assert.ok(entry.answer.length + entry.thinking.length > 0, 'the partial answer is kept');
      assert.equal(fx.api.runs.running, false, 'nothing left running (the status bar item is cleared)');
    });
  }

  it('a stall past the idle timeout ends the run instead of hanging, and stops the task on the server', async () => {
    await vscode.workspace.getConfiguration('dify').update('idleTimeoutSeconds', 5, vscode.ConfigurationTarget.Global);
    fx.server.script('app-demo-chat', { stallAfterChunks: 2 });
    const start = (await fx.api.prepare('Helper Chat', 'stall please'))!;
    fx.api.catalog.forget('Helper Chat');
    const entry = await fx.api.runs.start({ ...start, continueConversation: false }, { showPanel: false });
    assert.equal(entry.status, 'failed');
    assert.match(entry.error!.message, /^"Helper Chat" stopped sending data and was stopped; the partial answer is kept/);
    assert.ok(entry.answer.length + entry.thinking.length > 0);
    assert.equal(fx.api.runs.running, false);
    // A run the client gave up on does not go on using tokens on the server.
    const stop = fx.server.stops.at(-1);
    assert.equal(stop?.found, true, 'the stop route reached the task');
    assert.equal(fx.server.taskEnds.get(stop!.taskId), 'stopped');
  });

  it('an unreachable server (connection refused) names the fix', async () => {
    const config = vscode.workspace.getConfiguration('dify');
    const apps = config.get<object[]>('apps')!;
    await config.update('apps', [...apps, { name: 'Down', baseUrl: 'http://127.0.0.1:9/v1' }], vscode.ConfigurationTarget.Global);
    await fx.api.keys.set(fx.api.catalog.find('Down')!, 'app-down-key-123456');
    try {
      const err = await fx.api.prepare('Down', 'hello').then(() => undefined, (e: Error) => e);
      assert.ok(err, '/info on a closed port must fail');
      const { describeApiError } = await import('../../../src/app/errors');
      const view = describeApiError(err as never, 'Down', '127.0.0.1:9');
      assert.match(view.message, /^"Down" cannot be reached: nothing is listening at 127\.0\.0\.1:9\./);
      assert.deepEqual(view.actions.map((a) => a.action), ['openSettings', 'retry']);
      // From the palette: the failure shows in the panel too, where the answer would have been, with its fix.
      // (Not awaited: the command waits for the person to close its notification.)
      void vscode.commands.executeCommand('dify.run', 'Down');
      const shown = await until(() => fx.api.history.entries.find((e) => e.app === 'Down' && e.status === 'failed'), 'the failure in the panel');
      assert.match(shown.error!.message, /^"Down" cannot be reached: nothing is listening at 127\.0\.0\.1:9\./);
      assert.deepEqual(shown.error!.actions.map((a) => a.action), ['openSettings', 'retry']);
      await vscode.commands.executeCommand('notifications.clearAll');
    } finally {
      await config.update('apps', apps, vscode.ConfigurationTarget.Global);
      await fx.api.keys.delete('Down');
    }
  });
});
