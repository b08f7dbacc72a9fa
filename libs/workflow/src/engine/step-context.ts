import {
  CrmError,
  type Db,
  ErrorCode,
  type SqlParam,
  toDbTimestamp,
  type BusinessDuration,
} from '@crm/common';
import type { RecordsService } from '@crm/records';
import { type MetadataDocument, SYSTEM_TABLES } from '@crm/metadata';
import type { EngineFeelOptions } from './expressions';
import { EMPTY_ORG, type OrgIndex, type OrgSnapshot, orgIndex } from '../approvals/org';
import { checkPicks } from '../approvals/picks';
import { armEventSubprocesses } from './behaviors/event-subprocess';
import { type InstanceRow } from './instance-view';
import type { Notifier } from '../notify/notifier';
import type { ProcessGraph } from './process-graph';
import { InstanceStep, StaleDefinition } from './step';
import type { TaskTypeRegistry } from './task-types';
import { type TokenIds, parseTokens } from './tokens';

/**
 * One workflow step's transaction (see step.ts for the cycle): it locks and loads the instances the
 * step touches, creates new ones, and writes them all at commit. What happens to an instance's
 * tokens within the step is InstanceStep's (step.ts).
 */

export interface EngineSettings {
  maxVariablesBytes: number;
  timeZone: string;
  /** TASK_DEFAULT_DEADLINE and TASK_DUE_SOON_HOURS (deadlines.ts, due-state.ts). */
  taskDefaultDeadline: BusinessDuration;
  taskDueSoonHours: number;
}

export interface StepDeps {
  graph(tx: Db, definitionId: number, processKey: string): Promise<ProcessGraph>;
  taskTypes: TaskTypeRegistry;
  now(): Date;
  settings: EngineSettings;
  readRecord(tx: Db, entity: string, id: number): Promise<Record<string, unknown> | null>;
  /** Approval notifications, written in the step's transaction (notify/notifier.ts). */
  notifier: Notifier;
  /** The organisation the approver functions read (approvals/org.ts); none = nobody. */
  org?(tx: Db): Promise<OrgSnapshot>;
  /** Writes the engine makes itself: an outcome into the record, values restored on cancel. */
  records: RecordsService | null;
  /** The live metadata documents (calendars for deadlines). */
  documents(): readonly MetadataDocument[];
  /** Cluster variables as FEEL reads them (cluster-variables.ts: cached, read once per step). */
  clusterVariables?(tx: Db): Promise<Record<string, unknown>>;
  /** Hands out token ids (tokens.ts). */
  tokenIds: TokenIds;
}

/** crm_wf_task's columns, read beside the instance by loadByTask (`y_` prefix). */
const TASK_COLUMNS: ReadonlyArray<[string, string]> = SYSTEM_TABLES.find(
  (t) => t.name === 'crm_wf_task',
)!.columns.map((c) => [c.name, `y_${c.name}`]);
const TASK_SELECT = `${TASK_COLUMNS.map(([c, alias]) => `t.${c} AS ${alias}`).join(', ')}, `;

/** The instance row of a joined row: everything but the task's `y_` columns. */
function instanceColumns(joined: InstanceRow): InstanceRow {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(joined)) if (!k.startsWith('y_')) row[k] = v;
  return row as unknown as InstanceRow;
}

export class StepContext {
  readonly steps = new Map<number, InstanceStep>();
  private orgIx: OrgIndex | null = null;
  private globals: Record<string, unknown> | undefined;
  constructor(
    readonly tx: Db,
    readonly deps: StepDeps,
    readonly actor: string,
    /** How many trigger starts led here (approvals/triggers.ts): record writes pass it on. */
    readonly triggerDepth = 0,
  ) {}

  /** The organisation snapshot, read once per step (FEEL functions are synchronous). */
  get org(): OrgIndex {
    if (!this.orgIx) throw new Error('the organisation is read when an instance is loaded');
    return this.orgIx;
  }

  private async loadOrg(): Promise<void> {
    this.orgIx ??= orgIndex(this.deps.org ? await this.deps.org(this.tx) : EMPTY_ORG);
    this.globals ??= await this.deps.clusterVariables?.(this.tx);
  }

  /** Locks and loads an instance (once per transaction). */
  async load(instanceId: number): Promise<InstanceStep> {
    const known = this.steps.get(instanceId);
    if (known) return known;
    const rows = await this.lockRow('', 'i.id = ?', [instanceId]);
    if (!rows.length)
      throw new CrmError(ErrorCode.InstanceNotFound, `instance ${instanceId} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    return this.loaded(rows);
  }

  /**
   * Locks and loads the instance of a task, and reads the task as it is under that lock, in one
   * round trip (completing a task is the commonest step); null when there is no such task. The
   * lock is taken through the task row, as a hand-written engine would: a step of the same
   * instance that changes this task meanwhile ends in a deadlock that MySQL breaks and the
   * engine reruns (engine-core.ts), never in a decision on a stale task.
   */
  async loadByTask(
    taskId: number,
  ): Promise<{ step: InstanceStep; task: Record<string, unknown> } | null> {
    const rows = await this.lockRow(
      TASK_SELECT,
      't.id = ?',
      [taskId],
      'crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id',
    );
    if (!rows.length) return null;
    const task: Record<string, unknown> = {};
    const first = rows[0] as unknown as Record<string, unknown>;
    for (const [c, alias] of TASK_COLUMNS) task[c] = first[alias];
    const known = this.steps.get(Number(task.instance_id));
    return { step: known ?? (await this.loaded(rows)), task };
  }

  /** The locking read of an instance row (its tokens are in it: tokens.ts). */
  private async lockRow(
    extra: string,
    where: string,
    params: SqlParam[],
    from = 'crm_wf_instance i',
  ): Promise<InstanceRow[]> {
    const lock = this.tx.dialect === 'mysql' ? ' FOR UPDATE' : '';
    return this.tx.query<InstanceRow>(
      `SELECT ${extra}i.* FROM ${from} WHERE ${where}${lock}`,
      params,
    );
  }

  /** The step of the row read by lockRow. */
  private async loaded(rows: InstanceRow[]): Promise<InstanceStep> {
    const row = instanceColumns(rows[0]);
    await this.loadOrg();
    const g = await this.deps.graph(this.tx, Number(row.definition_id), row.process_key);
    const step = new InstanceStep(this, row, g, JSON.parse(row.variables));
    for (const t of parseTokens(row.tokens)) step.execs.set(t.id, t);
    if (row.record_entity && row.record_id !== null)
      step.record = await this.deps.readRecord(this.tx, row.record_entity, Number(row.record_id));
    this.steps.set(step.id, step);
    return step;
  }

  /** Creates an instance and runs it to its first wait states. */
  async startInstance(input: {
    definitionId: number;
    processKey: string;
    version: number;
    variables: Record<string, unknown>;
    businessKey?: string | null;
    record?: { entity: string; id: number } | null;
    parent?: { instanceId: number; executionId: number };
    startNode?: string;
    /**
     * The definition id came from a cache, so the start holds only if no newer version of the
     * process exists. `atInsert`: the INSERT checks it and throws StaleDefinition having written
     * nothing (for a caller's transaction, which the engine cannot run again). `atCommit`: the
     * instance row's UPDATE at commit checks it, and the step is run again if it fails: an
     * INSERT … SELECT is a bulk insert to InnoDB, holding the table's AUTO-INC lock to its end
     * (MariaDB's slow log, server time per start: INSERT 207 → 79 µs, UPDATE 74 → 161 µs).
     */
    ifStillLatest?: 'atInsert' | 'atCommit';
  }): Promise<InstanceStep> {
    const g = await this.deps.graph(this.tx, input.definitionId, input.processKey);
    await this.loadOrg();
    const record = input.record
      ? await this.deps.readRecord(this.tx, input.record.entity, input.record.id)
      : null;
    let startNode: string;
    try {
      startNode = this.startNodeOf(g, input, record);
    } catch (e) {
      // refused on a cached definition: the refusal may be the old version's, so check afresh
      if (input.ifStillLatest && e instanceof CrmError) throw new StaleDefinition(input.processKey);
      throw e;
    }
    const now = toDbTimestamp(this.deps.now());
    const columns = `INSERT INTO crm_wf_instance (definition_id, process_key, definition_version, business_key, state, variables, started_by, started_at, version, parent_instance_id, parent_execution_id, record_entity, record_id)`;
    const values: SqlParam[] = [
      input.definitionId,
      input.processKey,
      input.version,
      input.businessKey ?? null,
      this.actor,
      now,
      input.parent?.instanceId ?? null,
      input.parent?.executionId ?? null,
      input.record?.entity ?? null,
      input.record?.id ?? null,
    ];
    const r =
      input.ifStillLatest === 'atInsert'
        ? await this.tx.execute(
            `${columns} SELECT ?, ?, ?, ?, 'active', '{}', ?, ?, 1, ?, ?, ?, ? FROM crm_wf_definition d WHERE d.id = ? AND NOT EXISTS (SELECT 1 FROM crm_wf_definition n WHERE n.process_key = d.process_key AND n.version > d.version)`,
            [...values, input.definitionId],
          )
        : await this.tx.execute(
            `${columns} VALUES (?, ?, ?, ?, 'active', '{}', ?, ?, 1, ?, ?, ?, ?)`,
            values,
          );
    if (input.ifStillLatest === 'atInsert' && r.affected === 0)
      throw new StaleDefinition(input.processKey);
    const row: InstanceRow = {
      id: r.insertId,
      definition_id: input.definitionId,
      process_key: input.processKey,
      definition_version: input.version,
      business_key: input.businessKey ?? null,
      state: 'active',
      variables: '{}',
      started_by: this.actor,
      version: 1,
      parent_instance_id: input.parent?.instanceId ?? null,
      parent_execution_id: input.parent?.executionId ?? null,
      record_entity: input.record?.entity ?? null,
      record_id: input.record?.id ?? null,
      started_at: now,
      ended_at: null,
      element_counts: null,
      open_incidents: 0,
    };
    const step = new InstanceStep(this, row, g, { ...input.variables });
    step.fresh = true;
    if (input.ifStillLatest === 'atCommit')
      step.latestCheck = { processKey: input.processKey, version: input.version };
    step.record = record;
    this.steps.set(row.id, step);
    step.hist(null, 'Process', 'start', input.variables);
    await armEventSubprocesses(step, null, null);
    const exec = await step.createExec(null, startNode);
    await step.drain([exec]);
    return step;
  }

  /** Where a new instance starts, after the checks that refuse it before anything is written. */
  private startNodeOf(
    g: ProcessGraph,
    input: {
      processKey: string;
      variables: Record<string, unknown>;
      parent?: unknown;
      startNode?: string;
    },
    record: Record<string, unknown> | null,
  ): string {
    const startNode = input.startNode ?? g.start;
    if (!startNode)
      throw new CrmError(
        ErrorCode.NotStartable,
        `${input.processKey} has no none start event; it starts by message or timer only`,
        [{ path: '/processKey', message: 'no none start event' }],
      );
    // approvers the initiator picked (picked(...)) are checked before anything is written
    if (!input.parent)
      checkPicks(g, input.variables, this.org, {
        initiator: this.actor,
        record,
        feel: this.feelOptionsBase(),
      });
    return startNode;
  }

  /** The engine's clock and time zone for FEEL (InstanceStep adds the approver functions). */
  feelOptionsBase(): EngineFeelOptions {
    return {
      clock: { now: () => this.deps.now() },
      timeZone: this.deps.settings.timeZone,
      globals: this.globals,
    };
  }

  /** Writes every touched instance. */
  async commit(): Promise<void> {
    for (const s of this.steps.values()) await s.flush();
  }
}
