import { DataSourceDb, openDataSource } from '@crm/common';
import { dropDatabase, freshDatabaseUrl } from './support/harness';

/**
 * Every transaction on MySQL runs at READ COMMITTED (the engine's steps need it: after locking an
 * instance row, plain reads must see what the previous step committed) — set once per pooled
 * connection, so it must hold for every transaction on every connection of the pool.
 *
 * Transactions run on a pool of their own with autocommit off (no START TRANSACTION per
 * transaction, libs/common/src/db.ts): what a transaction began must commit or roll back whole,
 * and statements outside transactions must still autocommit.
 */
describe('MySQL transactions', () => {
  it('run at READ COMMITTED on every pooled connection, also after reuse', async () => {
    const url = await freshDatabaseUrl('mysql', '/tmp');
    const ds = await openDataSource(url, 3);
    try {
      const db = new DataSourceDb(ds);
      const levels = await Promise.all(
        Array.from({ length: 12 }, () =>
          db.transaction(async (tx) => {
            const [r] = await tx.query<{ level: string }>('SELECT @@tx_isolation AS level');
            // hold the connection a moment so the pool hands out all three
            await tx.query('SELECT SLEEP(0.02)');
            return r.level;
          }),
        ),
      );
      expect(new Set(levels)).toEqual(new Set(['READ-COMMITTED']));
    } finally {
      await ds.destroy();
      await dropDatabase(url);
    }
  });

  it('commit or roll back whole; statements outside them autocommit; nothing leaks between them', async () => {
    const url = await freshDatabaseUrl('mysql', '/tmp');
    const ds = await openDataSource(url, 2);
    const other = await openDataSource(url, 1);
    try {
      const db = new DataSourceDb(ds);
      const seen = new DataSourceDb(other);
      await db.execute('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))');
      const count = async () =>
        Number((await seen.query<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n);
      // outside a transaction: visible to another connection at once
      await db.execute(`INSERT INTO t VALUES (1, 'a')`);
      expect(await count()).toBe(1);
      // a failing transaction leaves nothing, on each connection of the pool, several times
      for (let i = 0; i < 6; i++)
        await expect(
          db.transaction(async (tx) => {
            await tx.execute('INSERT INTO t VALUES (?, ?)', [100 + i, 'x']);
            expect(
              Number((await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM t'))[0].n),
            ).toBe(2);
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
      expect(await count()).toBe(1);
      // a committed one is visible to another connection as soon as it returns
      await db.transaction(async (tx) => {
        await tx.execute(`INSERT INTO t VALUES (2, 'b')`);
        await tx.execute(`UPDATE t SET v = 'c' WHERE id = 1`);
        // not before its commit
        expect(await count()).toBe(1);
      });
      expect(await count()).toBe(2);
      // a savepoint undoes only its own writes
      await db.transaction(async (tx) => {
        await tx.execute(`INSERT INTO t VALUES (3, 'd')`);
        await tx
          .savepoint(async (sp) => {
            await sp.execute(`INSERT INTO t VALUES (4, 'e')`);
            throw new Error('handler failed');
          })
          .catch(() => undefined);
      });
      expect(
        (await seen.query<{ id: number }>('SELECT id FROM t ORDER BY id')).map((r) => r.id),
      ).toEqual([1, 2, 3]);
      // a transaction that failed after locking a row leaves no lock behind: another
      // connection locks it at once (within a 1 s lock wait)
      await expect(
        db.transaction(async (tx) => {
          await tx.query('SELECT * FROM t WHERE id = 1 FOR UPDATE');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await seen.transaction(async (tx) => {
        await tx.query('SET SESSION innodb_lock_wait_timeout = 1');
        await tx.query('SELECT * FROM t WHERE id = 1 FOR UPDATE');
      });
    } finally {
      await ds.destroy();
      await other.destroy();
      await dropDatabase(url);
    }
  });
});
