import { CrmError, ErrorCode, type SqlParam, q } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';
import { resolveField } from './filter';

export interface SortKey {
  name: string;
  column: string;
  desc: boolean;
}

const UNSORTABLE = new Set(['m2m', 'list', 'none']);

/** Parses `sort=-amount,name`; `id` is always appended so the order (and the cursor) is total. */
export function parseSort(
  entity: CompiledEntity,
  sort: string | undefined,
  readable?: (entity: string, field: string) => boolean,
): SortKey[] {
  const keys: SortKey[] = [];
  for (const raw of (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const desc = raw.startsWith('-');
    const name = desc ? raw.slice(1) : raw;
    const hidden = readable !== undefined && !readable(entity.name, name.split('.')[0]);
    const rf = hidden ? undefined : resolveField(entity, name);
    if (!rf || UNSORTABLE.has(rf.kind)) {
      // a field the user may not read answers like an unknown one, so sorts cannot probe it
      throw new CrmError(ErrorCode.QueryInvalid, `cannot sort by "${name}"`, [
        { path: 'sort', message: rf ? `${name} is not sortable` : `unknown field "${name}"` },
      ]);
    }
    if (rf.column === 'id') {
      keys.push({ name: 'id', column: 'id', desc });
      return keys; // id is unique: keys after it never matter
    }
    if (keys.some((k) => k.column === rf.column)) continue;
    keys.push({ name, column: rf.column, desc });
  }
  const idDesc = keys.length === 0 ? false : keys[0].desc;
  keys.push({ name: 'id', column: 'id', desc: idDesc });
  return keys;
}

export function orderBySql(keys: SortKey[]): string {
  return keys.map((k) => `t.${q(k.column)} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
}

interface CursorBody {
  s: string; // sort signature, so a cursor is not reused with another order
  v: unknown[];
}

const signature = (keys: SortKey[]): string =>
  keys.map((k) => `${k.desc ? '-' : ''}${k.column}`).join(',');

export function encodeCursor(keys: SortKey[], row: Record<string, unknown>): string {
  const body: CursorBody = { s: signature(keys), v: keys.map((k) => row[k.column] ?? null) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(keys: SortKey[], cursor: string): unknown[] {
  try {
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorBody;
    if (body.s !== signature(keys) || !Array.isArray(body.v) || body.v.length !== keys.length)
      throw new Error('mismatch');
    for (const v of body.v) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number')
        throw new Error('bad value');
    }
    return body.v;
  } catch {
    throw new CrmError(
      ErrorCode.QueryInvalid,
      'invalid cursor (it belongs to another query or was altered)',
      [{ path: 'cursor', message: 'invalid' }],
    );
  }
}

/**
 * Keyset condition "rows after this one" for a mixed-direction sort, NULL-aware: both dialects
 * sort NULL first ascending and last descending, so NULL is the smallest value.
 */
export function keysetCondition(
  keys: SortKey[],
  values: unknown[],
): { sql: string; params: SqlParam[] } {
  const ors: string[] = [];
  const params: SqlParam[] = [];
  for (let i = 0; i < keys.length; i++) {
    const ands: string[] = [];
    const ps: SqlParam[] = [];
    for (let j = 0; j < i; j++) {
      const col = `t.${q(keys[j].column)}`;
      if (values[j] === null) ands.push(`${col} IS NULL`);
      else {
        ands.push(`${col} = ?`);
        ps.push(values[j] as SqlParam);
      }
    }
    const col = `t.${q(keys[i].column)}`;
    const v = values[i];
    if (!keys[i].desc) {
      if (v === null) ands.push(`${col} IS NOT NULL`);
      else {
        ands.push(`${col} > ?`);
        ps.push(v as SqlParam);
      }
    } else if (v === null) {
      continue; // nothing sorts after NULL when descending
    } else {
      ands.push(`(${col} < ? OR ${col} IS NULL)`);
      ps.push(v as SqlParam);
    }
    ors.push(`(${ands.join(' AND ')})`);
    params.push(...ps);
  }
  return ors.length ? { sql: `(${ors.join(' OR ')})`, params } : { sql: '1=0', params: [] };
}
