import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  type Db,
  ErrorCode,
} from '@crm/common';
import {
  type FeelOptions,
  MetaService,
  type TriggerDocument,
  type TriggerEvent,
  evaluateFeel,
  feelText,
  triggerDocuments,
} from '@crm/metadata';
import {
  type RecordData,
  type RecordWriteEvent,
  type RecordWriteHooks,
  RecordsService,
} from '@crm/records';
import { EngineService, type InstanceView } from '../engine/engine.service';
import { rememberReplacedValues } from './outcome';
import { RecordLock } from './record-lock';

/**
 * Trigger starts one write may lead to, one inside the other (a process whose task writes a record
 * that fires another trigger...). Deeper is a loop — a process whose task writes the record that
 * starts it again — refused with 409 TRIGGER_LOOP and nothing of the write saved.
 */
export const MAX_TRIGGER_DEPTH = 5;

const EVENT_OF: Partial<Record<RecordWriteEvent['kind'], TriggerEvent>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/** What a trigger's condition and variables see (TRIGGER_NAMES in the trigger kind). */
export function triggerContext(
  on: TriggerEvent,
  old: RecordData | null,
  now: RecordData | null,
  actor: string,
): Record<string, unknown> {
  switch (on) {
    case 'created':
      return { new: now, record: now, actor };
    case 'updated':
      return { old, new: now, record: now, actor };
    case 'deleted':
      return { old, record: old, actor };
    case 'button':
      return { record: now, actor };
  }
}

/** The entity's triggers for one event, by name (the order they start in). */
export function triggersFor(
  documents: readonly { kind: string }[],
  entity: string,
  on: TriggerEvent,
): TriggerDocument[] {
  return triggerDocuments(documents)
    .filter((t) => t.entity === entity && t.on === on)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Does the trigger fire, and with which variables? Only a condition that is `true` fires (null —
 * a field left empty — does not). Values are stored as JSON, as every process variable.
 */
export function evaluateTrigger(
  t: TriggerDocument,
  context: Record<string, unknown>,
  options: FeelOptions,
): { fires: false } | { fires: true; variables: Record<string, unknown> } {
  const run = (expression: string, path: string): unknown => {
    try {
      return evaluateFeel(feelText(expression), context, options);
    } catch (e) {
      throw new CrmError(
        ErrorCode.MetadataInvalid,
        `trigger ${t.name}: ${path.slice(1)} could not be evaluated: ${(e as Error).message}`,
        [{ path, message: (e as Error).message, document: `trigger/${t.name}` }],
      );
    }
  };
  if (t.condition !== undefined && run(t.condition, '/condition') !== true) return { fires: false };
  const variables: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(t.variables ?? {}))
    variables[name] = JSON.parse(JSON.stringify(run(expression, `/variables/${name}`) ?? null));
  return { fires: true, variables };
}

/**
 * A refused start names the trigger that asked for it (the write's answer is that error); its
 * details point at the trigger document, not at a field of the record written.
 */
function fromTrigger(t: TriggerDocument, e: unknown): unknown {
  if (!(e instanceof CrmError) || e.code === ErrorCode.TriggerLoop) return e;
  return new CrmError(
    e.code,
    `trigger ${t.name} could not start ${t.process}: ${e.message}`,
    e.errors.map((d) => ({ ...d, path: '', document: `trigger/${t.name}` })),
    e.extra,
  );
}

/**
 * The workflow side of record writes: starts the processes of `trigger` documents inside the
 * write's transaction, keeps what the engine's tasks replace in a bound record (for a restore on
 * cancel), and registers the engine's record lock. Records know nothing of it: it registers itself
 * with RecordsService.hooks.
 */
@Injectable()
export class RecordTriggers implements RecordWriteHooks {
  private readonly timeZone: string;

  constructor(
    private readonly records: RecordsService,
    private readonly engine: EngineService,
    private readonly meta: MetaService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig | null,
  ) {
    this.timeZone = config?.timeZone ?? 'UTC';
    records.hooks.listen(this);
    records.hooks.guard(new RecordLock(engine));
  }

  private get feelOptions(): FeelOptions {
    return { clock: { now: () => this.clock.now() }, timeZone: this.timeZone };
  }

  async afterWrite(tx: Db, event: RecordWriteEvent): Promise<void> {
    await rememberReplacedValues(tx, event);
    const on = EVENT_OF[event.kind];
    if (!on) return;
    const triggers = triggersFor(this.meta.model.documents, event.entity.name, on);
    if (!triggers.length) return;
    const depth = (event.actor.engine?.depth ?? 0) + 1;
    const context = triggerContext(on, event.old, event.new, event.actor.id);
    for (const t of triggers) {
      const verdict = evaluateTrigger(t, context, this.feelOptions);
      if (!verdict.fires) continue;
      if (depth > MAX_TRIGGER_DEPTH)
        throw new CrmError(
          ErrorCode.TriggerLoop,
          `trigger ${t.name} would start ${t.process} ${depth} trigger starts deep (at most ${MAX_TRIGGER_DEPTH}): a process whose tasks write the record that starts it again? Nothing was saved`,
          [{ path: '', message: `trigger loop at ${event.entity.name} ${event.id}` }],
        );
      try {
        await this.engine.startIn(
          tx,
          {
            processKey: t.process,
            variables: verdict.variables,
            record: { entity: event.entity.name, id: event.id },
          },
          event.actor.id,
          { triggerDepth: depth, recordDeleted: on === 'deleted' },
        );
      } catch (e) {
        throw fromTrigger(t, e);
      }
    }
  }

  /** The button trigger `name` of the entity, or 404 TRIGGER_NOT_FOUND. */
  button(entity: string, name: string): TriggerDocument {
    this.records.entity(entity);
    const t = triggerDocuments(this.meta.model.documents).find(
      (d) => d.name === name && d.entity === entity && d.on === 'button',
    );
    if (!t)
      throw new CrmError(ErrorCode.TriggerNotFound, `${entity} has no button "${name}"`, [
        { path: 'trigger', message: `no button trigger named "${name}" on ${entity}` },
      ]);
    return t;
  }

  /**
   * Presses a button: the process starts bound to the record, as `actor` (the caller checked that
   * they may), with the trigger's variables; a condition that does not hold is 409.
   */
  async press(t: TriggerDocument, id: number, actor: string): Promise<InstanceView> {
    const record = await this.records.get(t.entity, id);
    const verdict = evaluateTrigger(
      t,
      triggerContext('button', null, record, actor),
      this.feelOptions,
    );
    if (!verdict.fires)
      throw new CrmError(
        ErrorCode.NotStartable,
        `the condition of button ${t.name} does not hold for ${t.entity} ${id}`,
        [{ path: 'trigger', message: `condition ${t.condition ?? ''} is not true` }],
      );
    try {
      return await this.engine.start(
        { processKey: t.process, variables: verdict.variables, record: { entity: t.entity, id } },
        actor,
      );
    } catch (e) {
      throw fromTrigger(t, e);
    }
  }
}
