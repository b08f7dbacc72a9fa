import { type GraphNode, stripEq } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { applyInputMappings } from '../variables';
import { armBoundaries, disarm, completeEvent } from './events';
import { leave } from './gateways';
import { isApprovalNode, jumpBack, noteDecision, rejectAt } from './approval';
import { activityBehavior, isActivity } from './index';
import { recordCompletion } from './compensation';
import { listenersOf, runListeners } from './listeners';
import { innerDone, startMultiInstance } from './multi-instance';

/**
 * The lifecycle every activity shares, as Zeebe runs it: a multi-instance activity first becomes
 * its body; input mappings create the activity's local variables; boundary events are armed; then
 * the activity's own behaviour runs. On completion, output mappings (or variable propagation), the
 * boundary events are disarmed and the token leaves.
 */
export async function enterActivity(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  if (node.loop && !s.isInner(exec)) return startMultiInstance(s, exec, node);
  if (node.inputs.length) {
    exec.vars = applyInputMappings(
      node.inputs,
      s.scopeVars(exec),
      exec.vars ?? {},
      node.id,
      s.feelOptions,
    );
  }
  // start listeners see the input mappings' locals; boundary events are armed after them
  if (listenersOf(node, 'start').length) return runListeners(s, exec, node, 'start');
  return executeActivity(s, exec, node);
}

/** The activity proper, once its start listeners are done: boundary events, then its behaviour. */
export async function executeActivity(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  if (!s.isInner(exec) || !node.loop) await armBoundaries(s, exec, node);
  return activityBehavior(node.type).execute(s, exec, node);
}

/**
 * An activity finished (task completed, job done, child instance ended...). With output mappings
 * the result is only their input: each target is propagated from the activity's flow scope — or,
 * for an inner instance of a multi-instance activity, from the inner instance's own scope, which
 * holds its `outputElement` (so `outputCollection` collects each instance's result). Without
 * output mappings the result variables propagate from the activity itself.
 */
export async function completeActivity(
  s: InstanceStep,
  exec: Exec,
  result: Record<string, unknown>,
  /** true once a user task's `completing` listeners ran (listeners.ts). */
  listened = false,
): Promise<void> {
  const node = s.node(exec.elementId);
  if (!isActivity(node.type)) return completeEvent(s, exec, result);
  // a user task's completing listeners run before the completion takes effect
  if (!listened && listenersOf(node, 'completing').length)
    return runListeners(s, exec, node, 'completing', 0, result);
  const inner = s.isInner(exec) && !!node.loop;
  if (node.outputs.length) {
    const c = { ...s.scopeVars(exec), ...result };
    const from = inner ? exec : s.parent(exec);
    for (const m of node.outputs)
      s.setTarget(from, m.target, s.feel(stripEq(m.source), c, node.id));
  } else s.setVars(exec, result);
  if (inner) {
    if (isApprovalNode(node)) noteDecision(s.parent(exec)!, exec, result.decision);
    return innerDone(s, exec, node);
  }
  if (isApprovalNode(node) && result.decision === 'reject') return rejectAt(s, exec, node);
  s.park(exec, 'ready');
  await disarm(s, exec, node);
  // end listeners see the element's locals and the output mappings' results
  if (listenersOf(node, 'end').length) return runListeners(s, exec, node, 'end');
  return leaveActivity(s, exec, node);
}

/** The activity ends and its token leaves (after its end listeners, if any). */
export async function leaveActivity(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  const returned = exec.vars?.crmJumpBack !== undefined;
  if (!returned) exec.vars = null;
  s.hist(node.id, node.type, 'end');
  await recordCompletion(s, exec, node);
  if (returned && (await jumpBack(s, exec))) return;
  exec.vars = null;
  await leave(s, exec);
}
