import { CrmError, type Db, ErrorCode } from '@crm/common';
import type { RecordWriteEvent } from '@crm/records';
import type { GraphNode, ProcessGraph } from '../engine/process-graph';
import type { InstanceStep } from '../engine/step';

/**
 * What an instance does to the record it is about, from the process's zeebe:properties
 * (approval-model.md, "Process level"): whether the record is locked while it runs, and which
 * fields get the outcome, the decider and the time when it ends.
 */
export interface RecordSettings {
  /** `lockRecord` (default true): the record refuses user edits while the instance runs. */
  lockRecord: boolean;
  /** `outcome.field`: the field that gets the outcome's value. */
  outcomeField?: string;
  /** `outcome.<outcome>`: the value written for each outcome (approved, rejected, withdrawn...). */
  outcomeValues: Record<string, string>;
  /** `outcome.decidedBy` / `outcome.decidedAt`: fields for the last decider and the time. */
  decidedBy?: string;
  decidedAt?: string;
}

const OUTCOME_PREFIX = 'outcome.';
/** Outcomes that are no decision: they put the record back rather than stamp a decider on it. */
const UNDECIDED = new Set(['withdrawn', 'cancelled']);

export function recordSettings(graph: Pick<ProcessGraph, 'properties'>): RecordSettings {
  const p = graph.properties;
  const outcomeValues = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(p))
    if (k.startsWith(OUTCOME_PREFIX)) {
      const name = k.slice(OUTCOME_PREFIX.length);
      if (!['field', 'decidedBy', 'decidedAt'].includes(name)) outcomeValues[name] = v;
    }
  const text = (k: string) => (p[k]?.trim() ? p[k].trim() : undefined);
  return {
    lockRecord: (p.lockRecord ?? 'true').trim().toLowerCase() !== 'false',
    outcomeField: text('outcome.field'),
    outcomeValues,
    decidedBy: text('outcome.decidedBy'),
    decidedAt: text('outcome.decidedAt'),
  };
}

/** An outcome as crm_wf_instance.outcome stores it (16 characters). */
const OUTCOME_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,15}$/;

/**
 * Deploy-time problems of the CRM's zeebe:properties: on the process (`lockRecord`, `outcome.*`)
 * or on an end event (`outcome`). A diagram that would fail when an instance ends is refused
 * where it is written.
 */
export function propertyProblems(
  properties: Record<string, string>,
  on: 'process' | 'endEvent',
): string[] {
  const out: string[] = [];
  const name = (v: string, what: string) => {
    if (!OUTCOME_NAME.test(v))
      out.push(
        `${what} "${v}" is not an outcome name (a letter, then up to 15 letters, digits, _ or -)`,
      );
  };
  if (on === 'endEvent') {
    if (properties.outcome !== undefined) name(properties.outcome.trim(), 'property outcome');
    return out;
  }
  const lock = properties.lockRecord;
  if (lock !== undefined && !['true', 'false'].includes(lock.trim().toLowerCase()))
    out.push(`property lockRecord is true or false, not "${lock}"`);
  for (const k of Object.keys(properties))
    if (k.startsWith(OUTCOME_PREFIX)) {
      const rest = k.slice(OUTCOME_PREFIX.length);
      if (['field', 'decidedBy', 'decidedAt'].includes(rest)) {
        if (!properties[k].trim()) out.push(`property ${k} names no field`);
      } else name(rest, `property ${k}: outcome`);
    }
  return out;
}

/** An end event with a zeebe:properties `outcome` (approved, rejected...) says how the instance ended. */
export function reachedEnd(step: InstanceStep, node: GraphNode): void {
  const outcome = node.properties?.outcome?.trim();
  if (outcome) step.outcome = outcome;
}

/**
 * The outcome of an ending instance, when nobody set one: an end event's `outcome` property sets
 * it as the token arrives (behaviors/events.ts); a normal completion of a record-bound process
 * counts as approved, and a cancel as cancelled — only where the process says which field tells
 * (`outcome.field`), so plain processes keep a null outcome.
 */
export function defaultOutcome(
  state: 'completed' | 'terminated' | 'cancelled',
  current: string | null,
  boundToRecord: boolean,
  settings: RecordSettings,
): string | null {
  if (current !== null || !boundToRecord || !settings.outcomeField) return current;
  if (state === 'completed') return 'approved';
  if (state === 'cancelled') return 'cancelled';
  return null;
}

/**
 * The changes an ending instance writes into its record: on a cancel or withdrawal the values its
 * tasks replaced (record_restore), then the outcome's value; on a decision the decider and the
 * time. Pure: `decidedAt` comes formatted for the field.
 */
export function settlementChanges(
  state: 'completed' | 'terminated' | 'cancelled',
  outcome: string | null,
  settings: RecordSettings,
  restore: Record<string, unknown>,
  decider: string,
  decidedAt: string,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  if (state === 'cancelled' && (outcome === null || UNDECIDED.has(outcome)))
    Object.assign(changes, restore);
  if (outcome === null) return changes;
  if (settings.outcomeField && Object.hasOwn(settings.outcomeValues, outcome))
    changes[settings.outcomeField] = settings.outcomeValues[outcome];
  if (!UNDECIDED.has(outcome)) {
    if (settings.decidedBy) changes[settings.decidedBy] = decider;
    if (settings.decidedAt) changes[settings.decidedAt] = decidedAt;
  }
  return changes;
}

/** `now` as a date field (the company's calendar day) or a datetime field (ISO instant) holds it. */
export function timestampFor(fieldType: string | undefined, now: Date, timeZone: string): string {
  if (fieldType !== 'date') return now.toISOString();
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/**
 * Called once by InstanceStep.end(): settles the outcome and writes it — or, on a cancel or
 * withdrawal, the record's pre-approval values — into the bound record, in the transaction of the
 * final step. An engine write: it passes the record lock and goes through the entity's full
 * validation; a refused write fails the step with the reason (nothing of it commits).
 */
export async function settleRecord(
  step: InstanceStep,
  state: 'completed' | 'terminated' | 'cancelled',
): Promise<void> {
  const ref = step.recordRef;
  const settings = recordSettings(step.graph);
  step.outcome = defaultOutcome(state, step.outcome, ref !== null, settings);
  const records = step.deps.records;
  if (!ref || !records) return;
  const restore = state === 'cancelled' ? await storedRestore(step.tx, step.id) : {};
  const now = step.deps.now();
  const fieldType = settings.decidedAt
    ? records.entity(ref.entity).fields[settings.decidedAt]?.type
    : undefined;
  const changes = settlementChanges(
    state,
    step.outcome,
    settings,
    restore,
    step.ctx.actor,
    timestampFor(fieldType, now, step.deps.settings.timeZone),
  );
  if (!Object.keys(changes).length) return;
  try {
    await records.patchIn(step.tx, ref.entity, ref.id, changes, step.ctx.actor, {
      instanceId: step.id,
      depth: step.ctx.triggerDepth,
    });
  } catch (e) {
    if (!(e instanceof CrmError)) throw e;
    // a record deleted meanwhile (a process that does not lock it) has nothing to settle
    if (e.code === ErrorCode.RecordNotFound) return;
    throw new CrmError(
      e.code,
      `instance ${step.id} (${step.row.process_key}) ended ${step.outcome ?? state} but could not write ${Object.keys(changes).join(', ')} into ${ref.entity} ${ref.id}: ${e.message}`,
      e.errors,
      e.extra,
    );
  }
}

/** The values the instance's tasks replaced, as stored (read under the step's instance lock). */
async function storedRestore(tx: Db, instanceId: number): Promise<Record<string, unknown>> {
  const [row] = await tx.query<{ record_restore: string | null }>(
    'SELECT record_restore FROM crm_wf_instance WHERE id = ?',
    [instanceId],
  );
  return row?.record_restore ? (JSON.parse(row.record_restore) as Record<string, unknown>) : {};
}

/**
 * A built-in task of an instance wrote the instance's own record: the first time it writes a
 * field, the field's previous value is kept in crm_wf_instance.record_restore, so a cancel or
 * withdrawal can put the record back as it was before the approval (the quote back to draft).
 */
export async function rememberReplacedValues(tx: Db, event: RecordWriteEvent): Promise<void> {
  const origin = event.actor.engine;
  if (!origin?.task || origin.instanceId === null || event.kind !== 'update' || !event.old) return;
  const [row] = await tx.query<{
    record_entity: string | null;
    record_id: number | null;
    record_restore: string | null;
  }>('SELECT record_entity, record_id, record_restore FROM crm_wf_instance WHERE id = ?', [
    origin.instanceId,
  ]);
  if (!row || row.record_entity !== event.entity.name || Number(row.record_id) !== event.id) return;
  const restore = row.record_restore
    ? (JSON.parse(row.record_restore) as Record<string, unknown>)
    : {};
  let added = false;
  for (const f of event.fields) {
    if (Object.hasOwn(restore, f)) continue;
    restore[f] = event.old[f] ?? null;
    added = true;
  }
  if (added)
    await tx.execute('UPDATE crm_wf_instance SET record_restore = ? WHERE id = ?', [
      JSON.stringify(restore),
      origin.instanceId,
    ]);
}

/**
 * The initiator hears how their submission was decided (approved, rejected...; a withdrawal is
 * their own doing and a cancel is told by whoever cancelled). In the final step's transaction.
 */
export async function tellOutcome(step: InstanceStep): Promise<void> {
  const to = step.row.started_by;
  if (!to || !step.outcome || UNDECIDED.has(step.outcome) || to === step.ctx.actor) return;
  await step.deps.notifier.notify(step.tx, {
    kind: 'outcome',
    to: [to],
    instanceId: step.id,
    actor: step.ctx.actor,
    data: { outcome: step.outcome, processName: step.graph.id },
  });
}
