import { jumpBack } from '../engine/behaviors/approval';
import { leave } from '../engine/behaviors/gateways';
import type { InstanceStep } from '../engine/step';
import { type ActionContext, notAllowed } from './actions';
import { startBeforeElement } from './modify';
import { approvalSettings, userTasksBefore } from './settings';
import { closeTask, insertTask } from './task-rows';

/**
 * 退回: back to a node already passed, or to the initiator (the start event), who edits the record
 * and resubmits. Every active token goes (a countersign's other signers' tasks with it); with the
 * node's resubmit policy `jump`, the re-run target goes straight back to the node that returned.
 */
export async function returnTask(c: ActionContext): Promise<void> {
  const { s, task, node, input, actor } = c;
  const g = s.graph;
  const st = approvalSettings(node);
  const requested = input.targetElementId;
  const target = !requested || requested === 'initiator' ? g.start : requested;
  if (!target) throw notAllowed('return', `process ${g.id} has no none start event to return to`);
  const allowed = st.returnTo
    ? st.returnTo.map((t) => (t === 'initiator' ? g.start : t))
    : [g.start, ...userTasksBefore(g, node.id)];
  if (!allowed.includes(target))
    throw notAllowed(
      'return',
      `${target} is not a return target of ${node.id} (allowed: ${allowed.join(', ')})`,
    );
  const tn = g.nodes.get(target)!;
  if (target !== g.start && !((s.counts[target] ?? 0) > 0))
    throw notAllowed('return', `${target} has not run in this instance yet`);
  if (tn.scope !== null) throw notAllowed('return', `${target} is inside a subprocess`);
  await closeTask(s, task, 'return', actor);
  s.hist(node.id, node.type, 'return', { ...c.detail, to: target });
  const jump = st.resubmit === 'jump' && node.scope === null ? node.id : null;
  await returnTo(s, target, jump);
  if (s.row.started_by)
    await c.core.notifier.notify(s.tx, {
      kind: 'return',
      to: [s.row.started_by],
      instanceId: s.id,
      taskId: task.id,
      actor,
      comment: input.comment,
      data: { taskName: task.name, returnedTo: target },
    });
}

/** Cancels every active token and starts again at `target` (the start event: a resubmit task). */
export async function returnTo(
  s: InstanceStep,
  target: string,
  jump: string | null,
): Promise<void> {
  for (const e of [...s.children(null)])
    if (e.state !== 'listening' && s.execs.has(e.id)) await s.cancelExec(e);
  const vars = jump ? { crmJumpBack: jump } : null;
  if (target !== s.graph.start) {
    await startBeforeElement(s, target, vars, '/targetElementId');
    return;
  }
  const exec = await s.createExec(null, target, 'waiting', vars);
  await insertTask(s, exec, {
    elementId: target,
    name: 'Resubmit 重新提交',
    assignee: s.row.started_by,
    kind: 'resubmit',
  });
  s.hist(target, 'StartEvent', 'returned', jump ? { jumpBackTo: jump } : undefined);
}

/** The initiator resubmits: every step after the start runs again, or (jump) the returner only. */
export async function resubmit(c: ActionContext): Promise<void> {
  const { s, task, exec, input, actor } = c;
  await closeTask(s, task, 'resubmit', actor);
  s.setVars(null, input.variables);
  s.hist(exec.elementId, 'StartEvent', 'resubmit', c.detail);
  if (exec.vars?.crmJumpBack !== undefined && (await jumpBack(s, exec))) return;
  exec.vars = null;
  s.park(exec, 'ready');
  await leave(s, exec);
}
