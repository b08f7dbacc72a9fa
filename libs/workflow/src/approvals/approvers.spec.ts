import type { GraphNode } from '../engine/process-graph';
import {
  type Assignment,
  type RoutingSettings,
  evaluateAssignment,
  isApproverCollection,
  routeApprovers,
  routeCollection,
  routingHeaderProblems,
  routingSettings,
  singleApprover,
} from './approvers';
import { OrgIndex, type OrgUser } from './org';

const user = (id: number, login: string, o: Partial<OrgUser> = {}): OrgUser => ({
  id,
  login,
  displayName: null,
  active: true,
  departmentId: null,
  supervisorId: null,
  roles: [],
  locale: 'en',
  ...o,
});
// boss ← mgr (sales_manager) ← rep ; root and root2 administer; old is an inactive manager
const org = new OrgIndex({
  users: [
    user(1, 'boss'),
    user(2, 'mgr', { supervisorId: 1, roles: ['sales_manager'] }),
    user(3, 'rep', { supervisorId: 2 }),
    user(4, 'root', { roles: ['admin'] }),
    user(5, 'root2', { roles: ['admin'] }),
    user(6, 'old', { active: false, roles: ['sales_manager', 'auditor'] }),
    user(7, 'loner'),
  ],
  departments: [],
});
const node = (o: Partial<GraphNode> = {}): GraphNode => ({
  id: 'approve',
  type: 'UserTask',
  name: null,
  scope: null,
  outgoing: [],
  incoming: 1,
  headers: { approvalMode: 'single' },
  inputs: [],
  outputs: [],
  boundaries: [],
  ...o,
});
const a = (o: Partial<Assignment>): Assignment => ({ assignee: null, users: [], groups: [], ...o });
const rules = (o: Partial<RoutingSettings> = {}): RoutingSettings => ({
  onEmpty: 'admin',
  allowSelfApproval: false,
  ...o,
});

describe('routeApprovers', () => {
  it.each([
    {
      title: 'keeps an approver who is not the initiator',
      input: a({ assignee: 'mgr' }),
      initiator: 'rep',
      want: { kind: 'assigned', via: 'approvers', assignment: a({ assignee: 'mgr' }) },
    },
    {
      title: "a manager's own request goes to the manager's supervisor",
      input: a({ assignee: 'mgr' }),
      initiator: 'mgr',
      want: { kind: 'assigned', via: 'supervisor', assignment: a({ assignee: 'boss' }) },
    },
    {
      title: 'the initiator is taken off candidate users; the others stay',
      input: a({ users: ['mgr', 'boss'] }),
      initiator: 'mgr',
      want: { kind: 'assigned', via: 'approvers', assignment: a({ users: ['boss'] }) },
    },
    {
      title: 'a group held only by the initiator counts as emptied by separation of duties',
      input: a({ groups: ['sales_manager'] }),
      initiator: 'mgr',
      want: { kind: 'assigned', via: 'supervisor', assignment: a({ assignee: 'boss' }) },
    },
    {
      title: 'a group held by someone else stays a group',
      input: a({ groups: ['sales_manager'] }),
      initiator: 'rep',
      want: { kind: 'assigned', via: 'approvers', assignment: a({ groups: ['sales_manager'] }) },
    },
    {
      title: 'a group held only by an inactive user is empty: the admins',
      input: a({ groups: ['auditor'] }),
      initiator: 'rep',
      want: { kind: 'assigned', via: 'admin', assignment: a({ users: ['root', 'root2'] }) },
    },
    {
      title: 'the initiator without a supervisor: the empty-list rule',
      input: a({ assignee: 'loner' }),
      initiator: 'loner',
      want: { kind: 'assigned', via: 'admin', assignment: a({ users: ['root', 'root2'] }) },
    },
    {
      title: 'an admin who started it is no admin approver of it',
      input: a({}),
      initiator: 'root',
      want: { kind: 'assigned', via: 'admin', assignment: a({ assignee: 'root2' }) },
    },
  ])('$title', ({ input, initiator, want }) => {
    expect(routeApprovers(input, org, initiator, rules())).toEqual(want);
  });

  it('an empty list never goes to the supervisor: only one emptied by the initiator', () => {
    expect(routeApprovers(a({}), org, 'rep', rules()).kind).toBe('assigned');
    expect(routeApprovers(a({}), org, 'rep', rules())).toMatchObject({ via: 'admin' });
  });

  it.each([
    ['approve', { kind: 'auto-approve' }],
    ['refuse', { kind: 'refuse' }],
  ] as const)('onEmpty %s', (onEmpty, want) => {
    expect(routeApprovers(a({ users: [] }), org, 'rep', rules({ onEmpty }))).toEqual(want);
    // the supervisor comes first: the rule is for a list still empty after them
    expect(routeApprovers(a({ assignee: 'loner' }), org, 'loner', rules({ onEmpty }))).toEqual(
      want,
    );
  });

  it('allowSelfApproval keeps the initiator', () => {
    expect(
      routeApprovers(a({ assignee: 'mgr' }), org, 'mgr', rules({ allowSelfApproval: true })),
    ).toEqual({ kind: 'assigned', via: 'approvers', assignment: a({ assignee: 'mgr' }) });
  });

  it('admin with no administrator at all refuses', () => {
    const bare = new OrgIndex({ users: [user(1, 'x')], departments: [] });
    expect(routeApprovers(a({}), bare, 'x', rules())).toEqual({ kind: 'refuse' });
  });
});

describe('routeCollection', () => {
  it('takes the initiator off a countersign list', () => {
    expect(routeCollection(['mgr', 'rep', 'boss'], org, 'rep', rules()).items).toEqual([
      'mgr',
      'boss',
    ]);
  });
  it('a list of only the initiator goes to their supervisor', () => {
    expect(routeCollection(['mgr'], org, 'mgr', rules()).items).toEqual(['boss']);
  });
  it('the admins are one element: any one of them decides', () => {
    expect(routeCollection([], org, 'rep', rules()).items).toEqual([['root', 'root2']]);
  });
  it('auto-approve: no element', () => {
    expect(routeCollection([], org, 'rep', rules({ onEmpty: 'approve' }))).toEqual({
      route: { kind: 'auto-approve' },
      items: [],
    });
  });
});

describe('evaluateAssignment', () => {
  const lit = (raw: string) => raw;
  it('reads literals as the engine stores them', () => {
    expect(
      evaluateAssignment(
        node({ assignee: 'mgr', candidateUsers: 'a, b', candidateGroups: 'g1,g2' }),
        lit,
      ),
    ).toEqual({ assignee: 'mgr', users: ['a', 'b'], groups: ['g1', 'g2'] });
  });
  it('an assignee list of one is the assignee; of several, candidate users', () => {
    expect(evaluateAssignment(node({ assignee: '=x' }), () => ['mgr'])).toEqual(
      a({ assignee: 'mgr' }),
    );
    expect(evaluateAssignment(node({ assignee: '=x' }), () => ['mgr', 'boss'])).toEqual(
      a({ users: ['mgr', 'boss'] }),
    );
    expect(evaluateAssignment(node({ assignee: '=x' }), () => null)).toEqual(a({}));
  });
});

describe('node settings', () => {
  it('an approver collection assigns each inner task its element', () => {
    const loop = { sequential: false, inputCollection: 'xs', inputElement: 'approver' };
    expect(isApproverCollection(node({ loop, assignee: '=approver' }))).toBe(true);
    expect(isApproverCollection(node({ loop, candidateUsers: '= approver' }))).toBe(true);
    expect(isApproverCollection(node({ loop, assignee: '=boss' }))).toBe(false);
    expect(isApproverCollection(node({ loop, assignee: '=approver', headers: {} }))).toBe(false);
  });
  it('defaults: admin on empty, no self-approval', () => {
    expect(routingSettings(node())).toEqual({ onEmpty: 'admin', allowSelfApproval: false });
    expect(
      routingSettings(node({ headers: { onEmpty: 'refuse', allowSelfApproval: 'true' } })),
    ).toEqual({ onEmpty: 'refuse', allowSelfApproval: true });
  });
  it.each([
    [{ onEmpty: 'skip' }, ['header onEmpty must be one of approve, admin, refuse']],
    [{ allowSelfApproval: 'yes' }, ['header allowSelfApproval must be true or false']],
    [{ onEmpty: 'approve', allowSelfApproval: 'false' }, []],
  ])('header problems %j', (headers, want) => {
    expect(routingHeaderProblems(headers)).toEqual(want);
  });
  it('singleApprover', () => {
    expect(singleApprover(a({ assignee: 'x' }))).toBe('x');
    expect(singleApprover(a({ users: ['x'] }))).toBe('x');
    expect(singleApprover(a({ users: ['x', 'y'] }))).toBeNull();
    expect(singleApprover(a({ assignee: 'x', groups: ['g'] }))).toBeNull();
  });
});
