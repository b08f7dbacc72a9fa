import { type EntityDocument, buildModel } from '@crm/metadata';
import { type UserContext, buildAbility, permittedFields, rulesOfRoles } from './ability';
import { accessSql, conditionsSql } from './sql-condition';

const deal: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: { 'zh-CN': '商机', en: 'Deal' },
  displayField: 'title',
  fields: {
    title: { type: 'text', label: { 'zh-CN': '标题', en: 'Title' } },
    stage: { type: 'text', label: { 'zh-CN': '阶段', en: 'Stage' } },
    margin: { type: 'decimal', label: { 'zh-CN': '毛利', en: 'Margin' }, precision: 10, scale: 2 },
  },
};
const model = buildModel([deal], 1);
const e = model.entities.get('deal')!;
const ctx: UserContext = {
  login: 'li',
  userId: 7,
  departmentId: 3,
  departmentTree: [3, 4, 9],
  subordinates: ['wang', 'zhao'],
};

const role = (rules: unknown[]) =>
  new Map([
    [
      'r',
      { kind: 'role' as const, name: 'r', label: { 'zh-CN': 'r', en: 'r' }, rules: rules as never },
    ],
  ]);
const abilityOf = (rules: unknown[]) => buildAbility(rulesOfRoles(role(rules), ['r']));

/** better-sqlite3 ships no types; the few calls used here. */
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { all(...p: unknown[]): unknown[] };
  close(): void;
}
const Database = require('better-sqlite3') as new (file: string) => SqliteDb;

/** Grouping parentheses vary with nesting; the clause itself must not. */
const bare = (sql: string): string => sql.replace(/[()]/g, '');

describe('conditionsSql', () => {
  it.each([
    ['$me', { owner: '$me' }, 't.`owner` = ?', ['li']],
    [
      '$myDepartment',
      { owner: '$myDepartment' },
      't.`owner` IN (SELECT u.login FROM crm_user u WHERE u.department_id = ?)',
      [3],
    ],
    [
      '$myDepartmentTree',
      { createdBy: '$myDepartmentTree' },
      't.`created_by` IN (SELECT u.login FROM crm_user u WHERE u.department_id IN (?, ?, ?))',
      [3, 4, 9],
    ],
    ['$mySubordinates', { owner: '$mySubordinates' }, 't.`owner` IN (?, ?)', ['wang', 'zhao']],
    [
      '$myDepartmentTree with its members inlined',
      { owner: '$myDepartmentTree' },
      't.`owner` IN (?, ?)',
      ['li', 'wu'],
      { departmentTreeMembers: ['li', 'wu'] },
    ],
    [
      '$sharedWithMe',
      { $sharedWithMe: true },
      't.`id` IN (SELECT s.record_id FROM crm_record_share s WHERE s.entity = ? AND s.login = ?)',
      ['deal', 'li'],
    ],
    ['a literal', { stage: 'open' }, '(t.`stage` IN (?))', ['open']],
    ['$ne, NULL-safe', { stage: { $ne: 'lost' } }, '((t.`stage` IN (?))) IS NOT TRUE', ['lost']],
  ])(
    'compiles %s to parameterised SQL',
    (_n, cond, sql, params, extra: Partial<UserContext> = {}) => {
      const out = conditionsSql(e, cond, { ...ctx, ...extra });
      expect(bare(out.sql)).toBe(bare(sql));
      expect(out.params).toEqual(params);
    },
  );

  it('never widens: a user without department or reports matches nothing', () => {
    const lone = { ...ctx, departmentId: null, departmentTree: [], subordinates: [] };
    for (const ph of ['$myDepartment', '$myDepartmentTree', '$mySubordinates'])
      expect(bare(conditionsSql(e, { owner: ph }, lone).sql)).toBe('1=0');
    expect(bare(conditionsSql(e, { nosuch: 'x' }, ctx).sql)).toBe('1=0');
    expect(bare(conditionsSql(e, { owner: '$unknown' }, ctx).sql)).toBe('1=0');
  });

  it('keeps a value with SQL in it a parameter', () => {
    const out = conditionsSql(e, { stage: "x' OR 1=1 --" }, ctx);
    expect(out.sql).not.toContain('OR 1=1');
    expect(out.params).toEqual(["x' OR 1=1 --"]);
  });
});

describe('accessSql', () => {
  it('ORs the allowing rules and subtracts inverted ones', () => {
    const a = abilityOf([
      { action: 'read', subject: 'deal', conditions: { owner: '$me' } },
      { action: 'read', subject: 'deal', conditions: { $sharedWithMe: true } },
      { action: 'read', subject: 'deal', conditions: { stage: 'lost' }, inverted: true },
    ]);
    const out = accessSql(a, 'read', e, ctx)!;
    expect(out.sql).toContain(' OR ');
    expect(out.sql).toContain('IS NOT TRUE');
    expect(out.params).toEqual(expect.arrayContaining(['li', 'deal', 'lost']));
  });

  it('stays one condition when appended with AND (its ORs do not escape)', () => {
    const a = abilityOf([
      { action: 'read', subject: 'deal', conditions: { owner: '$me' } },
      { action: 'read', subject: 'deal', conditions: { stage: 'open' } },
    ]);
    const where = accessSql(a, 'read', e, ctx)!;
    const db = new Database(':memory:');
    db.exec('CREATE TABLE deal (id INTEGER, owner TEXT, stage TEXT)');
    db.exec("INSERT INTO deal VALUES (1, 'li', 'won'), (2, 'wang', 'open'), (3, 'wang', 'won')");
    const ids = (id: number) =>
      db
        .prepare(`SELECT t.id FROM deal t WHERE t.id = ? AND ${where.sql}`)
        .all(id, ...where.params)
        .map((r) => (r as { id: number }).id);
    expect([1, 2, 3].flatMap(ids)).toEqual([1, 2]);
    db.close();
  });

  it('is null when no rule allows the action, and 1=1 for an unconditional rule', () => {
    const a = abilityOf([{ action: 'read', subject: 'deal' }]);
    expect(accessSql(a, 'update', e, ctx)).toBeNull();
    expect(bare(accessSql(a, 'read', e, ctx)!.sql)).toBe('1=1');
  });

  it('lets an unconditional denial win over every allowing rule', () => {
    const a = abilityOf([
      { action: 'read', subject: 'deal' },
      { action: 'read', subject: 'deal', inverted: true },
    ]);
    expect(accessSql(a, 'read', e, ctx)).toBeNull();
  });

  it('puts denials of one role after the grants of another', () => {
    const roles = new Map([
      [
        'deny',
        {
          kind: 'role' as const,
          name: 'deny',
          label: { 'zh-CN': 'd', en: 'd' },
          rules: [{ action: 'delete' as const, subject: 'deal', inverted: true }],
        },
      ],
      [
        'grant',
        {
          kind: 'role' as const,
          name: 'grant',
          label: { 'zh-CN': 'g', en: 'g' },
          rules: [{ action: 'manage' as const, subject: 'all' }],
        },
      ],
    ]);
    const a = buildAbility(rulesOfRoles(roles, ['deny', 'grant']));
    expect(a.can('delete', 'deal')).toBe(false);
    expect(a.can('read', 'deal')).toBe(true);
  });
});

describe('permittedFields', () => {
  it('drops fields an inverted field rule denies and keeps system fields', () => {
    const a = abilityOf([
      { action: ['read', 'update'], subject: 'deal' },
      { action: 'read', subject: 'deal', fields: ['margin'], inverted: true },
    ]);
    const read = permittedFields(a, 'read', e);
    expect(read.has('margin')).toBe(false);
    expect(read.has('title')).toBe(true);
    expect(read.has('owner')).toBe(true);
    expect(permittedFields(a, 'update', e).has('margin')).toBe(true);
  });

  it('limits to the listed fields of an allowing field rule', () => {
    const a = abilityOf([{ action: 'update', subject: 'deal', fields: ['stage'] }]);
    expect([...permittedFields(a, 'update', e)]).toEqual(['stage']);
  });

  it('the built-in admin may do anything', () => {
    const a = buildAbility(rulesOfRoles(new Map(), ['admin']));
    expect(a.can('manage', 'User')).toBe(true);
    expect(permittedFields(a, 'read', e).has('margin')).toBe(true);
  });
});
