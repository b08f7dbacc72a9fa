import type { Dialect } from '@crm/common';
import {
  addColumnSql,
  modifyColumnSql,
  rebuildTableSql,
  createIndexSql,
  createTableSql,
  dropColumnSql,
  dropIndexSql,
  dropTableSql,
  renameColumnSql,
} from './ddl';
import { type ColumnDef, type TableDef, isWidening, sameType, typeToString } from './table-def';

export type ChangeKind =
  | 'createTable'
  | 'renameColumn'
  | 'addColumn'
  | 'widenColumn'
  | 'alterColumn'
  | 'dropIndex'
  | 'addIndex'
  | 'dropColumn'
  | 'dropTable';

export interface PlannedChange {
  /** Stable id, also what a user confirms: e.g. `dropColumn:e_customer.score`. */
  id: string;
  kind: ChangeKind;
  table: string;
  entity?: string;
  column?: string;
  index?: string;
  destructive: boolean;
  /** What it does to the data, in words: "adds column score; backfills 12,003 rows with 0". */
  effect: string;
  ddl: string[];
  /** Set when the change cannot be applied as things are (e.g. duplicates under a new unique index). */
  blocked?: string;
}

export interface LiveTable extends TableDef {
  rowCount: number;
}

export interface PlanInput {
  desired: TableDef[];
  live: LiveTable[];
  dialect: Dialect;
  /** Only tables with these prefixes are ever dropped (system tables are not the planner's). */
  managedPrefixes: string[];
  /** Plan only what keeps every value (rollback, start-up): destructive changes are left out. */
  skipDestructive?: boolean;
}

const ORDER: ChangeKind[] = [
  'createTable',
  'renameColumn',
  'addColumn',
  'widenColumn',
  'alterColumn',
  'dropIndex',
  'addIndex',
  'dropColumn',
  'dropTable',
];

const n = (x: number): string => x.toLocaleString('en-US');
const rows = (x: number): string => `${n(x)} row${x === 1 ? '' : 's'}`;

function label(t: { entity?: string; name: string }, column?: string): string {
  const owner = t.entity ?? t.name;
  return column ? `${owner}.${column}` : owner;
}

function backfill(c: ColumnDef, count: number): string {
  if (count === 0) return 'table is empty, nothing to backfill';
  return c.default !== undefined
    ? `backfills ${rows(count)} with ${JSON.stringify(c.default)}`
    : `${rows(count)} get no value (NULL)`;
}

/**
 * Diffs the desired tables against the live ones. Pure: the same inputs give the same plan, and a
 * plan applied halfway (MySQL DDL is not transactional) is finished by planning again.
 */
export function planChanges(input: PlanInput): PlannedChange[] {
  const { desired, live, dialect } = input;
  const liveByName = new Map(live.map((t) => [t.name, t]));
  const changes: PlannedChange[] = [];
  for (const t of desired) {
    const current = liveByName.get(t.name);
    if (!current) {
      changes.push({
        id: `createTable:${t.name}`,
        kind: 'createTable',
        table: t.name,
        entity: t.entity,
        destructive: false,
        effect: `creates table ${t.name} for ${label(t)} with ${t.columns.length} columns`,
        ddl: createTableSql(t, dialect),
      });
      continue;
    }
    const liveCols = new Map(current.columns.map((c) => [c.name, c]));
    const consumed = new Set<string>();
    const typeChanges: TypeChange[] = [];
    const renames = new Map<string, string>();
    const added: ColumnDef[] = [];
    for (const c of t.columns) {
      const existing = liveCols.get(c.name);
      if (!existing) {
        const from = c.renamedFrom && liveCols.get(c.renamedFrom);
        if (from && !t.columns.some((d) => d.name === c.renamedFrom)) {
          consumed.add(from.name);
          changes.push({
            id: `renameColumn:${t.name}.${from.name}`,
            kind: 'renameColumn',
            table: t.name,
            entity: t.entity,
            column: c.name,
            destructive: false,
            effect: `renames column ${from.name} to ${c.name} on ${label(t)}; keeps the values of ${rows(current.rowCount)}`,
            ddl: [renameColumnSql(t.name, from.name, c.name, dialect)],
          });
          renames.set(from.name, c.name);
          if (!sameType(from.type, c.type)) typeChanges.push({ want: c, have: from });
          continue;
        }
        changes.push({
          id: `addColumn:${t.name}.${c.name}`,
          kind: 'addColumn',
          table: t.name,
          entity: t.entity,
          column: c.name,
          destructive: false,
          effect: `adds column ${c.name} to ${label(t)}; ${backfill(c, current.rowCount)}`,
          ddl: [addColumnSql(t.name, c, dialect)],
        });
        added.push(c);
        continue;
      }
      consumed.add(c.name);
      if (!sameType(existing.type, c.type)) typeChanges.push({ want: c, have: existing });
    }
    changes.push(...typeChangesOf(current, t, typeChanges, renames, added, input));
    const liveIx = new Map(current.indexes.map((ix) => [ix.name, ix]));
    const wantIx = new Map(t.indexes.map((ix) => [ix.name, ix]));
    for (const ix of current.indexes) {
      const want = wantIx.get(ix.name);
      if (!want || want.unique !== ix.unique || want.columns.join() !== ix.columns.join()) {
        changes.push({
          id: `dropIndex:${t.name}.${ix.name}`,
          kind: 'dropIndex',
          table: t.name,
          entity: t.entity,
          index: ix.name,
          destructive: false,
          effect: `drops index ${ix.name} (${ix.columns.join(', ')}) on ${label(t)}; no data is lost`,
          ddl: [dropIndexSql(t.name, ix.name, dialect)],
        });
      }
    }
    for (const ix of t.indexes) {
      const have = liveIx.get(ix.name);
      if (!have || have.unique !== ix.unique || have.columns.join() !== ix.columns.join()) {
        changes.push({
          id: `addIndex:${t.name}.${ix.name}`,
          kind: 'addIndex',
          table: t.name,
          entity: t.entity,
          index: ix.name,
          destructive: false,
          effect: `adds ${ix.unique ? 'unique ' : ''}index ${ix.name} (${ix.columns.join(', ')}) on ${label(t)}; indexes ${rows(current.rowCount)}`,
          ddl: [createIndexSql(t.name, ix, dialect)],
        });
      }
    }
    for (const c of current.columns) {
      if (consumed.has(c.name) || t.columns.some((d) => d.name === c.name)) continue;
      changes.push({
        id: `dropColumn:${t.name}.${c.name}`,
        kind: 'dropColumn',
        table: t.name,
        entity: t.entity,
        column: c.name,
        destructive: true,
        effect: `drops column ${c.name} from ${label(t)}; deletes its values in ${rows(current.rowCount)}`,
        ddl: [dropColumnSql(t.name, c.name, dialect)],
      });
    }
  }
  const desiredNames = new Set(desired.map((t) => t.name));
  for (const t of live) {
    if (desiredNames.has(t.name) || !input.managedPrefixes.some((p) => t.name.startsWith(p)))
      continue;
    changes.push({
      id: `dropTable:${t.name}`,
      kind: 'dropTable',
      table: t.name,
      entity: t.entity,
      destructive: true,
      effect: `drops table ${t.name}; deletes ${rows(t.rowCount)}`,
      ddl: [dropTableSql(t.name)],
    });
  }
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => ORDER.indexOf(a.c.kind) - ORDER.indexOf(b.c.kind) || a.i - b.i)
    .map(({ c }) => c);
}

interface TypeChange {
  want: ColumnDef;
  /** The live column (before any rename). */
  have: ColumnDef;
}

/**
 * Type changes of one table. MySQL modifies each column; SQLite rebuilds the table once, into its
 * shape after this plan's renames and additions, with every applied type change at once.
 */
function typeChangesOf(
  live: LiveTable,
  desired: TableDef,
  all: TypeChange[],
  renames: Map<string, string>,
  added: ColumnDef[],
  input: PlanInput,
): PlannedChange[] {
  const items = all
    .map((tc) => ({ ...tc, widening: isWidening(tc.have.type, tc.want.type) }))
    .filter((tc) => tc.widening || !input.skipDestructive);
  if (!items.length) return [];
  const changes: PlannedChange[] = items.map((tc) => {
    const from = typeToString(tc.have.type);
    const to = typeToString(tc.want.type);
    return {
      id: `${tc.widening ? 'widenColumn' : 'alterColumn'}:${live.name}.${tc.want.name}`,
      kind: tc.widening ? 'widenColumn' : 'alterColumn',
      table: live.name,
      entity: live.entity,
      column: tc.want.name,
      destructive: !tc.widening,
      effect: tc.widening
        ? `widens ${label(live, tc.want.name)} from ${from} to ${to}; keeps the values of ${rows(live.rowCount)}`
        : `narrows or changes ${label(live, tc.want.name)} from ${from} to ${to}; values in ${rows(live.rowCount)} may be cut or converted`,
      ddl:
        input.dialect === 'mysql'
          ? [modifyColumnSql(live.name, { ...tc.want, nullable: tc.have.nullable })]
          : [],
    };
  });
  if (input.dialect === 'sqlite') {
    const changed = new Set(items.map((tc) => tc.want.name));
    const wanted = new Map(desired.columns.map((c) => [c.name, c]));
    const columns = [
      ...live.columns.map((c) => ({ ...c, name: renames.get(c.name) ?? c.name })),
      ...added,
    ].map((c) => {
      const want = wanted.get(c.name);
      if (!want) return c; // a column the model no longer has stays as it is
      // a skipped (destructive) type change keeps the live type
      return changed.has(c.name) || sameType(want.type, c.type)
        ? { ...want, nullable: c.nullable }
        : { ...want, type: c.type, nullable: c.nullable };
    });
    const indexes = live.indexes.map((ix) => ({
      ...ix,
      columns: ix.columns.map((c) => renames.get(c) ?? c),
    }));
    changes[0].ddl = rebuildTableSql({ ...live, columns, indexes });
    for (const c of changes.slice(1))
      c.effect += `; done by the same table rebuild as ${changes[0].id}`;
  }
  return changes;
}
