import {
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
  type EntityDocument,
  type FeelOptions,
  buildComputedPlan,
  codePeriod,
  formatCode,
  parseCodeRule,
} from '@crm/metadata';
import { toRow } from '../codec';
import { compileValidators, ruleErrors, schemaErrors } from '../record-validator';
import type { RecordsService } from '../records.service';
import type { DemoPlanner, PlannedRecord } from './plan';

export type Progress = (entity: string, written: number) => void;

/** Relation keys of a planned record resolved to the ids its targets got. */
function resolved(r: PlannedRecord, ids: Map<number, number>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r.data };
  for (const [field, key] of Object.entries(r.refs)) {
    const id = ids.get(key);
    if (id === undefined)
      throw new Error(`demo data: ${r.entity}.${field} points at an unwritten record`);
    out[field] = id;
  }
  return out;
}

/** Field defaults for what the generator left out, as a create through the API applies them. */
export function withDefaults(
  e: CompiledEntity,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...data };
  for (const [name, f] of Object.entries(e.fields))
    if (!(name in out) && f.default !== undefined && f.type !== 'autoNumber')
      out[name] =
        f.type === 'currency'
          ? { amount: f.default, currency: f.currency ?? 'CNY' }
          : structuredClone(f.default);
  return out;
}

export interface ServiceWriteResult {
  counts: Map<string, number>;
  /** Trigger presses that started a process, and those skipped (with why). */
  started: number;
  skipped: string[];
}

/**
 * The first start's path: every record through RecordsService.create as its owner, so validation,
 * rules, auto-numbers, history and record-event triggers behave as for a user; then the planned
 * button presses (`press`) start processes. A press that fails (its process is not deployed, its
 * trigger not defined) is reported, not fatal: processes come and go with the metadata.
 */
export async function writeThroughService(
  records: RecordsService,
  planner: DemoPlanner,
  press: (entity: string, id: number, trigger: string, owner: string) => Promise<void>,
): Promise<ServiceWriteResult> {
  const ids = new Map<number, number>();
  const counts = new Map<string, number>();
  const toPress: Array<{ r: PlannedRecord; id: number }> = [];
  const write = async (batch: PlannedRecord[]) => {
    for (const r of batch) {
      const created = await records.create(r.entity, resolved(r, ids), {
        id: r.owner,
        locale: 'zh-CN',
      });
      ids.set(r.key, created.id as number);
      counts.set(r.entity, (counts.get(r.entity) ?? 0) + 1);
      if (r.start) toPress.push({ r, id: created.id as number });
    }
  };
  await write(planner.fixed());
  for (let c = planner.nextChunk(50); c; c = planner.nextChunk(50)) await write(c);
  let started = 0;
  const skipped: string[] = [];
  for (const { r, id } of toPress) {
    try {
      await press(r.entity, id, r.start!, r.owner);
      started++;
    } catch (e) {
      skipped.push(`${r.entity} ${id} ${r.start}: ${(e as Error).message}`);
    }
  }
  return { counts, started, skipped };
}

/** Reserves `n` consecutive values of a counter at once; returns the first. */
export async function reserveSequence(db: Db, key: string, n: number): Promise<number> {
  if (db.dialect === 'mysql') {
    const r = await db.execute(
      'INSERT INTO crm_sequence (seq_key, value) VALUES (?, LAST_INSERT_ID(?)) ON DUPLICATE KEY UPDATE value = LAST_INSERT_ID(value + ?)',
      [key, n, n],
    );
    return r.insertId - n + 1;
  }
  const [row] = await db.query<{ value: number }>(
    'INSERT INTO crm_sequence (seq_key, value) VALUES (?, ?) ON CONFLICT(seq_key) DO UPDATE SET value = value + ? RETURNING value',
    [key, n, n],
  );
  return Number(row.value) - n + 1;
}

export interface FastWriteOptions {
  entity: (name: string) => CompiledEntity;
  /** Who the system columns and history name (owners are the planned ones). */
  actor: string;
  now: Date;
  timeZone: string;
  feel: FeelOptions;
  /** Root records per transaction. */
  chunk?: number;
  onProgress?: Progress;
}

const RULE_FIRST = 500;
const RULE_SAMPLE = 50;

/** Largest rows per INSERT: bounded by placeholders (SQLite 32,766; MySQL 65,535). */
const maxRows = (cols: number): number => Math.max(1, Math.min(1000, Math.floor(30_000 / cols)));

/**
 * `crm seed`'s path: the same planned records, written with multi-row INSERTs, one transaction
 * per chunk of roots. Every record is still checked against its entity's schema and rules, its
 * auto-numbers come from the code rule's counter (a block reserved per batch), and its history
 * has the rows a create writes. What it skips is per-record work a bulk load does not need:
 * access checks (the loader is an operator), reference reads (the targets were just written) and
 * record-event triggers (no process starts from seeded data).
 */
export async function writeFast(
  db: Db,
  planner: DemoPlanner,
  opts: FastWriteOptions,
): Promise<Map<string, number>> {
  const ids = new Map<number, number>();
  const counts = new Map<string, number>();
  const validators = new Map<string, ReturnType<typeof compileValidators>>();
  const ts = toDbTimestamp(opts.now);
  const shallow = shallowRules(opts.entity);

  const insertGroup = async (tx: Db, e: CompiledEntity, group: PlannedRecord[]) => {
    let v = validators.get(e.name);
    if (!v) validators.set(e.name, (v = compileValidators(e)));
    const datas = group.map((r) => withDefaults(e, resolved(r, ids)));
    const before = counts.get(e.name) ?? 0;
    datas.forEach((d, i) => {
      // the schema for every record; the FEEL rules (a parse per call, ~1 ms) for the first
      // records of each entity and one in RULE_SAMPLE after: the generator makes every record
      // the same way, so a dataset that breaks a rule breaks it early
      const n = before + i;
      const errors: ErrorDetail[] = [
        ...schemaErrors(v.create, d),
        ...(n < RULE_FIRST || n % RULE_SAMPLE === 0
          ? ruleErrors(e, d, 'en', opts.feel, shallow(e))
          : []),
      ];
      if (errors.length)
        throw new CrmError(
          ErrorCode.RecordInvalid,
          `demo data: a generated ${e.name} record is invalid (fix demo/dataset.yaml)`,
          errors.map((x) => ({ ...x, path: `${e.name}[${i}]${x.path}` })),
        );
    });
    for (const [name, f] of Object.entries(e.fields)) {
      if (f.type !== 'autoNumber') continue;
      const rule = parseCodeRule(f.codeRule!);
      const period = codePeriod(rule, opts.now, opts.timeZone);
      // numbers taken in the chunk's transaction: `crm seed` is the only writer it waits for
      const first = await reserveSequence(tx, `${e.name}.${name}:${period}`, datas.length);
      datas.forEach((d, i) => (d[name] = formatCode(rule, opts.now, first + i, opts.timeZone)));
    }
    const rows = datas.map((d, i) => ({
      ...toRow(e, d),
      owner: group[i].owner,
      created_by: opts.actor,
      created_at: ts,
      updated_by: opts.actor,
      updated_at: ts,
      version: 1,
    }));
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const per = maxRows(cols.length);
    for (let s = 0; s < rows.length; s += per) {
      const slice = rows.slice(s, s + per);
      const params: SqlParam[] = [];
      for (const r of slice)
        for (const c of cols) params.push((r as Record<string, SqlParam>)[c] ?? null);
      const one = `(${cols.map(() => '?').join(', ')})`;
      const res = await tx.execute(
        `INSERT INTO ${q(e.table)} (${cols.map(q).join(', ')}) VALUES ${slice.map(() => one).join(', ')}`,
        params,
      );
      // one multi-row INSERT takes consecutive ids (MySQL reports the first, SQLite the last);
      // checked, since a concurrent writer on MySQL's interleaved auto-increment could break it
      const first = tx.dialect === 'mysql' ? res.insertId : res.insertId - slice.length + 1;
      const [chk] = await tx.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM ${q(e.table)} WHERE id BETWEEN ? AND ? AND created_by = ? AND created_at = ?`,
        [first, first + slice.length - 1, opts.actor, ts],
      );
      if (Number(chk.n) !== slice.length)
        throw new Error(
          `${e.table}: the inserted ids are not consecutive (another writer?); run crm seed alone`,
        );
      slice.forEach((_r, i) => ids.set(group[s + i].key, first + i));
    }
    // history as a create writes it: one row per field set
    const hist: SqlParam[][] = [];
    group.forEach((r, i) => {
      const id = ids.get(r.key)!;
      const d = datas[i];
      const entries = Object.entries(d).filter(
        ([k, x]) => x !== null && x !== undefined && e.fields[k],
      );
      if (!entries.length) hist.push([e.name, id, 'create', null, null, null, opts.actor, ts]);
      for (const [k, x] of entries)
        hist.push([e.name, id, 'create', k, null, JSON.stringify(x), opts.actor, ts]);
    });
    for (let s = 0; s < hist.length; s += 2000) {
      const slice = hist.slice(s, s + 2000);
      await tx.execute(
        `INSERT INTO crm_record_history (entity, record_id, action, field, old_value, new_value, actor, at) VALUES ${slice.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        slice.flat(),
      );
    }
    counts.set(e.name, (counts.get(e.name) ?? 0) + group.length);
    opts.onProgress?.(e.name, counts.get(e.name)!);
  };

  const writeChunk = (batch: PlannedRecord[]) =>
    db.transaction(async (tx) => {
      // records come parents first; consecutive runs of one entity are one group
      let start = 0;
      for (let i = 1; i <= batch.length; i++) {
        if (i === batch.length || batch[i].entity !== batch[start].entity) {
          await insertGroup(tx, opts.entity(batch[start].entity), batch.slice(start, i));
          start = i;
        }
      }
    });

  await writeChunk(planner.fixed());
  const chunk = opts.chunk ?? 500;
  for (let c = planner.nextChunk(chunk); c; c = planner.nextChunk(chunk)) {
    await writeChunk(c);
    // parents' ids are needed only by their own chunk's children (refs to fixed records stay)
    for (const r of c) ids.delete(r.key);
  }
  return counts;
}

/**
 * The rules a generated record can be checked against in memory: those over its own stored
 * fields. Rules that read a relation (`quote.status = "draft"`) or a computed field need the
 * written records; the generator keeps them by construction (a payment takes its receivable's
 * customer), and `crm seed` computes the formulas and rollups after the load.
 */
export function shallowRules(
  entity: (name: string) => CompiledEntity,
): (e: CompiledEntity) => (rule: string) => boolean {
  const cache = new Map<string, Set<string>>();
  return (e) => {
    let deep = cache.get(e.name);
    if (!deep) {
      const targets = Object.values(e.doc.fields)
        .filter((f) => f.type === 'relation' && f.target)
        .map((f) => entity(f.target!)?.doc)
        .filter((d): d is EntityDocument => !!d);
      deep = buildComputedPlan([e.doc, ...targets]).get(e.name)?.deepRules ?? new Set();
      cache.set(e.name, deep);
    }
    const d = deep;
    return (rule) => !d.has(rule);
  };
}
