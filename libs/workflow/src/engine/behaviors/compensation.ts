import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';

/**
 * Compensation, as Zeebe 8.5+ runs it (Camunda 8 docs, "Compensation events" and "Compensation
 * handler"):
 *
 * - an activity with a compensation boundary event leaves a record each time it completes (a
 *   multi-instance activity once, and only when every instance completed); an activity that is
 *   active or was terminated leaves none;
 * - records are kept per scope: an embedded subprocess that completes hands its records to its
 *   own scope, so a throw outside compensates inside it too; a cancelled scope takes its records
 *   with it;
 * - a compensation intermediate throw or end event invokes the handler of every record of its
 *   scope (the scope around an event subprocess, when it is in one) — or, with `activityRef`, of
 *   that activity only — all at once, and waits until every handler has completed; then the throw
 *   event leaves (the end event ends its token). Each record is compensated once. Handlers of a
 *   called child process are not invoked.
 *
 * Records are rows of `crm_wf_subscription` with kind `compensation`: `element_id` is the
 * compensated activity, `message_name` its handler, `execution_id` the scope token (null: the
 * process). Message and signal lookups filter on their own kinds, so they never see them.
 */

/** The activity completed: a record when it has a handler; a subprocess hands its records up. */
export async function recordCompletion(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
): Promise<void> {
  if (!s.graph.compensation) return;
  if (node.compensationHandler)
    await s.tx.execute(
      `INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at, kind) VALUES (?, ?, ?, ?, ?, NULL, ?, 'compensation')`,
      [s.row.definition_id, s.id, exec.parentId, node.id, node.compensationHandler, s.now()],
    );
  if ((node.type === 'SubProcess' || node.type === 'AdHocSubProcess') && exec.id > 0)
    await s.tx.execute(
      `UPDATE crm_wf_subscription SET execution_id = ? WHERE instance_id = ? AND kind = 'compensation' AND execution_id = ?`,
      [exec.parentId, s.id, exec.id],
    );
}

/**
 * A compensation throw or end event: starts the handler of each record of its scope as a child
 * token of the throwing token, which waits as their scope. Returns false when there is nothing
 * to compensate (the event then completes at once).
 */
export async function throwCompensation(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
): Promise<boolean> {
  let scope = s.parent(exec);
  // an event subprocess compensates the scope it listens in
  if (scope && s.node(scope.elementId).eventSubprocess) scope = s.parent(scope);
  const scopeId = scope ? await s.idOf(scope) : null;
  const ref = node.compensation?.activityRef;
  const params: Array<string | number> = [s.id];
  if (scopeId !== null) params.push(scopeId);
  if (ref) params.push(ref);
  const records = await s.tx.query<{ id: number; element_id: string; message_name: string }>(
    `SELECT id, element_id, message_name FROM crm_wf_subscription WHERE instance_id = ? AND kind = 'compensation' AND execution_id ${scopeId === null ? 'IS NULL' : '= ?'}${ref ? ' AND element_id = ?' : ''} ORDER BY id DESC`,
    params,
  );
  s.hist(node.id, node.type, 'compensate', { activities: records.map((r) => r.element_id) });
  if (!records.length) return false;
  await s.tx.execute(
    `DELETE FROM crm_wf_subscription WHERE id IN (${records.map(() => '?').join(', ')})`,
    records.map((r) => Number(r.id)),
  );
  s.park(exec, 'scope');
  // the latest completion's handler first; Zeebe invokes them all at once, in no given order
  for (const r of records) s.queue.push(await s.createExec(exec.id, r.message_name));
  return true;
}

/** The instance completed: records nobody compensated go with it. */
export async function dropRecords(s: InstanceStep): Promise<void> {
  if (s.graph.compensation)
    await s.tx.execute(
      `DELETE FROM crm_wf_subscription WHERE instance_id = ? AND kind = 'compensation'`,
      [s.id],
    );
}
