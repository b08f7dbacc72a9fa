import {
  type HistoryRow,
  attachmentIdsOf,
  isTimelineEvent,
  loginsOf,
  timelineEvent,
} from './timeline-events';

let next = 0;
const row = (over: Partial<HistoryRow>): HistoryRow => ({
  id: ++next,
  element_id: 'approve',
  element_type: 'UserTask',
  event: 'approve',
  actor: 'ann',
  detail: null,
  at: '2026-03-15 08:00:00.000',
  ...over,
});

describe('timeline events', () => {
  it.each([
    ['Process start', true, row({ element_id: null, element_type: 'Process', event: 'start' })],
    ['Process end', true, row({ element_id: null, element_type: 'Process', event: 'end' })],
    [
      'Process cancelled',
      true,
      row({ element_id: null, element_type: 'Process', event: 'cancelled' }),
    ],
    ['UserTask approve', true, row({ event: 'approve' })],
    ['UserTask auto-approve', true, row({ event: 'auto-approve', actor: null })],
    ['UserTask complete', true, row({ event: 'complete' })],
    ['UserTask claim', true, row({ event: 'claim' })],
    ['UserTask cancel', true, row({ event: 'cancel' })], // a task cancelled under its assignee
    // the engine's bookkeeping is not the story
    [
      'StartEvent start',
      false,
      row({ element_id: 's', element_type: 'StartEvent', event: 'start' }),
    ],
    ['UserTask start', false, row({ event: 'start' })],
    ['UserTask end', false, row({ event: 'end' })],
    [
      'ExclusiveGateway cancel',
      false,
      row({ element_id: 'gw', element_type: 'ExclusiveGateway', event: 'cancel' }),
    ],
    [
      'Process variables',
      false,
      row({ element_id: null, element_type: 'Process', event: 'variables' }),
    ],
    [
      'BoundaryEvent timer',
      false,
      row({ element_id: 't', element_type: 'BoundaryEvent', event: 'timer' }),
    ],
  ])('%s: shown %s', (_label, shown, r) => {
    expect(isTimelineEvent(r)).toBe(shown);
  });

  const files = new Map([['f1', { name: 'quote.pdf', size: 14, mime: 'application/pdf' }]]);
  const user = (l: unknown) =>
    l ? { login: String(l), displayName: `Name of ${String(l)}` } : null;

  it('shows an action with its comment, files, named users and the rest of its detail', () => {
    const r = row({
      event: 'transfer',
      detail: JSON.stringify({
        taskId: 12,
        comment: 'over to you',
        attachments: ['f1', { id: 'gone' }],
        to: 'bob',
        via: 'admin-override',
      }),
    });
    expect(timelineEvent(r, (id) => (id ? `Node ${id}` : null), user, files)).toEqual({
      id: r.id,
      at: '2026-03-15T08:00:00.000Z',
      event: 'transfer',
      elementId: 'approve',
      elementName: 'Node approve',
      elementType: 'UserTask',
      actor: { login: 'ann', displayName: 'Name of ann' },
      comment: 'over to you',
      attachments: [
        { id: 'f1', name: 'quote.pdf', size: 14, mime: 'application/pdf' },
        { id: 'gone', name: null, size: null, mime: null },
      ],
      taskId: 12,
      users: [{ login: 'bob', displayName: 'Name of bob' }],
      detail: { via: 'admin-override' },
    });
    expect(loginsOf([r])).toEqual(['ann', 'bob']);
    expect(attachmentIdsOf([r])).toEqual(['f1', 'gone']);
  });

  it.each([
    ['transfer', { to: 'bob' }, ['bob'], null],
    ['delegate', { to: 'bob', comment: 'c' }, ['bob'], null],
    ['remind', { to: ['bob', 'cy'] }, ['bob', 'cy'], null],
    ['cc', { userIds: ['cy'] }, ['cy'], null],
    // a return's `to` is the node it went back to, not a person
    ['return', { to: 'review' }, [], { to: 'review' }],
  ])('names the users of a %s', (event, detail, users, rest) => {
    const r = row({ event, detail: JSON.stringify(detail) });
    const e = timelineEvent(r, () => null, user, files);
    expect(e.users.map((u) => u.login)).toEqual(users);
    expect(e.detail).toEqual(rest);
    expect(loginsOf([r])).toEqual(['ann', ...users]);
  });

  it('does not read process variables as an action: a completion shows its decision only', () => {
    const r = row({
      event: 'complete',
      detail: JSON.stringify({
        decision: 'reject',
        comment: 'a variable',
        userIds: ['x'],
        salary: 1,
      }),
    });
    const e = timelineEvent(r, () => null, user, files);
    expect(e).toMatchObject({
      comment: null,
      users: [],
      attachments: [],
      detail: { decision: 'reject' },
    });
    expect(loginsOf([r])).toEqual(['ann']);
    const start = row({
      element_id: null,
      element_type: 'Process',
      event: 'start',
      detail: '{"a":1}',
    });
    expect(timelineEvent(start, () => null, user, files).detail).toBeNull();
  });

  it('survives a detail that is not a JSON object', () => {
    for (const detail of ['not json', '[1,2]', '"text"'])
      expect(timelineEvent(row({ detail }), () => null, user, files)).toMatchObject({
        comment: null,
        detail: null,
        taskId: null,
      });
  });
});
