import { CrmError, ErrorCode, type ErrorDetail } from '@crm/common';
import { type EntityDocument, buildModel } from '@crm/metadata';
import {
  FILTER_OPS,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  resolveField,
  translateFilter,
} from './filter';

const l = (en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': en, en });

const ACCOUNT: EntityDocument = {
  kind: 'entity',
  name: 'account',
  label: l('Account'),
  displayField: 'name',
  fields: {
    name: { type: 'text', label: l('Name') },
    rating: { type: 'integer', label: l('Rating') },
    secret: { type: 'text', label: l('Secret') },
    parent: { type: 'relation', relation: 'manyToOne', target: 'account', label: l('Parent') },
  },
};
const TAG: EntityDocument = {
  kind: 'entity',
  name: 'tag',
  label: l('Tag'),
  displayField: 'label',
  fields: { label: { type: 'text', label: l('Label') } },
};
const DEAL: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l('Deal'),
  displayField: 'title',
  fields: {
    title: { type: 'text', label: l('Title') },
    quantity: { type: 'integer', label: l('Quantity') },
    amount: { type: 'currency', label: l('Amount') },
    won: { type: 'boolean', label: l('Won') },
    closeDate: { type: 'date', label: l('Close') },
    lastContact: { type: 'datetime', label: l('Last contact') },
    stage: {
      type: 'select',
      label: l('Stage'),
      options: [
        { value: 'open', label: l('Open') },
        { value: 'won', label: l('Won') },
      ],
    },
    channels: {
      type: 'multiSelect',
      label: l('Channels'),
      options: [{ value: 'web', label: l('Web') }],
    },
    account: { type: 'relation', relation: 'manyToOne', target: 'account', label: l('Account') },
    tags: { type: 'relation', relation: 'manyToMany', target: 'tag', label: l('Tags') },
    extra: { type: 'json', label: l('Extra') },
  },
};

const model = buildModel([ACCOUNT, TAG, DEAL], 1);
const deal = model.entities.get('deal')!;
const tf = (filter: unknown, readable?: (e: string, f: string) => boolean) =>
  translateFilter(model, deal, filter, readable);

/** The CrmError's details, or fails the test if the filter was accepted. */
function errorsOf(filter: unknown, readable?: (e: string, f: string) => boolean): ErrorDetail[] {
  try {
    tf(filter, readable);
  } catch (e) {
    expect(e).toBeInstanceOf(CrmError);
    expect((e as CrmError).code).toBe(ErrorCode.FilterInvalid);
    return (e as CrmError).errors;
  }
  throw new Error(`filter was accepted: ${JSON.stringify(filter)}`);
}

describe('translateFilter: operators', () => {
  it('covers every operator', () => {
    expect([...FILTER_OPS]).toEqual([
      'eq',
      'ne',
      'gt',
      'gte',
      'lt',
      'lte',
      'in',
      'nin',
      'contains',
      'startsWith',
      'isNull',
    ]);
  });

  it.each<[string, unknown, string, unknown[]]>([
    ['no filter', undefined, '1=1', []],
    ['null filter', null, '1=1', []],
    ['empty object', {}, '1=1', []],
    ['plain value means eq', { title: 'Acme' }, 't.`title` = ?', ['Acme']],
    ['eq', { title: { eq: 'Acme' } }, 't.`title` = ?', ['Acme']],
    ['eq null', { title: { eq: null } }, 't.`title` IS NULL', []],
    ['plain null', { closeDate: null }, 't.`closeDate` IS NULL', []],
    [
      'ne keeps NULL rows',
      { stage: { ne: 'won' } },
      '(t.`stage` IS NULL OR t.`stage` <> ?)',
      ['won'],
    ],
    ['ne null', { title: { ne: null } }, 't.`title` IS NOT NULL', []],
    ['gt', { quantity: { gt: 5 } }, 't.`quantity` > ?', [5]],
    ['gte', { quantity: { gte: 5 } }, 't.`quantity` >= ?', [5]],
    ['lt', { quantity: { lt: 5 } }, 't.`quantity` < ?', [5]],
    ['lte', { quantity: { lte: 5.5 } }, 't.`quantity` <= ?', [5.5]],
    ['range', { quantity: { gte: 1, lt: 10 } }, 't.`quantity` >= ? AND t.`quantity` < ?', [1, 10]],
    ['in', { stage: { in: ['open', 'won'] } }, 't.`stage` IN (?, ?)', ['open', 'won']],
    [
      'nin keeps NULL rows',
      { quantity: { nin: [1, 2, 3] } },
      '(t.`quantity` IS NULL OR t.`quantity` NOT IN (?, ?, ?))',
      [1, 2, 3],
    ],
    ['contains', { title: { contains: 'cme' } }, "t.`title` LIKE ? ESCAPE '!'", ['%cme%']],
    [
      'contains escapes LIKE wildcards',
      { title: { contains: '50%_off!' } },
      "t.`title` LIKE ? ESCAPE '!'",
      ['%50!%!_off!!%'],
    ],
    ['startsWith', { title: { startsWith: 'Ac_' } }, "t.`title` LIKE ? ESCAPE '!'", ['Ac!_%']],
    ['isNull true', { closeDate: { isNull: true } }, 't.`closeDate` IS NULL', []],
    ['isNull false', { closeDate: { isNull: false } }, 't.`closeDate` IS NOT NULL', []],
    ['boolean as 1/0', { won: true }, 't.`won` = ?', [1]],
    ['boolean false', { won: { ne: false } }, '(t.`won` IS NULL OR t.`won` <> ?)', [0]],
    ['date', { closeDate: { gte: '2024-01-31' } }, 't.`closeDate` >= ?', ['2024-01-31']],
    [
      'datetime converted to the DB timestamp',
      { lastContact: { lt: '2024-05-01T10:00:00+02:00' } },
      't.`lastContact` < ?',
      ['2024-05-01 08:00:00.000'],
    ],
    ['relation id', { account: 7 }, 't.`account` = ?', [7]],
    ['system field id', { id: { in: [1, 2] } }, 't.`id` IN (?, ?)', [1, 2]],
    ['system field owner', { owner: 'li' }, 't.`owner` = ?', ['li']],
    [
      'system field createdAt',
      { createdAt: { gte: '2024-01-01T00:00:00Z' } },
      't.`created_at` >= ?',
      ['2024-01-01 00:00:00.000'],
    ],
    ['system field version', { version: { gt: 1 } }, 't.`version` > ?', [1]],
    ['currency amount (bare)', { amount: { gte: 100 } }, 't.`amount` >= ?', [100]],
    ['currency amount sub-field', { 'amount.amount': { lt: 9 } }, 't.`amount` < ?', [9]],
    ['currency code sub-field', { 'amount.currency': 'CNY' }, 't.`amount_currency` = ?', ['CNY']],
    [
      'multiSelect contains',
      { channels: { contains: 'web' } },
      "t.`channels` LIKE ? ESCAPE '!'",
      ['%"web"%'],
    ],
    ['json isNull', { extra: { isNull: false } }, 't.`extra` IS NOT NULL', []],
  ])('%s', (_name, filter, sql, params) => {
    expect(tf(filter)).toEqual({ sql, params });
  });
});

describe('translateFilter: manyToMany', () => {
  const exists = (tail: string) =>
    `EXISTS (SELECT 1 FROM \`j_deal_tags\` j WHERE j.source_id = t.\`id\`${tail})`;

  it.each<[string, unknown, string, unknown[]]>([
    ['contains', { tags: { contains: 3 } }, exists(' AND j.target_id IN (?)'), [3]],
    ['in', { tags: { in: [3, 4] } }, exists(' AND j.target_id IN (?, ?)'), [3, 4]],
    ['isNull true', { tags: { isNull: true } }, `NOT ${exists('')}`, []],
    ['isNull false', { tags: { isNull: false } }, exists(''), []],
  ])('%s', (_name, filter, sql, params) => {
    expect(tf(filter)).toEqual({ sql, params });
  });
});

describe('translateFilter: and / or', () => {
  it('ANDs the keys of one object in order', () => {
    expect(tf({ title: 'a', quantity: 1, won: false })).toEqual({
      sql: 't.`title` = ? AND t.`quantity` = ? AND t.`won` = ?',
      params: ['a', 1, 0],
    });
  });

  it('nests and / or with parameters in SQL order', () => {
    expect(
      tf({
        stage: 'open',
        or: [{ quantity: { gt: 10 } }, { and: [{ title: { startsWith: 'A' } }, { won: true }] }],
      }),
    ).toEqual({
      sql: "t.`stage` = ? AND (t.`quantity` > ? OR (t.`title` LIKE ? ESCAPE '!' AND t.`won` = ?))",
      params: ['open', 10, 'A%', 1],
    });
  });

  it('an or of conditions on several keys ANDs inside each branch', () => {
    expect(tf({ or: [{ title: 'a', quantity: 1 }, { title: 'b' }] })).toEqual({
      sql: '(t.`title` = ? AND t.`quantity` = ? OR t.`title` = ?)',
      params: ['a', 1, 'b'],
    });
  });
});

describe('translateFilter: one relation hop', () => {
  const hop = (inner: string) =>
    `t.\`account\` IN (SELECT r.\`id\` FROM \`e_account\` r WHERE r.\`deleted_at\` IS NULL AND ${inner})`;

  it.each<[string, unknown, string, unknown[]]>([
    ['account.name', { 'account.name': 'Acme' }, hop('r.`name` = ?'), ['Acme']],
    [
      'account.name startsWith',
      { 'account.name': { startsWith: 'Ac' } },
      hop("r.`name` LIKE ? ESCAPE '!'"),
      ['Ac%'],
    ],
    [
      'account.rating range',
      { 'account.rating': { gte: 3, lte: 5 } },
      hop('r.`rating` >= ? AND r.`rating` <= ?'),
      [3, 5],
    ],
    ['account.id', { 'account.id': 5 }, hop('r.`id` = ?'), [5]],
  ])('%s', (_name, filter, sql, params) => {
    expect(tf(filter)).toEqual({ sql, params });
  });

  it('inside an or', () => {
    expect(tf({ or: [{ 'account.name': 'A' }, { title: 'B' }] })).toEqual({
      sql: `(${hop('r.`name` = ?')} OR t.\`title\` = ?)`,
      params: ['A', 'B'],
    });
  });

  it('does not go two hops', () => {
    expect(errorsOf({ 'account.parent.name': 'x' })).toEqual([
      {
        path: '/filter/account.parent.name',
        message: 'filters reach one relation away, not further',
      },
    ]);
  });

  it('refuses an unknown field on the target', () => {
    expect(errorsOf({ 'account.region': 'x' })).toEqual([
      { path: '/filter/account.region', message: 'unknown field "region" on account' },
    ]);
  });

  it('refuses a dotted path through a manyToMany or a plain field', () => {
    expect(errorsOf({ 'tags.label': 'x', 'title.x': 'y' })).toEqual([
      { path: '/filter/tags.label', message: 'unknown field "tags.label" on deal' },
      { path: '/filter/title.x', message: 'unknown field "title.x" on deal' },
    ]);
  });

  it('applies readable() to the relation and to the target field', () => {
    const hideAccount = (e: string, f: string) => !(e === 'deal' && f === 'account');
    expect(errorsOf({ 'account.name': 'x' }, hideAccount)).toEqual([
      { path: '/filter/account.name', message: 'unknown field "account.name"' },
    ]);
    const hideSecret = (e: string, f: string) => !(e === 'account' && f === 'secret');
    expect(errorsOf({ 'account.secret': 'x' }, hideSecret)).toEqual([
      { path: '/filter/account.secret', message: 'unknown field "secret" on account' },
    ]);
    expect(tf({ 'account.name': 'x' }, hideSecret).params).toEqual(['x']);
  });
});

describe('translateFilter: errors', () => {
  it.each<[string, unknown, ErrorDetail[]]>([
    [
      'a filter that is not an object',
      [1],
      [{ path: '/filter', message: 'a filter must be an object of conditions' }],
    ],
    [
      'a string filter',
      'title=1',
      [{ path: '/filter', message: 'a filter must be an object of conditions' }],
    ],
    [
      'unknown field',
      { region: 'x' },
      [{ path: '/filter/region', message: 'unknown field "region" on deal' }],
    ],
    [
      'deletedAt is not filterable',
      { deletedAt: null },
      [{ path: '/filter/deletedAt', message: 'unknown field "deletedAt" on deal' }],
    ],
    [
      'unknown currency sub-field',
      { 'amount.rate': 1 },
      [{ path: '/filter/amount.rate', message: 'unknown field "amount.rate" on deal' }],
    ],
    [
      'unknown operator',
      { title: { like: 'x' } },
      [
        {
          path: '/filter/title/like',
          message: `unknown operator "like" (use ${FILTER_OPS.join(', ')})`,
        },
      ],
    ],
    [
      'operator not for numbers',
      { quantity: { contains: '1' } },
      [
        {
          path: '/filter/quantity/contains',
          message: 'operator "contains" does not apply to quantity',
        },
      ],
    ],
    [
      'operator not for booleans',
      { won: { gt: true } },
      [{ path: '/filter/won/gt', message: 'operator "gt" does not apply to won' }],
    ],
    [
      'in on a datetime',
      { lastContact: { in: ['2024-01-01T00:00:00Z'] } },
      [{ path: '/filter/lastContact/in', message: 'operator "in" does not apply to lastContact' }],
    ],
    [
      'eq on a multiSelect',
      { channels: 'web' },
      [{ path: '/filter/channels', message: 'operator "eq" does not apply to channels' }],
    ],
    [
      'eq on a manyToMany',
      { tags: 3 },
      [{ path: '/filter/tags', message: 'operator "eq" does not apply to tags' }],
    ],
    [
      'comparing json',
      { extra: { eq: 'x' } },
      [{ path: '/filter/extra/eq', message: 'operator "eq" does not apply to extra' }],
    ],
    ['empty condition', { title: {} }, [{ path: '/filter/title', message: 'an empty condition' }]],
    [
      'empty or',
      { or: [] },
      [{ path: '/filter/or', message: '"or" takes a non-empty list of filters' }],
    ],
    [
      'and not a list',
      { and: { title: 'x' } },
      [{ path: '/filter/and', message: '"and" takes a non-empty list of filters' }],
    ],
    [
      'or item not an object',
      { or: ['x'] },
      [{ path: '/filter/or/0', message: 'a filter must be an object of conditions' }],
    ],
    [
      'string for a number',
      { quantity: '5' },
      [{ path: '/filter/quantity', message: 'quantity takes a number' }],
    ],
    [
      'number for a string',
      { title: { eq: 5 } },
      [{ path: '/filter/title/eq', message: 'title takes a string' }],
    ],
    [
      'string for a boolean',
      { won: 'true' },
      [{ path: '/filter/won', message: 'won takes true or false' }],
    ],
    [
      'bad date',
      { closeDate: { gte: '01/02/2024' } },
      [
        {
          path: '/filter/closeDate/gte',
          message: 'closeDate takes a date YYYY-MM-DD from 1000-01-01 to 9999-12-31',
        },
      ],
    ],
    [
      'bad datetime',
      { lastContact: { gt: 'yesterday' } },
      [
        {
          path: '/filter/lastContact/gt',
          message: 'lastContact takes an ISO date-time from year 1000 to 9999',
        },
      ],
    ],
    [
      'gt null',
      { quantity: { gt: null } },
      [{ path: '/filter/quantity/gt', message: 'quantity takes a number' }],
    ],
    [
      'bad element in in',
      { quantity: { in: [1, 'x', 3] } },
      [{ path: '/filter/quantity/in/1', message: 'quantity takes a number' }],
    ],
    [
      'in not a list',
      { quantity: { in: 1 } },
      [{ path: '/filter/quantity/in', message: 'in takes a list of 1 to 1000 values' }],
    ],
    [
      'empty in',
      { stage: { in: [] } },
      [{ path: '/filter/stage/in', message: 'in takes a list of 1 to 1000 values' }],
    ],
    [
      'nin too long',
      { quantity: { nin: Array.from({ length: 1001 }, (_, i) => i) } },
      [{ path: '/filter/quantity/nin', message: 'nin takes a list of 1 to 1000 values' }],
    ],
    [
      'isNull not boolean',
      { title: { isNull: 'yes' } },
      [{ path: '/filter/title/isNull', message: 'isNull takes true or false' }],
    ],
    [
      'manyToMany contains a string',
      { tags: { contains: 'vip' } },
      [{ path: '/filter/tags/contains/0', message: 'tags takes a record id' }],
    ],
    [
      'manyToMany empty in',
      { tags: { in: [] } },
      [{ path: '/filter/tags/in', message: 'in takes a list of 1 to 1000 values' }],
    ],
    [
      'manyToMany in over 1000 ids',
      { tags: { in: Array.from({ length: 1001 }, (_, i) => i + 1) } },
      [{ path: '/filter/tags/in', message: 'in takes a list of 1 to 1000 values' }],
    ],
    [
      'multiSelect contains a number',
      { channels: { contains: 1 } },
      [{ path: '/filter/channels/contains', message: 'channels takes a string' }],
    ],
    [
      'currency code a number',
      { 'amount.currency': 1 },
      [{ path: '/filter/amount.currency', message: 'amount.currency takes a string' }],
    ],
  ])('%s', (_name, filter, errors) => {
    expect(errorsOf(filter)).toEqual(errors);
  });

  it('reports every error at once, with nested paths', () => {
    const errors = errorsOf({
      region: 1,
      quantity: { gt: 'x', foo: 1 },
      or: [{ title: 'ok' }, { won: 'no' }],
    });
    expect(errors).toEqual([
      { path: '/filter/region', message: 'unknown field "region" on deal' },
      { path: '/filter/quantity/gt', message: 'quantity takes a number' },
      { path: '/filter/quantity/foo', message: expect.stringContaining('unknown operator "foo"') },
      { path: '/filter/or/1/won', message: 'won takes true or false' },
    ]);
  });

  it('hides fields that readable() refuses, like unknown ones', () => {
    const hideTitle = (e: string, f: string) => f !== 'title';
    expect(errorsOf({ title: 'x' }, hideTitle)).toEqual([
      { path: '/filter/title', message: 'unknown field "title" on deal' },
    ]);
    expect(errorsOf({ 'amount.currency': 'x' }, (e, f) => f !== 'amount')).toEqual([
      { path: '/filter/amount.currency', message: 'unknown field "amount.currency" on deal' },
    ]);
  });
});

describe('translateFilter: limits (one request must not hold the database)', () => {
  const ors = (n: number) => ({
    or: Array.from({ length: n }, (_, i) => ({ title: { contains: `x${i}` } })),
  });

  it('takes up to MAX_FILTER_CONDITIONS comparisons and refuses one more', () => {
    expect(() => tf(ors(MAX_FILTER_CONDITIONS))).not.toThrow();
    expect(errorsOf(ors(180))).toEqual([
      {
        path: `/filter/or/${MAX_FILTER_CONDITIONS}/title/contains`,
        message: `a filter has at most ${MAX_FILTER_CONDITIONS} conditions`,
      },
    ]);
  });

  it('refuses and/or nested deeper than MAX_FILTER_DEPTH (5,000 deep: no stack overflow)', () => {
    const nest = (n: number): unknown => (n === 0 ? { title: 'x' } : { and: [nest(n - 1)] });
    expect(() => tf(nest(MAX_FILTER_DEPTH))).not.toThrow();
    const deep = errorsOf(nest(5000));
    expect(deep).toHaveLength(1);
    expect(deep[0].message).toBe(`and/or nest at most ${MAX_FILTER_DEPTH} levels deep`);
  });

  it.each([
    ['closeDate', { gt: '99999-01-01' }],
    ['closeDate', { lt: '0999-12-31' }],
    ['closeDate', '2024-02-30'],
    ['closeDate', { gte: '2024-13-01' }],
    ['lastContact', { gt: '+275760-09-13T00:00:00Z' }],
    ['lastContact', { lt: '0100-01-01T00:00:00Z' }],
  ])('a date the database cannot hold is refused, not compared: %s %j', (field, value) => {
    const errors = errorsOf({ [field]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/from (1000-01-01 to 9999-12-31|year 1000 to 9999)/);
  });
});

describe('translateFilter: SQL injection', () => {
  const attacks = [
    "x' OR '1'='1",
    "'; DROP TABLE e_deal; --",
    'a` = 1 OR `b',
    '1) OR (1=1',
    '\\x27 UNION SELECT * FROM sys_users --',
  ];

  it.each(attacks)('a value stays a parameter: %s', (attack) => {
    for (const filter of [
      { title: attack },
      { title: { ne: attack } },
      { title: { in: [attack, 'b'] } },
      { 'amount.currency': attack },
      { 'account.name': attack },
      { or: [{ stage: { nin: [attack] } }] },
    ]) {
      const out = tf(filter);
      expect(out.sql).not.toContain(attack);
      expect(out.sql).not.toMatch(/DROP|UNION|'1'='1/);
      expect(out.params).toContain(attack);
    }
  });

  it.each(attacks)('LIKE values stay parameters: %s', (attack) => {
    const out = tf({ title: { contains: attack } });
    expect(out.sql).toBe("t.`title` LIKE ? ESCAPE '!'");
    expect(out.params).toHaveLength(1);
    expect(String(out.params[0])).toContain(attack.replace(/[!%_]/g, (c) => `!${c}`));
  });

  it.each([
    'title; DROP TABLE e_deal',
    "title' OR '1'='1",
    'title` = 1 OR `x',
    'title)--',
    'account.name) OR (1=1',
    'account.name` OR 1=1 --',
    'amount.currency OR 1=1',
    'e_deal.title',
    ' title',
  ])('a field name is refused, never quoted into SQL: %s', (key) => {
    expect(errorsOf({ [key]: 'x' })).toEqual([
      expect.objectContaining({
        path: `/filter/${key}`,
        message: expect.stringContaining('unknown field'),
      }),
    ]);
  });

  it('an operator name is refused: gt) OR (1=1', () => {
    expect(errorsOf({ quantity: { 'gt) OR (1=1': 1 } })[0].message).toContain('unknown operator');
  });

  // Regression: SYSTEM_FIELDS and entity.fields are plain objects, so inherited names such as
  // "constructor", "toString" or "__proto__" (an own key after JSON.parse) resolve to
  // Object.prototype members: resolveField returns {column: undefined, kind: undefined} and
  // translateFilter throws a TypeError (a 500) instead of a FilterInvalid unknown-field error.
  it('refuses inherited property names as fields', () => {
    expect(resolveField(deal, 'constructor')).toBeUndefined();
    expect(errorsOf(JSON.parse('{"constructor": "x"}'))).toEqual([
      { path: '/filter/constructor', message: 'unknown field "constructor" on deal' },
    ]);
    expect(errorsOf(JSON.parse('{"__proto__": "x"}'))).toEqual([
      { path: '/filter/__proto__', message: 'unknown field "__proto__" on deal' },
    ]);
  });
});

describe('translateFilter: the access layer', () => {
  it("ANDs the user's read condition on the related entity into a relation hop", () => {
    const m = buildModel([ACCOUNT, TAG, DEAL], 1);
    const out = translateFilter(
      m,
      m.entities.get('deal')!,
      { 'account.name': 'Acme' },
      undefined,
      (name) => (name === 'account' ? { sql: 'r.`owner` = ?', params: ['li'] } : undefined),
    );
    expect(out.sql).toBe(
      't.`account` IN (SELECT r.`id` FROM `e_account` r WHERE r.`deleted_at` IS NULL AND r.`owner` = ? AND r.`name` = ?)',
    );
    expect(out.params).toEqual(['li', 'Acme']);
  });

  it.each([
    [{ tags: { contains: 3 } }, '', ' AND j.target_id IN (?)', ['vip', 3]],
    [{ tags: { isNull: false } }, '', '', ['vip']],
    [{ tags: { isNull: true } }, 'NOT ', '', ['vip']],
  ])(
    'matches %j only through many-to-many targets the user may read',
    (filter, not, tail, params) => {
      const m = buildModel([ACCOUNT, TAG, DEAL], 1);
      const out = translateFilter(m, m.entities.get('deal')!, filter, undefined, (name, alias) =>
        name === 'tag' && alias === 'm' ? { sql: 'm.`label` = ?', params: ['vip'] } : undefined,
      );
      expect(out.sql).toBe(
        `${not}EXISTS (SELECT 1 FROM \`j_deal_tags\` j JOIN \`e_tag\` m ON m.\`id\` = j.target_id AND (m.\`label\` = ?) WHERE j.source_id = t.\`id\`${tail})`,
      );
      expect(out.params).toEqual(params);
    },
  );
});
