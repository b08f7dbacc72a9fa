import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  type ErrorDetail,
  ErrorCode,
  type SqlParam,
  fromDbTimestamp,
  isUniqueViolation,
  toDbTimestamp,
} from '@crm/common';
import { MetaService } from '@crm/metadata';
import type { UserContext } from './ability';
import { AuditService } from './audit.service';
import { hashPassword, passwordProblems } from './password';

export interface User {
  id: number;
  login: string;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  active: boolean;
  departmentId: number | null;
  supervisorId: number | null;
  roles: string[];
  createdAt: string | null;
  updatedAt: string | null;
}

export interface Department {
  id: number;
  name: string;
  parentId: number | null;
  headId: number | null;
}

/**
 * Everything the workflow engine's approver functions read about the organisation (its
 * `OrgSnapshot`): kept in memory like the user contexts, until users or departments change.
 */
export interface OrgSnapshot {
  users: Array<
    Pick<
      User,
      | 'id'
      | 'login'
      | 'displayName'
      | 'active'
      | 'departmentId'
      | 'supervisorId'
      | 'roles'
      | 'locale'
    >
  >;
  departments: Array<Pick<Department, 'id' | 'parentId' | 'headId'>>;
}

const USER_COLUMNS =
  'id, login, display_name, email, phone, locale, active, department_id, supervisor_id, roles, created_at, updated_at';

const MAX_INLINE_MEMBERS = 1000;
/**
 * Users' contexts (department subtree and its members, reports) are reused until the access
 * generation changes. Every change to users or departments writes a new generation to
 * crm_setting; a node looks at it at most this often (wall-clock ms), so a change made on another
 * node shows within about a second, and at once on the node that made it.
 */
const GENERATION_RECHECK_MS = 1_000;
/** A safety net for changes made behind the API's back (direct SQL): contexts expire anyway. */
const CONTEXT_TTL_MS = 60_000;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toUser(r: Record<string, unknown>): User {
  return {
    id: Number(r.id),
    login: String(r.login),
    displayName: (r.display_name as string) ?? null,
    email: (r.email as string) ?? null,
    phone: (r.phone as string) ?? null,
    locale: (r.locale as string) ?? 'zh-CN',
    active: Number(r.active) === 1 || r.active === true,
    departmentId: num(r.department_id),
    supervisorId: num(r.supervisor_id),
    roles: JSON.parse(String(r.roles || '[]')) as string[],
    createdAt: fromDbTimestamp(r.created_at),
    updatedAt: fromDbTimestamp(r.updated_at),
  };
}

const invalid = (errors: ErrorDetail[]): CrmError =>
  new CrmError(ErrorCode.RecordInvalid, `${errors.length} invalid value(s)`, errors);

const USER_KEYS = [
  'login',
  'displayName',
  'email',
  'phone',
  'locale',
  'active',
  'password',
  'departmentId',
  'supervisorId',
  'roles',
];

/**
 * Users and the department tree. Every change is audited. Logins are stable ids (records store the
 * owner's login), so a login cannot be renamed.
 */
@Injectable()
export class IdentityService {
  private readonly contexts = new Map<string, { at: number; ctx: UserContext }>();
  /**
   * Users as requests authenticate them (row and session epoch), kept like the contexts: until
   * this node changes a user or another node's change shows in the access generation (≤ 1 s).
   * Saves every request a round trip to the database.
   */
  private readonly authUsers = new Map<number, { user: User; sessionEpoch: number }>();
  /** Sessions ended by a logout lately, loaded again whenever the access generation moves. */
  private endedSessions: Set<string> | null = null;
  /** The organisation for the approver functions, with when it was read (wall-clock ms). */
  private org: { at: number; snapshot: OrgSnapshot } | null = null;
  /** The access generation the cached contexts belong to, and when it was last read. */
  private generation: string | null = null;
  private generationCheckedAt = 0;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly meta: MetaService,
    private readonly audit: AuditService,
  ) {}

  // ---- users --------------------------------------------------------------------------------

  async countUsers(): Promise<number> {
    const [r] = await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM crm_user');
    return Number(r.n);
  }

  /**
   * Active users whose login or display name contains `text`, by login: the pickers of the web
   * app (hand a task to, add a signer, CC) — what any signed-in user may know about colleagues.
   */
  async searchUsers(
    text: string,
    limit: number,
  ): Promise<Array<{ login: string; displayName: string | null }>> {
    const like = `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT login, display_name FROM crm_user WHERE active = 1 AND (login LIKE ? ESCAPE '!' OR display_name LIKE ? ESCAPE '!') ORDER BY login LIMIT ${Math.trunc(limit)}`,
      [like, like],
    );
    return rows.map((r) => ({
      login: String(r.login),
      displayName: (r.display_name as string) ?? null,
    }));
  }

  async listUsers(): Promise<User[]> {
    return (
      await this.db.query<Record<string, unknown>>(
        `SELECT ${USER_COLUMNS} FROM crm_user ORDER BY id`,
      )
    ).map(toUser);
  }

  /** The user by id or login; `db` is the caller's transaction when there is one. */
  async findUser(
    by: 'id' | 'login',
    value: number | string,
    db: Db = this.db,
  ): Promise<User | null> {
    const [r] = await db.query<Record<string, unknown>>(
      `SELECT ${USER_COLUMNS} FROM crm_user WHERE ${by === 'id' ? 'id' : 'login'} = ?`,
      [value],
    );
    return r ? toUser(r) : null;
  }

  /** The user an access token names, with the session epoch their live tokens must carry. */
  async findAuthUser(id: number): Promise<{ user: User; sessionEpoch: number } | null> {
    await this.recheckGeneration();
    const hit = this.authUsers.get(id);
    if (hit) return hit;
    const [r] = await this.db.query<Record<string, unknown>>(
      `SELECT ${USER_COLUMNS}, session_epoch FROM crm_user WHERE id = ?`,
      [id],
    );
    if (!r) return null;
    const found = { user: toUser(r), sessionEpoch: Number(r.session_epoch ?? 0) };
    if (this.authUsers.size > 10_000) this.authUsers.clear();
    this.authUsers.set(id, found);
    return found;
  }

  /**
   * Ends every session of a user: refresh tokens revoked, and the session epoch raised so the
   * access tokens issued until now are refused from the next request on (they would otherwise
   * live out their short lifetime).
   */
  async endSessions(id: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.lockUser(tx, id);
      await tx.execute(
        'UPDATE crm_refresh_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
        [toDbTimestamp(this.clock.now()), id],
      );
      await tx.execute(
        'UPDATE crm_user SET session_epoch = COALESCE(session_epoch, 0) + 1 WHERE id = ?',
        [id],
      );
    });
    // every node drops the user's cached epoch: this one now, the others within a second
    await this.changed();
  }

  /**
   * Records that one login session ended (a logout naming its refresh token): its access tokens
   * are refused from now on, on every node within about a second. Ends older than `keepMs` are
   * dropped: no access token of theirs can still be valid.
   */
  async endSession(sessionId: string, keepMs: number): Promise<void> {
    const now = this.clock.now();
    await this.db.execute('DELETE FROM crm_session_end WHERE ended_at < ?', [
      toDbTimestamp(new Date(now.getTime() - keepMs)),
    ]);
    await this.db.execute('INSERT INTO crm_session_end (session_id, ended_at) VALUES (?, ?)', [
      sessionId,
      toDbTimestamp(now),
    ]);
    await this.changed();
  }

  async isSessionEnded(sessionId: string, keepMs: number): Promise<boolean> {
    await this.recheckGeneration();
    if (!this.endedSessions) {
      const rows = await this.db.query<{ session_id: string }>(
        'SELECT session_id FROM crm_session_end WHERE ended_at >= ?',
        [toDbTimestamp(new Date(this.clock.now().getTime() - keepMs))],
      );
      this.endedSessions = new Set(rows.map((r) => r.session_id));
    }
    return this.endedSessions.has(sessionId);
  }

  async getUser(id: number): Promise<User> {
    const u = await this.findUser('id', id);
    if (!u)
      throw new CrmError(ErrorCode.UserNotFound, `no user ${id}`, [
        { path: 'id', message: 'not found' },
      ]);
    return u;
  }

  /** Checks a create/update body; returns the columns to write. */
  private async userColumns(
    body: Record<string, unknown>,
    creating: boolean,
    selfId?: number,
  ): Promise<Record<string, SqlParam>> {
    const errors: ErrorDetail[] = [];
    const cols: Record<string, SqlParam> = {};
    for (const k of Object.keys(body))
      if (!USER_KEYS.includes(k)) errors.push({ path: `/${k}`, message: 'is not a user property' });
    const has = (k: string) => Object.hasOwn(body, k) && body[k] !== undefined;
    if (creating || has('login')) {
      if (!creating) errors.push({ path: '/login', message: 'cannot be changed' });
      else if (typeof body.login !== 'string' || !/^[a-z0-9][a-z0-9._@-]{1,63}$/i.test(body.login))
        errors.push({
          path: '/login',
          message: 'is required: 2-64 letters, digits, . _ @ -',
        });
      else cols.login = body.login;
    }
    const text = (k: string, col: string, max: number, re?: RegExp) => {
      if (!has(k)) return;
      const v = body[k];
      if (v === null) cols[col] = null;
      else if (typeof v !== 'string' || v.length > max || (re && !re.test(v)))
        errors.push({
          path: `/${k}`,
          message: `must be ${re ? 'a valid value' : 'text'} of at most ${max} characters`,
        });
      else cols[col] = v;
    };
    text('displayName', 'display_name', 200);
    text('email', 'email', 200, /^[^@\s]+@[^@\s]+\.[^@\s]+$/);
    text('phone', 'phone', 64, /^[+0-9 ()-]{3,64}$/);
    if (has('locale')) {
      if (body.locale !== 'zh-CN' && body.locale !== 'en')
        errors.push({ path: '/locale', message: 'must be zh-CN or en' });
      else cols.locale = body.locale;
    } else if (creating) cols.locale = 'zh-CN';
    if (has('active')) {
      if (typeof body.active !== 'boolean')
        errors.push({ path: '/active', message: 'must be true or false' });
      else cols.active = body.active ? 1 : 0;
    } else if (creating) cols.active = 1;
    if (has('roles')) {
      const roles = body.roles;
      if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string'))
        errors.push({ path: '/roles', message: 'must be a list of role names' });
      else {
        roles.forEach((r, i) => {
          if (r !== 'admin' && !this.meta.model.roles.has(r))
            errors.push({ path: `/roles/${i}`, message: `unknown role "${r}"` });
        });
        cols.roles = JSON.stringify([...new Set(roles)]);
      }
    } else if (creating) cols.roles = '[]';
    if (has('departmentId')) {
      const d = body.departmentId;
      if (d !== null && (!Number.isInteger(d) || !(await this.findDepartment(d as number))))
        errors.push({ path: '/departmentId', message: `department ${String(d)} does not exist` });
      else cols.department_id = d as number | null;
    }
    if (has('supervisorId')) {
      const s = body.supervisorId;
      if (s !== null && (!Number.isInteger(s) || !(await this.findUser('id', s as number))))
        errors.push({ path: '/supervisorId', message: `user ${String(s)} does not exist` });
      else if (
        s !== null &&
        selfId !== undefined &&
        (await this.supervisorChain(s as number)).includes(selfId)
      )
        errors.push({ path: '/supervisorId', message: 'would make a supervisor cycle' });
      else cols.supervisor_id = s as number | null;
    }
    if (has('password')) {
      const p = body.password;
      const problems = typeof p === 'string' ? passwordProblems(p) : ['must be a string'];
      if (problems.length) errors.push(...problems.map((m) => ({ path: '/password', message: m })));
      else cols.password_hash = await hashPassword(p as string);
    }
    if (errors.length) throw invalid(errors);
    return cols;
  }

  /** Ids from `id` up through its supervisors (stops on a cycle, which updates refuse to make). */
  private async supervisorChain(id: number): Promise<number[]> {
    const rows = await this.db.query<{ id: number; supervisor_id: number | null }>(
      'SELECT id, supervisor_id FROM crm_user',
    );
    const up = new Map(rows.map((r) => [Number(r.id), num(r.supervisor_id)]));
    const out: number[] = [];
    for (
      let cur: number | null | undefined = id;
      cur != null && !out.includes(cur);
      cur = up.get(cur)
    )
      out.push(cur);
    return out;
  }

  async createUser(body: unknown, actor: string): Promise<User> {
    const cols = await this.userColumns(this.object(body), true);
    const now = toDbTimestamp(this.clock.now());
    Object.assign(cols, { created_at: now, updated_at: now });
    const names = Object.keys(cols);
    let id: number;
    try {
      ({ insertId: id } = await this.db.execute(
        `INSERT INTO crm_user (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        names.map((n) => cols[n]),
      ));
    } catch (e) {
      if (isUniqueViolation(e))
        throw new CrmError(ErrorCode.UniqueViolation, `login "${String(cols.login)}" is taken`, [
          { path: '/login', message: 'must be unique' },
        ]);
      throw e;
    }
    await this.changed();
    await this.audit.record({
      actor,
      action: 'user.create',
      subject: `user/${String(cols.login)}`,
      outcome: 'ok',
      detail: { roles: JSON.parse(String(cols.roles)) },
    });
    return this.getUser(id);
  }

  async updateUser(id: number, body: unknown, actor: string): Promise<User> {
    const before = await this.getUser(id);
    const cols = await this.userColumns(this.object(body), false, id);
    cols.updated_at = toDbTimestamp(this.clock.now());
    const names = Object.keys(cols);
    await this.db.execute(
      `UPDATE crm_user SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`,
      [...names.map((n) => cols[n]), id],
    );
    // a new password or a deactivation ends every session of the user
    if (cols.password_hash !== undefined || cols.active === 0) await this.endSessions(id);
    await this.changed();
    const changed = Object.keys(this.object(body)).filter((k) => k !== 'password');
    await this.audit.record({
      actor,
      action: 'user.update',
      subject: `user/${before.login}`,
      outcome: 'ok',
      detail: { changed, ...('password' in this.object(body) ? { password: 'reset' } : {}) },
    });
    return this.getUser(id);
  }

  /** Sets a password without the admin rules' audit wording (used by first start and self-service). */
  async setPasswordHash(id: number, hash: string): Promise<void> {
    await this.db.execute('UPDATE crm_user SET password_hash = ?, updated_at = ? WHERE id = ?', [
      hash,
      toDbTimestamp(this.clock.now()),
      id,
    ]);
  }

  async passwordHashOf(
    login: string,
  ): Promise<{ user: User; hash: string | null; sessionEpoch: number } | null> {
    const [r] = await this.db.query<Record<string, unknown>>(
      `SELECT ${USER_COLUMNS}, password_hash, session_epoch FROM crm_user WHERE login = ?`,
      [login],
    );
    return r
      ? {
          user: toUser(r),
          hash: (r.password_hash as string) ?? null,
          sessionEpoch: Number(r.session_epoch ?? 0),
        }
      : null;
  }

  /**
   * Locks the user's row for the rest of the transaction and answers their session epoch and
   * whether they are active. Issuing a session and ending every session both take this lock, so
   * a token refreshed while "log out everywhere" runs is either revoked by it or refused.
   */
  async lockUser(tx: Db, id: number): Promise<{ sessionEpoch: number; active: boolean } | null> {
    const [r] = await tx.query<{ session_epoch: number | null; active: unknown }>(
      `SELECT session_epoch, active FROM crm_user WHERE id = ?${tx.dialect === 'mysql' ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r
      ? {
          sessionEpoch: Number(r.session_epoch ?? 0),
          active: Number(r.active) === 1 || r.active === true,
        }
      : null;
  }

  private object(body: unknown): Record<string, unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw invalid([{ path: '', message: 'must be a JSON object' }]);
    return body as Record<string, unknown>;
  }

  // ---- departments --------------------------------------------------------------------------

  async listDepartments(): Promise<Department[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT id, name, parent_id, head_id FROM crm_department ORDER BY id',
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      parentId: num(r.parent_id),
      headId: num(r.head_id),
    }));
  }

  async findDepartment(id: number): Promise<Department | null> {
    return (await this.listDepartments()).find((d) => d.id === id) ?? null;
  }

  private async departmentColumns(
    body: Record<string, unknown>,
    creating: boolean,
    selfId?: number,
  ): Promise<Record<string, SqlParam>> {
    const errors: ErrorDetail[] = [];
    const cols: Record<string, SqlParam> = {};
    for (const k of Object.keys(body))
      if (!['name', 'parentId', 'headId'].includes(k))
        errors.push({ path: `/${k}`, message: 'is not a department property' });
    if (creating || body.name !== undefined) {
      if (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 200)
        errors.push({ path: '/name', message: 'is required: 1-200 characters' });
      else cols.name = body.name;
    }
    if (body.parentId !== undefined) {
      const p = body.parentId;
      const all = await this.listDepartments();
      if (p !== null && (!Number.isInteger(p) || !all.some((d) => d.id === p)))
        errors.push({ path: '/parentId', message: `department ${String(p)} does not exist` });
      else if (p !== null && selfId !== undefined && subtreeOf(all, selfId).includes(p as number))
        errors.push({ path: '/parentId', message: 'would make the department its own ancestor' });
      else cols.parent_id = p as number | null;
    }
    if (body.headId !== undefined) {
      const h = body.headId;
      if (h !== null && (!Number.isInteger(h) || !(await this.findUser('id', h as number))))
        errors.push({ path: '/headId', message: `user ${String(h)} does not exist` });
      else cols.head_id = h as number | null;
    }
    if (errors.length) throw invalid(errors);
    return cols;
  }

  async createDepartment(body: unknown, actor: string): Promise<Department> {
    const cols = await this.departmentColumns(this.object(body), true);
    cols.created_at = toDbTimestamp(this.clock.now());
    const names = Object.keys(cols);
    const { insertId } = await this.db.execute(
      `INSERT INTO crm_department (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      names.map((n) => cols[n]),
    );
    await this.changed();
    await this.audit.record({
      actor,
      action: 'department.create',
      subject: `department/${insertId}`,
      outcome: 'ok',
      detail: { name: cols.name },
    });
    return (await this.findDepartment(insertId))!;
  }

  async updateDepartment(id: number, body: unknown, actor: string): Promise<Department> {
    if (!(await this.findDepartment(id)))
      throw new CrmError(ErrorCode.DepartmentNotFound, `no department ${id}`, [
        { path: 'id', message: 'not found' },
      ]);
    const cols = await this.departmentColumns(this.object(body), false, id);
    const names = Object.keys(cols);
    if (names.length)
      await this.db.execute(
        `UPDATE crm_department SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`,
        [...names.map((n) => cols[n]), id],
      );
    await this.changed();
    await this.audit.record({
      actor,
      action: 'department.update',
      subject: `department/${id}`,
      outcome: 'ok',
      detail: { changed: Object.keys(this.object(body)) },
    });
    return (await this.findDepartment(id))!;
  }

  // ---- user context ---------------------------------------------------------------------------

  /** Everything this node derived from users, departments and sessions. */
  private dropCaches(): void {
    this.contexts.clear();
    this.authUsers.clear();
    this.endedSessions = null;
    this.org = null;
  }

  /**
   * Users or departments changed: drop this node's contexts and write a new access generation so
   * every other node drops theirs within GENERATION_RECHECK_MS.
   */
  private async changed(): Promise<void> {
    this.dropCaches();
    const next = randomUUID();
    const r = await this.db.execute(
      "UPDATE crm_setting SET value = ? WHERE setting_key = 'access_generation'",
      [next],
    );
    if (r.affected === 0) {
      try {
        await this.db.execute(
          "INSERT INTO crm_setting (setting_key, value) VALUES ('access_generation', ?)",
          [next],
        );
      } catch (e) {
        // another node inserted it first: its value serves as well as ours
        if (!isUniqueViolation(e)) throw e;
      }
    }
    this.generation = next;
    this.generationCheckedAt = Date.now();
  }

  /**
   * Drops the cached contexts when another node changed users or departments. `db` is the
   * caller's transaction when there is one (SQLite has one connection: a read outside it would
   * wait for it).
   */
  private async recheckGeneration(db: Db = this.db): Promise<void> {
    const now = Date.now();
    if (now - this.generationCheckedAt < GENERATION_RECHECK_MS) return;
    this.generationCheckedAt = now;
    const [row] = await db.query<{ value: string }>(
      "SELECT value FROM crm_setting WHERE setting_key = 'access_generation'",
    );
    const current = row?.value ?? null;
    if (current !== this.generation) {
      this.dropCaches();
      this.generation = current;
    }
  }

  /**
   * Users and departments as the workflow engine's approver functions read them (supervisor
   * chains, department heads, role members), read in the step's transaction `db` and reused until
   * the access generation changes (or CONTEXT_TTL_MS passes, for changes behind the API's back).
   */
  async orgSnapshot(db: Db = this.db): Promise<OrgSnapshot> {
    await this.recheckGeneration(db);
    const now = this.clock.now().getTime();
    if (this.org && now - this.org.at >= 0 && now - this.org.at < CONTEXT_TTL_MS)
      return this.org.snapshot;
    // a change committed while this was read drops the caches: a read from before it is not kept
    const generation = this.generation;
    const users = await db.query<Record<string, unknown>>(
      'SELECT id, login, display_name, locale, active, department_id, supervisor_id, roles FROM crm_user ORDER BY id',
    );
    const departments = await db.query<Record<string, unknown>>(
      'SELECT id, parent_id, head_id FROM crm_department ORDER BY id',
    );
    const snapshot: OrgSnapshot = {
      users: users.map((r) => {
        const u = toUser(r);
        return {
          id: u.id,
          login: u.login,
          displayName: u.displayName,
          active: u.active,
          departmentId: u.departmentId,
          supervisorId: u.supervisorId,
          roles: u.roles,
          locale: u.locale,
        };
      }),
      departments: departments.map((d) => ({
        id: Number(d.id),
        parentId: num(d.parent_id),
        headId: num(d.head_id),
      })),
    };
    if (this.generation === generation) this.org = { at: now, snapshot };
    return snapshot;
  }

  /** The sets a role's placeholders stand for, for one user. */
  async contextOf(
    user: Pick<User, 'id' | 'login' | 'departmentId'>,
    /** Placeholders the user's rules use: only what they need is loaded. */
    needs: ReadonlySet<string> = new Set(['$myDepartmentTree', '$mySubordinates']),
  ): Promise<UserContext> {
    const key = `${user.id}:${user.departmentId}:${[...needs].sort().join(',')}`;
    await this.recheckGeneration();
    const now = this.clock.now().getTime();
    const hit = this.contexts.get(key);
    if (hit && now - hit.at >= 0 && now - hit.at < CONTEXT_TTL_MS) return hit.ctx;
    const ctx = await this.loadContext(user, needs);
    if (this.contexts.size > 10_000) this.contexts.clear();
    this.contexts.set(key, { at: now, ctx });
    return ctx;
  }

  private async loadContext(
    user: Pick<User, 'id' | 'login' | 'departmentId'>,
    needs: ReadonlySet<string>,
  ): Promise<UserContext> {
    const ctx: UserContext = {
      login: user.login,
      userId: user.id,
      departmentId: user.departmentId,
      departmentTree: user.departmentId === null ? [] : [user.departmentId],
      subordinates: [],
    };
    if (needs.has('$myDepartmentTree') && user.departmentId !== null) {
      ctx.departmentTree = subtreeOf(await this.listDepartments(), user.departmentId);
      const members = await this.db.query<{ login: string }>(
        `SELECT login FROM crm_user WHERE department_id IN (${ctx.departmentTree.map(() => '?').join(', ')}) LIMIT ${MAX_INLINE_MEMBERS + 1}`,
        ctx.departmentTree,
      );
      // past this many, the SQL keeps the subquery instead of a huge parameter list
      if (members.length <= MAX_INLINE_MEMBERS)
        ctx.departmentTreeMembers = members.map((m) => m.login);
    }
    if (needs.has('$mySubordinates')) {
      const users = await this.db.query<{
        id: number;
        login: string;
        supervisor_id: number | null;
      }>('SELECT id, login, supervisor_id FROM crm_user WHERE supervisor_id IS NOT NULL');
      ctx.subordinates = subordinatesOf(
        users.map((u) => ({
          id: Number(u.id),
          login: u.login,
          supervisorId: num(u.supervisor_id),
        })),
        user.id,
      );
    }
    return ctx;
  }
}

/** A department and every department below it (cycle-safe). */
export function subtreeOf(
  departments: Array<Pick<Department, 'id' | 'parentId'>>,
  root: number,
): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++)
    for (const d of departments) if (d.parentId === out[i] && !out.includes(d.id)) out.push(d.id);
  return out;
}

/** Logins of the direct and indirect reports of a user (cycle-safe; the user is not included). */
export function subordinatesOf(
  users: Array<{ id: number; login: string; supervisorId: number | null }>,
  root: number,
): string[] {
  const ids = [root];
  for (let i = 0; i < ids.length; i++)
    for (const u of users) if (u.supervisorId === ids[i] && !ids.includes(u.id)) ids.push(u.id);
  return ids.slice(1).map((id) => users.find((u) => u.id === id)!.login);
}
