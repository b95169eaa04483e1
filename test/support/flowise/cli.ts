// Starts the Flowise-compatible test server with demoFlows() and prints one JSON line:
//   {"url":"http://127.0.0.1:PORT","flows":[{"id":…,"name":…,"apiKey":…,"streaming":…}]}
// Usage: npx tsx test/support/flowise/cli.ts [--port 0] [--no-stdin]
// Stops on SIGINT, SIGTERM, or when stdin closes (unless --no-stdin).
import { demoFlows, startFlowiseServer } from './server';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const port = Number(argValue('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port: ${argValue('--port')}`);
  const flows = demoFlows();
  const server = await startFlowiseServer({ flows, port, keepProcessAlive: true });
  process.stdout.write(
    JSON.stringify({
      url: server.url,
      flows: flows.map((f) => ({ id: f.id, name: f.name, apiKey: f.apiKey, streaming: f.streaming })),
    }) + '\n',
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (!process.argv.includes('--no-stdin')) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
