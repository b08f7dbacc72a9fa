import type { DataSource } from 'typeorm';
import { DataSourceDb, openDataSource } from '@crm/common';
import type { Exec } from './step';
import {
  TOKEN_BLOCK,
  TokenIds,
  activeTokens,
  migrateLegacyTokens,
  parseTokens,
  serializeTokens,
} from './tokens';

const token = (id: number, over: Partial<Exec> = {}): Exec => ({
  id,
  parentId: null,
  elementId: 'task',
  state: 'waiting',
  vars: null,
  loop: null,
  ...over,
});

describe('token column', () => {
  it('stores tokens in id order and reads them back as they were', () => {
    const tokens = [
      token(3005, { parentId: 3001, vars: { item: { a: 1 } }, loop: { index: 2 } }),
      token(3001, { elementId: 'sub', state: 'scope' }),
    ];
    const text = serializeTokens(tokens);
    expect(parseTokens(text)).toEqual([tokens[1], tokens[0]]);
  });

  it('reads a row without tokens as none', () => {
    expect(parseTokens(null)).toEqual([]);
    expect(parseTokens('[]')).toEqual([]);
  });

  it('shows where tokens are, without event subprocesses still listening', () => {
    const text = serializeTokens([
      token(1, { elementId: 'onCancel', state: 'listening' }),
      token(2, { elementId: 'approve' }),
    ]);
    expect(activeTokens(text)).toEqual([{ elementId: 'approve' }]);
  });
});

describe('TokenIds and the legacy token table (SQLite)', () => {
  let ds: DataSource;
  let db: DataSourceDb;
  const now = () => new Date('2026-11-30T08:00:00Z');
  beforeEach(async () => {
    ds = await openDataSource('sqlite::memory:');
    db = new DataSourceDb(ds);
    await db.execute(
      'CREATE TABLE crm_wf_token_block (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT)',
    );
  });
  afterEach(() => ds.destroy());

  it('hands out distinct ids from one block per transaction', async () => {
    const ids = new TokenIds(now);
    const first = await db.transaction(async (tx) => [await ids.take(tx), await ids.take(tx)]);
    const second = await db.transaction(async (tx) => [await ids.take(tx), await ids.take(tx)]);
    expect(first).toEqual([TOKEN_BLOCK, TOKEN_BLOCK + 1]);
    expect(second).toEqual([2 * TOKEN_BLOCK, 2 * TOKEN_BLOCK + 1]);
  });

  it('gives the ids of a rolled-back transaction out again, never a committed one', async () => {
    const ids = new TokenIds(now);
    await expect(
      db.transaction(async (tx) => {
        await ids.take(tx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // the block's row went with the rollback (nothing kept its ids): the next one is the same
    const committed = await db.transaction(async (tx) => ids.take(tx));
    expect(committed).toBe(TOKEN_BLOCK);
    // its row is committed now: the next transaction gets a block of its own
    expect(await db.transaction(async (tx) => ids.take(tx))).toBe(2 * TOKEN_BLOCK);
  });

  it('takes a new block after a savepoint rolled back the one it took', async () => {
    const ids = new TokenIds(now);
    const taken = await db.transaction(async (tx) => {
      const inside = await tx
        .savepoint(async (sp) => {
          await ids.take(sp);
          throw new Error('handler failed');
        })
        .catch(() => 'rolled back');
      expect(inside).toBe('rolled back');
      return ids.take(tx);
    });
    // committed with its block's row: the next transaction's block is a later one
    const [row] = await db.query<{ n: number }>('SELECT MAX(id) AS n FROM crm_wf_token_block');
    expect(Math.floor(taken / TOKEN_BLOCK)).toBe(Number(row.n));
    const next = await db.transaction(async (tx) => ids.take(tx));
    expect(next).toBeGreaterThan(taken);
    expect(Math.floor(next / TOKEN_BLOCK)).toBeGreaterThan(Math.floor(taken / TOKEN_BLOCK));
  });

  it('moves legacy token rows into their instances and starts blocks above every old id', async () => {
    for (const sql of [
      'CREATE TABLE crm_wf_instance (id INTEGER PRIMARY KEY, parent_execution_id INTEGER, tokens TEXT)',
      'CREATE TABLE crm_wf_execution (id INTEGER PRIMARY KEY, instance_id INTEGER, parent_id INTEGER, element_id TEXT, state TEXT, variables TEXT, loop_state TEXT)',
      'CREATE TABLE crm_wf_task (id INTEGER PRIMARY KEY, execution_id INTEGER)',
      'CREATE TABLE crm_wf_job (id INTEGER PRIMARY KEY, execution_id INTEGER)',
      'CREATE TABLE crm_wf_subscription (id INTEGER PRIMARY KEY, execution_id INTEGER)',
      'CREATE TABLE crm_wf_incident (id INTEGER PRIMARY KEY, execution_id INTEGER)',
      'INSERT INTO crm_wf_instance VALUES (1, NULL, NULL), (2, NULL, NULL), (3, 7, NULL)',
      `INSERT INTO crm_wf_execution VALUES (7, 1, NULL, 'call', 'waiting', NULL, NULL), (5, 2, NULL, 'mi', 'scope', NULL, '{"items":[1,2],"next":2}'), (6, 2, 5, 'task', 'waiting', '{"item":2}', '{"index":1}')`,
      // a completed task still names a token id above every live one: no new token may take it
      'INSERT INTO crm_wf_task VALUES (1, 2499)',
    ])
      await db.execute(sql);
    expect(await migrateLegacyTokens(db, now())).toBe(2);
    const rows = await db.query<{ id: number; tokens: string | null }>(
      'SELECT id, tokens FROM crm_wf_instance ORDER BY id',
    );
    expect(parseTokens(rows[0].tokens)).toEqual([token(7, { elementId: 'call' })]);
    expect(parseTokens(rows[1].tokens)).toEqual([
      token(5, { elementId: 'mi', state: 'scope', loop: { items: [1, 2], next: 2 } }),
      token(6, { parentId: 5, vars: { item: 2 }, loop: { index: 1 } }),
    ]);
    expect(rows[2].tokens).toBeNull();
    const gone = await db.query(`SELECT name FROM sqlite_master WHERE name = 'crm_wf_execution'`);
    expect(gone).toEqual([]);
    const id = await db.transaction(async (tx) => new TokenIds(now).take(tx));
    expect(id).toBeGreaterThan(2499);
    // a second boot has nothing to move
    expect(await migrateLegacyTokens(db, now())).toBe(0);
  });
});
