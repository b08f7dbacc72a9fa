import { junctionTableName, tableName } from '../compile-schema';
import type { EntityDocument, FieldDef } from '../types';
import type { ColumnDef, ColumnType, IndexSpec, TableDef } from './table-def';

/** Identifiers must fit MySQL's 64 characters; long index names get a stable hash suffix. */
export function shortName(name: string, max = 64): string {
  if (name.length <= max) return name;
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return `${name.slice(0, max - 9)}_${h.toString(16).padStart(8, '0')}`;
}

export function fieldColumnType(f: FieldDef): ColumnType {
  switch (f.type) {
    case 'text':
      return { base: 'varchar', length: f.length ?? 255 };
    case 'email':
      return { base: 'varchar', length: f.length ?? 254 };
    case 'phone':
      return { base: 'varchar', length: f.length ?? 32 };
    case 'url':
      return { base: 'varchar', length: f.length ?? 2048 };
    case 'longText':
      return { base: 'text' };
    case 'richText':
    case 'json':
    case 'multiSelect':
      return { base: 'longtext' };
    case 'integer':
      return { base: 'bigint' };
    case 'decimal':
      return { base: 'decimal', precision: f.precision ?? 18, scale: f.scale ?? 2 };
    case 'percent':
      return { base: 'decimal', precision: f.precision ?? 9, scale: f.scale ?? 4 };
    case 'currency':
      return { base: 'decimal', precision: f.precision ?? 18, scale: f.scale ?? 2 };
    case 'boolean':
      return { base: 'boolean' };
    case 'date':
      return { base: 'date' };
    case 'datetime':
      return { base: 'datetime' };
    case 'select':
      return { base: 'varchar', length: 64 };
    case 'relation':
      return { base: 'bigint' };
    case 'autoNumber':
      return { base: 'varchar', length: 64 };
    case 'file':
      return { base: 'varchar', length: 36 };
  }
}

/** Column names a field occupies (currency keeps its code beside the amount). */
export function fieldColumns(name: string, f: FieldDef): string[] {
  if (f.type === 'relation' && f.relation === 'manyToMany') return [];
  if (f.type === 'currency') return [name, `${name}_currency`];
  return [name];
}

function columnDefault(f: FieldDef): ColumnDef['default'] {
  if (f.default === undefined || f.default === null) return undefined;
  if (f.type === 'multiSelect' || f.type === 'json') return undefined; // TEXT defaults are not portable
  if (
    typeof f.default === 'string' ||
    typeof f.default === 'number' ||
    typeof f.default === 'boolean'
  ) {
    return f.default;
  }
  return undefined;
}

export const SYSTEM_COLUMNS: ColumnDef[] = [
  { name: 'id', type: { base: 'bigint' }, nullable: false, primary: true, autoIncrement: true },
  { name: 'owner', type: { base: 'varchar', length: 64 }, nullable: true },
  { name: 'created_by', type: { base: 'varchar', length: 64 }, nullable: true },
  { name: 'created_at', type: { base: 'datetime' }, nullable: false },
  { name: 'updated_by', type: { base: 'varchar', length: 64 }, nullable: true },
  { name: 'updated_at', type: { base: 'datetime' }, nullable: false },
  { name: 'version', type: { base: 'int' }, nullable: false, default: 1 },
  { name: 'deleted_at', type: { base: 'datetime' }, nullable: true },
];

/**
 * The physical tables an entity needs: its own table (system columns + one column per field;
 * every field column is nullable, "required" is enforced by validation so that adding a required
 * field to a full table is never destructive) and one junction table per manyToMany relation.
 */
export function entityTables(entity: EntityDocument): TableDef[] {
  const table = tableName(entity.name);
  const columns: ColumnDef[] = SYSTEM_COLUMNS.map((c) => ({ ...c }));
  // every "own records" role condition (owner = me / my department's logins) filters on owner:
  // without an index each such list scans the whole table
  const indexes: IndexSpec[] = [
    { name: shortName(`ix_${table}_owner`), columns: ['owner'], unique: false },
  ];
  const junctions: TableDef[] = [];
  for (const [name, f] of Object.entries(entity.fields)) {
    if (f.type === 'relation' && f.relation === 'manyToMany') {
      const jt = junctionTableName(entity.name, name);
      junctions.push({
        name: jt,
        entity: entity.name,
        columns: [
          { name: 'source_id', type: { base: 'bigint' }, nullable: false },
          { name: 'target_id', type: { base: 'bigint' }, nullable: false },
        ],
        primaryKey: ['source_id', 'target_id'],
        indexes: [{ name: shortName(`ix_${jt}_target`), columns: ['target_id'], unique: false }],
      });
      continue;
    }
    columns.push({
      name,
      type: fieldColumnType(f),
      nullable: true,
      default: columnDefault(f),
      field: name,
      ...(f.renamedFrom && { renamedFrom: f.renamedFrom }),
    });
    if (f.type === 'currency') {
      columns.push({
        name: `${name}_currency`,
        type: { base: 'varchar', length: 3 },
        nullable: true,
        default: f.default !== undefined ? (f.currency ?? 'CNY') : undefined,
        field: name,
        ...(f.renamedFrom && { renamedFrom: `${f.renamedFrom}_currency` }),
      });
    }
    if (f.unique || f.type === 'autoNumber') {
      indexes.push({
        name: shortName(`ux_${table}_${name}`),
        columns: [name],
        unique: true,
        ignoreCase: true,
      });
    } else if (f.type === 'relation') {
      indexes.push({ name: shortName(`ix_${table}_${name}`), columns: [name], unique: false });
    }
  }
  for (const ix of entity.indexes ?? []) {
    const cols = ix.fields;
    const name = ix.name
      ? `${ix.unique ? 'ux' : 'ix'}_${table}_${ix.name}`
      : `${ix.unique ? 'ux' : 'ix'}_${table}_${cols.join('_')}`;
    const unique = ix.unique === true;
    const clash = indexes.find((x) => x.name === shortName(name));
    // the engine already indexes every relation column: the same index is not made twice, and a
    // different one that happens to get the same name is made under a distinct name
    if (clash && clash.unique === unique && clash.columns.join() === cols.join()) continue;
    indexes.push({
      name: shortName(clash ? `${name}_declared` : name),
      columns: cols,
      unique,
      ...(unique && { ignoreCase: true }),
    });
  }
  return [{ name: table, entity: entity.name, columns, indexes }, ...junctions];
}
