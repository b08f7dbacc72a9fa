import { COLUMN_ATTR, DRAG_THRESHOLD, columnAt, isDrag } from './cardDrag';

describe('card drag', () => {
  it('a press that moves less than the threshold stays a click', () => {
    expect(isDrag(0, 0)).toBe(false);
    expect(isDrag(3, 4)).toBe(false); // 5 px
    expect(isDrag(DRAG_THRESHOLD, 0)).toBe(true);
    expect(isDrag(-5, -5)).toBe(true);
  });

  it('finds the column under the pointer by its attribute, or none', () => {
    const asked: string[] = [];
    const doc = (column: string | null) =>
      ({
        elementFromPoint: () => ({
          closest: (selector: string) => {
            asked.push(selector);
            return column === null ? null : { getAttribute: () => column };
          },
        }),
      }) as unknown as Document;
    expect(columnAt(10, 10, doc('active'))).toBe('active');
    expect(columnAt(10, 10, doc(null))).toBeNull();
    expect(asked[0]).toBe(`[${COLUMN_ATTR}]`);
    const empty = { elementFromPoint: () => null } as unknown as Document;
    expect(columnAt(10, 10, empty)).toBeNull();
  });
});
