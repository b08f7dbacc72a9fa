import { CrmError, type Db, ErrorCode, isUniqueViolation, q, toDbTimestamp } from '@crm/common';
import type { CompiledEntity } from '@crm/metadata';
import type { RecordData } from './codec';
import type { Actor, RecordAccess } from './record-types';
import { writeHistory } from './record-history';

/** Someone a record is shared with (GET …/shares). */
export interface RecordShare {
  login: string;
  displayName: string | null;
}

/** What sharing needs of the records service: the entity, a checked read, and the update check. */
export interface ShareDeps {
  db: Db;
  entity(name: string): CompiledEntity;
  /** The record as `access` may read it; 404 when hidden or missing (no enumeration). */
  get(entity: string, id: number, access?: RecordAccess): Promise<RecordData>;
  /** Loads the user's access context before any query (SQLite has one connection). */
  loadAccess(e: CompiledEntity, actor: Actor): Promise<void>;
  /** The 403 (with a role's reason) or 404 for a record the user may not update. */
  unreachable(e: CompiledEntity, id: number, actor: Actor): Promise<CrmError>;
  now(): Date;
}

const LOGIN = /^[\w.@-]{1,64}$/;

function loginOf(login: unknown, path: string): string {
  if (typeof login !== 'string' || !LOGIN.test(login))
    throw new CrmError(ErrorCode.BadRequest, 'login is required', [
      { path, message: 'must be a user login' },
    ]);
  return login;
}

/**
 * Who a record is shared with (crm_record_share: it then matches `$sharedWithMe` conditions of
 * their roles). Reading the list needs read access to the record; sharing and revoking need the
 * right to update it. Neither write answers differently for a login that does not exist, so the
 * API is no oracle of logins.
 */
export class RecordShares {
  constructor(private readonly deps: ShareDeps) {}

  async list(entityName: string, id: number, access?: RecordAccess): Promise<RecordShare[]> {
    const e = this.deps.entity(entityName);
    await this.deps.get(entityName, id, access);
    const rows = await this.deps.db.query<{ login: string; display_name: string | null }>(
      `SELECT s.login, u.display_name FROM crm_record_share s LEFT JOIN crm_user u ON u.login = s.login WHERE s.entity = ? AND s.record_id = ? ORDER BY s.id`,
      [e.name, id],
    );
    return rows.map((r) => ({ login: String(r.login), displayName: r.display_name ?? null }));
  }

  async add(entityName: string, id: number, login: unknown, actor: Actor): Promise<void> {
    const e = this.deps.entity(entityName);
    const who = loginOf(login, '/login');
    await this.assertMayUpdate(e, id, actor);
    // sharing with a login that does not exist answers alike (204) and stores nothing
    const [user] = await this.deps.db.query('SELECT id FROM crm_user WHERE login = ?', [who]);
    if (!user) return;
    // the share and its history row commit together: who opened a record to whom is audited
    await this.deps.db.transaction(async (tx) => {
      try {
        await tx.execute(
          'INSERT INTO crm_record_share (entity, record_id, login) VALUES (?, ?, ?)',
          [e.name, id, who],
        );
      } catch (err) {
        if (isUniqueViolation(err)) return; // already shared: nothing to do, nothing to record
        throw err;
      }
      await writeHistory(tx, e, id, 'share', [[null, null, who]], actor.id, this.ts());
    });
  }

  /** Revokes a share; one that does not exist (or a login nobody has) is revoked alike: 204. */
  async remove(entityName: string, id: number, login: unknown, actor: Actor): Promise<void> {
    const e = this.deps.entity(entityName);
    const who = loginOf(login, 'login');
    await this.assertMayUpdate(e, id, actor);
    await this.deps.db.transaction(async (tx) => {
      const gone = await tx.execute(
        'DELETE FROM crm_record_share WHERE entity = ? AND record_id = ? AND login = ?',
        [e.name, id, who],
      );
      if (gone.affected)
        await writeHistory(tx, e, id, 'unshare', [[null, who, null]], actor.id, this.ts());
    });
  }

  private ts(): string {
    return toDbTimestamp(this.deps.now());
  }

  /** Hidden: 404; readable but not the user's to change (a frozen quote): 403 with the reason. */
  private async assertMayUpdate(e: CompiledEntity, id: number, actor: Actor): Promise<void> {
    await this.deps.loadAccess(e, actor);
    await this.deps.get(e.name, id, actor.access);
    if (!actor.access) return;
    const allowed = await actor.access.rows(e, 'update');
    const [mine] = await this.deps.db.query(
      `SELECT t.id FROM ${q(e.table)} t WHERE t.id = ? AND ${allowed.sql}`,
      [id, ...allowed.params],
    );
    if (!mine) throw await this.deps.unreachable(e, id, actor);
  }
}
