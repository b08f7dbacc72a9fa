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
/** One change of a record (the documented shape of a shipped entity's route). */
export type HistoryEntry =
  paths['/api/records/customer/{id}/history']['get']['responses']['200']['content']['application/json']['data'][number];
export const recordHistory = (entity: string, id: number) =>
  call<{ data: HistoryEntry[] }>('GET', `${base(entity)}/${id}/history`);

/** Who a record is shared with (the documented shape of a shipped entity's route). */
export type RecordShares =
  paths['/api/records/customer/{id}/shares']['get']['responses']['200']['content']['application/json'];
export const listShares = (entity: string, id: number) =>
  call<RecordShares>('GET', `${base(entity)}/${id}/shares`);
export const addShare = (entity: string, id: number, login: string) =>
  call<void>('POST', `${base(entity)}/${id}/shares`, { login });
export const removeShare = (entity: string, id: number, login: string) =>
  call<void>('DELETE', `${base(entity)}/${id}/shares/${encodeURIComponent(login)}`);

/** An error answer as ApiError, with the extras the server sent (e.g. totalErrors, current). */
async function failure(res: Response): Promise<ApiError> {
  const b = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody>;
  return new ApiError(res.status, {
    ...(b as object),
    statusCode: res.status,
    code: b.code ?? 'HTTP_ERROR',
    message: b.message ?? res.statusText,
    errors: b.errors ?? [],
  });
}

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportQuery {
  filter?: unknown;
  sort?: string;
  fields?: string[];
}

/**
 * The records of the query as a file for people: columns named by their labels in the app's
 * language (authFetch sends it as Accept-Language), only the given fields.
 */
export async function exportRecords(
  entity: string,
  format: ExportFormat,
  q: ExportQuery = {},
): Promise<Blob> {
  const p = new URLSearchParams({ format, headers: 'labels' });
  if (q.filter && Object.keys(q.filter as object).length) p.set('filter', JSON.stringify(q.filter));
  if (q.sort) p.set('sort', q.sort);
  if (q.fields?.length) p.set('fields', q.fields.join(','));
  const res = await authFetch(new Request(`${base(entity)}/export?${p}`));
  if (!res.ok) throw await failure(res);
  return res.blob();
}

type ImportReply =
  paths['/api/records/customer/import']['post']['responses']['200']['content']['application/json'];
export type ImportResult = ImportReply;

/** Uploads a .csv or .xlsx file (multipart: the server tells them apart by name). */
export async function importRecords(
  entity: string,
  file: File,
  opts: { dryRun?: boolean } = {},
): Promise<ImportResult> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await authFetch(
    new Request(`${base(entity)}/import${opts.dryRun ? '?dryRun=true' : ''}`, {
      method: 'POST',
      body: form,
    }),
  );
  if (!res.ok) throw await failure(res);
  return (await res.json()) as ImportResult;
}

/** Creates or updates many records in one all-or-nothing transaction (updates carry id + version). */
export const bulkWrite = (entity: string, records: Array<Record<string, unknown>>) =>
  call<{ data: RecordData[] }>('POST', `${base(entity)}/bulk`, { records });

export { call as apiCall };
