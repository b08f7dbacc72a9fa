import {
  type LockTask,
  type LockingInstance,
  editableBy,
  lockRefusal,
  recordLockedError,
} from './record-lock';

const task = (over: Partial<LockTask> = {}): LockTask => ({
  elementId: 'review',
  assignee: null,
  candidateUsers: [],
  candidateGroups: ['approver'],
  editableFields: ['discount', 'remark'],
  resubmit: false,
  ...over,
});
const instance = (tasks: LockTask[], startedBy = 'rep'): LockingInstance => ({
  id: 7,
  processKey: 'offer_approval',
  startedBy,
  tasks,
});
const update = (login: string, fields: string[], roles: string[] = []) => ({
  kind: 'update' as const,
  fields,
  login,
  roles,
});

describe('the record lock', () => {
  it('lets nobody change a record whose approval has no open node', () => {
    expect(lockRefusal([instance([])], update('admin', ['name'], ['admin']))).toMatchObject({
      blocked: ['name'],
      editable: [],
    });
  });

  it.each([
    { who: 'a candidate group member', login: 'ann', roles: ['approver'], over: {} },
    {
      who: 'a candidate user',
      login: 'bob',
      roles: [],
      over: { candidateGroups: [], candidateUsers: ['bob'] },
    },
    { who: 'the assignee', login: 'cy', roles: [], over: { assignee: 'cy' } },
  ])("lets $who change the node's editable fields, and only those", ({ login, roles, over }) => {
    const locked = [instance([task(over)])];
    expect(lockRefusal(locked, update(login, ['discount', 'remark'], roles))).toBeNull();
    expect(lockRefusal(locked, update(login, ['discount', 'name'], roles))).toMatchObject({
      blocked: ['name'],
      editable: ['discount', 'remark'],
    });
  });

  it.each([
    {
      who: 'a group member once another candidate claimed the task',
      login: 'ann',
      roles: ['approver'],
      over: { assignee: 'dora' },
    },
    {
      who: 'a group member who started the process (separation of duties)',
      login: 'rep',
      roles: ['approver'],
      over: {},
    },
    { who: 'someone outside the candidates', login: 'eve', roles: ['seller'], over: {} },
  ])('refuses $who', ({ login, roles, over }) => {
    expect(lockRefusal([instance([task(over)])], update(login, ['discount'], roles))).toMatchObject(
      { blocked: ['discount'], editable: [] },
    );
  });

  it('opens every field to the initiator while their resubmit task is open', () => {
    const resubmit = task({
      elementId: 'start',
      assignee: 'rep',
      candidateGroups: [],
      editableFields: [],
      resubmit: true,
    });
    expect(editableBy(instance([resubmit]), 'rep', [])).toEqual(['*']);
    expect(lockRefusal([instance([resubmit])], update('rep', ['name', 'amount']))).toBeNull();
    // not for anyone else
    expect(
      lockRefusal([instance([resubmit])], update('ann', ['name'], ['approver'])),
    ).not.toBeNull();
  });

  it('joins the editable fields of every open node the writer works on', () => {
    const two = instance([task(), task({ elementId: 'legal', editableFields: ['terms'] })]);
    expect(editableBy(two, 'ann', ['approver'])).toEqual(['discount', 'remark', 'terms']);
  });

  it('refuses a delete even to the approver', () => {
    expect(
      lockRefusal([instance([task()])], { ...update('ann', [], ['approver']), kind: 'delete' }),
    ).toMatchObject({ instance: { id: 7 } });
  });

  it('must be passed by every locking instance', () => {
    const other: LockingInstance = { ...instance([task({ editableFields: ['remark'] })]), id: 8 };
    const r = lockRefusal([instance([task()]), other], update('ann', ['discount'], ['approver']));
    expect(r).toMatchObject({ instance: { id: 8 }, blocked: ['discount'], editable: ['remark'] });
  });

  it('answers 409 RECORD_LOCKED naming the instance and the fields', () => {
    const r = lockRefusal([instance([task()])], update('ann', ['name'], ['approver']))!;
    const e = recordLockedError('offer', 3, 'update', r);
    expect(e.status).toBe(409);
    expect(e.code).toBe('RECORD_LOCKED');
    expect(e.message).toBe(
      'offer 3 is locked while offer_approval (instance 7) runs: it cannot be changed; you may change only discount, remark now',
    );
    expect(e.errors).toEqual([{ path: '/name', message: 'locked by offer_approval (instance 7)' }]);
    expect(e.extra).toEqual({
      instanceId: 7,
      processKey: 'offer_approval',
      editableFields: ['discount', 'remark'],
    });
  });
});
