import mysql from 'mysql2/promise';
import { type CountersignSystem, SIGNERS } from './countersign';

/*
 * The floor: the persisted effect of the countersign hand-written with mysql2 on tables with the
 * columns and secondary indexes the engine's have (instance, execution, task, history), so both
 * pay the same index upkeep. No candidate rows: a task with an assignee alone has none in the
 * engine either.
 */
const TABLES = [
  `CREATE TABLE raw_instance (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, definition_id BIGINT NOT NULL,
    process_key VARCHAR(191) NOT NULL, state VARCHAR(16) NOT NULL, variables LONGTEXT NOT NULL,
    started_by VARCHAR(64), started_at DATETIME(3) NOT NULL, ended_at DATETIME(3) NULL,
    version INT NOT NULL, parent_instance_id BIGINT NULL, element_counts LONGTEXT,
    outcome VARCHAR(16),
    KEY ix_key_state (process_key, state), KEY ix_parent (parent_instance_id),
    KEY ix_started_by (started_by, parent_instance_id, id)
  ) ENGINE=InnoDB`,
  `CREATE TABLE raw_execution (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, instance_id BIGINT NOT NULL,
    element_id VARCHAR(191) NOT NULL, state VARCHAR(16) NOT NULL, parent_id BIGINT NULL,
    variables LONGTEXT, loop_state LONGTEXT, KEY ix_instance (instance_id, element_id)
  ) ENGINE=InnoDB`,
  `CREATE TABLE raw_task (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, instance_id BIGINT NOT NULL,
    execution_id BIGINT NOT NULL, element_id VARCHAR(191) NOT NULL, name VARCHAR(255),
    assignee VARCHAR(64), state VARCHAR(16) NOT NULL, created_at DATETIME(3) NOT NULL,
    completed_at DATETIME(3) NULL, completed_by VARCHAR(64), version INT NOT NULL,
    due_at DATETIME(3) NULL, outcome VARCHAR(16),
    KEY ix_state_assignee (state, assignee), KEY ix_state_due (state, due_at),
    KEY ix_instance (instance_id), KEY ix_assignee (assignee), KEY ix_completed_by (completed_by)
  ) ENGINE=InnoDB`,
  `CREATE TABLE raw_history (
    id BIGINT AUTO_INCREMENT PRIMARY KEY, instance_id BIGINT NOT NULL, element_id VARCHAR(191),
    element_type VARCHAR(64), event VARCHAR(16) NOT NULL, actor VARCHAR(64), detail LONGTEXT,
    at DATETIME(3) NOT NULL, KEY ix_instance (instance_id, id), KEY ix_actor (actor, event)
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

interface Loop {
  items: string[];
  completed: number;
  decisions: Array<string | null>;
}

/**
 * start = one transaction: the instance, the multi-instance body and one token and one task per
 * approver, the history in one multi-row INSERT. A decision = one transaction: the task with its
 * token, the body and the instance, locked FOR UPDATE in one SELECT; the task closed by version;
 * the token gone; the body's tally kept (or, on the fifth, the body gone and the instance
 * completed with its element counts); the history in one multi-row INSERT; the instance's version
 * and variables written.
 */
export async function rawOnMysql(
  databaseUrl: string,
  poolSize: number,
): Promise<CountersignSystem> {
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
    rows: Array<[string | null, string, string, string | null]>,
  ) => rows.map(([el, type, event, detail]) => [instanceId, el, type, event, actor, detail, at]);
  const insertHistory = (c: Conn, rows: unknown[][]) =>
    c.query(
      'INSERT INTO raw_history (instance_id, element_id, element_type, event, actor, detail, at) VALUES ?',
      [rows],
    );
  return {
    name: 'raw',
    async start() {
      const n = ++seq;
      const approvers = Array.from({ length: SIGNERS }, (_, k) => `a${n}_${k}`);
      return tx(pool, async (c) => {
        const now = new Date();
        const vars = JSON.stringify({ approvers });
        const [ins] = await c.execute<mysql.ResultSetHeader>(
          `INSERT INTO raw_instance (definition_id, process_key, state, variables, started_by, started_at, version) VALUES (1, 'bench_countersign', 'active', ?, 'bench', ?, 1)`,
          [vars, now],
        );
        const id = ins.insertId;
        const loop: Loop = { items: approvers, completed: 0, decisions: approvers.map(() => null) };
        const [body] = await c.execute<mysql.ResultSetHeader>(
          `INSERT INTO raw_execution (instance_id, element_id, state, loop_state) VALUES (?, 'sign', 'scope', ?)`,
          [id, JSON.stringify(loop)],
        );
        const hist: Array<[string | null, string, string, string | null]> = [
          [null, 'Process', 'start', vars],
          ['start', 'StartEvent', 'start', null],
          ['start', 'StartEvent', 'end', null],
          ['sign', 'UserTask', 'start', null],
        ];
        for (let k = 0; k < SIGNERS; k++) {
          const [inner] = await c.execute<mysql.ResultSetHeader>(
            `INSERT INTO raw_execution (instance_id, element_id, state, parent_id, variables, loop_state) VALUES (?, 'sign', 'waiting', ?, ?, ?)`,
            [
              id,
              body.insertId,
              JSON.stringify({ loopCounter: k + 1, approver: approvers[k] }),
              JSON.stringify({ index: k }),
            ],
          );
          await c.execute(
            `INSERT INTO raw_task (instance_id, execution_id, element_id, name, assignee, state, created_at, version) VALUES (?, ?, 'sign', 'Countersign', ?, 'created', ?, 1)`,
            [id, inner.insertId, approvers[k], now],
          );
          hist.push(['sign', 'UserTask', 'start', null]);
        }
        await insertHistory(c, history(id, 'bench', now, hist));
        return id;
      });
    },
    async decide(instanceId) {
      const [tasks] = await pool.execute<mysql.RowDataPacket[]>(
        `SELECT id, assignee FROM raw_task WHERE instance_id = ? AND state = 'created' ORDER BY id`,
        [instanceId],
      );
      if (tasks.length !== SIGNERS)
        throw new Error(`raw: ${tasks.length} open tasks in ${instanceId}`);
      let ended = false;
      for (const t of tasks) {
        ended = await tx(pool, async (c) => {
          const now = new Date();
          const actor = String(t.assignee);
          const [[row]] = await c.execute<mysql.RowDataPacket[]>(
            `SELECT t.id, t.version, t.execution_id, ie.parent_id, ie.loop_state AS inner_loop, be.loop_state, i.version AS iv, i.variables FROM raw_task t JOIN raw_execution ie ON ie.id = t.execution_id JOIN raw_execution be ON be.id = ie.parent_id JOIN raw_instance i ON i.id = t.instance_id WHERE t.id = ? AND t.state = 'created' FOR UPDATE`,
            [t.id],
          );
          if (!row) throw new Error(`raw: task ${t.id} is not open`);
          const [closed] = await c.execute<mysql.ResultSetHeader>(
            `UPDATE raw_task SET state = 'completed', outcome = 'approve', completed_at = ?, completed_by = ?, version = version + 1 WHERE id = ? AND version = ?`,
            [now, actor, t.id, row.version],
          );
          if (closed.affectedRows !== 1) throw new Error(`raw: task ${t.id} changed`);
          const loop = JSON.parse(String(row.loop_state)) as Loop;
          loop.decisions[JSON.parse(String(row.inner_loop)).index] = 'approve';
          loop.completed++;
          const detail = JSON.stringify({ taskId: t.id });
          const hist: Array<[string | null, string, string, string | null]> = [
            ['sign', 'UserTask', 'approve', detail],
            ['sign', 'UserTask', 'end', null],
          ];
          // the decision propagates to the process scope, as Zeebe propagates completion variables
          const vars = JSON.parse(String(row.variables)) as Record<string, unknown>;
          if (vars.decision !== 'approve')
            hist.push([null, 'Process', 'variables', '{"decision":"approve"}']);
          vars.decision = 'approve';
          const last = loop.completed === loop.items.length;
          if (last) {
            // the node's outcome (all approved), the end event, the instance completed
            await c.execute('DELETE FROM raw_execution WHERE id IN (?, ?)', [
              row.execution_id,
              row.parent_id,
            ]);
            hist.push(
              ['sign', 'UserTask', 'end', null],
              ['end', 'EndEvent', 'start', null],
              ['end', 'EndEvent', 'end', null],
              [null, 'Process', 'end', null],
            );
          } else {
            await c.execute('DELETE FROM raw_execution WHERE id = ?', [row.execution_id]);
            await c.execute('UPDATE raw_execution SET loop_state = ? WHERE id = ?', [
              JSON.stringify(loop),
              row.parent_id,
            ]);
          }
          await insertHistory(c, history(instanceId, actor, now, hist));
          const [moved] = await c.execute<mysql.ResultSetHeader>(
            `UPDATE raw_instance SET variables = ?, state = ?, ended_at = ?, element_counts = ?, version = version + 1 WHERE id = ? AND version = ?`,
            [
              JSON.stringify(vars),
              last ? 'completed' : 'active',
              last ? now : null,
              JSON.stringify({
                start: 1,
                sign: loop.completed + (last ? 1 : 0),
                ...(last && { end: 1 }),
              }),
              instanceId,
              row.iv,
            ],
          );
          if (moved.affectedRows !== 1) throw new Error(`raw: instance ${instanceId} changed`);
          return last;
        });
      }
      if (!ended) throw new Error(`raw: instance ${instanceId} did not end`);
      return tasks.length;
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
