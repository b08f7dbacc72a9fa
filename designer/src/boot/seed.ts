import { hashKey, type QueryClient, type QueryKey } from '@tanstack/react-query';
import { listUrl } from '../api/listUrl';
import type { EntitySchema } from '../entities/model';
import { ENTITIES_KEY, schemaQuery } from '../entities/queries';
import { type EntityEntry, firstPageQuery, recordsKey } from '../record-list/firstPage';
import { markSeeded } from './fresh';
import type { EarlyRequests } from './handoff';
import { COUNTS_KEY, INBOX_FIRST_FILTER, inboxKey, ME_KEY, NOTIFICATIONS_KEY } from './queryKeys';
import { entityOf } from './pages';
import { firstRequests, requestKey, tableListOf } from './plan';

/** The first page of an infinite query, as its queryFn would have put it. */
const firstPage = (data: unknown) => ({ pages: [data], pageParams: [null] });

/**
 * Puts the early answers that are already in (boot/early.ts) into the query cache before the
 * first render, under the keys the app's queries use: the shell and the page then render once
 * with their data (the inbox's or the list's rows included) instead of rendering "loading" and
 * again as each answer lands, each render of the whole page being costly. A seeded answer's
 * response is taken out of the early ones: a later request of the same URL (a refetch after a
 * change) must reach the server.
 */
export function seedFirstScreen(
  qc: QueryClient,
  early: EarlyRequests | undefined = window.__crmEarly,
  { pathname, search, href }: Pick<Location, 'pathname' | 'search' | 'href'> = location,
): void {
  if (!early) return;
  const take = (url: string | undefined): unknown => {
    if (!url) return undefined;
    const key = requestKey(url, href);
    if (!early.answers.has(key)) return undefined;
    early.responses.delete(key);
    return early.answers.get(key);
  };
  const put = (queryKey: QueryKey, data: unknown) => {
    if (data === undefined) return;
    qc.setQueryData(queryKey, data);
    markSeeded(hashKey(queryKey), qc.getQueryState(queryKey)?.dataUpdatedAt ?? 0);
  };
  const urls = firstRequests(pathname, search);
  const me = take(urls.me);
  const entities = take(urls.entities) as { data: EntityEntry[] } | undefined;
  const schema = take(urls.schema) as EntitySchema | undefined;
  put(ME_KEY, me);
  put(ENTITIES_KEY, entities);
  const entity = entityOf(pathname);
  if (schema && entity) put(schemaQuery(entity).queryKey, schema);
  const counts = take(urls.counts) as { counts?: unknown } | undefined;
  put(COUNTS_KEY, counts?.counts);
  const notifications = take(urls.notifications) as { data?: unknown } | undefined;
  put(NOTIFICATIONS_KEY, notifications?.data);
  const box = urls.inbox && new URL(urls.inbox, href).searchParams.get('box');
  if (box) {
    const inbox = take(urls.inbox);
    if (inbox !== undefined) put(inboxKey(box, INBOX_FIRST_FILTER), firstPage(inbox));
  }
  const listed = tableListOf(pathname, search);
  if (listed && entities && schema) {
    const q = firstPageQuery(listed, entities.data, schema);
    const page = take(listUrl(listed, q));
    if (page !== undefined) put(recordsKey(listed, q), firstPage(page));
  }
}
