import {
  ADMIN_PASSWORD,
  DIALECTS,
  type TestServer,
  bpmn,
  eventually,
  startServer,
} from './support/harness';

/**
 * Who may start, see, claim, complete and cancel what in the workflow engine, over HTTP. Candidate
 * groups name roles; `start` on an entity follows the rule's row conditions; instances of records a
 * user cannot read stay hidden unless the user takes part; the Workflow subject's actions (read,
 * start, cancel, deploy, message, work, operate) gate the rest.
 */
const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
`;
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const role = (name: string, rules: string) =>
  `kind: role\nname: ${name}\nlabel: ${label(name)}\nrules:\n${rules}`;
const ROLES = {
  'roles/rep.yaml': role(
    'rep',
    `  - { action: [read, create, update, start], subject: deal, conditions: { owner: $me } }`,
  ),
  // approves the deals of its own department: a group task needs the record to be readable
  'roles/approver.yaml': role(
    'approver',
    `  - { action: read, subject: deal, conditions: { owner: $myDepartment } }`,
  ),
  'roles/auditor.yaml': role('auditor', `  - { action: read, subject: Workflow }`),
  'roles/ops.yaml': role(
    'ops',
    `  - { action: [cancel, deploy, message, work, operate, read], subject: Workflow }`,
  ),
  'roles/peer.yaml': role('peer', `  - { action: read, subject: deal }`),
  'roles/starter.yaml': role('starter', `  - { action: start, subject: Workflow }`),
};
const PROCESSES = bpmn(`
<bpmn:process id="deal_approval" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="approve"/>
  <bpmn:userTask id="approve"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="approver"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="confirm"/>
  <bpmn:userTask id="confirm"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="confirm" targetRef="e"/>
  <bpmn:endEvent id="e"/>
</bpmn:process>
<bpmn:process id="open_task" isExecutable="true">
  <bpmn:startEvent id="s2"/>
  <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="anyone"/>
  <bpmn:userTask id="anyone"/>
  <bpmn:sequenceFlow id="g2" sourceRef="anyone" targetRef="e2"/>
  <bpmn:endEvent id="e2"/>
</bpmn:process>
<bpmn:process id="worker" isExecutable="true">
  <bpmn:startEvent id="s3"/>
  <bpmn:sequenceFlow id="h1" sourceRef="s3" targetRef="job"/>
  <bpmn:serviceTask id="job"><bpmn:extensionElements><zeebe:taskDefinition type="erp:sync"/></bpmn:extensionElements></bpmn:serviceTask>
  <bpmn:sequenceFlow id="h2" sourceRef="job" targetRef="e3"/>
  <bpmn:endEvent id="e3"/>
</bpmn:process>`);
const PASSWORD = 'workflow-access-pw-1';

describe.each(DIALECTS)('workflow permissions on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  const deal: Record<string, number> = {};
  const as = (login: string) => ({ authorization: `Bearer ${token.get(login)}` });
  const call = (user: string, method: string, path: string, body?: unknown) =>
    s.api(method, path, body, as(user));
  const start = (user: string, processKey: string, record?: { entity: string; id: number }) =>
    call(user, 'POST', '/api/workflow/instances', { processKey, record });
  const tasksOf = async (user: string, query = '') => {
    const r = await call(user, 'GET', `/api/tasks?state=created${query}`);
    expect(r.status).toBe(200);
    return r.body.data as Array<{
      id: number;
      instanceId: number;
      elementId: string;
      assignee: string | null;
    }>;
  };
  const taskIn = async (instanceId: number, elementId: string) => {
    const all = await tasksOf('admin', `&instanceId=${instanceId}`);
    const t = all.find((x) => x.elementId === elementId);
    if (!t) throw new Error(`no open ${elementId} task in instance ${instanceId}`);
    return t;
  };

  beforeAll(async () => {
    s = await startServer(dialect, { 'deal.yaml': DEAL, ...ROLES });
    const login = async (name: string, password = PASSWORD) =>
      (await s.api('POST', '/api/auth/login', { login: name, password }, { 'x-no-auth': '1' })).body
        .accessToken as string;
    token.set('admin', await login('admin', ADMIN_PASSWORD));
    const dep = async (name: string) =>
      (await call('admin', 'POST', '/api/admin/departments', { name, parentId: null })).body
        .id as number;
    const east = await dep('east');
    const west = await dep('west');
    const users: Array<[string, string[], number | null]> = [
      ['rep1', ['rep'], east],
      ['rep2', ['rep'], west],
      ['appr', ['approver'], east],
      ['appr2', ['approver'], east],
      ['appr3', ['approver'], west],
      ['aud', ['auditor'], null],
      ['ops', ['ops'], null],
      ['peer', ['peer'], null],
      ['starter', ['starter'], null],
      ['nobody', [], null],
    ];
    for (const [name, roles, departmentId] of users) {
      const r = await call('admin', 'POST', '/api/admin/users', {
        login: name,
        password: PASSWORD,
        roles,
        departmentId,
        locale: 'en',
      });
      expect(r.status).toBe(201);
      token.set(name, await login(name));
    }
    const deployed = await s.api('POST', '/api/workflow/deployments', PROCESSES, {
      ...as('admin'),
      'content-type': 'application/xml',
    });
    expect(deployed.status).toBe(201);
    for (const [key, owner] of [
      ['d1', 'rep1'],
      ['d2', 'rep2'],
      ['d3', 'rep1'],
      ['d4', 'rep1'],
    ]) {
      const r = await call(owner, 'POST', '/api/records/deal', { title: key });
      expect(r.status).toBe(201);
      deal[key] = r.body.id;
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each([
    ['rep1', 'deal_approval', 'd1', 201, 'own deal: start within the rule conditions'],
    ['rep1', 'deal_approval', 'd2', 404, "another rep's deal is invisible, not forbidden"],
    ['peer', 'deal_approval', 'd1', 403, 'reads the deal but has no start rule'],
    ['nobody', 'deal_approval', 'd1', 403, 'no rule reads deals at all'],
    ['rep1', 'open_task', null, 403, 'no record: needs start on Workflow'],
    ['starter', 'open_task', null, 201, 'start on Workflow'],
    ['ops', 'open_task', null, 403, 'ops cannot start'],
  ])('%s starts %s on %s → %i (%s)', async (user, key, dealKey, status, _why) => {
    const r = await start(
      user as string,
      key as string,
      dealKey ? { entity: 'deal', id: deal[dealKey as string] } : undefined,
    );
    expect(r.status).toBe(status);
    if (status === 201) expect(r.body).toMatchObject({ state: 'active', startedBy: user });
    else if (status === 403) expect(r.body.code).toBe('FORBIDDEN');
  });

  it('shows an instance to its starter, record readers, candidates and auditors only', async () => {
    const run = (await start('rep1', 'deal_approval', { entity: 'deal', id: deal.d3 })).body;
    const sees = async (user: string) => {
      const one = await call(user, 'GET', `/api/workflow/instances/${run.id}`);
      const list = (await call(user, 'GET', '/api/workflow/instances?limit=500')).body
        .data as Array<{
        id: number;
      }>;
      const history = await call(user, 'GET', `/api/workflow/instances/${run.id}/history`);
      // one answer whichever way the user asks
      expect(list.some((i) => i.id === run.id)).toBe(one.status === 200);
      expect(history.status).toBe(one.status);
      return one.status;
    };
    expect(await sees('rep1')).toBe(200); // starter
    expect(await sees('peer')).toBe(200); // reads the deal
    expect(await sees('appr')).toBe(200); // candidate of the open task
    expect(await sees('aud')).toBe(200); // read on Workflow
    expect(await sees('admin')).toBe(200);
    expect(await sees('rep2')).toBe(404); // cannot read d3, takes no part
    expect(await sees('nobody')).toBe(404);
    expect(await sees('starter')).toBe(404);
    // holds the candidate role, but in another department: neither the deal nor its approval
    expect(await sees('appr3')).toBe(404);
    expect((await call('appr3', 'GET', `/api/records/deal/${deal.d3}`)).status).toBe(404);
  });

  it('offers a task to its candidate group, lets only them claim and complete it, then its assignee', async () => {
    const run = (await start('rep1', 'deal_approval', { entity: 'deal', id: deal.d1 })).body;
    const approve = await taskIn(run.id, 'approve');
    const inbox = async (user: string) => (await tasksOf(user)).map((t) => t.id);
    expect(await inbox('appr')).toContain(approve.id);
    expect(await inbox('appr2')).toContain(approve.id);
    for (const u of ['rep1', 'rep2', 'peer', 'nobody', 'appr3'])
      expect(await inbox(u)).not.toContain(approve.id);
    expect((await call('appr3', 'POST', `/api/tasks/${approve.id}/claim`)).status).toBe(404);
    // an auditor lists every task, but none is theirs
    expect(await inbox('aud')).toContain(approve.id);
    expect((await tasksOf('aud', '&mine=true')).map((t) => t.id)).not.toContain(approve.id);

    // rep1 sees the task through their instance but may not decide their own approval
    const selfApprove = await call('rep1', 'POST', `/api/tasks/${approve.id}/complete`, {
      variables: { approved: true },
    });
    expect(selfApprove.status).toBe(403);
    expect(selfApprove.body.message).toContain('only its candidates');
    expect((await call('rep2', 'POST', `/api/tasks/${approve.id}/complete`, {})).status).toBe(404);
    expect((await call('rep2', 'GET', `/api/tasks/${approve.id}`)).status).toBe(404);
    expect((await call('aud', 'POST', `/api/tasks/${approve.id}/claim`)).status).toBe(403);

    expect((await call('appr', 'POST', `/api/tasks/${approve.id}/claim`)).status).toBe(200);
    // claimed: the other candidate sees who holds it, and may take it no more
    const held = (await tasksOf('appr2')).find((t) => t.id === approve.id);
    expect(held).toMatchObject({ assignee: 'appr' });
    expect((await call('appr2', 'POST', `/api/tasks/${approve.id}/claim`)).status).toBe(409);
    const taken = await call('appr2', 'POST', `/api/tasks/${approve.id}/complete`, {});
    expect(taken.status).toBe(403);
    expect(taken.body.message).toContain('assigned to appr');
    const done = await call('appr', 'POST', `/api/tasks/${approve.id}/complete`, {
      variables: { approved: true },
    });
    expect(done.status).toBe(200);
    expect(done.body.activeElementIds).toEqual(['confirm']);
    // the approver keeps seeing what they decided
    expect((await call('appr', 'GET', `/api/tasks/${approve.id}`)).status).toBe(200);

    const confirm = await taskIn(run.id, 'confirm');
    expect(await inbox('rep1')).toContain(confirm.id);
    expect((await call('appr', 'POST', `/api/tasks/${confirm.id}/complete`, {})).status).toBe(403);
    const end = await call('rep1', 'POST', `/api/tasks/${confirm.id}/complete`, {});
    expect(end.status).toBe(200);
    expect(end.body.state).toBe('completed');

    // every denial is in the audit trail with user, action and reason (written after the answer)
    const audit = await eventually(async () => {
      const rows = (await call('admin', 'GET', '/api/admin/audit?outcome=denied&limit=500')).body
        .data as Array<{ actor: string; action: string }>;
      if (!rows.some((r) => r.actor === 'rep1' && r.action === 'complete'))
        throw new Error('denial not audited yet');
      return rows;
    });
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'rep1',
          action: 'complete',
          subject: 'Workflow',
          detail: expect.objectContaining({
            reason: expect.stringContaining('only its candidates'),
          }),
        }),
      ]),
    );
  });

  it('lets one of two candidates win a concurrent approval, never both', async () => {
    const run = (await start('rep1', 'deal_approval', { entity: 'deal', id: deal.d4 })).body;
    const approve = await taskIn(run.id, 'approve');
    const results = await Promise.all(
      ['appr', 'appr2'].map((u) =>
        call(u, 'POST', `/api/tasks/${approve.id}/complete`, { variables: { by: u } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(200);
    expect([403, 404, 409]).toContain(statuses[1]);
    const history = (await call('admin', 'GET', `/api/workflow/instances/${run.id}/history`)).body
      .data as Array<{ event: string; elementId: string }>;
    expect(history.filter((h) => h.event === 'complete' && h.elementId === 'approve')).toHaveLength(
      1,
    );
    expect((await call('ops', 'POST', `/api/workflow/instances/${run.id}/cancel`)).status).toBe(
      200,
    );
  });

  it('opens a task without candidates to whoever sees its instance', async () => {
    const run = (await start('starter', 'open_task')).body;
    const t = await taskIn(run.id, 'anyone');
    expect((await call('rep1', 'POST', `/api/tasks/${t.id}/complete`, {})).status).toBe(404);
    expect((await tasksOf('starter')).map((x) => x.id)).toContain(t.id);
    expect((await call('starter', 'POST', `/api/tasks/${t.id}/complete`, {})).status).toBe(200);
  });

  it('lets the starter withdraw and the cancel role cancel, nobody else', async () => {
    const a = (await start('rep1', 'deal_approval', { entity: 'deal', id: deal.d1 })).body;
    const b = (await start('rep1', 'deal_approval', { entity: 'deal', id: deal.d1 })).body;
    const cancel = (user: string, id: number) =>
      call(user, 'POST', `/api/workflow/instances/${id}/cancel`);
    expect((await cancel('rep2', a.id)).status).toBe(404);
    const peer = await cancel('peer', a.id);
    expect(peer.status).toBe(403);
    expect(peer.body.message).toContain('only its starter');
    expect((await cancel('appr', a.id)).status).toBe(403);
    expect((await cancel('rep1', a.id)).body.state).toBe('cancelled');
    expect((await cancel('ops', b.id)).body.state).toBe('cancelled');
    expect((await call('admin', 'GET', `/api/workflow/instances/${b.id}`)).body.state).toBe(
      'cancelled',
    );
  });

  it.each([
    ['rep1', 'deploy', 403],
    ['ops', 'deploy', 201],
    ['rep1', 'incidents', 403],
    ['aud', 'incidents', 200],
    ['aud', 'retry', 403],
    ['rep1', 'message', 403],
    ['ops', 'message', 404],
    ['rep1', 'fetch', 403],
    ['ops', 'fetch', 200],
    ['rep1', 'definitions', 200],
  ])('%s → %s answers %i', async (user, what, status) => {
    const u = user as string;
    let r;
    if (what === 'deploy')
      r = await s.api('POST', '/api/workflow/deployments', PROCESSES.replace(/"e3"/g, '"e3b"'), {
        ...as(u),
        'content-type': 'application/xml',
      });
    else if (what === 'incidents') r = await call(u, 'GET', '/api/workflow/incidents');
    else if (what === 'retry')
      r = await call(u, 'POST', '/api/workflow/incidents/999999/retry', {});
    else if (what === 'message')
      r = await call(u, 'POST', '/api/workflow/messages', { name: 'nobody-waits' });
    else if (what === 'definitions') r = await call(u, 'GET', '/api/workflow/definitions');
    else
      r = await call(u, 'POST', '/api/workflow/external-jobs/fetch-and-lock', {
        workerId: 'w1',
        types: ['erp:sync'],
      });
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body.errors[0]).toMatchObject({ path: 'Workflow' });
  });

  it('hands external jobs only to workers with the work action', async () => {
    const run = (await start('starter', 'worker')).body;
    const fetched = await call('ops', 'POST', '/api/workflow/external-jobs/fetch-and-lock', {
      workerId: 'w1',
      types: ['erp:sync'],
    });
    const job = (fetched.body.data as Array<{ id: number; instanceId: number }>).find(
      (j) => j.instanceId === run.id,
    );
    expect(job).toBeDefined();
    const complete = (user: string) =>
      call(user, 'POST', `/api/workflow/external-jobs/${job!.id}/complete`, { workerId: 'w1' });
    expect((await complete('starter')).status).toBe(403);
    expect((await complete('ops')).status).toBe(204);
    expect((await call('starter', 'GET', `/api/workflow/instances/${run.id}`)).body.state).toBe(
      'completed',
    );
  });

  // `a[]` and `a[b]` are plain (unknown) names, not arrays or objects: refused like any unknown
  // parameter, never ignored
  it.each([
    ['/api/tasks?processKey=a&processKey=b', 400, 'BAD_REQUEST'],
    ['/api/tasks?candidateGroup[]=approver', 400, 'QUERY_INVALID'],
    ['/api/tasks?assignee[a]=rep1', 400, 'QUERY_INVALID'],
    ['/api/workflow/instances?state[]=active', 400, 'QUERY_INVALID'],
    ['/api/records/deal?sort=title&sort=id', 400, 'BAD_REQUEST'],
    ['/api/records/deal?sort[]=title', 400, 'QUERY_INVALID'],
    ['/api/tasks?candidateGroup=approver', 200, undefined],
  ])('answers odd query strings plainly: %s → %i %s', async (url, status, code) => {
    const r = await call('rep1', 'GET', url as string);
    expect(r.status).toBe(status);
    if (code) expect(r.body).toMatchObject({ code });
  });

  it('starts only the latest version unless the user operates workflows', async () => {
    const pinned = await call('rep1', 'POST', '/api/workflow/instances', {
      processKey: 'deal_approval',
      version: 1,
      record: { entity: 'deal', id: deal.d1 },
    });
    expect(pinned.status).toBe(403);
    expect(pinned.body.message).toContain('only the latest version');
    const admin = await call('admin', 'POST', '/api/workflow/instances', {
      processKey: 'deal_approval',
      version: 1,
      record: { entity: 'deal', id: deal.d1 },
    });
    expect(admin.status).toBe(201);
  });

  it('refuses variables the engine sets itself, and keys longer than their column', async () => {
    const spoof = await call('rep1', 'POST', '/api/workflow/instances', {
      processKey: 'deal_approval',
      record: { entity: 'deal', id: deal.d1 },
      variables: { initiator: 'boss', record: { status: 'approved' }, note: 'ok' },
    });
    expect(spoof.status).toBe(400);
    expect(spoof.body.errors.map((e: { path: string }) => e.path)).toEqual([
      '/variables/initiator',
      '/variables/record',
    ]);
    const long = await call('starter', 'POST', '/api/workflow/instances', {
      processKey: 'open_task',
      businessKey: 'k'.repeat(300),
    });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].path).toBe('/businessKey');
  });
});
