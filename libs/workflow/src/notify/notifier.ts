import { type Clock, type Db, toDbTimestamp } from '@crm/common';

/** Why someone is told: the approval events users get notified about. */
export type NotificationKind =
  'assignment' | 'reminder' | 'escalation' | 'return' | 'outcome' | 'cc';

export interface NotifyInput {
  kind: NotificationKind;
  /** Logins of the recipients (duplicates and the actor themselves are the caller's concern). */
  to: string[];
  instanceId: number;
  taskId?: number | null;
  /** Who caused it (shown in the message). */
  actor?: string | null;
  comment?: string | null;
  /** Anything a template may show: processName, taskName, outcome, record summary... */
  data?: Record<string, unknown>;
}

/**
 * Tells users about approval events, inside the step's transaction: an in-app notification per
 * recipient (and, once mail is configured, an outbox row the mail job sends after commit).
 */
export class Notifier {
  constructor(private readonly clock: Clock) {}

  async notify(tx: Db, input: NotifyInput): Promise<void> {
    const subject = `${input.kind}: ${String(input.data?.taskName ?? input.data?.processName ?? `instance ${input.instanceId}`)}`;
    for (const recipient of new Set(input.to)) {
      if (!recipient) continue;
      await tx.execute(
        'INSERT INTO crm_notification (recipient, subject, body, instance_id, created_at, kind, task_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          recipient.slice(0, 64),
          subject.slice(0, 500),
          input.comment ?? null,
          input.instanceId,
          toDbTimestamp(this.clock.now()),
          input.kind,
          input.taskId ?? null,
        ],
      );
    }
  }
}
