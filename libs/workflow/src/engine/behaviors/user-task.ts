import { assignApprovalTask } from '../../approvals/approvers';
import { onApprovalTaskCreated } from '../../approvals/node-entry';
import { toDbTimestamp } from '@crm/common';
import { planTaskDeadline, scheduleDeadlineJobs } from '../deadlines';
import { joinList } from '../expressions';
import { taskPriority } from '../task-priority';
import { candidateRows, insertCandidates } from '../task-candidates';
import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { listenersOf, runListeners } from './listeners';
import { type TaskCorrections, correctAssignment, dueColumn } from './task-listener-result';
import type { ActivityBehavior } from './types';

/**
 * A user task: a `crm_wf_task` row for the inbox (assignee and candidates from
 * zeebe:assignmentDefinition, literal or FEEL, after the approval rules of approvals/approvers.ts)
 * and its candidate index rows; the token waits until the task is completed. Its assignee, else
 * its candidate users, are told (kind `assignment`); candidate groups are not expanded: who of a
 * role may act depends on row rules, and a mail to someone who cannot open the task would show
 * them what they may not see. An approval the engine decides itself (nobody to ask, or the same
 * approver again) completes here, with no task to tell anyone about.
 */
export const userTask: ActivityBehavior = {
  async execute(s, exec, node) {
    // creating listeners run before the task exists (listeners.ts resumes at createUserTask)
    if (listenersOf(node, 'creating').length) return runListeners(s, exec, node, 'creating');
    return createUserTask(s, exec, node);
  },
};

/** The task row, its candidates, deadline and notification; the token waits on it. */
export async function createUserTask(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  /** What the `creating` listeners corrected (task-listener-result.ts), over the assignment. */
  corrections: TaskCorrections = {},
): Promise<void> {
  s.park(exec, 'waiting');
  // evaluated with the task's other expressions, before the task exists: a bad one is an incident
  const priority =
    corrections.priority ??
    taskPriority(node.priority, (raw) => s.attr(raw, s.scopeVars(exec), node.id), node.id);
  const assigned = await assignApprovalTask(s, exec, node);
  if (!assigned) return;
  const a = correctAssignment(assigned, corrections);
  const assignee = a.assignee;
  const groups = joinList(a.groups);
  const users = joinList(a.users);
  // deadlines.ts: due_at on the calendar (planned first, so the row is written once with it; a
  // deadline that cannot be computed raises its incident before the task exists), then the
  // reminder and overdue jobs on this token; a creating listener's due date wins
  const plan = planTaskDeadline(s, exec, node);
  const due =
    corrections.dueDate !== undefined ? dueColumn(corrections.dueDate) : toDbTimestamp(plan.due);
  const task = await s.tx.execute(
    `INSERT INTO crm_wf_task (instance_id, execution_id, element_id, name, assignee, candidate_groups, candidate_users, state, created_at, version, due_at, priority) VALUES (?, ?, ?, ?, ?, ?, ?, 'created', ?, 1, ?, ?)`,
    [s.id, await s.idOf(exec), node.id, node.name, assignee, groups, users, s.now(), due, priority],
  );
  await insertCandidates(s.tx, candidateRows(task.insertId, assignee, groups, users));
  await scheduleDeadlineJobs(s, exec, node, task.insertId, plan);
  const told = assignee ? [assignee] : (users ?? '').split(',').map((u) => u.trim());
  await s.deps.notifier.notify(s.tx, {
    kind: 'assignment',
    // whoever routed the task to themselves needs no message about it
    to: told.filter((u) => u && u !== s.ctx.actor),
    instanceId: s.id,
    taskId: task.insertId,
    actor: s.ctx.actor,
    data: { record: s.record },
  });
  await onApprovalTaskCreated(s, exec, node);
}
