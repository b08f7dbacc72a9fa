import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
} from '@crm/common';
import {
  type ActionDocument,
  type FeelOptions,
  MetaService,
  actionDocuments,
  recordActions,
} from '@crm/metadata';
import { type Actor, type RecordData, RecordsService } from '@crm/records';
import { EngineService } from '../engine/engine.service';
import { evaluateValues, inStep, whenHolds } from './evaluate';

/** Lines one step copies at most (the source's children past it: 422, nothing written). */
export const MAX_ACTION_LINES = 1000;

export interface RecordRef {
  entity: string;
  id: number;
}

/** What running an action answers: every record it wrote and what the web app opens next. */
export interface ActionResult {
  created: Record<string, RecordRef & { lines?: number[] }>;
  updated: (RecordRef & { version: number }) | null;
  open: RecordRef;
  instanceId?: number;
}

/** One action as the record page offers it for one record. */
export interface ActionOffer {
  name: string;
  label: ActionDocument['label'];
  description?: ActionDocument['description'];
  confirm?: ActionDocument['confirm'];
  enabled: boolean;
  /** Why it is disabled (its `when` does not hold). */
  reason?: { expression: string };
}

/**
 * Runs `action` documents: the button on a record that creates linked records (and copies the
 * record's lines), writes back onto the record and starts a process. Everything goes through the
 * records service as the user who runs it — their create / update rules, field write rules,
 * validation, triggers, record lock and history — in ONE transaction: any failure writes nothing.
 */
@Injectable()
export class RecordActionsService {
  private readonly timeZone: string;

  constructor(
    @Inject(DB) private readonly db: Db,
    private readonly records: RecordsService,
    private readonly engine: EngineService,
    private readonly meta: MetaService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig | null,
  ) {
    this.timeZone = config?.timeZone ?? 'UTC';
  }

  private get feelOptions(): FeelOptions {
    return { clock: { now: () => this.clock.now() }, timeZone: this.timeZone };
  }

  /** The action `name` of the entity, or 404 DOCUMENT_NOT_FOUND. */
  find(entity: string, name: string): ActionDocument {
    this.records.entity(entity);
    const a = actionDocuments(this.meta.model.documents).find(
      (d) => d.name === name && d.entity === entity,
    );
    if (!a)
      throw new CrmError(ErrorCode.DocumentNotFound, `${entity} has no action "${name}"`, [
        { path: 'action', message: `no action document named "${name}" on ${entity}` },
      ]);
    return a;
  }

  /**
   * The entity's actions `may` lets the user run, each with whether its `when` holds for this
   * record (the caller checked that the user reads it). Rule conditions are checked on running.
   */
  async offers(
    entity: string,
    id: number,
    actor: Actor,
    may: (a: ActionDocument) => boolean,
  ): Promise<ActionOffer[]> {
    const actions = recordActions(this.meta.model.documents, entity).filter(may);
    if (!actions.length) return [];
    const record = await this.records.get(entity, id);
    return actions.map((a) => {
      let enabled: boolean;
      try {
        enabled = whenHolds(a, { record, actor: actor.id }, this.feelOptions);
      } catch {
        // a `when` this record's data makes throw: the button is off; running it says why
        enabled = false;
      }
      return {
        name: a.name,
        label: a.label,
        ...(a.description && { description: a.description }),
        ...(a.confirm && { confirm: a.confirm }),
        enabled,
        ...(!enabled && { reason: { expression: a.when! } }),
      };
    });
  }

  /** Runs the action on record `id` as `actor` (the caller checked `run` on the record). */
  async run(action: ActionDocument, id: number, actor: Actor): Promise<ActionResult> {
    const options = this.feelOptions;
    // the expressions see the whole record (the user's read mask is for what they are shown)
    const record = await this.records.get(action.entity, id);
    if (!whenHolds(action, { record, actor: actor.id }, options))
      throw new CrmError(
        ErrorCode.ActionNotAllowed,
        `action ${action.name} does not apply to ${action.entity} ${id}: ${action.when} is not true`,
        [
          {
            path: '/when',
            message: `${action.when} is not true`,
            document: `action/${action.name}`,
          },
        ],
      );
    const steps = action.create ?? [];
    // the children to copy, read before the transaction as the user sees them: a line they
    // cannot read is not copied into a record they can
    const lines = new Map<number, RecordData[]>();
    for (const [i, step] of steps.entries())
      if (step.lines) lines.set(i, await this.sourceLines(action, i, id, actor));
    // on SQLite the transaction holds the one connection: the user's context is loaded now
    for (const step of steps) {
      await this.records.prepareAs(step.entity, ['create'], actor);
      if (step.lines) await this.records.prepareAs(step.lines.entity, ['create'], actor);
    }
    if (action.update) await this.records.prepareAs(action.entity, ['update'], actor);

    const result = await this.db.transaction(async (tx) => {
      const context: Record<string, unknown> = { record, actor: actor.id };
      const created: ActionResult['created'] = {};
      for (const [i, step] of steps.entries()) {
        const where = `/create/${i}`;
        const label = `step ${step.as} (${step.entity})`;
        const values = evaluateValues(action, step.values, context, options, `${where}/values`);
        let newId: number;
        try {
          newId = await this.records.createAs(tx, step.entity, values, actor);
        } catch (e) {
          throw inStep(e, `${where}/values`, label);
        }
        // later steps read what was stored: defaults, auto-numbers and system fields included
        context[step.as] = await this.records.get(step.entity, newId, {}, tx);
        created[step.as] = { entity: step.entity, id: newId };
        if (!step.lines) continue;
        const ids: number[] = [];
        for (const [n, line] of (lines.get(i) ?? []).entries()) {
          const at = `${where}/lines/values`;
          const lineValues = {
            ...evaluateValues(action, step.lines.values, { ...context, line }, options, at),
            [step.lines.link]: newId,
          };
          try {
            ids.push(await this.records.createAs(tx, step.lines.entity, lineValues, actor));
          } catch (e) {
            throw inStep(e, at, `step ${step.as}, line ${n + 1} (${step.lines.entity})`);
          }
        }
        created[step.as].lines = ids;
      }
      let updated: ActionResult['updated'] = null;
      if (action.update) {
        const values = evaluateValues(action, action.update, context, options, '/update');
        try {
          // the version the `when` was decided on: a change since then is a 409, not a surprise
          await this.records.updateAs(
            tx,
            action.entity,
            id,
            { ...values, version: record.version },
            actor,
          );
        } catch (e) {
          throw inStep(e, '/update', `write-back onto ${action.entity} ${id}`);
        }
        updated = { entity: action.entity, id, version: Number(record.version) + 1 };
      }
      let instanceId: number | undefined;
      if (action.process) {
        const on = action.process.on ?? 'record';
        const target = on === 'record' ? { entity: action.entity, id } : created[on];
        try {
          const view = await this.engine.startIn(
            tx,
            {
              processKey: action.process.key,
              record: { entity: target.entity, id: target.id },
            },
            actor.id,
            { triggerDepth: (actor.engine?.depth ?? 0) + 1 },
          );
          instanceId = view.id;
        } catch (e) {
          throw inStep(e, '/process', `process ${action.process.key}`);
        }
      }
      return { created, updated, instanceId };
    });
    const openName = action.open ?? steps[0]?.as ?? 'record';
    const open =
      openName === 'record'
        ? { entity: action.entity, id }
        : { entity: result.created[openName].entity, id: result.created[openName].id };
    return {
      created: result.created,
      updated: result.updated,
      open,
      ...(result.instanceId !== undefined && { instanceId: result.instanceId }),
    };
  }

  /** The source's children of step `i` (its `lines.from` inverse), as the user may read them. */
  private async sourceLines(
    action: ActionDocument,
    i: number,
    id: number,
    actor: Actor,
  ): Promise<RecordData[]> {
    const from = action.create![i].lines!.from;
    const inverse = this.records.entity(action.entity).inverses.find((v) => v.name === from);
    if (!inverse)
      throw new CrmError(
        ErrorCode.MetadataInvalid,
        `action ${action.name}: ${action.entity} has no inverse relation "${from}"`,
        [
          {
            path: `/create/${i}/lines/from`,
            message: 'not an inverse',
            document: `action/${action.name}`,
          },
        ],
      );
    const out: RecordData[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.records.list(
        inverse.sourceEntity,
        { filter: { [inverse.sourceField]: id }, sort: 'id', limit: 500, cursor },
        actor.access,
      );
      out.push(...page.data);
      cursor = page.nextCursor ?? undefined;
      if (out.length > MAX_ACTION_LINES)
        throw new CrmError(
          ErrorCode.ActionNotAllowed,
          `action ${action.name} copies at most ${MAX_ACTION_LINES} ${from}; ${action.entity} ${id} has more`,
          [{ path: `/create/${i}/lines/from`, message: `more than ${MAX_ACTION_LINES} lines` }],
        );
    } while (cursor);
    return out;
  }
}
