import type { DataSource } from 'typeorm';
import { CrmError, DataSourceDb, openDataSource, toDbTimestamp } from '@crm/common';
import {
  type InboxCursor,
  type InboxSort,
  containsPattern,
  decodeInboxCursor,
  dueStateOf,
  encodeInboxCursor,
  keysetSql,
  orderBySql,
  parseInboxQuery,
} from './inbox-query';
import { dueState } from '../engine/due-state';

const ENTITIES = new Set(['deal', 'quote']);
const parse = (q: Record<string, string | undefined>) => parseInboxQuery(q, ENTITIES);
const failure = (q: Record<string, string | undefined>) => {
  try {
    parse(q);
  } catch (e) {
    if (e instanceof CrmError) return { code: e.code, paths: e.errors.map((x) => x.path) };
    throw e;
  }
  throw new Error('accepted');
};

describe('parseInboxQuery', () => {
  it('gives each box its default sort and a page of 20', () => {
    expect(parse({ box: 'pending' })).toEqual({
      box: 'pending',
      sort: 'due',
      limit: 20,
      processKey: undefined,
      entity: undefined,
      due: undefined,
      text: undefined,
      cursor: undefined,
    });
    for (const box of ['done', 'cc', 'initiated']) expect(parse({ box }).sort).toBe('newest');
  });

  it('reads every filter', () => {
    expect(
      parse({
        box: 'cc',
        processKey: 'quote_approval',
        entity: 'quote',
        due: 'overdue',
        q: '  acme ',
        sort: 'due',
        limit: '100',
      }),
    ).toMatchObject({
      processKey: 'quote_approval',
      entity: 'quote',
      due: 'overdue',
      text: 'acme',
      sort: 'due',
      limit: 100,
    });
  });

  it.each([
    { title: 'no box', input: {}, paths: ['box'] },
    { title: 'an unknown box', input: { box: 'todo' }, paths: ['box'] },
    { title: 'an unknown sort', input: { box: 'done', sort: 'oldest' }, paths: ['sort'] },
    { title: 'an unknown due state', input: { box: 'cc', due: 'late' }, paths: ['due'] },
    { title: 'due on decided tasks', input: { box: 'done', due: 'dueSoon' }, paths: ['due'] },
    { title: 'limit 0', input: { box: 'cc', limit: '0' }, paths: ['limit'] },
    { title: 'limit over 100', input: { box: 'cc', limit: '101' }, paths: ['limit'] },
    { title: 'a fractional limit', input: { box: 'cc', limit: '2.5' }, paths: ['limit'] },
    { title: 'an unknown entity', input: { box: 'cc', entity: 'Deal' }, paths: ['entity'] },
    { title: 'long text', input: { box: 'cc', q: 'x'.repeat(101) }, paths: ['q'] },
    {
      title: 'a long process key',
      input: { box: 'cc', processKey: 'k'.repeat(192) },
      paths: ['processKey'],
    },
    { title: 'a bad cursor', input: { box: 'cc', cursor: 'abc' }, paths: ['cursor'] },
    {
      title: 'every problem at once',
      input: { box: 'done', due: 'overdue', limit: '-1', sort: 'x' },
      paths: ['sort', 'due', 'limit'],
    },
  ])('refuses $title naming the parameter', ({ input, paths }) => {
    expect(failure(input)).toEqual({ code: 'QUERY_INVALID', paths });
  });

  it('accepts its own cursor back and refuses one of another box or sort', () => {
    const cursor = encodeInboxCursor('pending', 'due', { due: '2026-03-15T08:00:00.000Z', id: 7 });
    expect(parse({ box: 'pending', cursor }).cursor).toEqual({
      due: '2026-03-15T08:00:00.000Z',
      id: 7,
    });
    expect(failure({ box: 'done', sort: 'due', cursor }).paths).toEqual(['cursor']);
    expect(failure({ box: 'pending', sort: 'newest', cursor }).paths).toEqual(['cursor']);
  });
});

describe('the inbox cursor', () => {
  it.each([
    ['pending', 'due', { due: null, id: 3 }],
    ['cc', 'newest', { due: null, id: 12 }],
    ['initiated', 'due', { due: '2026-01-02T03:04:05.006Z', id: 9 }],
  ] as const)('round-trips %s / %s', (box, sort, at) => {
    expect(decodeInboxCursor(encodeInboxCursor(box, sort, at), box, sort)).toEqual(at);
  });

  const raw = (body: unknown[]) => Buffer.from(JSON.stringify(body)).toString('base64url');
  it.each([
    ['not base64 JSON', 'a', 'newest'],
    ['a negative id', raw(['cc', 'newest', -1]), 'newest'],
    ['a text id', raw(['cc', 'newest', '1']), 'newest'],
    ['a due date that is not one', raw(['cc', 'due', 'soon', 1]), 'due'],
    ['a due sort without its due key', raw(['cc', 'due', 1]), 'due'],
    ['a newest sort with a due key', raw(['cc', 'newest', null, 1]), 'newest'],
  ] as const)('refuses %s', (_title, cursor, sort) => {
    expect(decodeInboxCursor(cursor, 'cc', sort)).toBeUndefined();
  });
});

describe('dueStateOf', () => {
  it('agrees with the engine on every boundary (one rule for badges, filters and the task API)', () => {
    const at = new Date('2026-03-15T08:00:00.000Z');
    for (const ms of [-1, 0, 1, 24 * 3_600_000 - 1, 24 * 3_600_000, 24 * 3_600_000 + 1]) {
      const due = new Date(at.getTime() + ms).toISOString();
      expect(dueStateOf(due, { now: at, soonHours: 24 })).toBe(dueState(due, 'created', at, 24));
    }
  });

  const now = new Date('2026-03-15T08:00:00.000Z');
  it.each([
    [null, null],
    ['2026-03-15T07:59:59.999Z', 'overdue'],
    ['2026-03-15T08:00:00.000Z', 'overdue'],
    ['2026-03-15T08:00:00.001Z', 'dueSoon'],
    ['2026-03-16T08:00:00.000Z', 'dueSoon'],
    ['2026-03-16T08:00:00.001Z', 'ok'],
  ])('%s is %s', (dueAt, state) => {
    expect(dueStateOf(dueAt, { now, soonHours: 24 })).toBe(state);
  });
  it('takes the window from the setting (TASK_DUE_SOON_HOURS)', () => {
    expect(dueStateOf('2026-03-15T11:00:00.000Z', { now, soonHours: 2 })).toBe('ok');
    expect(dueStateOf('2026-03-15T10:00:00.000Z', { now, soonHours: 2 })).toBe('dueSoon');
    expect(dueStateOf('2026-03-15T10:00:00.001Z', { now, soonHours: 2 })).toBe('ok');
    expect(dueStateOf('2026-03-17T07:00:00.000Z', { now, soonHours: 72 })).toBe('dueSoon');
  });
});

describe('containsPattern', () => {
  it('takes LIKE wildcards and the escape character literally', () => {
    expect(containsPattern('50%_off!')).toBe('%50!%!_off!!%');
  });
});

describe('keyset paging on a real database', () => {
  let ds: DataSource;
  let db: DataSourceDb;
  // due dates with ties and missing ones, ids not in due order
  const rows: Array<[number, string | null]> = [
    [1, '2026-03-16T10:00:00.000Z'],
    [2, null],
    [3, '2026-03-15T09:00:00.000Z'],
    [4, '2026-03-16T10:00:00.000Z'],
    [5, null],
    [6, '2026-03-14T00:00:00.000Z'],
    [7, '2026-03-16T10:00:00.000Z'],
  ];
  beforeAll(async () => {
    ds = await openDataSource('sqlite::memory:');
    db = new DataSourceDb(ds);
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, due_at TEXT NULL)');
    for (const [id, due] of rows)
      await db.execute('INSERT INTO t (id, due_at) VALUES (?, ?)', [
        id,
        due ? toDbTimestamp(new Date(due)) : null,
      ]);
  });
  afterAll(() => ds.destroy());

  const walk = async (sort: InboxSort, size: number) => {
    const cols = { due: 't.due_at', id: 't.id' };
    const seen: number[] = [];
    let at: InboxCursor | undefined;
    for (let page = 0; page < 10; page++) {
      const after = at ? keysetSql(sort, at, cols) : { sql: '1=1', params: [] };
      const got = await db.query<{ id: number; due_at: string | null }>(
        `SELECT id, due_at FROM t WHERE ${after.sql} ORDER BY ${orderBySql(sort, cols)} LIMIT ${size}`,
        after.params,
      );
      if (!got.length) break;
      seen.push(...got.map((r) => Number(r.id)));
      const last = got[got.length - 1];
      at = {
        due: last.due_at ? new Date(`${last.due_at.replace(' ', 'T')}Z`).toISOString() : null,
        id: Number(last.id),
      };
    }
    return seen;
  };

  it.each([1, 2, 3, 7])(
    'walks soonest due first, ties by id, no due date last (pages of %i)',
    async (size) => {
      expect(await walk('due', size)).toEqual([6, 3, 1, 4, 7, 2, 5]);
    },
  );

  it.each([1, 3])('walks newest first (pages of %i)', async (size) => {
    expect(await walk('newest', size)).toEqual([7, 6, 5, 4, 3, 2, 1]);
  });
});
