import { CrmError } from '@crm/common';
import { correctAssignment, parseTaskListenerResult } from './task-listener-result';

describe('parseTaskListenerResult', () => {
  it('reads a denial, its reason and corrections; null keeps a value', () => {
    expect(parseTaskListenerResult(undefined)).toBeNull();
    expect(parseTaskListenerResult(null)).toBeNull();
    expect(
      parseTaskListenerResult({
        type: 'userTask',
        denied: true,
        deniedReason: 'why',
        corrections: { assignee: ' bob ', candidateGroups: ['a', 'a', 'b'], dueDate: null },
      }),
    ).toEqual({
      denied: true,
      deniedReason: 'why',
      corrections: { assignee: 'bob', candidateGroups: ['a', 'b'] },
    });
    expect(parseTaskListenerResult({ corrections: { priority: 0 } })?.corrections).toEqual({
      priority: 0,
    });
    expect(parseTaskListenerResult({ corrections: { priority: 100 } })?.corrections).toEqual({
      priority: 100,
    });
    // a reason without a denial is no denial
    expect(parseTaskListenerResult({ deniedReason: 'x' })).toEqual({
      denied: false,
      deniedReason: null,
      corrections: {},
    });
  });

  it.each<[unknown, string]>([
    [[], '/result'],
    [{ type: 'x' }, '/result/type'],
    [{ denied: 1 }, '/result/denied'],
    [{ deniedReason: 3 }, '/result/deniedReason'],
    [{ deniedReason: 'x'.repeat(2001) }, '/result/deniedReason'],
    [{ corrections: 'x' }, '/result/corrections'],
    [{ corrections: { priority: 101 } }, '/result/corrections/priority'],
    [{ corrections: { priority: -1 } }, '/result/corrections/priority'],
    [{ corrections: { priority: 1.5 } }, '/result/corrections/priority'],
    [{ corrections: { priority: '80' } }, '/result/corrections/priority'],
    [{ corrections: { followUpDate: '' } }, '/result/corrections/followUpDate'],
    [{ corrections: { assignee: 'x'.repeat(65) } }, '/result/corrections/assignee'],
    [{ corrections: { dueDate: 7 } }, '/result/corrections/dueDate'],
    [{ corrections: { candidateGroups: [1] } }, '/result/corrections/candidateGroups/0'],
    [
      { corrections: { candidateUsers: ['x'.repeat(300), 'y'.repeat(300)] } },
      '/result/corrections/candidateUsers',
    ],
  ])('refuses %j at %s', (raw, pointer) => {
    let err: unknown;
    try {
      parseTaskListenerResult(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CrmError);
    expect((err as CrmError).errors[0].path).toBe(pointer);
  });
});

describe('correctAssignment', () => {
  const a = { assignee: 'ann', users: ['u'], groups: ['g'] };
  it('overrides what is corrected, clears with "" and [], keeps the rest', () => {
    expect(correctAssignment(a, {})).toEqual(a);
    expect(correctAssignment(a, { assignee: '', candidateUsers: [] })).toEqual({
      assignee: null,
      users: [],
      groups: ['g'],
    });
  });
});
