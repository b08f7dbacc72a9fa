import { StepIncident } from '../expressions';
import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { armEventSubprocesses } from './event-subprocess';
import type { ActivityBehavior } from './types';

/**
 * Ad-hoc subprocesses as Zeebe 8.7 runs them (Camunda 8 docs, "Ad-hoc subprocesses", BPMN
 * implementation): on entering, after the input mappings, `activeElementsCollection` gives the ids
 * of the inner elements to activate — each starts a token of its own in the subprocess's scope
 * (no list or an empty one: nothing starts and the subprocess stays active; anything but a list of
 * inner element ids: an incident). Each time an inner flow ends, `completionCondition` is
 * evaluated: true completes the subprocess — cancelling the inner tokens still active when
 * `cancelRemainingInstances` (default true), else once they have ended; false (or not a boolean:
 * an incident) leaves it active. Without a condition it completes when its last inner flow ends.
 * Variables of inner elements propagate as in an embedded subprocess. Multi-instance (the
 * Camunda 8.8 AI agent's tools): each inner instance of the body is one ad-hoc subprocess, its
 * collection and condition evaluated in that instance's scope (so `inputElement` picks the
 * elements); the body then collects and completes as for any multi-instance activity.
 */
export const adHocSubProcess: ActivityBehavior = {
  async execute(s, exec, node) {
    s.park(exec, 'scope');
    await armEventSubprocesses(s, exec, node.id);
    const raw = node.adHoc!.activeElements;
    if (raw === undefined) return;
    const ids = s.feel(raw, s.scopeVars(exec), node.id);
    const inner = (id: unknown): boolean => {
      const n = typeof id === 'string' ? s.graph.nodes.get(id) : undefined;
      return !!n && n.scope === node.id && activatable(n);
    };
    if (ids === null) return;
    if (!Array.isArray(ids) || !ids.every(inner))
      throw new StepIncident(
        'ad-hoc',
        `activeElementsCollection of ${node.id} must be a list of the ids of its inner elements; got ${JSON.stringify(ids)}`,
      );
    for (const id of ids as string[]) s.queue.push(await s.createExec(exec.id, id));
  },
};

/** Inner elements an ad-hoc subprocess may activate: not events attached, handlers or listeners. */
function activatable(n: GraphNode): boolean {
  return !n.attachedTo && !n.eventSubprocess && n.type !== 'StartEvent' && n.type !== 'EndEvent';
}

/**
 * An inner flow of an ad-hoc subprocess ended (events.ts endToken): completes it when its
 * condition says so, or — without one — when nothing inside is left running.
 */
export async function adHocFlowEnded(s: InstanceStep, scope: Exec, node: GraphNode): Promise<void> {
  const running = s.children(scope.id).filter((c) => c.state !== 'listening');
  const cond = node.adHoc!.completionCondition;
  let done = cond === undefined || scope.loop?.adHocFulfilled === true;
  if (cond !== undefined && !done) {
    const value = s.feel(cond, s.scopeVars(scope), node.id);
    if (typeof value !== 'boolean')
      throw new StepIncident(
        'ad-hoc',
        `completionCondition of ${node.id} must be true or false; got ${JSON.stringify(value)}`,
      );
    done = value;
    if (done && !node.adHoc!.cancelRemaining && running.length) {
      // fulfilled: the subprocess completes once the inner tokens still running have ended
      scope.loop = { ...(scope.loop ?? {}), adHocFulfilled: true };
      return;
    }
  }
  if (!done) return;
  if (running.length && (cond === undefined || !node.adHoc!.cancelRemaining)) return;
  for (const other of s.children(scope.id)) await s.cancelExec(other);
  // an inner instance of a multi-instance ad-hoc subprocess keeps its index: it is how its
  // completion reaches the body (multi-instance.ts innerDone) and where its output goes
  scope.loop = scope.loop?.index !== undefined ? { index: scope.loop.index } : null;
  await s.completeActivity(scope, {});
}
