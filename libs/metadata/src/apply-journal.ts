import { type Clock, type Db, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import { entityTables } from './storage/entity-tables';
import type { LiveTable, PlannedChange } from './storage/planner';
import type { TableDef } from './storage/table-def';
import type { EntityDocument } from './types';

/**
 * MySQL commits each DDL statement on its own, so an apply killed (or failing) half-way leaves
 * tables that match neither the old documents nor the new. The journal (crm_meta_apply) records
 * every apply's statements and how many ran, so that a node starting up — or any node polling —
 * knows which entities a half-applied change touched, until an apply finishes the work.
 */
export interface UnfinishedApply {
  id: number;
  actor: string | null;
  startedAt: string | null;
  /** `running`: the process died (or still holds the lock); `failed`: a statement was refused. */
  state: 'running' | 'failed';
  entities: string[];
  done: number;
  total: number;
  /** The statement that was running or refused when the apply stopped. */
  next: string | null;
  error: string | null;
}

export class ApplyJournal {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Records an apply about to run its statements; returns its journal id. */
  async begin(actor: string, changes: PlannedChange[]): Promise<number> {
    const statements = changes.flatMap((c) => c.ddl);
    const entities = [
      ...new Set(changes.map((c) => c.entity).filter((e): e is string => !!e)),
    ].sort();
    const r = await this.db.execute(
      `INSERT INTO crm_meta_apply (started_at, actor, state, entities, statements, done) VALUES (?, ?, 'running', ?, ?, 0)`,
      [
        toDbTimestamp(this.clock.now()),
        actor,
        JSON.stringify(entities),
        JSON.stringify(statements),
      ],
    );
    return r.insertId;
  }

  /** Statement `done` (1-based) has run: written after each one, so the journal is never ahead. */
  async step(id: number, done: number): Promise<void> {
    await this.db.execute('UPDATE crm_meta_apply SET done = ? WHERE id = ?', [done, id]);
  }

  async fail(id: number, error: string): Promise<void> {
    await this.db.execute(`UPDATE crm_meta_apply SET state = 'failed', error = ? WHERE id = ?`, [
      error.slice(0, 1000),
      id,
    ]);
  }

  /**
   * A finished apply made the tables match its documents: it also finishes every apply left
   * half-done before it (the plan it ran was the diff against the tables as they were).
   */
  async finish(id: number | null, revision: number, tx: Db = this.db): Promise<void> {
    if (id !== null)
      await tx.execute(`UPDATE crm_meta_apply SET state = 'done', revision = ? WHERE id = ?`, [
        revision,
        id,
      ]);
    await tx.execute(
      `UPDATE crm_meta_apply SET state = 'finished-later', revision = ? WHERE state IN ('running', 'failed')${id === null ? '' : ' AND id <> ?'}`,
      id === null ? [revision] : [revision, id],
    );
  }

  async unfinished(): Promise<UnfinishedApply[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM crm_meta_apply WHERE state IN ('running', 'failed') ORDER BY id`,
    );
    return rows.map((r) => {
      const statements = JSON.parse(String(r.statements)) as string[];
      const done = Number(r.done);
      return {
        id: Number(r.id),
        actor: (r.actor as string | null) ?? null,
        startedAt: fromDbTimestamp(r.started_at),
        state: r.state as 'running' | 'failed',
        entities: JSON.parse(String(r.entities)) as string[],
        done,
        total: statements.length,
        next: statements[done] ?? null,
        error: (r.error as string | null) ?? null,
      };
    });
  }
}

/**
 * MySQL finishes a statement whose client died: after a crash the dead process's ALTER may still
 * be running. Planning before it ends would plan it again (and fail on a duplicate index), so wait
 * — bounded — until no other session runs DDL on these tables.
 */
export async function waitForOrphanDdl(
  db: Db,
  tables: string[],
  timeoutMs = 120_000,
): Promise<void> {
  if (db.dialect !== 'mysql' || !tables.length) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await db.query<{ info: string | null }>(
      `SELECT INFO AS info FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND DB = DATABASE() AND INFO LIKE 'ALTER TABLE%'`,
    );
    const busy = rows.some((r) => tables.some((t) => r.info?.includes(`\`${t}\``)));
    if (!busy || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Columns the live model reads that its table does not have. The model of a half-applied entity
 * still serves if its table has every column it reads (e.g. only a column was added); otherwise
 * it would read or write columns that are gone (a rename or drop ran), so the entity is refused.
 */
export function missingColumns(model: TableDef[], live: LiveTable[]): string[] {
  const out: string[] = [];
  for (const t of model) {
    const table = live.find((l) => l.name === t.name);
    if (!table) {
      out.push(`${t.name} (table)`);
      continue;
    }
    for (const c of t.columns)
      if (!table.columns.some((l) => l.name.toLowerCase() === c.name.toLowerCase()))
        out.push(`${t.name}.${c.name}`);
  }
  return out;
}

/**
 * The entities a half-done apply left unservable, each with the reason a 503 gives: the live
 * model of each entity the apply touched is checked against its table as it is now.
 */
export function unavailableEntities(
  unfinished: UnfinishedApply[],
  entities: EntityDocument[],
  live: LiveTable[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of unfinished) {
    for (const name of a.entities) {
      const doc = entities.find((d) => d.name === name);
      const missing = doc ? missingColumns(entityTables(doc), live) : [];
      if (!missing.length || out.has(name)) continue;
      out.set(
        name,
        `entity ${name} is unavailable: metadata apply #${a.id}${a.actor ? ` by ${a.actor}` : ''} stopped after ${a.done} of ${a.total} statement(s)${a.error ? ` (${a.error})` : ''}, and its table no longer has ${missing.join(', ')}; an admin finishes it with plan and apply (or undoes it by planning the previous documents)`,
      );
    }
  }
  return out;
}
