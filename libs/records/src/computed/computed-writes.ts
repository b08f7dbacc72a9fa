import {
  type Clock,
  CrmError,
  type Db,
  type ErrorDetail,
  ErrorCode,
  type SqlParam,
  q,
  toDbTimestamp,
} from '@crm/common';
import {
  type CompiledEntity,
  type EntityComputedPlan,
  type FeelOptions,
  FeelError,
  type MetadataModel,
  type RollupPlan,
  buildComputedPlan,
  evaluateFeel,
  feelRefs,
  ruleHolds,
} from '@crm/metadata';
import { type RecordData, fromRow, selectColumns, toRow } from '../codec';
import type { Locale } from '../record-validator';
import type { RecordWriteEvent } from '../write-hooks';
import { writeHistory } from '../record-history';
import {
  emptyRollup,
  feelRecord,
  fromFeelValue,
  numberOf,
  roundTo,
  sameValue,
  toFeelValue,
} from './values';

/** Who computed writes are recorded as in history: the engine, not the user whose write caused them. */
export const SYSTEM_ACTOR = 'system';

/** One child's part in a rollup: none (deleted, filtered out, no parent) or its value. */
interface Contribution {
  parent: number | null;
  counts: boolean;
  value: number | string | null;
}

/**
 * Formula and rollup fields, kept right on every write path. Called in the write's transaction:
 * - before a row is written, `computeOwn` fills the record's formulas (and a new record's rollups)
 *   and `deepRuleErrors` checks the rules that read them or follow a relation;
 * - after it is written, `afterWrite` moves the rollups of the parents it feeds (sum and count by
 *   an atomic `SET f = f + delta`, min/max/avg by one aggregate over that parent's children after
 *   locking its row), recomputes the parents' formulas, checks their rules, and recomputes the
 *   formulas of children that read a field the write changed — then does the same for what those
 *   writes change, following the acyclic dependency graph (metadata computed/plan.ts).
 */
export class ComputedWrites {
  private plans?: { revision: number; map: Map<string, EntityComputedPlan> };

  constructor(
    private readonly model: () => MetadataModel,
    private readonly feel: () => FeelOptions,
    private readonly clock: Clock,
  ) {}

  plan(e: CompiledEntity): EntityComputedPlan {
    const m = this.model();
    if (this.plans?.revision !== m.revision)
      this.plans = {
        revision: m.revision,
        map: buildComputedPlan([...m.entities.values()].map((x) => x.doc)),
      };
    return this.plans.map.get(e.name)!;
  }

  /** Rules checked before the transaction: those that need no stored record. */
  shallowRule = (e: CompiledEntity) => {
    const deep = this.plan(e).deepRules;
    return (name: string) => !deep.has(name);
  };

  private entity(name: string): CompiledEntity {
    return this.model().entities.get(name)!;
  }

  /**
   * The record's FEEL context, and the target record of each relation some expression follows
   * (`rel.field`), null when it points at none.
   */
  private async context(
    tx: Db,
    e: CompiledEntity,
    record: RecordData,
  ): Promise<{ ctx: Record<string, unknown>; related: Map<string, unknown> }> {
    const ctx = feelRecord(e, record);
    const related = new Map<string, unknown>();
    for (const [rel, targetName] of this.plan(e).followed) {
      const id = record[rel];
      if (typeof id !== 'number') {
        related.set(rel, null);
        continue;
      }
      const target = this.entity(targetName);
      const [row] = await tx.query(
        `SELECT ${selectColumns(target).map(q).join(', ')} FROM ${q(target.table)} WHERE id = ?`,
        [id],
      );
      related.set(rel, row ? feelRecord(target, fromRow(target, row)) : null);
    }
    return { ctx, related };
  }

  /**
   * The context one expression sees: a relation it follows (`quote.status`) is the related
   * record, one it reads on its own is the id (`customer = receivable.customer`).
   */
  private scoped(
    expression: string,
    ctx: Record<string, unknown>,
    related: Map<string, unknown>,
  ): Record<string, unknown> {
    const heads = (feelRefs(expression)?.paths ?? []).filter((p) => related.has(p.head));
    if (!heads.length) return ctx;
    const out = { ...ctx };
    for (const p of heads) out[p.head] = related.get(p.head);
    return out;
  }

  private evaluate(expression: string, ctx: Record<string, unknown>): unknown {
    try {
      return evaluateFeel(expression, ctx, this.feel());
    } catch (err) {
      // a formula that cannot be evaluated for this record (a failed assert, a type FEEL cannot
      // combine) has no value, like FEEL's own null; validation refused what never could run
      if (err instanceof FeelError) return null;
      throw err;
    }
  }

  /**
   * The computed values of a record about to be written: every formula (in dependency order) and,
   * for a new record, its rollups' empty values. Only values that differ from `record` are
   * returned; `record` is updated in place so the caller writes them with the row.
   */
  async computeOwn(
    tx: Db,
    e: CompiledEntity,
    record: RecordData,
    isNew: boolean,
  ): Promise<RecordData> {
    const plan = this.plan(e);
    const out: RecordData = {};
    if (isNew)
      for (const r of plan.rollups) out[r.field] = record[r.field] = emptyRollup(e, r.field);
    if (!plan.formulas.length) return out;
    const { ctx, related } = await this.context(tx, e, record);
    for (const f of plan.formulas) {
      const v = fromFeelValue(
        e,
        f.field,
        this.evaluate(f.expression, this.scoped(f.expression, ctx, related)),
      );
      ctx[f.field] = toFeelValue(e.fields[f.field], v);
      if (!sameValue(v, record[f.field]) || isNew) out[f.field] = record[f.field] = v;
    }
    return out;
  }

  /** The rules of the record that read computed fields or follow a relation, as errors. */
  async deepRuleErrors(
    tx: Db,
    e: CompiledEntity,
    record: RecordData,
    locale: Locale,
    all = false,
  ): Promise<ErrorDetail[]> {
    const deep = this.plan(e).deepRules;
    const rules = (e.doc.rules ?? []).filter((r) => all || deep.has(r.name));
    if (!rules.length) return [];
    const { ctx, related } = await this.context(tx, e, record);
    const out: ErrorDetail[] = [];
    for (const rule of rules) {
      let holds: boolean;
      try {
        holds = ruleHolds(rule.expression, this.scoped(rule.expression, ctx, related), this.feel());
      } catch {
        holds = false;
      }
      if (!holds)
        out.push({
          path: '',
          message: rule.message[locale] ?? rule.message.en,
          reason: `rule:${rule.name}`,
        });
    }
    return out;
  }

  /** Runs after every record write, in its transaction (a RecordHookSet listener). */
  async afterWrite(tx: Db, ev: RecordWriteEvent): Promise<void> {
    // a restore brings back a record that counted for nothing while deleted
    const old = ev.kind === 'restore' ? null : ev.old;
    const now = ev.kind === 'delete' ? null : ev.new;
    await this.propagate(tx, ev.entity, ev.id, old, now, ev.actor.locale);
  }

  private contribution(r: RollupPlan, child: CompiledEntity, rec: RecordData | null): Contribution {
    const parent = rec && typeof rec[r.via] === 'number' ? (rec[r.via] as number) : null;
    if (!rec || parent === null) return { parent, counts: false, value: null };
    if (r.filter !== undefined) {
      const ok = this.evaluate(r.filter, feelRecord(child, rec));
      if (ok !== true) return { parent, counts: false, value: null };
    }
    if (!r.source) return { parent, counts: true, value: 1 };
    const f = child.fields[r.source];
    const v = rec[r.source];
    return {
      parent,
      counts: true,
      value:
        f.type === 'date' || f.type === 'datetime'
          ? ((v as string | null) ?? null)
          : numberOf(f, v),
    };
  }

  private async propagate(
    tx: Db,
    e: CompiledEntity,
    id: number,
    old: RecordData | null,
    now: RecordData | null,
    locale: Locale,
  ): Promise<void> {
    const plan = this.plan(e);
    // parents whose rollups move: deltas for sum/count, a recount for the others
    const touched = new Map<
      string,
      { entity: string; id: number; deltas: Map<string, number>; recount: Set<string> }
    >();
    const touch = (entity: string, pid: number) => {
      const k = `${entity}:${pid}`;
      let t = touched.get(k);
      if (!t) touched.set(k, (t = { entity, id: pid, deltas: new Map(), recount: new Set() }));
      return t;
    };
    for (const r of plan.feeds) {
      const a = this.contribution(r, e, old);
      const b = this.contribution(r, e, now);
      if (a.parent === b.parent && a.counts === b.counts && a.value === b.value) continue;
      const additive = r.function === 'sum' || r.function === 'count';
      for (const [c, sign] of [
        [a, -1],
        [b, 1],
      ] as const) {
        if (c.parent === null) continue;
        if (!additive) touch(r.entity, c.parent).recount.add(r.field);
        else if (c.counts) {
          const t = touch(r.entity, c.parent);
          const v = r.function === 'count' ? 1 : typeof c.value === 'number' ? c.value : 0;
          t.deltas.set(r.field, (t.deltas.get(r.field) ?? 0) + sign * v);
        }
      }
    }
    for (const t of touched.values())
      await this.updateParent(tx, this.entity(t.entity), t.id, t.deltas, t.recount, locale);
    // children whose formulas read a field this write changed (one hop)
    if (!old || !now) return;
    for (const d of plan.dependents) {
      if (d.fields.every((f) => sameValue(old[f], now[f]))) continue;
      const child = this.entity(d.entity);
      const rows = await tx.query(
        `SELECT ${selectColumns(child).map(q).join(', ')} FROM ${q(child.table)} WHERE ${q(d.via)} = ? AND deleted_at IS NULL ORDER BY id`,
        [id],
      );
      for (const row of rows) {
        const before = fromRow(child, row);
        const after = { ...before };
        const changes = await this.computeOwn(tx, child, after, false);
        if (!Object.keys(changes).length) continue;
        await this.writeComputed(tx, child, before.id as number, before, changes, true);
        await this.propagate(tx, child, before.id as number, before, after, locale);
      }
    }
  }

  /** The value of one rollup over a parent's live children: one query for that parent only. */
  async aggregate(tx: Db, r: RollupPlan, parentId: number): Promise<unknown> {
    const child = this.entity(r.child);
    const parent = this.entity(r.entity);
    const cols = new Set(['id', r.via]);
    if (r.source) cols.add(r.source);
    for (const f of r.filterFields) if (Object.hasOwn(child.fields, f)) cols.add(f);
    const only = new Set([...cols]);
    const select = selectColumns(child, only).filter(
      (c) =>
        !['owner', 'created_at', 'created_by', 'updated_at', 'updated_by', 'deleted_at'].includes(
          c,
        ) || only.has(c),
    );
    const rows = await tx.query(
      `SELECT ${select.map(q).join(', ')} FROM ${q(child.table)} WHERE ${q(r.via)} = ? AND deleted_at IS NULL`,
      [parentId],
    );
    const values: Array<number | string> = [];
    let n = 0;
    for (const row of rows) {
      const c = this.contribution(r, child, fromRow(child, { ...row, version: 0 }, only));
      if (!c.counts) continue;
      n++;
      if (c.value !== null) values.push(c.value);
    }
    switch (r.function) {
      case 'count':
        return fromFeelValue(parent, r.field, n);
      case 'sum':
        return fromFeelValue(
          parent,
          r.field,
          values.reduce<number>((s, v) => s + (v as number), 0),
        );
      case 'avg':
        return values.length
          ? fromFeelValue(
              parent,
              r.field,
              values.reduce<number>((s, v) => s + (v as number), 0) / values.length,
            )
          : null;
      case 'min':
      case 'max': {
        if (!values.length) return null;
        const pick = values.reduce((m, v) => ((r.function === 'min' ? v < m : v > m) ? v : m));
        return fromFeelValue(parent, r.field, pick);
      }
    }
  }

  /**
   * Applies rollup changes to one parent: deltas atomically with its version bump (which also
   * takes the row lock, so two children written at once cannot lose an update), recounts after
   * the lock, then the parent's formulas, its rules, and what its changes feed in turn.
   */
  private async updateParent(
    tx: Db,
    pe: CompiledEntity,
    pid: number,
    deltas: Map<string, number>,
    recount: Set<string>,
    locale: Locale,
  ): Promise<void> {
    const sets: string[] = [];
    const params: SqlParam[] = [];
    for (const [field, raw] of deltas) {
      const f = pe.fields[field];
      const delta = roundTo(raw, f.type === 'integer' ? 0 : (f.scale ?? 2) + 2);
      if (delta === 0) {
        deltas.delete(field);
        continue;
      }
      sets.push(`${q(field)} = COALESCE(${q(field)}, 0) + ?`);
      params.push(delta);
      if (f.type === 'currency') {
        sets.push(`${q(`${field}_currency`)} = COALESCE(${q(`${field}_currency`)}, ?)`);
        params.push(f.currency ?? 'CNY');
      }
      deltas.set(field, delta);
    }
    if (!sets.length && !recount.size) return;
    const done = await tx.execute(
      `UPDATE ${q(pe.table)} SET ${[...sets, 'version = version + 1'].join(', ')} WHERE id = ?`,
      [...params, pid],
    );
    if (done.affected === 0) return; // the relation points at no row (cannot happen with references checked)
    const [row] = await tx.query(
      `SELECT ${selectColumns(pe).map(q).join(', ')} FROM ${q(pe.table)} WHERE id = ?`,
      [pid],
    );
    const now = fromRow(pe, row);
    const before: RecordData = { ...now, version: (now.version as number) - 1 };
    for (const [field, delta] of deltas) before[field] = shift(pe, field, now[field], -delta);
    const changes: RecordData = {};
    for (const field of recount) {
      const r = this.plan(pe).rollups.find((x) => x.field === field)!;
      const v = await this.aggregate(tx, r, pid);
      if (!sameValue(v, now[field])) changes[field] = now[field] = v;
    }
    Object.assign(changes, await this.computeOwn(tx, pe, now, false));
    if (Object.keys(changes).length) await this.writeComputed(tx, pe, pid, before, changes, false);
    const errors = await this.deepRuleErrors(tx, pe, now, locale, true);
    if (errors.length)
      throw new CrmError(
        ErrorCode.RecordInvalid,
        `this change would make ${pe.name} ${pid} invalid: ${errors.map((x) => x.message).join('; ')}`,
        errors.map((x) => ({ ...x, path: `${pe.name}/${pid}` })),
      );
    await this.history(
      tx,
      pe,
      pid,
      [...deltas.keys(), ...Object.keys(changes)]
        .filter((f, i, a) => a.indexOf(f) === i)
        .map((f) => [f, before[f] ?? null, now[f] ?? null] as [string, unknown, unknown])
        .filter(([, a, b]) => !sameValue(a, b)),
    );
    await this.propagate(tx, pe, pid, before, now, locale);
  }

  /** Writes computed values of a record (not a user's write: history says so). */
  private async writeComputed(
    tx: Db,
    e: CompiledEntity,
    id: number,
    before: RecordData,
    changes: RecordData,
    bumpVersion: boolean,
  ): Promise<void> {
    const row = toRow(e, changes);
    const cols = Object.keys(row);
    await tx.execute(
      `UPDATE ${q(e.table)} SET ${[...cols.map((c) => `${q(c)} = ?`), ...(bumpVersion ? ['version = version + 1'] : [])].join(', ')} WHERE id = ?`,
      [...cols.map((c) => row[c]), id],
    );
    if (bumpVersion)
      await this.history(
        tx,
        e,
        id,
        Object.keys(changes).map((f) => [f, before[f] ?? null, changes[f] ?? null]),
      );
  }

  /** Computed values are changed by the system, never by the user whose write caused them. */
  private history(
    tx: Db,
    e: CompiledEntity,
    id: number,
    entries: Array<[string, unknown, unknown]>,
  ): Promise<void> {
    return writeHistory(
      tx,
      e,
      id,
      'computed',
      entries,
      SYSTEM_ACTOR,
      toDbTimestamp(this.clock.now()),
    );
  }

  /**
   * Recomputes every computed field of existing records of `e` (rollups by aggregate, then
   * formulas), page by page; for a metadata change that adds one, or `crm rebuild`. Rules are not
   * checked: the data exists already, and refusing to compute it would hide it.
   */
  async rebuild(
    db: Db,
    e: CompiledEntity,
    onProgress?: (done: number, total: number) => void,
  ): Promise<number> {
    const plan = this.plan(e);
    if (!plan.computed.size) return 0;
    const [{ n }] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${q(e.table)}`);
    const total = Number(n);
    let done = 0;
    let changed = 0;
    let after = 0;
    for (;;) {
      const ids = (
        await db.query<{ id: number }>(
          `SELECT id FROM ${q(e.table)} WHERE id > ? ORDER BY id LIMIT 200`,
          [after],
        )
      ).map((r) => Number(r.id));
      if (!ids.length) break;
      await db.transaction(async (tx) => {
        for (const id of ids) {
          // the row lock first: a child written meanwhile moves the rollup after this recount
          await tx.execute(`UPDATE ${q(e.table)} SET version = version WHERE id = ?`, [id]);
          const [row] = await tx.query(
            `SELECT ${selectColumns(e).map(q).join(', ')} FROM ${q(e.table)} WHERE id = ?`,
            [id],
          );
          if (!row) continue;
          const rec = fromRow(e, row);
          const changes: RecordData = {};
          for (const r of plan.rollups) {
            const v = await this.aggregate(tx, r, id);
            if (!sameValue(v, rec[r.field])) changes[r.field] = rec[r.field] = v;
          }
          Object.assign(changes, await this.computeOwn(tx, e, rec, false));
          if (!Object.keys(changes).length) continue;
          const cols = toRow(e, changes);
          await tx.execute(
            `UPDATE ${q(e.table)} SET ${Object.keys(cols)
              .map((c) => `${q(c)} = ?`)
              .join(', ')} WHERE id = ?`,
            [...Object.values(cols), id],
          );
          changed++;
        }
      });
      done += ids.length;
      after = ids[ids.length - 1];
      onProgress?.(done, total);
    }
    return changed;
  }
}

/** A stored number moved by `delta` (a currency keeps its code). */
function shift(e: CompiledEntity, field: string, v: unknown, delta: number): unknown {
  const f = e.fields[field];
  const scale = f.type === 'integer' ? 0 : (f.scale ?? 2);
  if (f.type === 'currency') {
    const c = v as { amount: number; currency: string } | null;
    return c ? { ...c, amount: roundTo(c.amount + delta, scale) } : null;
  }
  return typeof v === 'number' ? roundTo(v + delta, scale) : v;
}
