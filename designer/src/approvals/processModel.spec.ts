import {
  type ModelNode,
  type ProcessModel,
  nodeSettings,
  offeredActions,
  returnTargets,
  mayActOn,
  withdrawAllowed,
} from './processModel';

const node = (id: string, type: string, extra: Partial<ModelNode> = {}): ModelNode => ({
  id,
  type,
  name: id.toUpperCase(),
  headers: {},
  topLevel: true,
  attachedTo: null,
  ...extra,
});

/**
 * start → first → sub → second → third → later → end: `inner` is a user task inside the
 * subprocess `sub`; `later` comes after third (a return from third never goes there, unless a
 * flow loops back), and has a boundary event `b`.
 */
function model(props: Record<string, string> = {}): ProcessModel {
  const nodes = [
    node('s', 'startEvent'),
    node('first', 'userTask'),
    node('sub', 'subProcess'),
    node('inner', 'userTask', { topLevel: false }),
    node('second', 'userTask'),
    node('third', 'userTask'),
    node('later', 'userTask'),
    node('b', 'boundaryEvent', { attachedTo: 'later' }),
    node('e', 'endEvent'),
  ];
  return {
    id: 'p',
    name: null,
    properties: props,
    nodes: new Map(nodes.map((n) => [n.id, n])),
    flows: [
      ['s', 'first'],
      ['first', 'sub'],
      ['sub', 'second'],
      ['second', 'third'],
      ['third', 'later'],
      ['later', 'e'],
      ['b', 'e'],
    ],
    start: 's',
  };
}
const ran = { first: 1, inner: 1, second: 2, later: 1 };

describe('nodeSettings', () => {
  it('offers every action without an actions header, and always comment', () => {
    expect([...nodeSettings(node('n', 'userTask')).actions]).toEqual([
      'approve',
      'reject',
      'return',
      'delegate',
      'transfer',
      'addSigner',
      'cc',
      'comment',
    ]);
    const limited = nodeSettings(
      node('n', 'userTask', { headers: { actions: 'approve, reject,bogus' } }),
    );
    expect([...limited.actions]).toEqual(['approve', 'reject', 'comment']);
  });

  it('reads the approval mode, return targets and a variables schema that parses', () => {
    const s = nodeSettings(
      node('n', 'userTask', {
        headers: {
          approvalMode: 'all',
          returnTo: 'initiator, first',
          variablesSchema: '{"type":"object","required":["score"]}',
        },
      }),
    );
    expect(s).toMatchObject({
      approval: true,
      returnTo: ['initiator', 'first'],
      variablesSchema: { type: 'object', required: ['score'] },
    });
    expect(
      nodeSettings(node('n', 'userTask', { headers: { variablesSchema: '{' } })),
    ).toMatchObject({ approval: false, returnTo: null, variablesSchema: null });
  });
});

describe('offeredActions', () => {
  const all = nodeSettings(node('n', 'userTask'));
  it.each([
    { title: 'a closed task offers nothing', task: { state: 'completed', kind: null }, want: [] },
    {
      title: 'a suspended holder (signers before it decide first) offers nothing',
      task: { state: 'suspended', kind: null },
      want: [],
    },
    {
      title: 'a returned submission is resubmitted',
      task: { state: 'created', kind: 'resubmit' },
      want: ['resubmit', 'comment', 'cc'],
    },
    {
      title: 'an added signer approves, rejects, CCs and comments only',
      task: { state: 'created', kind: 'before' },
      want: ['approve', 'reject', 'cc', 'comment'],
    },
    {
      title: "the node's own task offers all the node allows",
      task: { state: 'created', kind: null },
      want: ['approve', 'reject', 'return', 'delegate', 'transfer', 'addSigner', 'cc', 'comment'],
    },
  ])('$title', ({ task, want }) => {
    expect(offeredActions(all, task)).toEqual(want);
  });

  it('keeps to the actions the node allows', () => {
    const limited = nodeSettings(node('n', 'userTask', { headers: { actions: 'approve,reject' } }));
    expect(offeredActions(limited, { state: 'created', kind: null })).toEqual([
      'approve',
      'reject',
      'comment',
    ]);
  });
});

describe('returnTargets', () => {
  const settings = (returnTo?: string) =>
    nodeSettings(node('third', 'userTask', { headers: returnTo ? { returnTo } : {} }));

  it('offers the initiator and the user tasks before the node that ran, top level only', () => {
    // inner is inside a subprocess; later comes after third; third itself is not a target
    expect(returnTargets(model(), 'third', settings(), ran)).toEqual([
      { value: 'initiator', name: null },
      { value: 'first', name: 'FIRST' },
      { value: 'second', name: 'SECOND' },
    ]);
  });

  it('leaves out user tasks that have not run in this instance', () => {
    expect(returnTargets(model(), 'third', settings(), { first: 1 })).toEqual([
      { value: 'initiator', name: null },
      { value: 'first', name: 'FIRST' },
    ]);
  });

  it('narrows to the returnTo header (initiator or the start event id both name the initiator)', () => {
    expect(returnTargets(model(), 'third', settings('second'), ran)).toEqual([
      { value: 'second', name: 'SECOND' },
    ]);
    expect(returnTargets(model(), 'third', settings('s'), ran)).toEqual([
      { value: 'initiator', name: null },
    ]);
    expect(returnTargets(model(), 'third', settings('initiator,first'), ran)).toEqual([
      { value: 'initiator', name: null },
      { value: 'first', name: 'FIRST' },
    ]);
  });

  it('counts a boundary event path as reaching (a loop back through a timer)', () => {
    const m = model();
    m.flows.push(['b', 'third']);
    expect(returnTargets(m, 'third', settings(), ran).map((t) => t.value)).toContain('later');
  });
});

describe('withdrawAllowed', () => {
  it('is allowed unless the process says never', () => {
    expect(withdrawAllowed(model())).toBe(true);
    expect(withdrawAllowed(model({ withdraw: 'beforeFirstAction' }))).toBe(true);
    expect(withdrawAllowed(model({ withdraw: 'never' }))).toBe(false);
  });
});

describe('mayActOn', () => {
  it.each([
    { title: 'the assignee', task: { assignee: 'li' }, want: true },
    { title: 'not another assignee', task: { assignee: 'wang' }, want: false },
    {
      title: 'not a candidate once someone holds it',
      task: { assignee: 'wang', candidateUsers: ['li'] },
      want: false,
    },
    { title: 'a candidate user', task: { assignee: null, candidateUsers: ['li'] }, want: true },
    {
      title: 'a holder of a candidate role',
      task: { assignee: null, candidateGroups: ['manager'] },
      want: true,
    },
    {
      title: 'not one outside the candidates',
      task: { assignee: null, candidateUsers: ['wang'], candidateGroups: ['director'] },
      want: false,
    },
    { title: 'anyone on a task offered to nobody', task: { assignee: null }, want: true },
  ])('$title', ({ task, want }) => {
    expect(mayActOn(task, 'li', ['manager'])).toBe(want);
  });
});
