/**
 * Dialect-independent description of physical tables. The same descriptor is produced from the
 * metadata (desired) and read back from the database (live), so the planner can diff them.
 */
export type ColumnBase =
  'varchar' | 'text' | 'longtext' | 'bigint' | 'int' | 'decimal' | 'boolean' | 'date' | 'datetime';

export interface ColumnType {
  base: ColumnBase;
  length?: number;
  precision?: number;
  scale?: number;
}

export interface ColumnDef {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** SQL literal value (already a number, string or boolean); undefined = no default. */
  default?: string | number | boolean;
  primary?: boolean;
  autoIncrement?: boolean;
  /** The column it used to be, from a field's renamedFrom. */
  renamedFrom?: string;
  /** Field name it stores, for plan messages. */
  field?: string;
}

export interface IndexSpec {
  name: string;
  columns: string[];
  unique: boolean;
  /**
   * Text compares without letter case, as MySQL's utf8mb4_unicode_ci does: set on unique indexes
   * so one value is unique on both dialects (SQLite: COLLATE NOCASE). Not compared by the planner.
   */
  ignoreCase?: boolean;
}

export interface TableDef {
  name: string;
  /** Entity the table belongs to, for plan messages. */
  entity?: string;
  columns: ColumnDef[];
  indexes: IndexSpec[];
  /** Composite primary key (junction tables); otherwise the column marked primary. */
  primaryKey?: string[];
}

export function typeToString(t: ColumnType): string {
  switch (t.base) {
    case 'varchar':
      return `VARCHAR(${t.length ?? 255})`;
    case 'decimal':
      return `DECIMAL(${t.precision ?? 18},${t.scale ?? 2})`;
    case 'datetime':
      return 'DATETIME(3)';
    case 'boolean':
      return 'BOOLEAN';
    default:
      return t.base.toUpperCase();
  }
}

/** Parses a declared/introspected column type (`varchar(255)`, `decimal(18,2)`, `tinyint(1)`...). */
export function parseColumnType(declared: string): ColumnType {
  const s = declared.trim().toLowerCase();
  const m = /^([a-z ]+?)\s*(?:\((\d+)(?:\s*,\s*(\d+))?\))?(?:\s+unsigned)?$/.exec(s);
  const name = m?.[1] ?? s;
  const a = m?.[2] !== undefined ? Number(m[2]) : undefined;
  const b = m?.[3] !== undefined ? Number(m[3]) : undefined;
  switch (name) {
    case 'varchar':
    case 'character varying':
    case 'char':
      return { base: 'varchar', length: a ?? 255 };
    case 'text':
    case 'mediumtext':
      return { base: 'text' };
    case 'longtext':
    case 'json':
      return { base: 'longtext' };
    case 'bigint':
    case 'integer':
      return { base: 'bigint' };
    case 'int':
    case 'smallint':
      return { base: 'int' };
    case 'decimal':
    case 'numeric':
      return { base: 'decimal', precision: a ?? 10, scale: b ?? 0 };
    case 'boolean':
    case 'bool':
      return { base: 'boolean' };
    case 'tinyint':
      return a === 1 || a === undefined ? { base: 'boolean' } : { base: 'int' };
    case 'date':
      return { base: 'date' };
    case 'datetime':
    case 'timestamp':
      return { base: 'datetime' };
    default:
      return { base: 'longtext' };
  }
}

export const sameType = (a: ColumnType, b: ColumnType): boolean =>
  typeToString(a) === typeToString(b);

/**
 * Whether changing a column from `from` to `to` keeps every value intact. Widening is applied
 * freely; anything else is destructive and needs confirmation.
 */
export function isWidening(from: ColumnType, to: ColumnType): boolean {
  if (sameType(from, to)) return true;
  const textRank: Partial<Record<ColumnBase, number>> = { varchar: 1, text: 2, longtext: 3 };
  if (textRank[from.base] && textRank[to.base]) {
    if (from.base === 'varchar' && to.base === 'varchar')
      return (to.length ?? 255) >= (from.length ?? 255);
    if (from.base === 'varchar' && to.base === 'text') return (from.length ?? 255) <= 16383;
    return textRank[to.base]! >= textRank[from.base]!;
  }
  if (from.base === 'int' && to.base === 'bigint') return true;
  if (from.base === 'decimal' && to.base === 'decimal') {
    const fi = (from.precision ?? 10) - (from.scale ?? 0);
    const ti = (to.precision ?? 10) - (to.scale ?? 0);
    return ti >= fi && (to.scale ?? 0) >= (from.scale ?? 0);
  }
  if ((from.base === 'int' || from.base === 'bigint') && to.base === 'decimal') {
    return (to.precision ?? 10) - (to.scale ?? 0) >= (from.base === 'int' ? 10 : 19);
  }
  if (from.base === 'date' && to.base === 'datetime') return true;
  return false;
}
