import { CrmError, ErrorCode, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import type { Assignment } from '../../approvals/approvers';
import { candidateRows, insertCandidates } from '../task-candidates';
import type { Exec, InstanceStep } from '../step';
import type { GraphNode } from '../process-graph';
import { priorityOf, taskPriority } from '../task-priority';

/**
 * What a user task listener's job completes with besides variables — Camunda 8.8's job result
 * (`POST /v2/jobs/{key}/completion` body `result: { type: "userTask", denied, deniedReason,
 * corrections }`):
 *
 * - `denied: true` on a `completing` listener rejects the completion: the task stays open as it
 *   was (assignee, candidates), the completion's variables are not applied, the reason is a
 *   history row (`task-denied`). Later listeners of that completion do not run.
 * - `corrections` change the task: `assignee` ("" clears it), `dueDate` (ISO 8601, "" clears it),
 *   `candidateUsers` / `candidateGroups` ([] clears them), `priority` (an integer 0..100). A null or missing attribute keeps its
 *   value, as Camunda documents. A `creating` listener's corrections apply when the task is
 *   created (after its last creating listener); the `completing` listeners' apply once the last
 *   one is done (a denial drops them all: the task stays as it was before the completion).
 * - `followUpDate` is refused (400): tasks have none, and ignoring it would be a silent
 *   difference from Zeebe.
 */
export interface TaskCorrections {
  assignee?: string;
  dueDate?: string;
  candidateUsers?: string[];
  candidateGroups?: string[];
  priority?: number;
}

export interface TaskListenerResult {
  denied: boolean;
  deniedReason: string | null;
  corrections: TaskCorrections;
}

const bad = (path: string, message: string) =>
  new CrmError(ErrorCode.BadRequest, message, [{ path, message }]);

const CORRECTABLE = ['assignee', 'dueDate', 'candidateUsers', 'candidateGroups', 'priority'];
/** Camunda's correctable attributes this engine has no place for. */
const UNSUPPORTED = ['followUpDate'];

/** Names stored comma-joined in 500-character columns (crm_wf_task.candidate_*). */
function names(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw bad(path, 'must be a list of strings');
  v.forEach((n, i) => {
    if (typeof n !== 'string' || !n.trim() || n.includes(','))
      throw bad(`${path}/${i}`, 'must be a non-empty name without a comma');
  });
  const out = [...new Set((v as string[]).map((n) => n.trim()))];
  if (out.join(',').length > 500) throw bad(path, 'longer than 500 characters joined');
  return out;
}

/**
 * Reads a job completion's `result` (pure; null when absent). Bad shapes are 400s with a JSON
 * pointer into the body, before anything moves.
 */
export function parseTaskListenerResult(raw: unknown): TaskListenerResult | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('/result', 'must be an object');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r))
    if (!['type', 'denied', 'deniedReason', 'corrections'].includes(k))
      throw bad(
        `/result/${k}`,
        'not a job result attribute (type, denied, deniedReason, corrections)',
      );
  if (r.type !== undefined && r.type !== 'userTask')
    throw bad('/result/type', 'the only job result type is "userTask"');
  if (r.denied !== undefined && r.denied !== null && typeof r.denied !== 'boolean')
    throw bad('/result/denied', 'must be a boolean');
  if (r.deniedReason !== undefined && r.deniedReason !== null) {
    if (typeof r.deniedReason !== 'string') throw bad('/result/deniedReason', 'must be a string');
    if (r.deniedReason.length > 2000)
      throw bad('/result/deniedReason', 'longer than 2000 characters');
  }
  const corrections: TaskCorrections = {};
  const c = r.corrections;
  if (c !== undefined && c !== null) {
    if (typeof c !== 'object' || Array.isArray(c))
      throw bad('/result/corrections', 'must be an object');
    for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
      const at = `/result/corrections/${k}`;
      if (v === null || v === undefined) continue; // null keeps the task's value (Camunda)
      if (UNSUPPORTED.includes(k))
        throw bad(at, `${k} cannot be corrected here: tasks have no ${k}`);
      if (!CORRECTABLE.includes(k)) throw bad(at, `not correctable (${CORRECTABLE.join(', ')})`);
      if (k === 'assignee') {
        if (typeof v !== 'string' || v.length > 64)
          throw bad(at, 'must be a login of at most 64 characters ("" clears it)');
        corrections.assignee = v.trim();
      } else if (k === 'dueDate') {
        if (typeof v !== 'string' || (v !== '' && Number.isNaN(Date.parse(v))))
          throw bad(at, 'must be an ISO 8601 date-time ("" clears it)');
        corrections.dueDate = v;
      } else if (k === 'priority') {
        if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 100)
          throw bad(at, 'must be an integer from 0 to 100');
        corrections.priority = v as number;
      } else corrections[k as 'candidateUsers' | 'candidateGroups'] = names(v, at);
    }
  }
  const denied = r.denied === true;
  return {
    denied,
    deniedReason: denied ? ((r.deniedReason as string | null | undefined) ?? null) : null,
    corrections,
  };
}

/** Two correction sets, the later one winning attribute by attribute (creating listeners). */
export const mergeCorrections = (a: TaskCorrections, b: TaskCorrections): TaskCorrections => ({
  ...a,
  ...b,
});

/** An assignment with a creating listener's corrections over it (pure). */
export function correctAssignment(a: Assignment, c: TaskCorrections): Assignment {
  return {
    assignee: c.assignee !== undefined ? c.assignee || null : a.assignee,
    users: c.candidateUsers ?? a.users,
    groups: c.candidateGroups ?? a.groups,
  };
}

/** A due date correction as the column holds it ("" = none). */
export const dueColumn = (d: string): string | null => (d ? toDbTimestamp(new Date(d)) : null);

/** The task a `completing` listener runs for: the token's latest completed task. */
async function completingTask(
  s: InstanceStep,
  exec: Exec,
): Promise<Record<string, unknown> | undefined> {
  const [t] = await s.tx.query<Record<string, unknown>>(
    `SELECT * FROM crm_wf_task WHERE execution_id = ? AND element_id = ? AND state = 'completed' ORDER BY id DESC LIMIT 1`,
    [await s.idOf(exec), exec.elementId],
  );
  return t;
}

/** The completing listeners' corrections, applied to the task once the last one is done. */
export async function correctCompletingTask(
  s: InstanceStep,
  exec: Exec,
  c: TaskCorrections,
): Promise<void> {
  const sets: string[] = [];
  const params: Array<string | number | null> = [];
  const set = (col: string, v: string | number | null) => {
    sets.push(`${col} = ?`);
    params.push(v);
  };
  if (c.assignee !== undefined) set('assignee', c.assignee || null);
  if (c.candidateGroups) set('candidate_groups', c.candidateGroups.join(',') || null);
  if (c.candidateUsers) set('candidate_users', c.candidateUsers.join(',') || null);
  if (c.dueDate !== undefined) set('due_at', dueColumn(c.dueDate));
  if (c.priority !== undefined) set('priority', c.priority);
  if (!sets.length) return;
  const t = await completingTask(s, exec);
  if (!t) return;
  await s.tx.execute(`UPDATE crm_wf_task SET ${sets.join(', ')} WHERE id = ?`, [
    ...params,
    Number(t.id),
  ]);
}

/**
 * A `completing` listener denied the completion: the task is open again as it was (its
 * candidates offered again), the token waits on it, the variables the completion carried are
 * dropped, and history records who denied it and why.
 */
export async function denyCompletion(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  type: string,
  reason: string | null,
): Promise<void> {
  const t = await completingTask(s, exec);
  if (t) {
    await s.tx.execute(
      `UPDATE crm_wf_task SET state = 'created', completed_at = NULL, completed_by = NULL, version = version + 1 WHERE id = ?`,
      [Number(t.id)],
    );
    const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
    await s.tx.execute('DELETE FROM crm_wf_task_candidate WHERE task_id = ?', [Number(t.id)]);
    await insertCandidates(
      s.tx,
      candidateRows(Number(t.id), str(t.assignee), str(t.candidate_groups), str(t.candidate_users)),
    );
  }
  s.hist(node.id, node.type, 'task-denied', {
    type,
    reason,
    taskId: t ? Number(t.id) : null,
  });
  s.park(exec, 'waiting');
}

const list = (v: string[] | null | undefined) => (v?.length ? JSON.stringify(v) : undefined);
const split = (v: unknown): string[] =>
  v
    ? String(v)
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : [];

/**
 * The headers Zeebe gives a user task listener's job about its task: `io.camunda.zeebe:assignee`,
 * `candidateGroups` / `candidateUsers` (JSON lists), `dueDate`, `formKey`, `priority` (as the
 * task is created with it, or has it, earlier listeners' corrections over it) and, once the task exists, `userTaskKey`. A creating listener sees the
 * task as it will be created (the assignment evaluated, earlier listeners' corrections over it);
 * the task row is created after the last one, so it has no key yet.
 */
export async function taskListenerHeaders(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  event: 'creating' | 'completing',
  assignment: () => Assignment,
  /** Earlier listeners' corrections of this creation / completion, not yet on the task row. */
  corrections: TaskCorrections,
): Promise<Record<string, string>> {
  const h: Record<string, string | undefined> = {
    'io.camunda.zeebe:formKey': node.formKey,
  };
  if (event === 'creating') {
    const a = correctAssignment(assignment(), corrections);
    Object.assign(h, {
      'io.camunda.zeebe:priority': String(
        corrections.priority ??
          taskPriority(node.priority, (raw) => s.attr(raw, s.scopeVars(exec), node.id), node.id),
      ),
      'io.camunda.zeebe:assignee': a.assignee ?? undefined,
      'io.camunda.zeebe:candidateGroups': list(a.groups),
      'io.camunda.zeebe:candidateUsers': list(a.users),
      'io.camunda.zeebe:dueDate': corrections.dueDate || undefined,
    });
  } else {
    const t = await completingTask(s, exec);
    if (t) {
      // the task with the corrections earlier completing listeners made (applied at the end)
      const a = correctAssignment(
        {
          assignee: t.assignee ? String(t.assignee) : null,
          users: split(t.candidate_users),
          groups: split(t.candidate_groups),
        },
        corrections,
      );
      const due =
        corrections.dueDate !== undefined ? corrections.dueDate : fromDbTimestamp(t.due_at);
      Object.assign(h, {
        'io.camunda.zeebe:userTaskKey': String(t.id),
        'io.camunda.zeebe:priority': String(corrections.priority ?? priorityOf(t.priority)),
        'io.camunda.zeebe:assignee': a.assignee ?? undefined,
        'io.camunda.zeebe:candidateGroups': list(a.groups),
        'io.camunda.zeebe:candidateUsers': list(a.users),
        'io.camunda.zeebe:dueDate': due || undefined,
      });
    }
  }
  return Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/**
 * A job result only a user task listener may send (Camunda refuses it elsewhere), and only a
 * `completing` listener may deny: a creating listener cannot refuse a task into being (400s).
 */
export function refuseResultFor(
  jobId: number,
  listener: string | null,
  outcome: TaskListenerResult | null,
): void {
  if (!outcome) return;
  if (listener !== 'creating' && listener !== 'completing')
    throw bad(
      '/result',
      `job ${jobId} is not a user task listener job: only those complete with a result`,
    );
  if (outcome.denied && listener !== 'completing')
    throw bad(
      '/result/denied',
      `job ${jobId} is a ${listener} listener: only completing ones deny`,
    );
}
