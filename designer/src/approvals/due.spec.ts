import { dueOf } from './due';

describe('dueOf', () => {
  it.each([
    {
      title: 'overdue with its time',
      item: { dueAt: '2026-03-15T08:00:00.000Z', dueState: 'overdue' },
      want: { state: 'overdue', at: '2026-03-15T08:00:00.000Z' },
    },
    {
      title: 'due soon',
      item: { dueAt: null, dueState: 'dueSoon' },
      want: { state: 'dueSoon', at: null },
    },
    {
      title: 'nothing for a closed task',
      item: { dueAt: '2026-03-15T08:00:00.000Z', dueState: null },
      want: null,
    },
    { title: 'nothing where the server sets no deadlines', item: { id: 1 }, want: null },
    { title: 'nothing for an unknown state', item: { dueState: 'late' }, want: null },
  ])('$title', ({ item, want }) => {
    expect(dueOf(item)).toEqual(want);
  });
});
