import { CrmError, ErrorCode } from '@crm/common';
import { type EntityDocument, buildModel } from '@crm/metadata';
import {
  type SortKey,
  decodeCursor,
  encodeCursor,
  keysetCondition,
  orderBySql,
  parseSort,
} from './sort-cursor';

/** better-sqlite3 ships no types; the few calls used here. */
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { run(...p: unknown[]): unknown; all(...p: unknown[]): unknown[] };
  close(): void;
}
const Database = require('better-sqlite3') as new (file: string) => SqliteDb;

const l = (en: string): { 'zh-CN': string; en: string } => ({ 'zh-CN': en, en });

const DEAL: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l('Deal'),
  displayField: 'title',
  fields: {
    title: { type: 'text', label: l('Title') },
    quantity: { type: 'integer', label: l('Quantity') },
    amount: { type: 'currency', label: l('Amount') },
    closeDate: { type: 'date', label: l('Close') },
    channels: { type: 'multiSelect', label: l('Ch'), options: [{ value: 'a', label: l('A') }] },
    tags: { type: 'relation', relation: 'manyToMany', target: 'deal', label: l('Tags') },
    account: { type: 'relation', relation: 'manyToOne', target: 'deal', label: l('Acc') },
    extra: { type: 'json', label: l('Extra') },
    body: { type: 'richText', label: l('Body') },
  },
};
const deal = buildModel([DEAL], 1).entities.get('deal')!;

const key = (name: string, column: string, desc = false): SortKey => ({ name, column, desc });

function crmErrorOf(fn: () => unknown): CrmError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CrmError);
    return e as CrmError;
  }
  throw new Error('expected a CrmError');
}

describe('parseSort', () => {
  it.each<[string | undefined, SortKey[]]>([
    [undefined, [key('id', 'id')]],
    ['', [key('id', 'id')]],
    ['title', [key('title', 'title'), key('id', 'id')]],
    ['-quantity', [key('quantity', 'quantity', true), key('id', 'id', true)]],
    [
      '-amount, title ,',
      [key('amount', 'amount', true), key('title', 'title'), key('id', 'id', true)],
    ],
    [
      'title,-quantity',
      [key('title', 'title'), key('quantity', 'quantity', true), key('id', 'id')],
    ],
    ['amount.currency', [key('amount.currency', 'amount_currency'), key('id', 'id')]],
    ['amount,amount.amount', [key('amount', 'amount'), key('id', 'id')]],
    ['-createdAt', [key('createdAt', 'created_at', true), key('id', 'id', true)]],
    [
      'account,closeDate',
      [key('account', 'account'), key('closeDate', 'closeDate'), key('id', 'id')],
    ],
    ['title,title', [key('title', 'title'), key('id', 'id')]],
    ['id', [key('id', 'id')]],
  ])('%s', (sort, keys) => {
    expect(parseSort(deal, sort)).toEqual(keys);
  });

  it.each<[string, string]>([
    ['tags', 'tags is not sortable'],
    ['channels', 'channels is not sortable'],
    ['extra', 'extra is not sortable'],
    ['body', 'body is not sortable'],
    ['region', 'unknown field "region"'],
    ['-region', 'unknown field "region"'],
    ['deletedAt', 'unknown field "deletedAt"'],
    ['amount.rate', 'unknown field "amount.rate"'],
    ['title;DROP TABLE e_deal', 'unknown field "title;DROP TABLE e_deal"'],
  ])('refuses %s', (sort, message) => {
    const e = crmErrorOf(() => parseSort(deal, sort));
    expect(e.code).toBe(ErrorCode.QueryInvalid);
    expect(e.errors).toEqual([{ path: 'sort', message }]);
  });

  it('lets readable() refuse a field', () => {
    const e = crmErrorOf(() => parseSort(deal, 'title', (_e, f) => f !== 'title'));
    expect(e.code).toBe(ErrorCode.QueryInvalid);
    expect(parseSort(deal, 'amount.currency', (_e, f) => f === 'amount')).toHaveLength(2);
    expect(() => parseSort(deal, 'amount.currency', (_e, f) => f !== 'amount')).toThrow(CrmError);
  });

  // Regression: an explicit `id` key is skipped and re-appended with the direction of the first key,
  // so `sort=-id` sorts ascending (newest-first listing by id is impossible).
  it('honours the direction of an explicit -id', () => {
    expect(parseSort(deal, '-id')).toEqual([key('id', 'id', true)]);
  });

  it('orderBySql', () => {
    expect(orderBySql(parseSort(deal, '-amount,title'))).toBe(
      't.`amount` DESC, t.`title` ASC, t.`id` DESC',
    );
  });
});

describe('encodeCursor / decodeCursor', () => {
  const keys = parseSort(deal, '-amount,title');

  it('round-trips the sort values of a row, missing ones as null', () => {
    const c = encodeCursor(keys, { amount: 12.5, title: 'Acme', id: 7, other: 'x' });
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, safe in a query string
    expect(decodeCursor(keys, c)).toEqual([12.5, 'Acme', 7]);
    expect(decodeCursor(keys, encodeCursor(keys, { id: 3 }))).toEqual([null, null, 3]);
  });

  const forge = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
  const good = encodeCursor(keys, { amount: 1, title: 'a', id: 2 });

  it.each<[string, string]>([
    ['garbage', 'not-a-cursor'],
    ['empty', ''],
    ['truncated', good.slice(0, good.length - 4)],
    ['a character flipped', good.slice(0, 5) + (good[5] === 'A' ? 'B' : 'A') + good.slice(6)],
    ['another sort order', encodeCursor(parseSort(deal, 'amount,title'), { amount: 1, id: 2 })],
    ['another sort key', encodeCursor(parseSort(deal, 'title'), { title: 'a', id: 2 })],
    ['too few values', forge({ s: '-amount,title,-id', v: [1, 'a'] })],
    ['too many values', forge({ s: '-amount,title,-id', v: [1, 'a', 2, 3] })],
    ['values not a list', forge({ s: '-amount,title,-id', v: '1,a,2' })],
    ['an object value', forge({ s: '-amount,title,-id', v: [{ $gt: 1 }, 'a', 2] })],
    ['a boolean value', forge({ s: '-amount,title,-id', v: [true, 'a', 2] })],
    ['a list value', forge({ s: '-amount,title,-id', v: [[1], 'a', 2] })],
    ['JSON null', Buffer.from('null').toString('base64url')],
  ])('rejects a cursor that is %s', (_name, cursor) => {
    const e = crmErrorOf(() => decodeCursor(keys, cursor));
    expect(e.code).toBe(ErrorCode.QueryInvalid);
    expect(e.message).toBe('invalid cursor (it belongs to another query or was altered)');
    expect(e.errors).toEqual([{ path: 'cursor', message: 'invalid' }]);
  });

  it('accepts a well-formed cursor with null values', () => {
    expect(decodeCursor(keys, forge({ s: '-amount,title,-id', v: [null, null, 2] }))).toEqual([
      null,
      null,
      2,
    ]);
  });
});

describe('keysetCondition', () => {
  it('builds "after this row" for a mixed-direction sort', () => {
    const keys = [key('amount', 'amount', true), key('title', 'title'), key('id', 'id', true)];
    expect(keysetCondition(keys, [10, 'b', 5])).toEqual({
      sql:
        '(((t.`amount` < ? OR t.`amount` IS NULL))' +
        ' OR (t.`amount` = ? AND t.`title` > ?)' +
        ' OR (t.`amount` = ? AND t.`title` = ? AND (t.`id` < ? OR t.`id` IS NULL)))',
      params: [10, 10, 'b', 10, 'b', 5],
    });
  });

  it('treats NULL as the smallest value ascending', () => {
    const keys = [key('closeDate', 'closeDate'), key('id', 'id')];
    expect(keysetCondition(keys, [null, 3])).toEqual({
      sql: '((t.`closeDate` IS NOT NULL) OR (t.`closeDate` IS NULL AND t.`id` > ?))',
      params: [3],
    });
  });

  it('skips the branch after a NULL when descending (NULLs come last)', () => {
    const keys = [key('amount', 'amount', true), key('title', 'title'), key('id', 'id', true)];
    expect(keysetCondition(keys, [null, 'b', 5])).toEqual({
      sql:
        '((t.`amount` IS NULL AND t.`title` > ?)' +
        ' OR (t.`amount` IS NULL AND t.`title` = ? AND (t.`id` < ? OR t.`id` IS NULL)))',
      params: ['b', 'b', 5],
    });
  });

  it('is 1=0 when nothing can follow', () => {
    expect(keysetCondition([key('amount', 'amount', true)], [null])).toEqual({
      sql: '1=0',
      params: [],
    });
  });

  describe('pages through a real ORDER BY (SQLite) without gaps or repeats', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE d (id INTEGER PRIMARY KEY, title TEXT, quantity INTEGER, amount REAL)');
    const insert = db.prepare('INSERT INTO d (id, title, quantity, amount) VALUES (?, ?, ?, ?)');
    const titles = ['a', 'b', null, 'c'];
    const amounts = [null, 1.5, 2, null, 1.5];
    for (let id = 1; id <= 24; id++) {
      insert.run(id, titles[id % 4], id % 3 === 0 ? null : id % 2, amounts[id % 5]);
    }
    afterAll(() => db.close());

    it.each([
      'title',
      '-title',
      'quantity,-amount',
      '-quantity,title,-amount',
      '-amount,-title',
      '',
    ])('sort=%s', (sort) => {
      const keys = parseSort(deal, sort);
      const cols = keys.map((k) => `t.\`${k.column}\``).join(', ');
      const all = db
        .prepare(`SELECT ${cols} FROM d t ORDER BY ${orderBySql(keys)}`)
        .all() as Record<string, unknown>[];
      for (const pageSize of [1, 2, 5]) {
        const seen: unknown[] = [];
        let cursor: string | undefined;
        for (let guard = 0; guard < 100; guard++) {
          const ks = cursor
            ? keysetCondition(keys, decodeCursor(keys, cursor))
            : { sql: '1=1', params: [] };
          const page = db
            .prepare(
              `SELECT ${cols} FROM d t WHERE ${ks.sql} ORDER BY ${orderBySql(keys)} LIMIT ${pageSize}`,
            )
            .all(...ks.params) as Record<string, unknown>[];
          seen.push(...page.map((r) => r.id));
          if (page.length < pageSize) break;
          cursor = encodeCursor(keys, page[page.length - 1]);
        }
        expect(seen).toEqual(all.map((r) => r.id));
      }
    });
  });
});
