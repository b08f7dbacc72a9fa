/**
 * Bulk approve / reject (POST /api/tasks/actions): each task is decided on its own and the server
 * answers one result per task; the inbox shows each row's outcome. Pure.
 */
export type BulkAction = 'approve' | 'reject';

export interface BulkResult {
  taskId: number;
  action: BulkAction;
  ok: boolean;
  status: number;
  code?: string;
  message?: string;
}

export function resultsOf(
  action: BulkAction,
  answer: Array<{ taskId: number; ok: boolean; status: number; code?: string; message?: string }>,
): Map<number, BulkResult> {
  return new Map(answer.map((r) => [r.taskId, { ...r, action }]));
}

export function tally(results: Map<number, BulkResult>): { ok: number; failed: number } {
  let ok = 0;
  for (const r of results.values()) if (r.ok) ok++;
  return { ok, failed: results.size - ok };
}

/** Rows still selectable after a bulk action: the failed ones stay selected to retry or open. */
export function stillSelected(
  selected: Set<number>,
  results: Map<number, BulkResult>,
): Set<number> {
  return new Set([...selected].filter((id) => results.get(id)?.ok === false));
}
