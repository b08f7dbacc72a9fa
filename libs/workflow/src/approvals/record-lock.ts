import { CrmError, type Db, ErrorCode } from '@crm/common';
import type { GuardedWrite, RecordGuard } from '@crm/records';
import type { EngineCore } from '../engine/engine-core';
import { recordSettings } from './outcome';

/**
 * The engine's record lock. While an active instance bound to a record has `lockRecord` (the
 * default), the record refuses updates and deletes on every path — the records API, bulk, the
 * engine's other callers — except:
 *   - the fields the `editableFields` header of a node with an open task lists, changed by that
 *     task's current assignee or candidate (a group candidate who started the instance is none:
 *     separation of duties, as in visibility.ts);
 *   - every field, for the initiator, while a resubmit task is open (the "return to initiator"
 *     task sits on the process's start event, assigned to the initiator).
 * The engine's own writes (a crm:update-record task, the outcome) never reach this check. Edits
 * that pass it still go through the entity's whole validation: the lock only ever refuses more.
 */

/** One open task of a locking instance, as the lock sees it. */
export interface LockTask {
  elementId: string;
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
  /** The node's `editableFields` header. */
  editableFields: string[];
  /** The task sits on the process's start event: the initiator's resubmission. */
  resubmit: boolean;
}

export interface LockingInstance {
  id: number;
  processKey: string;
  startedBy: string | null;
  tasks: LockTask[];
}

export interface LockAttempt {
  kind: 'update' | 'delete';
  /** Fields the update changes. */
  fields: string[];
  login: string;
  roles: readonly string[];
}

/** Why a write is refused: the instance holding the lock and what the writer may still change. */
export interface LockRefusal {
  instance: LockingInstance;
  /** Fields of the write outside what the writer may change now. */
  blocked: string[];
  /** What the writer may change ('*' = everything). */
  editable: string[];
}

const split = (v: string | null | undefined): string[] =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

/** Is `login` (with `roles`) the current assignee or a candidate of this task? */
export function worksOn(
  task: LockTask,
  login: string,
  roles: readonly string[],
  startedBy: string | null,
): boolean {
  if (task.assignee) return task.assignee === login;
  if (task.candidateUsers.includes(login)) return true;
  return login !== startedBy && task.candidateGroups.some((g) => roles.includes(g));
}

/** The fields `login` may change on a record the instance locks ('*' = every field). */
export function editableBy(instance: LockingInstance, login: string, roles: readonly string[]) {
  const out = new Set<string>();
  for (const t of instance.tasks) {
    if (t.resubmit && t.assignee === login && instance.startedBy === login) return ['*'];
    if (worksOn(t, login, roles, instance.startedBy)) t.editableFields.forEach((f) => out.add(f));
  }
  return [...out].sort();
}

/** The first locking instance that refuses the write, or null when every one allows it. Pure. */
export function lockRefusal(
  instances: readonly LockingInstance[],
  attempt: LockAttempt,
): LockRefusal | null {
  for (const instance of instances) {
    const editable = editableBy(instance, attempt.login, attempt.roles);
    if (attempt.kind === 'delete') return { instance, blocked: [], editable };
    if (editable.includes('*')) continue;
    const blocked = attempt.fields.filter((f) => !editable.includes(f));
    if (blocked.length) return { instance, blocked, editable };
  }
  return null;
}

export function recordLockedError(
  entity: string,
  id: number,
  kind: 'update' | 'delete',
  r: LockRefusal,
): CrmError {
  const who = `${r.instance.processKey} (instance ${r.instance.id})`;
  const open = r.editable.length
    ? `; you may change only ${r.editable.join(', ')} now`
    : kind === 'delete'
      ? ''
      : '; no field of it is yours to change now';
  return new CrmError(
    ErrorCode.RecordLocked,
    `${entity} ${id} is locked while ${who} runs: it cannot be ${kind === 'delete' ? 'deleted' : 'changed'}${open}`,
    kind === 'delete'
      ? [{ path: '', message: `locked by ${who}` }]
      : r.blocked.map((f) => ({ path: `/${f}`, message: `locked by ${who}` })),
    { instanceId: r.instance.id, processKey: r.instance.processKey, editableFields: r.editable },
  );
}

/** The RecordGuard the workflow engine registers with the records service. */
export class RecordLock implements RecordGuard {
  constructor(private readonly core: EngineCore) {}

  async beforeWrite(tx: Db, write: GuardedWrite): Promise<void> {
    const instances = await this.lockingInstances(tx, write.entity.name, write.id);
    if (!instances.length) return;
    const refusal = lockRefusal(instances, {
      kind: write.kind,
      fields: write.fields,
      login: write.actor.id,
      roles: write.actor.roles ?? [],
    });
    if (refusal) throw recordLockedError(write.entity.name, write.id, write.kind, refusal);
  }

  /**
   * The active instances bound to the record that lock it, with their open tasks: one query over
   * ix_crm_wf_instance_record and ix_crm_wf_task_instance (the graphs come from the cache).
   */
  private async lockingInstances(tx: Db, entity: string, id: number): Promise<LockingInstance[]> {
    const rows = await tx.query<{
      id: number;
      definition_id: number;
      process_key: string;
      started_by: string | null;
      element_id: string | null;
      assignee: string | null;
      candidate_users: string | null;
      candidate_groups: string | null;
    }>(
      `SELECT i.id, i.definition_id, i.process_key, i.started_by, t.element_id, t.assignee, t.candidate_users, t.candidate_groups
       FROM crm_wf_instance i LEFT JOIN crm_wf_task t ON t.instance_id = i.id AND t.state = 'created'
       WHERE i.record_entity = ? AND i.record_id = ? AND i.state = 'active' ORDER BY i.id, t.id`,
      [entity, id],
    );
    const byId = new Map<number, LockingInstance>();
    for (const r of rows) {
      const graph = await this.core.graph(tx, Number(r.definition_id), r.process_key);
      if (!recordSettings(graph).lockRecord) continue;
      let inst = byId.get(Number(r.id));
      if (!inst) {
        inst = { id: Number(r.id), processKey: r.process_key, startedBy: r.started_by, tasks: [] };
        byId.set(inst.id, inst);
      }
      if (r.element_id === null) continue;
      const node = graph.nodes.get(r.element_id);
      inst.tasks.push({
        elementId: r.element_id,
        assignee: r.assignee,
        candidateUsers: split(r.candidate_users),
        candidateGroups: split(r.candidate_groups),
        editableFields: split(node?.headers.editableFields),
        resubmit: node?.type === 'StartEvent',
      });
    }
    return [...byId.values()];
  }
}
