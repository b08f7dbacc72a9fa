import { eventColor, fileSize, returnTargetOf, userName, visibleEvents } from './timelineView';

describe('timeline view', () => {
  it('names a user by display name, else login', () => {
    expect(userName({ login: 'li', displayName: '李四' })).toBe('李四');
    expect(userName({ login: 'li', displayName: null })).toBe('li');
    expect(userName(null)).toBe('');
  });

  it.each([
    ['approve', null, 'green'],
    ['reject', null, 'red'],
    ['return', null, 'red'],
    ['withdraw', null, 'red'],
    ['comment', null, 'blue'],
    ['complete', { decision: 'reject' }, 'red'],
    ['complete', null, 'green'],
    ['claim', null, 'gray'],
    ['something-new', null, 'gray'],
  ])('colours %s %j %s', (event, detail, color) => {
    expect(eventColor(event, detail)).toBe(color);
  });

  it('says where a return went: the initiator (start event) or a node by name', () => {
    const names = (id: string) => ({ review: '初审' })[id] ?? null;
    expect(returnTargetOf({ to: 'submitted' }, names, 'submitted')).toEqual({ initiator: true });
    expect(returnTargetOf({ to: 'review' }, names, 'submitted')).toEqual({
      initiator: false,
      name: '初审',
    });
    expect(returnTargetOf({ to: 'gone' }, names, 'submitted')).toEqual({
      initiator: false,
      name: 'gone',
    });
    expect(returnTargetOf({}, names, 'submitted')).toBeNull();
  });

  it('writes file sizes people read', () => {
    expect(fileSize(900)).toBe('900 B');
    expect(fileSize(2048)).toBe('2.0 KB');
    expect(fileSize(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(fileSize(null)).toBe('');
  });
});

describe('visibleEvents', () => {
  type User = { login: string; displayName: string | null };
  const li: User = { login: 'li', displayName: '李四' };
  const admin: User = { login: 'admin', displayName: null };
  const ev = (event: string, actor: User | null) => ({
    event,
    actor,
    elementType: 'UserTask',
  });

  it('drops the task cancellations an action by the same person caused', () => {
    const events = [
      ev('start', li),
      ev('return', li),
      ev('cancel', li),
      ev('cancel', li),
      ev('resubmit', admin),
    ];
    expect(visibleEvents(events).map((e) => e.event)).toEqual(['start', 'return', 'resubmit']);
  });

  it('keeps a cancellation nobody’s shown action explains', () => {
    const events = [ev('approve', li), ev('cancel', admin), ev('cancel', null)];
    expect(visibleEvents(events).map((e) => e.event)).toEqual(['approve', 'cancel', 'cancel']);
  });
});
