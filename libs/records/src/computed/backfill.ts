import type { Db } from '@crm/common';
import type { CompiledEntity, MetadataModel } from '@crm/metadata';
import type { ComputedWrites } from './computed-writes';

/** What rebuilding and backfilling need of the records service. */
export interface BackfillDeps {
  db: Db;
  computed: ComputedWrites;
  model(): MetadataModel;
  /** The live entity (throws ENTITY_NOT_FOUND for an unknown name). */
  entity(name: string): CompiledEntity;
  log(message: string): void;
}

/**
 * Recomputes the formula and rollup fields of existing records: of one entity (one pass), or of
 * several (all by default) in passes until nothing changes — a header's rollup reads its lines'
 * formulas, which may read the header. Returns the rows changed.
 */
export async function rebuildComputed(
  d: BackfillDeps,
  entities?: string | string[],
  onProgress?: (entity: string, done: number, total: number) => void,
): Promise<number> {
  const names =
    entities === undefined
      ? [...d.model().entities.keys()]
      : typeof entities === 'string'
        ? [entities]
        : entities;
  const targets = names
    .map((n) => d.entity(n))
    .filter((e) => d.computed.plan(e).computed.size)
    // children first: a header's rollup reads its lines' formulas
    .sort((a, b) => d.computed.plan(b).feeds.length - d.computed.plan(a).feeds.length);
  let changed = 0;
  for (let pass = 0; pass < 4; pass++) {
    let n = 0;
    for (const e of targets)
      n += await d.computed.rebuild(d.db, e, (done, total) => onProgress?.(e.name, done, total));
    changed += n;
    if (!n || typeof entities === 'string') break;
  }
  return changed;
}

/** Per entity, its formula and rollup definitions as one string ('' without any). */
export function computedSignatures(m: MetadataModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of m.entities.values()) {
    const defs = Object.entries(e.fields)
      .filter(([, f]) => f.formula !== undefined || f.rollup !== undefined)
      .map(([n, f]) => `${n}:${f.type}:${JSON.stringify(f.formula ?? f.rollup)}`);
    out.set(e.name, defs.join('|'));
  }
  return out;
}

/**
 * After a metadata change: recomputes the entities whose formula or rollup definitions differ
 * from those last backfilled (kept in crm_setting, so each definition is backfilled once, on
 * whichever node loads it first; a recount is idempotent), and the entities that read them.
 */
export async function backfillComputed(d: BackfillDeps, m: MetadataModel): Promise<void> {
  const stale: Array<{ key: string; sig: string; stored: boolean }> = [];
  const names = new Set<string>();
  for (const [name, sig] of computedSignatures(m)) {
    const key = `computed:${name}`;
    const [row] = await d.db.query<{ value: string }>(
      'SELECT value FROM crm_setting WHERE setting_key = ?',
      [key],
    );
    if ((row?.value ?? '') === sig) continue;
    stale.push({ key, sig, stored: !!row });
    if (sig) names.add(name);
  }
  if (d.model().revision !== m.revision) return; // a newer model backfills itself
  for (const name of [...names]) {
    const plan = d.computed.plan(d.entity(name));
    for (const r of plan.feeds) names.add(r.entity);
    for (const dep of plan.dependents) names.add(dep.entity);
  }
  if (names.size) {
    const n = await rebuildComputed(d, [...names]);
    d.log(`computed fields of ${[...names].join(', ')}: ${n} record(s) backfilled`);
  }
  for (const { key, sig, stored } of stale)
    if (stored)
      await d.db.execute('UPDATE crm_setting SET value = ? WHERE setting_key = ?', [sig, key]);
    else
      await d.db.execute('INSERT INTO crm_setting (setting_key, value) VALUES (?, ?)', [key, sig]);
}
