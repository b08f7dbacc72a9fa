import { type Db, type SqlParam } from '@crm/common';
import { type CompiledEntity } from '@crm/metadata';
import { hideUnreadableTargets } from './references';
import { type HistoryEntry, type RecordAccess } from './record-types';

/** The change history of records (crm_record_history): one row per changed field per write. */

const parseJson = (v: unknown): unknown =>
  v === null || v === undefined ? null : JSON.parse(String(v));

/** What a history row says was done (the OpenAPI document's history answer lists these). */
export const HISTORY_ACTIONS = [
  'create',
  'update',
  'delete',
  'restore',
  'share',
  'unshare',
  'computed',
] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

/**
 * Writes a change's rows (field, old, new) in one statement, in the write's transaction; `actorId`
 * is a user's login, or the system's for computed fields.
 */
export async function writeHistory(
  tx: Db,
  e: CompiledEntity,
  id: number,
  action: HistoryAction,
  entries: Array<[string | null, unknown, unknown]>,
  actorId: string,
  ts: string,
): Promise<void> {
  if (!entries.length) return;
  const values = entries.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  const params = entries.flatMap(([field, oldV, newV]) => [
    e.name,
    id,
    action,
    field,
    oldV === null || oldV === undefined ? null : JSON.stringify(oldV),
    newV === null || newV === undefined ? null : JSON.stringify(newV),
    actorId,
    ts,
  ]);
  await tx.execute(
    `INSERT INTO crm_record_history (entity, record_id, action, field, old_value, new_value, actor, at) VALUES ${values}`,
    params as SqlParam[],
  );
}

/**
 * A record's history as the reader may see it: a masked field's old and new values are as hidden
 * as the field itself, and related records the reader may not read are not named.
 */
export async function readHistory(
  db: Db,
  entity: (name: string) => CompiledEntity,
  e: CompiledEntity,
  id: number,
  access?: RecordAccess,
): Promise<HistoryEntry[]> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT id, at, actor, action, field, old_value, new_value FROM crm_record_history WHERE entity = ? AND record_id = ? ORDER BY id',
    [e.name, id],
  );
  const visible = rows.filter(
    (r) => !access || r.field === null || access.canRead(e, String(r.field)),
  );
  const entries = visible.map((r) => ({
    id: Number(r.id),
    at: r.at ? new Date(`${String(r.at).replace(' ', 'T')}Z`).toISOString() : null,
    actor: (r.actor as string) ?? null,
    action: String(r.action),
    field: (r.field as string) ?? null,
    old: parseJson(r.old_value),
    new: parseJson(r.new_value),
  }));
  if (access) await hideUnreadableTargets(db, entity, e, entries, access);
  return entries;
}
