// the records layer installs its filter parser (as it does in the server and the CLI)
import '../../../records/src/view-filter';
import { deal, layoutErrors } from './layout.fixtures';
import { defaultView, viewFor } from './view.kind';

const view = (over: Record<string, unknown> = {}) => ({
  kind: 'view',
  name: 'deal',
  columns: ['code', 'title', 'stage', 'total', 'account', 'owner'],
  filter: {
    stage: { ne: 'won' },
    or: [{ 'account.name': { startsWith: 'A' } }, { closed: false }],
  },
  sort: [{ field: 'closeDate', order: 'desc' }, { field: 'createdAt' }],
  groupBy: 'stage',
  kanban: 'stage',
  pageSize: 50,
  ...over,
});

describe('view documents', () => {
  it('accepts columns, a records-API filter, sort, grouping, kanban and page size', () => {
    expect(layoutErrors(view())).toEqual([]);
  });

  it.each([
    ['a date field', { start: 'closeDate' }],
    [
      'a datetime system field with an end and a title',
      { start: 'createdAt', end: 'updatedAt', title: 'title' },
    ],
    ['a date start and a datetime end', { start: 'closeDate', end: 'updatedAt', title: 'account' }],
  ])('accepts a calendar on %s', (_t, calendar) => {
    expect(layoutErrors(view({ calendar }))).toEqual([]);
  });

  it.each([
    ['a many-to-one relation', 'account'],
    ['the owner', 'owner'],
  ])('takes %s as kanban lanes and grouping', (_t, field) => {
    expect(layoutErrors(view({ kanban: field, groupBy: field }))).toEqual([]);
  });

  it.each([
    {
      title: 'unknown entity',
      over: { entity: 'nope', name: 'x' },
      path: '/entity',
      msg: 'unknown entity "nope"',
    },
    { title: 'no columns', over: { columns: [] }, path: '/columns', msg: 'fewer than 1' },
    {
      title: 'unknown column',
      over: { columns: ['title', 'nope'] },
      path: '/columns/1',
      msg: 'deal has no field "nope"',
    },
    {
      title: 'a column twice',
      over: { columns: ['title', 'stage', 'title'] },
      path: '/columns/2',
      msg: 'a column twice',
    },
    { title: 'a json column', over: { columns: ['extra'] }, path: '/columns/0', msg: 'json field' },
    {
      title: 'kanban on text',
      over: { kanban: 'title' },
      path: '/kanban',
      msg: 'cannot make kanban lanes',
    },
    {
      title: 'kanban on a yes/no field',
      over: { kanban: 'closed' },
      path: '/kanban',
      msg: 'cannot make kanban lanes',
    },
    {
      title: 'kanban on many-to-many',
      over: { kanban: 'peers' },
      path: '/kanban',
      msg: 'a select field, a many-to-one',
    },
    {
      title: 'kanban on an unknown field',
      over: { kanban: 'nope' },
      path: '/kanban',
      msg: 'no field "nope"',
    },
    {
      title: 'grouping by a date',
      over: { groupBy: 'closeDate' },
      path: '/groupBy',
      msg: 'cannot group a list',
    },
    {
      title: 'sort by an unknown field',
      over: { sort: [{ field: 'nope' }] },
      path: '/sort/0/field',
      msg: 'no field',
    },
    {
      title: 'sort by a list field',
      over: { sort: [{ field: 'tags' }] },
      path: '/sort/0/field',
      msg: 'cannot be sorted',
    },
    {
      title: 'sort by many-to-many',
      over: { sort: [{ field: 'peers' }] },
      path: '/sort/0/field',
      msg: 'cannot be sorted',
    },
    {
      title: 'sort by a field twice',
      over: { sort: [{ field: 'title' }, { field: 'title', order: 'desc' }] },
      path: '/sort/1/field',
      msg: 'sorted by twice',
    },
    {
      title: 'a bad sort order',
      over: { sort: [{ field: 'title', order: 'up' }] },
      path: '/sort/0/order',
      msg: 'must be one of',
    },
    { title: 'page size 0', over: { pageSize: 0 }, path: '/pageSize', msg: '>= 5' },
    { title: 'page size 1000', over: { pageSize: 1000 }, path: '/pageSize', msg: '<= 200' },
    { title: 'page size 2.5', over: { pageSize: 2.5 }, path: '/pageSize', msg: 'integer' },
    {
      title: 'a filter on an unknown field',
      over: { filter: { nope: 1 } },
      path: '/filter/nope',
      msg: 'unknown field "nope"',
    },
    {
      title: 'an unknown filter operator',
      over: { filter: { stage: { $ne: 'won' } } },
      path: '/filter/stage/$ne',
      msg: 'unknown operator "$ne"',
    },
    {
      title: 'a filter value of the wrong type',
      over: { filter: { rate: { gt: 'high' } } },
      path: '/filter/rate/gt',
      msg: 'takes a number',
    },
    {
      title: 'a filter through a relation to an unknown field',
      over: { filter: { 'account.nope': 'x' } },
      path: '/filter/account.nope',
      msg: 'unknown field "nope" on account',
    },
    {
      title: 'an empty or',
      over: { filter: { or: [] } },
      path: '/filter/or',
      msg: 'non-empty list',
    },
    {
      title: 'a calendar without a start',
      over: { calendar: { end: 'closeDate' } },
      path: '/calendar/start',
      msg: 'is required',
    },
    {
      title: 'a calendar on an unknown field',
      over: { calendar: { start: 'nope' } },
      path: '/calendar/start',
      msg: 'no field "nope"',
    },
    {
      title: 'a calendar starting on a text field',
      over: { calendar: { start: 'title' } },
      path: '/calendar/start',
      msg: 'use a date or datetime field',
    },
    {
      title: 'a calendar ending on a number',
      over: { calendar: { start: 'closeDate', end: 'rate' } },
      path: '/calendar/end',
      msg: 'use a date or datetime field',
    },
    {
      title: 'a calendar ending on a system field that is no date',
      over: { calendar: { start: 'closeDate', end: 'owner' } },
      path: '/calendar/end',
      msg: 'use a date or datetime field',
    },
    {
      title: 'a calendar ending where it starts',
      over: { calendar: { start: 'closeDate', end: 'closeDate' } },
      path: '/calendar/end',
      msg: 'both the start and the end',
    },
    {
      title: 'a calendar titled by a json field',
      over: { calendar: { start: 'closeDate', title: 'extra' } },
      path: '/calendar/title',
      msg: 'cannot title',
    },
    {
      title: 'a calendar with an unknown key',
      over: { calendar: { start: 'closeDate', colour: 'stage' } },
      path: '/calendar/colour',
      msg: 'not an allowed property',
    },
    {
      title: 'a filter that is a list',
      over: { filter: [] },
      path: '/filter',
      msg: 'must be object',
    },
  ])('refuses $title at $path', ({ over, path, msg }) => {
    expect(layoutErrors(view(over))).toContainEqual({
      path,
      message: expect.stringContaining(msg),
    });
  });

  it('derives a default view: the display field first, no long texts, json or lists', () => {
    const v = defaultView(deal);
    expect(v.columns).toEqual(['title', 'code', 'stage', 'total', 'rate', 'closed']);
    expect(layoutErrors(v)).toEqual([]);
    expect(viewFor([], deal)).toEqual(v);
  });
});
