import { ApiError, type ApiErrorBody } from './client';
import { authFetch } from './session';
import { listUrl, type ListQuery, recordsBase as base } from './listUrl';
import type { paths } from './openapi';

export type { ListQuery };

/**
 * The records API is one route per entity in the OpenAPI document (/api/records/customer, ...),
 * but the app's pages are generic over entities, so they call it through these helpers. Their
 * shapes are tied to the documented ones of a shipped entity: if the server changes the envelope
 * of a list page or a record, `npm run check` fails here.
 */
type ListReply =
  paths['/api/records/customer']['get']['responses']['200']['content']['application/json'];
export type RecordData = Record<string, unknown> & { id: number; version: number };
export type ListPage = Omit<ListReply, 'data'> & { data: RecordData[] };
type Documented<K extends keyof ListReply> = ListReply[K];
export type NextCursor = Documented<'nextCursor'>;

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await authFetch(
    new Request(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) {
    const b = json as Partial<ApiErrorBody>;
    throw new ApiError(res.status, {
      statusCode: res.status,
      code: b.code ?? 'HTTP_ERROR',
      message: b.message ?? res.statusText,
      errors: b.errors ?? [],
      ...(b as object),
    });
  }
  return json as T;
}

export function listRecords(entity: string, q: ListQuery = {}): Promise<ListPage> {
  return call('GET', listUrl(entity, q));
}

export const getRecord = (entity: string, id: number | string, include: string[] = []) =>
  call<RecordData>(
    'GET',
    `${base(entity)}/${id}${include.length ? `?include=${include.join(',')}` : ''}`,
  );
export const createRecord = (entity: string, data: Record<string, unknown>) =>
  call<RecordData>('POST', base(entity), data);
export const updateRecord = (entity: string, id: number, data: Record<string, unknown>) =>
  call<RecordData>('PATCH', `${base(entity)}/${id}`, data);
export const deleteRecord = (entity: string, id: number, version?: number) =>
  call<void>(
    'DELETE',
    `${base(entity)}/${id}${version !== undefined ? `?version=${version}` : ''}`,
  );
export interface HistoryEntry {
  at: string;
  by: string | null;
  field?: string;
  old?: unknown;
  new?: unknown;
  [k: string]: unknown;
}
export const recordHistory = (entity: string, id: number) =>
  call<{ data: HistoryEntry[] }>('GET', `${base(entity)}/${id}/history`);

/** CSV export as a file download (the browser saves it). */
export async function exportCsv(entity: string, filter?: unknown): Promise<Blob> {
  const p = new URLSearchParams({ format: 'csv' });
  if (filter && Object.keys(filter as object).length) p.set('filter', JSON.stringify(filter));
  const res = await authFetch(new Request(`${base(entity)}/export?${p}`));
  if (!res.ok) {
    const b = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody>;
    throw new ApiError(res.status, {
      statusCode: res.status,
      code: b.code ?? 'HTTP_ERROR',
      message: b.message ?? res.statusText,
      errors: b.errors ?? [],
    });
  }
  return res.blob();
}

export async function importCsv(entity: string, file: File): Promise<{ created: number }> {
  const res = await authFetch(
    new Request(`${base(entity)}/import`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: await file.arrayBuffer(),
    }),
  );
  const json = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody> & { created?: number };
  if (!res.ok)
    throw new ApiError(res.status, {
      statusCode: res.status,
      code: json.code ?? 'HTTP_ERROR',
      message: json.message ?? res.statusText,
      errors: json.errors ?? [],
    });
  return { created: json.created ?? 0 };
}

export { call as apiCall };
