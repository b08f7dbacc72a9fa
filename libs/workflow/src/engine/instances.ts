import { CrmError, type Db, ErrorCode, type SqlParam, fromDbTimestamp, q } from '@crm/common';
import { type InstanceView, instanceView } from './instance-view';
import { type DefinitionRef, type EngineCore, bad, instanceNotFound } from './engine-core';
import { type InstanceStep, StaleDefinition } from './step';
import { StepContext } from './step-context';
import { activeTokens } from './tokens';
import { checkVariables } from './variables';
import { type WorkflowViewer, instanceVisibleSql } from './visibility';

export interface StartInput {
  processKey: string;
  version?: number;
  variables?: Record<string, unknown>;
  businessKey?: string;
  record?: { entity: string; id: number };
}

/** Starting, cancelling and reading process instances. */
export class InstanceOps {
  constructor(private readonly core: EngineCore) {}

  async start(input: StartInput, actor: string): Promise<InstanceView> {
    checkVariables(input.variables, '/variables', this.core.settings.maxVariablesBytes);
    const started = await this.core.step(actor, (ctx) => this.begin(ctx, input, 'atCommit'));
    return started.view();
  }

  /**
   * Starts an instance in the caller's transaction (a record write that fires a trigger): no
   * retry here, the caller owns the transaction; a refused start throws and the caller's write
   * rolls back with it. `triggerDepth` counts the trigger starts that led here.
   */
  async startIn(
    tx: Db,
    input: StartInput,
    actor: string,
    opts: { triggerDepth: number; recordDeleted?: boolean },
  ): Promise<InstanceView> {
    checkVariables(input.variables, '/variables', this.core.settings.maxVariablesBytes);
    const ctx = new StepContext(tx, this.core.deps, actor, opts.triggerDepth);
    const step = await this.begin(ctx, input, 'atInsert', opts.recordDeleted);
    await ctx.commit();
    return step.view();
  }

  /** Finds the definition, checks the record, creates the instance and runs it to its waits. */
  private async begin(
    ctx: StepContext,
    input: StartInput,
    staleCheck: 'atInsert' | 'atCommit',
    recordDeleted = false,
  ): Promise<InstanceStep> {
    // the latest version as this node last saw it: the start checks that no newer version exists
    // (instances start on the latest, as before) — in its INSERT, or in a step the engine can run
    // again, at commit (StepContext.startInstance); if one does, the start reads the definition
    // afresh: here, when nothing was written yet, else in the step's next run (engine-core.ts)
    const cached = input.version ? undefined : this.core.latestDefinitions.get(input.processKey);
    if (cached) {
      try {
        return await this.create(ctx, input, cached, recordDeleted, staleCheck);
      } catch (e) {
        if (!(e instanceof StaleDefinition)) throw e;
        this.core.latestDefinitions.delete(input.processKey);
      }
    }
    const rows = await ctx.tx.query<{
      id: number;
      version: number;
      executable: number | boolean;
    }>(
      `SELECT id, version, executable FROM crm_wf_definition WHERE process_key = ?${input.version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
      input.version ? [input.processKey, input.version] : [input.processKey],
    );
    if (!rows.length)
      throw new CrmError(
        ErrorCode.DefinitionNotFound,
        `no process definition "${input.processKey}"${input.version ? ` version ${input.version}` : ''}`,
        [{ path: input.version ? '/version' : '/processKey', message: 'not deployed' }],
      );
    const def: DefinitionRef = {
      id: Number(rows[0].id),
      version: Number(rows[0].version),
      executable: Number(rows[0].executable) === 1 || rows[0].executable === true,
    };
    // a refused definition is not remembered: its starts keep reading, to refuse them afresh
    if (!input.version && def.executable) this.core.latestDefinitions.set(input.processKey, def);
    return this.create(ctx, input, def, recordDeleted, undefined);
  }

  private async create(
    ctx: StepContext,
    input: StartInput,
    def: DefinitionRef,
    recordDeleted: boolean,
    ifStillLatest: 'atInsert' | 'atCommit' | undefined,
  ): Promise<InstanceStep> {
    if (!def.executable)
      throw new CrmError(
        ErrorCode.NotStartable,
        `${input.processKey} is not executable (isExecutable="false")`,
        [{ path: '/processKey', message: 'not executable' }],
      );
    // a deleted record's trigger binds the instance to it all the same (its `record` is null)
    if (input.record && !recordDeleted) {
      // the row lock makes a start and a write of the record take turns: the record lock
      // (approvals/record-lock.ts) then sees this instance in every write that follows
      await lockRecordRow(ctx.tx, this.core, input.record);
      const rec = await this.core.deps.readRecord(ctx.tx, input.record.entity, input.record.id);
      if (!rec)
        throw new CrmError(
          ErrorCode.RecordNotFound,
          `${input.record.entity} ${input.record.id} does not exist`,
          [{ path: '/record', message: 'no such record' }],
        );
    }
    return ctx.startInstance({
      definitionId: def.id,
      processKey: input.processKey,
      version: def.version,
      variables: input.variables ?? {},
      businessKey: input.businessKey ?? null,
      record: input.record ?? null,
      ifStillLatest,
    });
  }

  /** Cancels an instance: anyone with `cancel` on Workflow, or its starter (withdrawing it). */
  async cancel(instanceId: number, actor: string, viewer?: WorkflowViewer): Promise<InstanceView> {
    if (viewer) await this.core.assertSees(this.core.db, instanceId, viewer);
    const step = await this.core.step(actor, async (ctx) => {
      const step = await ctx.load(instanceId);
      if (viewer && !viewer.cancelsAll && step.row.started_by !== viewer.login)
        throw viewer.deny(
          'cancel',
          'Workflow',
          `instance ${instanceId} was started by ${String(step.row.started_by)}; only its starter or a role with cancel on Workflow may cancel it`,
        );
      step.assertActive();
      step.outcome = 'cancelled';
      await step.cancelAll('cancelled');
      return step;
    });
    return step.view();
  }

  async instances(
    filter: {
      state?: string;
      processKey?: string;
      record?: string;
      businessKey?: string;
      limit?: number;
    },
    viewer?: WorkflowViewer,
  ): Promise<InstanceView[]> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    if (viewer && !viewer.seesAll) {
      const v = instanceVisibleSql(viewer, 'i');
      where.push(v.sql);
      params.push(...v.params);
    }
    if (filter.state) {
      if (!['active', 'completed', 'terminated', 'cancelled'].includes(filter.state))
        throw bad('state', 'state is one of active, completed, terminated, cancelled');
      where.push('i.state = ?');
      params.push(filter.state);
    }
    if (filter.processKey) {
      where.push('i.process_key = ?');
      params.push(filter.processKey);
    }
    if (filter.businessKey) {
      where.push('i.business_key = ?');
      params.push(filter.businessKey);
    }
    if (filter.record) {
      const m = /^([A-Za-z_]\w*):(\d+)$/.exec(filter.record);
      if (!m) throw bad('record', 'record is written entity:id, e.g. quote:12');
      where.push('i.record_entity = ? AND i.record_id = ?');
      params.push(m[1], Number(m[2]));
    }
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const rows = await this.core.db.query<Parameters<typeof instanceView>[0]>(
      `SELECT i.* FROM crm_wf_instance i${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id DESC LIMIT ${limit}`,
      params,
    );
    return rows.map((r) => instanceView(r, activeTokens(r.tokens)));
  }

  /**
   * One instance, if the viewer may see it: one they may not answers exactly like a missing one,
   * so ids cannot be enumerated.
   */
  async instance(id: number, viewer?: WorkflowViewer): Promise<InstanceView> {
    const v = viewer && !viewer.seesAll ? instanceVisibleSql(viewer, 'i') : null;
    const [r] = await this.core.db.query<Parameters<typeof instanceView>[0]>(
      `SELECT i.* FROM crm_wf_instance i WHERE i.id = ?${v ? ` AND ${v.sql}` : ''}`,
      [id, ...(v?.params ?? [])],
    );
    if (!r) {
      if (viewer)
        await this.core.auditHidden(this.core.db, 'crm_wf_instance', id, viewer, `instance ${id}`);
      throw instanceNotFound(id);
    }
    return instanceView(r, activeTokens(r.tokens));
  }

  async instanceHistory(
    id: number,
    viewer?: WorkflowViewer,
  ): Promise<Array<Record<string, unknown>>> {
    await this.instance(id, viewer);
    const rows = await this.core.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_history WHERE instance_id = ? ORDER BY id',
      [id],
    );
    return rows.map((r) => ({
      elementId: r.element_id ?? null,
      elementType: r.element_type,
      event: r.event,
      actor: r.actor ?? null,
      detail: r.detail ? JSON.parse(String(r.detail)) : null,
      at: fromDbTimestamp(r.at),
    }));
  }
}

/** MySQL: takes the record's row lock (SQLite has one writer: nothing to do). */
async function lockRecordRow(
  tx: Db,
  core: EngineCore,
  record: { entity: string; id: number },
): Promise<void> {
  if (tx.dialect !== 'mysql' || !core.records) return;
  const e = core.records.entity(record.entity);
  await tx.query(`SELECT id FROM ${q(e.table)} WHERE id = ? FOR UPDATE`, [record.id]);
}
