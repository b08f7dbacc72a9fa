import mysql from 'mysql2/promise';
import { evaluate } from 'feelin';
import { type BenchSystem, CONDITION, type Steps } from './diagram';

const TABLES = [
  `CREATE TABLE raw_instance (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, process_key VARCHAR(191) NOT NULL,
    state VARCHAR(16) NOT NULL, variables LONGTEXT NOT NULL, started_by VARCHAR(64),
    started_at DATETIME(3) NOT NULL, ended_at DATETIME(3) NULL, version INT NOT NULL
  ) ENGINE=InnoDB`,
  `CREATE TABLE raw_task (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, instance_id BIGINT NOT NULL,
    element_id VARCHAR(191) NOT NULL, assignee VARCHAR(64), state VARCHAR(16) NOT NULL,
    created_at DATETIME(3) NOT NULL, completed_at DATETIME(3) NULL, completed_by VARCHAR(64),
    version INT NOT NULL, KEY ix_raw_task_state_assignee (state, assignee),
    KEY ix_raw_task_instance (instance_id)
  ) ENGINE=InnoDB`,
  `CREATE TABLE raw_history (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, instance_id BIGINT NOT NULL, element_id VARCHAR(191),
    event VARCHAR(16) NOT NULL, actor VARCHAR(64), detail LONGTEXT, at DATETIME(3) NOT NULL,
    KEY ix_raw_history_instance (instance_id, id)
  ) ENGINE=InnoDB`,
];

type Conn = mysql.PoolConnection;

async function tx<T>(pool: mysql.Pool, fn: (c: Conn) => Promise<T>): Promise<T> {
  const c = await pool.getConnection();
  try {
    await c.beginTransaction();
    const out = await fn(c);
    await c.commit();
    return out;
  } catch (e) {
    await c.rollback();
    throw e;
  } finally {
    c.release();
  }
}

/**
 * The floor: the same persisted effect as one instance of the diagram, hand-written with
 * mysql2/promise on minimal tables and one multi-row INSERT for the history of each step.
 * start = one transaction (instance + task + history); complete = one transaction (task row
 * locked FOR UPDATE, task updated, history, the gateway's FEEL condition, instance ended).
 */
export async function rawOnMysql(databaseUrl: string, poolSize: number): Promise<BenchSystem> {
  const u = new URL(databaseUrl);
  const pool = mysql.createPool({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    connectionLimit: poolSize,
  });
  for (const ddl of TABLES) await pool.query(ddl);
  let seq = 0;
  const history = (
    instanceId: number,
    actor: string,
    at: Date,
    events: Array<[string | null, string, string | null]>,
  ) => events.map(([element, event, detail]) => [instanceId, element, event, actor, detail, at]);
  return {
    name: 'raw',
    async iteration(approved) {
      const manager = `u${++seq}`;
      const t0 = performance.now();
      await tx(pool, async (c) => {
        const now = new Date();
        const [ins] = await c.execute<mysql.ResultSetHeader>(
          `INSERT INTO raw_instance (process_key, state, variables, started_by, started_at, version) VALUES ('bench_approval', 'active', ?, 'bench', ?, 1)`,
          [JSON.stringify({ manager }), now],
        );
        await c.execute(
          `INSERT INTO raw_task (instance_id, element_id, assignee, state, created_at, version) VALUES (?, 'approve', ?, 'created', ?, 1)`,
          [ins.insertId, manager, now],
        );
        await c.query(
          'INSERT INTO raw_history (instance_id, element_id, event, actor, detail, at) VALUES ?',
          [
            history(ins.insertId, 'bench', now, [
              [null, 'start', null],
              ['start', 'start', null],
              ['start', 'end', null],
              ['approve', 'start', null],
            ]),
          ],
        );
      });
      const t1 = performance.now();
      const [tasks] = await pool.execute<mysql.RowDataPacket[]>(
        `SELECT id FROM raw_task WHERE state = 'created' AND assignee = ?`,
        [manager],
      );
      if (tasks.length !== 1) throw new Error(`raw: ${tasks.length} tasks for ${manager}`);
      const t2 = performance.now();
      await tx(pool, async (c) => {
        const now = new Date();
        const [[task]] = await c.execute<mysql.RowDataPacket[]>(
          `SELECT t.id, t.instance_id, t.version, i.variables FROM raw_task t JOIN raw_instance i ON i.id = t.instance_id WHERE t.id = ? AND t.state = 'created' FOR UPDATE`,
          [tasks[0].id],
        );
        if (!task) throw new Error(`raw: task ${tasks[0].id} already completed`);
        await c.execute(
          `UPDATE raw_task SET state = 'completed', completed_at = ?, completed_by = ?, version = version + 1 WHERE id = ?`,
          [now, manager, task.id],
        );
        const variables = { ...JSON.parse(String(task.variables)), approved };
        const end = evaluate(CONDITION, variables).value === true ? 'approved' : 'rejected';
        if (end !== (approved ? 'approved' : 'rejected')) throw new Error('raw: wrong branch');
        await c.query(
          'INSERT INTO raw_history (instance_id, element_id, event, actor, detail, at) VALUES ?',
          [
            history(task.instance_id, manager, now, [
              ['approve', 'complete', JSON.stringify({ approved })],
              ['approve', 'end', null],
              ['gw', 'start', null],
              ['gw', 'end', null],
              [end, 'start', null],
              [end, 'end', null],
              [null, 'end', null],
            ]),
          ],
        );
        await c.execute(
          `UPDATE raw_instance SET state = 'completed', variables = ?, ended_at = ?, version = version + 1 WHERE id = ?`,
          [JSON.stringify(variables), now, task.instance_id],
        );
      });
      const t3 = performance.now();
      return { start: t1 - t0, find: t2 - t1, complete: t3 - t2 } satisfies Steps;
    },
    async states() {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        'SELECT state, COUNT(*) AS n FROM raw_instance GROUP BY state',
      );
      return Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
    },
    async close() {
      await pool.end();
    },
  };
}
