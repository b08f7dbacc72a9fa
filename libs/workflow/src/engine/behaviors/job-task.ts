import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import type { TaskContext } from '../task-types';
import { FeelError } from '@crm/metadata';
import { DmnEvaluationError } from '../../dmn/evaluate';
import { evaluateDeployedDecision } from '../../dmn/store';
import { StepIncident } from '../expressions';
import { plainVariables } from '../variables';
import { completeActivity } from './activity';
import type { ActivityBehavior } from './types';

/**
 * Elements that carry a `zeebe:taskDefinition` (service, send and business rule tasks; message
 * throw and end events): a built-in inline type runs inside the step, in a savepoint so a failure
 * undoes only its own writes; any other type becomes a job (built-in async types run on the job
 * executor, unknown types wait for an external worker).
 */
export async function startJob(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  const c = s.scopeVars(exec);
  const type = String(s.attr(node.job!.type, c, node.id));
  const handler = s.deps.taskTypes.get(type);
  if (handler?.mode === 'inline') {
    const task = taskContext(s, exec, node, type, c);
    const result = await s.tx.savepoint(async (tx) => handler.run({ ...task, tx }));
    // the task may have changed the linked record: later expressions see the new values
    const ref = s.recordRef;
    if (ref) s.record = await s.deps.readRecord(s.tx, ref.entity, ref.id);
    return completeActivity(s, exec, (result as Record<string, unknown>) ?? {});
  }
  s.park(exec, 'waiting');
  await s.tx.execute(
    `INSERT INTO crm_wf_job (kind, type, definition_id, instance_id, execution_id, element_id, due_at, retries, attempts, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'ready', ?)`,
    [
      handler ? 'service' : 'external',
      type,
      s.row.definition_id,
      s.id,
      await s.idOf(exec),
      node.id,
      s.now(),
      node.job!.retries,
      s.now(),
    ],
  );
}

export const jobTask: ActivityBehavior = { execute: startJob };

/**
 * A business rule task with `zeebe:calledDecision` evaluates the latest deployed version of the
 * decision (DMN) inside the step and stores the result in `resultVariable`; a decision that is not
 * deployed or cannot decide is an incident, as in Zeebe. Without one it is a job like a service
 * task.
 */
export const businessRuleTask: ActivityBehavior = {
  async execute(s, exec, node) {
    if (!node.decision) return startJob(s, exec, node);
    const c = s.scopeVars(exec);
    const decisionId = String(s.attr(node.decision.decisionId, c, node.id));
    let result: unknown;
    try {
      result = await evaluateDeployedDecision(s.tx, decisionId, plainVariables(c), s.feelOptions);
    } catch (e) {
      if (!(e instanceof DmnEvaluationError || e instanceof FeelError)) throw e;
      throw new StepIncident('decision', `decision "${decisionId}" at ${node.id}: ${e.message}`);
    }
    return completeActivity(s, exec, { [node.decision.resultVariable]: result });
  },
};

export function taskContext(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  type: string,
  c = s.scopeVars(exec),
): TaskContext {
  return {
    type,
    headers: node.headers,
    header: (name) => (name in node.headers ? s.attr(node.headers[name], c, node.id) : undefined),
    variables: c,
    record: s.recordRef,
    instanceId: s.id,
    actor: s.ctx.actor,
    triggerDepth: s.ctx.triggerDepth,
  };
}
