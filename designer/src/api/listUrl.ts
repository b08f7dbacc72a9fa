/**
 * The URL of a page of an entity's records (GET /api/records/:entity). Its own module, free of
 * the API client, so the early script in index.html (boot/early.ts) asks for the very URL the
 * list will, and the list takes that answer instead of asking again.
 */
export interface ListQuery {
  filter?: unknown;
  sort?: string;
  limit?: number;
  cursor?: string | null;
  fields?: string[];
  include?: string[];
  count?: boolean;
}

export const recordsBase = (entity: string) => `/api/records/${encodeURIComponent(entity)}`;

export function listUrl(entity: string, q: ListQuery = {}): string {
  const p = new URLSearchParams();
  if (q.filter && Object.keys(q.filter as object).length) p.set('filter', JSON.stringify(q.filter));
  if (q.sort) p.set('sort', q.sort);
  if (q.limit) p.set('limit', String(q.limit));
  if (q.cursor) p.set('cursor', q.cursor);
  if (q.fields?.length) p.set('fields', q.fields.join(','));
  if (q.include?.length) p.set('include', q.include.join(','));
  if (q.count) p.set('count', 'true');
  return `${recordsBase(entity)}?${p}`;
}
