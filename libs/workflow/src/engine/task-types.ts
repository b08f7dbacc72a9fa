import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, CLOCK, type Clock, type Db, toDbTimestamp } from '@crm/common';
import { MetaService, feelToFieldValue } from '@crm/metadata';
import { type EngineOrigin, RecordsService } from '@crm/records';
import { calendarFunctions } from './calendar-functions';
import { FindRecords, taskFeelOptions } from './task-types/find-records';
import { SendMessage } from './task-types/send-message';

/**
 * Built-in service task types. A serviceTask whose zeebe:taskDefinition type is registered here
 * runs inside the engine; every other type is an external job that workers fetch and lock.
 * Adding a type = one small class below + one entry in TaskTypeRegistry.
 */
export interface TaskContext {
  /** Inline types get the step's transaction: their writes commit with the step. */
  tx?: Db;
  type: string;
  /** zeebe:taskHeaders as written. */
  headers: Record<string, string>;
  /** A header's value: `=expr` is FEEL over the token's variables, anything else the literal. */
  header(name: string): unknown;
  variables: Record<string, unknown>;
  /** The record the instance is about, if any. */
  record: { entity: string; id: number } | null;
  instanceId: number;
  actor: string;
  /** How many trigger starts led to this step: the task's record writes carry it on. */
  triggerDepth?: number;
}

export interface TaskType {
  readonly type: string;
  /** inline: runs in the step's transaction; job: runs later on the job executor, with retries. */
  readonly mode: 'inline' | 'job';
  run(ctx: TaskContext): Promise<Record<string, unknown> | void>;
}

/** A task type's own failure (bad headers, remote error): an incident or a retry, never a 500. */
export class TaskTypeError extends Error {}

/** The engine's origin of a task's record write (write-hooks.ts in libs/records). */
const origin = (ctx: TaskContext): EngineOrigin => ({
  instanceId: ctx.instanceId,
  depth: ctx.triggerDepth ?? 0,
  task: true,
});

/** Header fields as record values: a FEEL date / date-time (`=now()`) becomes what its column takes. */
const fieldsOf = (
  ctx: TaskContext,
  reserved: string[],
  timeZone: string,
): Record<string, unknown> =>
  Object.fromEntries(
    Object.keys(ctx.headers)
      .filter((k) => !reserved.includes(k))
      .map((k) => [k, feelToFieldValue(ctx.header(k), timeZone)]),
  );

/** `crm:update-record`: sets fields of the linked record (or headers entity + id). */
class UpdateRecord implements TaskType {
  readonly type = 'crm:update-record';
  readonly mode = 'inline';
  constructor(
    private readonly records: RecordsService,
    private readonly timeZone = 'UTC',
  ) {}
  async run(ctx: TaskContext): Promise<void> {
    const entity = (ctx.header('entity') as string | undefined) ?? ctx.record?.entity;
    const id = Number(ctx.header('id') ?? ctx.record?.id);
    if (!entity || !Number.isInteger(id))
      throw new TaskTypeError('crm:update-record needs a linked record or entity and id headers');
    const changes = fieldsOf(ctx, ['entity', 'id'], this.timeZone);
    await this.records.patchIn(ctx.tx!, entity, id, changes, ctx.actor, origin(ctx));
  }
}

/** `crm:create-record`: creates a record of header `entity`; its id goes to `resultVariable`. */
class CreateRecord implements TaskType {
  readonly type = 'crm:create-record';
  readonly mode = 'inline';
  constructor(
    private readonly records: RecordsService,
    private readonly timeZone = 'UTC',
  ) {}
  async run(ctx: TaskContext): Promise<Record<string, unknown>> {
    const entity = ctx.header('entity');
    if (typeof entity !== 'string')
      throw new TaskTypeError('crm:create-record needs an entity header');
    const result = String(ctx.header('resultVariable') ?? 'createdRecordId');
    const id = await this.records.createIn(
      ctx.tx!,
      entity,
      fieldsOf(ctx, ['entity', 'resultVariable'], this.timeZone),
      ctx.actor,
      origin(ctx),
    );
    return { [result]: id };
  }
}

/** `crm:notify`: an in-app notification to header `to` (a user, a comma list or a FEEL list). */
class Notify implements TaskType {
  readonly type = 'crm:notify';
  readonly mode = 'inline';
  constructor(private readonly clock: Clock) {}
  async run(ctx: TaskContext): Promise<void> {
    const raw = ctx.header('to');
    const to = (Array.isArray(raw) ? raw : String(raw ?? '').split(','))
      .map((s) => String(s).trim())
      .filter(Boolean);
    if (!to.length) throw new TaskTypeError('crm:notify needs a "to" header');
    const subject = String(ctx.header('subject') ?? 'Notification');
    const body = ctx.header('body');
    for (const recipient of to) {
      await ctx.tx!.execute(
        'INSERT INTO crm_notification (recipient, subject, body, instance_id, created_at) VALUES (?, ?, ?, ?, ?)',
        [
          recipient.slice(0, 64),
          subject.slice(0, 500),
          body === undefined ? null : String(body),
          ctx.instanceId,
          toDbTimestamp(this.clock.now()),
        ],
      );
    }
  }
}

/**
 * `crm:webhook`: calls header `url` (method header, default POST) with header `body` or all
 * variables as JSON. Runs on the job executor, outside any transaction, so a slow remote never
 * holds database locks; a non-2xx answer or a network error is retried with backoff, then becomes
 * an incident. The JSON answer goes to `resultVariable` when set.
 */
class Webhook implements TaskType {
  readonly type = 'crm:webhook';
  readonly mode = 'job';
  async run(ctx: TaskContext): Promise<Record<string, unknown>> {
    const url = ctx.header('url');
    if (typeof url !== 'string' || !/^https?:\/\//.test(url))
      throw new TaskTypeError('crm:webhook needs an http(s) url header');
    const method = String(ctx.header('method') ?? 'POST').toUpperCase();
    const body = 'body' in ctx.headers ? ctx.header('body') : ctx.variables;
    const timeout = Number(ctx.header('timeoutMs') ?? 10_000);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', 'x-crm-instance': String(ctx.instanceId) },
        body: method === 'GET' ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      throw new TaskTypeError(`webhook ${method} ${url} failed: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok)
      throw new TaskTypeError(
        `webhook ${method} ${url} answered ${res.status}: ${text.slice(0, 200)}`,
      );
    const resultVariable = ctx.header('resultVariable');
    if (typeof resultVariable !== 'string') return {};
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* a text answer is kept as text */
    }
    return { [resultVariable]: parsed };
  }
}

@Injectable()
export class TaskTypeRegistry {
  private readonly types = new Map<string, TaskType>();

  constructor(
    @Optional() @Inject(RecordsService) records: RecordsService | null,
    @Inject(CLOCK) clock: Clock,
    @Optional() @Inject(APP_CONFIG) config: AppConfig | null = null,
    @Optional() @Inject(MetaService) meta: MetaService | null = null,
  ) {
    const builtIn: TaskType[] = [new Notify(clock), new Webhook()];
    if (records)
      builtIn.push(
        new UpdateRecord(records, config?.timeZone ?? 'UTC'),
        new CreateRecord(records, config?.timeZone ?? 'UTC'),
      );
    if (records) {
      // find-records evaluates its `where` outside a step: same clock, zone and calendar functions
      const documents = () => meta?.model.documents ?? [];
      const feel = () =>
        taskFeelOptions(clock, config?.timeZone ?? 'UTC', calendarFunctions(documents));
      builtIn.push(
        new FindRecords(records, feel),
        new SendMessage(records, clock, () => Boolean(config?.mail)),
      );
    }
    for (const t of builtIn) this.types.set(t.type, t);
  }

  get(type: string): TaskType | undefined {
    return this.types.get(type);
  }

  /** For tests and plug-ins: one more type. */
  register(t: TaskType): void {
    this.types.set(t.type, t);
  }
}
