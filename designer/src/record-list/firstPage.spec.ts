import { listUrl } from '../api/listUrl';
import type { EntitySchema } from '../entities/model';
import { firstPageQuery } from './firstPage';

const schema: EntitySchema = {
  'x-entity': 'quote',
  'x-label': { 'zh-CN': '报价', en: 'Quote' },
  'x-display-field': 'title',
  properties: {
    id: { 'x-system': true },
    title: { 'x-field-type': 'text' },
    status: { 'x-field-type': 'select' },
    customer: {
      'x-field-type': 'relation',
      'x-relation': { kind: 'manyToOne', target: 'customer' },
    },
    tags: { 'x-field-type': 'relation', 'x-relation': { kind: 'manyToMany', target: 'tag' } },
  },
};

describe('the first page of a list, as the list opens', () => {
  it('without a view: the default columns, their many-to-one relations included, 50 rows', () => {
    const q = firstPageQuery('quote', [{ name: 'quote', displayField: 'title' }], schema);
    expect(q).toEqual({
      filter: {},
      sort: undefined,
      limit: 50,
      cursor: null,
      include: ['customer'],
      count: true,
    });
    expect(listUrl('quote', q)).toBe('/api/records/quote?limit=50&include=customer&count=true');
  });

  it('with a view: its filter, its sort (grouping first, unknown fields dropped) and page size', () => {
    const view = {
      columns: ['title', 'status'],
      filter: { status: { eq: 'open' } },
      sort: [
        { field: 'title', order: 'desc' as const },
        { field: 'secret', order: 'asc' as const },
      ],
      groupBy: 'status',
      pageSize: 20,
    };
    const q = firstPageQuery('quote', [{ name: 'quote', displayField: 'title', view }], schema);
    expect(q).toMatchObject({
      filter: { status: { eq: 'open' } },
      sort: 'status,-title',
      limit: 20,
      include: [],
    });
  });
});
