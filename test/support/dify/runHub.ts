// The test server's live runs, as Dify's GET /v1/workflow/{run_id}/events sees them (dify-api.md §I): every frame a
// workflow or chatflow run emits is published to whoever follows it (Redis pub/sub: nothing before the
// subscription, unless replayed), and the run's state is kept for the state snapshot (the nodes so far, the answer
// so far, the waiting forms).
import type * as http from 'node:http';
import { toJson } from './wireFormat';

type Obj = Record<string, unknown>;

/** A form a paused run waits on, as the events route's snapshot and the form routes see it. */
export interface WaitingForm {
  /** `human_input_required.data` (form_token null for email/console-only delivery). */
  data: Obj;
}

export interface HubRun {
  id: string;
  taskId: string;
  appKey: string;
  mode: 'workflow' | 'advanced-chat';
  user: string;
  workflowId: string;
  conversationId?: string;
  messageId?: string;
  createdAt: number;
  /** Node executions so far, in order: their started and (once done) finished frames. */
  nodes: Map<string, { started: Obj; finished?: Obj }>;
  /** The chatflow's answer so far (what `message_replace` of a snapshot carries). */
  answer: string;
  /** Every frame so far (the newest servers replay them from the start). */
  log: Obj[];
  paused: boolean;
  /** The waiting forms while paused, in order. */
  waiting: WaitingForm[];
  /** Set once workflow_finished went out. */
  finished?: Obj;
  subscribers: Set<Subscriber>;
}

interface Subscriber {
  send(frame: Obj): void;
  close(): void;
}

export interface FollowOptions {
  snapshot: boolean;
  continueOnPause: boolean;
  /** How the snapshot is built: from the database (released builds), or the run's own events replayed. */
  replay: 'snapshot' | 'stream';
  pingMs: number;
  idleMs: number;
  jsonStyle?: 'compact' | 'python';
}

export class RunHub {
  readonly runs = new Map<string, HubRun>();

  create(r: Omit<HubRun, 'nodes' | 'answer' | 'log' | 'paused' | 'waiting' | 'subscribers'>): HubRun {
    const run: HubRun = { ...r, nodes: new Map(), answer: '', log: [], paused: false, waiting: [], subscribers: new Set() };
    this.runs.set(run.id, run);
    return run;
  }

  /** A frame the run emitted: its state follows, and every subscriber gets it. */
  publish(run: HubRun, frame: Obj): void {
    run.log.push(frame);
    const ev = frame.event;
    const data = (frame.data ?? {}) as Obj;
    if (ev === 'node_started' && typeof data.id === 'string') run.nodes.set(data.id, { started: frame });
    if (ev === 'node_finished' && typeof data.id === 'string') {
      const n = run.nodes.get(data.id);
      if (n) n.finished = frame;
      else run.nodes.set(data.id, { started: frame, finished: frame });
    }
    if (ev === 'message' && typeof frame.answer === 'string') run.answer += frame.answer;
    if (ev === 'workflow_started' && data.reason === 'resumption') run.paused = false;
    if (ev === 'workflow_paused') run.paused = true;
    if (ev === 'workflow_finished') run.finished = frame;
    for (const s of [...run.subscribers]) s.send(frame);
  }

  /** Serves the events route for a run that has not finished (the caller answers finished ones in one frame). */
  follow(run: HubRun, res: http.ServerResponse, o: FollowOptions): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no', Connection: 'keep-alive' });
    res.socket?.setNoDelay(true);
    const terminal = o.continueOnPause ? new Set<string>() : new Set(['workflow_finished', 'workflow_paused']);
    let closed = false;
    const write = (text: string): void => {
      if (!closed) res.write(text);
    };
    const frame = (f: Obj): void => write(`data: ${toJson(f, o.jsonStyle)}\n\n`);
    const sub: Subscriber = {
      send: (f) => {
        if (closed) return;
        frame(f);
        idle.refresh();
        if (terminal.has(String(f.event))) sub.close();
      },
      close: () => {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        clearTimeout(idle);
        run.subscribers.delete(sub);
        res.end();
      },
    };
    // Pings every 10 s (by default) from the first frame on; the server gives up after 300 s without an event.
    write('event: ping\n\n');
    const ping = setInterval(() => write('event: ping\n\n'), o.pingMs);
    ping.unref?.();
    const idle = setTimeout(() => sub.close(), o.idleMs);
    idle.unref?.();
    res.on('close', () => sub.close());
    if (o.snapshot) {
      for (const f of o.replay === 'stream' ? run.log : this.snapshot(run)) {
        frame(f);
        if (terminal.has(String(f.event))) return sub.close();
      }
    }
    run.subscribers.add(sub);
  }

  /** The state snapshot rebuilt "from the database": the run's start, a chatflow's answer so far, every node so far
   * in the reduced form, and while paused its forms and the pause. No workflow text is replayed. */
  private snapshot(run: HubRun): Obj[] {
    const env: Obj = { task_id: run.taskId, workflow_run_id: run.id };
    const out: Obj[] = [{ event: 'workflow_started', ...env, data: { id: run.id, workflow_id: run.workflowId, inputs: {}, created_at: run.createdAt, reason: 'initial' } }];
    if (run.mode === 'advanced-chat') {
      out.push({ event: 'message_replace', task_id: run.taskId, conversation_id: run.conversationId, message_id: run.messageId, created_at: run.createdAt, answer: run.answer, reason: '' });
    }
    const reduce = (f: Obj): Obj => ({ ...f, ...env, data: { ...(f.data as Obj), inputs: null, outputs: null, process_data: null } });
    for (const n of run.nodes.values()) {
      out.push(reduce(n.started));
      if (n.finished) out.push(reduce(n.finished));
    }
    if (run.paused) {
      for (const w of run.waiting) out.push({ event: 'human_input_required', ...env, data: w.data });
      const last = [...run.log].reverse().find((f) => f.event === 'workflow_paused');
      if (last) out.push({ ...last, ...env });
    }
    return out;
  }
}
