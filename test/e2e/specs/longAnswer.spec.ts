// What the user reported, through the UI of the real workbench: a workflow answers with a heading and then 2 MiB of
// short lines with no blank line between them (one long paragraph), streamed in 4-character chunks as fast as the
// server writes them. The whole text is on screen soon after the server's end (it took 6–7 minutes), it never
// shrinks on the way (it flickered back to the heading in half of the frames), the view does not move up, and
// "Succeeded" and Copy come with the text, not minutes before it.
import * as assert from 'node:assert/strict';
import { LOG_APP } from '../../../bench/panel/app';
import { measureRun, panelFrame } from '../../../bench/panel/run';
import { shapedAnswer } from '../../../bench/render/shapes';
import { startDifyServer, type DifyTestServer } from '../../support/dify/server';
import { setKeyThroughUi } from '../dify';
import { artifactPath, openWorkbench, runCommand, screenshot, type Workbench } from '../workbench';

describe('a 2 MiB answer of one paragraph in the real panel', function () {
  this.timeout(300_000);
  let server: DifyTestServer;
  let wb: Workbench;

  before(async () => {
    server = await startDifyServer({ apps: [LOG_APP] });
    wb = await openWorkbench({ settings: { 'dify.apps': [{ name: LOG_APP.name, baseUrl: server.url }], 'dify.defaultApp': LOG_APP.name } });
    await setKeyThroughUi(wb.page, LOG_APP.name, LOG_APP.key, { pick: false });
    await runCommand(wb.page, 'Open Dify Chat');
    await panelFrame(wb.page);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await screenshot(wb.page, artifactPath(`long-answer-${this.currentTest.title.replace(/\W+/g, '-')}.png`));
  });
  after(async () => {
    await wb?.close();
    await server?.close();
  });

  it('streamed in 4-character chunks: all of it on screen soon after the server\'s end, never less on the way, done with the text', async () => {
    const answer = shapedAnswer('paragraph', 2 * 1024 * 1024);
    // Generous for a loaded 2-core machine: about 2 s here; it was 6–7 minutes.
    const r = await measureRun(wb.page, server, answer, 4, 120_000);
    assert.ok(r.streamMs > 0, 'the server finished');
    assert.ok(r.completeMs >= 0 && r.completeMs <= 20_000, `all of the text on screen ${r.completeMs} ms after the server's end`);
    assert.equal(r.shrinks, 0, 'polls in which the answer showed less text than before');
    assert.equal(r.jumps, 0, 'polls in which the view had moved up the answer');
    assert.ok(r.statusMs >= r.completeMs && r.copyMs >= r.completeMs, `"Succeeded" at ${r.statusMs} ms and Copy at ${r.copyMs} ms, the text at ${r.completeMs} ms`);
  });
});
