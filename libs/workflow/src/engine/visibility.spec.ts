import type { DataSource } from 'typeorm';
import { DataSourceDb, type SqlParam, openDataSource } from '@crm/common';
import {
  type TaskAssignment,
  type WorkflowViewer,
  hasCandidateSql,
  instanceVisibleSql,
  mayWork,
  taskVisibleSql,
  visibleTasksSql,
} from './visibility';

const viewer = (over: Partial<WorkflowViewer> = {}): WorkflowViewer => ({
  login: 'ann',
  groups: ['sales_manager'],
  seesAll: false,
  worksAll: false,
  cancelsAll: false,
  readableRecords: () => null,
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
    expect(mayWork(t, v, { seesInstance, readsRecord: true, startedByViewer: false }).ok).toBe(ok);
  });

  it('offers a group task only to holders who may read its record', () => {
    const t = task({ candidateGroups: ['sales_manager'] });
    expect(
      mayWork(t, viewer(), { seesInstance: false, readsRecord: false, startedByViewer: false }),
    ).toEqual({
      ok: false,
      reason: expect.stringContaining('outside the records you may read'),
    });
    // a candidate named by login needs no record rights: the process named them
    expect(
      mayWork(task({ candidateUsers: ['ann'] }), viewer(), {
        seesInstance: false,
        readsRecord: false,
        startedByViewer: false,
      }).ok,
    ).toBe(true);
  });

  it('never offers a group task to the one who started the process', () => {
    const facts = { seesInstance: true, readsRecord: true, startedByViewer: true };
    expect(mayWork(task({ candidateGroups: ['sales_manager'] }), viewer(), facts)).toEqual({
      ok: false,
      reason: expect.stringContaining('you started this process'),
    });
    // named by the process, the starter may: `assignee="=initiator"`, or as a candidate user
    expect(mayWork(task({ assignee: 'ann' }), viewer(), facts).ok).toBe(true);
    expect(mayWork(task({ candidateUsers: ['ann'] }), viewer(), facts).ok).toBe(true);
  });

  it('names who may take it when refusing', () => {
    const r = mayWork(task({ candidateUsers: ['bob'], candidateGroups: ['finance'] }), viewer(), {
      seesInstance: true,
      readsRecord: true,
      startedByViewer: false,
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
      'CREATE TABLE crm_wf_task (id INTEGER PRIMARY KEY, instance_id INTEGER, assignee TEXT, candidate_users TEXT, candidate_groups TEXT, completed_by TEXT, state TEXT)',
      "INSERT INTO crm_wf_instance VALUES (1, 'ann', NULL, NULL), (2, 'bob', 'deal', 7), (3, 'bob', NULL, NULL), (4, 'bob', 'deal', 8), (5, 'bob', NULL, NULL)",
      `INSERT INTO crm_wf_task VALUES
        (10, 3, NULL, NULL, 'sales_manager,finance', NULL, 'created'),
        (11, 3, NULL, NULL, 'sales_managers', NULL, 'created'),
        (12, 5, NULL, 'x_ann,ann%', NULL, NULL, 'created'),
        (13, 5, NULL, NULL, NULL, NULL, 'created'),
        (14, 2, NULL, '', '', NULL, 'created'),
        (15, 5, 'carl', NULL, 'sales_manager', NULL, 'created'),
        (16, 4, NULL, NULL, 'finance', 'ann', 'completed'),
        (17, 4, NULL, NULL, 'sales_manager', NULL, 'created')`,
      'CREATE TABLE crm_wf_task_candidate (id INTEGER PRIMARY KEY, task_id INTEGER, kind TEXT, name TEXT)',
      'CREATE TABLE crm_wf_cc (id INTEGER PRIMARY KEY, instance_id INTEGER, login TEXT)',
      // as the engine writes them: open tasks only (16 is completed), `open` for no candidates
      `INSERT INTO crm_wf_task_candidate (task_id, kind, name) VALUES
        (10, 'group', 'sales_manager'), (10, 'group', 'finance'), (11, 'group', 'sales_managers'),
        (12, 'user', 'x_ann'), (12, 'user', 'ann%'), (13, 'open', ''), (14, 'open', ''),
        (15, 'group', 'sales_manager'), (17, 'group', 'sales_manager')`,
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

  it('matches candidate names exactly, with LIKE wildcards taken literally', async () => {
    expect(await ids(TASKS, hasCandidateSql('t', 'group', ['sales_manager']))).toEqual([
      10, 15, 17,
    ]);
    expect(await ids(TASKS, hasCandidateSql('t', 'user', ['ann%']))).toEqual([12]);
    expect(await ids(TASKS, hasCandidateSql('t', 'user', ['ann']))).toEqual([]);
    expect(await ids(TASKS, hasCandidateSql('t', 'group', []))).toEqual([]);
  });

  it('finds by index exactly the tasks the per-row rule shows', async () => {
    const found = async (v: WorkflowViewer, state?: string) =>
      (
        await db.query<{ id: number }>(
          visibleTasksSql(v, { state }).sql,
          visibleTasksSql(v, { state }).params,
        )
      )
        .map((r) => Number(r.id))
        .sort((a, b) => a - b);
    const readsDeal7 = viewer({
      readableRecords: (i) => ({
        sql: `(${i}.record_entity = 'deal' AND ${i}.record_id = 7)`,
        params: [],
      }),
    });
    for (const v of [
      viewer(),
      readsDeal7,
      viewer({ login: 'carl', groups: [] }),
      viewer({ login: 'bob', groups: ['finance'] }),
    ]) {
      expect(await found(v)).toEqual(await ids(TASKS, taskVisibleSql(v)));
    }
    expect(await found(viewer(), 'created')).toEqual([10, 15]);
    // a page limit cuts each branch, never the first tasks overall
    const firstOf = async (v: WorkflowViewer, limit: number) =>
      (
        await db.query<{ id: number }>(
          visibleTasksSql(v, { limit }).sql,
          visibleTasksSql(v, { limit }).params,
        )
      )
        .map((r) => Number(r.id))
        .sort((a, b) => a - b)
        .slice(0, limit);
    expect(await firstOf(readsDeal7, 2)).toEqual([10, 14]);
    expect(await firstOf(readsDeal7, 3)).toEqual([10, 14, 15]);
  });

  it('shows tasks to assignee, completer, candidates, and open tasks of visible instances', async () => {
    // 10 by group, 15 by group though carl holds it, 16 completed by ann; 13 and 14 are open
    // tasks of instances ann cannot see; 17 is her group's but about deal 8, which she cannot read
    expect(await ids(TASKS, taskVisibleSql(viewer()))).toEqual([10, 15, 16]);
    const readsDeal8 = viewer({
      readableRecords: (i) => ({
        sql: `(${i}.record_entity = 'deal' AND ${i}.record_id = 8)`,
        params: [],
      }),
    });
    expect(await ids(TASKS, taskVisibleSql(readsDeal8))).toEqual([10, 15, 16, 17]);
    // bob started instances 2-5: their group tasks are not his; their open tasks are
    expect(
      await ids(
        TASKS,
        taskVisibleSql(viewer({ login: 'bob', groups: ['sales_manager', 'finance'] })),
      ),
    ).toEqual([13, 14]);
    const readsDeal7 = viewer({
      readableRecords: (i) => ({
        sql: `(${i}.record_entity = 'deal' AND ${i}.record_id = 7)`,
        params: [],
      }),
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
