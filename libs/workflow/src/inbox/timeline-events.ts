import { fromDbTimestamp } from '@crm/common';

/**
 * Which history rows a timeline shows, and how: pure functions over crm_wf_history rows. The
 * history also holds the engine's own bookkeeping (every element's start and end, variables,
 * timers, jobs); a timeline shows what people (and deadlines) did.
 */

export interface HistoryRow {
  id: number;
  element_id: string | null;
  element_type: string | null;
  event: string;
  actor: string | null;
  detail: string | null;
  at: string;
}

/** Actions on an approval node (approval-model.md) and the plain task events before them. */
export const ACTION_EVENTS = [
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'withdraw',
  'cc',
  'remind',
  'comment',
  'auto-approve',
  'escalate',
  'modify',
  'complete',
  'claim',
  'resubmit',
] as const;

/** The instance's own life: submitted, ended, cancelled or terminated (by a parent). */
export const PROCESS_EVENTS = ['start', 'end', 'cancelled', 'terminated'] as const;

const actions = new Set<string>(ACTION_EVENTS);
const processEvents = new Set<string>(PROCESS_EVENTS);

/**
 * Shown: every action; the process's start and end; a user task cancelled under someone (a
 * return, a withdrawal, a countersign stopped by a rejection).
 */
export function isTimelineEvent(r: HistoryRow): boolean {
  if (actions.has(r.event)) return true;
  if (r.element_type === 'Process') return processEvents.has(r.event);
  return r.event === 'cancel' && r.element_type === 'UserTask';
}

export interface TimelineAttachment {
  id: string;
  /** null when the file is gone. */
  name: string | null;
  size: number | null;
  mime: string | null;
}

export interface TimelineEvent {
  /** The history row's id: the timeline's order. */
  id: number;
  at: string | null;
  event: string;
  elementId: string | null;
  elementName: string | null;
  elementType: string | null;
  actor: { login: string; displayName: string | null } | null;
  comment: string | null;
  attachments: TimelineAttachment[];
  taskId: number | null;
  /** Users the action named (delegate, transfer, add signer, cc, remind). */
  users: Array<{ login: string; displayName: string | null }>;
  /**
   * What else the action recorded (a return's target node `to`, position, onBehalfOf,
   * override, reason, decision...).
   * Process variables are not repeated here: the history route has them for those who see them.
   */
  detail: Record<string, unknown> | null;
}

const parse = (r: HistoryRow): Record<string, unknown> | null => {
  if (!r.detail) return null;
  try {
    const d = JSON.parse(r.detail) as unknown;
    return d && typeof d === 'object' && !Array.isArray(d) ? (d as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];

/** Events whose `to` names people (a login, or logins); a return's `to` is a node. */
const TO_USERS = new Set(['delegate', 'transfer', 'remind']);

/** The users an action named: `userIds` (add signer, cc), or `to` (delegate, transfer, remind). */
function namedUsers(r: HistoryRow, d: Record<string, unknown> | null): string[] {
  if (!d) return [];
  const to = TO_USERS.has(r.event) ? (typeof d.to === 'string' ? [d.to] : strings(d.to)) : [];
  return [...new Set([...strings(d.userIds), ...to])];
}

/** Attachment ids of an action: file ids (or `{ id }` objects). */
const attachmentIds = (d: Record<string, unknown> | null): string[] =>
  Array.isArray(d?.attachments)
    ? d.attachments
        .map((a) => (a && typeof a === 'object' ? (a as { id?: unknown }).id : a))
        .filter((x) => (typeof x === 'string' && x !== '') || typeof x === 'number')
        .map(String)
    : [];

/** The detail keys shown apart (or, for plain completions and starts, variables not shown). */
const SHOWN_APART = new Set(['comment', 'attachments', 'taskId', 'userIds']);

function restOf(r: HistoryRow, d: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!d) return null;
  // a completion's and a start's detail are the process variables: only the decision is shown
  if (r.event === 'complete' || r.event === 'start')
    return typeof d.decision === 'string' ? { decision: d.decision } : null;
  const rest = Object.fromEntries(
    Object.entries(d).filter(
      ([k]) => !SHOWN_APART.has(k) && !(k === 'to' && TO_USERS.has(r.event)),
    ),
  );
  return Object.keys(rest).length ? rest : null;
}

/** An action's detail; null for a completion or a start, whose detail is process variables. */
const actionDetailOf = (r: HistoryRow): Record<string, unknown> | null =>
  r.event === 'complete' || r.event === 'start' ? null : parse(r);

/** Logins the timeline rows mention (actors, users named by actions). */
export function loginsOf(rows: HistoryRow[]): string[] {
  const out = new Set<string>();
  for (const r of rows) {
    if (r.actor) out.add(r.actor);
    for (const u of namedUsers(r, actionDetailOf(r))) out.add(u);
  }
  return [...out];
}

export function attachmentIdsOf(rows: HistoryRow[]): string[] {
  return [...new Set(rows.flatMap((r) => attachmentIds(actionDetailOf(r))))];
}

export function timelineEvent(
  r: HistoryRow,
  nameOf: (elementId: string | null) => string | null,
  user: (login: unknown) => { login: string; displayName: string | null } | null,
  files: Map<string, { name: string; size: number; mime: string }>,
): TimelineEvent {
  const d = parse(r);
  const actionDetail = actionDetailOf(r);
  const taskId = Number(actionDetail?.taskId);
  return {
    id: Number(r.id),
    at: fromDbTimestamp(r.at),
    event: r.event,
    elementId: r.element_id,
    elementName: nameOf(r.element_id),
    elementType: r.element_type,
    actor: user(r.actor),
    comment: typeof actionDetail?.comment === 'string' ? actionDetail.comment : null,
    attachments: attachmentIds(actionDetail).map((id) => {
      const f = files.get(id);
      return { id, name: f?.name ?? null, size: f?.size ?? null, mime: f?.mime ?? null };
    }),
    taskId: Number.isSafeInteger(taskId) && taskId > 0 ? taskId : null,
    users: namedUsers(r, actionDetail).map((l) => user(l)!),
    detail: restOf(r, d),
  };
}
