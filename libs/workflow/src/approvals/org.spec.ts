import { evaluateFeel } from '@crm/metadata';
import { ORG_FUNCTION_NAMES, OrgIndex, type OrgSnapshot, type OrgUser, orgFunctions } from './org';

/**
 * The organisation of these tests:
 *
 *   departments  hq (head ceo) ─ sales (head dir) ─ east (no head)
 *                                               └─ west (head wlead)
 *   supervisors  rep → lead (inactive) → mgr → dir → ceo
 *                wrep (no supervisor, department west) ; wlead (no supervisor, heads west)
 */
const user = (id: number, login: string, o: Partial<OrgUser> = {}): OrgUser => ({
  id,
  login,
  displayName: login.toUpperCase(),
  active: true,
  departmentId: null,
  supervisorId: null,
  roles: [],
  locale: 'en',
  ...o,
});
const ORG: OrgSnapshot = {
  users: [
    user(1, 'ceo', { departmentId: 10, roles: ['admin'] }),
    user(2, 'dir', { departmentId: 11, supervisorId: 1, roles: ['sales_director'] }),
    user(3, 'mgr', { departmentId: 12, supervisorId: 2, roles: ['sales_manager'] }),
    user(4, 'lead', { departmentId: 12, supervisorId: 3, active: false, roles: ['sales_manager'] }),
    user(5, 'rep', { departmentId: 12, supervisorId: 4, roles: ['rep'] }),
    user(6, 'wlead', { departmentId: 13, roles: ['sales_manager'] }),
    user(7, 'wrep', { departmentId: 13, roles: ['rep'] }),
    user(8, 'gone', { active: false, roles: ['rep'] }),
  ],
  departments: [
    { id: 10, parentId: null, headId: 1 },
    { id: 11, parentId: 10, headId: 2 },
    { id: 12, parentId: 11, headId: null },
    { id: 13, parentId: 11, headId: 6 },
  ],
};
const org = new OrgIndex(ORG);

describe('OrgIndex', () => {
  it.each([
    {
      title: 'skips an inactive level, counting it',
      login: 'rep',
      n: 3,
      role: null,
      want: ['mgr', 'dir'],
    },
    { title: 'goes up to the top', login: 'rep', n: 10, role: null, want: ['mgr', 'dir', 'ceo'] },
    {
      title: 'stops after the first with the role',
      login: 'rep',
      n: 10,
      role: 'sales_director',
      want: ['mgr', 'dir'],
    },
    {
      title: 'a role nobody above holds: every level',
      login: 'mgr',
      n: 2,
      role: 'nobody',
      want: ['dir', 'ceo'],
    },
    { title: 'zero levels', login: 'rep', n: 0, role: null, want: [] },
    {
      title: 'without a supervisor: the department head',
      login: 'wrep',
      n: 2,
      role: null,
      want: ['wlead', 'dir'],
    },
    {
      title: 'a head without a supervisor: the head above',
      login: 'wlead',
      n: 1,
      role: null,
      want: ['dir'],
    },
    { title: 'an unknown user has none', login: 'nobody', n: 3, role: null, want: [] },
  ])('supervisorChain: $title', ({ login, n, role, want }) => {
    expect(org.supervisorChain(login, n, role)).toEqual(want);
  });

  it('supervisor: the nearest active person above', () => {
    expect(org.supervisor('rep')).toBe('mgr');
    expect(org.supervisor('mgr')).toBe('dir');
    expect(org.supervisor('ceo')).toBeNull();
    expect(org.supervisor('wrep')).toBe('wlead');
    expect(org.supervisor(null)).toBeNull();
  });

  it('is safe on a supervisor cycle made behind the API', () => {
    const cyclic = new OrgIndex({
      users: [user(1, 'a', { supervisorId: 2 }), user(2, 'b', { supervisorId: 1 })],
      departments: [],
    });
    expect(cyclic.supervisorChain('a', 10)).toEqual(['b']);
    expect(cyclic.supervisor('a')).toBe('b');
  });

  it('deptHead: own department, n levels up, none where no head', () => {
    expect(org.deptHead('wrep')).toBe('wlead');
    expect(org.deptHead('wrep', 1)).toBe('dir');
    expect(org.deptHead('wrep', 2)).toBe('ceo');
    expect(org.deptHead('wrep', 3)).toBeNull();
    expect(org.deptHead('rep')).toBeNull(); // east has no head
    expect(org.deptHead('gone')).toBeNull(); // no department
  });

  it('roleMembers: active holders only, by login', () => {
    expect(org.roleMembers(['sales_manager'])).toEqual(['mgr', 'wlead']);
    expect(org.roleMembers(['rep', 'admin'])).toEqual(['ceo', 'rep', 'wrep']);
    expect(org.roleMembers([])).toEqual([]);
  });
});

describe('approver functions in FEEL', () => {
  const record = { owner: 'wrep', reviewer: 'mgr', panel: ['dir', 'gone', 'rep'], nobody: 'ghost' };
  const vars: Record<string, unknown> = { chosen: ['mgr', 'rep'], one: 'dir' };
  const functions = orgFunctions(org, { record: () => record, variable: (n) => vars[n] });
  const run = (e: string, context: Record<string, unknown> = {}) =>
    evaluateFeel(e, { initiator: 'rep', ...context }, { functions });

  it.each([
    ['users("mgr", "gone", "ghost", "mgr")', ['mgr']],
    ['users(["dir", "ceo"])', ['dir', 'ceo']],
    ['roleMembers("sales_manager")', ['mgr', 'wlead']],
    ['deptHead("wrep")', 'wlead'],
    ['deptHead("wrep", 1)', 'dir'],
    ['recordDeptHead()', 'wlead'],
    ['recordDeptHead(2)', 'ceo'],
    ['supervisor(initiator)', 'mgr'],
    ['supervisorChain(initiator, 3)', ['mgr', 'dir']],
    ['supervisorChain(initiator, 5, "sales_director")', ['mgr', 'dir']],
    ['userField("reviewer")', 'mgr'],
    ['userField("panel")', ['dir', 'rep']],
    ['userField("nobody")', null],
    ['picked("chosen")', ['mgr', 'rep']],
    ['picked("chosen", "sales_manager")', ['mgr']],
    ['picked("chosen", ["rep"])', ['rep']],
    ['picked("one")', ['dir']],
    ['picked("missing")', []],
    ['count(supervisorChain(initiator, 3)) > 1', true],
  ])('%s', (expression, want) => {
    expect(run(expression)).toEqual(want);
  });

  it('leaves a variable of the same name alone where the expression only reads it', () => {
    expect(run('supervisor', { supervisor: 'someone' })).toBe('someone');
    expect(run('supervisor(boss)', { boss: 'mgr', supervisor: 'someone' })).toBe('dir');
  });

  it('names every function deploy must know', () => {
    expect([...ORG_FUNCTION_NAMES].sort()).toEqual(
      [
        'deptHead',
        'picked',
        'recordDeptHead',
        'roleMembers',
        'supervisor',
        'supervisorChain',
        'userField',
        'users',
      ].sort(),
    );
  });
});
