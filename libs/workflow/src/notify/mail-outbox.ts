import { type Db, type SqlParam, fromDbTimestamp, toDbTimestamp } from '@crm/common';

/**
 * crm_mail_outbox: the mail queue. A notifier writes a `pending` row in the step's transaction;
 * the mail job claims due rows, sends them and records the result:
 *
 *   pending ──claim──► sending ──sent──► sent
 *      ▲                  │ failed, attempts left
 *      └──── backoff ─────┤
 *                         └ failed, no attempts left (or the server refused for good) ──► failed
 *                                          (an admin's retry puts it back to pending, once more)
 *
 * A claim is one conditional UPDATE per row, keyed on the attempt count the claimer read: the
 * count goes up with every claim, so of two nodes that read the same row only one UPDATE matches.
 * No FOR UPDATE SKIP LOCKED (TiDB has none). A `sending` row's next_attempt_at is its lock
 * expiry: a node that died mid-send leaves it to be claimed again once that passes.
 */

export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed';
export const OUTBOX_STATES: readonly string[] = ['pending', 'sending', 'sent', 'failed'];

export interface OutboxRow {
  id: number;
  recipient: string | null;
  address: string;
  locale: string | null;
  template: string | null;
  subject: string;
  body: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  instanceId: number | null;
  createdAt: string | null;
  sentAt: string | null;
}

export interface NewMail {
  recipient: string;
  address: string;
  locale: string;
  template: string;
  subject: string;
  body: string;
  instanceId: number | null;
  now: Date;
}

export async function enqueueMail(tx: Db, m: NewMail): Promise<void> {
  const now = toDbTimestamp(m.now);
  await tx.execute(
    `INSERT INTO crm_mail_outbox (recipient, address, locale, template, subject, body, state, attempts, next_attempt_at, instance_id, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    [
      m.recipient.slice(0, 64),
      m.address.slice(0, 320),
      m.locale,
      m.template.slice(0, 64),
      m.subject.slice(0, 500),
      m.body,
      now,
      m.instanceId,
      now,
    ],
  );
}

/** Wait before attempt `attempts + 1`: backoff, doubling, at most a day. */
export function retryDelayMs(attempts: number, backoffMs: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, attempts - 1), 24 * 3600_000);
}

/**
 * Whether an SMTP failure will not heal by waiting: a 5xx reply (no such mailbox, rejected as
 * spam, bad sender) or an address the transport cannot use. Connection trouble and 4xx replies
 * ("try again later", greylisting) are worth retrying.
 */
export function isPermanentFailure(e: unknown): boolean {
  const err = e as { responseCode?: number; code?: string };
  if (typeof err?.responseCode === 'number') return err.responseCode >= 500;
  return err?.code === 'EENVELOPE';
}

const toRow = (r: Record<string, unknown>): OutboxRow => ({
  id: Number(r.id),
  recipient: (r.recipient as string | null) ?? null,
  address: String(r.address),
  locale: (r.locale as string | null) ?? null,
  template: (r.template as string | null) ?? null,
  subject: String(r.subject),
  body: String(r.body),
  state: r.state as OutboxState,
  attempts: Number(r.attempts),
  nextAttemptAt: fromDbTimestamp(r.next_attempt_at),
  lastError: (r.last_error as string | null) ?? null,
  instanceId: r.instance_id === null || r.instance_id === undefined ? null : Number(r.instance_id),
  createdAt: fromDbTimestamp(r.created_at),
  sentAt: fromDbTimestamp(r.sent_at),
});

/**
 * Up to `max` rows due now: pending ones whose time has come, and sending ones whose claimer's
 * lock ran out (it died mid-send). Read without locks; claimRow decides who gets each.
 */
export async function dueMail(db: Db, now: Date, max: number): Promise<OutboxRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT * FROM crm_mail_outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ${Math.max(1, Math.floor(max))}`,
    [toDbTimestamp(now)],
  );
  return rows.map(toRow);
}

/**
 * Claims one row read by dueMail for `lockMs`: the UPDATE matches only while the row still has
 * the attempt count that was read, so of two nodes that read it one wins. Returns the claimed row
 * (attempt count raised), or null when another node was first.
 */
export async function claimRow(
  db: Db,
  row: OutboxRow,
  now: Date,
  lockMs: number,
): Promise<OutboxRow | null> {
  const at = toDbTimestamp(now);
  const lockUntil = toDbTimestamp(new Date(now.getTime() + lockMs));
  const r = await db.execute(
    `UPDATE crm_mail_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ? WHERE id = ? AND attempts = ? AND state IN ('pending', 'sending') AND next_attempt_at <= ?`,
    [lockUntil, row.id, row.attempts, at],
  );
  if (r.affected !== 1) return null;
  return {
    ...row,
    state: 'sending',
    attempts: row.attempts + 1,
    nextAttemptAt: fromDbTimestamp(lockUntil),
  };
}

/** Records the end of one attempt; false when the claim was lost meanwhile (lock ran out). */
export async function finishAttempt(
  db: Db,
  row: OutboxRow,
  result: { ok: true; now: Date } | { ok: false; now: Date; error: string; retryAt: Date | null },
): Promise<boolean> {
  const where = `WHERE id = ? AND attempts = ? AND state = 'sending'`;
  const key: SqlParam[] = [row.id, row.attempts];
  const r = result.ok
    ? await db.execute(
        `UPDATE crm_mail_outbox SET state = 'sent', sent_at = ?, next_attempt_at = NULL, last_error = NULL ${where}`,
        [toDbTimestamp(result.now), ...key],
      )
    : await db.execute(
        `UPDATE crm_mail_outbox SET state = ?, next_attempt_at = ?, last_error = ? ${where}`,
        [
          result.retryAt ? 'pending' : 'failed',
          result.retryAt ? toDbTimestamp(result.retryAt) : null,
          result.error.slice(0, 1000),
          ...key,
        ],
      );
  return r.affected === 1;
}

/** The queue as an admin sees it, newest first. */
export async function listOutbox(
  db: Db,
  filter: { state?: OutboxState; limit: number },
): Promise<OutboxRow[]> {
  const params: SqlParam[] = [];
  let where = '';
  if (filter.state) {
    where = 'WHERE state = ?';
    params.push(filter.state);
  }
  const rows = await db.query<Record<string, unknown>>(
    `SELECT * FROM crm_mail_outbox ${where} ORDER BY id DESC LIMIT ${Math.max(1, Math.floor(filter.limit))}`,
    params,
  );
  return rows.map(toRow);
}

export async function getOutboxRow(db: Db, id: number): Promise<OutboxRow | null> {
  const [r] = await db.query<Record<string, unknown>>(
    'SELECT * FROM crm_mail_outbox WHERE id = ?',
    [id],
  );
  return r ? toRow(r) : null;
}

/**
 * Puts a failed row back in the queue, due now, for one more attempt (a further failure leaves it
 * failed again). Only a failed row: false otherwise. The attempt count is never reset: it is the
 * claim key, and a reset would let a long-gone claimer's late result match a new claim.
 */
export async function requeueFailed(db: Db, id: number, now: Date): Promise<boolean> {
  const r = await db.execute(
    `UPDATE crm_mail_outbox SET state = 'pending', next_attempt_at = ? WHERE id = ? AND state = 'failed'`,
    [toDbTimestamp(now), id],
  );
  return r.affected === 1;
}
