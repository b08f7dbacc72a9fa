import type { GraphNode, Listener } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { StepIncident } from '../expressions';
import { evaluateAssignment } from '../../approvals/approvers';
import {
  type TaskCorrections,
  type TaskListenerResult,
  correctCompletingTask,
  denyCompletion,
  mergeCorrections,
  taskListenerHeaders,
} from './task-listener-result';

/**
 * Execution listeners (start / end) and user task listeners (creating / completing), as Camunda
 * 8.6+ runs them: each listener is a job of its type the element waits on, one after another in
 * diagram order. A start listener runs after the input mappings and before the element subscribes
 * to its events or does anything; what its job completes with becomes local variables of the
 * element. An end listener runs after the output mappings, before the token leaves; its
 * variables propagate from the element's flow scope, like output mappings. A failed listener job
 * raises an incident on the element; retrying it runs only that listener again.
 *
 * The token waits in state `waiting` with one job row (kind `external`, or `service` for a
 * built-in job-mode type) whose payload names the listener; completing the job calls
 * `listenerDone`, which starts the next listener or resumes the element where it paused.
 */

export type ListenerEvent = 'start' | 'end' | 'creating' | 'completing';

/** The payload of a listener job: which listener, and what a paused completion carried. */
export interface ListenerPayload {
  listener: ListenerEvent;
  index: number;
  /**
   * `completing`: the variables the task was completed with, applied after the listeners;
   * `creating`: the corrections of the listeners so far, applied when the task is created.
   */
  result?: Record<string, unknown>;
  /**
   * `completing`: the corrections of the listeners so far, applied to the task once the last one
   * is done — a denial drops them all, as Zeebe keeps the task as it was before the completion.
   */
  corrections?: TaskCorrections;
}

/** What the element does once every listener of an event is done (registered by index.ts). */
export type ListenerResume = (
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  event: ListenerEvent,
  result: Record<string, unknown>,
) => Promise<void>;

let resumeElement: ListenerResume | undefined;
/** behaviors/index.ts registers how each element kind resumes (it knows them all). */
export function setListenerResume(fn: ListenerResume): void {
  resumeElement = fn;
}

export function listenersOf(node: GraphNode, event: ListenerEvent): Listener[] {
  if (event === 'start' || event === 'end') return node.listeners?.[event] ?? [];
  return node.taskListeners?.[event] ?? [];
}

/**
 * A token whose end, creating or completing listener failed on an expression: the retry re-runs
 * that event's listeners (true) instead of entering the element again.
 */
export async function resumeListenersAfterIncident(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
): Promise<boolean> {
  const mark = exec.loop?.resumeListeners;
  if (!mark) return false;
  const { resumeListeners: _done, ...rest } = exec.loop!;
  exec.loop = Object.keys(rest).length ? rest : null;
  await runListeners(s, exec, node, mark.event, 0, mark.result ?? {});
  return true;
}

/** Notes that `node`'s start listeners are done: a retry after an incident skips them. */
export function markStartListened(s: InstanceStep, exec: Exec, node: GraphNode): void {
  exec.loop = { ...(exec.loop ?? {}), startListened: node.id };
}

/** True when `node`'s start listeners already ran for this token (a retry: do not re-run them). */
export const startListened = (exec: Exec, node: GraphNode): boolean =>
  exec.loop?.startListened === node.id;

/** The token moves on: a later entry of the same element runs its start listeners again. */
export function forgetStartListened(exec: Exec): void {
  if (exec.loop?.startListened === undefined) return;
  const { startListened: _gone, ...rest } = exec.loop;
  exec.loop = Object.keys(rest).length ? rest : null;
}

/** Reads a job's payload: the listener it runs, or null for any other job. */
export function listenerOfJob(payload: string | null): ListenerPayload | null {
  if (!payload) return null;
  const p = JSON.parse(payload) as Partial<ListenerPayload>;
  return typeof p.listener === 'string' && typeof p.index === 'number'
    ? (p as ListenerPayload)
    : null;
}

/**
 * The headers a listener job's worker sees: the element's, then the listener's own, then — for a
 * user task listener — the task's (task-listener-result.ts), as Zeebe sets them.
 */
export async function listenerHeaders(
  s: InstanceStep,
  exec: Exec | undefined,
  node: GraphNode,
  p: ListenerPayload,
): Promise<Record<string, string>> {
  const l = listenersOf(node, p.listener)[p.index];
  const own = {
    ...node.headers,
    ...(l?.headers ?? {}),
    'io.camunda.zeebe:listenerEventType': p.listener,
  };
  if (!exec || (p.listener !== 'creating' && p.listener !== 'completing')) return own;
  const task = await taskListenerHeaders(
    s,
    exec,
    node,
    p.listener,
    () => evaluateAssignment(node, (raw) => s.attr(raw, s.scopeVars(exec), node.id)),
    p.listener === 'creating' ? ((p.result ?? {}) as TaskCorrections) : (p.corrections ?? {}),
  );
  return { ...own, ...task };
}

/**
 * Runs the listeners of `event` from `index` on: creates the next listener's job and parks the
 * token, or — none left — resumes the element. A built-in inline task type as listener runs
 * inside the step like a service task would.
 */
export async function runListeners(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  event: ListenerEvent,
  index = 0,
  result: Record<string, unknown> = {},
  corrections: TaskCorrections = {},
): Promise<void> {
  const all = listenersOf(node, event);
  if (index >= all.length) {
    // the completion goes through: the completing listeners' corrections reach the task first
    if (event === 'completing') await correctCompletingTask(s, exec, corrections);
    return resumeElement!(s, exec, node, event, result);
  }
  const l = all[index];
  const c = s.scopeVars(exec);
  let type: string;
  try {
    type = String(s.attr(l.type, c, node.id));
    if (!type || type === 'null')
      throw new StepIncident(
        'listener',
        `${event} listener ${index + 1} of ${node.id} has no type`,
      );
  } catch (e) {
    // the incident's retry runs this event's listeners again from the first (as Zeebe does
    // after an expression failure), not the element: enterElement reads this mark
    if (event !== 'start') {
      exec.loop = { ...(exec.loop ?? {}), resumeListeners: { event, result } };
    }
    throw e;
  }
  const payload: ListenerPayload = {
    listener: event,
    index,
    ...(event === 'completing' || event === 'creating' ? { result } : {}),
    ...(event === 'completing' ? { corrections } : {}),
  };
  const handler = s.deps.taskTypes.get(type);
  s.hist(node.id, node.type, 'listener', { event, type, index });
  if (handler?.mode === 'inline') {
    const withHeaders = { ...node, headers: await listenerHeaders(s, exec, node, payload) };
    const task = s.taskContext(exec, withHeaders, type);
    const out = await s.tx.savepoint(async (tx) => handler.run({ ...task, tx }));
    return listenerDone(s, exec, payload, (out as Record<string, unknown>) ?? {}, null, type);
  }
  s.park(exec, 'waiting');
  await s.tx.execute(
    `INSERT INTO crm_wf_job (kind, type, definition_id, instance_id, execution_id, element_id, due_at, retries, attempts, state, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'ready', ?, ?)`,
    [
      handler ? 'service' : 'external',
      type,
      s.row.definition_id,
      s.id,
      await s.idOf(exec),
      node.id,
      s.now(),
      l.retries,
      JSON.stringify(payload),
      s.now(),
    ],
  );
}

/**
 * A listener job completed with `variables`: a start listener's become the element's locals, an
 * end listener's propagate from its flow scope; user task listeners take none (completeJob refuses
 * a task listener job completed with variables, as Camunda does). A user task listener's `result`
 * may deny the completion (the task stays open, the next listeners do not run) or correct the
 * task (task-listener-result.ts). Then the next listener, or the element goes on.
 */
export async function listenerDone(
  s: InstanceStep,
  exec: Exec,
  p: ListenerPayload,
  variables: Record<string, unknown>,
  outcome: TaskListenerResult | null = null,
  type = '',
): Promise<void> {
  const node = s.node(exec.elementId);
  const names = Object.keys(variables);
  let result = p.result ?? {};
  let corrections = p.corrections ?? {};
  if (p.listener === 'start' && names.length) {
    exec.vars = { ...(exec.vars ?? {}), ...variables };
  } else if (p.listener === 'end') {
    const from = s.parent(exec);
    for (const [k, v] of Object.entries(variables)) s.setVar(from, k, v);
  } else if (outcome && p.listener === 'completing') {
    if (outcome.denied) return denyCompletion(s, exec, node, type, outcome.deniedReason);
    corrections = mergeCorrections(corrections, outcome.corrections);
  } else if (outcome && p.listener === 'creating')
    result = mergeCorrections(result as TaskCorrections, outcome.corrections) as Record<
      string,
      unknown
    >;
  exec.state = 'ready';
  return runListeners(s, exec, node, p.listener, p.index + 1, result, corrections);
}
