/**
 * Stream pipeline benchmark: the same recorded Dify stream (bench/stream/recording.ts) through
 *   ours   — readSseBatches → parseDifyEvent → RunEventMapper via difyRunEvents (DifyClient.run's loop),
 *   sdk    — the Dify SDK's documented parser (sdkParser.ts; see there why it is a re-statement),
 *   floor  — raw read (decode + count), and floor+JSON — raw read, split frames, JSON.parse each (what any
 *            correct parser must at least do: ours' target is ≤ 1.3× it), also keeping the answer (information),
 * in big reads (16–64 KB) and small reads (1–4 KB), median of N interleaved runs after a warm-up; then over real
 * HTTP on 127.0.0.1 with the real clients (our DifyClient.run on undici; dify-client 2.3.2's ChatClient over axios +
 * the SDK parser; undici raw read as floor); then peak live memory per pipeline at half and full length, each in a
 * fresh process. Writes bench/results/stream.json.
 *   npx tsx bench/stream/run.ts [--events 100000] [--runs 5] [--no-http] [--no-memory]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { DifyClient } from '../../src/providers/dify/client';
import { chunk, makeRecording } from './recording';
import { body, PIPELINES, sdk, type Checksum } from './pipelines';

const root = join(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (k: string, d: number): number => {
  const i = args.indexOf(k);
  return i === -1 ? d : Number(args[i + 1]);
};
const EVENTS = opt('--events', 100_000);
const RUNS = Math.max(5, opt('--runs', 5));

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** A raw read that also finds every frame and JSON.parses it: the least work a correct parser does. With `keep`,
 * it also keeps the answer text (as ours and the SDK consumer do: the panel shows it), which keeps every parsed
 * text piece alive past the young generation: reported to explain the figure, not the target's floor. */
async function floorJson(chunks: Buffer[], keep = false): Promise<Checksum> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let events = 0;
  let chars = 0;
  let answer = '';
  for await (const c of body(chunks)) {
    const text = carry + decoder.decode(c as Buffer, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n\n', start); end !== -1; end = text.indexOf('\n\n', start)) {
      events++;
      if (text.startsWith('data:', start)) {
        const o = JSON.parse(text.slice(start + 5, end));
        const piece: string | undefined = o.event === 'message' ? o.answer : o.event === 'text_chunk' ? o.data.text : undefined;
        if (piece !== undefined) {
          if (keep) answer += piece;
          else chars += piece.length;
        }
      }
      start = end + 2;
    }
    carry = text.slice(start);
  }
  return { events, chars: keep ? answer.length : chars };
}

type Runner = () => Promise<Checksum>;
/** Per pipeline: the median wall time and the median CPU time of this process (user + system, all its threads —
 * GC included; unlike wall time, not inflated by other processes on this shared machine), with every run. */
async function measure(runners: Record<string, Runner>): Promise<Record<string, { medianMs: number; cpuMs: number; runsMs: number[]; cpuRunsMs: number[]; checksum: Checksum }>> {
  const names = Object.keys(runners);
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const sums: Record<string, Checksum> = {};
  for (const n of names) sums[n] = await runners[n](); // warm-up (JIT), also the checksum
  for (let r = 0; r < RUNS; r++) {
    // rotate the order each round so no pipeline always runs right after the same one
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length];
      const c = process.cpuUsage();
      const t = performance.now();
      await runners[n]();
      times[n].push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu[n].push((used.user + used.system) / 1000);
    }
  }
  return Object.fromEntries(names.map((n) => [n, { medianMs: round(median(times[n])), cpuMs: round(median(cpu[n])), runsMs: times[n].map((x) => round(x)), cpuRunsMs: cpu[n].map((x) => round(x)), checksum: sums[n] }]));
}

async function startServer(events: number, min: number, max: number): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts'), String(events), String(min), String(max)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (c) => reject(new Error(`bench server exited (${c})`)));
  });
  return { url: `http://127.0.0.1:${port}/v1`, stop: () => child.kill() };
}

async function httpTier(): Promise<Record<string, unknown>> {
  const server = await startServer(EVENTS, 16 * 1024, 64 * 1024);
  try {
    const ours = new DifyClient({ baseUrl: server.url, apiKey: 'app-bench' });
    const { ChatClient } = (await import('dify-client')) as any;
    const theirs = new ChatClient('app-bench', server.url);
    const runners: Record<string, Runner> = {
      ours: async () => {
        let events = 0;
        let chars = 0;
        for await (const ev of ours.run('advanced-chat', { user: 'bench', query: 'q', inputs: {} }, new AbortController().signal)) {
          events++;
          if (ev.type === 'answer') chars += ev.text.length;
        }
        return { events, chars };
      },
      sdk: async () => {
        const res = await theirs.createChatMessage({}, 'q', 'bench', true, null);
        return sdk(res.data);
      },
      floor: async () => {
        const res = await request(`${server.url}/chat-messages`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
        const decoder = new TextDecoder();
        let chars = 0;
        let reads = 0;
        for await (const c of res.body) {
          chars += decoder.decode(c as Buffer, { stream: true }).length;
          reads++;
        }
        return { events: reads, chars };
      },
    };
    const r = await measure(runners);
    await ours.close();
    return r;
  } finally {
    server.stop();
  }
}

function memory(name: string, events: number): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'memory.ts'), name, String(events)], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory run ${name} ${events} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

void (async () => {
  const t0 = performance.now();
  const rec = makeRecording(EVENTS);
  const mb = rec.bytes.length / 1e6;
  console.log(`[stream] recording: ${rec.events} events, ${round(mb, 2)} MB (${rec.textEvents} text, ${rec.nodeEvents} node_*, ${rec.pings} pings; ${rec.answerChars} answer chars)`);
  const profiles = { 'reads 16–64 KB': [16 * 1024, 64 * 1024], 'reads 1–4 KB': [1024, 4096] } as const;
  const inProcess: Record<string, unknown> = {};
  for (const [label, [min, max]] of Object.entries(profiles)) {
    const chunks = chunk(rec.bytes, min, max);
    const r = await measure({
      ours: () => PIPELINES.ours(chunks),
      sdk: () => PIPELINES.sdk(chunks),
      floorJson: () => floorJson(chunks),
      floorJsonKeep: () => floorJson(chunks, true),
      floor: () => PIPELINES.floor(chunks),
    });
    for (const n of ['sdk', 'floorJson', 'floorJsonKeep'] as const) {
      if (r[n].checksum.chars !== rec.answerChars || r.ours.checksum.chars !== rec.answerChars) {
        throw new Error(`checksum mismatch (${label}): ours ${r.ours.checksum.chars}, ${n} ${r[n].checksum.chars}, expected ${rec.answerChars}`);
      }
    }
    inProcess[label] = { reads: chunks.length, ...r };
    // Ours against the floor, by CPU time (this machine is shared: wall times of the same run swing 2×), the ratio
    // of the medians; and each interleaved round's ratio, for the spread.
    const cpuX = r.ours.cpuMs / r.floorJson.cpuMs;
    const paired = r.ours.cpuRunsMs.map((o, i) => o / r.floorJson.cpuRunsMs[i]).sort((a, b) => a - b);
    (inProcess[label] as Record<string, unknown>).oursVsFloorJson = { cpu: round(cpuX, 3), wall: round(r.ours.medianMs / r.floorJson.medianMs, 3), pairedMin: round(paired[0], 3), pairedMax: round(paired[paired.length - 1], 3), keepCpu: round(r.ours.cpuMs / r.floorJsonKeep.cpuMs, 3) };
    console.log(`[stream] ${label}: ours ${r.ours.medianMs} ms (CPU ${r.ours.cpuMs}), sdk ${r.sdk.medianMs} (${r.sdk.cpuMs}), floor+JSON ${r.floorJson.medianMs} (${r.floorJson.cpuMs}), keeping the answer ${r.floorJsonKeep.medianMs} (${r.floorJsonKeep.cpuMs}), floor ${r.floor.medianMs} (${r.floor.cpuMs}); ours/floor+JSON by CPU ${round(cpuX, 2)}× (rounds ${round(paired[0], 2)}–${round(paired[paired.length - 1], 2)}), wall ${round(r.ours.medianMs / r.floorJson.medianMs, 2)}×`);
  }
  let http: Record<string, unknown> | undefined;
  if (!args.includes('--no-http')) {
    http = await httpTier();
    const h = http as Record<string, { medianMs: number; checksum: Checksum }>;
    if (h.ours.checksum.chars !== rec.answerChars || h.sdk.checksum.chars !== rec.answerChars) {
      throw new Error(`HTTP checksum mismatch: ours ${h.ours.checksum.chars}, sdk ${h.sdk.checksum.chars}, expected ${rec.answerChars}`);
    }
    console.log(`[stream] HTTP 127.0.0.1: ours ${h.ours.medianMs} ms, dify-client ${h.sdk.medianMs} ms, floor ${h.floor.medianMs} ms`);
  }
  let mem: Record<string, unknown> | undefined;
  if (!args.includes('--no-memory')) {
    mem = {};
    const half = Math.round(EVENTS / 2);
    for (const name of ['ours', 'sdk', 'floor']) {
      const a = memory(name, half) as { peakAboveBaseline: number; streamBytes: number; answerChars: number };
      const b = memory(name, EVENTS) as { peakAboveBaseline: number; streamBytes: number; answerChars: number };
      mem[name] = { half: a, full: b };
      console.log(`[stream] memory ${name}: +${round(a.peakAboveBaseline / 1e6, 2)} MB at ${round(a.streamBytes / 1e6, 1)} MB, +${round(b.peakAboveBaseline / 1e6, 2)} MB at ${round(b.streamBytes / 1e6, 1)} MB`);
    }
  }
  const out = {
    recording: { events: rec.events, bytes: rec.bytes.length, textEvents: rec.textEvents, nodeEvents: rec.nodeEvents, pings: rec.pings, answerChars: rec.answerChars },
    runs: RUNS,
    node: process.version,
    inProcess,
    http,
    memory: mem,
    seconds: round((performance.now() - t0) / 1000),
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'stream.json'), JSON.stringify(out, null, 2));
  console.log(`[stream] done in ${out.seconds} s → bench/results/stream.json`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
