import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';

export type TaskState = 'created' | 'completed';

/** The caller's own tasks (mine=true: even a user who may read every task sees only theirs). */
export function useTasks(state: TaskState) {
  return useQuery({
    queryKey: ['tasks', state],
    refetchInterval: 30_000,
    queryFn: async () =>
      ok(await api.GET('/api/tasks', { params: { query: { state, mine: true } } })).data,
  });
}

export function useTaskCounts() {
  const pending = useTasks('created');
  return { pending: pending.data?.length ?? 0, loading: pending.isLoading };
}
