/**
 * Diagnostic (not part of `npm run bench`): the extension host's part of a long answer in plain Node — the Dify test
 * server streaming it in small chunk events, DifyClient, RunExecution and the PatchBatcher as the controller wires
 * them, the panel's postMessage replaced by a counter. How long after the server's end the last patch is sent.
 *   npx tsx bench/panel/host.ts [--size 2097152] [--chunk 4]     (node --cpu-prof via NODE_OPTIONS for a profile)
 */
import { DifyClient } from '../../src/providers/dify/client';
import { RunExecution } from '../../src/run/runner';
import { PatchBatcher } from '../../src/panel/patchBatcher';
import type { EntryPatch, EntryView } from '../../src/protocol';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { LOG_APP } from './app';

const args = process.argv.slice(2);

async function main() {
  // The server in a process of its own, as in the panel: its writing does not compete for this event loop.
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'serverProc.ts'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const url = JSON.parse((await lines.next()).value as string).url as string;
  for (let run = 0; run < 2; run++) {
    const client = new DifyClient({ baseUrl: url, apiKey: LOG_APP.key });
    const entry: EntryView = { id: 'e', app: LOG_APP.name, mode: 'workflow', question: 'q', answer: '', thinking: '', thinkingDone: false, nodes: [], status: 'running', startedAt: Date.now(), canReplaceSelection: false };
    let posts = 0;
    let bytes = 0;
    let lastPost = 0;
    let firstPost = 0;
    let longestGap = 0;
    const batcher = new PatchBatcher((p: EntryPatch) => {
      posts++;
      bytes += JSON.stringify(p).length;
      const now = Date.now();
      if (p.answerAppend) {
        if (!firstPost) firstPost = now;
        else longestGap = Math.max(longestGap, now - lastPost);
        lastPost = now;
      }
    });
    const exec = new RunExecution(client, 'workflow', { inputs: { query: 'go' }, user: 'bench' }, entry, { onPatch: (p) => batcher.push(p), describeError: (e) => ({ message: e.message, actions: [] }) });
    const t0 = Date.now();
    await exec.start();
    batcher.flush();
    const ended = JSON.parse((await lines.next()).value as string).ended as number;
    console.log(JSON.stringify({ run, chars: entry.answer.length, serverMs: ended - t0, lastPatchAfterServerEndMs: lastPost - ended, firstTextPatchMs: firstPost - t0, longestGapMs: longestGap, hostMs: Date.now() - t0, posts, kb: Math.round(bytes / 1024), status: entry.status }));
  }
  child.stdin!.end();
}
void main();
