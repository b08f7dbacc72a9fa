import { QueryClient } from '@tanstack/react-query';
import { ENTITIES_KEY } from '../entities/queries';
import type { EntitySchema } from '../entities/model';
import { recordsKey } from '../record-list/firstPage';
import { freshWhileSeeded } from './fresh';
import type { EarlyRequests } from './handoff';
import { requestKey } from './plan';
import { COUNTS_KEY, INBOX_FIRST_FILTER, inboxKey, ME_KEY, NOTIFICATIONS_KEY } from './queryKeys';
import { seedFirstScreen } from './seed';

const ORIGIN = 'http://crm.test';
const at = (path: string, search = '') => ({
  pathname: path,
  search,
  href: `${ORIGIN}${path}${search}`,
});
const schema: EntitySchema = {
  'x-entity': 'item',
  'x-label': { 'zh-CN': '条目', en: 'Item' },
  'x-display-field': 'title',
  properties: { id: { 'x-system': true }, title: { 'x-field-type': 'text' } },
};
const entities = { data: [{ name: 'item', displayField: 'title' }] };
const page = { data: [{ id: 1, version: 1, title: 'first' }], nextCursor: null, count: 1 };
const inboxPage = { items: [{ taskId: 7 }], counts: { pending: 1 }, nextCursor: null };

/** Early requests whose answers (by URL) are in; every URL has its pending response too. */
function early(answers: Record<string, unknown>): EarlyRequests {
  const e: EarlyRequests = { token: 't', at: 0, responses: new Map(), answers: new Map() };
  for (const [url, data] of Object.entries(answers)) {
    const key = requestKey(url, ORIGIN);
    e.responses.set(key, Promise.resolve(new Response(JSON.stringify(data))));
    if (data !== undefined) e.answers.set(key, data);
  }
  return e;
}

describe('the first screen seeded with the early answers', () => {
  it("puts a list's answers under the keys its queries use and takes them out of the early ones", () => {
    const qc = new QueryClient();
    const listUrl = '/api/records/item?limit=50&count=true';
    const e = early({
      '/api/auth/me': { user: { login: 'admin' }, roles: [] },
      '/api/meta/entities': entities,
      '/api/meta/entities/item/schema': schema,
      '/api/inbox?box=pending&limit=1': inboxPage,
      '/api/notifications': { data: [{ id: 3 }] },
      [listUrl]: page,
    });
    seedFirstScreen(qc, e, at('/records/item'));
    expect(qc.getQueryData(ME_KEY)).toEqual({ user: { login: 'admin' }, roles: [] });
    expect(qc.getQueryData(ENTITIES_KEY)).toEqual(entities);
    expect(qc.getQueryData(['schema', 'item'])).toEqual(schema);
    expect(qc.getQueryData(COUNTS_KEY)).toEqual({ pending: 1 });
    expect(qc.getQueryData(NOTIFICATIONS_KEY)).toEqual([{ id: 3 }]);
    const key = recordsKey('item', { filter: {}, sort: undefined, include: [], limit: 50 });
    expect(qc.getQueryData(key)).toEqual({ pages: [page], pageParams: [null] });
    // a refetch of any of them must reach the server, not the early answer
    expect([...e.responses.keys()]).toEqual([]);
  });

  it("puts the inbox's rows under the opening box's key", () => {
    const qc = new QueryClient();
    seedFirstScreen(
      qc,
      early({ '/api/inbox?box=cc&limit=20': inboxPage }),
      at('/inbox', '?box=cc'),
    );
    expect(qc.getQueryData(inboxKey('cc', INBOX_FIRST_FILTER))).toEqual({
      pages: [inboxPage],
      pageParams: [null],
    });
  });

  it('leaves an answer not in yet to the app, which takes its response as it asks', () => {
    const qc = new QueryClient();
    const e = early({ '/api/inbox?box=pending&limit=20': undefined });
    seedFirstScreen(qc, e, at('/inbox'));
    expect(qc.getQueryData(inboxKey('pending', INBOX_FIRST_FILTER))).toBeUndefined();
    expect(e.responses.has(requestKey('/api/inbox?box=pending&limit=20', ORIGIN))).toBe(true);
  });

  it('keeps a seeded query fresh until its data is replaced, then stale at once again', () => {
    const qc = new QueryClient();
    seedFirstScreen(qc, early({ '/api/notifications': { data: [] } }), at('/'));
    const query = () => qc.getQueryCache().find({ queryKey: NOTIFICATIONS_KEY })!;
    expect(freshWhileSeeded(query())).toBeGreaterThan(0);
    qc.setQueryData(NOTIFICATIONS_KEY, [{ id: 1 }], { updatedAt: Date.now() + 1 });
    expect(freshWhileSeeded(query())).toBe(0);
    // a query the first screen never seeded is stale at once, as ever
    qc.setQueryData(['other'], []);
    expect(freshWhileSeeded(qc.getQueryCache().find({ queryKey: ['other'] })!)).toBe(0);
  });
});
