// Blocking (JSON) answers turned into the same stream events, so one mapper serves both response modes
// (and the 200-JSON fallback a server may send when streaming was requested).
import { ApiError } from '../../net/apiError';
import type { DifyStreamEvent } from './events';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Converts a blocking response body into the equivalent stream events. */
export function blockingToEvents(body: unknown, route?: string): DifyStreamEvent[] {
  if (!isObj(body)) {
    throw new ApiError({ kind: 'malformed', message: `The server's answer${route ? ` to ${route}` : ''} is not a JSON object.`, route });
  }
  const env = {
    task_id: typeof body.task_id === 'string' ? body.task_id : undefined,
    workflow_run_id: typeof body.workflow_run_id === 'string' ? body.workflow_run_id : undefined,
    conversation_id: typeof body.conversation_id === 'string' ? body.conversation_id : undefined,
    message_id: typeof body.message_id === 'string' ? body.message_id : typeof body.id === 'string' ? body.id : undefined,
    created_at: typeof body.created_at === 'number' ? body.created_at : undefined,
  };
  if (body.event === 'error') {
    return [{ ...env, event: 'error', status: body.status as number, code: body.code as string, message: body.message as string }];
  }
  // A chatflow that paused (ChatPausedBlockingResponse): the answer so far, then the pause; no message_end.
  if (body.event === 'workflow_paused' && isObj(body.data)) {
    const data = body.data as Obj;
    const events: DifyStreamEvent[] = [];
    if (typeof body.answer === 'string' && body.answer) events.push({ ...env, event: 'message', id: env.message_id, answer: body.answer });
    events.push({ ...env, event: 'workflow_paused', data: { ...data, workflow_run_id: env.workflow_run_id } } as DifyStreamEvent);
    return events;
  }
  // Workflow: {task_id, workflow_run_id, data:{status, outputs, …}}
  if (isObj(body.data) && (typeof body.data.status === 'string' || 'outputs' in body.data)) {
    const data = body.data as Obj;
    const events: DifyStreamEvent[] = [];
    if (data.status === 'paused') {
      events.push({ ...env, message_id: undefined, event: 'workflow_paused', data: { ...data, workflow_run_id: env.workflow_run_id } } as DifyStreamEvent);
    } else {
      events.push({ ...env, message_id: undefined, event: 'workflow_finished', data } as DifyStreamEvent);
    }
    return events;
  }
  // Chat / completion: {event:'message', task_id, id, message_id, conversation_id, answer, metadata}
  if (typeof body.answer === 'string' || body.event === 'message') {
    const events: DifyStreamEvent[] = [
      { ...env, event: 'message', id: env.message_id, answer: typeof body.answer === 'string' ? body.answer : '' },
    ];
    const meta = isObj(body.metadata) ? body.metadata : undefined;
    events.push({ ...env, event: 'message_end', id: env.message_id, metadata: meta as never, files: Array.isArray(body.files) ? body.files : undefined });
    return events;
  }
  throw new ApiError({ kind: 'malformed', message: `Unexpected answer from the server${route ? ` (${route})` : ''}: neither a run result nor a message.`, route });
}
