/**
 * One memory measurement in a fresh process (run with --expose-gc): generate the recording, settle, then run one
 * pipeline over it, forcing a full GC every `every` events and sampling live memory (V8 heap used + array buffers).
 * Prints JSON: the peak live memory above the settled baseline (which holds the recording itself), the answer's
 * own size, and the process's max RSS.
 *   node --expose-gc --import tsx bench/stream/memory.ts <ours|sdk|floor> <events> [minRead maxRead]
 */
import { chunk, makeRecording } from './recording';
import { PIPELINES, type PipelineName } from './pipelines';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const live = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

void (async () => {
  const [name, eventsArg, min = '16384', max = '65536'] = process.argv.slice(2);
  const rec = makeRecording(Number(eventsArg));
  const chunks = chunk(rec.bytes, Number(min), Number(max));
  gc();
  gc();
  const base = live();
  let peak = base;
  const every = 2000;
  const sample = (n: number): void => {
    if (n % every === 0) {
      gc();
      peak = Math.max(peak, live());
    }
  };
  const result = await PIPELINES[name as PipelineName](chunks, sample);
  gc();
  peak = Math.max(peak, live());
  console.log(JSON.stringify({
    pipeline: name,
    events: rec.events,
    streamBytes: rec.bytes.length,
    peakAboveBaseline: peak - base,
    // the answer as the mapper keeps it (a one- or two-byte string); the part that legitimately grows
    answerChars: rec.answerChars,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    checksum: result,
  }));
})();
