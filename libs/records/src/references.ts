import { type Db, type ErrorDetail, type SqlParam, q } from '@crm/common';
import { type CompiledEntity, junctionTableName } from '@crm/metadata';
import type { RecordData } from './codec';
import type { SqlFragment } from './filter';
import type { HistoryEntry, RecordAccess } from './records.service';

/**
 * What a write may point at, and which links a user may see or replace: relation ids must name
 * live records the writer may read, file ids files the writer may read. A target the writer may
 * not read answers exactly like a missing one, so writes cannot probe which ids exist.
 */

/**
 * Ids per `IN (…)` list. Lists that grow with user input or stored data are split: SQLite refuses
 * a statement with more than 32,766 bound variables, MySQL one with more than 65,535.
 */
export const IN_CHUNK = 500;

export function inChunks<T>(items: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * The user's read condition on `target` over alias `alias`; null when they may read none of it.
 * Without access (CLI, workflow steps) everything is readable: undefined.
 */
export async function readCondition(
  access: RecordAccess | undefined,
  target: CompiledEntity,
  alias = 't',
): Promise<SqlFragment | null | undefined> {
  return access ? access.readableRows(target, alias) : undefined;
}

/**
 * Which of `ids` exist in `target` and satisfy `visible` (over alias `t`): undefined means no
 * restriction, null means nothing is visible. `live` also requires a record not soft-deleted.
 */
export async function visibleIds(
  db: Db,
  target: CompiledEntity,
  ids: number[],
  visible: SqlFragment | null | undefined,
  live: boolean,
): Promise<Set<number>> {
  const out = new Set<number>();
  if (visible === null) return out;
  for (const chunk of inChunks([...new Set(ids)])) {
    const rows = await db.query<{ id: number }>(
      `SELECT t.id FROM ${q(target.table)} t WHERE t.id IN (${placeholders(chunk.length)})${live ? ' AND t.deleted_at IS NULL' : ''}${visible ? ` AND (${visible.sql})` : ''}`,
      [...chunk, ...(visible?.params ?? [])],
    );
    for (const r of rows) out.add(Number(r.id));
  }
  return out;
}

export interface ReferenceScope {
  access?: RecordAccess;
  /** The record before an update: a value it already holds in a field the user reads may stay. */
  current?: RecordData;
  /** May the writer read this stored file (its uploader, or through a record they may read)? */
  mayReadFile(fileId: string, uploader: string | null): Promise<boolean>;
}

/** Relations must point at live records and files at stored files the writer may reach. */
export async function referenceErrors(
  tx: Db,
  entityOf: (name: string) => CompiledEntity,
  e: CompiledEntity,
  data: RecordData,
  scope: ReferenceScope,
): Promise<ErrorDetail[]> {
  const errors: ErrorDetail[] = [];
  // Keeping what is there needs no read right on it: a form sends back the whole record, and the
  // user already sees the value (only in a field they may read, or keeping it would probe it).
  const unchanged = (name: string, v: unknown): boolean =>
    scope.current !== undefined &&
    (!scope.access || scope.access.canRead(e, name)) &&
    scope.current[name] === v;
  for (const [name, f] of Object.entries(e.fields)) {
    const v = data[name];
    if (v === undefined || v === null) continue;
    if (f.type === 'relation') {
      const ids = [...new Set(Array.isArray(v) ? (v as number[]) : [v as number])];
      if (!ids.length) continue;
      const target = entityOf(f.target!);
      // many-to-many ids are always checked: accepting a hidden id because it happens to be
      // linked already would confirm the hidden link
      const keep = !Array.isArray(v) && unchanged(name, v);
      const visible = keep ? undefined : await readCondition(scope.access, target);
      const have = await visibleIds(tx, target, ids, visible, true);
      for (const id of ids)
        if (!have.has(id))
          errors.push({
            path: `/${name}`,
            message: `${target.name} ${id} does not exist`,
            reason: 'reference',
            params: { id },
          });
    } else if (f.type === 'file') {
      const id = String(v);
      const [file] = await tx.query<{ mime: string; created_by: string | null }>(
        'SELECT mime, created_by FROM crm_file WHERE id = ?',
        [id],
      );
      const reachable =
        file &&
        (!scope.access ||
          unchanged(name, v) ||
          (await scope.mayReadFile(id, file.created_by ?? null)));
      // a file the writer may not read is as unknown as a missing one: attaching it to their own
      // record would make it downloadable, and a different answer would say that it exists
      if (!reachable)
        errors.push({
          path: `/${name}`,
          message: `file ${id} does not exist`,
          reason: 'reference',
          params: { id },
        });
      else if (f.accept?.length && !f.accept.some((a) => file.mime.startsWith(a))) {
        errors.push({
          path: `/${name}`,
          message: `file type ${file.mime} is not accepted (${f.accept.join(', ')})`,
          reason: 'fileType',
          params: { mime: file.mime, accept: f.accept },
        });
      }
    }
  }
  return errors;
}

/**
 * Sets the many-to-many links of one record to `targets` and returns the full list it now holds.
 * With a user's access only the links they can see are replaced: links to records they may not
 * read stay, because the user can neither see them nor meant to remove them.
 */
export async function replaceLinks(
  tx: Db,
  e: CompiledEntity,
  field: string,
  target: CompiledEntity,
  id: number,
  targets: number[],
  access: RecordAccess | undefined,
): Promise<number[]> {
  const jt = q(junctionTableName(e.name, field));
  const visible = await readCondition(access, target);
  if (visible === undefined) {
    await tx.execute(`DELETE FROM ${jt} WHERE source_id = ?`, [id]);
  } else if (visible !== null) {
    await tx.execute(
      `DELETE FROM ${jt} WHERE source_id = ? AND target_id IN (SELECT t.id FROM ${q(target.table)} t WHERE ${visible.sql})`,
      [id, ...visible.params],
    );
  }
  const kept = await tx.query<{ target_id: number }>(
    `SELECT target_id FROM ${jt} WHERE source_id = ?`,
    [id],
  );
  const have = new Set(kept.map((r) => Number(r.target_id)));
  const added = [...new Set(targets)].filter((t) => !have.has(t));
  for (const chunk of inChunks(added)) {
    await tx.execute(
      `INSERT INTO ${jt} (source_id, target_id) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`,
      chunk.flatMap((t) => [id, t] as SqlParam[]),
    );
  }
  return [...have, ...added].sort((a, b) => a - b);
}

/**
 * Relation ids in history obey the same rule as reads: an id of a record the user may not read is
 * left out of a many-to-many list and shown as null for a many-to-one, or history would confirm
 * links that a GET hides.
 */
export async function hideUnreadableTargets(
  db: Db,
  entityOf: (name: string) => CompiledEntity,
  e: CompiledEntity,
  entries: HistoryEntry[],
  access: RecordAccess,
): Promise<void> {
  const byField = new Map<string, HistoryEntry[]>();
  for (const h of entries) {
    const f = h.field !== null && Object.hasOwn(e.fields, h.field) ? e.fields[h.field] : undefined;
    if (f?.type === 'relation') byField.set(h.field!, [...(byField.get(h.field!) ?? []), h]);
  }
  for (const [name, list] of byField) {
    const target = entityOf(e.fields[name].target!);
    const ids = list
      .flatMap((h) => [h.old, h.new].flat())
      .filter((v): v is number => typeof v === 'number');
    const seen = await visibleIds(db, target, ids, await readCondition(access, target), false);
    const keep = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.filter((x) => seen.has(x as number))
        : typeof v === 'number' && !seen.has(v)
          ? null
          : v;
    for (const h of list) {
      h.old = keep(h.old);
      h.new = keep(h.new);
    }
  }
}
