import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  redactUrl,
  systemClock,
} from '@crm/common';
import { MetaService } from '@crm/metadata';
import { EngineService } from '../engine/engine.service';
import {
  type OutboxRow,
  OUTBOX_STATES,
  type OutboxState,
  claimRow,
  dueMail,
  finishAttempt,
  getOutboxRow,
  isPermanentFailure,
  listOutbox,
  requeueFailed,
  retryDelayMs,
} from './mail-outbox';
import { type MailTransport, smtpTransport } from './mail-transport';
import { htmlToText } from './message';

/**
 * How long a claimed row stays this node's: far beyond one SMTP attempt (mail-transport.ts bounds
 * it), so a row is only taken over from a node that died while sending it.
 */
const CLAIM_MS = 5 * 60_000;

/**
 * Email notifications, wired at start: gives the engine's Notifier the live templates, the user
 * directory and whether mail is on, says once whether email is on, and runs the mail job — every
 * node polls crm_mail_outbox (MAIL_POLL_MS), claims due rows one at a time by a conditional
 * UPDATE (mail-outbox.ts), sends each over SMTP outside any step transaction, and records sent,
 * retry with backoff, or failed.
 */
@Injectable()
export class MailSenderService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('mail');
  private transport: MailTransport | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    engine: EngineService,
    meta: MetaService,
    @Inject(DB) private readonly db: Db,
    @Optional() @Inject(APP_CONFIG) private readonly config: AppConfig | null = null,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    engine.notifier.configure({
      documents: () => meta.model.documents,
      mail: !!config?.mail,
      publicUrl: config?.publicUrl ?? null,
      timeZone: config?.timeZone ?? 'UTC',
      readRecord: (tx, entity, id) => engine.deps.readRecord(tx, entity, id),
    });
  }

  onApplicationBootstrap(): void {
    const mail = this.config?.mail;
    if (!mail) {
      this.log.log('email is off: SMTP_URL is not set, notifications stay in-app');
      return;
    }
    this.log.log(
      `email is on: ${redactUrl(mail.smtpUrl)} as ${mail.from}` +
        (mail.pollMs > 0 ? `, outbox polled every ${mail.pollMs} ms` : ', outbox not polled'),
    );
    if (mail.pollMs > 0) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
    this.transport?.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runDue();
      this.running
        .then((n) => this.schedule(n > 0 ? 0 : this.config!.mail!.pollMs))
        .catch((e: unknown) => {
          this.log.error(`mail job: ${(e as Error).stack ?? String(e)}`);
          this.schedule(this.config!.mail!.pollMs);
        });
    }, ms);
  }

  /**
   * One round: sends up to `max` due messages, each claimed just before it is sent (a message
   * waiting behind a slow one is never sent on a claim that ran out). Returns how many it sent
   * or tried; 0 when mail is off.
   */
  async runDue(max = 20): Promise<number> {
    const mail = this.config?.mail;
    if (!mail || this.stopped) return 0;
    let handled = 0;
    for (const candidate of await dueMail(this.db, this.clock.now(), max)) {
      if (this.stopped) break;
      const row = await claimRow(this.db, candidate, this.clock.now(), CLAIM_MS);
      if (!row) continue; // another node took it
      await this.attempt(row, mail.from, mail.maxAttempts, mail.backoffMs);
      handled++;
    }
    return handled;
  }

  private async attempt(row: OutboxRow, from: string, maxAttempts: number, backoffMs: number) {
    this.transport ??= smtpTransport(this.config!.mail!.smtpUrl);
    try {
      await this.transport.send({
        from,
        to: row.address,
        subject: row.subject,
        html: row.body,
        text: htmlToText(row.body),
      });
    } catch (e) {
      const error = (e as Error).message || String(e);
      const final = isPermanentFailure(e) || row.attempts >= maxAttempts;
      const now = this.clock.now();
      const retryAt = final
        ? null
        : new Date(now.getTime() + retryDelayMs(row.attempts, backoffMs));
      this.log.warn(
        `mail ${row.id} to ${row.recipient ?? row.address}, attempt ${row.attempts}: ${error}` +
          (retryAt ? `; retry at ${retryAt.toISOString()}` : '; failed'),
      );
      await this.finish(row, { ok: false, now, error, retryAt });
      return;
    }
    await this.finish(row, { ok: true, now: this.clock.now() });
  }

  private async finish(row: OutboxRow, result: Parameters<typeof finishAttempt>[2]) {
    if (!(await finishAttempt(this.db, row, result)))
      this.log.warn(`mail ${row.id}: claim lost while sending; another node owns it now`);
  }

  // ---- admin -------------------------------------------------------------------------------

  list(state: string | undefined, limit: number): Promise<OutboxRow[]> {
    if (state !== undefined && !OUTBOX_STATES.includes(state))
      throw new CrmError(ErrorCode.QueryInvalid, `state must be pending, sending, sent or failed`, [
        { path: 'state', message: `"${state}" is not an outbox state` },
      ]);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new CrmError(ErrorCode.QueryInvalid, 'limit must be between 1 and 500', [
        { path: 'limit', message: 'out of range' },
      ]);
    return listOutbox(this.db, { state: state as OutboxState | undefined, limit });
  }

  /** Puts a failed message back in the queue, due now (the next round sends it). */
  async retry(id: number): Promise<OutboxRow> {
    if (!(await requeueFailed(this.db, id, this.clock.now()))) {
      const row = await getOutboxRow(this.db, id);
      if (!row)
        throw new CrmError(ErrorCode.MailNotFound, `mail ${id} not found`, [
          { path: 'id', message: 'not found' },
        ]);
      throw new CrmError(
        ErrorCode.MailNotFailed,
        `mail ${id} is ${row.state}; only a failed mail is retried`,
        [{ path: 'id', message: `state is ${row.state}` }],
      );
    }
    return (await getOutboxRow(this.db, id))!;
  }
}
