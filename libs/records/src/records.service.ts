import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  type SqlParam,
  q,
  toDbTimestamp,
} from '@crm/common';
import { type CompiledEntity, type FeelOptions, MetaService } from '@crm/metadata';
import { type RecordData, selectColumns, toRow } from './codec';
import { type EntityValidators, compileValidators, ruleErrors } from './record-validator';
import { readCondition, referenceErrors, replaceLinks } from './references';
import { type GetOptions, RecordReader, isM2M, notFoundError } from './record-reader';
import {
  type AccessAction,
  type Actor,
  ALL_ROWS,
  type HistoryEntry,
  type ListQuery,
  type ListResult,
  MAX_LIMIT,
  type RecordAccess,
} from './record-types';
import { type BatchWriter, type ImportItem, bulkWrite, importRecords } from './batch-writes';
import { type BackfillDeps, backfillComputed, rebuildComputed } from './computed/backfill';
import { ComputedWrites } from './computed/computed-writes';
import { RecordShares } from './record-shares';
import { invalidRecord, prepareCreate, preparePatch, uniqueViolationError } from './record-input';
import { readHistory, writeHistory } from './record-history';
import { nextCode } from './sequence';
import { type EngineOrigin, type RecordWriteEvent, RecordHookSet } from './write-hooks';

export {
  type AccessAction,
  type Actor,
  type HistoryEntry,
  type ListQuery,
  type ListResult,
  MAX_LIMIT,
  type RecordAccess,
} from './record-types';
export { type GetOptions } from './record-reader';
export { MAX_IMPORT_ERRORS, type ImportItem } from './batch-writes';

/**
 * Generic CRUD over the entity tables. Every write is validated with the entity's compiled JSON
 * Schema and its FEEL rules, runs in one transaction with its history rows, and updates check the
 * record's version (optimistic locking). Names reach SQL only after being checked against the model.
 */
@Injectable()
export class RecordsService implements OnModuleDestroy {
  private validators = new Map<string, EntityValidators>();
  /** Write listeners and guards other libraries register (the workflow engine's triggers and lock). */
  readonly hooks = new RecordHookSet();
  /** Formula and rollup fields, kept right in every write's transaction (computed/). */
  readonly computed: ComputedWrites;
  private readonly reader: RecordReader;
  /** Who each record is shared with (record-shares.ts). */
  readonly shares: RecordShares;

  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly meta: MetaService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.reader = new RecordReader(db, meta, config, (name) => this.entity(name));
    meta.onModelChange((m) => {
      this.validators.clear();
      // an apply that adds or changes a formula or rollup backfills the existing rows (once per
      // definition: the one backfilled last is kept in crm_setting; a recount is idempotent)
      this.computedBackfill = this.computedBackfill
        .then(() => backfillComputed(this.backfillDeps(), m))
        .catch((err: unknown) =>
          this.logger.error(`backfilling computed fields failed: ${String(err)}`),
        );
    });
    this.computed = new ComputedWrites(
      () => this.meta.model,
      () => this.feelOptions,
      clock,
    );
    // registered first: rollups and formulas are right before a trigger's process reads them
    this.hooks.listen({ afterWrite: (tx, ev) => this.computed.afterWrite(tx, ev) });
    this.shares = new RecordShares({
      db,
      entity: (name) => this.entity(name),
      get: (name, id, access) => this.get(name, id, { access }),
      loadAccess: (e, actor) => this.loadAccess(e, ['update'], actor),
      unreachable: (e, id, actor) => this.unreachable(this.db, e, id, 'update', actor),
      now: () => this.clock.now(),
    });
  }

  /** FEEL rules read today() on the injected clock in the company's time zone (CRM_TIMEZONE). */
  private get feelOptions(): FeelOptions {
    return { clock: this.clock, timeZone: this.config.timeZone };
  }

  entity(name: string): CompiledEntity {
    const e = this.meta.model.entities.get(name);
    if (!e)
      throw new CrmError(ErrorCode.EntityNotFound, `unknown entity "${name}"`, [
        { path: 'entity', message: `no entity named "${name}"` },
      ]);
    // a half-done metadata apply (MySQL) may have left its table unreadable to this model
    this.meta.assertAvailable(name);
    return e;
  }

  private validatorsFor(e: CompiledEntity): EntityValidators {
    const key = `${this.meta.model.revision}:${e.name}`;
    let v = this.validators.get(key);
    if (!v) {
      v = compileValidators(e);
      this.validators.set(key, v);
    }
    return v;
  }

  // ---- reads (record-reader.ts) ------------------------------------------------------------

  get(
    entityName: string,
    id: number,
    opts: GetOptions = {},
    db: Db = this.db,
  ): Promise<RecordData> {
    return this.reader.get(entityName, id, opts, db);
  }

  list(entityName: string, query: ListQuery, access?: RecordAccess): Promise<ListResult> {
    return this.reader.list(entityName, query, access);
  }

  /** Every record matching the query that the user may read and `action`, page by page. */
  pages(
    entityName: string,
    query: Pick<ListQuery, 'filter' | 'sort' | 'fields'>,
    access: RecordAccess | undefined,
    action: 'export',
    pageSize = MAX_LIMIT,
  ): AsyncGenerator<RecordData[], void, undefined> {
    return this.reader.pages(entityName, query, access, action, pageSize);
  }

  // ---- writes -------------------------------------------------------------------------------

  async create(entityName: string, body: unknown, actor: Actor): Promise<RecordData> {
    const e = this.entity(entityName);
    this.checkWriteAccess(e, 'create', body, actor);
    await this.loadAccess(e, ['create'], actor);
    const data = this.prepareCreate(e, body, actor);
    await this.takeNumbers(e, data);
    const id = await this.db.transaction(async (tx) => this.insert(tx, e, data, actor));
    return this.readBack(entityName, id, actor);
  }

  async update(entityName: string, id: number, body: unknown, actor: Actor): Promise<RecordData> {
    const e = this.entity(entityName);
    this.checkWriteAccess(e, 'update', body, actor);
    await this.loadAccess(e, ['update'], actor);
    const patch = this.preparePatch(e, body);
    await this.db.transaction(async (tx) => this.applyPatch(tx, e, id, patch, actor));
    return this.readBack(entityName, id, actor);
  }

  /**
   * Asks the access layer before a transaction opens: on SQLite the one connection is held by the
   * transaction, so the user context (departments, reports) must be loaded first. It also answers
   * 403 at once when no rule allows the action at all.
   */
  private async loadAccess(
    e: CompiledEntity,
    actions: AccessAction[],
    actor: Actor,
  ): Promise<void> {
    if (!actor.access) return;
    for (const a of actions) await actor.access.rows(e, a);
  }

  /** Field-level write check, before validation: a forbidden field is a 403 naming it. */
  private checkWriteAccess(
    e: CompiledEntity,
    action: 'create' | 'update',
    body: unknown,
    actor: Actor,
  ): void {
    if (!actor.access || !body || typeof body !== 'object' || Array.isArray(body)) return;
    actor.access.assertWrite(
      e,
      action,
      Object.keys(body).filter((k) => k !== 'version' && k !== 'id'),
    );
  }

  /** The record as the writer may see it: a record they may write but not read comes back as its id. */
  private async readBack(entityName: string, id: number, actor: Actor): Promise<RecordData> {
    // a user who may write but read none of the entity: the write stands, they learn its id
    if (actor.access && !(await actor.access.readableRows(this.entity(entityName), 't')))
      return { id };
    try {
      return await this.get(entityName, id, { access: actor.access });
    } catch (err) {
      if (err instanceof CrmError && err.code === ErrorCode.RecordNotFound) return { id };
      throw err;
    }
  }

  /**
   * After a write, the row must still satisfy the conditions of the action, in the same
   * transaction: otherwise a user could create a record for someone else or move one out of their
   * own reach (change the owner to escape "own records").
   */
  private async assertStillAllowed(
    tx: Db,
    e: CompiledEntity,
    id: number,
    action: 'create' | 'update',
    actor: Actor,
  ): Promise<void> {
    if (!actor.access) return;
    const allowed = await actor.access.rows(e, action);
    if (allowed.sql === ALL_ROWS.sql) return;
    const rows = await tx.query(
      `SELECT t.id FROM ${q(e.table)} t WHERE t.id = ? AND ${allowed.sql}`,
      [id, ...allowed.params],
    );
    if (!rows.length) {
      throw actor.access.deny(
        action,
        `${e.name}/${action === 'create' ? 'new' : id}`,
        action === 'create'
          ? 'the new record would be outside the records you may create'
          : 'the change would move the record out of the records you may update',
      );
    }
  }

  /**
   * Throws unless the user may `action` this record: one they cannot read answers like a missing
   * one (404); one they read but whose row is outside the action's conditions is forbidden (403).
   */
  async assertMay(
    entityName: string,
    id: number,
    action: AccessAction,
    access: RecordAccess,
  ): Promise<void> {
    const e = this.entity(entityName);
    await this.get(entityName, id, { access });
    const allowed = await access.rows(e, action);
    const [hit] = await this.db.query(
      `SELECT t.id FROM ${q(e.table)} t WHERE t.id = ? AND t.deleted_at IS NULL AND ${allowed.sql}`,
      [id, ...allowed.params],
    );
    if (!hit)
      throw access.deny(action, e.name, `${e.name} ${id} is outside the records you may ${action}`);
  }

  /**
   * May this user download a stored file? Its uploader may (it is not attached yet); anyone else
   * only through a record they may read whose file field holds it, checked in SQL like a list.
   */
  async canReadFile(
    fileId: string,
    uploader: string | null,
    actor: Actor,
    db: Db = this.db,
  ): Promise<boolean> {
    if (!actor.access || uploader === actor.id) return true;
    for (const e of this.meta.model.entities.values()) {
      for (const [name, f] of Object.entries(e.fields)) {
        if (f.type !== 'file' || !actor.access.canRead(e, name)) continue;
        const allowed = await actor.access.readableRows(e, 't');
        if (!allowed) continue;
        const [hit] = await db.query(
          `SELECT t.id FROM ${q(e.table)} t WHERE t.${q(name)} = ? AND t.deleted_at IS NULL AND (${allowed.sql}) LIMIT 1`,
          [fileId, ...allowed.params],
        );
        if (hit) return true;
      }
    }
    return false;
  }

  // ---- writes inside a caller's transaction (workflow steps) ---------------------------------

  /**
   * Creates a record in the caller's transaction; validated exactly like an API create. The
   * engine's write (`origin`): hooks see it as such.
   */
  async createIn(
    tx: Db,
    entityName: string,
    body: unknown,
    actorId: string,
    origin: EngineOrigin = { instanceId: null, depth: 0 },
  ): Promise<number> {
    const e = this.entity(entityName);
    const actor: Actor = { id: actorId, locale: 'en', engine: origin };
    return this.insert(tx, e, this.prepareCreate(e, body, actor), actor);
  }

  /** Patches a record in the caller's transaction at its current version (the step holds it). */
  async patchIn(
    tx: Db,
    entityName: string,
    id: number,
    changes: unknown,
    actorId: string,
    origin: EngineOrigin = { instanceId: null, depth: 0 },
  ): Promise<void> {
    const e = this.entity(entityName);
    const [row] = await tx.query<{ version: number }>(
      `SELECT version FROM ${q(e.table)} WHERE id = ? AND deleted_at IS NULL`,
      [id],
    );
    if (!row) throw notFoundError(e, id);
    const patch = this.preparePatch(e, {
      ...(changes as Record<string, unknown>),
      version: Number(row.version),
    });
    await this.applyPatch(tx, e, id, patch, { id: actorId, locale: 'en', engine: origin });
  }

  // ---- writes as a user inside a caller's transaction (record actions) ----------------------

  /**
   * Loads what the user's checks need for `actions` on the entity before the caller opens its
   * transaction (on SQLite the transaction holds the one connection), and answers 403 at once when
   * no rule allows one of them at all.
   */
  async prepareAs(entityName: string, actions: AccessAction[], actor: Actor): Promise<void> {
    await this.loadAccess(this.entity(entityName), actions, actor);
  }

  /**
   * Creates a record as `actor` in the caller's transaction, with every check of create():
   * field write rules, validation, references, the row conditions, triggers and history.
   */
  async createAs(tx: Db, entityName: string, body: unknown, actor: Actor): Promise<number> {
    const e = this.entity(entityName);
    this.checkWriteAccess(e, 'create', body, actor);
    return this.insert(tx, e, this.prepareCreate(e, body, actor), actor);
  }

  /** Updates a record as `actor` in the caller's transaction, like update() (body holds version). */
  async updateAs(
    tx: Db,
    entityName: string,
    id: number,
    body: unknown,
    actor: Actor,
  ): Promise<void> {
    const e = this.entity(entityName);
    this.checkWriteAccess(e, 'update', body, actor);
    await this.applyPatch(tx, e, id, this.preparePatch(e, body), actor);
  }

  /**
   * Recomputes the formula and rollup fields of existing records (`crm rebuild`; a metadata
   * apply that adds one backfills through it): see computed/backfill.ts. Returns the rows changed.
   */
  rebuildComputed(
    entities?: string | string[],
    onProgress?: (entity: string, done: number, total: number) => void,
  ): Promise<number> {
    return rebuildComputed(this.backfillDeps(), entities, onProgress);
  }

  /** The backfill the last metadata change started (tests and the CLI wait for it). */
  computedBackfill: Promise<void> = Promise.resolve();

  /**
   * A shutdown waits for the backfill in flight: the database pool closes after this, and a
   * backfill cut off mid-way failed with "Connection is not established" (nothing was lost — it
   * is idempotent and resumes at the next boot — but it was logged as a failure).
   */
  async onModuleDestroy(): Promise<void> {
    await this.computedBackfill;
  }

  private backfillDeps(): BackfillDeps {
    return {
      db: this.db,
      computed: this.computed,
      model: () => this.meta.model,
      entity: (name) => this.entity(name),
      log: (message) => this.logger.log(message),
    };
  }

  private readonly logger = new Logger('RecordsService');

  /** Creates or updates many records of one entity in one transaction: all or nothing. */
  bulk(entityName: string, body: unknown, actor: Actor): Promise<{ data: RecordData[] }> {
    return bulkWrite(this.batchWriter(), entityName, body, actor);
  }

  /** An import's records in one transaction, all or nothing (batch-writes.ts). */
  importMany(
    entityName: string,
    items: ImportItem[],
    actor: Actor,
    opts: { dryRun?: boolean } = {},
  ): Promise<{ ids: number[] }> {
    return importRecords(this.batchWriter(), entityName, items, actor, opts);
  }

  private batchWriter(): BatchWriter {
    return {
      db: this.db,
      entity: (name) => this.entity(name),
      prepareCreate: (e, body, actor) => this.prepareCreate(e, body, actor),
      preparePatch: (e, body) => this.preparePatch(e, body),
      checkWriteAccess: (e, action, body, actor) => this.checkWriteAccess(e, action, body, actor),
      loadAccess: (e, actions, actor) => this.loadAccess(e, actions, actor),
      takeNumbers: (e, data) => this.takeNumbers(e, data),
      insert: (tx, e, data, actor) => this.insert(tx, e, data, actor),
      applyPatch: (tx, e, id, patch, actor) => this.applyPatch(tx, e, id, patch, actor),
      readBack: (name, id, actor) => this.readBack(name, id, actor),
    };
  }

  private prepareCreate(e: CompiledEntity, body: unknown, actor: Actor): RecordData {
    return prepareCreate(e, body, actor, {
      validators: this.validatorsFor(e),
      feelOptions: this.feelOptions,
      shallowRule: this.computed.shallowRule(e),
    });
  }

  private preparePatch(e: CompiledEntity, body: unknown): RecordData & { version: number } {
    return preparePatch(e, body, this.validatorsFor(e));
  }

  /**
   * Takes auto-numbers before the record's transaction opens, in autocommit. Taking them inside it
   * on a second pooled connection deadlocks the pool once every connection holds a transaction
   * that waits for one more (30 parallel creates on a pool of 10 hung CI); taking them on the
   * transaction's own connection would hold the counter's row lock until commit. A failed insert
   * leaves a gap, which code rules allow.
   */
  private async takeNumbers(e: CompiledEntity, data: RecordData): Promise<void> {
    const now = this.clock.now();
    for (const [name, f] of Object.entries(e.fields)) {
      if (f.type === 'autoNumber')
        data[name] = await nextCode(this.db, e.name, name, f.codeRule!, now, this.config.timeZone);
    }
  }

  private async insert(tx: Db, e: CompiledEntity, data: RecordData, actor: Actor): Promise<number> {
    await this.checkReferences(tx, e, data, actor);
    await this.computed.computeOwn(tx, e, data, true);
    const deepErrs = await this.computed.deepRuleErrors(tx, e, data, actor.locale);
    if (deepErrs.length) throw invalidRecord(e, deepErrs);
    const now = this.clock.now();
    // Callers that already hold a transaction (workflow steps) number inside it: correct, but the
    // counter row stays locked until their commit.
    for (const [name, f] of Object.entries(e.fields)) {
      if (f.type === 'autoNumber' && data[name] === undefined)
        data[name] = await nextCode(tx, e.name, name, f.codeRule!, now, this.config.timeZone);
    }
    const ts = toDbTimestamp(now);
    const row: Record<string, SqlParam> = {
      ...toRow(e, data),
      owner: (data.owner as string | undefined) ?? actor.id,
      created_by: actor.id,
      created_at: ts,
      updated_by: actor.id,
      updated_at: ts,
      version: 1,
    };
    const cols = Object.keys(row);
    let id: number;
    try {
      const r = await tx.execute(
        `INSERT INTO ${q(e.table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        cols.map((c) => row[c]),
      );
      id = r.insertId;
    } catch (err) {
      throw uniqueViolationError(e, err);
    }
    for (const [name, f] of Object.entries(e.fields)) {
      if (isM2M(f) && Array.isArray(data[name]))
        await this.replaceLinks(tx, e, name, id, data[name] as number[], actor);
    }
    const entries: Array<[string | null, unknown, unknown]> = [];
    for (const [name, f] of Object.entries(e.fields)) {
      if (
        data[name] !== undefined &&
        data[name] !== null &&
        !(isM2M(f) && (data[name] as unknown[]).length === 0)
      )
        entries.push([name, null, data[name]]);
    }
    await writeHistory(
      tx,
      e,
      id,
      'create',
      entries.length ? entries : [[null, null, null]],
      actor.id,
      ts,
    );
    await this.assertStillAllowed(tx, e, id, 'create', actor);
    const created: RecordData = { ...data, id, owner: row.owner, createdBy: actor.id, version: 1 };
    await this.hooks.afterWrite(
      tx,
      event(e, id, 'create', null, created, Object.keys(data), actor),
    );
    return id;
  }

  private async applyPatch(
    tx: Db,
    e: CompiledEntity,
    id: number,
    patch: RecordData & { version: number },
    actor: Actor,
  ): Promise<void> {
    const { version, ...changes } = patch;
    const allowed = actor.access ? await actor.access.rows(e, 'update') : ALL_ROWS;
    const currentRows = await tx.query(
      `SELECT ${selectColumns(e)
        .map((c) => `t.${q(c)}`)
        .join(
          ', ',
        )} FROM ${q(e.table)} t WHERE t.id = ? AND t.deleted_at IS NULL AND ${allowed.sql}`,
      [id, ...allowed.params],
    );
    if (!currentRows.length) throw await this.unreachable(tx, e, id, 'update', actor);
    // unmasked: rules, history and the unchanged-value check need the whole record; it never
    // leaves this method (a conflict shows the record as the user may read it)
    const [current] = await this.reader.hydrate(e, currentRows, undefined, [], tx);
    if (current.version !== version) throw await this.conflictAsSeen(tx, e, id, actor);
    const merged = { ...current, ...changes };
    const ruleErrs = ruleErrors(
      e,
      merged,
      actor.locale,
      this.feelOptions,
      this.computed.shallowRule(e),
    );
    if (ruleErrs.length) throw invalidRecord(e, ruleErrs);
    await this.checkReferences(tx, e, changes, actor, current);
    // formulas over the merged record join the patch: one UPDATE, one version, in its history
    const computed = await this.computed.computeOwn(tx, e, merged, false);
    Object.assign(changes, computed);
    const deepErrs = await this.computed.deepRuleErrors(tx, e, merged, actor.locale);
    if (deepErrs.length) throw invalidRecord(e, deepErrs);
    const ts = toDbTimestamp(this.clock.now());
    const row = toRow(e, changes);
    if ('owner' in changes) row.owner = changes.owner as SqlParam;
    const cols = Object.keys(row);
    const sets = [
      ...cols.map((c) => `${q(c)} = ?`),
      'version = version + 1',
      'updated_at = ?',
      'updated_by = ?',
    ];
    let affected: number;
    try {
      ({ affected } = await tx.execute(
        `UPDATE ${q(e.table)} SET ${sets.join(', ')} WHERE id = ? AND version = ? AND deleted_at IS NULL`,
        [...cols.map((c) => row[c]), ts, actor.id, id, version],
      ));
    } catch (err) {
      throw uniqueViolationError(e, err);
    }
    if (affected === 0) {
      // Lost a race with a concurrent update between our read and write.
      throw await this.conflictAsSeen(tx, e, id, actor);
    }
    // the lock asks about the fields this patch changes, not those a form sent back unchanged
    const changed = Object.keys(changes).filter(
      (k) =>
        !(k in computed) &&
        JSON.stringify(current[k] ?? null) !== JSON.stringify(changes[k] ?? null),
    );
    await this.hooks.check(tx, { entity: e, id, kind: 'update', fields: changed, actor });
    // history records the lists as stored, hidden links included (readers see them filtered)
    const stored: RecordData = { ...changes };
    for (const [name, f] of Object.entries(e.fields)) {
      if (isM2M(f) && Array.isArray(changes[name]))
        stored[name] = await this.replaceLinks(tx, e, name, id, changes[name] as number[], actor);
    }
    const entries: Array<[string, unknown, unknown]> = [];
    for (const [name, v] of Object.entries(stored)) {
      const old = current[name] ?? null;
      if (JSON.stringify(old) !== JSON.stringify(v ?? null)) entries.push([name, old, v ?? null]);
    }
    if (entries.length) await writeHistory(tx, e, id, 'update', entries, actor.id, ts);
    await this.assertStillAllowed(tx, e, id, 'update', actor);
    const updated = { ...merged, ...stored, version: version + 1, updatedBy: actor.id };
    const fields = Object.keys(changes);
    await this.hooks.afterWrite(tx, event(e, id, 'update', current, updated, fields, actor));
  }

  /**
   * Why a write found no row: a record the user cannot even read is "not found" (no enumeration);
   * one they can read but not change is a logged 403.
   */
  private async unreachable(
    tx: Db,
    e: CompiledEntity,
    id: number,
    action: 'update' | 'delete',
    actor: Actor,
    withDeleted = false,
  ): Promise<CrmError> {
    if (!actor.access) return notFoundError(e, id);
    let seen: RecordData;
    try {
      seen = await this.get(e.name, id, { access: actor.access, withDeleted }, tx);
    } catch {
      return notFoundError(e, id);
    }
    // say why when a role says so ("a quote in approval cannot be changed")
    const why = actor.access.denialReason?.(e, action, seen);
    return actor.access.deny(
      action,
      `${e.name}/${id}`,
      why ?? `no rule lets you ${action} this record`,
    );
  }

  async remove(entityName: string, id: number, actor: Actor, version?: number): Promise<void> {
    const e = this.entity(entityName);
    await this.loadAccess(e, ['delete'], actor);
    await this.db.transaction(async (tx) => {
      let current: RecordData;
      try {
        current = await this.get(entityName, id, { access: actor.access, action: 'delete' }, tx);
      } catch (err) {
        if (err instanceof CrmError && err.code === ErrorCode.RecordNotFound)
          throw await this.unreachable(tx, e, id, 'delete', actor);
        throw err;
      }
      if (version !== undefined && current.version !== version)
        throw await this.conflictAsSeen(tx, e, id, actor);
      const ts = toDbTimestamp(this.clock.now());
      const r = await tx.execute(
        `UPDATE ${q(e.table)} SET deleted_at = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ? AND deleted_at IS NULL`,
        [ts, ts, actor.id, id, current.version as number],
      );
      if (r.affected === 0) throw await this.conflictAsSeen(tx, e, id, actor);
      await this.hooks.check(tx, { entity: e, id, kind: 'delete', fields: [], actor });
      await writeHistory(tx, e, id, 'delete', [[null, null, null]], actor.id, ts);
      // the listeners see the whole record, not the user's masked view of it
      const old = await this.get(entityName, id, { withDeleted: true }, tx);
      await this.hooks.afterWrite(tx, event(e, id, 'delete', old, null, [], actor));
    });
  }

  /** Restoring undoes a delete, so it needs `delete` on the record (not `update`). */
  async restore(entityName: string, id: number, actor: Actor): Promise<RecordData> {
    const e = this.entity(entityName);
    await this.loadAccess(e, ['delete'], actor);
    await this.db.transaction(async (tx) => {
      let current: RecordData;
      try {
        current = await this.get(
          entityName,
          id,
          { withDeleted: true, access: actor.access, action: 'delete' },
          tx,
        );
      } catch (err) {
        if (err instanceof CrmError && err.code === ErrorCode.RecordNotFound)
          throw await this.unreachable(tx, e, id, 'delete', actor, true);
        throw err;
      }
      const notDeleted = async () => {
        const seen = await this.seenAs(tx, e, id, actor);
        return new CrmError(
          ErrorCode.VersionConflict,
          `${e.name} ${id} is not deleted`,
          [{ path: '/deletedAt', message: 'record is not deleted' }],
          seen ? { current: seen } : undefined,
        );
      };
      if (current.deletedAt === null) throw await notDeleted();
      const ts = toDbTimestamp(this.clock.now());
      // conditional: of concurrent restores of one record the first wins, the others find it
      // restored (MySQL re-reads the row once the winner's lock is released) and answer 409
      const done = await tx.execute(
        `UPDATE ${q(e.table)} SET deleted_at = NULL, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND deleted_at IS NOT NULL`,
        [ts, actor.id, id],
      );
      if (done.affected !== 1) throw await notDeleted();
      await writeHistory(tx, e, id, 'restore', [[null, null, null]], actor.id, ts);
      const back = await this.get(entityName, id, {}, tx);
      await this.hooks.afterWrite(tx, event(e, id, 'restore', null, back, [], actor));
    });
    return this.readBack(entityName, id, actor);
  }

  async history(entityName: string, id: number, access?: RecordAccess): Promise<HistoryEntry[]> {
    const e = this.entity(entityName);
    await this.get(entityName, id, { withDeleted: true, access });
    return readHistory(this.db, (n) => this.entity(n), e, id, access);
  }

  private async replaceLinks(
    tx: Db,
    e: CompiledEntity,
    field: string,
    id: number,
    targets: number[],
    actor: Actor,
  ): Promise<number[]> {
    const target = this.entity(e.fields[field].target!);
    return replaceLinks(tx, e, field, target, id, targets, actor.access);
  }

  /**
   * Relations must point at live records and files at stored files, both reachable by the writer;
   * checked, with the field named. `current`: the record an update changes.
   */
  private async checkReferences(
    tx: Db,
    e: CompiledEntity,
    data: RecordData,
    actor: Actor,
    current?: RecordData,
  ): Promise<void> {
    const errors = await referenceErrors(tx, (name) => this.entity(name), e, data, {
      access: actor.access,
      current,
      mayReadFile: (fileId, uploader) => this.canReadFile(fileId, uploader, actor, tx),
    });
    if (errors.length) throw invalidRecord(e, errors);
  }

  /**
   * The record as the user may read it now, masked like a GET (soft-deleted ones too: the trash is
   * readable under the same conditions); undefined if they may not read it at all.
   */
  private async seenAs(
    tx: Db,
    e: CompiledEntity,
    id: number,
    actor: Actor,
  ): Promise<RecordData | undefined> {
    // asking first keeps a user who may update but not read from logging a read denial
    if ((await readCondition(actor.access, e)) === null) return undefined;
    try {
      return await this.get(e.name, id, { withDeleted: true, access: actor.access }, tx);
    } catch (err) {
      if (err instanceof CrmError && err.code === ErrorCode.RecordNotFound) return undefined;
      throw err;
    }
  }

  /** A 409 whose `current` shows no more than a GET would: an error body is a read too. */
  private async conflictAsSeen(
    tx: Db,
    e: CompiledEntity,
    id: number,
    actor: Actor,
  ): Promise<CrmError> {
    const current = await this.seenAs(tx, e, id, actor);
    return new CrmError(
      ErrorCode.VersionConflict,
      current
        ? `${e.name} ${id} was changed by someone else (now at version ${String(current.version)})`
        : `${e.name} ${id} was changed by someone else`,
      [{ path: '/version', message: 'stale version' }],
      current ? { current } : undefined,
    );
  }
}

const event = (
  entity: CompiledEntity,
  id: number,
  kind: RecordWriteEvent['kind'],
  old: RecordData | null,
  now: RecordData | null,
  fields: string[],
  actor: Actor,
): RecordWriteEvent => ({ entity, id, kind, old, new: now, fields, actor });
