import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@crm/common';
import { DeploymentsService, EngineService } from '@crm/workflow';
import { createServer } from '../../../apps/server/src/bootstrap';
import { type BenchSystem, DIAGRAM, PROCESS_KEY, type Steps } from './diagram';

/**
 * Our engine in-process: the whole NestJS app booted on a fresh MySQL database (as `npm start`
 * would, minus the HTTP listener), driven through EngineService. Every step is persisted.
 */
export async function oursOnMysql(databaseUrl: string, poolSize: number): Promise<BenchSystem> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-wf-'));
  for (const d of ['metadata', 'workflows']) fs.mkdirSync(path.join(dir, d));
  const app: INestApplication = await createServer(
    loadConfig({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      METADATA_DIR: path.join(dir, 'metadata'),
      WORKFLOWS_DIR: path.join(dir, 'workflows'),
      META_POLL_MS: '0',
      DEMO_DATA: 'false',
      DB_POOL_SIZE: String(poolSize),
    }),
    { logger: false },
  );
  const engine = app.get(EngineService);
  await app.get(DeploymentsService).deploy(DIAGRAM, 'bench', 'bench.bpmn');
  let seq = 0;
  return {
    name: 'ours',
    async iteration(approved) {
      // a unique assignee per instance, so "find its task" is the inbox query a user would run
      const manager = `u${++seq}`;
      const t0 = performance.now();
      await engine.start({ processKey: PROCESS_KEY, variables: { manager } }, 'bench');
      const t1 = performance.now();
      const tasks = await engine.tasks({ assignee: manager, state: 'created' });
      if (tasks.length !== 1) throw new Error(`ours: ${tasks.length} tasks for ${manager}`);
      const t2 = performance.now();
      const done = await engine.completeTask(tasks[0].id, { variables: { approved } }, manager);
      const t3 = performance.now();
      const end = approved ? 'approved' : 'rejected';
      if (done.state !== 'completed' || done.completedElements[end] !== 1)
        throw new Error(`ours: instance ${done.id} ended ${JSON.stringify(done)}`);
      return { start: t1 - t0, find: t2 - t1, complete: t3 - t2 } satisfies Steps;
    },
    async states() {
      const conn = await import('mysql2/promise').then((m) =>
        m.default.createConnection(databaseUrl),
      );
      const [rows] = (await conn.query(
        'SELECT state, COUNT(*) AS n FROM crm_wf_instance GROUP BY state',
      )) as unknown as [Array<{ state: string; n: number }>];
      await conn.end();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
    async close() {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
