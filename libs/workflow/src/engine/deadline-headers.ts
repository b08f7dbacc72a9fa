import { parseBusinessDuration } from '@crm/common';

/**
 * The deadline headers of a user task (zeebe:taskHeaders; the table in libs/workflow/README.md,
 * "Deadlines"), pure:
 *
 * | header | value |
 * |---|---|
 * | `deadline` | `<n> hours \| workingHours \| workingDays`, or FEEL (`=...`) giving that text |
 * | `calendar` | a `calendar` document name, or FEEL; default: the calendar marked default |
 * | `remindBefore` | same units as `deadline`: one reminder that long before the due time |
 * | `onOverdue` | `remind`, `escalate`, `escalate:<role>`, `approve`, `reject` |
 */
export type OverdueAction =
  | { kind: 'remind' }
  | { kind: 'escalate'; role: string | null }
  | { kind: 'approve' }
  | { kind: 'reject' };

export interface DeadlineHeaders {
  /** Raw `deadline` (literal or `=FEEL`); null = TASK_DEFAULT_DEADLINE. */
  deadline: string | null;
  calendar: string | null;
  remindBefore: string | null;
  onOverdue: OverdueAction | null;
}

const NAME = /^[a-z][a-z0-9_]{0,47}$/;
const isFeel = (v: string): boolean => v.trim().startsWith('=');
const blank = (v: string | undefined): string | null =>
  v === undefined || v.trim() === '' ? null : v.trim();

/** `onOverdue` as an action, or null when it names none. */
export function parseOverdueAction(raw: string): OverdueAction | null {
  const v = raw.trim();
  if (v === 'remind' || v === 'approve' || v === 'reject') return { kind: v };
  if (v === 'escalate') return { kind: 'escalate', role: null };
  const m = /^escalate:(.+)$/.exec(v);
  return m && NAME.test(m[1].trim()) ? { kind: 'escalate', role: m[1].trim() } : null;
}

/** The headers of a node that passed deadlineHeaderProblems. */
export function readDeadlineHeaders(headers: Record<string, string>): DeadlineHeaders {
  const overdue = blank(headers.onOverdue);
  return {
    deadline: blank(headers.deadline),
    calendar: blank(headers.calendar),
    remindBefore: blank(headers.remindBefore),
    onOverdue: overdue ? parseOverdueAction(overdue) : null,
  };
}

/**
 * What deploy refuses in the deadline headers (each message names the header). FEEL values are
 * handed to `feelProblem` (the deploy validator's own FEEL check); their result is checked when the
 * task is created (an incident then).
 */
export function deadlineHeaderProblems(
  headers: Record<string, string>,
  feelProblem: (raw: string) => string | undefined = () => undefined,
): string[] {
  const out: string[] = [];
  for (const key of ['deadline', 'remindBefore'] as const) {
    const v = blank(headers[key]);
    if (v === null) continue;
    if (isFeel(v)) {
      const bad = feelProblem(v);
      if (bad) out.push(`header ${key}: ${bad}`);
      continue;
    }
    const d = parseBusinessDuration(v);
    if ('message' in d) out.push(`header ${key}: ${d.message}`);
  }
  const cal = blank(headers.calendar);
  if (cal !== null) {
    const bad = isFeel(cal)
      ? feelProblem(cal)
      : NAME.test(cal)
        ? undefined
        : `"${cal}" is not a calendar document name`;
    if (bad) out.push(`header calendar: ${bad}`);
  }
  const overdue = blank(headers.onOverdue);
  const action = overdue === null ? null : parseOverdueAction(overdue);
  if (overdue !== null && !action)
    out.push(
      `header onOverdue: "${overdue}" is not one of remind, escalate, escalate:<role>, approve, reject`,
    );
  // an auto-decision is an approval action: the node must allow it
  const allowed = blank(headers.actions)
    ?.split(',')
    .map((a) => a.trim());
  if (
    (action?.kind === 'approve' || action?.kind === 'reject') &&
    allowed &&
    !allowed.includes(action.kind)
  )
    out.push(
      `header onOverdue: ${action.kind} is not among the node's actions (${allowed.join(', ')})`,
    );
  return out;
}
