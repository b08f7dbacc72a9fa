import type { DataSource } from 'typeorm';
import { DataSourceDb, type SqlParam, openDataSource } from '@crm/common';
import {
  type TaskAssignment,
  type WorkflowViewer,
  instanceVisibleSql,
  listHasSql,
  mayWork,
  taskVisibleSql,
} from './visibility';

const viewer = (over: Partial<WorkflowViewer> = {}): WorkflowViewer => ({
  login: 'ann',
  groups: ['sales_manager'],
  seesAll: false,
  worksAll: false,
  cancelsAll: false,
  readableRecords: null,
  deny: (_a, _s, reason) => new Error(reason),
  ...over,
});
const task = (over: Partial<TaskAssignment> = {}): TaskAssignment => ({
  assignee: null,
  candidateUsers: [],
  candidateGroups: [],
  ...over,
});

describe('mayWork', () => {
  it.each([
    ['its assignee', task({ assignee: 'ann' }), viewer(), false, true],
    [
      "someone else's task",
      task({ assignee: 'bob', candidateUsers: ['ann'] }),
      viewer(),
      true,
      false,
    ],
    ['a candidate user', task({ candidateUsers: ['bob', 'ann'] }), viewer(), false, true],
    ['a candidate group', task({ candidateGroups: ['sales_manager'] }), viewer(), false, true],
    ['a group by prefix only', task({ candidateGroups: ['sales'] }), viewer(), true, false],
    ['an open task in a visible instance', task(), viewer(), true, true],
    ['an open task in a hidden instance', task(), viewer(), false, false],
    ['the operate override', task({ assignee: 'bob' }), viewer({ worksAll: true }), false, true],
    ['read on Workflow alone', task({ assignee: 'bob' }), viewer({ seesAll: true }), true, false],
  ])('%s', (_name, t, v, seesInstance, ok) => {
    expect(mayWork(t, v, { seesInstance, readsRecord: true }).ok).toBe(ok);
  });

  it('offers a group task only to holders who may read its record', () => {
    const t = task({ candidateGroups: ['sales_manager'] });
    expect(mayWork(t, viewer(), { seesInstance: false, readsRecord: false })).toEqual({
      ok: false,
      reason: expect.stringContaining('outside the records you may read'),
    });
    // a candidate named by login needs no record rights: the process named them
    expect(
      mayWork(task({ candidateUsers: ['ann'] }), viewer(), {
        seesInstance: false,
        readsRecord: false,
      }).ok,
    ).toBe(true);
  });

  it('names who may take it when refusing', () => {
    const r = mayWork(task({ candidateUsers: ['bob'], candidateGroups: ['finance'] }), viewer(), {
      seesInstance: true,
      readsRecord: true,
    });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('bob, group finance') });
  });
});

describe('visibility SQL (run on SQLite)', () => {
  let ds: DataSource;
  let db: DataSourceDb;
  beforeAll(async () => {
    ds = await openDataSource('sqlite::memory:');
    db = new DataSourceDb(ds);
    for (const sql of [
      'CREATE TABLE crm_wf_instance (id INTEGER PRIMARY KEY, started_by TEXT, record_entity TEXT, record_id INTEGER)',
      'CREATE TABLE crm_wf_task (id INTEGER PRIMARY KEY, instance_id INTEGER, assignee TEXT, candidate_users TEXT, candidate_groups TEXT, completed_by TEXT)',
      "INSERT INTO crm_wf_instance VALUES (1, 'ann', NULL, NULL), (2, 'bob', 'deal', 7), (3, 'bob', NULL, NULL), (4, 'bob', 'deal', 8), (5, 'bob', NULL, NULL)",
      `INSERT INTO crm_wf_task VALUES
        (10, 3, NULL, NULL, 'sales_manager,finance', NULL),
        (11, 3, NULL, NULL, 'sales_managers', NULL),
        (12, 5, NULL, 'x_ann,ann%', NULL, NULL),
        (13, 5, NULL, NULL, NULL, NULL),
        (14, 2, NULL, '', '', NULL),
        (15, 5, 'carl', NULL, 'sales_manager', NULL),
        (16, 4, NULL, NULL, 'finance', 'ann'),
        (17, 4, NULL, NULL, 'sales_manager', NULL)`,
    ])
      await db.execute(sql);
  });
  afterAll(() => ds.destroy());

  const ids = async (from: string, where: { sql: string; params: SqlParam[] }) =>
    (await db.query<{ id: number }>(`SELECT ${from} WHERE ${where.sql}`, where.params))
      .map((r) => Number(r.id))
      .sort((a, b) => a - b);
  const TASKS = 't.id FROM crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id';
  const INSTANCES = 'i.id FROM crm_wf_instance i';

  it('matches whole comma-separated entries, with LIKE wildcards taken literally', async () => {
    expect(await ids(TASKS, listHasSql('t.candidate_groups', 'sales_manager'))).toEqual([
      10, 15, 17,
    ]);
    expect(await ids(TASKS, listHasSql('t.candidate_users', 'ann%'))).toEqual([12]);
    expect(await ids(TASKS, listHasSql('t.candidate_users', 'ann'))).toEqual([]);
  });

  it('shows tasks to assignee, completer, candidates, and open tasks of visible instances', async () => {
    // 10 by group, 15 by group though carl holds it, 16 completed by ann; 13 and 14 are open
    // tasks of instances ann cannot see; 17 is her group's but about deal 8, which she cannot read
    expect(await ids(TASKS, taskVisibleSql(viewer()))).toEqual([10, 15, 16]);
    const readsDeal8 = viewer({
      readableRecords: { sql: "(i.record_entity = 'deal' AND i.record_id = 8)", params: [] },
    });
    expect(await ids(TASKS, taskVisibleSql(readsDeal8))).toEqual([10, 15, 16, 17]);
    const readsDeal7 = viewer({
      readableRecords: { sql: "(i.record_entity = 'deal' AND i.record_id = 7)", params: [] },
    });
    expect(await ids(TASKS, taskVisibleSql(readsDeal7))).toEqual([10, 14, 15, 16]);
  });

  it('shows instances started by the viewer, about readable records, or with a visible task', async () => {
    expect(await ids(INSTANCES, instanceVisibleSql(viewer()))).toEqual([1, 3, 4, 5]);
    expect(await ids(INSTANCES, instanceVisibleSql(viewer({ login: 'zed', groups: [] })))).toEqual(
      [],
    );
  });
});
