import type { EntityDocument, FieldDef } from '../types';
import { entityTables } from './entity-tables';
import { type ChangeKind, type LiveTable, type PlannedChange, planChanges } from './planner';
import { type ColumnDef, type IndexSpec, isWidening, parseColumnType } from './table-def';

const l = (en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': en, en });
const MANAGED = ['e_', 'j_'];

function customer(fields: Record<string, FieldDef>, extra: Partial<EntityDocument> = {}) {
  return entityTables({
    kind: 'entity',
    name: 'customer',
    label: l('Customer'),
    displayField: Object.keys(fields)[0],
    fields,
    ...extra,
  });
}

/** A live column as introspection reports it: declared type, nullability, no default. */
const col = (name: string, declared: string, nullable = true): ColumnDef => ({
  name,
  type: parseColumnType(declared),
  nullable,
});

const SYSTEM_LIVE: ColumnDef[] = [
  { ...col('id', 'bigint', false), primary: true, autoIncrement: true },
  col('owner', 'varchar(64)'),
  col('created_by', 'varchar(64)'),
  col('created_at', 'datetime(3)', false),
  col('updated_by', 'varchar(64)'),
  col('updated_at', 'datetime(3)', false),
  col('version', 'int', false),
  col('deleted_at', 'datetime(3)'),
];

function liveCustomer(
  fieldCols: Array<[string, string]>,
  indexes: IndexSpec[] = [],
  rowCount = 0,
): LiveTable {
  return {
    name: 'e_customer',
    entity: 'customer',
    columns: [...SYSTEM_LIVE, ...fieldCols.map(([n, t]) => col(n, t))],
    // every entity table has its owner index (role conditions filter on it)
    indexes: [{ name: 'ix_e_customer_owner', columns: ['owner'], unique: false }, ...indexes],
    primaryKey: ['id'],
    rowCount,
  };
}

const plan = (
  desired: ReturnType<typeof customer>,
  live: LiveTable[],
  dialect: 'mysql' | 'sqlite',
) => planChanges({ desired, live, dialect, managedPrefixes: MANAGED });

const NAME: FieldDef = { type: 'text', label: l('Name'), length: 100 };

interface Case {
  name: string;
  fields: Record<string, FieldDef>;
  indexes?: EntityDocument['indexes'];
  live: Array<[string, string]>;
  liveIndexes?: IndexSpec[];
  rowCount: number;
  expected: Array<{
    id: string;
    kind: ChangeKind;
    destructive: boolean;
    effect: string;
    mysql: string[];
    /** Exact DDL, or (for table rebuilds) the statements it must start and end with. */
    sqlite: string[] | { first: RegExp; last: string };
  }>;
}

const rebuild = (first: RegExp, last: string) => ({ first, last });

const CASES: Case[] = [
  {
    name: 'addColumn with a default on a full table',
    fields: { name: NAME, score: { type: 'integer', label: l('Score'), default: 0 } },
    live: [['name', 'varchar(100)']],
    rowCount: 12003,
    expected: [
      {
        id: 'addColumn:e_customer.score',
        kind: 'addColumn',
        destructive: false,
        effect: 'adds column score to customer; backfills 12,003 rows with 0',
        mysql: [
          'ALTER TABLE `e_customer` ADD COLUMN `score` BIGINT NULL DEFAULT 0, ALGORITHM=INSTANT',
        ],
        sqlite: ['ALTER TABLE `e_customer` ADD COLUMN `score` BIGINT NULL DEFAULT 0'],
      },
    ],
  },
  {
    name: 'addColumn with a string default on one row',
    fields: {
      name: NAME,
      stage: {
        type: 'select',
        label: l('Stage'),
        default: "o'pen",
        options: [{ value: "o'pen", label: l('Open') }],
      },
    },
    live: [['name', 'varchar(100)']],
    rowCount: 1,
    expected: [
      {
        id: 'addColumn:e_customer.stage',
        kind: 'addColumn',
        destructive: false,
        effect: `adds column stage to customer; backfills 1 row with "o'pen"`,
        mysql: [
          "ALTER TABLE `e_customer` ADD COLUMN `stage` VARCHAR(64) NULL DEFAULT 'o''pen', ALGORITHM=INSTANT",
        ],
        sqlite: ["ALTER TABLE `e_customer` ADD COLUMN `stage` VARCHAR(64) NULL DEFAULT 'o''pen'"],
      },
    ],
  },
  {
    name: 'addColumn without a default',
    fields: { name: NAME, city: { type: 'text', label: l('City'), required: true } },
    live: [['name', 'varchar(100)']],
    rowCount: 3,
    expected: [
      {
        id: 'addColumn:e_customer.city',
        kind: 'addColumn',
        destructive: false,
        effect: 'adds column city to customer; 3 rows get no value (NULL)',
        mysql: ['ALTER TABLE `e_customer` ADD COLUMN `city` VARCHAR(255) NULL, ALGORITHM=INSTANT'],
        sqlite: ['ALTER TABLE `e_customer` ADD COLUMN `city` VARCHAR(255) NULL'],
      },
    ],
  },
  {
    name: 'addColumn on an empty table',
    fields: { name: NAME, won: { type: 'boolean', label: l('Won'), default: true } },
    live: [['name', 'varchar(100)']],
    rowCount: 0,
    expected: [
      {
        id: 'addColumn:e_customer.won',
        kind: 'addColumn',
        destructive: false,
        effect: 'adds column won to customer; table is empty, nothing to backfill',
        mysql: [
          'ALTER TABLE `e_customer` ADD COLUMN `won` BOOLEAN NULL DEFAULT 1, ALGORITHM=INSTANT',
        ],
        sqlite: ['ALTER TABLE `e_customer` ADD COLUMN `won` BOOLEAN NULL DEFAULT 1'],
      },
    ],
  },
  {
    name: 'renameColumn via renamedFrom',
    fields: { fullName: { ...NAME, renamedFrom: 'name' } },
    live: [['name', 'varchar(100)']],
    rowCount: 42,
    expected: [
      {
        id: 'renameColumn:e_customer.name',
        kind: 'renameColumn',
        destructive: false,
        effect: 'renames column name to fullName on customer; keeps the values of 42 rows',
        mysql: ['ALTER TABLE `e_customer` RENAME COLUMN `name` TO `fullName`, ALGORITHM=INSTANT'],
        sqlite: ['ALTER TABLE `e_customer` RENAME COLUMN `name` TO `fullName`'],
      },
    ],
  },
  {
    name: 'widenColumn varchar 100 -> 200',
    fields: { name: { ...NAME, length: 200 } },
    live: [['name', 'varchar(100)']],
    rowCount: 5,
    expected: [
      {
        id: 'widenColumn:e_customer.name',
        kind: 'widenColumn',
        destructive: false,
        effect:
          'widens customer.name from VARCHAR(100) to VARCHAR(200); keeps the values of 5 rows',
        mysql: [
          'ALTER TABLE `e_customer` MODIFY COLUMN `name` VARCHAR(200) NULL, ALGORITHM=INPLACE',
        ],
        sqlite: rebuild(
          /`name` VARCHAR\(200\) NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'widenColumn decimal(10,2) -> decimal(12,2)',
    fields: { name: NAME, price: { type: 'decimal', label: l('Price'), precision: 12, scale: 2 } },
    live: [
      ['name', 'varchar(100)'],
      ['price', 'decimal(10,2)'],
    ],
    rowCount: 5,
    expected: [
      {
        id: 'widenColumn:e_customer.price',
        kind: 'widenColumn',
        destructive: false,
        effect:
          'widens customer.price from DECIMAL(10,2) to DECIMAL(12,2); keeps the values of 5 rows',
        mysql: [
          'ALTER TABLE `e_customer` MODIFY COLUMN `price` DECIMAL(12,2) NULL, ALGORITHM=INPLACE',
        ],
        sqlite: rebuild(
          /`price` DECIMAL\(12,2\) NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'widenColumn int -> bigint',
    fields: { name: NAME, visits: { type: 'integer', label: l('Visits') } },
    live: [
      ['name', 'varchar(100)'],
      ['visits', 'int(11)'],
    ],
    rowCount: 2,
    expected: [
      {
        id: 'widenColumn:e_customer.visits',
        kind: 'widenColumn',
        destructive: false,
        effect: 'widens customer.visits from INT to BIGINT; keeps the values of 2 rows',
        mysql: ['ALTER TABLE `e_customer` MODIFY COLUMN `visits` BIGINT NULL, ALGORITHM=INPLACE'],
        sqlite: rebuild(
          /`visits` BIGINT NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'widenColumn text -> longtext',
    fields: { name: NAME, bio: { type: 'richText', label: l('Bio') } },
    live: [
      ['name', 'varchar(100)'],
      ['bio', 'text'],
    ],
    rowCount: 2,
    expected: [
      {
        id: 'widenColumn:e_customer.bio',
        kind: 'widenColumn',
        destructive: false,
        effect: 'widens customer.bio from TEXT to LONGTEXT; keeps the values of 2 rows',
        mysql: ['ALTER TABLE `e_customer` MODIFY COLUMN `bio` LONGTEXT NULL, ALGORITHM=INPLACE'],
        sqlite: rebuild(
          /`bio` LONGTEXT NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'alterColumn varchar narrowing',
    fields: { name: { ...NAME, length: 50 } },
    live: [['name', 'varchar(100)']],
    rowCount: 7,
    expected: [
      {
        id: 'alterColumn:e_customer.name',
        kind: 'alterColumn',
        destructive: true,
        effect:
          'narrows or changes customer.name from VARCHAR(100) to VARCHAR(50); values in 7 rows may be cut or converted',
        mysql: [
          'ALTER TABLE `e_customer` MODIFY COLUMN `name` VARCHAR(50) NULL, ALGORITHM=INPLACE',
        ],
        sqlite: rebuild(
          /`name` VARCHAR\(50\) NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'alterColumn decimal scale decrease',
    fields: { name: NAME, price: { type: 'decimal', label: l('Price'), precision: 12, scale: 2 } },
    live: [
      ['name', 'varchar(100)'],
      ['price', 'decimal(12,3)'],
    ],
    rowCount: 7,
    expected: [
      {
        id: 'alterColumn:e_customer.price',
        kind: 'alterColumn',
        destructive: true,
        effect:
          'narrows or changes customer.price from DECIMAL(12,3) to DECIMAL(12,2); values in 7 rows may be cut or converted',
        mysql: [
          'ALTER TABLE `e_customer` MODIFY COLUMN `price` DECIMAL(12,2) NULL, ALGORITHM=INPLACE',
        ],
        sqlite: rebuild(
          /`price` DECIMAL\(12,2\) NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'alterColumn type change varchar -> bigint',
    fields: { name: NAME, code: { type: 'integer', label: l('Code') } },
    live: [
      ['name', 'varchar(100)'],
      ['code', 'varchar(20)'],
    ],
    rowCount: 1,
    expected: [
      {
        id: 'alterColumn:e_customer.code',
        kind: 'alterColumn',
        destructive: true,
        effect:
          'narrows or changes customer.code from VARCHAR(20) to BIGINT; values in 1 row may be cut or converted',
        mysql: ['ALTER TABLE `e_customer` MODIFY COLUMN `code` BIGINT NULL, ALGORITHM=INPLACE'],
        sqlite: rebuild(
          /`code` BIGINT NULL/,
          'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
        ),
      },
    ],
  },
  {
    name: 'dropColumn',
    fields: { name: NAME },
    live: [
      ['name', 'varchar(100)'],
      ['legacy', 'varchar(10)'],
    ],
    rowCount: 1234,
    expected: [
      {
        id: 'dropColumn:e_customer.legacy',
        kind: 'dropColumn',
        destructive: true,
        effect: 'drops column legacy from customer; deletes its values in 1,234 rows',
        mysql: ['ALTER TABLE `e_customer` DROP COLUMN `legacy`, ALGORITHM=INSTANT'],
        sqlite: ['ALTER TABLE `e_customer` DROP COLUMN `legacy`'],
      },
    ],
  },
  {
    name: 'addIndex for a new unique field constraint',
    fields: { name: { ...NAME, unique: true } },
    live: [['name', 'varchar(100)']],
    rowCount: 9,
    expected: [
      {
        id: 'addIndex:e_customer.ux_e_customer_name',
        kind: 'addIndex',
        destructive: false,
        effect: 'adds unique index ux_e_customer_name (name) on customer; indexes 9 rows',
        mysql: [
          'ALTER TABLE `e_customer` ADD UNIQUE INDEX `ux_e_customer_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: [
          'CREATE UNIQUE INDEX `ux_e_customer_name` ON `e_customer` (`name` COLLATE NOCASE)',
        ],
      },
    ],
  },
  {
    name: 'addIndex for a declared composite index',
    fields: { name: NAME, city: { type: 'text', label: l('City') } },
    indexes: [{ fields: ['city', 'name'] }],
    live: [
      ['name', 'varchar(100)'],
      ['city', 'varchar(255)'],
    ],
    rowCount: 0,
    expected: [
      {
        id: 'addIndex:e_customer.ix_e_customer_city_name',
        kind: 'addIndex',
        destructive: false,
        effect: 'adds index ix_e_customer_city_name (city, name) on customer; indexes 0 rows',
        mysql: [
          'ALTER TABLE `e_customer` ADD INDEX `ix_e_customer_city_name` (`city`, `name`), ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: ['CREATE INDEX `ix_e_customer_city_name` ON `e_customer` (`city`, `name`)'],
      },
    ],
  },
  {
    name: 'dropIndex when a field stops being unique',
    fields: { name: NAME },
    live: [['name', 'varchar(100)']],
    liveIndexes: [{ name: 'ux_e_customer_name', columns: ['name'], unique: true }],
    rowCount: 9,
    expected: [
      {
        id: 'dropIndex:e_customer.ux_e_customer_name',
        kind: 'dropIndex',
        destructive: false,
        effect: 'drops index ux_e_customer_name (name) on customer; no data is lost',
        mysql: [
          'ALTER TABLE `e_customer` DROP INDEX `ux_e_customer_name`, ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: ['DROP INDEX `ux_e_customer_name`'],
      },
    ],
  },
  {
    name: 'an index that became unique under the same name is dropped then re-added',
    fields: { name: { ...NAME, unique: true } },
    live: [['name', 'varchar(100)']],
    liveIndexes: [{ name: 'ux_e_customer_name', columns: ['name'], unique: false }],
    rowCount: 2,
    expected: [
      {
        id: 'dropIndex:e_customer.ux_e_customer_name',
        kind: 'dropIndex',
        destructive: false,
        effect: 'drops index ux_e_customer_name (name) on customer; no data is lost',
        mysql: [
          'ALTER TABLE `e_customer` DROP INDEX `ux_e_customer_name`, ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: ['DROP INDEX `ux_e_customer_name`'],
      },
      {
        id: 'addIndex:e_customer.ux_e_customer_name',
        kind: 'addIndex',
        destructive: false,
        effect: 'adds unique index ux_e_customer_name (name) on customer; indexes 2 rows',
        mysql: [
          'ALTER TABLE `e_customer` ADD UNIQUE INDEX `ux_e_customer_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: [
          'CREATE UNIQUE INDEX `ux_e_customer_name` ON `e_customer` (`name` COLLATE NOCASE)',
        ],
      },
    ],
  },
  {
    name: 'a named index whose columns changed is dropped then re-added',
    fields: { name: NAME, city: { type: 'text', label: l('City') } },
    indexes: [{ name: 'place', fields: ['city', 'name'] }],
    live: [
      ['name', 'varchar(100)'],
      ['city', 'varchar(255)'],
    ],
    liveIndexes: [{ name: 'ix_e_customer_place', columns: ['city'], unique: false }],
    rowCount: 2,
    expected: [
      {
        id: 'dropIndex:e_customer.ix_e_customer_place',
        kind: 'dropIndex',
        destructive: false,
        effect: 'drops index ix_e_customer_place (city) on customer; no data is lost',
        mysql: [
          'ALTER TABLE `e_customer` DROP INDEX `ix_e_customer_place`, ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: ['DROP INDEX `ix_e_customer_place`'],
      },
      {
        id: 'addIndex:e_customer.ix_e_customer_place',
        kind: 'addIndex',
        destructive: false,
        effect: 'adds index ix_e_customer_place (city, name) on customer; indexes 2 rows',
        mysql: [
          'ALTER TABLE `e_customer` ADD INDEX `ix_e_customer_place` (`city`, `name`), ALGORITHM=INPLACE, LOCK=NONE',
        ],
        sqlite: ['CREATE INDEX `ix_e_customer_place` ON `e_customer` (`city`, `name`)'],
      },
    ],
  },
];

describe('planChanges: one case per change kind', () => {
  describe.each(CASES)('$name', (c) => {
    const desired = customer(c.fields, c.indexes ? { indexes: c.indexes } : {});
    const live = [liveCustomer(c.live, c.liveIndexes, c.rowCount)];

    it.each(['mysql', 'sqlite'] as const)('%s', (dialect) => {
      const changes = plan(desired, live, dialect);
      expect(changes.map((x) => x.id)).toEqual(c.expected.map((e) => e.id));
      changes.forEach((got, i) => {
        const want = c.expected[i];
        expect(got).toMatchObject({
          kind: want.kind,
          table: 'e_customer',
          entity: 'customer',
          destructive: want.destructive,
          effect: want.effect,
        });
        const ddl = want[dialect];
        if (Array.isArray(ddl)) {
          expect(got.ddl).toEqual(ddl);
        } else {
          // SQLite cannot alter a column: copy into a rebuilt table, swap, keep the data.
          expect(got.ddl[0]).toMatch(/^CREATE TABLE `e_customer__rebuild` \(/);
          expect(got.ddl[0]).toMatch(ddl.first);
          expect(got.ddl[0]).toContain('`id` INTEGER PRIMARY KEY AUTOINCREMENT');
          expect(got.ddl).toContain(
            `INSERT INTO \`e_customer__rebuild\` (${live[0].columns.map((x) => `\`${x.name}\``).join(', ')}) SELECT ${live[0].columns.map((x) => `\`${x.name}\``).join(', ')} FROM \`e_customer\``,
          );
          expect(got.ddl).toContain('DROP TABLE `e_customer`');
          // after the swap the table's indexes (the owner index at least) are made again
          const swap = got.ddl.indexOf(ddl.last);
          expect(swap).toBeGreaterThan(got.ddl.indexOf('DROP TABLE `e_customer`'));
          expect(got.ddl.slice(swap + 1)).toContain(
            'CREATE INDEX `ix_e_customer_owner` ON `e_customer` (`owner`)',
          );
          expect(got.ddl.join('\n')).not.toContain('ALGORITHM');
        }
      });
    });
  });
});

describe('planChanges: tables', () => {
  const fields: Record<string, FieldDef> = {
    name: { ...NAME, unique: true },
    tags: { type: 'relation', relation: 'manyToMany', target: 'tag', label: l('Tags') },
  };

  it('creates the entity table (mysql) with its indexes, and the junction table', () => {
    const desired = customer(fields);
    const changes = plan(desired, [], 'mysql');
    expect(changes.map((c) => c.id)).toEqual([
      'createTable:e_customer',
      'createTable:j_customer_tags',
    ]);
    const [t, j] = changes;
    expect(t).toMatchObject({
      kind: 'createTable',
      destructive: false,
      entity: 'customer',
      effect: 'creates table e_customer for customer with 9 columns',
    });
    expect(t.ddl).toEqual([
      'CREATE TABLE `e_customer` (\n' +
        '  `id` BIGINT NOT NULL AUTO_INCREMENT,\n' +
        '  `owner` VARCHAR(64) NULL,\n' +
        '  `created_by` VARCHAR(64) NULL,\n' +
        '  `created_at` DATETIME(3) NOT NULL,\n' +
        '  `updated_by` VARCHAR(64) NULL,\n' +
        '  `updated_at` DATETIME(3) NOT NULL,\n' +
        '  `version` INT NOT NULL DEFAULT 1,\n' +
        '  `deleted_at` DATETIME(3) NULL,\n' +
        '  `name` VARCHAR(100) NULL,\n' +
        '  PRIMARY KEY (`id`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      'ALTER TABLE `e_customer` ADD INDEX `ix_e_customer_owner` (`owner`), ALGORITHM=INPLACE, LOCK=NONE',
      'ALTER TABLE `e_customer` ADD UNIQUE INDEX `ux_e_customer_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE',
    ]);
    expect(j.ddl).toEqual([
      'CREATE TABLE `j_customer_tags` (\n' +
        '  `source_id` BIGINT NOT NULL,\n' +
        '  `target_id` BIGINT NOT NULL,\n' +
        '  PRIMARY KEY (`source_id`, `target_id`)\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
      'ALTER TABLE `j_customer_tags` ADD INDEX `ix_j_customer_tags_target` (`target_id`), ALGORITHM=INPLACE, LOCK=NONE',
    ]);
  });

  it('creates tables for sqlite with an inline autoincrement key and no engine clause', () => {
    const [t, j] = plan(customer(fields), [], 'sqlite');
    expect(
      t.ddl[0].startsWith(
        'CREATE TABLE `e_customer` (\n  `id` INTEGER PRIMARY KEY AUTOINCREMENT,\n',
      ),
    ).toBe(true);
    expect(t.ddl[0]).not.toContain('PRIMARY KEY (`id`)');
    expect(t.ddl[0]).not.toContain('ENGINE');
    expect(t.ddl.slice(1)).toEqual([
      'CREATE INDEX `ix_e_customer_owner` ON `e_customer` (`owner`)',
      'CREATE UNIQUE INDEX `ux_e_customer_name` ON `e_customer` (`name` COLLATE NOCASE)',
    ]);
    expect(j.ddl[0]).toContain('PRIMARY KEY (`source_id`, `target_id`)');
    expect(j.ddl[1]).toBe(
      'CREATE INDEX `ix_j_customer_tags_target` ON `j_customer_tags` (`target_id`)',
    );
  });

  it.each(['mysql', 'sqlite'] as const)(
    'drops only tables with a managed prefix, as destructive (%s)',
    (dialect) => {
      const desired = customer({ name: NAME });
      const live: LiveTable[] = [
        liveCustomer([['name', 'varchar(100)']]),
        { ...liveCustomer([]), name: 'e_old', entity: 'old', rowCount: 3 },
        {
          name: 'j_customer_tags',
          entity: 'customer',
          columns: [col('source_id', 'bigint', false), col('target_id', 'bigint', false)],
          indexes: [],
          primaryKey: ['source_id', 'target_id'],
          rowCount: 1,
        },
        { name: 'sys_users', columns: [col('id', 'bigint', false)], indexes: [], rowCount: 50 },
        { name: 'meta_revisions', columns: [col('id', 'bigint', false)], indexes: [], rowCount: 5 },
      ];
      const changes = planChanges({ desired, live, dialect, managedPrefixes: MANAGED });
      expect(changes).toEqual([
        {
          id: 'dropTable:e_old',
          kind: 'dropTable',
          table: 'e_old',
          entity: 'old',
          destructive: true,
          effect: 'drops table e_old; deletes 3 rows',
          ddl: ['DROP TABLE `e_old`'],
        },
        {
          id: 'dropTable:j_customer_tags',
          kind: 'dropTable',
          table: 'j_customer_tags',
          entity: 'customer',
          destructive: true,
          effect: 'drops table j_customer_tags; deletes 1 row',
          ddl: ['DROP TABLE `j_customer_tags`'],
        },
      ]);
      expect(
        planChanges({ desired, live, dialect, managedPrefixes: [] }).filter(
          (c) => c.kind === 'dropTable',
        ),
      ).toEqual([]);
    },
  );

  it('plans nothing when live matches desired', () => {
    const desired = customer({
      name: { ...NAME, unique: true },
      price: { type: 'currency', label: l('Price') },
      account: { type: 'relation', relation: 'manyToOne', target: 'account', label: l('A') },
    });
    const live = liveCustomer(
      [
        ['name', 'varchar(100)'],
        ['price', 'decimal(18,2)'],
        ['price_currency', 'varchar(3)'],
        ['account', 'bigint'],
      ],
      [
        { name: 'ux_e_customer_name', columns: ['name'], unique: true },
        { name: 'ix_e_customer_account', columns: ['account'], unique: false },
      ],
      10,
    );
    expect(plan(desired, [live], 'mysql')).toEqual([]);
    expect(plan(desired, [live], 'sqlite')).toEqual([]);
  });
});

describe('planChanges: renames', () => {
  it('renames and widens in one go (rename first, then widen under the new name)', () => {
    const desired = customer({ fullName: { ...NAME, length: 200, renamedFrom: 'name' } });
    const changes = plan(desired, [liveCustomer([['name', 'varchar(100)']], [], 4)], 'mysql');
    expect(changes.map((c) => c.id)).toEqual([
      'renameColumn:e_customer.name',
      'widenColumn:e_customer.fullName',
    ]);
    expect(changes[1].ddl).toEqual([
      'ALTER TABLE `e_customer` MODIFY COLUMN `fullName` VARCHAR(200) NULL, ALGORITHM=INPLACE',
    ]);
  });

  it('renames a currency field with its code column', () => {
    const desired = customer({
      name: NAME,
      total: { type: 'currency', label: l('Total'), renamedFrom: 'price' },
    });
    const live = liveCustomer([
      ['name', 'varchar(100)'],
      ['price', 'decimal(18,2)'],
      ['price_currency', 'varchar(3)'],
    ]);
    expect(plan(desired, [live], 'mysql').map((c) => c.id)).toEqual([
      'renameColumn:e_customer.price',
      'renameColumn:e_customer.price_currency',
    ]);
  });

  it('is idempotent once the rename is applied (renamedFrom left in the document)', () => {
    const desired = customer({ fullName: { ...NAME, renamedFrom: 'name' } });
    expect(plan(desired, [liveCustomer([['fullName', 'varchar(100)']])], 'mysql')).toEqual([]);
  });

  it('adds the column when the renamedFrom column is not live', () => {
    const desired = customer({ fullName: { ...NAME, renamedFrom: 'name' } });
    expect(
      plan(desired, [liveCustomer([['other', 'varchar(100)']])], 'mysql').map((c) => c.id),
    ).toEqual(['addColumn:e_customer.fullName', 'dropColumn:e_customer.other']);
  });
});

describe('planChanges: ordering', () => {
  it('orders changes createTable, rename, add, widen, alter, dropIndex, addIndex, dropColumn, dropTable', () => {
    const desired = [
      ...customer(
        {
          fullName: { ...NAME, renamedFrom: 'name' },
          bio: { type: 'richText', label: l('Bio') },
          code: { type: 'integer', label: l('Code'), unique: true },
          zeta: { type: 'text', label: l('Zeta') },
          alpha: { type: 'text', label: l('Alpha') },
        },
        { indexes: [] },
      ),
      ...entityTables({
        kind: 'entity',
        name: 'tag',
        label: l('Tag'),
        displayField: 'label',
        fields: { label: { type: 'text', label: l('Label') } },
      }),
    ];
    const live: LiveTable[] = [
      { ...liveCustomer([]), name: 'e_gone', entity: 'gone' },
      liveCustomer(
        [
          ['legacy', 'varchar(5)'],
          ['name', 'varchar(100)'],
          ['bio', 'text'],
          ['code', 'varchar(10)'],
        ],
        [{ name: 'ix_e_customer_legacy', columns: ['legacy'], unique: false }],
        8,
      ),
    ];
    const kinds: ChangeKind[] = [
      'createTable',
      'renameColumn',
      'addColumn',
      'addColumn',
      'widenColumn',
      'alterColumn',
      'dropIndex',
      'addIndex',
      'dropColumn',
      'dropTable',
    ];
    for (const dialect of ['mysql', 'sqlite'] as const) {
      const changes = plan(desired, live, dialect);
      expect(changes.map((c) => c.kind)).toEqual(kinds);
      expect(changes.map((c) => c.id)).toEqual([
        'createTable:e_tag',
        'renameColumn:e_customer.name',
        // same kind: in the order of the desired columns
        'addColumn:e_customer.zeta',
        'addColumn:e_customer.alpha',
        'widenColumn:e_customer.bio',
        'alterColumn:e_customer.code',
        'dropIndex:e_customer.ix_e_customer_legacy',
        'addIndex:e_customer.ux_e_customer_code',
        'dropColumn:e_customer.legacy',
        'dropTable:e_gone',
      ]);
      expect(changes.filter((c) => c.destructive).map((c) => c.kind)).toEqual([
        'alterColumn',
        'dropColumn',
        'dropTable',
      ]);
    }
  });

  it('is deterministic and does not mutate its inputs', () => {
    const desired = customer({
      name: { ...NAME, length: 10 },
      city: { type: 'text', label: l('C') },
    });
    const live = [liveCustomer([['name', 'varchar(100)']], [], 3)];
    const before = structuredClone({ desired, live });
    const a = plan(desired, live, 'sqlite');
    const b = plan(desired, live, 'sqlite');
    expect(a).toEqual(b);
    expect({ desired, live }).toEqual(before);
  });
});

describe('planChanges: sqlite table rebuilds', () => {
  /** The CREATE TABLE of the last rebuild in a plan: the shape the table ends up with. */
  const finalRebuild = (changes: PlannedChange[]): string => {
    const creates = changes.flatMap((c) =>
      c.ddl.filter((s) => s.startsWith('CREATE TABLE `e_customer__rebuild`')),
    );
    return creates[creates.length - 1];
  };

  it('recreates the live indexes after the swap', () => {
    const desired = customer({ name: { ...NAME, length: 200, unique: true } });
    const live = liveCustomer(
      [['name', 'varchar(100)']],
      [{ name: 'ux_e_customer_name', columns: ['name'], unique: true }],
    );
    const [change] = plan(desired, [live], 'sqlite');
    expect(change.ddl.slice(-3)).toEqual([
      'ALTER TABLE `e_customer__rebuild` RENAME TO `e_customer`',
      'CREATE INDEX `ix_e_customer_owner` ON `e_customer` (`owner`)',
      'CREATE UNIQUE INDEX `ux_e_customer_name` ON `e_customer` (`name`)',
    ]);
  });

  // Regression: the rebuild is built from the live table as it was before the plan, so a column added
  // earlier in the same plan (addColumn runs before widen/alter) is missing from the rebuilt table:
  // after applying the plan on SQLite the new column `city` is gone.
  it('keeps a column added earlier in the same plan', () => {
    const desired = customer({
      name: { ...NAME, length: 200 },
      city: { type: 'text', label: l('C') },
    });
    const changes = plan(desired, [liveCustomer([['name', 'varchar(100)']], [], 3)], 'sqlite');
    expect(changes.map((c) => c.kind)).toEqual(['addColumn', 'widenColumn']);
    expect(finalRebuild(changes)).toContain('`city` VARCHAR(255) NULL');
  });

  // Regression: two type changes on one table each rebuild it from the pre-plan live columns, so the
  // second rebuild reverts the first column to its old type (the plan never converges).
  it('keeps every type change when two columns of one table change', () => {
    const desired = customer({
      name: { ...NAME, length: 200 },
      price: { type: 'decimal', label: l('Price'), precision: 12, scale: 2 },
    });
    const live = liveCustomer(
      [
        ['name', 'varchar(100)'],
        ['price', 'decimal(10,2)'],
      ],
      [],
      3,
    );
    const changes = plan(desired, [live], 'sqlite');
    expect(changes.map((c) => c.kind)).toEqual(['widenColumn', 'widenColumn']);
    const last = finalRebuild(changes);
    expect(last).toContain('`price` DECIMAL(12,2) NULL');
    expect(last).toContain('`name` VARCHAR(200) NULL');
  });
});

describe('parseColumnType', () => {
  it.each<[string, object]>([
    ['varchar(255)', { base: 'varchar', length: 255 }],
    ['VARCHAR(100)', { base: 'varchar', length: 100 }],
    ['  varchar(64)  ', { base: 'varchar', length: 64 }],
    ['varchar', { base: 'varchar', length: 255 }],
    ['character varying(20)', { base: 'varchar', length: 20 }],
    ['char(3)', { base: 'varchar', length: 3 }],
    ['text', { base: 'text' }],
    ['mediumtext', { base: 'text' }],
    ['longtext', { base: 'longtext' }],
    ['json', { base: 'longtext' }],
    ['bigint', { base: 'bigint' }],
    ['bigint(20) unsigned', { base: 'bigint' }],
    ['INTEGER', { base: 'bigint' }],
    ['int', { base: 'int' }],
    ['int(11)', { base: 'int' }],
    ['int unsigned', { base: 'int' }],
    ['smallint', { base: 'int' }],
    ['decimal(18,2)', { base: 'decimal', precision: 18, scale: 2 }],
    ['DECIMAL(12, 3)', { base: 'decimal', precision: 12, scale: 3 }],
    ['decimal(10)', { base: 'decimal', precision: 10, scale: 0 }],
    ['numeric', { base: 'decimal', precision: 10, scale: 0 }],
    ['boolean', { base: 'boolean' }],
    ['bool', { base: 'boolean' }],
    ['tinyint(1)', { base: 'boolean' }],
    ['tinyint', { base: 'boolean' }],
    ['tinyint(4)', { base: 'int' }],
    ['date', { base: 'date' }],
    ['datetime', { base: 'datetime' }],
    ['DATETIME(3)', { base: 'datetime' }],
    ['timestamp', { base: 'datetime' }],
    ['blob', { base: 'longtext' }],
  ])('%s -> %o', (declared, expected) => {
    expect(parseColumnType(declared)).toEqual(expected);
  });
});

describe('isWidening', () => {
  const t = parseColumnType;
  it.each<[string, string, boolean]>([
    ['varchar(100)', 'varchar(100)', true],
    ['varchar(100)', 'varchar(200)', true],
    ['varchar(200)', 'varchar(100)', false],
    ['varchar(255)', 'text', true],
    ['varchar(16383)', 'text', true],
    ['varchar(16384)', 'text', false],
    ['varchar(20000)', 'longtext', true],
    ['text', 'longtext', true],
    ['longtext', 'text', false],
    ['text', 'varchar(255)', false],
    ['int', 'bigint', true],
    ['bigint', 'int', false],
    ['decimal(10,2)', 'decimal(12,2)', true],
    ['decimal(10,2)', 'decimal(13,3)', true],
    ['decimal(12,2)', 'decimal(12,3)', false], // loses an integer digit
    ['decimal(12,3)', 'decimal(12,2)', false], // loses a decimal
    ['decimal(12,2)', 'decimal(10,2)', false],
    ['int', 'decimal(12,2)', true],
    ['int', 'decimal(11,2)', false],
    ['bigint', 'decimal(21,2)', true],
    ['bigint', 'decimal(20,2)', false],
    ['date', 'datetime', true],
    ['datetime', 'date', false],
    ['varchar(20)', 'bigint', false],
    ['bigint', 'varchar(255)', false],
    ['decimal(10,2)', 'int', false],
    ['boolean', 'date', false],
  ])('%s -> %s: %s', (from, to, expected) => {
    expect(isWidening(t(from), t(to))).toBe(expected);
  });
});
