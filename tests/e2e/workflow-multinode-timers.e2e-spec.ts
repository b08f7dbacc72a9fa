import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bpmn, dropDatabase, eventually, freshDatabaseUrl } from './support/harness';
import { type ServerProcess, spawnServer } from './support/processes';

const TIMERS = 2000;

/** Each instance waits on a timer at the date it was given, then ends. */
const TICK = bpmn(`<bpmn:process id="tick" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDate>=dueAt</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

describe('three server processes on one MySQL database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-nodes-'));
  const nodes: ServerProcess[] = [];
  let databaseUrl = '';

  afterAll(async () => {
    for (const n of nodes) await n.kill('SIGKILL');
    if (databaseUrl) await dropDatabase(databaseUrl);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`fire ${TIMERS} due timers exactly once each, spread over the nodes`, async () => {
    databaseUrl = await freshDatabaseUrl('mysql', dataDir);
    for (const d of ['metadata', 'workflows']) fs.mkdirSync(path.join(dataDir, d));
    fs.writeFileSync(path.join(dataDir, 'workflows', 'tick.bpmn'), TICK);
    const env = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      METADATA_DIR: path.join(dataDir, 'metadata'),
      WORKFLOWS_DIR: path.join(dataDir, 'workflows'),
      JOB_POLL_MS: '100',
      DB_POOL_SIZE: '8',
    };
    // one node first (it creates the tables and deploys), then two more join
    nodes.push(await spawnServer({ env }));
    nodes.push(...(await Promise.all([spawnServer({ env }), spawnServer({ env })])));

    // every timer is due at the same instant, a little after the last start
    const dueAt = new Date(Date.now() + 20_000).toISOString();
    let next = 0;
    const ids: number[] = [];
    await Promise.all(
      Array.from({ length: 24 }, async (_, client) => {
        for (let i = next++; i < TIMERS; i = next++) {
          const node = nodes[(client + i) % nodes.length];
          const r = await node.api('POST', '/api/workflow/instances', {
            processKey: 'tick',
            variables: { dueAt, n: i },
          });
          if (r.status !== 201)
            throw new Error(`start ${i}: ${r.status} ${JSON.stringify(r.body)}`);
          ids.push(r.body.id);
        }
      }),
    );
    expect(new Set(ids).size).toBe(TIMERS);

    const mysql = await import('mysql2/promise');
    const conn = await mysql.createConnection(databaseUrl);
    try {
      await eventually(async () => {
        const [[row]] = (await conn.query(
          `SELECT COUNT(*) AS n FROM crm_wf_instance WHERE process_key = 'tick' AND state = 'completed'`,
        )) as any;
        expect(Number(row.n)).toBe(TIMERS);
      }, 240_000);
      const [fired] = (await conn.query(
        `SELECT instance_id, COUNT(*) AS n FROM crm_wf_history WHERE event = 'timer' GROUP BY instance_id`,
      )) as any;
      expect(fired).toHaveLength(TIMERS);
      expect(fired.filter((r: any) => Number(r.n) !== 1)).toEqual([]);
      const [[left]] = (await conn.query('SELECT COUNT(*) AS n FROM crm_wf_job')) as any;
      expect(Number(left.n)).toBe(0);
    } finally {
      await conn.end();
    }
    const executed = await Promise.all(
      nodes.map(async (n) => (await n.api('GET', '/api/health')).body.jobs.executed as number),
    );
    expect(executed.reduce((a, b) => a + b, 0)).toBe(TIMERS);
    // the work spreads: every node fired a real share, none did nearly all of it
    for (const e of executed) expect(e).toBeGreaterThan(TIMERS / 20);
    console.log(`timers fired per node: ${executed.join(', ')}`);
  }, 360_000); // generous for slow CI machines: 3 processes, 2,000 starts, one timer wave
});
