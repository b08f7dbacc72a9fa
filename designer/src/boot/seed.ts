import type { QueryClient } from '@tanstack/react-query';
import { ME_KEY } from '../auth/AuthContext';
import { ENTITIES_KEY, schemaQuery } from '../entities/queries';

/**
 * Puts the early answers that are already in (boot/early.ts) into the query cache before the
 * first render, under the keys the app's queries use: the shell and the page then render once
 * with them instead of rendering "loading" and again as each answer lands (each render of the
 * whole page is costly). Only queries that stay fresh for a while (the user, entities, schemas)
 * are seeded this way; others take their early answer through authFetch as they ask (a seeded
 * query that is stale at once would ask again on mount).
 */
export function seedFirstScreen(qc: QueryClient): void {
  const early = window.__crmEarly;
  if (!early) return;
  const { me, entities, schema } = early.arrived;
  if (me !== undefined) qc.setQueryData(ME_KEY, me);
  if (entities !== undefined) qc.setQueryData(ENTITIES_KEY, entities);
  if (schema) qc.setQueryData(schemaQuery(schema.entity).queryKey, schema.data);
}
