import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { apiCall } from '../api/records';
import type { EntitySchema } from './model';

export type EntitySummary = NonNullable<Awaited<ReturnType<typeof fetchEntities>>>['data'][number];

async function fetchEntities() {
  return ok(await api.GET('/api/meta/entities'));
}

export const ENTITIES_KEY = ['entities'];

/** The entities the user may read (navigation, search). */
export function useEntities() {
  return useQuery({ queryKey: ENTITIES_KEY, queryFn: fetchEntities, staleTime: 5 * 60_000 });
}

export const schemaQuery = (entity: string) => ({
  queryKey: ['schema', entity],
  staleTime: 5 * 60_000,
  queryFn: () =>
    apiCall<EntitySchema>('GET', `/api/meta/entities/${encodeURIComponent(entity)}/schema`),
});

export function useEntitySchema(entity: string | undefined) {
  return useQuery({ ...schemaQuery(entity ?? ''), enabled: !!entity });
}
