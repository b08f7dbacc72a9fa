import { DIALECTS, type TestServer, bpmn, startServer } from './support/harness';

/**
 * Camunda 8.9 cluster variables and 8.6 user task priorities, on both databases: given values an
 * administrator stores through /api/workflow/cluster-variables, when a process runs, then its
 * expressions (assignee, priority, gateway condition, output mapping) read them as Camunda's
 * namespaces define them, and a change applies to what is evaluated after it. Also Zeebe's
 * `fetchVariable` on job activation.
 */
const ROUTE = bpmn(`<bpmn:process id="cv_route" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
  <bpmn:userTask id="review" name="Review">
    <bpmn:extensionElements>
      <zeebe:userTask/>
      <zeebe:assignmentDefinition assignee="=camunda.vars.env.REVIEWER"/>
      <zeebe:priorityDefinition priority="=camunda.vars.env.URGENCY"/>
      <zeebe:ioMapping>
        <zeebe:output source="=camunda.vars.cluster.REVIEWER" target="globalReviewer"/>
        <zeebe:output source="=camunda.vars.tenant.REVIEWER" target="tenantReviewer"/>
      </zeebe:ioMapping>
    </bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw" default="f_slow"/>
  <bpmn:sequenceFlow id="f_fast" sourceRef="gw" targetRef="fast"><bpmn:conditionExpression>=camunda.vars.env.EXPRESS = true</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f_slow" sourceRef="gw" targetRef="slow"/>
  <bpmn:endEvent id="fast"/>
  <bpmn:endEvent id="slow"/>
</bpmn:process>`);

const PRIORITIES = bpmn(`<bpmn:process id="cv_priorities" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split"/>
  <bpmn:parallelGateway id="split"/>
  <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="plain"/>
  <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="urgent"/>
  <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="computed"/>
  <bpmn:userTask id="plain"><bpmn:extensionElements><zeebe:userTask/><zeebe:assignmentDefinition assignee="tester"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:userTask id="urgent"><bpmn:extensionElements><zeebe:userTask/><zeebe:assignmentDefinition assignee="tester"/><zeebe:priorityDefinition priority="80"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:userTask id="computed"><bpmn:extensionElements><zeebe:userTask/><zeebe:assignmentDefinition assignee="tester"/><zeebe:priorityDefinition priority="=level"/></bpmn:extensionElements></bpmn:userTask>
</bpmn:process>`);

const JOB = bpmn(`<bpmn:process id="cv_job" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
  <bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="cv-work"/></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
  <bpmn:endEvent id="e"/>
</bpmn:process>`);

describe.each(DIALECTS)('cluster variables and task priorities on %s', (dialect) => {
  let s: TestServer;
  const BASE = '/api/workflow/cluster-variables';

  const start = async (processKey: string, variables: Record<string, unknown> = {}) => {
    const r = await s.api('POST', '/api/workflow/instances', { processKey, variables });
    expect(r.status).toBe(201);
    return r.body;
  };
  const get = async (id: number) => (await s.api('GET', `/api/workflow/instances/${id}`)).body;
  const tasksOf = async (id: number) =>
    (await s.api('GET', `/api/tasks?instanceId=${id}&state=created`)).body.data as Array<{
      id: number;
      elementId: string;
      assignee: string | null;
      priority: number;
    }>;
  const put = (scope: string, name: string, value: unknown) =>
    s.api('PUT', `${BASE}/${scope}/${name}`, { value });

  beforeAll(async () => {
    s = await startServer(dialect, {
      'roles/deployer.yaml': `kind: role\nname: deployer\nlabel: { zh-CN: deployer, en: deployer }\nrules:\n  - { action: [deploy, read, operate], subject: Workflow }\n`,
    });
    for (const xml of [ROUTE, PRIORITIES, JOB]) {
      const r = await s.api('POST', '/api/workflow/deployments', xml, {
        'content-type': 'application/xml',
      });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('the admin API', () => {
    it('creates, reads, changes and deletes a variable in each scope', async () => {
      const created = await s.api('POST', `${BASE}/global`, {
        name: 'CV_API',
        value: { url: 'https://a' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        scope: 'GLOBAL',
        name: 'CV_API',
        value: { url: 'https://a' },
        updatedBy: 'tester',
      });
      expect((await s.api('POST', `${BASE}/tenant`, { name: 'CV_API', value: 'v1' })).status).toBe(
        201,
      );
      expect((await put('global', 'CV_API', [1, 2])).body.value).toEqual([1, 2]);
      expect((await s.api('GET', `${BASE}/tenant/CV_API`)).body).toMatchObject({
        scope: 'TENANT',
        value: 'v1',
      });
      const list = (await s.api('GET', BASE)).body.data;
      expect(list.filter((v: { name: string }) => v.name === 'CV_API')).toEqual([
        expect.objectContaining({ scope: 'GLOBAL', value: [1, 2] }),
        expect.objectContaining({ scope: 'TENANT', value: 'v1' }),
      ]);
      expect((await s.api('DELETE', `${BASE}/global/CV_API`)).status).toBe(204);
      expect((await s.api('DELETE', `${BASE}/tenant/CV_API`)).status).toBe(204);
      expect((await s.api('GET', `${BASE}/global/CV_API`)).body.code).toBe(
        'CLUSTER_VARIABLE_NOT_FOUND',
      );
      // configuration every process reads: who changed what is audited (the value is not)
      const audit = (await s.api('GET', '/api/admin/audit?limit=500')).body.data as Array<{
        actor: string;
        action: string;
        subject: string;
      }>;
      expect(
        audit
          .filter((a) => a.subject?.endsWith(' CV_API'))
          .map((a) => `${a.actor} ${a.action} ${a.subject}`)
          .sort(),
      ).toEqual([
        'tester workflow.clusterVariable.create global CV_API',
        'tester workflow.clusterVariable.create tenant CV_API',
        'tester workflow.clusterVariable.delete global CV_API',
        'tester workflow.clusterVariable.delete tenant CV_API',
        'tester workflow.clusterVariable.update global CV_API',
      ]);
    });

    it('answers a second create of a name with 409, a change of a missing one with 404', async () => {
      expect((await s.api('POST', `${BASE}/global`, { name: 'CV_DUP', value: 1 })).status).toBe(
        201,
      );
      const again = await s.api('POST', `${BASE}/global`, { name: 'CV_DUP', value: 2 });
      expect(again).toMatchObject({
        status: 409,
        body: { code: 'CLUSTER_VARIABLE_EXISTS', errors: [{ path: '/name' }] },
      });
      expect((await s.api('GET', `${BASE}/global/CV_DUP`)).body.value).toBe(1);
      const missing = await put('tenant', 'CV_NONE', 1);
      expect(missing).toMatchObject({ status: 404, body: { code: 'CLUSTER_VARIABLE_NOT_FOUND' } });
      expect((await s.api('DELETE', `${BASE}/tenant/CV_NONE`)).status).toBe(404);
    });

    it.each([
      ['POST', `/global`, { name: '1ST', value: 1 }, '/name'],
      ['POST', `/global`, { name: 'A-B', value: 1 }, '/name'],
      ['POST', `/global`, { value: 1 }, '/name'],
      ['POST', `/global`, { name: 'CV_X' }, '/value'],
      ['POST', `/global`, { name: 'CV_X', value: null }, '/value'],
      ['POST', `/cluster`, { name: 'CV_X', value: 1 }, 'scope'],
      ['PUT', `/global/a.b`, { value: 1 }, 'name'],
    ])('answers %s %s %j with 400 at %s', async (method, path, body, at) => {
      const r = await s.api(method, `${BASE}${path}`, body);
      expect(r).toMatchObject({
        status: 400,
        body: { code: 'CLUSTER_VARIABLE_INVALID', errors: [{ path: at }] },
      });
    });

    it('is for administrators only', async () => {
      const login = 'cv_deployer';
      const created = await s.api('POST', '/api/admin/users', {
        login,
        password: 'cluster-vars-pw-1',
        roles: ['deployer'],
        locale: 'en',
      });
      expect(created.status).toBe(201);
      const token = (
        await s.api(
          'POST',
          '/api/auth/login',
          { login, password: 'cluster-vars-pw-1' },
          { 'x-no-auth': '1' },
        )
      ).body.accessToken as string;
      const as = { authorization: `Bearer ${token}` };
      expect((await s.api('GET', BASE, undefined, as)).body.code).toBe('FORBIDDEN');
      const write = await s.api('POST', `${BASE}/global`, { name: 'CV_NO', value: 1 }, as);
      expect(write).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect((await s.api('GET', `${BASE}/global/CV_NO`)).status).toBe(404);
    });
  });

  describe('in the engine', () => {
    beforeAll(async () => {
      for (const [scope, name, value] of [
        ['global', 'REVIEWER', 'nobody'],
        ['tenant', 'REVIEWER', 'tester'],
        ['global', 'URGENCY', 90],
        ['global', 'EXPRESS', true],
      ] as const)
        expect((await s.api('POST', `${BASE}/${scope}`, { name, value })).status).toBe(201);
    });

    it('reads them in assignees, priorities, output mappings and conditions', async () => {
      const i = await start('cv_route');
      const [t] = await tasksOf(i.id);
      // env: the tenant's value over the global one
      expect(t).toMatchObject({ elementId: 'review', assignee: 'tester', priority: 90 });
      const done = await s.api('POST', `/api/tasks/${t.id}/complete`, {});
      expect(done.body).toMatchObject({
        state: 'completed',
        variables: { globalReviewer: 'nobody', tenantReviewer: 'tester' },
      });
      const history = (await s.api('GET', `/api/workflow/instances/${i.id}/history`)).body.data;
      expect(history.map((h: { elementId: string }) => h.elementId)).toContain('fast');
    });

    it('applies a change to what is evaluated after it', async () => {
      expect((await put('global', 'EXPRESS', false)).status).toBe(200);
      expect((await put('global', 'URGENCY', 10)).status).toBe(200);
      expect((await s.api('DELETE', `${BASE}/tenant/REVIEWER`)).status).toBe(204);
      const i = await start('cv_route');
      const [t] = await tasksOf(i.id);
      expect(t).toMatchObject({ assignee: 'nobody', priority: 10 });
      await s.api('POST', `/api/tasks/${t.id}/complete`, {}, { 'x-user': 'nobody' });
      const history = (await s.api('GET', `/api/workflow/instances/${i.id}/history`)).body.data;
      expect(history.map((h: { elementId: string }) => h.elementId)).toContain('slow');
    });

    it('lets a process variable named camunda shadow them', async () => {
      const i = await start('cv_route', {
        camunda: { vars: { env: { REVIEWER: 'tester', URGENCY: 60 } } },
      });
      expect((await tasksOf(i.id))[0]).toMatchObject({ assignee: 'tester', priority: 60 });
    });

    it('reads them in start event names and timers, evaluated when the diagram is deployed', async () => {
      expect((await s.api('POST', `${BASE}/global`, { name: 'GO', value: 'cv-go' })).status).toBe(
        201,
      );
      expect(
        (await s.api('POST', `${BASE}/global`, { name: 'EVERY', value: 'R/PT1H' })).status,
      ).toBe(201);
      const starts = bpmn(`<bpmn:process id="cv_starts" isExecutable="true">
  <bpmn:startEvent id="byMessage"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="byMessage" targetRef="e1"/>
  <bpmn:endEvent id="e1"/>
  <bpmn:startEvent id="byTimer"><bpmn:timerEventDefinition><bpmn:timeCycle>=camunda.vars.env.EVERY</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="byTimer" targetRef="e2"/>
  <bpmn:endEvent id="e2"/>
</bpmn:process>
<bpmn:message id="m" name="=camunda.vars.env.GO"/>`);
      // without the variables the cycle reads null and the deploy is refused at byTimer
      const d = await s.api('POST', '/api/workflow/deployments', starts, {
        'content-type': 'application/xml',
      });
      expect(d.status).toBe(201);
      const r = await s.api('POST', '/api/workflow/messages', { name: 'cv-go' });
      expect(r.status).toBe(200);
      const started = (await s.api('GET', '/api/workflow/instances?processKey=cv_starts')).body
        .data;
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ state: 'completed' });
    });

    it('does not send them to job workers', async () => {
      const i = await start('cv_job', { a: 1 });
      const r = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId: 'w',
        types: ['cv-work'],
      });
      const job = r.body.data.find((j: { instanceId: number }) => j.instanceId === i.id);
      expect(job.variables).not.toHaveProperty('camunda');
      await s.api('POST', `/api/workflow/external-jobs/${job.id}/complete`, { workerId: 'w' });
    });
  });

  describe('user task priority', () => {
    it('is 50 by default, the static value, or the expression, on tasks and inbox rows', async () => {
      const i = await start('cv_priorities', { level: 30 });
      const byElement = Object.fromEntries((await tasksOf(i.id)).map((t) => [t.elementId, t]));
      expect({
        plain: byElement.plain.priority,
        urgent: byElement.urgent.priority,
        computed: byElement.computed.priority,
      }).toEqual({ plain: 50, urgent: 80, computed: 30 });
      expect((await s.api('GET', `/api/tasks/${byElement.urgent.id}`)).body.priority).toBe(80);
      const inbox = (await s.api('GET', '/api/inbox?box=pending&limit=100')).body.items;
      const row = inbox.find((x: { taskId: number }) => x.taskId === byElement.urgent.id);
      expect(row.priority).toBe(80);
      const started = (await s.api('GET', '/api/inbox?box=initiated&limit=100')).body.items;
      const item = started.find((x: { instanceId: number }) => x.instanceId === i.id);
      expect(
        item.openTasks.map((t: { nodeId: string; priority: number }) => [t.nodeId, t.priority]),
      ).toEqual(expect.arrayContaining([['urgent', 80]]));
    });

    it.each([
      [150, 'Expected priority to be in the range [0,100]'],
      [2.5, 'to be an integer, but was a decimal'],
      ['high', "to be 'NUMBER'"],
    ])('raises an incident at the task when the expression gives %p', async (level, says) => {
      const i = await start('cv_priorities', { level });
      expect(await get(i.id)).toMatchObject({ state: 'active', incidents: 1 });
      expect((await tasksOf(i.id)).map((t) => t.elementId).sort()).toEqual(['plain', 'urgent']);
      const incidents = (await s.api('GET', `/api/workflow/incidents?instanceId=${i.id}`)).body;
      expect(incidents.data[0]).toMatchObject({
        elementId: 'computed',
        message: expect.stringContaining(says),
      });
    });
  });

  describe('fetch-and-lock', () => {
    it("sends only the variables named in Zeebe's fetchVariable", async () => {
      const i = await start('cv_job', { a: 1, b: 2, c: 3 });
      const r = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId: 'w',
        types: ['cv-work'],
        fetchVariable: ['a', 'c', 'missing'],
      });
      expect(r.status).toBe(200);
      const job = r.body.data.find((j: { instanceId: number }) => j.instanceId === i.id);
      expect(job.variables).toEqual({ a: 1, c: 3 });
      await s.api('POST', `/api/workflow/external-jobs/${job.id}/complete`, { workerId: 'w' });
    });

    it.each([
      [{ timeout: 1000 }, ['/timeout']],
      [{ tenantIds: [], worker: 'x' }, ['/tenantIds', '/worker']],
      [{ fetchVariable: 'a' }, ['/fetchVariable']],
      [{ fetchVariable: [''] }, ['/fetchVariable']],
    ])('refuses %j with 400 naming it', async (extra, paths) => {
      const r = await s.api('POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId: 'w',
        types: ['cv-work'],
        ...extra,
      });
      expect(r.status).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    });
  });
});
