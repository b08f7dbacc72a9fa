import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobExecutorService } from '@crm/workflow';
import { DIALECTS, type TestServer, startServer } from './support/harness';
import { EXPECTED } from './camunda8-corpus/expected';
import {
  NOT_RUN,
  NOT_RUN_FAMILIES,
  RUNS,
  type Run,
  type Step,
  type TasklistPriority,
} from './camunda8-corpus-run.cases';

/**
 * Real Camunda 8 diagrams run as their own upstream tests run them against Zeebe: given the
 * diagram as its npm package ships it, when this server is driven with the same calls (start
 * variables, jobs of the same types completed, failed or errored with the same values, messages
 * and signals published, tasks completed), then every outcome the upstream test asserts holds
 * here too (camunda8-corpus-run.cases.ts names the test beside each run). On both databases.
 */
const DIR = path.resolve(__dirname, '../fixtures/camunda8-corpus');
const README = path.resolve(__dirname, '../../libs/workflow/README.md');
const WORKER = 'corpus-run';

/**
 * Tasklist's label of a priority: four bands of 25 (the priority diagram's tasks, 1 / 26 / 51 / 76,
 * sit at each band's lower bound and its test reads low / medium / high / critical).
 */
const tasklistLabel = (priority: number): TasklistPriority =>
  priority <= 25 ? 'low' : priority <= 50 ? 'medium' : priority <= 75 ? 'high' : 'critical';

interface FetchedJob {
  id: number;
  type: string;
  instanceId: number;
  variables: Record<string, unknown>;
  retries: number;
}

describe.each(DIALECTS)(
  'real Camunda 8 diagrams run as their upstream tests run them, on %s',
  (dialect) => {
    let s: TestServer;

    beforeAll(async () => {
      s = await startServer(dialect, {});
      for (const file of Object.keys(RUNS)) {
        const xml = fs.readFileSync(path.join(DIR, file), 'utf8');
        const r = await s.api('POST', '/api/workflow/deployments', xml, {
          'content-type': 'application/xml',
        });
        if (r.status !== 201) throw new Error(`${file}: ${JSON.stringify(r.body)}`);
      }
    });
    afterAll(async () => {
      await s?.close();
    });

    const fetchJobs = async (type: string): Promise<FetchedJob[]> => {
      const r = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId: WORKER,
        types: [type],
        maxJobs: 100,
      });
      expect(r.status).toBe(200);
      return r.body.data;
    };

    /** Moves the test clock on and runs what fell due (timers, nothing else waits on the clock). */
    const wait = async (ms: number) => {
      s.clock.advance(ms);
      await s.app.get(JobExecutorService).runDue(100);
    };

    const actOn = async (job: FetchedJob, then: Extract<Step, { job: string }>['then']) => {
      if (then === 'leave') return;
      const [route, body] =
        'complete' in then
          ? ['complete', { variables: then.complete }]
          : 'fail' in then
            ? ['fail', then.fail]
            : ['bpmn-error', then.bpmnError];
      const r = await s.api('POST', `/api/workflow/external-jobs/${job.id}/${route}`, {
        workerId: WORKER,
        ...body,
      });
      // the body only when it went wrong: it says why
      expect({ route, status: r.status, body: r.status === 204 ? null : r.body }).toEqual({
        route,
        status: 204,
        body: null,
      });
    };

    async function drive(run: Run): Promise<void> {
      const started: number[] = [];
      const get = async (id: number) => {
        const r = await s.api('GET', `/api/workflow/instances/${id}`);
        expect(r.status).toBe(200);
        return r.body;
      };
      try {
        for (const step of run.steps) {
          if ('start' in step) {
            for (let i = 0; i < (step.times ?? 1); i++) {
              const r = await s.api('POST', '/api/workflow/instances', {
                processKey: step.start,
                variables: step.variables ?? {},
              });
              expect(r.status).toBe(201);
              started.push(r.body.id);
            }
          } else if ('publish' in step) {
            const r = await s.api('POST', '/api/workflow/messages', step.publish);
            expect(r.status).toBe(200);
            started.push(...r.body.correlations.map((c: { instanceId: number }) => c.instanceId));
          } else if ('signal' in step) {
            const r = await s.api('POST', '/api/workflow/signals', step.signal);
            expect(r.status).toBe(200);
            started.push(...r.body.started);
          } else if ('job' in step) {
            const jobs = await fetchJobs(step.job);
            // a job worker sees this run's jobs only: another run's left-over would be a leak
            expect(jobs.map((j) => started.includes(j.instanceId))).toEqual(
              Array(step.count ?? 1).fill(true),
            );
            for (const job of jobs) {
              if (step.expect?.variables)
                expect(job.variables).toMatchObject(step.expect.variables);
              if (step.expect?.retries !== undefined) expect(job.retries).toBe(step.expect.retries);
              await actOn(job, step.then);
            }
          } else if ('noJob' in step) {
            expect(await fetchJobs(step.noJob)).toEqual([]);
          } else if ('tasks' in step) {
            const tasks: Array<{ id: number; name: string | null; priority: number }> = [];
            for (const id of started) {
              const r = await s.api('GET', `/api/tasks?instanceId=${id}&state=created`);
              tasks.push(...r.body.data);
            }
            if (step.tasks.count !== undefined) expect(tasks).toHaveLength(step.tasks.count);
            if (step.tasks.atLeast !== undefined)
              expect(tasks.length).toBeGreaterThanOrEqual(step.tasks.atLeast);
            if (step.tasks.priorities)
              expect(
                Object.fromEntries(tasks.map((t) => [t.name, tasklistLabel(t.priority)])),
              ).toEqual(step.tasks.priorities);
            if (step.tasks.getById)
              expect((await s.api('GET', `/api/tasks/${tasks[0].id}`)).status).toBe(200);
            if (step.tasks.complete)
              for (const t of tasks) {
                // Tasklist: "Assign to me", then "Complete Task"
                expect((await s.api('POST', `/api/tasks/${t.id}/claim`)).status).toBe(200);
                const done = await s.api('POST', `/api/tasks/${t.id}/complete`, {
                  variables: step.tasks.complete,
                });
                expect({ status: done.status, body: done.body }).toMatchObject({ status: 200 });
              }
          } else if ('clusterVariable' in step) {
            const { scope, name, value, update } = step.clusterVariable;
            const r = update
              ? await s.api('PUT', `/api/workflow/cluster-variables/${scope}/${name}`, { value })
              : await s.api('POST', `/api/workflow/cluster-variables/${scope}`, { name, value });
            // the upstream helper takes a 409 (it exists already) as a created variable
            const ok = update ? [200] : [201, 409];
            // the body only when it went wrong: it says why
            expect({
              ok: ok.includes(r.status),
              body: ok.includes(r.status) ? null : r.body,
            }).toEqual({ ok: true, body: null });
          } else if ('wait' in step) {
            await wait(step.wait);
          } else if ('cancel' in step) {
            const r = await s.api('POST', `/api/workflow/instances/${started[0]}/cancel`);
            if (step.cancel === 'ok') expect(r.status).toBe(200);
            else {
              expect(r.status).toBeGreaterThanOrEqual(400);
              expect(r.status).toBeLessThan(500);
            }
          } else {
            const i = await get(started[0]);
            const want = step.instance;
            if (want.state) expect(i.state).toBe(want.state);
            if (want.processKey) expect(i.processKey).toBe(want.processKey);
            if (want.variables) expect(i.variables).toMatchObject(want.variables);
            if (want.incidents !== undefined) expect(i.incidents).toBe(want.incidents);
            if (want.activeElementIds) expect(i.activeElementIds).toEqual(want.activeElementIds);
          }
        }
      } finally {
        // as the upstream tests' afterEach: cancel what is still running, so no job outlives its run
        for (const id of started)
          if ((await get(id)).state === 'active')
            await s.api('POST', `/api/workflow/instances/${id}/cancel`);
      }
    }

    const cases = Object.entries(RUNS).flatMap(([file, runs]) =>
      runs.map(
        (run) =>
          [`${file} — ${path.basename(run.upstream.file)}: ${run.upstream.test}`, run] as const,
      ),
    );
    it.each(cases)('%s', async (_name, run) => {
      await drive(run);
    });
  },
);

describe('the table of upstream-run diagrams', () => {
  it('runs every corpus diagram that deploys, or says why not, and none that is refused', () => {
    const why = (file: string): string[] => [
      ...(file in RUNS ? ['run'] : []),
      ...(file in NOT_RUN ? [NOT_RUN[file]] : []),
      ...NOT_RUN_FAMILIES.filter((f) => f.files.test(file)).map((f) => f.why),
    ];
    for (const [file, expected] of Object.entries(EXPECTED))
      if (expected === 'deploys') expect([file, why(file).length]).toEqual([file, 1]);
      else expect([file, file in RUNS || file in NOT_RUN]).toEqual([file, false]);
  });

  it('states the count in the engine README', () => {
    const n = Object.keys(RUNS).length;
    expect(fs.readFileSync(README, 'utf8').replace(/\s+/g, ' ')).toContain(
      `${n} real diagrams run with Zeebe's own expected outcomes, all match`,
    );
  });
});
