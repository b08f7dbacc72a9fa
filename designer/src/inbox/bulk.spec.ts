import { resultsOf, stillSelected, tally } from './bulk';

describe('bulk results', () => {
  const answer = [
    { taskId: 1, ok: true, status: 200 },
    {
      taskId: 2,
      ok: false,
      status: 409,
      code: 'TASK_CONFLICT',
      message: 'task 2 is already approve',
    },
    { taskId: 3, ok: true, status: 200 },
  ];

  it('keeps each task’s outcome with the action', () => {
    const r = resultsOf('approve', answer);
    expect(r.get(2)).toEqual({
      taskId: 2,
      action: 'approve',
      ok: false,
      status: 409,
      code: 'TASK_CONFLICT',
      message: 'task 2 is already approve',
    });
    expect(tally(r)).toEqual({ ok: 2, failed: 1 });
  });

  it('keeps only the failed rows selected', () => {
    expect([...stillSelected(new Set([1, 2, 3]), resultsOf('reject', answer))]).toEqual([2]);
  });
});
