import type { QueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { ApiError } from '../api/client';
import { authFetch } from '../api/session';
import type { TaskAction } from './processModel';

/** The approval routes the panels call (POST /api/tasks/:id/actions and friends). */
export interface ActionBody {
  action: TaskAction;
  comment?: string;
  /** File ids from POST /api/files. */
  attachments?: string[];
  targetElementId?: string;
  userIds?: string[];
  position?: 'before' | 'after' | 'alongside';
  variables?: Record<string, unknown>;
}

export async function actOnTask(id: number, body: ActionBody) {
  return ok(await api.POST('/api/tasks/{id}/actions', { params: { path: { id } }, body }));
}

export async function actOnTasks(
  taskIds: number[],
  action: 'approve' | 'reject',
  comment?: string,
) {
  return ok(
    await api.POST('/api/tasks/actions', {
      body: { taskIds, action, ...(comment && { comment }) },
    }),
  ).results;
}

export async function withdrawInstance(id: number, comment?: string) {
  return ok(
    await api.POST('/api/workflow/instances/{id}/withdraw', {
      params: { path: { id } },
      body: comment ? { comment } : {},
    }),
  );
}

export async function remindInstance(id: number) {
  return ok(
    await api.POST('/api/workflow/instances/{id}/remind', { params: { path: { id } }, body: {} }),
  );
}

export async function searchUsers(search: string) {
  return ok(
    await api.GET('/api/users', { params: { query: { ...(search && { search }), limit: 20 } } }),
  ).data;
}

export interface UploadedFile {
  id: string;
  name: string;
  size: number;
}

/** Uploads one file through the files API; its id goes into the action's `attachments`. */
export async function uploadAttachment(file: File): Promise<UploadedFile> {
  const body = new FormData();
  body.append('file', file);
  const res = await authFetch(new Request('/api/files', { method: 'POST', body }));
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok)
    throw new ApiError(res.status, {
      statusCode: res.status,
      code: String(json.code ?? 'HTTP_ERROR'),
      message: String(json.message ?? res.statusText),
      errors: (json.errors as never) ?? [],
    });
  return { id: String(json.id), name: String(json.name ?? file.name), size: Number(json.size) };
}

/** Opens a stored file (the files API needs the bearer token, so no plain link). */
export async function openFile(id: string): Promise<void> {
  const res = await authFetch(new Request(`/api/files/${encodeURIComponent(id)}`));
  if (!res.ok) throw new Error(res.statusText);
  window.open(URL.createObjectURL(await res.blob()), '_blank');
}

/** Every query that shows a task, an instance or an inbox: stale after an action. */
export async function refreshApprovalQueries(qc: QueryClient): Promise<void> {
  await Promise.all(
    [
      'task',
      'tasks',
      'inbox',
      'instance',
      'instances',
      'instance-history',
      'timeline',
      'record',
    ].map((k) => qc.invalidateQueries({ queryKey: [k] })),
  );
}
