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
    [row({ element_id: null, element_type: 'Process', event: 'start' }), true],
    [row({ element_id: null, element_type: 'Process', event: 'end' }), true],
    [row({ element_id: null, element_type: 'Process', event: 'cancelled' }), true],
    [row({ event: 'approve' }), true],
    [row({ event: 'auto-approve', actor: null }), true],
    [row({ event: 'complete' }), true],
    [row({ event: 'claim' }), true],
    [row({ event: 'cancel' }), true], // a task cancelled under its assignee
    // the engine's bookkeeping is not the story
    [row({ element_id: 's', element_type: 'StartEvent', event: 'start' }), false],
    [row({ event: 'start' }), false],
    [row({ event: 'end' }), false],
    [row({ element_id: 'gw', element_type: 'ExclusiveGateway', event: 'cancel' }), false],
    [row({ element_id: null, element_type: 'Process', event: 'variables' }), false],
    [row({ element_id: 't', element_type: 'BoundaryEvent', event: 'timer' }), false],
  ])('%#: %o shown: %s', (r, shown) => {
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
        userIds: ['bob'],
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
