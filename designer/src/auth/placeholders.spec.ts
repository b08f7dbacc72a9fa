import { resolvePlaceholders, rulesForRecords } from './placeholders';

describe('rulesForRecords', () => {
  it('resolves $me and keeps plain conditions', () => {
    expect(resolvePlaceholders({ owner: '$me', status: 'draft' }, 'zhang')).toEqual({
      conditions: { owner: 'zhang', status: 'draft' },
      exact: true,
    });
  });

  it.each([
    { title: 'a department placeholder', cond: { owner: '$myDepartmentTree' } },
    { title: 'shares', cond: { $sharedWithMe: true } },
    { title: 'a placeholder in a list', cond: { owner: { $in: ['li', '$mySubordinates'] } } },
  ])('cannot check $title in the browser', ({ cond }) => {
    expect(resolvePlaceholders(cond, 'zhang')).toEqual({ conditions: {}, exact: false });
  });

  it('counts an unknowable allowing condition as matching, and leaves out such a denial', () => {
    const rules = [
      { action: 'read', subject: 'quote', conditions: { owner: '$myDepartmentTree' } },
      {
        action: 'update',
        subject: 'quote',
        inverted: true,
        conditions: { owner: '$mySubordinates' },
      },
      {
        action: 'update',
        subject: 'quote',
        inverted: true,
        conditions: { status: { $in: ['approved'] } },
      },
      { action: 'read', subject: 'product' },
    ];
    expect(rulesForRecords(rules, 'zhang')).toEqual([
      { action: 'read', subject: 'quote', conditions: {} },
      {
        action: 'update',
        subject: 'quote',
        inverted: true,
        conditions: { status: { $in: ['approved'] } },
      },
      { action: 'read', subject: 'product' },
    ]);
  });
});
