import type { Clock } from '@crm/common';
import type { RecordsService } from '@crm/records';
import { enqueueMail } from '../../notify/mail-outbox';
import type { TaskContext, TaskType } from '../task-types';
import { TaskTypeError } from '../task-types';

export type MessageChannel = 'email' | 'sms';
/** queued: handed to the mail outbox; logged: recorded only (no gateway); failed: no address. */
export type MessageStatus = 'queued' | 'logged' | 'failed';

/** What the log entity may receive; fields the entity lacks are left out. */
const LOG_FIELDS = [
  'channel',
  'recipient',
  'subject',
  'body',
  'status',
  'sentAt',
  'error',
] as const;

/**
 * `crm:send-message`: renders a message template for one record and sends it by email or SMS,
 * logging it as a record. Inline: the log row commits with the step.
 *
 * Headers (`=FEEL` or literal):
 * - `template` (required): a context with `subject` and `body` (and optionally `channel`) — a
 *   template record read with `crm:find-records`, or a FEEL context written in place. `{{ path }}`
 *   placeholders read `record.<field>` (the recipient record) and the token's variables;
 * - `channel`: `email` | `sms` (default: the template's, else email);
 * - `entity` + `id`: the recipient record (default: the instance's record);
 * - `to`: the recipient record's field holding the address (default `email`, or `mobile` for sms);
 * - `log`: an entity to log into: it gets `channel recipient subject body status sentAt error`
 *   where it has those fields, its relation to the recipient's entity (a field whose target is
 *   that entity) points at the recipient, and headers `log.<field>` set more of its fields;
 * - `resultVariable`: the status (`queued` / `logged` / `failed`).
 *
 * Email goes to the mail outbox (sent after commit, retried) when SMTP is configured: `queued`;
 * without SMTP, and for SMS (no gateway is built in yet), the message is `logged` only. A recipient
 * without an address is `failed`, and the step goes on (one bad contact does not stop a batch).
 */
export class SendMessage implements TaskType {
  readonly type = 'crm:send-message';
  readonly mode = 'inline';
  constructor(
    private readonly records: RecordsService,
    private readonly clock: Clock,
    private readonly mailOn: () => boolean,
  ) {}

  async run(ctx: TaskContext): Promise<Record<string, unknown>> {
    const template = ctx.header('template');
    if (!template || typeof template !== 'object' || Array.isArray(template))
      throw new TaskTypeError(
        'crm:send-message needs a template header: a context with subject and body',
      );
    const t = template as Record<string, unknown>;
    if (typeof t.body !== 'string')
      throw new TaskTypeError('crm:send-message: the template has no body');
    const channel = String(ctx.header('channel') ?? t.channel ?? 'email') as MessageChannel;
    if (channel !== 'email' && channel !== 'sms')
      throw new TaskTypeError(`crm:send-message channel must be email or sms, not "${channel}"`);
    const entity = (ctx.header('entity') as string | undefined) ?? ctx.record?.entity;
    const id = Number(ctx.header('id') ?? ctx.record?.id);
    if (!entity || !Number.isInteger(id))
      throw new TaskTypeError('crm:send-message needs a linked record or entity and id headers');
    const record = await this.records.get(entity, id, {}, ctx.tx);
    const toField = String(ctx.header('to') ?? (channel === 'sms' ? 'mobile' : 'email'));
    const address = record[toField];
    const context = { ...ctx.variables, record };
    const subject = renderText(typeof t.subject === 'string' ? t.subject : '', context);
    const body = renderText(t.body, context);
    const now = this.clock.now();
    let status: MessageStatus = 'logged';
    let error: string | null = null;
    if (typeof address !== 'string' || !address.trim()) {
      status = 'failed';
      error = `${entity}/${id} has no ${toField}`;
    } else if (channel === 'email' && this.mailOn()) {
      await enqueueMail(ctx.tx!, {
        recipient: `${entity}/${id}`,
        address: address.trim(),
        locale: 'zh-CN',
        template: 'crm:send-message',
        subject,
        body: textToHtml(body),
        instanceId: ctx.instanceId,
        now,
      });
      status = 'queued';
    }
    const log = ctx.header('log');
    if (typeof log === 'string' && log) {
      const target = this.records.entity(log);
      const fields = target.doc.fields ?? {};
      const values: Record<string, unknown> = {
        channel,
        recipient: typeof address === 'string' ? address : null,
        subject: subject || body.slice(0, 100),
        body,
        status,
        sentAt: now.toISOString(),
        error,
      };
      const row: Record<string, unknown> = {};
      for (const f of LOG_FIELDS) if (f in fields && values[f] !== null) row[f] = values[f];
      for (const [name, f] of Object.entries(fields))
        if ((f as { type?: string; target?: string }).target === entity && !(name in row))
          row[name] = id;
      // more fields of the log, as the diagram maps them: header `log.<field>`
      for (const key of Object.keys(ctx.headers))
        if (key.startsWith('log.') && key.length > 4) row[key.slice(4)] = ctx.header(key);
      await this.records.createIn(ctx.tx!, log, row, ctx.actor, {
        instanceId: ctx.instanceId,
        depth: ctx.triggerDepth ?? 0,
        task: true,
      });
    }
    const result = ctx.header('resultVariable');
    return typeof result === 'string' && result ? { [result]: status } : {};
  }
}

/** `{{ path }}` → the value at path (dots) in the context; missing = empty. Money as `1200.50 CNY`. */
export function renderText(text: string, context: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_m, path: string) => {
    let v: unknown = context;
    for (const part of path.split('.')) {
      if (v === null || v === undefined || typeof v !== 'object') return '';
      v = (v as Record<string, unknown>)[part];
    }
    return display(v);
  });
}

function display(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(display).join(', ');
  if (typeof v === 'object') {
    const m = v as { amount?: unknown; currency?: unknown };
    if (typeof m.amount === 'number')
      return `${m.amount.toFixed(2)} ${String(m.currency ?? '')}`.trim();
    return JSON.stringify(v);
  }
  return String(v);
}

const textToHtml = (text: string): string =>
  `<p>${text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\n/g, '<br>')}</p>`;
