import { subordinatesOf, subtreeOf } from './identity.service';

describe('department tree and reporting lines', () => {
  const deps = [
    { id: 1, parentId: null },
    { id: 2, parentId: 1 },
    { id: 3, parentId: 2 },
    { id: 4, parentId: 1 },
    { id: 5, parentId: 6 },
    { id: 6, parentId: 5 }, // a cycle must not hang
  ];
  it.each([
    [1, [1, 2, 4, 3]],
    [2, [2, 3]],
    [3, [3]],
    [5, [5, 6]],
  ])('subtree of %i', (root, expected) => {
    expect(subtreeOf(deps, root)).toEqual(expected);
  });

  it('finds direct and indirect reports, not the user, and survives cycles', () => {
    const users = [
      { id: 1, login: 'boss', supervisorId: null },
      { id: 2, login: 'mgr', supervisorId: 1 },
      { id: 3, login: 'rep', supervisorId: 2 },
      { id: 4, login: 'other', supervisorId: null },
      { id: 5, login: 'a', supervisorId: 6 },
      { id: 6, login: 'b', supervisorId: 5 },
    ];
    expect(subordinatesOf(users, 1)).toEqual(['mgr', 'rep']);
    expect(subordinatesOf(users, 3)).toEqual([]);
    expect(subordinatesOf(users, 5)).toEqual(['b']);
  });
});
