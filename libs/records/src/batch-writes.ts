import { CrmError, type Db, type ErrorDetail, ErrorCode, q } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';
import type { RecordData } from './codec';
import type { SqlFragment } from './filter';
import type { AccessAction, Actor } from './records.service';

/** Errors listed in one failed import answer (the total is in `totalErrors`). */
export const MAX_IMPORT_ERRORS = 100;

/** One row of an import: its number as the user sees it, the create body, conversion errors. */
export interface ImportItem {
  row: number;
  data: unknown;
  /** Cells that could not even be converted (relative to the row, e.g. `/extra`). */
  errors?: ErrorDetail[];
}

/**
 * The single-record write steps of RecordsService that a batch runs for each of its records
 * (validation, numbering, the insert and patch with their history, hooks and checks). The batch
 * writes — bulk and import — only add the all-or-nothing transaction and the error paths.
 */
export interface BatchWriter {
  db: Db;
  entity(name: string): CompiledEntity;
  prepareCreate(e: CompiledEntity, body: unknown, actor: Actor): RecordData;
  preparePatch(e: CompiledEntity, body: unknown): RecordData & { version: number };
  checkWriteAccess(
    e: CompiledEntity,
    action: 'create' | 'update',
    body: unknown,
    actor: Actor,
  ): void;
  loadAccess(e: CompiledEntity, actions: AccessAction[], actor: Actor): Promise<void>;
  takeNumbers(e: CompiledEntity, data: RecordData): Promise<void>;
  insert(tx: Db, e: CompiledEntity, data: RecordData, actor: Actor): Promise<number>;
  applyPatch(
    tx: Db,
    e: CompiledEntity,
    id: number,
    patch: RecordData & { version: number },
    actor: Actor,
  ): Promise<void>;
  readBack(entityName: string, id: number, actor: Actor): Promise<RecordData>;
}

const ALL_ROWS: SqlFragment = { sql: '1=1', params: [] };

/** Creates or updates many records of one entity in one transaction: all or nothing. */
export async function bulkWrite(
  w: BatchWriter,
  entityName: string,
  body: unknown,
  actor: Actor,
): Promise<{ data: RecordData[] }> {
  const e = w.entity(entityName);
  const items = (body as { records?: unknown })?.records;
  if (!Array.isArray(items) || items.length === 0 || items.length > 1000) {
    throw new CrmError(
      ErrorCode.RecordInvalid,
      'bulk takes { records: [...] } with 1 to 1000 records',
      [{ path: '/records', message: 'must be a list of 1 to 1000 records' }],
    );
  }
  type Op =
    | { kind: 'create'; data: RecordData }
    | { kind: 'update'; id: number; patch: RecordData & { version: number } };
  const ops: Op[] = [];
  const errors: ErrorDetail[] = [];
  items.forEach((item, i) => {
    try {
      const it = item as Record<string, unknown>;
      if (it && typeof it === 'object' && 'id' in it) {
        const { id, ...rest } = it;
        if (!Number.isInteger(id))
          throw new CrmError(ErrorCode.RecordInvalid, 'bad id', [
            { path: '/id', message: 'must be an integer' },
          ]);
        ops.push({ kind: 'update', id: id as number, patch: w.preparePatch(e, rest) });
      } else ops.push({ kind: 'create', data: w.prepareCreate(e, item, actor) });
    } catch (err) {
      if (!(err instanceof CrmError)) throw err;
      errors.push(
        ...(err.errors.length ? err.errors : [{ path: '', message: err.message }]).map((d) => ({
          ...d,
          path: `/records/${i}${d.path}`,
        })),
      );
    }
  });
  if (errors.length)
    throw new CrmError(
      ErrorCode.RecordInvalid,
      `${errors.length} error(s) in bulk records; nothing was written`,
      errors,
    );
  items.forEach((item) => {
    const { id, ...rest } = (item ?? {}) as Record<string, unknown>;
    w.checkWriteAccess(e, id === undefined ? 'create' : 'update', rest, actor);
  });
  await w.loadAccess(e, [...new Set(ops.map((o) => o.kind))], actor);
  for (const op of ops) if (op.kind === 'create') await w.takeNumbers(e, op.data);
  const ids = await w.db.transaction(async (tx) => {
    const out: number[] = [];
    for (const [i, op] of ops.entries()) {
      try {
        if (op.kind === 'create') out.push(await w.insert(tx, e, op.data, actor));
        else {
          await w.applyPatch(tx, e, op.id, op.patch, actor);
          out.push(op.id);
        }
      } catch (err) {
        if (err instanceof CrmError) {
          throw new CrmError(
            err.code,
            `record ${i}: ${err.message}; nothing was written`,
            // a detail's path is a pointer (/field) or a subject (quote/1, from a denial)
            err.errors.map((d) => ({
              ...d,
              path: `/records/${i}${!d.path || d.path.startsWith('/') ? '' : '/'}${d.path}`,
            })),
            err.extra,
          );
        }
        throw err;
      }
    }
    return out;
  });
  const data: RecordData[] = [];
  for (const id of ids) data.push(await w.readBack(entityName, id, actor));
  return { data };
}

/**
 * Creates the records of an import in one transaction: all or nothing. Needs `import` and
 * `create` on the entity and field-level create on every field any row writes. Each row goes
 * through the create path (validation, references, owner default, conditions); errors point at
 * `/rows/<row>/<field>` with the row as the caller numbers it. Validation errors of every row
 * come at once (the first MAX_IMPORT_ERRORS of them); database-level ones (a unique value, a
 * missing related record) stop at the first. A dry run does all of it, then rolls back.
 */
export async function importRecords(
  w: BatchWriter,
  entityName: string,
  items: ImportItem[],
  actor: Actor,
  opts: { dryRun?: boolean } = {},
): Promise<{ ids: number[] }> {
  const e = w.entity(entityName);
  const importable = actor.access ? await actor.access.rows(e, 'import') : ALL_ROWS;
  await w.loadAccess(e, ['create'], actor);
  const fields = new Set<string>();
  for (const it of items)
    if (it.data && typeof it.data === 'object') Object.keys(it.data).forEach((k) => fields.add(k));
  actor.access?.assertWrite(e, 'create', [...fields]);
  const errors: ErrorDetail[] = [];
  const prepared: Array<{ row: number; data: RecordData }> = [];
  for (const it of items) {
    // cells that could not be converted, then the create validation of the rest of the row
    const rowErrors: ErrorDetail[] = [...(it.errors ?? [])];
    try {
      const data = w.prepareCreate(e, it.data, actor);
      if (!rowErrors.length) prepared.push({ row: it.row, data });
    } catch (err) {
      if (!(err instanceof CrmError)) throw err;
      const taken = new Set(rowErrors.map((d) => d.path));
      const details = err.errors.length ? err.errors : [{ path: '', message: err.message }];
      rowErrors.push(...details.filter((d) => !taken.has(d.path)));
    }
    errors.push(...rowErrors.map((d) => ({ ...d, path: `/rows/${it.row}${d.path}` })));
  }
  if (errors.length)
    throw new CrmError(
      ErrorCode.RecordInvalid,
      `${errors.length} error(s) in the imported rows; nothing was written`,
      errors.slice(0, MAX_IMPORT_ERRORS),
      errors.length > MAX_IMPORT_ERRORS ? { totalErrors: errors.length } : undefined,
    );
  // A dry run takes no numbers: numbering inside its transaction would hold the counter's row
  // lock until the rollback and stall every other user's create for as long as the run lasts
  // (7.5 s for 10,000 rows). Its rows get placeholders no code rule produces instead.
  for (const p of prepared)
    if (opts.dryRun) dryRunNumbers(e, p.data, p.row);
    else await w.takeNumbers(e, p.data);
  const rollback = new Error('dry run');
  try {
    return await w.db.transaction(async (tx) => {
      const ids: number[] = [];
      for (const p of prepared) {
        try {
          ids.push(await w.insert(tx, e, p.data, actor));
        } catch (err) {
          if (!(err instanceof CrmError)) throw err;
          throw new CrmError(
            err.code,
            `row ${p.row}: ${err.message}; nothing was written`,
            (err.errors.length ? err.errors : [{ path: '', message: err.message }]).map((d) => ({
              ...d,
              path: `/rows/${p.row}${d.path.startsWith('/') ? d.path : ''}`,
            })),
            err.extra,
          );
        }
      }
      await assertImportable(tx, e, ids, prepared, importable, actor);
      if (opts.dryRun) throw rollback;
      return { ids };
    });
  } catch (err) {
    if (err === rollback) return { ids: [] };
    throw err;
  }
}

/**
 * The created rows must also satisfy the conditions of `import` (create's were checked row by
 * row): a role may let a manager import only records owned in their department.
 */
async function assertImportable(
  tx: Db,
  e: CompiledEntity,
  ids: number[],
  prepared: Array<{ row: number }>,
  importable: SqlFragment,
  actor: Actor,
): Promise<void> {
  if (!actor.access || importable.sql === ALL_ROWS.sql) return;
  const ok = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await tx.query<{ id: number }>(
      `SELECT t.id FROM ${q(e.table)} t WHERE t.id IN (${chunk.map(() => '?').join(', ')}) AND (${importable.sql})`,
      [...chunk, ...importable.params],
    );
    for (const r of rows) ok.add(Number(r.id));
  }
  const bad = ids.findIndex((id) => !ok.has(id));
  if (bad >= 0)
    throw actor.access.deny(
      'import',
      `${e.name}/new`,
      `row ${prepared[bad].row} would be outside the records you may import`,
    );
}

/** Stand-ins for a dry run's auto-numbers: unique per row, so unique indexes still hold. */
function dryRunNumbers(e: CompiledEntity, data: RecordData, row: number): void {
  for (const [name, f] of Object.entries(e.fields))
    if (f.type === 'autoNumber') data[name] = `~dry-run~${row}`;
}
