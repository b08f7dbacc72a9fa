import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../api/client';
import { freshWhileSeeded } from '../boot/fresh';
import { COUNTS_KEY, inboxKey } from '../boot/queryKeys';
import { type Box, INBOX_PAGE } from './boxes';

export { BOXES, type Box } from './boxes';

export type InboxItem = Schemas['InboxItem'];
export type InboxCounts = Schemas['InboxPage']['counts'];

export interface InboxFilter {
  due?: 'dueSoon' | 'overdue';
  q?: string;
}

export { INBOX_FIRST_FILTER } from '../boot/queryKeys';

/** One box, a page at a time (keyset cursor), with the counts of every box. */
export function useInbox(box: Box, filter: InboxFilter) {
  return useInfiniteQuery({
    queryKey: inboxKey(box, filter),
    staleTime: freshWhileSeeded,
    initialPageParam: null as string | null,
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      ok(
        await api.GET('/api/inbox', {
          params: {
            query: {
              box,
              limit: INBOX_PAGE,
              ...(filter.due && box !== 'done' && { due: filter.due }),
              ...(filter.q && { q: filter.q }),
              ...(pageParam && { cursor: pageParam }),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The counts of every box (the navigation's badge, the home page): one small request. */
export function useTaskCounts() {
  const q = useQuery({
    queryKey: COUNTS_KEY,
    staleTime: freshWhileSeeded,
    refetchInterval: 30_000,
    queryFn: async () =>
      ok(await api.GET('/api/inbox', { params: { query: { box: 'pending', limit: 1 } } })).counts,
  });
  return { pending: q.data?.pending ?? 0, counts: q.data, loading: q.isLoading };
}
