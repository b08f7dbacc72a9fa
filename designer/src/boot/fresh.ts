/**
 * How long a seeded answer counts as fresh: as long as the early answers are kept (handoff.ts),
 * so a page mounting with a seeded query does not ask the server for what it was just given.
 */
const SEEDED_FRESH_MS = 20_000;
/** queryHash → dataUpdatedAt of the seeded answer */
const seeded = new Map<string, number>();

export const markSeeded = (queryHash: string, dataUpdatedAt: number) =>
  void seeded.set(queryHash, dataUpdatedAt);

/**
 * staleTime of a query the first screen may seed (lists, inbox, badge, bell): fresh while it holds
 * the seeded answer, stale at once (their usual) from its first own fetch on.
 */
export function freshWhileSeeded(query: {
  queryHash: string;
  state: { dataUpdatedAt: number };
}): number {
  return seeded.get(query.queryHash) === query.state.dataUpdatedAt ? SEEDED_FRESH_MS : 0;
}
