import { type Db, toDbTimestamp } from '@crm/common';
import { parseBpmn } from '../bpmn-model';
import { buildGraph } from './process-graph';
import { insertTimerJob } from './step';
import { planTimer } from './timers';

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
      // start timers have no instance to evaluate FEEL against: literal specs only
      const spec = node.timer.expression.replace(/^=\s*"?|"$/g, '');
      await insertTimerJob(tx, planTimer(node.timer.kind, spec, now, timeZone), {
        definitionId,
        instanceId: null,
        executionId: null,
        elementId: id,
        now: toDbTimestamp(now),
      });
    } else if (node.message) {
      await tx.execute(
        'INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at) VALUES (?, NULL, NULL, ?, ?, NULL, ?)',
        [definitionId, id, node.message.name.replace(/^=\s*"?|"$/g, ''), toDbTimestamp(now)],
      );
    }
  }
}
