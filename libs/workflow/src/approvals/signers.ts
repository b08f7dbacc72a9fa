import { CrmError, ErrorCode } from '@crm/common';
import { addInnerInstance } from '../engine/behaviors/multi-instance';
import type { InstanceStep } from '../engine/step';
import type { ActionContext } from './actions';
import { insertTask, reassign, suspendTask } from './task-rows';

/**
 * Handing work on: 委托 delegate (the delegate gives an opinion, the task comes back), 转交
 * transfer (it is theirs now), 加签 add signer (before / after / alongside me) and 抄送 CC.
 */

const notSelf = (c: ActionContext): void => {
  const clash = c.input.userIds.filter((u) => u === c.actor || u === c.task.assignee);
  if (clash.length)
    throw new CrmError(ErrorCode.BadRequest, `${clash.join(', ')} already hold this task`, [
      { path: '/userIds', message: `${clash.join(', ')} already hold this task` },
    ]);
};

export async function delegateTask(c: ActionContext): Promise<void> {
  notSelf(c);
  const { s, task, node, input, actor } = c;
  const to = input.userIds[0];
  // delegating a delegated task keeps whom it returns to
  await reassign(s.tx, task, to, task.owner ?? actor);
  s.hist(node.id, node.type, 'delegate', { ...c.detail, to });
  await c.core.notifier.notify(s.tx, {
    kind: 'assignment',
    to: [to],
    instanceId: s.id,
    taskId: task.id,
    actor,
    comment: input.comment,
    data: { taskName: task.name, delegatedBy: actor },
  });
}

export async function transferTask(c: ActionContext): Promise<void> {
  notSelf(c);
  const { s, task, node, input, actor } = c;
  const to = input.userIds[0];
  await reassign(s.tx, task, to, null);
  s.hist(node.id, node.type, 'transfer', { ...c.detail, to });
  await c.core.notifier.notify(s.tx, {
    kind: 'assignment',
    to: [to],
    instanceId: s.id,
    taskId: task.id,
    actor,
    comment: input.comment,
    data: { taskName: task.name, transferredBy: actor },
  });
}

/**
 * before: the signers decide first (all of them), then the task is back with me; after: they
 * approve after me (opened when I approve); alongside: they join the node's signers — another
 * inner instance of a multi-instance node, or a parallel task next to mine.
 */
export async function addSigners(c: ActionContext): Promise<void> {
  notSelf(c);
  const { s, task, exec, node, input, actor } = c;
  const position = input.position!;
  // a candidate adding signers takes the task: it must come back to someone
  if (!task.assignee) await reassign(s.tx, task, actor, task.owner);
  const created: number[] = [];
  if (position === 'alongside' && node.loop && s.isInner(exec)) {
    const body = s.parent(exec)!;
    for (const u of input.userIds) await addInnerInstance(s, body, node, u);
  } else {
    const kind = position === 'alongside' ? 'along' : position;
    for (const u of input.userIds)
      created.push(
        await insertTask(s, exec, {
          elementId: node.id,
          name: task.name,
          assignee: u,
          kind,
          parentTaskId: task.id,
          state: position === 'after' ? 'pending' : 'created',
        }),
      );
    if (position === 'before') await suspendTask(s, task);
  }
  s.hist(node.id, node.type, 'addSigner', { ...c.detail, position, userIds: input.userIds });
  if (position !== 'after')
    await c.core.notifier.notify(s.tx, {
      kind: 'assignment',
      to: input.userIds,
      instanceId: s.id,
      taskId: created[0] ?? null,
      actor,
      comment: input.comment,
      data: { taskName: task.name, addedBy: actor },
    });
}

/** CC: the users see the instance and its record read-only, and are told. */
export async function ccUsers(
  s: InstanceStep,
  logins: string[],
  elementId: string | null,
  detail: Record<string, unknown>,
  comment: string | null = null,
): Promise<void> {
  const actor = s.ctx.actor;
  const fresh = await newCc(s, logins);
  for (const login of fresh)
    await s.tx.execute(
      'INSERT INTO crm_wf_cc (instance_id, login, element_id, cc_by, created_at) VALUES (?, ?, ?, ?, ?)',
      [s.id, login, elementId, actor, s.now()],
    );
  s.hist(elementId, elementId ? s.node(elementId).type : 'Process', 'cc', {
    ...detail,
    userIds: logins,
  });
  if (fresh.length)
    await s.deps.notifier.notify(s.tx, {
      kind: 'cc',
      to: fresh,
      instanceId: s.id,
      actor,
      comment,
      data: { processName: s.graph.id },
    });
}

/** The logins not yet CC'd on the instance. */
async function newCc(s: InstanceStep, logins: string[]): Promise<string[]> {
  if (!logins.length) return [];
  const rows = await s.tx.query<{ login: string }>(
    `SELECT login FROM crm_wf_cc WHERE instance_id = ? AND login IN (${logins.map(() => '?').join(', ')})`,
    [s.id, ...logins],
  );
  const have = new Set(rows.map((r) => String(r.login)));
  return [...new Set(logins)].filter((l) => !have.has(l));
}
