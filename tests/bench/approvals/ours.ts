import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@crm/common';
import { DeploymentsService, EngineService } from '@crm/workflow';
import { createServer } from '../../../apps/server/src/bootstrap';
import { type CountersignSystem, DIAGRAM, PROCESS_KEY, SIGNERS } from './countersign';

/**
 * Our engine in-process: the NestJS app on a fresh MySQL database (as bench:workflow boots it),
 * driven through EngineService: `start`, `tasks` (the instance's open tasks) and `act` (the
 * approval action API behind POST /api/tasks/:id/actions), every step persisted.
 */
export async function oursOnMysql(
  databaseUrl: string,
  poolSize: number,
): Promise<CountersignSystem> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-approvals-'));
  for (const d of ['metadata', 'workflows']) fs.mkdirSync(path.join(dir, d));
  const app: INestApplication = await createServer(
    loadConfig({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dir,
      METADATA_DIR: path.join(dir, 'metadata'),
      WORKFLOWS_DIR: path.join(dir, 'workflows'),
      META_POLL_MS: '0',
      JOB_POLL_MS: '0',
      DEMO_DATA: 'false',
      DB_POOL_SIZE: String(poolSize),
    }),
    { logger: false },
  );
  const engine = app.get(EngineService);
  await app.get(DeploymentsService).deploy(DIAGRAM, 'bench', 'countersign.bpmn');
  let seq = 0;
  return {
    name: 'ours',
    async start() {
      const n = ++seq;
      const approvers = Array.from({ length: SIGNERS }, (_, k) => `a${n}_${k}`);
      return (await engine.start({ processKey: PROCESS_KEY, variables: { approvers } }, 'bench'))
        .id;
    },
    async decide(instanceId) {
      const tasks = await engine.tasks({ instanceId, state: 'created' });
      if (tasks.length !== SIGNERS)
        throw new Error(`ours: ${tasks.length} open tasks in ${instanceId}`);
      let last = null;
      for (const t of tasks) last = await engine.act(t.id, { action: 'approve' }, t.assignee!);
      if (last?.instance.state !== 'completed' || last.instance.variables.decision !== 'approve')
        throw new Error(`ours: instance ${instanceId} ended ${JSON.stringify(last?.instance)}`);
      return tasks.length;
    },
    async states() {
      const conn = await import('mysql2/promise').then((m) =>
        m.default.createConnection(databaseUrl),
      );
      const [rows] = (await conn.query(
        "SELECT CONCAT(state, '/', COALESCE(outcome, '-')) AS k, COUNT(*) AS n FROM crm_wf_instance GROUP BY state, outcome",
      )) as unknown as [Array<{ k: string; n: number }>];
      await conn.end();
      return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
    },
    async close() {
      await app.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
