/**
 * How the approval timeline reads (GET /api/workflow/instances/:id/timeline): who, what, where,
 * with which people, in a colour that says whether it moved the approval on. Pure.
 */
export interface TimelineUserRef {
  login: string;
  displayName: string | null;
}

export const userName = (u: TimelineUserRef | null | undefined): string =>
  u ? u.displayName || u.login : '';

/** Events the app has words for; anything else shows its raw name. */
export const KNOWN_EVENTS = [
  'start',
  'approve',
  'reject',
  'return',
  'resubmit',
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
  'cancel',
  'end',
  'cancelled',
  'terminated',
] as const;
export type KnownEvent = (typeof KNOWN_EVENTS)[number];

export const isKnownEvent = (e: string): e is KnownEvent =>
  (KNOWN_EVENTS as readonly string[]).includes(e);

/** green: moved on; red: stopped or sent back; blue: talk (comments, CC, reminders); grey: the rest. */
export function eventColor(event: string, detail?: Record<string, unknown> | null): string {
  switch (event) {
    case 'approve':
    case 'auto-approve':
    case 'resubmit':
    case 'start':
    case 'end':
      return 'green';
    case 'complete':
      return detail?.decision === 'reject' ? 'red' : 'green';
    case 'reject':
    case 'return':
    case 'withdraw':
    case 'cancelled':
    case 'terminated':
      return 'red';
    case 'comment':
    case 'cc':
    case 'remind':
      return 'blue';
    default:
      return 'gray';
  }
}

/**
 * The node a return went to: its name, or "the initiator" (`null`) when it went to the start
 * event. `to` is the element id the history recorded.
 */
export function returnTargetOf(
  detail: Record<string, unknown> | null | undefined,
  nameOf: (elementId: string) => string | null,
  startId: string | null,
): { initiator: true } | { initiator: false; name: string } | null {
  const to = detail?.to;
  if (typeof to !== 'string' || !to) return null;
  if (to === startId || to === 'initiator') return { initiator: true };
  return { initiator: false, name: nameOf(to) ?? to };
}

export const fileSize = (bytes: number | null | undefined): string => {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};

interface EventLike {
  event: string;
  elementType?: string | null;
  actor: TimelineUserRef | null;
}

/**
 * The events a person reads: a task cancelled as the consequence of the action just before it
 * by the same person (a return cancels the other countersigners' tasks, a withdrawal everyone's,
 * an any-one approval the other candidates') is that action's effect, not an event of its own.
 */
export function visibleEvents<T extends EventLike>(events: T[]): T[] {
  const out: T[] = [];
  for (const e of events) {
    const prev = out[out.length - 1];
    if (
      e.event === 'cancel' &&
      prev &&
      prev.event !== 'cancel' &&
      prev.actor?.login !== undefined &&
      prev.actor.login === e.actor?.login
    )
      continue;
    out.push(e);
  }
  return out;
}

/** The process's own end: no person did it (the actor is whoever's action made it end). */
export const isProcessEnd = (e: EventLike): boolean =>
  e.elementType === 'Process' && ['end', 'cancelled', 'terminated'].includes(e.event);
