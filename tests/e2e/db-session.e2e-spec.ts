import { DataSourceDb, openDataSource } from '@crm/common';
import { dropDatabase, freshDatabaseUrl } from './support/harness';

/**
 * Every transaction on MySQL runs at READ COMMITTED (the engine's steps need it: after locking an
 * instance row, plain reads must see what the previous step committed) — set once per pooled
 * connection, so it must hold for every transaction on every connection of the pool.
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
});
