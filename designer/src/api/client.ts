import createClient from 'openapi-fetch';
import type { components, paths } from './openapi';
import { authFetch } from './session';

/** The one API client: typed from the OpenAPI document the server serves (see scripts/api-types.js). */
export const api = createClient<paths>({ baseUrl: '', fetch: authFetch });

export type Schemas = components['schemas'];
export type ApiErrorBody = Schemas['Error'];
export type UserTask = Schemas['UserTask'];
export type ProcessInstance = Schemas['ProcessInstance'];
export type NotificationItem = Schemas['Notification'];

/** An error answer of the API, thrown by `ok()` so TanStack Query sees it as a failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

/** Unwraps an openapi-fetch result: the data, or throws ApiError with the server's error body. */
export function ok<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.response.ok) return r.data as T;
  const body = r.error as Partial<ApiErrorBody> | undefined;
  throw new ApiError(r.response.status, {
    // extras a client recovers with (retryAfterSeconds on a 429, the current record on a 409)
    ...(body && typeof body === 'object' ? body : {}),
    statusCode: r.response.status,
    code: body?.code ?? 'HTTP_ERROR',
    message: body?.message ?? r.response.statusText,
    errors: body?.errors ?? [],
  });
}
