import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock, DB, type Db, toDbTimestamp, fromDbTimestamp } from '@crm/common';

export interface AuditEntry {
  actor: string | null;
  action: string;
  subject?: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  detail?: Record<string, unknown>;
}

/**
 * Who did what to users, roles and sessions, and every access denial. Rows go to crm_audit (all
 * nodes share it) and to the structured log.
 */
@Injectable()
export class AuditService {
  private readonly log = new Logger('audit');

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, db: Db = this.db): Promise<void> {
    const line = `${entry.outcome} ${entry.action} ${entry.subject ?? ''} by ${entry.actor ?? '-'} ${entry.detail ? JSON.stringify(entry.detail) : ''}`;
    if (entry.outcome === 'ok') this.log.log(line);
    else this.log.warn(line);
    await db.execute(
      'INSERT INTO crm_audit (at, actor, action, subject, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)',
      [
        toDbTimestamp(this.clock.now()),
        entry.actor,
        entry.action.slice(0, 64),
        entry.subject?.slice(0, 191) ?? null,
        entry.outcome,
        entry.detail ? JSON.stringify(entry.detail) : null,
      ],
    );
  }

  /** For denials raised on a hot path: logged now, stored without making the caller wait. */
  recordLater(entry: AuditEntry): void {
    this.record(entry).catch((e: Error) => this.log.error(`audit write failed: ${e.message}`));
  }

  async list(limit = 100, outcome?: string): Promise<Array<Record<string, unknown>>> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT id, at, actor, action, subject, outcome, detail FROM crm_audit${outcome ? ' WHERE outcome = ?' : ''} ORDER BY id DESC LIMIT ${Math.min(Math.max(1, limit), 500)}`,
      outcome ? [outcome] : [],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: fromDbTimestamp(r.at),
      actor: r.actor ?? null,
      action: r.action,
      subject: r.subject ?? null,
      outcome: r.outcome,
      detail: r.detail ? JSON.parse(String(r.detail)) : null,
    }));
  }
}
