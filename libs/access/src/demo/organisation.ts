import { randomBytes } from 'node:crypto';
import { CrmError, type ErrorDetail, ErrorCode } from '@crm/common';
import type { IdentityService } from '../identity.service';
import { passwordProblems } from '../password';

/**
 * The demo organisation (demo/organisation.yaml): a department tree with heads, and users with a
 * role, a department and a supervisor. Departments are named by a code only this file uses (the
 * database knows departments by id and name).
 */
export interface Organisation {
  departments: Array<{ code: string; name: string; parent?: string; head?: string }>;
  users: Array<{
    login: string;
    displayName: string;
    role: string;
    department: string;
    supervisor?: string;
  }>;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/** Shape and cross-references; a parent department must come before its children. */
export function organisationErrors(raw: unknown): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  if (!isObj(raw) || !Array.isArray(raw.departments) || !Array.isArray(raw.users))
    return [{ path: '', message: 'must be a mapping with departments and users lists' }];
  const codes = new Set<string>();
  const logins = new Set<string>(
    (raw.users as unknown[]).map((u) => (isObj(u) ? String(u.login) : '')),
  );
  raw.departments.forEach((d: unknown, i) => {
    const at = `/departments/${i}`;
    if (!isObj(d) || typeof d.code !== 'string' || typeof d.name !== 'string')
      return errors.push({ path: at, message: 'needs code and name' });
    if (codes.has(d.code))
      errors.push({ path: `${at}/code`, message: `"${d.code}" is listed twice` });
    if (d.parent !== undefined && !codes.has(String(d.parent)))
      errors.push({
        path: `${at}/parent`,
        message: `no department "${String(d.parent)}" listed before`,
      });
    if (d.head !== undefined && !logins.has(String(d.head)))
      errors.push({ path: `${at}/head`, message: `no user "${String(d.head)}"` });
    codes.add(d.code);
  });
  const before = new Set<string>();
  raw.users.forEach((u: unknown, i) => {
    const at = `/users/${i}`;
    if (!isObj(u)) return errors.push({ path: at, message: 'must be a mapping' });
    for (const k of ['login', 'displayName', 'role', 'department'])
      if (typeof u[k] !== 'string')
        errors.push({ path: `${at}/${k}`, message: 'is required text' });
    if (typeof u.department === 'string' && !codes.has(u.department))
      errors.push({ path: `${at}/department`, message: `no department "${u.department}"` });
    if (u.supervisor !== undefined && !logins.has(String(u.supervisor)))
      errors.push({ path: `${at}/supervisor`, message: `no user "${String(u.supervisor)}"` });
    if (u.supervisor !== undefined && u.supervisor === u.login)
      errors.push({ path: `${at}/supervisor`, message: 'cannot be the user' });
    if (before.has(String(u.login)))
      errors.push({ path: `${at}/login`, message: 'is listed twice' });
    before.add(String(u.login));
  });
  return errors;
}

export function assertOrganisation(raw: unknown, file: string): Organisation {
  const errors = organisationErrors(raw);
  if (errors.length)
    throw new CrmError(
      ErrorCode.MetadataInvalid,
      `${file}: ${errors.length} problem(s) in the demo organisation`,
      errors.map((e) => ({ ...e, file })),
    );
  return raw as Organisation;
}

export interface SeededUser {
  login: string;
  displayName: string;
  role: string | null;
  department: string;
  /** null: the user existed (admin) and keeps its password. */
  password: string | null;
}

/** A password the policy accepts: 16 random characters, then a letter and a digit. */
export const demoPassword = (): string => `${randomBytes(12).toString('base64url')}a7`;

/**
 * Creates the departments and users through IdentityService (validated and audited as an
 * admin's would be), then heads and supervisors. A user who exists already (admin) is placed in
 * its department, not recreated. A role the metadata does not define is left off (warned).
 */
export async function seedOrganisation(
  identity: IdentityService,
  org: Organisation,
  opts: {
    password: string | null;
    roleDefined: (role: string) => boolean;
    warn: (message: string) => void;
  },
): Promise<SeededUser[]> {
  if (opts.password !== null) {
    const problems = passwordProblems(opts.password);
    if (problems.length)
      throw new CrmError(ErrorCode.ConfigInvalid, `DEMO_PASSWORD ${problems.join(', ')}`, [
        { path: 'DEMO_PASSWORD', message: problems.join(', ') },
      ]);
  }
  const deptIds = new Map<string, number>();
  for (const d of org.departments) {
    const created = await identity.createDepartment(
      { name: d.name, ...(d.parent ? { parentId: deptIds.get(d.parent) } : {}) },
      'system',
    );
    deptIds.set(d.code, created.id);
  }
  const userIds = new Map<string, number>();
  const out: SeededUser[] = [];
  for (const u of org.users) {
    const role = u.role === 'admin' || opts.roleDefined(u.role) ? u.role : null;
    if (!role)
      opts.warn(`demo user "${u.login}" created without role "${u.role}": it is not defined`);
    const existing = await identity.findUser('login', u.login);
    if (existing) {
      await identity.updateUser(
        existing.id,
        { displayName: u.displayName, departmentId: deptIds.get(u.department) },
        'system',
      );
      userIds.set(u.login, existing.id);
      out.push({
        login: u.login,
        displayName: u.displayName,
        role,
        department: u.department,
        password: null,
      });
      continue;
    }
    const password = opts.password ?? demoPassword();
    const created = await identity.createUser(
      {
        login: u.login,
        displayName: u.displayName,
        roles: role ? [role] : [],
        departmentId: deptIds.get(u.department),
        locale: 'zh-CN',
        password,
      },
      'system',
    );
    userIds.set(u.login, created.id);
    out.push({
      login: u.login,
      displayName: u.displayName,
      role,
      department: u.department,
      password,
    });
  }
  for (const u of org.users)
    if (u.supervisor)
      await identity.updateUser(
        userIds.get(u.login)!,
        { supervisorId: userIds.get(u.supervisor) },
        'system',
      );
  for (const d of org.departments)
    if (d.head)
      await identity.updateDepartment(
        deptIds.get(d.code)!,
        { headId: userIds.get(d.head) },
        'system',
      );
  return out;
}

/** The table printed once at first start: login / name / role / password. */
export function passwordTable(users: SeededUser[], adminNote: string): string {
  const rows = users.map((u) => [u.login, u.displayName, u.role ?? '-', u.password ?? adminNote]);
  const head = ['login', 'name', 'role', 'password'];
  const width = (i: number) =>
    Math.max(
      head[i].length,
      ...rows.map((r) => [...r[i]].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)),
    );
  const pad = (s: string, i: number) => {
    const w = [...s].reduce((n, ch) => n + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);
    return s + ' '.repeat(Math.max(0, width(i) - w));
  };
  return [head, ...rows].map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
}
