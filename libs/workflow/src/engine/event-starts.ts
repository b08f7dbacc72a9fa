import { CrmError, type Db, ErrorCode, toDbTimestamp } from '@crm/common';
import { parseBpmn } from '../bpmn-model';
import { buildGraph } from './process-graph';
import { insertTimerJob } from './behaviors/events';
import { StepIncident, attr } from './expressions';
import { TimerSpecError, planTimer } from './timers';

/** Start events have no instance to evaluate against: FEEL sees cluster variables only. */
function guarded<T>(elementId: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof StepIncident || e instanceof TimerSpecError)) throw e;
    throw new CrmError(ErrorCode.BpmnInvalid, `start event ${elementId}: ${e.message}`, [
      { path: elementId, elementId, elementType: 'StartEvent', message: e.message },
    ]);
  }
}

/**
 * A new version of a process takes over its timer and message start events: the previous
 * versions' start timers and start subscriptions go, the new version's are created.
 */
export async function scheduleEventStarts(
  tx: Db,
  xml: string,
  definitionId: number,
  processKey: string,
  now: Date,
  timeZone: string,
  /** Cluster variables (`camunda.vars`): Camunda reads them in every FEEL expression. */
  globals?: Record<string, unknown>,
): Promise<void> {
  const older = `definition_id IN (SELECT id FROM crm_wf_definition WHERE process_key = ? AND id <> ?)`;
  await tx.execute(`DELETE FROM crm_wf_job WHERE instance_id IS NULL AND ${older}`, [
    processKey,
    definitionId,
  ]);
  await tx.execute(`DELETE FROM crm_wf_subscription WHERE instance_id IS NULL AND ${older}`, [
    processKey,
    definitionId,
  ]);
  const parsed = await parseBpmn(xml);
  const g = buildGraph(parsed.definitions!, processKey);
  for (const id of g.eventStarts) {
    const node = g.nodes.get(id)!;
    if (node.timer) {
      await insertTimerJob(
        tx,
        guarded(id, () =>
          planTimer(
            node.timer!.kind,
            String(
              attr(node.timer!.expression, {}, id, {
                clock: { now: () => now },
                timeZone,
                globals,
              }),
            ),
            now,
            timeZone,
          ),
        ),
        {
          definitionId,
          instanceId: null,
          executionId: null,
          elementId: id,
          now: toDbTimestamp(now),
        },
      );
    } else if (node.message) {
      await tx.execute(
        'INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at) VALUES (?, NULL, NULL, ?, ?, NULL, ?)',
        [
          definitionId,
          id,
          guarded(id, () => String(attr(node.message!.name, {}, id, { globals }))),
          toDbTimestamp(now),
        ],
      );
    } else if (node.signal) {
      await tx.execute(
        `INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at, kind) VALUES (?, NULL, NULL, ?, ?, NULL, ?, 'signal')`,
        [
          definitionId,
          id,
          guarded(id, () => String(attr(node.signal!.name, {}, id, { globals }))),
          toDbTimestamp(now),
        ],
      );
    }
  }
}
