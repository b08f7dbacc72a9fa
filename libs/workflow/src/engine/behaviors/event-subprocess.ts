import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { arm } from './events';

/**
 * Event subprocesses. While their scope (the process or an embedded subprocess) is active, the
 * timer, message and signal start events of its event subprocesses listen: each has a `listening` token
 * under the scope's token holding its timer job or subscription — a token that does not keep the
 * scope alive and is closed with it. Error and escalation starts need no listener: a throw finds
 * them while it looks for a catcher (events.ts). An interrupting start cancels everything else in
 * the scope first; a non-interrupting one runs beside it (and a message or cycle keeps listening).
 */
export async function armEventSubprocesses(
  s: InstanceStep,
  scope: Exec | null,
  scopeNodeId: string | null,
): Promise<void> {
  for (const espId of s.graph.eventSubprocesses.get(scopeNodeId) ?? []) {
    const start = s.node(s.node(espId).startNode!);
    if (!start.timer && !start.message && !start.signal) continue;
    const listener = await s.createExec(scope?.id ?? null, start.id, 'listening');
    await arm(s, start, listener);
  }
}

/** The start event of an event subprocess in `scopeNodeId` that `match` accepts. */
export function eventSubprocessStart(
  s: InstanceStep,
  scopeNodeId: string | null,
  match: (start: GraphNode) => boolean,
): GraphNode | undefined {
  return (s.graph.eventSubprocesses.get(scopeNodeId) ?? [])
    .map((id) => s.node(s.node(id).startNode!))
    .find(match);
}

/** The token of the scope `scopeNodeId` that `t` runs in (null: the process). */
export function scopeTokenOf(s: InstanceStep, t: Exec, scopeNodeId: string | null): Exec | null {
  if (scopeNodeId === null) return null;
  for (let e = s.parent(t); e; e = s.parent(e)) if (e.elementId === scopeNodeId) return e;
  return null;
}

/** Starts the event subprocess of `start` in the scope whose token is `scopeId`. */
export async function startEventSubprocess(
  s: InstanceStep,
  scopeId: number | null,
  start: GraphNode,
  variables: Record<string, unknown>,
): Promise<void> {
  const esp = s.node(start.scope!);
  if (start.interrupting !== false)
    for (const other of s.children(scopeId)) await s.cancelExec(other);
  const espExec = await s.createExec(scopeId, esp.id, 'scope');
  s.hist(esp.id, esp.type, 'start');
  await armEventSubprocesses(s, espExec, esp.id);
  // the payload is the start event's local input (passEvent applies its output mappings)
  s.queue.push(await s.createExec(espExec.id, start.id, 'ready', { ...variables }));
}
