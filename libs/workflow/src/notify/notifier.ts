import { type Clock, type Db, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import { type MetadataDocument, findTemplate } from '@crm/metadata';
import { enqueueMail } from './mail-outbox';
import {
  entityOf,
  messageContext,
  messageLink,
  pickLocale,
  renderMessage,
  usesRecord,
} from './message';
import { type DirectoryUser, type UserDirectory, sqlUserDirectory } from './user-directory';

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
  /**
   * What a template may show beyond the instance and task, which the notifier reads itself when
   * they are missing: `taskName`, `processName`, `dueAt` (ISO), `outcome`, `record` (the record's
   * values; read through `readRecord` when a template needs it and it is not given).
   */
  data?: Record<string, unknown>;
}

/** What the Nest side gives the notifier (it stays free of Nest so EngineCore can build it). */
export interface NotifierSetup {
  /** The live metadata documents: templates, and entity labels / display fields. */
  documents?: () => readonly MetadataDocument[];
  directory?: UserDirectory;
  /** SMTP is configured: queue an outbox row per recipient with an email address. */
  mail?: boolean;
  /** PUBLIC_URL, for links. */
  publicUrl?: string | null;
  /** CRM_TIMEZONE, for due dates. */
  timeZone?: string;
  readRecord?: (tx: Db, entity: string, id: number) => Promise<Record<string, unknown> | null>;
}

interface InstanceFacts {
  record_entity: string | null;
  record_id: number | null;
  process_key: string;
  process_name: string | null;
  task_name: string | null;
  element_id: string | null;
  due_at: unknown;
}

const str = (v: unknown): string | null =>
  v === undefined || v === null || v === '' ? null : String(v);

/**
 * Tells users about approval events, inside the step's transaction: an in-app notification per
 * recipient, its subject rendered from the event's `template` document in the recipient's
 * language, and — when mail is on and the user has an address — a crm_mail_outbox row with the
 * rendered mail, which the mail job (mail-sender.service.ts) sends after commit. A rolled-back
 * step therefore neither notifies nor mails.
 */
export class Notifier {
  private setup: Required<Omit<NotifierSetup, 'readRecord'>> & Pick<NotifierSetup, 'readRecord'> = {
    documents: () => [],
    directory: sqlUserDirectory,
    mail: false,
    publicUrl: null,
    timeZone: 'UTC',
    readRecord: undefined,
  };

  constructor(private readonly clock: Clock) {}

  /** Wires the notifier to the application (the mail service does it at start). */
  configure(setup: NotifierSetup): void {
    this.setup = { ...this.setup, ...setup };
  }

  get mailEnabled(): boolean {
    return this.setup.mail;
  }

  async notify(tx: Db, input: NotifyInput): Promise<void> {
    const to = [...new Set(input.to)].filter(Boolean);
    if (!to.length) return;
    const documents = this.setup.documents();
    const template = findTemplate(documents, input.kind, 'email');
    if (!template) {
      // no template for the event: the in-app line it always had, and nothing to mail
      const subject = `${input.kind}: ${String(input.data?.taskName ?? input.data?.processName ?? `instance ${input.instanceId}`)}`;
      for (const login of to) await this.inApp(tx, input, login, subject);
      return;
    }
    const facts = await this.facts(tx, input);
    const users = await this.setup.directory.lookup(tx, input.actor ? [...to, input.actor] : to);
    const data = input.data ?? {};
    const recordRef =
      facts?.record_entity && facts.record_id !== null
        ? { entity: facts.record_entity, id: Number(facts.record_id) }
        : null;
    let record = (data.record as Record<string, unknown> | null | undefined) ?? null;
    if (!record && recordRef && this.setup.readRecord && usesRecord(template))
      record = await this.setup.readRecord(tx, recordRef.entity, recordRef.id);
    const actor = input.actor
      ? (users.get(input.actor) ?? { login: input.actor, displayName: null })
      : null;
    for (const login of to) {
      const user: DirectoryUser | undefined = users.get(login);
      const locale = pickLocale(user?.locale);
      const ctx = messageContext({
        locale,
        recipient: { login, displayName: user?.displayName ?? null },
        actor,
        comment: input.comment ?? null,
        instanceId: input.instanceId,
        taskId: input.taskId ?? null,
        taskName: str(data.taskName) ?? facts?.task_name ?? facts?.element_id ?? null,
        processName: str(data.processName) ?? facts?.process_name ?? facts?.process_key ?? null,
        outcome: str(data.outcome),
        dueAt: str(data.dueAt) ?? fromDbTimestamp(facts?.due_at),
        timeZone: this.setup.timeZone,
        link: messageLink(this.setup.publicUrl, input.taskId, recordRef),
        record,
        entity: entityOf(documents, recordRef?.entity ?? null),
      });
      const msg = renderMessage(template, locale, ctx);
      await this.inApp(tx, input, login, msg.subject);
      if (this.setup.mail && user?.active && user.email)
        await enqueueMail(tx, {
          recipient: login,
          address: user.email,
          locale,
          template: template.name,
          subject: msg.subject,
          body: msg.html,
          instanceId: input.instanceId,
          now: this.clock.now(),
        });
    }
  }

  /** The instance's process and record, and the task's name and due date, in one read. */
  private async facts(tx: Db, input: NotifyInput): Promise<InstanceFacts | null> {
    const [row] = await tx.query<InstanceFacts>(
      `SELECT i.record_entity, i.record_id, i.process_key, d.name AS process_name, t.name AS task_name, t.element_id, t.due_at
       FROM crm_wf_instance i
       LEFT JOIN crm_wf_definition d ON d.id = i.definition_id
       LEFT JOIN crm_wf_task t ON t.id = ? AND t.instance_id = i.id
       WHERE i.id = ?`,
      [input.taskId ?? null, input.instanceId],
    );
    return row ?? null;
  }

  private async inApp(tx: Db, input: NotifyInput, login: string, subject: string): Promise<void> {
    await tx.execute(
      'INSERT INTO crm_notification (recipient, subject, body, instance_id, created_at, kind, task_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        login.slice(0, 64),
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
