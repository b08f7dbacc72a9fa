import { DB, type Db } from '@crm/common';
import { DIALECTS, type TestServer, bpmn, startServer } from './support/harness';

/**
 * Tokens moved from their own table (crm_wf_execution) into their instance rows
 * (crm_wf_instance.tokens, libs/workflow/src/engine/tokens.ts). A database written before that
 * holds running instances whose tokens are rows of the old table: the next boot moves them, keeps
 * their ids (tasks name them), and no new token takes an id the old table gave out.
 */
const FORK = bpmn(`<bpmn:process id="fork" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="split"/>
  <bpmn:parallelGateway id="split"/>
  <bpmn:sequenceFlow id="fa" sourceRef="split" targetRef="finance"/>
  <bpmn:sequenceFlow id="fb" sourceRef="split" targetRef="legal"/>
  <bpmn:userTask id="finance"/><bpmn:userTask id="legal"/>
  <bpmn:sequenceFlow id="ja" sourceRef="finance" targetRef="join"/>
  <bpmn:sequenceFlow id="jb" sourceRef="legal" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="fe" sourceRef="join" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

/** The old table, as system-tables.ts declared it before the tokens moved. */
const LEGACY_TABLE = {
  mysql:
    'CREATE TABLE crm_wf_execution (id BIGINT AUTO_INCREMENT PRIMARY KEY, instance_id BIGINT NOT NULL, element_id VARCHAR(191) NOT NULL, state VARCHAR(16) NOT NULL, parent_id BIGINT NULL, variables LONGTEXT NULL, loop_state LONGTEXT NULL, KEY ix_crm_wf_execution_instance (instance_id, element_id))',
  sqlite:
    'CREATE TABLE crm_wf_execution (id INTEGER PRIMARY KEY AUTOINCREMENT, instance_id INTEGER NOT NULL, element_id VARCHAR(191) NOT NULL, state VARCHAR(16) NOT NULL, parent_id INTEGER NULL, variables TEXT NULL, loop_state TEXT NULL)',
};

describe.each(DIALECTS)(
  'tokens of a database from before crm_wf_instance.tokens, on %s',
  (dialect) => {
    let s: TestServer;
    beforeAll(async () => {
      s = await startServer(dialect, {});
      const dep = await s.api('POST', '/api/workflow/deployments', FORK, {
        'content-type': 'application/xml',
      });
      expect(dep.status).toBe(201);
    });
    afterAll(async () => {
      await s?.close();
    });
    const db = (): Db => s.app.get<Db>(DB);
    const tokenIds = async (instanceId: number): Promise<number[]> => {
      const [row] = await db().query<{ tokens: string | null }>(
        'SELECT tokens FROM crm_wf_instance WHERE id = ?',
        [instanceId],
      );
      return (JSON.parse(row.tokens ?? '[]') as Array<{ id: number }>).map((t) => Number(t.id));
    };

    it('moves them into their instance rows at boot; the instance runs on as before', async () => {
      const inst = await s.api('POST', '/api/workflow/instances', { processKey: 'fork' });
      expect(inst.body.activeElementIds.sort()).toEqual(['finance', 'legal']);
      const id = Number(inst.body.id);
      // turn the instance into one written by the old engine: its tokens as rows of the old table,
      // with ids of the old table's sequence (far above the new blocks' first ids)
      const [row] = await db().query<{ tokens: string }>(
        'SELECT tokens FROM crm_wf_instance WHERE id = ?',
        [id],
      );
      const tokens = JSON.parse(row.tokens) as Array<{
        id: number;
        elementId: string;
        state: string;
      }>;
      expect(tokens).toHaveLength(2);
      await db().execute(LEGACY_TABLE[dialect]);
      for (const [i, t] of tokens.entries()) {
        const legacyId = 900_001 + i;
        await db().execute(
          'INSERT INTO crm_wf_execution (id, instance_id, element_id, state, parent_id, variables, loop_state) VALUES (?, ?, ?, ?, NULL, NULL, NULL)',
          [legacyId, id, t.elementId, t.state],
        );
        await db().execute('UPDATE crm_wf_task SET execution_id = ? WHERE execution_id = ?', [
          legacyId,
          t.id,
        ]);
      }
      await db().execute('UPDATE crm_wf_instance SET tokens = NULL WHERE id = ?', [id]);

      await s.restart();

      // the tokens are in the row with their old ids, and the old table is gone
      expect((await tokenIds(id)).sort()).toEqual([900_001, 900_002]);
      const legacy =
        dialect === 'mysql'
          ? await db().query(
              `SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'crm_wf_execution'`,
            )
          : await db().query(`SELECT 1 FROM sqlite_master WHERE name = 'crm_wf_execution'`);
      expect(legacy).toEqual([]);
      const view = await s.api('GET', `/api/workflow/instances/${id}`);
      expect(view.body.activeElementIds.sort()).toEqual(['finance', 'legal']);

      // its tasks find their tokens: completing both joins and ends the instance
      const tasks = (
        await s.api('GET', '/api/tasks?processKey=fork&state=created')
      ).body.data.filter((t: { instanceId: number }) => t.instanceId === id);
      expect(tasks).toHaveLength(2);
      const first = await s.api('POST', `/api/tasks/${tasks[0].id}/complete`, {});
      expect(first).toMatchObject({ status: 200, body: { state: 'active' } });
      const second = await s.api('POST', `/api/tasks/${tasks[1].id}/complete`, {});
      expect(second).toMatchObject({
        status: 200,
        body: { state: 'completed', completedElements: { join: 1, end: 1 } },
      });

      // a new instance's tokens take ids above every id the old table gave out
      const next = await s.api('POST', '/api/workflow/instances', { processKey: 'fork' });
      const ids = await tokenIds(Number(next.body.id));
      expect(ids).toHaveLength(2);
      for (const n of ids) expect(n).toBeGreaterThan(900_002);
    });
  },
);
