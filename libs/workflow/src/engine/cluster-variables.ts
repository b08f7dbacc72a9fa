import { randomUUID } from 'node:crypto';
import {
  type Clock,
  CrmError,
  type Db,
  ErrorCode,
  isUniqueViolation,
  toDbTimestamp,
  fromDbTimestamp,
} from '@crm/common';

/**
 * Camunda 8.9 cluster variables: configuration an administrator stores once and every FEEL
 * expression of the engine reads, without redeploying a process. As Camunda defines them:
 *
 * - `global` variables are read as `camunda.vars.cluster.NAME`; the tenant's as
 *   `camunda.vars.tenant.NAME`; `camunda.vars.env.NAME` is the tenant's value if it has one, else
 *   the global one (tenant over global). This CRM has one tenant: the tenant scope is its values.
 * - process variables come first: a process variable named `camunda` shadows them all.
 * - a value is any JSON value but null (string, number, boolean, object, array).
 *
 * Every step reads them once (StepContext), from this node's cache: a change on this node drops
 * it at once; a change on another node within GENERATION_RECHECK_MS (its generation row).
 */

export type ClusterVariableScope = 'global' | 'tenant';
export const CLUSTER_VARIABLE_SCOPES: readonly ClusterVariableScope[] = ['global', 'tenant'];

export interface ClusterVariable {
  /** GLOBAL / TENANT, as Camunda's API names the scope. */
  scope: 'GLOBAL' | 'TENANT';
  name: string;
  value: unknown;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** What FEEL sees: `{ camunda: { vars: { cluster, tenant, env } } }`. */
export type ClusterFeelGlobals = { camunda: { vars: Record<string, Record<string, unknown>> } };

/** A FEEL name a path such as `camunda.vars.env.NAME` can reach without quoting. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_NAME = 191;
const GENERATION_KEY = 'cluster_variables_generation';
const GENERATION_RECHECK_MS = 1_000;

const invalid = (path: string, message: string) =>
  new CrmError(ErrorCode.ClusterVariableInvalid, message, [{ path, message }]);

/** The scope of a path segment (`global` / `tenant`), or 400 naming the segment. */
export function parseClusterVariableScope(raw: string): ClusterVariableScope {
  const s = raw.toLowerCase();
  if (s === 'global' || s === 'tenant') return s;
  throw invalid('scope', `scope must be global or tenant, not ${JSON.stringify(raw)}`);
}

/** A variable name, or 400: FEEL reads it as a path segment, and it is kept in 191 characters. */
export function checkClusterVariableName(name: unknown, path = '/name'): string {
  if (typeof name !== 'string' || !name)
    throw invalid(path, 'name is required: a string of letters, digits and _');
  if (name.length > MAX_NAME) throw invalid(path, `name is at most ${MAX_NAME} characters`);
  if (!NAME.test(name))
    throw invalid(
      path,
      `name ${JSON.stringify(name)} must start with a letter or _ and hold only letters, digits and _ (FEEL reads it as camunda.vars.env.${name})`,
    );
  return name;
}

/** A value, or 400: any JSON value but null, within WORKFLOW_MAX_VARIABLES_BYTES. */
export function checkClusterVariableValue(
  value: unknown,
  maxBytes: number,
  path = '/value',
): string {
  if (value === undefined || value === null)
    throw invalid(path, 'value is required: a string, number, boolean, object or array');
  if (typeof value === 'number' && !Number.isFinite(value))
    throw invalid(path, 'value must be a finite number');
  const json = JSON.stringify(value);
  const size = Buffer.byteLength(json);
  if (size > maxBytes)
    throw invalid(
      path,
      `value takes ${size} bytes, more than the limit of ${maxBytes} (WORKFLOW_MAX_VARIABLES_BYTES)`,
    );
  return json;
}

/** The FEEL namespaces of a set of rows: cluster = global, tenant, env = tenant over global. */
export function feelGlobals(
  rows: Array<{ scope: string; name: string; value: unknown }>,
): ClusterFeelGlobals {
  const cluster: Record<string, unknown> = {};
  const tenant: Record<string, unknown> = {};
  for (const r of rows) (r.scope === 'tenant' ? tenant : cluster)[r.name] = r.value;
  return { camunda: { vars: { cluster, tenant, env: { ...cluster, ...tenant } } } };
}

const notFound = (scope: ClusterVariableScope, name: string) =>
  new CrmError(
    ErrorCode.ClusterVariableNotFound,
    `no ${scope} cluster variable named ${JSON.stringify(name)}`,
    [{ path: 'name', message: 'not found' }],
  );

interface Row {
  scope: string;
  name: string;
  value: string;
  updated_at: unknown;
  updated_by: string | null;
}

const toView = (r: Row): ClusterVariable => ({
  scope: r.scope === 'tenant' ? 'TENANT' : 'GLOBAL',
  name: r.name,
  value: JSON.parse(r.value) as unknown,
  updatedAt: fromDbTimestamp(r.updated_at),
  updatedBy: r.updated_by,
});

/** What FEEL sees, read afresh in `tx` (ClusterVariables.globals caches it for steps). */
export async function readClusterGlobals(tx: Db): Promise<ClusterFeelGlobals> {
  const rows = await tx.query<Row>('SELECT scope, name, value FROM crm_wf_cluster_variable');
  return feelGlobals(rows.map((r) => ({ ...r, value: JSON.parse(r.value) })));
}

export class ClusterVariables {
  private cached: ClusterFeelGlobals | null = null;
  private generation: string | null = null;
  private generationCheckedAt = 0;
  /** Counts this node's changes: a read that overlapped one is not cached. */
  private epoch = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly maxBytes: () => number,
  ) {}

  async list(): Promise<ClusterVariable[]> {
    const rows = await this.db.query<Row>(
      'SELECT scope, name, value, updated_at, updated_by FROM crm_wf_cluster_variable ORDER BY scope, name',
    );
    return rows.map(toView);
  }

  async get(scope: ClusterVariableScope, name: string): Promise<ClusterVariable> {
    const [row] = await this.db.query<Row>(
      'SELECT scope, name, value, updated_at, updated_by FROM crm_wf_cluster_variable WHERE scope = ? AND name = ?',
      [scope, name],
    );
    if (!row) throw notFound(scope, name);
    return toView(row);
  }

  /** Camunda's POST: a new variable; 409 when the scope already has one of that name. */
  async create(
    scope: ClusterVariableScope,
    body: { name?: unknown; value?: unknown },
    actor: string,
  ): Promise<ClusterVariable> {
    const name = checkClusterVariableName(body.name);
    const json = checkClusterVariableValue(body.value, this.maxBytes());
    try {
      await this.db.transaction(async (tx) => {
        await tx.execute(
          'INSERT INTO crm_wf_cluster_variable (scope, name, value, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
          [scope, name, json, toDbTimestamp(this.clock.now()), actor],
        );
        await this.changed(tx, actor, 'create', scope, name);
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new CrmError(
        ErrorCode.ClusterVariableExists,
        `a ${scope} cluster variable named ${JSON.stringify(name)} exists; PUT changes its value`,
        [{ path: '/name', message: 'exists' }],
      );
    }
    this.dropCache();
    return this.get(scope, name);
  }

  /** Camunda's PUT: a new value for an existing variable (404 when there is none). */
  async update(
    scope: ClusterVariableScope,
    name: string,
    body: { value?: unknown },
    actor: string,
  ): Promise<ClusterVariable> {
    const json = checkClusterVariableValue(body.value, this.maxBytes());
    const affected = await this.db.transaction(async (tx) => {
      const r = await tx.execute(
        'UPDATE crm_wf_cluster_variable SET value = ?, updated_at = ?, updated_by = ? WHERE scope = ? AND name = ?',
        [json, toDbTimestamp(this.clock.now()), actor, scope, name],
      );
      if (r.affected) await this.changed(tx, actor, 'update', scope, name);
      return r.affected;
    });
    if (!affected) throw notFound(scope, name);
    this.dropCache();
    return this.get(scope, name);
  }

  async remove(scope: ClusterVariableScope, name: string, actor: string): Promise<void> {
    const affected = await this.db.transaction(async (tx) => {
      const r = await tx.execute(
        'DELETE FROM crm_wf_cluster_variable WHERE scope = ? AND name = ?',
        [scope, name],
      );
      if (r.affected) await this.changed(tx, actor, 'delete', scope, name);
      return r.affected;
    });
    if (!affected) throw notFound(scope, name);
    this.dropCache();
  }

  /**
   * What FEEL sees, read in the step's transaction `tx` (SQLite has one connection) and cached:
   * at most one generation check per GENERATION_RECHECK_MS, the rows only after a change.
   */
  async globals(tx: Db): Promise<ClusterFeelGlobals> {
    const now = Date.now();
    if (now - this.generationCheckedAt >= GENERATION_RECHECK_MS) {
      this.generationCheckedAt = now;
      const [row] = await tx.query<{ value: string }>(
        'SELECT value FROM crm_setting WHERE setting_key = ?',
        [GENERATION_KEY],
      );
      const current = row?.value ?? null;
      if (current !== this.generation) {
        this.cached = null;
        this.generation = current;
      }
    }
    if (this.cached) return this.cached;
    const generation = this.generation;
    const epoch = this.epoch;
    const globals = await readClusterGlobals(tx);
    // a change committed while this was read drops the cache: a read from before it is not kept
    if (this.generation === generation && this.epoch === epoch) this.cached = globals;
    return globals;
  }

  private dropCache(): void {
    this.epoch++;
    this.cached = null;
  }

  /**
   * In the change's transaction: an audit row (configuration every process reads; the value is
   * left out, as it may be an endpoint's credentials) and a new generation, so other nodes drop
   * their cache on their next check.
   */
  private async changed(
    tx: Db,
    actor: string,
    action: 'create' | 'update' | 'delete',
    scope: ClusterVariableScope,
    name: string,
  ): Promise<void> {
    await tx.execute(
      'INSERT INTO crm_audit (at, actor, action, subject, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
      [
        toDbTimestamp(this.clock.now()),
        actor,
        `workflow.clusterVariable.${action}`,
        `${scope} ${name}`.slice(0, 191),
        'ok',
        null,
      ],
    );
    const next = randomUUID();
    const r = await tx.execute('UPDATE crm_setting SET value = ? WHERE setting_key = ?', [
      next,
      GENERATION_KEY,
    ]);
    if (r.affected === 0) {
      try {
        await tx.execute('INSERT INTO crm_setting (setting_key, value) VALUES (?, ?)', [
          GENERATION_KEY,
          next,
        ]);
      } catch (e) {
        // another node's first change inserted it meanwhile (MySQL keeps the transaction open
        // after a failed statement): a new value over theirs serves as well
        if (!isUniqueViolation(e)) throw e;
        await tx.execute('UPDATE crm_setting SET value = ? WHERE setting_key = ?', [
          next,
          GENERATION_KEY,
        ]);
      }
    }
    this.dropCache();
    this.generation = next;
    this.generationCheckedAt = Date.now();
  }
}
