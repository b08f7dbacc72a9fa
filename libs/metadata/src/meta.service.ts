import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  type Dialect,
  ErrorCode,
  type ErrorDetail,
  toDbTimestamp,
  fromDbTimestamp,
  withNamedLock,
  q,
} from '@crm/common';
import {
  ApplyJournal,
  type UnfinishedApply,
  unavailableEntities,
  waitForOrphanDdl,
} from './apply-journal';
import { type DocumentChange, diffDocuments, documentVersion, planHash } from './document-changes';
import { DraftStore, overlayDraft } from './drafts';
import { tableName } from './compile-schema';
import { mergeFiles } from './files-merge';
import { loadMetadataDir } from './loader';
import { type MetadataModel, buildModel } from './model';
import { entityTables } from './storage/entity-tables';
import { introspect } from './storage/introspect';
import { tableLimitErrors } from './storage/limits';
import { type PlannedChange, planChanges } from './storage/planner';
import { SYSTEM_TABLES } from './storage/system-tables';
import {
  DOCUMENT_KINDS,
  type EntityDocument,
  type MetadataDocument,
  type SourcedDocument,
  docKey,
} from './types';
import { validateDocuments } from './validate';

export interface Plan {
  /** Revision the plan was computed against. */
  baseRevision: number;
  changes: PlannedChange[];
  destructive: string[];
  blocked: Array<{ id: string; reason: string }>;
  /** Every document the apply makes live that differs from the live one, DDL or not. */
  documentChanges: DocumentChange[];
  /**
   * Hash of the DDL and of every document the apply will make live: apply can insist that what it
   * runs is exactly what was reviewed.
   */
  hash: string;
  documents: number;
}

export interface ApplyOptions {
  actor: string;
  source: 'api' | 'files' | 'cli' | 'rollback';
  message?: string;
  /** Ids of destructive changes the user confirms. */
  confirm?: string[];
  /** Leave out destructive changes instead of refusing (rollback, start-up). */
  nonDestructive?: boolean;
  planHash?: string;
  filesHash?: string;
  /** The documents as metadata/ has them, when they differ from what is applied (merged). */
  filesDocuments?: MetadataDocument[];
  rollbackOf?: number;
  /** Called before each DDL statement, for progress output on long work. */
  onProgress?: (done: number, total: number, sql: string) => void;
}

export interface RevisionSummary {
  id: number;
  createdAt: string | null;
  actor: string | null;
  source: string;
  message: string | null;
  rollbackOf: number | null;
  changes: Array<Pick<PlannedChange, 'id' | 'effect' | 'ddl' | 'destructive'>>;
}

export interface Revision extends RevisionSummary {
  documents: MetadataDocument[];
}

const MANAGED_PREFIXES = ['e_', 'j_'];

export function hashFiles(files: Array<{ file: string; text: string }>): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.file.localeCompare(b.file)))
    h.update(`${f.file}\0${f.text}\0`);
  return h.digest('hex');
}

const canonical = (docs: MetadataDocument[]): string =>
  JSON.stringify([...docs].sort((a, b) => docKey(a).localeCompare(docKey(b))));

/**
 * Every problem of the documents: meta-schemas, references, and what the database would refuse
 * (column names that clash; with a dialect, its row size and column limits).
 */
export function documentErrors(docs: SourcedDocument[], dialect?: Dialect): ErrorDetail[] {
  const errors = validateDocuments(docs);
  for (const s of docs) {
    if (s.doc?.kind !== 'entity') continue;
    let limits: ErrorDetail[];
    try {
      limits = tableLimitErrors(s.doc, dialect);
    } catch {
      continue; // too malformed for tables: the meta-schema errors say why
    }
    const key = docKey(s.doc);
    const reported = new Set(errors.filter((e) => e.document === key).map((e) => e.path));
    for (const e of limits)
      if (!reported.has(e.path))
        errors.push({ ...e, document: key, file: s.files[s.files.length - 1] });
  }
  return errors;
}

/** Throws the one METADATA_INVALID error carrying every problem. */
export function assertValid(
  docs: SourcedDocument[],
  extra: ErrorDetail[] = [],
  dialect?: Dialect,
): void {
  const errors = [...extra, ...documentErrors(docs, dialect)];
  if (errors.length) {
    throw new CrmError(
      ErrorCode.MetadataInvalid,
      `metadata has ${errors.length} error${errors.length === 1 ? '' : 's'}`,
      errors,
    );
  }
}

/**
 * Owns the metadata lifecycle: draft documents, plan (diff against the live database), apply
 * (DDL + a recorded revision), revisions, rollback and the live compiled model.
 */
@Injectable()
export class MetaService {
  private readonly log = new Logger('metadata');
  private current: MetadataModel = buildModel([], 0);
  private readonly listeners: Array<(m: MetadataModel) => void> = [];
  private pollTimer?: NodeJS.Timeout;
  private readonly drafts: DraftStore;
  private readonly journal: ApplyJournal;
  /** Applies that stopped half-way (MySQL), and the entities refused until one finishes them. */
  private unfinished: UnfinishedApply[] = [];
  private unavailable = new Map<string, string>();
  private unfinishedKey = '';

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.drafts = new DraftStore(db, clock);
    this.journal = new ApplyJournal(db, clock);
  }

  get model(): MetadataModel {
    return this.current;
  }

  onModelChange(fn: (m: MetadataModel) => void): void {
    this.listeners.push(fn);
  }

  /** Creates/widens the engine's own tables and loads the live model. */
  async init(): Promise<void> {
    await withNamedLock(this.db, 'crm_meta_apply', async () => {
      const live = await introspect(this.db, ['crm_']);
      const changes = planChanges({
        desired: SYSTEM_TABLES,
        live,
        dialect: this.db.dialect,
        managedPrefixes: [],
      });
      await this.execute(changes.filter((c) => !c.destructive));
    });
    await this.reload();
    await this.refreshUnfinished(false);
  }

  /**
   * Finds applies that stopped half-way (a killed process, a refused statement) and refuses the
   * entities whose tables no longer have every column the live model reads. `lockHeld`: the
   * caller holds the apply lock, so no apply can be running; otherwise a journal row still
   * `running` may be another node's apply in progress, and is left for the next look.
   */
  private async refreshUnfinished(lockHeld: boolean): Promise<void> {
    if (this.db.dialect !== 'mysql') return;
    const rows = await this.journal.unfinished();
    if (rows.length && !lockHeld) {
      const [r] = await this.db.query<{ free: number | string | null }>(
        `SELECT IS_FREE_LOCK('crm_meta_apply') AS free`,
      );
      if (Number(r.free) !== 1) return;
    }
    // polled every few seconds: introspect (row counts included) only when something moved
    const key = `${this.current.revision}|${rows.map((r) => `${r.id}:${r.state}:${r.done}`).join(',')}`;
    if (key === this.unfinishedKey) return;
    this.unfinishedKey = key;
    const unavailable = new Map<string, string>();
    if (rows.length) {
      await waitForOrphanDdl(
        this.db,
        rows.flatMap((r) => r.entities.map(tableName)),
      );
      const live = await introspect(this.db, MANAGED_PREFIXES);
      const entities = this.current.documents.filter(
        (d): d is EntityDocument => d.kind === 'entity',
      );
      for (const [name, reason] of unavailableEntities(rows, entities, live))
        unavailable.set(name, reason);
      if (!this.unfinished.length)
        this.log.warn(
          `${rows.length} metadata apply(s) stopped half-way (${rows.map((r) => `#${r.id}: ${r.done}/${r.total}`).join(', ')}); unavailable: ${[...unavailable.keys()].join(', ') || 'none'}`,
        );
    }
    this.unfinished = rows;
    this.unavailable = unavailable;
  }

  /** A crashed apply's last statement may still be running on the server: let it end first. */
  private async settleUnfinished(): Promise<void> {
    if (this.unfinished.length)
      await waitForOrphanDdl(
        this.db,
        this.unfinished.flatMap((r) => r.entities.map(tableName)),
      );
  }

  /** Throws ENTITY_UNAVAILABLE (503) while a half-done apply left the entity's table unreadable. */
  assertAvailable(entity: string): void {
    const reason = this.unavailable.get(entity);
    if (reason)
      throw new CrmError(ErrorCode.EntityUnavailable, reason, [
        { path: 'entity', message: `${entity} is being migrated` },
      ]);
  }

  /** For health: applies that stopped half-way and the entities refused meanwhile. */
  applyStatus(): { unfinished: UnfinishedApply[]; unavailable: string[] } {
    return { unfinished: this.unfinished, unavailable: [...this.unavailable.keys()] };
  }

  startPolling(): void {
    if (this.config.metaPollMs <= 0) return;
    // Another node may apply metadata; pick the new revision up without a restart.
    this.pollTimer = setInterval(() => {
      void this.latestRevisionId()
        .then((id) => (id !== this.current.revision ? this.reload() : undefined))
        .then(() => this.refreshUnfinished(false))
        .catch((e: Error) => this.log.warn(`metadata poll failed: ${e.message}`));
    }, this.config.metaPollMs);
    this.pollTimer.unref();
  }

  stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
  }

  private async latestRevisionId(): Promise<number> {
    const [row] = await this.db.query<{ id: number }>(
      'SELECT MAX(id) AS id FROM crm_meta_revision',
    );
    return Number(row?.id ?? 0);
  }

  async reload(): Promise<void> {
    const [row] = await this.db.query<{ id: number; documents: string }>(
      'SELECT id, documents FROM crm_meta_revision ORDER BY id DESC LIMIT 1',
    );
    this.current = row ? buildModel(JSON.parse(row.documents), Number(row.id)) : buildModel([], 0);
    for (const l of this.listeners) l(this.current);
  }

  /** Applies metadata/ (+ client overlay) when the files changed since they were last applied. */
  async syncFromFiles(actor = 'system'): Promise<{ applied: boolean; plan?: Plan }> {
    const loaded = loadMetadataDir(this.config.metadataDir, this.config.client);
    assertValid(loaded.documents, loaded.errors);
    const filesHash = hashFiles(loaded.files);
    const files = loaded.documents.map((s) => s.doc);
    const [last] = await this.db.query<{
      files_hash: string | null;
      documents: string;
      files_documents: string | null;
    }>(
      `SELECT files_hash, documents, files_documents FROM crm_meta_revision WHERE source = 'files' ORDER BY id DESC LIMIT 1`,
    );
    if (last && last.files_hash === filesHash) return { applied: false };
    const base = last
      ? (JSON.parse(last.files_documents ?? last.documents) as MetadataDocument[])
      : [];
    const merged = mergeFiles(base, this.current.documents, files);
    if (merged.keptEdits.length)
      this.log.log(
        `metadata/ changed; kept what was edited through the API and not in the files: ${merged.keptEdits.join(', ')}`,
      );
    if (merged.conflicts.length)
      this.log.warn(
        `metadata/ changes ${merged.conflicts.join(', ')}, which were also edited through the API since the files were applied: the live edits are kept; "crm apply" applies the files as they are`,
      );
    const docs = merged.documents;
    const plan = await this.planDocuments(docs);
    if (plan.changes.length === 0 && canonical(docs) === canonical(this.current.documents)) {
      return { applied: false, plan };
    }
    if (plan.destructive.length) {
      // Soft by default: start-up never drops or narrows; it says what it left for a confirmed apply.
      this.log.warn(
        `metadata/ also asks for ${plan.destructive.length} destructive change(s), left undone: ${plan.destructive.join(', ')}; run "crm plan" and "crm apply --confirm <id>"`,
      );
    }
    await this.applyDocuments(docs, {
      actor,
      source: 'files',
      filesHash,
      filesDocuments: files,
      message: (merged.conflicts.length
        ? `metadata/ files (kept live edits of ${merged.conflicts.join(', ')})`
        : 'metadata/ files'
      ).slice(0, 500),
      nonDestructive: true,
    });
    return { applied: true, plan };
  }

  // ---- draft documents -------------------------------------------------------------------

  /** The draft: live documents with the pending edits laid over them. */
  async draftDocuments(): Promise<MetadataDocument[]> {
    return overlayDraft(this.current.documents, await this.drafts.rows());
  }

  /** Another node may have applied since this one loaded its model: catch up first. */
  private async reloadIfBehind(): Promise<void> {
    if ((await this.latestRevisionId()) !== this.current.revision) await this.reload();
  }

  async listDocuments(kind?: string): Promise<
    Array<{
      kind: string;
      name: string;
      status: string;
      version: string;
      document: MetadataDocument;
    }>
  > {
    const live = new Map(this.current.documents.map((d) => [docKey(d), d]));
    const draft = await this.draftDocuments();
    return draft
      .filter((d) => !kind || d.kind === kind)
      .map((d) => {
        const was = live.get(docKey(d));
        const version = documentVersion(d);
        const status = !was ? 'added' : documentVersion(was) === version ? 'live' : 'changed';
        return { kind: d.kind, name: d.name, status, version, document: d };
      });
  }

  async getDocument(kind: string, name: string): Promise<MetadataDocument> {
    return (await this.getVersioned(kind, name)).document;
  }

  /** A draft document and its version (what an editor sends back in If-Match). */
  async getVersioned(
    kind: string,
    name: string,
  ): Promise<{ document: MetadataDocument; version: string }> {
    const d = (await this.draftDocuments()).find((x) => x.kind === kind && x.name === name);
    if (!d)
      throw new CrmError(ErrorCode.DocumentNotFound, `no ${kind} document named "${name}"`, [
        { path: `${kind}/${name}`, message: 'not found' },
      ]);
    return { document: d, version: documentVersion(d) };
  }

  /**
   * Validates one document and stores it in the draft. With `expectedVersion` (the version the
   * editor read) a colleague's edit in between is a DRAFT_CONFLICT carrying the current document,
   * never silently overwritten.
   */
  async putDocument(
    kind: string,
    name: string,
    body: unknown,
    actor: string,
    expectedVersion?: string,
  ): Promise<{ document: MetadataDocument; version: string }> {
    this.assertKind(kind);
    const doc = { ...(body as Record<string, unknown>), kind, name } as unknown as EntityDocument;
    if (body && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const mismatch: ErrorDetail[] = [];
      if (b.kind !== undefined && b.kind !== kind)
        mismatch.push({ path: '/kind', message: `must be "${kind}" (from the URL)` });
      if (b.name !== undefined && b.name !== name)
        mismatch.push({ path: '/name', message: `must be "${name}" (from the URL)` });
      if (mismatch.length)
        throw new CrmError(
          ErrorCode.MetadataInvalid,
          'document does not match its URL',
          mismatch.map((m) => ({ ...m, document: `${kind}/${name}` })),
        );
    }
    // every problem of this document at once: its shape, what it refers to (a relation's target,
    // a role's fields) as the draft has them, and what this database would refuse
    const key = `${kind}/${name}`;
    const others = (await this.draftDocuments()).filter((d) => docKey(d) !== key);
    const errors = documentErrors(
      [...others, doc].map((d) => ({ doc: d, files: [docKey(d)] })),
      this.db.dialect,
    )
      .filter((e) => e.document === key)
      .map(({ file: _file, ...e }) => e);
    if (errors.length) {
      throw new CrmError(
        ErrorCode.MetadataInvalid,
        `document ${kind}/${name} has ${errors.length} error(s)`,
        errors,
      );
    }
    const version = await this.writeDraft(kind, name, doc, actor, expectedVersion);
    return { document: doc, version };
  }

  async deleteDocument(
    kind: string,
    name: string,
    actor: string,
    expectedVersion?: string,
  ): Promise<void> {
    await this.getDocument(kind, name);
    await this.writeDraft(kind, name, null, actor, expectedVersion);
  }

  async discardDraft(): Promise<void> {
    await this.drafts.discard();
  }

  private async writeDraft(
    kind: string,
    name: string,
    doc: MetadataDocument | null,
    actor: string,
    expectedVersion: string | undefined,
  ): Promise<string> {
    await this.reloadIfBehind();
    const live = this.current.documents.find((d) => d.kind === kind && d.name === name) ?? null;
    return this.drafts.write({ kind, name }, doc, actor, expectedVersion, live);
  }

  private assertKind(kind: string): void {
    if (!DOCUMENT_KINDS.includes(kind as never)) {
      throw new CrmError(
        ErrorCode.DocumentNotFound,
        `unknown document kind "${kind}" (known: ${DOCUMENT_KINDS.join(', ')})`,
        [{ path: 'kind', message: 'unknown kind' }],
      );
    }
  }

  // ---- plan & apply ----------------------------------------------------------------------

  async planDraft(): Promise<Plan> {
    await this.reloadIfBehind(); // the plan a reviewer sees is over the latest revision
    await this.settleUnfinished();
    return this.planDocuments(await this.draftDocuments());
  }

  async applyDraft(opts: ApplyOptions): Promise<{ revision: number; plan: Plan }> {
    return withNamedLock(this.db, 'crm_meta_apply', async () => {
      // Another node may have applied since this one loaded its model: the draft is laid over
      // the latest revision, never over a stale copy that would undo the other node's work.
      await this.reload();
      await this.settleUnfinished();
      const rows = await this.drafts.rows();
      const out = await this.applyUnlocked(overlayDraft(this.current.documents, rows), opts);
      // Only the edits this apply made live leave the draft: one saved while it ran stays.
      await this.drafts.clearApplied(rows);
      return out;
    });
  }

  /** Validates the documents and diffs their tables against the live database. */
  async planDocuments(docs: MetadataDocument[], nonDestructive = false): Promise<Plan> {
    assertValid(
      docs.map((doc) => ({ doc, files: [`${doc.kind}/${doc.name}`] })),
      [],
      this.db.dialect,
    );
    const desired = docs
      .filter((d): d is EntityDocument => d.kind === 'entity')
      .flatMap(entityTables);
    const live = await introspect(this.db, MANAGED_PREFIXES);
    let changes = planChanges({
      desired,
      live,
      dialect: this.db.dialect,
      managedPrefixes: MANAGED_PREFIXES,
      skipDestructive: nonDestructive,
    });
    if (nonDestructive) changes = changes.filter((c) => !c.destructive);
    const blocked = await this.findBlocked(changes, live);
    for (const b of blocked) {
      const c = changes.find((x) => x.id === b.id);
      if (c) c.blocked = b.reason;
    }
    return {
      baseRevision: this.current.revision,
      changes,
      destructive: changes.filter((c) => c.destructive).map((c) => c.id),
      blocked,
      documentChanges: diffDocuments(this.current.documents, docs),
      hash: planHash(changes, docs),
      documents: docs.length,
    };
  }

  /** A unique index cannot be added over duplicate values: say how many, before anything runs. */
  private async findBlocked(
    changes: PlannedChange[],
    live: Array<{ name: string; columns: Array<{ name: string }>; rowCount: number }>,
  ) {
    const out: Array<{ id: string; reason: string }> = [];
    for (const c of changes) {
      if (c.kind !== 'addIndex' || !c.ddl[0].includes('UNIQUE')) continue;
      const t = live.find((x) => x.name === c.table);
      if (!t || t.rowCount === 0) continue;
      const cols = /\(([^)]*)\)/.exec(c.ddl[0].replace(/^.*INDEX [^(]*/, ''))?.[1];
      if (!cols) continue;
      const nocase = cols.includes('COLLATE NOCASE');
      const names = cols
        .split(',')
        .map((s) => s.replace(' COLLATE NOCASE', '').trim().replace(/`/g, ''));
      if (!names.every((n) => t.columns.some((col) => col.name === n))) continue;
      // group as the index will compare: without case (MySQL's collation, SQLite's NOCASE)
      const list = names.map((n) => (nocase ? `${q(n)} COLLATE NOCASE` : q(n))).join(', ');
      const [row] = await this.db.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT ${list} FROM ${q(c.table)} WHERE ${names.map((n) => `${q(n)} IS NOT NULL`).join(' AND ')} GROUP BY ${list} HAVING COUNT(*) > 1) d`,
      );
      if (Number(row.n) > 0)
        out.push({
          id: c.id,
          reason: `${row.n} value(s) occur more than once in ${names.join(', ')}`,
        });
    }
    return out;
  }

  async applyDocuments(
    docs: MetadataDocument[],
    opts: ApplyOptions,
  ): Promise<{ revision: number; plan: Plan }> {
    return withNamedLock(this.db, 'crm_meta_apply', () => this.applyUnlocked(docs, opts));
  }

  /** Applies under the caller's cluster-wide apply lock. */
  private async applyUnlocked(
    docs: MetadataDocument[],
    opts: ApplyOptions,
  ): Promise<{ revision: number; plan: Plan }> {
    const plan = await this.planDocuments(docs, opts.nonDestructive);
    if (opts.planHash && opts.planHash !== plan.hash) {
      throw new CrmError(
        ErrorCode.PlanStale,
        `the draft or the database changed since plan ${opts.planHash} was made: nothing was applied; plan again and review plan ${plan.hash}`,
        [{ path: 'planHash', message: `the plan is now ${plan.hash}` }],
        { plan },
      );
    }
    const unconfirmed = plan.destructive.filter((id) => !(opts.confirm ?? []).includes(id));
    if (unconfirmed.length) {
      throw new CrmError(
        ErrorCode.DestructiveChangeUnconfirmed,
        `${unconfirmed.length} destructive change(s) need explicit confirmation`,
        unconfirmed.map((id) => ({
          path: id,
          message: plan.changes.find((c) => c.id === id)!.effect,
        })),
        { plan },
      );
    }
    if (plan.blocked.length) {
      throw new CrmError(
        ErrorCode.PlanBlocked,
        'the plan cannot be applied to the current data',
        plan.blocked.map((b) => ({ path: b.id, message: b.reason })),
        { plan },
      );
    }
    const journalId =
      this.db.dialect === 'mysql' && plan.changes.some((c) => c.ddl.length)
        ? await this.journal.begin(opts.actor, plan.changes)
        : null;
    let revision: number;
    try {
      revision = await this.applyPlan(plan, docs, opts, journalId);
    } catch (e) {
      if (journalId !== null) {
        await this.journal.fail(journalId, (e as Error).message);
        await this.refreshUnfinished(true);
      }
      throw e;
    }
    this.log.log(`applied revision ${revision}: ${plan.changes.length} change(s) by ${opts.actor}`);
    await this.reload();
    await this.refreshUnfinished(true);
    return { revision, plan };
  }

  private async applyPlan(
    plan: Plan,
    docs: MetadataDocument[],
    opts: ApplyOptions,
    journalId: number | null,
  ): Promise<number> {
    return this.execute(
      plan.changes,
      async (tx) => {
        const r = await tx.execute(
          `INSERT INTO crm_meta_revision (created_at, actor, source, message, documents, changes, files_hash, rollback_of, files_documents) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            toDbTimestamp(this.clock.now()),
            opts.actor,
            opts.source,
            opts.message ?? null,
            JSON.stringify(docs),
            JSON.stringify(
              plan.changes.map(({ id, effect, ddl, destructive }) => ({
                id,
                effect,
                ddl,
                destructive,
              })),
            ),
            opts.filesHash ?? null,
            opts.rollbackOf ?? null,
            opts.filesDocuments ? JSON.stringify(opts.filesDocuments) : null,
          ],
        );
        await this.journal.finish(journalId, r.insertId, tx);
        return r.insertId;
      },
      opts.onProgress,
      journalId,
    );
  }

  /**
   * Runs DDL. SQLite runs it in one transaction with the revision row. MySQL commits DDL
   * implicitly, so statements run one by one; planning again after a failure resumes the work.
   */
  private async execute<T>(
    changes: PlannedChange[],
    record?: (tx: Db) => Promise<T>,
    onProgress?: (done: number, total: number, sql: string) => void,
    journalId: number | null = null,
  ): Promise<T> {
    const statements = changes.flatMap((c) => c.ddl);
    if (this.db.dialect === 'sqlite') {
      return this.db.transaction(async (tx) => {
        for (const [i, sql] of statements.entries()) {
          onProgress?.(i, statements.length, sql);
          await tx.execute(sql);
        }
        return record ? record(tx) : (undefined as T);
      });
    }
    for (const [i, sql] of statements.entries()) {
      onProgress?.(i, statements.length, sql);
      await this.runMysqlDdl(sql);
      if (journalId !== null) await this.journal.step(journalId, i + 1);
    }
    return record ? this.db.transaction(record) : (undefined as T);
  }

  /** Prefers online DDL; falls back when MySQL/MariaDB cannot do it INSTANT or INPLACE. */
  private async runMysqlDdl(sql: string): Promise<void> {
    const attempts = [sql];
    if (sql.includes('ALGORITHM=INSTANT'))
      attempts.push(sql.replace('ALGORITHM=INSTANT', 'ALGORITHM=INPLACE'));
    if (/ALGORITHM=(INSTANT|INPLACE)/.test(sql))
      attempts.push(sql.replace(/, ALGORITHM=\w+(, LOCK=\w+)?/, ''));
    let last: unknown;
    for (const attempt of attempts) {
      try {
        await this.db.execute(attempt);
        return;
      } catch (e) {
        const errno = (e as { driverError?: { errno?: number } }).driverError?.errno;
        // 1845/1846: operation not supported with this ALGORITHM/LOCK
        if (errno !== 1845 && errno !== 1846 && errno !== 4092) throw e;
        last = e;
      }
    }
    throw last;
  }

  // ---- revisions -------------------------------------------------------------------------

  async listRevisions(): Promise<RevisionSummary[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT id, created_at, actor, source, message, rollback_of, changes FROM crm_meta_revision ORDER BY id DESC',
    );
    return rows.map((r) => this.toRevision(r));
  }

  async getRevision(id: number): Promise<Revision> {
    const [r] = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_meta_revision WHERE id = ?',
      [id],
    );
    if (!r)
      throw new CrmError(ErrorCode.RevisionNotFound, `no revision ${id}`, [
        { path: 'id', message: 'not found' },
      ]);
    return { ...this.toRevision(r), documents: JSON.parse(String(r.documents)) };
  }

  private toRevision(r: Record<string, unknown>): RevisionSummary {
    return {
      id: Number(r.id),
      createdAt: fromDbTimestamp(r.created_at),
      actor: (r.actor as string) ?? null,
      source: String(r.source),
      message: (r.message as string) ?? null,
      rollbackOf:
        r.rollback_of === null || r.rollback_of === undefined ? null : Number(r.rollback_of),
      changes: JSON.parse(String(r.changes)),
    };
  }

  /**
   * Makes revision `id`'s documents live again. Non-destructive: what the older documents no
   * longer have (columns, tables) stays in the database, unused, so nothing is lost.
   */
  async rollback(id: number, actor: string): Promise<{ revision: number; plan: Plan }> {
    const target = await this.getRevision(id);
    return this.applyDocuments(target.documents, {
      actor,
      source: 'rollback',
      nonDestructive: true,
      rollbackOf: id,
      message: `rollback to revision ${id}`,
    });
  }
}
