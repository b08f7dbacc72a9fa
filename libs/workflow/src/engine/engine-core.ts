import type { AppConfig, Clock, Db } from '@crm/common';
import { CrmError, ErrorCode } from '@crm/common';
import type { MetadataDocument } from '@crm/metadata';
import type { RecordsService } from '@crm/records';
import { parseBpmn } from '../bpmn-model';
import type { OrgSource } from '../approvals/org';
import { Notifier } from '../notify/notifier';
import { INSTANCE_CONFLICT } from './instance-view';
import { type ProcessGraph, buildGraph } from './process-graph';
import { StaleDefinition } from './step';
import { type EngineSettings, StepContext, type StepDeps } from './step-context';
import { TokenIds, migrateLegacyTokens } from './tokens';
import { ClusterVariables } from './cluster-variables';
import { backfillCandidates } from './task-candidates';
import type { TaskTypeRegistry } from './task-types';
import { type WorkflowViewer, instanceVisibleSql, taskVisibleSql } from './visibility';

const MAX_STEP_ATTEMPTS = 8;

/** A step lost a race on its instance row (or MySQL chose it as a deadlock victim): run it again. */
function isRetryable(e: unknown): boolean {
  if (e instanceof CrmError) return e.message === INSTANCE_CONFLICT;
  const errno = (e as { driverError?: { errno?: number } }).driverError?.errno;
  return errno === 1213 || errno === 1205; // deadlock, lock wait timeout
}

export const bad = (path: string, message: string) =>
  new CrmError(ErrorCode.BadRequest, message, [{ path, message }]);

export const instanceNotFound = (id: number) =>
  new CrmError(ErrorCode.InstanceNotFound, `instance ${id} not found`, [
    { path: 'id', message: 'not found' },
  ]);

/**
 * What every area of the engine shares (instances.ts, tasks.ts, incidents.ts, the jobs in
 * engine.service.ts): the database, the clock, the settings, the graph cache and the step runner
 * — each operation runs one transaction that locks the instances it touches, moves their tokens
 * (step.ts) and commits the result with its history; a lost race or deadlock reruns the whole
 * step on fresh state — plus the visibility checks every area answers with.
 */
/** A deployed definition as a start needs it (rows are never changed once deployed). */
export interface DefinitionRef {
  id: number;
  version: number;
  executable: boolean;
}

export class EngineCore {
  private readonly graphs = new Map<number, ProcessGraph>();
  /**
   * Per process key, the latest definition this node has seen. Only a hint: a start on it checks
   * in its INSERT that no newer version was deployed since (by any node), see InstanceOps.begin.
   */
  readonly latestDefinitions = new Map<string, DefinitionRef>();
  readonly settings: EngineSettings;
  /** Approval notifications (in-app, and email through the outbox). */
  readonly notifier: Notifier;
  readonly deps: StepDeps;
  /** Camunda 8.9 cluster variables: the admin API's store, and what every step's FEEL reads. */
  readonly clusterVariables: ClusterVariables;

  constructor(
    readonly db: Db,
    readonly clock: Clock,
    readonly taskTypes: TaskTypeRegistry,
    readonly records: RecordsService | null,
    config: AppConfig | null,
    /** Users and departments for the approver functions (the access lib's IdentityService). */
    readonly org: OrgSource | null = null,
    /** The live metadata model (calendars); none in engines built without one. */
    meta: { readonly model: { readonly documents: readonly MetadataDocument[] } } | null = null,
  ) {
    this.notifier = new Notifier(clock);
    this.settings = {
      maxVariablesBytes: config?.workflowMaxVariablesBytes ?? 256 * 1024,
      timeZone: config?.timeZone ?? 'UTC',
      taskDefaultDeadline: config?.taskDefaultDeadline ?? { amount: 3, unit: 'workingDays' },
      taskDueSoonHours: config?.taskDueSoonHours ?? 24,
    };
    this.clusterVariables = new ClusterVariables(db, clock, () => this.settings.maxVariablesBytes);
    this.deps = {
      clusterVariables: (tx) => this.clusterVariables.globals(tx),
      tokenIds: new TokenIds(() => this.clock.now()),
      graph: (tx, id, key) => this.graph(tx, id, key),
      taskTypes: this.taskTypes,
      now: () => this.clock.now(),
      settings: this.settings,
      notifier: this.notifier,
      records: this.records,
      documents: () => meta?.model.documents ?? [],
      readRecord: async (tx, entity, id) => {
        if (!this.records) return null;
        try {
          return await this.records.get(entity, id, {}, tx);
        } catch (e) {
          if (e instanceof CrmError && e.code === ErrorCode.RecordNotFound) return null;
          throw e;
        }
      },
      ...(org ? { org: (tx: Db) => org.orgSnapshot(tx) } : {}),
    };
  }

  /** Moves the tokens of a database from before crm_wf_instance.tokens into its rows (once). */
  migrateLegacyTokens(): Promise<number> {
    return migrateLegacyTokens(this.db, this.clock.now());
  }

  /** Gives open tasks from before crm_wf_task_candidate existed their candidate rows (once). */
  backfillTaskCandidates(): Promise<number> {
    return backfillCandidates(this.db);
  }

  async graph(tx: Db, definitionId: number, processKey: string): Promise<ProcessGraph> {
    const cached = this.graphs.get(definitionId);
    if (cached) return cached;
    const [row] = await tx.query<{ xml: string }>(
      'SELECT xml FROM crm_wf_definition WHERE id = ?',
      [definitionId],
    );
    const parsed = await parseBpmn(row.xml);
    const g = buildGraph(parsed.definitions!, processKey);
    this.graphs.set(definitionId, g);
    return g;
  }

  /** Runs fn in one transaction with a step context, retrying lost races and deadlocks. */
  async step<T>(actor: string, fn: (ctx: StepContext) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const ctx = new StepContext(tx, this.deps, actor);
          const out = await fn(ctx);
          await ctx.commit();
          return out;
        });
      } catch (e) {
        // a start on a cached definition found a newer version at commit: forget it, run again
        if (e instanceof StaleDefinition) this.latestDefinitions.delete(e.processKey);
        if (!(isRetryable(e) || e instanceof StaleDefinition) || attempt >= MAX_STEP_ATTEMPTS)
          throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  /** A viewer asked for something that exists but is hidden from them: still a 404, but audited. */
  async auditHidden(
    tx: Db,
    table: 'crm_wf_instance' | 'crm_wf_task',
    id: number,
    viewer: WorkflowViewer,
    what: string,
  ): Promise<void> {
    const [exists] = await tx.query(`SELECT id FROM ${table} WHERE id = ?`, [id]);
    if (exists)
      viewer.deny('read', 'Workflow', `${what} is not visible to you (answered as not found)`);
  }

  /** A single task is visible when the task is, or when its instance is (a record's approver chain). */
  taskOrInstanceVisible(viewer: WorkflowViewer) {
    const t = taskVisibleSql(viewer, 't', 'i');
    const i = instanceVisibleSql(viewer, 'i');
    return { sql: `(${t.sql} OR ${i.sql})`, params: [...t.params, ...i.params] };
  }

  async assertSees(tx: Db, instanceId: number, viewer: WorkflowViewer): Promise<void> {
    if (viewer.seesAll) {
      const [r] = await tx.query('SELECT id FROM crm_wf_instance WHERE id = ?', [instanceId]);
      if (!r) throw instanceNotFound(instanceId);
      return;
    }
    const v = instanceVisibleSql(viewer, 'i');
    const [r] = await tx.query(`SELECT i.id FROM crm_wf_instance i WHERE i.id = ? AND ${v.sql}`, [
      instanceId,
      ...v.params,
    ]);
    if (!r) throw instanceNotFound(instanceId);
  }
}
