// Starts the Dify-compatible test server with the demo apps.
//   npx tsx test/support/dify/cli.ts [--port 0] [--fast]
// Prints one JSON line {"url": "...", "keys": {...}} to stdout; stops on SIGINT/SIGTERM or when stdin closes.
import { demoApps } from './apps';
import { startDifyServer } from './server';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  const port = portArg >= 0 ? Number(args[portArg + 1] ?? 0) : 0;
  const fast = args.includes('--fast');
  const apps = demoApps();
  const server = await startDifyServer({ apps, port, chunkDelayMs: fast ? 0 : [15, 30] });
  process.stdout.write(JSON.stringify({ url: server.url, keys: Object.fromEntries(apps.map((a) => [a.mode, a.key])) }) + '\n');
  // The server is unref'd; keep the process alive until told to stop.
  const keepAlive = setInterval(() => {}, 1 << 30);
  const stop = (): void => {
    clearInterval(keepAlive);
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

void main();
