import type { Db } from '@crm/common';
import { codePeriod, formatCode, parseCodeRule } from '@crm/metadata';

/**
 * Next value of a named counter. On MySQL one atomic upsert in autocommit (LAST_INSERT_ID(expr)
 * hands the new value back on the same statement), so concurrent inserts never share a number and
 * no lock is held while the record's own transaction runs; a failed insert leaves a gap, which is
 * allowed. SQLite has one writer, so an upsert with RETURNING in the caller's transaction suffices.
 */
export async function nextSequence(db: Db, key: string): Promise<number> {
  if (db.dialect === 'mysql') {
    const r = await db.execute(
      'INSERT INTO crm_sequence (seq_key, value) VALUES (?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + 1)',
      [key],
    );
    return r.insertId;
  }
  const [row] = await db.query<{ value: number }>(
    'INSERT INTO crm_sequence (seq_key, value) VALUES (?, 1) ON CONFLICT(seq_key) DO UPDATE SET value = value + 1 RETURNING value',
    [key],
  );
  return Number(row.value);
}

export async function nextCode(
  db: Db,
  entity: string,
  field: string,
  codeRule: string,
  at: Date,
  /** CRM_TIMEZONE: the date parts are the company's business date. */
  timeZone: string,
): Promise<string> {
  const rule = parseCodeRule(codeRule);
  const period = codePeriod(rule, at, timeZone);
  const seq = await nextSequence(db, `${entity}.${field}:${period}`);
  return formatCode(rule, at, seq, timeZone);
}
