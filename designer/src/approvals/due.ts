/**
 * A task's due state as the inbox shows it. Tasks and inbox items carry `dueAt` and `dueState`
 * (ok / dueSoon / overdue; null when closed or without a due time) once the server sets deadlines;
 * an item without them shows no badge. Pure.
 */
export type DueState = 'ok' | 'dueSoon' | 'overdue';

export interface Due {
  state: DueState;
  at: string | null;
}

export function dueOf(item: object): Due | null {
  const { dueAt, dueState } = item as { dueAt?: unknown; dueState?: unknown };
  if (dueState !== 'ok' && dueState !== 'dueSoon' && dueState !== 'overdue') return null;
  return { state: dueState, at: typeof dueAt === 'string' ? dueAt : null };
}
