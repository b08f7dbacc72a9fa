import type { RecordData } from '../api/records';
import type { FieldInfo } from '../entities/model';
import {
  combineFilter,
  groupRows,
  isGroupRow,
  pageSelection,
  sortParam,
  viewColumns,
} from './view';

const field = (name: string): [string, FieldInfo] => [
  name,
  {
    name,
    type: 'text',
    label: { 'zh-CN': name, en: name },
    required: false,
    readOnly: false,
    system: false,
  },
];
const fields = new Map(['code', 'name', 'status', 'owner'].map(field));

describe('viewColumns', () => {
  it.each([
    {
      title: "the view's columns, the link on the display field",
      view: { columns: ['code', 'name', 'status'] },
      out: { columns: ['code', 'name', 'status'], link: 'name' },
    },
    {
      title: 'without fields the user may not read (not in their schema)',
      view: { columns: ['code', 'secret', 'status'] },
      out: { columns: ['code', 'status'], link: 'code' },
    },
    {
      title: 'the defaults when nothing of the view is left',
      view: { columns: ['secret'] },
      out: { columns: ['name', 'code'], link: 'name' },
    },
    {
      title: 'the defaults without a view',
      view: undefined,
      out: { columns: ['name', 'code'], link: 'name' },
    },
  ])('$title', ({ view, out }) => {
    expect(viewColumns(view, fields, ['name', 'code'], 'name')).toEqual(out);
  });
});

describe('sortParam', () => {
  const view = {
    columns: ['code'],
    sort: [{ field: 'quoteDate', order: 'desc' as const }, { field: 'code' }],
  };
  it.each([
    { title: "the view's sort", view, user: undefined, out: '-quoteDate,code' },
    { title: "the user's column sort over the view's", view, user: '-code', out: '-code' },
    { title: 'no sort at all', view: { columns: ['code'] }, user: undefined, out: undefined },
    {
      title: 'grouped: the group field first',
      view: { ...view, groupBy: 'status' },
      user: undefined,
      out: 'status,-quoteDate,code',
    },
    {
      title: "grouped: the user's sort after the group",
      view: { ...view, groupBy: 'status' },
      user: '-code',
      out: 'status,-code',
    },
    {
      title: 'grouped: sorting the group field itself is not repeated',
      view: { ...view, groupBy: 'status' },
      user: '-status',
      out: 'status',
    },
    {
      title: 'grouped, nothing else',
      view: { columns: ['code'], groupBy: 'status' },
      user: undefined,
      out: 'status',
    },
  ])('$title', ({ view: v, user, out }) => {
    expect(sortParam(v, user)).toBe(out);
  });

  it("drops the view's sort by a field the user may not read", () => {
    expect(sortParam(view, undefined, (f) => f !== 'quoteDate')).toBe('code');
  });
});

describe('combineFilter', () => {
  it.each([
    { title: 'neither', view: undefined, own: {}, out: {} },
    {
      title: "the view's alone",
      view: { status: { ne: 'lost' } },
      own: {},
      out: { status: { ne: 'lost' } },
    },
    { title: "the user's alone", view: undefined, own: { name: 'A' }, out: { name: 'A' } },
    {
      title: 'both, ANDed (neither can widen the other)',
      view: { status: { ne: 'lost' } },
      own: { status: 'won' },
      out: { and: [{ status: { ne: 'lost' } }, { status: 'won' }] },
    },
  ])('$title', ({ view, own, out }) => {
    expect(combineFilter(view, own)).toEqual(out);
  });
});

describe('groupRows', () => {
  const r = (id: number, status: string | null) => ({ id, version: 1, status });
  it('puts a header with its count before each run of equal values', () => {
    const out = groupRows([r(1, 'open'), r(2, 'open'), r(3, null), r(4, 'won')], 'status');
    expect(
      out.map((x) => (isGroupRow(x) ? `[${String(x.first.status)} ${x.count}]` : x.id)),
    ).toEqual(['[open 2]', 1, 2, '[null 1]', 3, '[won 1]', 4]);
    expect(new Set(out.map((x) => x.id)).size).toBe(out.length); // row keys stay unique
  });

  it('groups a relation by the id it holds, and nothing when there are no rows', () => {
    const rows = [
      { id: 1, version: 1, account: 7 },
      { id: 2, version: 1, account: 8 },
    ];
    expect(groupRows(rows, 'account').filter(isGroupRow)).toHaveLength(2);
    expect(groupRows([], 'account')).toEqual([]);
  });
});

describe('pageSelection', () => {
  const rows = groupRows(
    [
      { id: 1, version: 1, status: 'open' },
      { id: 2, version: 1, status: 'open' },
      { id: 3, version: 1, status: 'won' },
    ] as unknown as RecordData[],
    'status',
  );

  it("selects the page's records, not its group headers", () => {
    expect(pageSelection(rows, [])).toEqual({ ids: [1, 2, 3], all: false, some: false });
  });

  it('is partly selected, then all selected, whatever else is selected off the page', () => {
    expect(pageSelection(rows, [2, 99])).toMatchObject({ all: false, some: true });
    expect(pageSelection(rows, [3, 1, 2])).toMatchObject({ all: true, some: false });
  });

  it('is never "all" on an empty page', () => {
    expect(pageSelection([], [])).toEqual({ ids: [], all: false, some: false });
  });
});
