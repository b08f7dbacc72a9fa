import { CrmError, ErrorCode, type SqlParam, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import { type EngineCore } from './engine-core';
import { checkVariables } from './variables';

/** Incidents: listing them and retrying (a failed job runs again, any other element re-runs). */
export class IncidentOps {
  constructor(private readonly core: EngineCore) {}

  async incidents(filter: {
    state?: string;
    instanceId?: number;
  }): Promise<Array<Record<string, unknown>>> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    where.push('state = ?');
    params.push(filter.state ?? 'open');
    if (filter.instanceId) {
      where.push('instance_id = ?');
      params.push(filter.instanceId);
    }
    const rows = await this.core.db.query<Record<string, unknown>>(
      `SELECT * FROM crm_wf_incident WHERE ${where.join(' AND ')} ORDER BY id LIMIT 500`,
      params,
    );
    return rows.map((r) => this.toIncident(r));
  }

  private toIncident(r: Record<string, unknown>): Record<string, unknown> {
    return {
      id: Number(r.id),
      instanceId: Number(r.instance_id),
      elementId: r.element_id ?? null,
      jobId: r.job_id === null ? null : Number(r.job_id),
      kind: r.kind,
      message: r.message,
      state: r.state,
      createdAt: fromDbTimestamp(r.created_at),
      resolvedAt: fromDbTimestamp(r.resolved_at),
      resolvedBy: r.resolved_by ?? null,
    };
  }

  /**
   * Retries an incident: a failed job gets its retries back and runs again; any other incident
   * re-runs its element (after the admin fixed the variables it failed on, if given).
   */
  async retryIncident(
    id: number,
    body: { retries?: number; variables?: Record<string, unknown> },
    actor: string,
  ): Promise<Record<string, unknown>> {
    checkVariables(body.variables, '/variables', this.core.settings.maxVariablesBytes);
    await this.core.step(actor, async (ctx) => {
      const [inc] = await ctx.tx.query<Record<string, unknown>>(
        'SELECT * FROM crm_wf_incident WHERE id = ?',
        [id],
      );
      if (!inc)
        throw new CrmError(ErrorCode.IncidentNotFound, `incident ${id} not found`, [
          { path: 'id', message: 'not found' },
        ]);
      const step = await ctx.load(Number(inc.instance_id));
      const [fresh] = await ctx.tx.query<{ state: string }>(
        'SELECT state FROM crm_wf_incident WHERE id = ?',
        [id],
      );
      if (fresh.state !== 'open')
        throw new CrmError(ErrorCode.IncidentResolved, `incident ${id} is already resolved`, [
          { path: 'id', message: 'resolved' },
        ]);
      await ctx.tx.execute(
        `UPDATE crm_wf_incident SET state = 'resolved', resolved_at = ?, resolved_by = ? WHERE id = ?`,
        [toDbTimestamp(this.core.clock.now()), actor, id],
      );
      step.openIncidents--;
      const exec = step.execs.get(Number(inc.execution_id));
      if (body.variables) step.setVars(exec ?? null, body.variables);
      if (!exec) return;
      step.hist(exec.elementId, step.node(exec.elementId).type, 'retry');
      if (inc.job_id !== null) {
        await ctx.tx.execute(
          `UPDATE crm_wf_job SET state = 'ready', retries = ?, due_at = ?, lock_owner = NULL, lock_expires_at = NULL WHERE id = ?`,
          [body.retries ?? 1, toDbTimestamp(this.core.clock.now()), Number(inc.job_id)],
        );
        exec.state = 'waiting';
        return;
      }
      exec.state = 'ready';
      await step.drain([exec]);
    });
    const [r] = await this.core.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_incident WHERE id = ?',
      [id],
    );
    return this.toIncident(r);
  }
}
