import {
  deadlineHeaderProblems,
  parseOverdueAction,
  readDeadlineHeaders,
} from './deadline-headers';
import { dueState } from './due-state';

describe('deadline headers', () => {
  it('reads the headers of an approval node', () => {
    expect(
      readDeadlineHeaders({
        deadline: '2 workingDays',
        calendar: 'cn',
        remindBefore: ' 4 workingHours ',
        onOverdue: 'escalate:sales_director',
        approvalMode: 'single',
      }),
    ).toEqual({
      deadline: '2 workingDays',
      calendar: 'cn',
      remindBefore: '4 workingHours',
      onOverdue: { kind: 'escalate', role: 'sales_director' },
    });
  });

  it('reads absent and blank headers as none', () => {
    expect(readDeadlineHeaders({ deadline: ' ', onOverdue: '' })).toEqual({
      deadline: null,
      calendar: null,
      remindBefore: null,
      onOverdue: null,
    });
  });

  it.each([
    ['remind', { kind: 'remind' }],
    ['escalate', { kind: 'escalate', role: null }],
    ['escalate:finance', { kind: 'escalate', role: 'finance' }],
    ['approve', { kind: 'approve' }],
    ['reject', { kind: 'reject' }],
    ['escalate:', null],
    ['escalate:Finance Team', null],
    ['auto-approve', null],
  ])('onOverdue %s', (raw, expected) => {
    expect(parseOverdueAction(raw)).toEqual(expected);
  });

  it('accepts valid headers and FEEL the FEEL check accepts', () => {
    expect(
      deadlineHeaderProblems({
        deadline: '=if amount > 10000 then "5 workingDays" else "2 workingDays"',
        calendar: 'cn',
        remindBefore: '1 workingDay',
        onOverdue: 'remind',
      }),
    ).toEqual([]);
  });

  it.each([
    [{ deadline: '2 days' }, 'header deadline: "2 days" is not <n> hours'],
    [{ deadline: 'P2D' }, 'header deadline: "P2D" is not'],
    [{ remindBefore: '0 workingHours' }, 'header remindBefore: "0 workingHours": the amount'],
    [{ calendar: 'China Mainland' }, 'header calendar: "China Mainland" is not a calendar'],
    [{ onOverdue: 'escalate:' }, 'header onOverdue: "escalate:" is not one of remind'],
    [{ deadline: '=oops(' }, 'header deadline: bad FEEL'],
    [
      { onOverdue: 'approve', actions: 'reject,return' },
      "header onOverdue: approve is not among the node's actions (reject, return)",
    ],
  ])('refuses %j', (headers, message) => {
    const problems = deadlineHeaderProblems(headers as Record<string, string>, (raw) =>
      raw.includes('(') && !raw.includes(')') ? 'bad FEEL' : undefined,
    );
    expect(problems).toEqual([expect.stringContaining(message)]);
  });
});

describe('dueState', () => {
  const now = new Date('2026-03-16T02:00:00.000Z');
  it.each([
    ['2026-03-16T01:59:59.999Z', 'created', 'overdue'],
    ['2026-03-16T02:00:00.000Z', 'created', 'overdue'],
    ['2026-03-16T02:00:00.001Z', 'created', 'dueSoon'],
    ['2026-03-17T02:00:00.000Z', 'created', 'dueSoon'],
    ['2026-03-17T02:00:00.001Z', 'created', 'ok'],
    ['2026-03-10T00:00:00.000Z', 'completed', null],
    ['2026-03-10T00:00:00.000Z', 'suspended', null],
    [null, 'created', null],
  ])('due %s, task %s: %s', (dueAt, state, expected) => {
    expect(dueState(dueAt, state, now, 24)).toBe(expected);
  });

  it('takes the due-soon window from the setting', () => {
    expect(dueState('2026-03-16T05:00:00.000Z', 'created', now, 2)).toBe('ok');
    expect(dueState('2026-03-16T05:00:00.000Z', 'created', now, 3)).toBe('dueSoon');
  });
});
