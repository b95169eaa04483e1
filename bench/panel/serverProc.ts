// The Dify test server in a process of its own for bench/panel/host.ts: scripts `--runs` answers of `--size`
// characters in `--chunk`-character events, prints its URL, then each task's end time (Date.now()) as JSON lines.
import { startDifyServer } from '../../test/support/dify/server';
import { shapedAnswer } from '../render/shapes';
import { LOG_APP } from './app';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);

async function main() {
  const server = await startDifyServer({ apps: [LOG_APP] });
  const answer = shapedAnswer('paragraph', opt('--size', 2 * 1024 * 1024));
  for (let i = 0; i < opt('--runs', 2); i++) server.script(LOG_APP.key, { answer, chunkChars: opt('--chunk', 4) });
  process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
  let seen = 0;
  const keep = setInterval(() => {
    for (const t of [...server.taskEndedAt.values()].slice(seen)) process.stdout.write(JSON.stringify({ ended: t }) + '\n');
    seen = server.taskEndedAt.size;
  }, 5);
  process.stdin.on('end', () => {
    clearInterval(keep);
    void server.close().then(() => process.exit(0));
  });
  process.stdin.resume();
}
void main();
