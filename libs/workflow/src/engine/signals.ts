import { CrmError, ErrorCode } from '@crm/common';
import { trigger } from './behaviors/events';
import { INSTANCE_CONFLICT } from './instance-view';
import { keepsListening } from './messages';
import type { StepContext } from './step-context';

/**
 * Signals, as Zeebe broadcasts them: by name only, to every waiting signal catch (intermediate,
 * boundary, event subprocess start) of every instance, and a new instance of every process whose
 * signal start event has that name. A signal that reaches nobody is not an error. Thrown by an API
 * call or by a signal throw / end event, inside the step that throws it.
 */
export interface SignalResult {
  /** Instances whose waiting catch events received it. */
  triggered: number[];
  /** Instances it started. */
  started: number[];
}

export async function broadcastSignal(
  ctx: StepContext,
  name: string,
  variables: Record<string, unknown>,
): Promise<SignalResult> {
  const tx = ctx.tx;
  const out: SignalResult = { triggered: [], started: [] };
  const subs = await tx.query<Record<string, unknown>>(
    `SELECT id, instance_id, execution_id, element_id FROM crm_wf_subscription WHERE message_name = ? AND kind = 'signal' AND instance_id IS NOT NULL ORDER BY id`,
    [name],
  );
  for (const sub of subs) {
    const step = await ctx.load(Number(sub.instance_id));
    if (step.ended) continue;
    const [still] = await tx.query<{ id: number }>(
      'SELECT id FROM crm_wf_subscription WHERE id = ?',
      [Number(sub.id)],
    );
    // gone meanwhile: an earlier catch of this same broadcast moved the token on (an event-based
    // gateway's other branch, an interrupting catch that cancelled its scope)
    if (!still) continue;
    const exec = step.execs.get(Number(sub.execution_id));
    if (!exec) throw new CrmError(ErrorCode.TaskConflict, INSTANCE_CONFLICT, []);
    const node = step.node(String(sub.element_id));
    if (!keepsListening(node))
      await tx.execute('DELETE FROM crm_wf_subscription WHERE id = ?', [Number(sub.id)]);
    step.hist(node.id, node.type, 'signal', { name });
    await trigger(step, exec, node.id, { ...variables });
    if (!out.triggered.includes(step.id)) out.triggered.push(step.id);
  }
  const starts = await tx.query<Record<string, unknown>>(
    `SELECT s.element_id, d.id AS definition_id, d.process_key, d.version FROM crm_wf_subscription s JOIN crm_wf_definition d ON d.id = s.definition_id WHERE s.message_name = ? AND s.kind = 'signal' AND s.instance_id IS NULL ORDER BY s.id`,
    [name],
  );
  for (const start of starts) {
    const step = await ctx.startInstance({
      definitionId: Number(start.definition_id),
      processKey: String(start.process_key),
      version: Number(start.version),
      variables: { ...variables },
      startNode: String(start.element_id),
    });
    out.started.push(step.id);
  }
  return out;
}
