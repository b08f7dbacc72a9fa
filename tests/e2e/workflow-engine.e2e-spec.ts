import { DIALECTS, type TestServer, startServer } from './support/harness';

const defs = (process: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="crm">
${process}
</bpmn:definitions>`;

const APPROVAL = defs(`<bpmn:process id="approval" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score"/>
  <bpmn:scriptTask id="score"><bpmn:extensionElements><zeebe:script expression="=amount * 2" resultVariable="doubled"/></bpmn:extensionElements></bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="approve"/>
  <bpmn:userTask id="approve" name="Approve quote"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=manager" candidateGroups="sales_managers"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="approve" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw" default="no"/>
  <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="approved"><bpmn:conditionExpression>=approved = true</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="rejected"/>
  <bpmn:endEvent id="approved"/><bpmn:endEvent id="rejected"/>
</bpmn:process>`);

const PARALLEL = defs(`<bpmn:process id="countersign" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="finance"/>
  <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="legal"/>
  <bpmn:userTask id="finance"/><bpmn:userTask id="legal"/>
  <bpmn:sequenceFlow id="ja" sourceRef="finance" targetRef="join"/>
  <bpmn:sequenceFlow id="jb" sourceRef="legal" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="fe" sourceRef="join" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

const TEN = defs(`<bpmn:process id="ten" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>
  <bpmn:parallelGateway id="fork"/>
  <bpmn:sequenceFlow id="o0" sourceRef="fork" targetRef="t0"/><bpmn:userTask id="t0"/><bpmn:sequenceFlow id="i0" sourceRef="t0" targetRef="join"/>
  <bpmn:sequenceFlow id="o1" sourceRef="fork" targetRef="t1"/><bpmn:userTask id="t1"/><bpmn:sequenceFlow id="i1" sourceRef="t1" targetRef="join"/>
  <bpmn:sequenceFlow id="o2" sourceRef="fork" targetRef="t2"/><bpmn:userTask id="t2"/><bpmn:sequenceFlow id="i2" sourceRef="t2" targetRef="join"/>
  <bpmn:sequenceFlow id="o3" sourceRef="fork" targetRef="t3"/><bpmn:userTask id="t3"/><bpmn:sequenceFlow id="i3" sourceRef="t3" targetRef="join"/>
  <bpmn:sequenceFlow id="o4" sourceRef="fork" targetRef="t4"/><bpmn:userTask id="t4"/><bpmn:sequenceFlow id="i4" sourceRef="t4" targetRef="join"/>
  <bpmn:sequenceFlow id="o5" sourceRef="fork" targetRef="t5"/><bpmn:userTask id="t5"/><bpmn:sequenceFlow id="i5" sourceRef="t5" targetRef="join"/>
  <bpmn:sequenceFlow id="o6" sourceRef="fork" targetRef="t6"/><bpmn:userTask id="t6"/><bpmn:sequenceFlow id="i6" sourceRef="t6" targetRef="join"/>
  <bpmn:sequenceFlow id="o7" sourceRef="fork" targetRef="t7"/><bpmn:userTask id="t7"/><bpmn:sequenceFlow id="i7" sourceRef="t7" targetRef="join"/>
  <bpmn:sequenceFlow id="o8" sourceRef="fork" targetRef="t8"/><bpmn:userTask id="t8"/><bpmn:sequenceFlow id="i8" sourceRef="t8" targetRef="join"/>
  <bpmn:sequenceFlow id="o9" sourceRef="fork" targetRef="t9"/><bpmn:userTask id="t9"/><bpmn:sequenceFlow id="i9" sourceRef="t9" targetRef="join"/>
  <bpmn:parallelGateway id="join"/>
  <bpmn:sequenceFlow id="fe" sourceRef="join" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

const STUCK = defs(`<bpmn:process id="stuck" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
  <bpmn:exclusiveGateway id="gw"/>
  <bpmn:sequenceFlow id="a" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>=x = 1</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="b" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>=x = 2</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

describe.each(DIALECTS)('workflow engine, first slice, on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, {});
    for (const xml of [APPROVAL, PARALLEL, STUCK, TEN]) {
      expect(
        (
          await s.api('POST', '/api/workflow/deployments', xml, {
            'content-type': 'application/xml',
          })
        ).status,
      ).toBe(201);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('runs start → script → user task, waits, and on completion takes the gateway branch', async () => {
    const inst = await s.api('POST', '/api/workflow/instances', {
      processKey: 'approval',
      variables: { amount: 21, manager: 'li' },
      businessKey: 'Q-1',
    });
    expect(inst.status).toBe(201);
    expect(inst.body).toMatchObject({
      state: 'active',
      activeElementIds: ['approve'],
      variables: { amount: 21, doubled: 42 },
      definitionVersion: 1,
    });
    const tasks = await s.api('GET', '/api/tasks?assignee=li&state=created');
    const task = tasks.body.data.find((t: { instanceId: number }) => t.instanceId === inst.body.id);
    expect(task).toMatchObject({
      elementId: 'approve',
      name: 'Approve quote',
      candidateGroups: ['sales_managers'],
      version: 1,
    });
    const inGroup = (await s.api('GET', '/api/tasks?candidateGroup=sales_managers')).body.data;
    expect(inGroup.map((t: { id: number }) => t.id)).toContain(task.id);
    // a group is matched whole, never as part of another group's name
    expect((await s.api('GET', '/api/tasks?candidateGroup=sales')).body.data).toEqual([]);
    const done = await s.api('POST', `/api/tasks/${task.id}/complete`, {
      variables: { approved: true },
    });
    expect(done).toMatchObject({
      status: 200,
      body: {
        state: 'completed',
        activeElementIds: [],
        completedElements: { approved: 1, approve: 1, gw: 1 },
      },
    });
    expect(done.body.completedElements.rejected).toBeUndefined();
    const history = await s.api('GET', `/api/workflow/instances/${inst.body.id}/history`);
    expect(history.body.data.filter((h: { event: string }) => h.event === 'complete')).toEqual([
      expect.objectContaining({
        elementId: 'approve',
        actor: 'tester',
        detail: { approved: true },
      }),
    ]);
  });

  it('takes the default flow when no condition holds', async () => {
    const inst = await s.api('POST', '/api/workflow/instances', {
      processKey: 'approval',
      variables: { amount: 1 },
    });
    const [task] = (
      await s.api('GET', `/api/tasks?instanceId=${inst.body.id}&state=created`)
    ).body.data.filter((t: { instanceId: number }) => t.instanceId === inst.body.id);
    const done = await s.api('POST', `/api/tasks/${task.id}/complete`, {
      variables: { approved: false },
    });
    expect(done.body.completedElements).toMatchObject({ rejected: 1 });
  });

  it('forks and joins parallel branches', async () => {
    const inst = await s.api('POST', '/api/workflow/instances', { processKey: 'countersign' });
    expect(inst.body.activeElementIds.sort()).toEqual(['finance', 'legal']);
    const tasks = (
      await s.api('GET', '/api/tasks?processKey=countersign&state=created')
    ).body.data.filter((t: { instanceId: number }) => t.instanceId === inst.body.id);
    const first = await s.api('POST', `/api/tasks/${tasks[0].id}/complete`, {});
    expect(first.body.state).toBe('active');
    expect(first.body.activeElementIds.sort()).toEqual(['join', tasks[1].elementId].sort());
    const second = await s.api('POST', `/api/tasks/${tasks[1].id}/complete`, {});
    expect(second.body).toMatchObject({
      state: 'completed',
      completedElements: { join: 1, end: 1 },
    });
  });

  it('lets exactly one of two simultaneous completions of a task win', async () => {
    const rounds = dialect === 'mysql' ? 200 : 10;
    for (let i = 0; i < rounds; i++) {
      const inst = await s.api('POST', '/api/workflow/instances', {
        processKey: 'approval',
        variables: { amount: i },
      });
      const [task] = (
        await s.api('GET', `/api/tasks?instanceId=${inst.body.id}&state=created`)
      ).body.data.filter((t: { instanceId: number }) => t.instanceId === inst.body.id);
      expect(task).toBeDefined();
      const results = await Promise.all(
        [1, 2].map(() =>
          s.api('POST', `/api/tasks/${task.id}/complete`, { variables: { approved: true } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('TASK_CONFLICT');
      const h = (await s.api('GET', `/api/workflow/instances/${inst.body.id}/history`)).body.data;
      expect(h.filter((e: { event: string }) => e.event === 'complete')).toHaveLength(1);
      expect(h.filter((e: { event: string }) => e.event === 'end').length).toBeGreaterThan(0);
    }
  });

  it('joins a 10-branch parallel gateway exactly once when all branches complete concurrently', async () => {
    const inst = await s.api('POST', '/api/workflow/instances', { processKey: 'ten' });
    expect(inst.body.activeElementIds).toHaveLength(10);
    const tasks = (await s.api('GET', '/api/tasks?processKey=ten&state=created')).body.data.filter(
      (t: { instanceId: number }) => t.instanceId === inst.body.id,
    );
    expect(tasks).toHaveLength(10);
    const results = await Promise.all(
      tasks.map((t: { id: number }) => s.api('POST', `/api/tasks/${t.id}/complete`, {})),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const final = await s.api('GET', `/api/workflow/instances/${inst.body.id}`);
    expect(final.body).toMatchObject({
      state: 'completed',
      activeElementIds: [],
      completedElements: { join: 1, end: 1 },
    });
  });

  it('turns a gateway with no matching flow into an incident an admin can retry', async () => {
    const stuck = await s.api('POST', '/api/workflow/instances', {
      processKey: 'stuck',
      variables: { x: 3 },
    });
    expect(stuck.status).toBe(201);
    expect(stuck.body).toMatchObject({ state: 'active', activeElementIds: ['gw'], incidents: 1 });
    const incidents = (await s.api('GET', `/api/workflow/incidents?instanceId=${stuck.body.id}`))
      .body.data;
    expect(incidents).toMatchObject([{ elementId: 'gw', kind: 'no-matching-flow', state: 'open' }]);
    const retried = await s.api('POST', `/api/workflow/incidents/${incidents[0].id}/retry`, {
      variables: { x: 2 },
    });
    expect(retried.body).toMatchObject({ state: 'resolved', resolvedBy: 'tester' });
    const after = await s.api('GET', `/api/workflow/instances/${stuck.body.id}`);
    expect(after.body).toMatchObject({ state: 'completed', incidents: 0, variables: { x: 2 } });
    const again = await s.api('POST', `/api/workflow/incidents/${incidents[0].id}/retry`, {});
    expect(again.body.code).toBe('INCIDENT_RESOLVED');
  });

  it('refuses what it cannot do with a clear 4xx and changes nothing', async () => {
    const before = (await s.api('GET', '/api/tasks')).body.data.length;
    expect(
      (await s.api('POST', '/api/workflow/instances', { processKey: 'ghost' })).body.code,
    ).toBe('DEFINITION_NOT_FOUND');
    expect((await s.api('POST', '/api/workflow/instances', {})).status).toBe(400);
    expect(
      (await s.api('POST', '/api/workflow/instances', { processKey: 'approval', variables: [1] }))
        .body.code,
    ).toBe('BAD_REQUEST');
    const huge = await s.api('POST', '/api/workflow/instances', {
      processKey: 'approval',
      variables: { blob: 'x'.repeat(300 * 1024) },
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'VARIABLES_TOO_LARGE' } });
    expect((await s.api('POST', '/api/tasks/999999/complete', {})).body.code).toBe(
      'TASK_NOT_FOUND',
    );
    expect((await s.api('GET', '/api/tasks')).body.data.length).toBe(before);
  });
});
