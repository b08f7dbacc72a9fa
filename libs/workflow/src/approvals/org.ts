import type { Db } from '@crm/common';
import type { FeelFunction } from '@crm/metadata';

/**
 * The organisation as approver sources read it: users (login, active, supervisor, department,
 * roles, locale) and the department tree with its heads. FEEL functions are synchronous, so a step
 * holds the whole snapshot in memory; the access lib builds it and keeps it until users or
 * departments change (the access generation), so a step pays for it only after such a change.
 */
export interface OrgUser {
  id: number;
  login: string;
  displayName: string | null;
  active: boolean;
  departmentId: number | null;
  supervisorId: number | null;
  roles: string[];
  locale: string;
}

export interface OrgDepartment {
  id: number;
  parentId: number | null;
  headId: number | null;
}

export interface OrgSnapshot {
  users: OrgUser[];
  departments: OrgDepartment[];
}

/** Where the engine gets the snapshot (IdentityService in the server), read in the step's `db`. */
export interface OrgSource {
  orgSnapshot(db: Db): Promise<OrgSnapshot>;
}

/** Nest token of the OrgSource; the engine runs without one (every approver source is empty). */
export const ORG_SOURCE = 'crm.workflow.orgSource';

export const EMPTY_ORG: OrgSnapshot = { users: [], departments: [] };

/** A login as a FEEL argument: text, or null. */
const loginArg = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() ? v.trim() : null;

/** A level count as a FEEL argument: a whole number ≥ 0, else `fallback`. */
const levelArg = (v: unknown, fallback: number): number => {
  const n = typeof v === 'number' ? v : Number(v);
  return v === null || v === undefined || !Number.isFinite(n) || n < 0 ? fallback : Math.floor(n);
};

/** Strings of a value or a (nested) list, in order, without repeats. */
export function loginsOf(v: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else {
      const l = loginArg(x);
      if (l && !out.includes(l)) out.push(l);
    }
  };
  walk(v);
  return out;
}

/**
 * The snapshot with its lookups. Every query is cycle-safe (the admin API refuses supervisor and
 * department cycles, but a snapshot may predate a fix made behind its back).
 */
export class OrgIndex {
  private readonly byLogin = new Map<string, OrgUser>();
  private readonly byId = new Map<number, OrgUser>();
  private readonly depts = new Map<number, OrgDepartment>();

  constructor(readonly snapshot: OrgSnapshot) {
    for (const u of snapshot.users) {
      this.byLogin.set(u.login, u);
      this.byId.set(u.id, u);
    }
    for (const d of snapshot.departments) this.depts.set(d.id, d);
  }

  user(login: string | null | undefined): OrgUser | null {
    return login ? (this.byLogin.get(login) ?? null) : null;
  }

  isActive(login: string | null | undefined): boolean {
    return this.user(login)?.active === true;
  }

  displayName(login: string): string | null {
    return this.user(login)?.displayName ?? null;
  }

  /** The given logins that are active users, in order, without repeats. */
  activeOf(logins: readonly string[]): string[] {
    return [...new Set(logins)].filter((l) => this.isActive(l));
  }

  /** Active users holding any of the roles, by login. */
  roleMembers(roles: readonly string[]): string[] {
    if (!roles.length) return [];
    return this.snapshot.users
      .filter((u) => u.active && u.roles.some((r) => roles.includes(r)))
      .map((u) => u.login)
      .sort();
  }

  hasRole(login: string, role: string): boolean {
    return this.user(login)?.roles.includes(role) === true;
  }

  /**
   * One level up from a user, active or not: their supervisor; without one, the head of their
   * department — or, when they head it themselves (or it has no head), of the nearest department
   * above with a head other than them. Companies that keep only department heads get a chain too.
   */
  private up(u: OrgUser): OrgUser | null {
    if (u.supervisorId !== null) return this.byId.get(u.supervisorId) ?? null;
    const seen = new Set<number>();
    for (let d = this.dept(u.departmentId); d && !seen.has(d.id); d = this.dept(d.parentId)) {
      seen.add(d.id);
      if (d.headId !== null && d.headId !== u.id) return this.byId.get(d.headId) ?? null;
    }
    return null;
  }

  private dept(id: number | null): OrgDepartment | null {
    return id === null ? null : (this.depts.get(id) ?? null);
  }

  /**
   * The people above `login`, level by level, up to `levels` levels (inactive ones — a vacant
   * position — count as their level but are skipped), stopping after the first who holds
   * `stopAtRole`. 连续多级主管.
   */
  supervisorChain(login: string | null, levels: number, stopAtRole?: string | null): string[] {
    const out: string[] = [];
    const seen = new Set<number>();
    let cur = this.user(login);
    if (cur) seen.add(cur.id);
    for (let level = 0; cur && level < levels; level++) {
      cur = this.up(cur);
      if (!cur || seen.has(cur.id)) break;
      seen.add(cur.id);
      if (!cur.active) continue;
      out.push(cur.login);
      if (stopAtRole && cur.roles.includes(stopAtRole)) break;
    }
    return out;
  }

  /** The nearest active person above `login` (an inactive supervisor is passed over). */
  supervisor(login: string | null): string | null {
    const seen = new Set<number>();
    let cur = this.user(login);
    if (cur) seen.add(cur.id);
    while (cur) {
      cur = this.up(cur);
      if (!cur || seen.has(cur.id)) return null;
      seen.add(cur.id);
      if (cur.active) return cur.login;
    }
    return null;
  }

  /**
   * The head of the user's department (`levelsUp` = 0) or of the department that many levels
   * above it; null when there is no such department, it has no head, or the head is inactive.
   */
  deptHead(login: string | null, levelsUp = 0): string | null {
    let d = this.dept(this.user(login)?.departmentId ?? null);
    const seen = new Set<number>();
    for (let i = 0; d && i < levelsUp; i++) {
      seen.add(d.id);
      d = this.dept(d.parentId);
      if (d && seen.has(d.id)) return null;
    }
    if (!d || d.headId === null) return null;
    const head = this.byId.get(d.headId);
    return head?.active ? head.login : null;
  }
}

const indexes = new WeakMap<OrgSnapshot, OrgIndex>();

/** The index of a snapshot, built once per snapshot (snapshots are shared across steps). */
export function orgIndex(snapshot: OrgSnapshot): OrgIndex {
  let ix = indexes.get(snapshot);
  if (!ix) indexes.set(snapshot, (ix = new OrgIndex(snapshot)));
  return ix;
}

/** What the functions read from the instance (or the preview) when they are called. */
export interface OrgCallContext {
  record(): Record<string, unknown> | null;
  variable(name: string): unknown;
}

/** A FEEL function: feelin binds arguments by `$args` (`...x` collects the rest). */
const feelFn = (params: string[], impl: (...args: unknown[]) => unknown): FeelFunction =>
  Object.assign((...args: unknown[]) => impl(...args), { $args: params });

/**
 * What `picked(variable, allowed)` lets the initiator choose from: a role name, or a list of
 * logins; absent = any active user.
 */
export function pickAllowed(org: OrgIndex, allowed: unknown): (login: string) => boolean {
  if (allowed === null || allowed === undefined) return (l) => org.isActive(l);
  if (typeof allowed === 'string') {
    const members = new Set(org.roleMembers([allowed]));
    return (l) => members.has(l);
  }
  const list = new Set(org.activeOf(loginsOf(allowed)));
  return (l) => list.has(l);
}

/**
 * The approver sources, as FEEL functions every engine expression can call (the names are the
 * contract the approval designer writes; README, "Approver sources"). Each answers active users
 * only, as logins: a list, or one login (or null) where the source is one person.
 */
export function orgFunctions(org: OrgIndex, c: OrgCallContext): Record<string, FeelFunction> {
  const recordOwner = () => loginArg(c.record()?.owner);
  return {
    users: feelFn(['...logins'], (...logins) => org.activeOf(loginsOf(logins))),
    roleMembers: feelFn(['...roles'], (...roles) => org.roleMembers(loginsOf(roles))),
    deptHead: feelFn(['login', 'levelsUp'], (login, n) =>
      org.deptHead(loginArg(login), levelArg(n, 0)),
    ),
    recordDeptHead: feelFn(['levelsUp'], (n) => org.deptHead(recordOwner(), levelArg(n, 0))),
    supervisor: feelFn(['login'], (login) => org.supervisor(loginArg(login))),
    supervisorChain: feelFn(['login', 'levels', 'stopAtRole'], (login, n, role) =>
      org.supervisorChain(loginArg(login), levelArg(n, 1), loginArg(role)),
    ),
    userField: feelFn(['field'], (field) => {
      const name = loginArg(field);
      const v = name ? c.record()?.[name] : null;
      const active = org.activeOf(loginsOf(v));
      return Array.isArray(v) ? active : (active[0] ?? null);
    }),
    picked: feelFn(['variable', 'allowed'], (variable, allowed) => {
      const name = loginArg(variable);
      const may = pickAllowed(org, allowed);
      return name ? loginsOf(c.variable(name)).filter(may) : [];
    }),
  };
}

/** The names deploy accepts as known FEEL functions. */
export const ORG_FUNCTION_NAMES: readonly string[] = Object.keys(
  orgFunctions(new OrgIndex(EMPTY_ORG), {
    record: () => null,
    variable: () => null,
  }),
);
