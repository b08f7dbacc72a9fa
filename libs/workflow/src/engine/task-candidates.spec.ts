import type { DataSource } from 'typeorm';
import { DataSourceDb, openDataSource } from '@crm/common';
import { backfillCandidates, candidateRows } from './task-candidates';

describe('candidateRows', () => {
  it('writes one row per user and group, trimmed', () => {
    expect(candidateRows(7, null, 'a, b', 'ann')).toEqual([
      [7, 'user', 'ann'],
      [7, 'group', 'a'],
      [7, 'group', 'b'],
    ]);
  });

  it('marks a task offered to nobody as open, unless it is assigned', () => {
    expect(candidateRows(7, null, null, '')).toEqual([[7, 'open', '']]);
    expect(candidateRows(7, 'bob', null, null)).toEqual([]);
  });
});

describe('backfillCandidates (SQLite)', () => {
  let ds: DataSource;
  let db: DataSourceDb;
  beforeAll(async () => {
    ds = await openDataSource('sqlite::memory:');
    db = new DataSourceDb(ds);
    for (const sql of [
      'CREATE TABLE crm_setting (setting_key TEXT PRIMARY KEY, value TEXT)',
      'CREATE TABLE crm_wf_task (id INTEGER PRIMARY KEY, assignee TEXT, candidate_groups TEXT, candidate_users TEXT, state TEXT)',
      'CREATE TABLE crm_wf_task_candidate (id INTEGER PRIMARY KEY, task_id INTEGER, kind TEXT, name TEXT)',
    ])
      await db.execute(sql);
    // 1200 open tasks (more than one batch), one assigned, one completed, one already filled
    for (let i = 1; i <= 1200; i++)
      await db.execute("INSERT INTO crm_wf_task VALUES (?, NULL, ?, NULL, 'created')", [
        i,
        i % 2 ? 'g1,g2' : null,
      ]);
    await db.execute("INSERT INTO crm_wf_task VALUES (1201, 'bob', NULL, NULL, 'created')");
    await db.execute("INSERT INTO crm_wf_task VALUES (1202, NULL, 'g1', NULL, 'completed')");
    await db.execute("INSERT INTO crm_wf_task VALUES (1203, NULL, 'g9', NULL, 'created')");
    await db.execute(
      "INSERT INTO crm_wf_task_candidate (task_id, kind, name) VALUES (1203, 'group', 'g9')",
    );
  });
  afterAll(() => ds.destroy());

  it('fills the open tasks once, and not again', async () => {
    expect(await backfillCandidates(db)).toBe(1201);
    const count = async () =>
      Number(
        (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM crm_wf_task_candidate'))[0].n,
      );
    // 600 tasks × 2 groups + 600 open + the one already there
    expect(await count()).toBe(600 * 2 + 600 + 1);
    const of = async (id: number) =>
      db.query('SELECT kind, name FROM crm_wf_task_candidate WHERE task_id = ? ORDER BY name', [
        id,
      ]);
    expect(await of(1)).toEqual([
      { kind: 'group', name: 'g1' },
      { kind: 'group', name: 'g2' },
    ]);
    expect(await of(2)).toEqual([{ kind: 'open', name: '' }]);
    expect(await of(1202)).toEqual([]);
    await db.execute("INSERT INTO crm_wf_task VALUES (1204, NULL, 'late', NULL, 'created')");
    expect(await backfillCandidates(db)).toBe(0);
    expect(await count()).toBe(1801);
  });
});
