import { CrmError, type Db, ErrorCode, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import type { EngineCore } from '../engine/engine-core';
import type { InstanceView } from '../engine/instance-view';
import type { InstanceStep } from '../engine/step';
import type { WorkflowViewer } from '../engine/visibility';
import { modifyInstance, parseModifyInput } from './modify';
import { processApprovalSettings } from './settings';
import { type TaskRow, actorsOf } from './task-rows';

/** 催办 at most this often per instance. */
export const REMIND_INTERVAL_MS = 60 * 60 * 1000;

/** History events that mean an approver has acted (withdrawal is over then). */
const APPROVER_ACTIONS = [
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'complete',
];

/** What the initiator and admins do to a whole approval: withdraw, remind, modify. */
export class InstanceApprovalOps {
  constructor(private readonly core: EngineCore) {}

  /**
   * 撤回: the initiator takes the submission back while no approver has acted (or never, per
   * process). The instance ends `cancelled` with outcome `withdrawn`; its record is released.
   */
  async withdraw(
    instanceId: number,
    body: { comment?: unknown },
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<InstanceView> {
    const comment = typeof body?.comment === 'string' ? body.comment.slice(0, 2000) : null;
    if (viewer) await this.core.assertSees(this.core.db, instanceId, viewer);
    const s = await this.core.step(actor, async (ctx) => {
      const s = await ctx.load(instanceId);
      if (viewer && s.row.started_by !== viewer.login)
        throw viewer.deny(
          'withdraw',
          'Workflow',
          `only the initiator (${String(s.row.started_by)}) withdraws instance ${instanceId}`,
        );
      s.assertActive();
      if (processApprovalSettings(s.graph.properties).withdraw === 'never')
        throw refuse(instanceId, `process ${s.graph.id} does not allow withdrawal`);
      const acted = await this.firstApproverAction(ctx.tx, s);
      if (acted)
        throw refuse(
          instanceId,
          `${acted.actor} already acted (${acted.event} at ${acted.at}); ask them to return it instead`,
        );
      const open = await this.openTasks(ctx.tx, s.id);
      s.hist(null, 'Process', 'withdraw', comment ? { comment } : undefined);
      s.outcome = 'withdrawn';
      await s.cancelAll('cancelled');
      const told = new Set<string>();
      for (const t of open) for (const u of await actorsOf(ctx.tx, t)) told.add(u);
      await this.core.notifier.notify(ctx.tx, {
        kind: 'outcome',
        to: [...told],
        instanceId,
        actor,
        comment,
        data: { outcome: 'withdrawn', processName: s.graph.id },
      });
      return s;
    });
    return s.view();
  }

  /** 催办: tells the current approvers; at most once an hour per instance (429 with the wait). */
  async remind(
    instanceId: number,
    body: { comment?: unknown },
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<{ reminded: string[]; nextAllowedAt: string }> {
    const comment = typeof body?.comment === 'string' ? body.comment.slice(0, 2000) : null;
    if (viewer) await this.core.assertSees(this.core.db, instanceId, viewer);
    return this.core.step(actor, async (ctx) => {
      const s = await ctx.load(instanceId);
      if (viewer && s.row.started_by !== viewer.login && !viewer.worksAll)
        throw viewer.deny(
          'remind',
          'Workflow',
          'only the initiator or an operator sends reminders',
        );
      s.assertActive();
      const now = this.core.clock.now().getTime();
      const last = s.row.last_reminded_at
        ? Date.parse(fromDbTimestamp(s.row.last_reminded_at)!)
        : 0;
      const wait = last + REMIND_INTERVAL_MS - now;
      if (wait > 0) {
        const minutes = Math.ceil(wait / 60_000);
        throw new CrmError(
          ErrorCode.RateLimited,
          `instance ${instanceId} was reminded less than an hour ago; try again in ${minutes} min`,
          [{ path: 'id', message: `retry after ${Math.ceil(wait / 1000)} s` }],
          { retryAfterSeconds: Math.ceil(wait / 1000) },
        );
      }
      const to = new Set<string>();
      const open = await this.openTasks(ctx.tx, s.id);
      for (const t of open) for (const u of await actorsOf(ctx.tx, t)) to.add(u);
      await ctx.tx.execute('UPDATE crm_wf_instance SET last_reminded_at = ? WHERE id = ?', [
        toDbTimestamp(new Date(now)),
        instanceId,
      ]);
      s.row.last_reminded_at = toDbTimestamp(new Date(now));
      s.hist(null, 'Process', 'remind', { to: [...to], ...(comment && { comment }) });
      await this.core.notifier.notify(ctx.tx, {
        kind: 'reminder',
        to: [...to],
        instanceId,
        taskId: open[0]?.id ?? null,
        actor,
        comment,
        data: { processName: s.graph.id, taskName: open[0]?.name ?? null },
      });
      return {
        reminded: [...to],
        nextAllowedAt: new Date(now + REMIND_INTERVAL_MS).toISOString(),
      };
    });
  }

  /** Admin instance modification: cancel element instances, start before elements (audited). */
  async modify(
    instanceId: number,
    body: unknown,
    actor: string,
    viewer?: WorkflowViewer,
  ): Promise<InstanceView> {
    const input = parseModifyInput(body);
    if (viewer) {
      await this.core.assertSees(this.core.db, instanceId, viewer);
      if (!viewer.worksAll)
        throw viewer.deny('modify', 'Workflow', 'modifying an instance needs operate on Workflow');
    }
    const s = await this.core.step(actor, async (ctx) => {
      const s = await ctx.load(instanceId);
      await modifyInstance(s, input);
      await ctx.tx.execute(
        'INSERT INTO crm_audit (at, actor, action, subject, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
        [
          toDbTimestamp(this.core.clock.now()),
          actor,
          'workflow.modify',
          `instance ${instanceId}`,
          'ok',
          JSON.stringify({
            cancel: input.cancel,
            startBefore: input.startBefore.map((x) => x.elementId),
          }),
        ],
      );
      await s.drain();
      return s;
    });
    return s.view();
  }

  /**
   * The record an instance is about, for whoever sees the instance — the CC'd included, even
   * where their role could not read the record (抄送 is read-only access to exactly this).
   */
  async record(
    instanceId: number,
    viewer?: WorkflowViewer,
  ): Promise<{ entity: string; id: number; data: Record<string, unknown> | null }> {
    if (viewer) await this.core.assertSees(this.core.db, instanceId, viewer);
    const [row] = await this.core.db.query<{
      record_entity: string | null;
      record_id: number | null;
    }>('SELECT record_entity, record_id FROM crm_wf_instance WHERE id = ?', [instanceId]);
    if (!row?.record_entity || row.record_id === null)
      throw new CrmError(ErrorCode.RecordNotFound, `instance ${instanceId} is about no record`, [
        { path: 'id', message: 'no record' },
      ]);
    const data = await this.core.deps.readRecord(
      this.core.db,
      row.record_entity,
      Number(row.record_id),
    );
    return { entity: row.record_entity, id: Number(row.record_id), data };
  }

  private async openTasks(tx: Db, instanceId: number): Promise<TaskRow[]> {
    return tx.query<TaskRow>(
      `SELECT * FROM crm_wf_task WHERE instance_id = ? AND state = 'created'`,
      [instanceId],
    );
  }

  /** The first thing someone other than the initiator did to the approval, if anything. */
  private async firstApproverAction(
    tx: Db,
    s: InstanceStep,
  ): Promise<{ actor: string; event: string; at: string } | null> {
    const [r] = await tx.query<{ actor: string; event: string; at: string }>(
      `SELECT actor, event, at FROM crm_wf_history WHERE instance_id = ? AND element_type = 'UserTask' AND event IN (${APPROVER_ACTIONS.map(() => '?').join(', ')}) ORDER BY id LIMIT 1`,
      [s.id, ...APPROVER_ACTIONS],
    );
    return r
      ? { actor: String(r.actor), event: String(r.event), at: fromDbTimestamp(r.at) ?? '' }
      : null;
  }
}

const refuse = (instanceId: number, why: string) =>
  new CrmError(ErrorCode.WithdrawNotAllowed, `instance ${instanceId} cannot be withdrawn: ${why}`, [
    { path: 'id', message: why },
  ]);
