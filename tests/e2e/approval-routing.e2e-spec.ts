import { ADMIN_PASSWORD, DIALECTS, type TestServer, bpmn, startServer } from './support/harness';

/**
 * Who an approval goes to, over HTTP on both databases: the approver sources (FEEL functions over
 * the organisation, which is built here through the admin API), separation of duties, the
 * empty-list rules, the repeated-approver rule, approvers picked at submission, and the preview
 * ("who will approve this?") against the tasks a real start then creates.
 *
 *   departments  hq (head ceo) ─ ops (head dir) ─ team (no head)
 *   supervisors  emp → lead (inactive) → mgr → dir → ceo ; solo has none and no department
 */
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const role = (name: string, rules: string) =>
  `kind: role\nname: ${name}\nlabel: ${label(name)}\nrules:\n${rules}`;
const METADATA = {
  'expense.yaml': `
kind: entity
name: expense
label: { zh-CN: 报销, en: Expense }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  amount: { type: integer, label: { zh-CN: 金额, en: Amount } }
  reviewer: { type: text, label: { zh-CN: 复核人, en: Reviewer } }
`,
  'roles/staff.yaml': role(
    'staff',
    `  - { action: [read, create, update, start], subject: expense, conditions: { owner: $me } }
  - { action: start, subject: Workflow }`,
  ),
  'roles/manager.yaml': role(
    'manager',
    `  - { action: read, subject: expense }
  - { action: start, subject: Workflow }`,
  ),
  'roles/director.yaml': role(
    'director',
    `  - { action: read, subject: expense }
  - { action: start, subject: Workflow }`,
  ),
  'roles/finance.yaml': role('finance', `  - { action: read, subject: expense }`),
};

const flow = (id: string, from: string, to: string, cond?: string) =>
  cond
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression>${cond}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`;
const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
interface Approval {
  assignee?: string;
  groups?: string;
  users?: string;
  headers?: Record<string, string>;
  /** multi-instance over this collection, `approver` as the element */
  each?: string;
  sequential?: boolean;
}
const approval = (id: string, a: Approval) => {
  const mode = a.each ? (a.sequential ? 'sequential' : 'all') : 'single';
  const headers = { approvalMode: mode, ...a.headers };
  const assign = [
    a.assignee ? ` assignee="${esc(a.assignee)}"` : '',
    a.groups ? ` candidateGroups="${esc(a.groups)}"` : '',
    a.users ? ` candidateUsers="${esc(a.users)}"` : '',
  ].join('');
  const loop = a.each
    ? `<bpmn:multiInstanceLoopCharacteristics${a.sequential ? ' isSequential="true"' : ''}><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="${esc(a.each)}" inputElement="approver"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>`
    : '';
  return `<bpmn:userTask id="${id}" name="${id}"><bpmn:extensionElements><zeebe:assignmentDefinition${assign}/><zeebe:taskHeaders>${Object.entries(
    headers,
  )
    .map(([k, v]) => `<zeebe:header key="${k}" value="${esc(v)}"/>`)
    .join('')}</zeebe:taskHeaders></bpmn:extensionElements>${loop}</bpmn:userTask>`;
};
/** start → the given nodes in a row → end. */
const line = (key: string, nodes: string[], props: Record<string, string> = {}) => {
  const ids = ['start', ...nodes.map((n) => /id="([^"]+)"/.exec(n)![1]), 'end'];
  const properties = Object.keys(props).length
    ? `<bpmn:extensionElements><zeebe:properties>${Object.entries(props)
        .map(([k, v]) => `<zeebe:property name="${k}" value="${v}"/>`)
        .join('')}</zeebe:properties></bpmn:extensionElements>`
    : '';
  return `<bpmn:process id="${key}" isExecutable="true">${properties}<bpmn:startEvent id="start"/>${nodes.join('')}<bpmn:endEvent id="end"/>${ids
    .slice(1)
    .map((to, i) => flow(`f${i}`, ids[i], to))
    .join('')}</bpmn:process>`;
};

/** One diagram per process: element ids repeat across them. */
const PROCESSES = [
  line('chain', [
    approval('chain_approval', {
      assignee: '=approver',
      each: '=supervisorChain(initiator, 3)',
      sequential: true,
    }),
  ]),
  ...(['approve', 'admin', 'refuse'] as const).map((rule) =>
    line(`empty_${rule}`, [
      approval('head_approval', {
        assignee: '=deptHead(initiator)',
        headers: { onEmpty: rule },
      }),
    ]),
  ),
  ...(['approve', 'admin'] as const).map((rule) =>
    line(`vote_${rule}`, [
      approval('vote_approval', {
        assignee: '=approver',
        each: '=supervisorChain(initiator, 2)',
        headers: { approvalMode: 'vote', onEmpty: rule },
      }),
    ]),
  ),
  line('later_refuse', [
    approval('first', { assignee: '=supervisor(initiator)' }),
    approval('second', { assignee: '=deptHead(initiator)', headers: { onEmpty: 'refuse' } }),
  ]),
  line('manager_group', [approval('manager_approval', { groups: 'manager' })]),
  line('two_step', [
    approval('first', { assignee: '=supervisor(initiator)' }),
    approval('second', { assignee: '=users("mgr")' }),
    approval('third', { assignee: '=users("dir")' }),
  ]),
  line(
    'two_step_off',
    [
      approval('first', { assignee: '=supervisor(initiator)' }),
      approval('second', { assignee: '=users("mgr")' }),
    ],
    { autoApproveRepeated: 'false' },
  ),
  line('pick', [
    approval('picked_approval', {
      assignee: '=approver',
      each: '=picked("approvers", "finance")',
      headers: { onEmpty: 'refuse' },
    }),
  ]),
  // small expenses: the owner's supervisor; big ones also the department head above; then
  // finance, and a webhook whose answer the preview cannot know
  `<bpmn:process id="expense_route" isExecutable="true">
      <bpmn:startEvent id="start"/>${flow('f1', 'start', 'mark')}
      <bpmn:serviceTask id="mark"><bpmn:extensionElements><zeebe:taskDefinition type="crm:update-record"/><zeebe:taskHeaders><zeebe:header key="title" value="=&quot;[submitted] &quot; + record.title"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>
      ${flow('f2', 'mark', 'lead_approval')}
      ${approval('lead_approval', { assignee: '=supervisor(record.owner)' })}
      ${flow('f3', 'lead_approval', 'size')}
      <bpmn:exclusiveGateway id="size" default="small"/>
      ${flow('big', 'size', 'head_approval', '=record.amount &gt; 1000 and decision = "approve"')}
      ${flow('small', 'size', 'finance_approval')}
      ${approval('head_approval', { assignee: '=recordDeptHead(1)' })}
      ${flow('f4', 'head_approval', 'finance_approval')}
      ${approval('finance_approval', { groups: 'finance' })}
      ${flow('f5', 'finance_approval', 'push')}
      <bpmn:serviceTask id="push"><bpmn:extensionElements><zeebe:taskDefinition type="erp:book"/></bpmn:extensionElements></bpmn:serviceTask>
      ${flow('f6', 'push', 'end')}<bpmn:endEvent id="end"/>
    </bpmn:process>`,
].map(bpmn);

const PASSWORD = 'approval-routing-pw-1';

interface Task {
  id: number;
  elementId: string;
  assignee: string | null;
  candidateUsers: string[];
  candidateGroups: string[];
}

describe.each(DIALECTS)('approval routing on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  const ids = new Map<string, number>();
  const as = (login: string) => ({ authorization: `Bearer ${token.get(login)}` });
  const call = (user: string, method: string, path: string, body?: unknown) =>
    s.api(method, path, body, as(user));
  const start = (user: string, processKey: string, extra: Record<string, unknown> = {}) =>
    call(user, 'POST', '/api/workflow/instances', { processKey, ...extra });
  const openTasks = async (instanceId: number): Promise<Task[]> => {
    const r = await call('admin', 'GET', `/api/tasks?state=created&instanceId=${instanceId}`);
    expect(r.status).toBe(200);
    return r.body.data;
  };
  const complete = async (user: string, task: Task) => {
    const r = await call(user, 'POST', `/api/tasks/${task.id}/actions`, { action: 'approve' });
    expect(r.status).toBe(200);
    return r.body;
  };
  const history = async (instanceId: number) =>
    (await call('admin', 'GET', `/api/workflow/instances/${instanceId}/history`)).body
      .data as Array<{
      elementId: string | null;
      event: string;
      detail: Record<string, unknown> | null;
    }>;

  beforeAll(async () => {
    s = await startServer(dialect, METADATA);
    const login = async (name: string, password = PASSWORD) =>
      (await s.api('POST', '/api/auth/login', { login: name, password }, { 'x-no-auth': '1' })).body
        .accessToken as string;
    token.set('admin', await login('admin', ADMIN_PASSWORD));
    const post = async (path: string, body: unknown) => {
      const r = await call('admin', 'POST', path, body);
      expect(r.status).toBe(201);
      return r.body.id as number;
    };
    const users: Array<[string, string[]]> = [
      ['ceo', ['director']],
      ['dir', ['director']],
      ['mgr', ['manager']],
      ['lead', ['manager']],
      ['emp', ['staff']],
      ['solo', ['staff']],
      ['fin1', ['finance']],
      ['fin2', ['finance']],
    ];
    for (const [name, roles] of users)
      ids.set(
        name,
        await post('/api/admin/users', {
          login: name,
          password: PASSWORD,
          roles,
          displayName: `${name} (display)`,
          locale: 'en',
        }),
      );
    const hq = await post('/api/admin/departments', { name: 'hq', headId: ids.get('ceo') });
    const ops = await post('/api/admin/departments', {
      name: 'ops',
      parentId: hq,
      headId: ids.get('dir'),
    });
    const team = await post('/api/admin/departments', { name: 'team', parentId: ops });
    const patch = async (name: string, body: unknown) =>
      expect((await call('admin', 'PATCH', `/api/admin/users/${ids.get(name)}`, body)).status).toBe(
        200,
      );
    await patch('dir', { supervisorId: ids.get('ceo'), departmentId: ops });
    await patch('mgr', { supervisorId: ids.get('dir'), departmentId: team });
    await patch('lead', { supervisorId: ids.get('mgr'), departmentId: team });
    await patch('emp', { supervisorId: ids.get('lead'), departmentId: team });
    for (const [name] of users) if (name !== 'lead') token.set(name, await login(name));
    // a vacant level: the lead has left
    await patch('lead', { active: false });
    for (const xml of PROCESSES) {
      const deployed = await s.api('POST', '/api/workflow/deployments', xml, {
        ...as('admin'),
        'content-type': 'application/xml',
      });
      // on failure, the answer names each refused element
      if (deployed.status !== 201) throw new Error(JSON.stringify(deployed.body));
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  it('walks a supervisor chain of 3 levels, skipping the vacant one', async () => {
    const inst = await start('emp', 'chain');
    expect(inst.status).toBe(201);
    const first = await openTasks(inst.body.id);
    expect(first.map((t) => [t.elementId, t.assignee])).toEqual([['chain_approval', 'mgr']]);
    await complete('mgr', first[0]);
    const second = await openTasks(inst.body.id);
    // levels: lead (inactive, skipped), mgr, dir — the CEO is a fourth level
    expect(second.map((t) => t.assignee)).toEqual(['dir']);
    await complete('dir', second[0]);
    const done = await call('admin', 'GET', `/api/workflow/instances/${inst.body.id}`);
    expect(done.body.state).toBe('completed');
  });

  it('onEmpty approve: nobody to ask, the node approves itself and says so', async () => {
    const inst = await start('solo', 'empty_approve');
    expect(inst.status).toBe(201);
    expect(inst.body.state).toBe('completed');
    expect(inst.body.variables.decision).toBe('approve');
    const auto = (await history(inst.body.id)).filter((h) => h.event === 'auto-approve');
    expect(auto).toEqual([
      {
        elementId: 'head_approval',
        event: 'auto-approve',
        detail: { taskId: expect.any(Number), reason: 'no approvers' },
        actor: 'solo',
        elementType: 'UserTask',
        at: expect.any(String),
      },
    ]);
    const done = await call('admin', 'GET', `/api/tasks?instanceId=${inst.body.id}`);
    expect(done.body.data.map((t: { state: string }) => t.state)).toEqual(['completed']);
  });

  it('onEmpty admin: the admins decide', async () => {
    const inst = await start('solo', 'empty_admin');
    expect(inst.status).toBe(201);
    const tasks = await openTasks(inst.body.id);
    expect(tasks.map((t) => [t.assignee, t.candidateUsers])).toEqual([['admin', []]]);
  });

  it('onEmpty refuse: 422 naming the node, and nothing is started', async () => {
    const before = (await call('admin', 'GET', '/api/workflow/instances?processKey=empty_refuse'))
      .body.data.length;
    const r = await start('solo', 'empty_refuse');
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('APPROVERS_EMPTY');
    expect(r.body.message).toContain('head_approval');
    expect(r.body.errors).toEqual([
      expect.objectContaining({ path: 'head_approval', message: 'no approvers' }),
    ]);
    const after = (await call('admin', 'GET', '/api/workflow/instances?processKey=empty_refuse'))
      .body.data.length;
    expect(after).toBe(before);
    // the same process where the list is not empty: dir heads ops, but started it — the rule
    // is for a list still empty after the initiator's supervisor
    const ok = await start('dir', 'empty_refuse');
    expect(ok.status).toBe(201);
    expect((await openTasks(ok.body.id)).map((t) => t.assignee)).toEqual(['ceo']);
  });

  it('an empty multi-instance collection follows the rule as a whole', async () => {
    // nobody is above the CEO: the vote has no voters
    const auto = await start('ceo', 'vote_approve');
    expect(auto.status).toBe(201);
    expect([auto.body.state, auto.body.variables.decision]).toEqual(['completed', 'approve']);
    expect(
      (await history(auto.body.id)).filter((h) => h.event === 'auto-approve').map((h) => h.detail),
    ).toEqual([{ taskId: expect.any(Number), reason: 'no approvers' }]);
    // with the admin rule, one inner task for the admins
    const admin = await start('ceo', 'vote_admin');
    expect((await openTasks(admin.body.id)).map((t) => [t.elementId, t.assignee])).toEqual([
      ['vote_approval', 'admin'],
    ]);
    // someone with people above them gets their voters
    const mgr = await start('mgr', 'vote_admin');
    expect((await openTasks(mgr.body.id)).map((t) => t.assignee).sort()).toEqual(['ceo', 'dir']);
  });

  it('onEmpty refuse on a later node refuses that step, and the approval stays undone', async () => {
    const inst = await start('emp', 'later_refuse');
    const [first] = await openTasks(inst.body.id);
    const r = await call('mgr', 'POST', `/api/tasks/${first.id}/actions`, { action: 'approve' });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'APPROVERS_EMPTY', errors: [{ path: 'second' }] });
    // rolled back: the first task is still open, nothing of the second exists
    expect((await openTasks(inst.body.id)).map((t) => [t.id, t.elementId])).toEqual([
      [first.id, 'first'],
    ]);
    expect((await history(inst.body.id)).some((h) => h.elementId === 'second')).toBe(false);
  });

  it('refuses an unknown empty-list rule at deploy, naming the element', async () => {
    const bad = bpmn(
      line('bad_rule', [approval('odd', { assignee: 'mgr', headers: { onEmpty: 'skip' } })]),
    );
    const r = await s.api('POST', '/api/workflow/deployments', bad, {
      ...as('admin'),
      'content-type': 'application/xml',
    });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        elementId: 'odd',
        message: 'header onEmpty must be one of approve, admin, refuse',
      }),
    ]);
  });

  it("a manager's own request goes to the manager's supervisor", async () => {
    const own = await start('mgr', 'manager_group');
    expect(own.status).toBe(201);
    expect((await openTasks(own.body.id)).map((t) => [t.assignee, t.candidateGroups])).toEqual([
      ['dir', []],
    ]);
    // someone else's request stays with the managers' group
    const other = await start('emp', 'manager_group');
    expect((await openTasks(other.body.id)).map((t) => [t.assignee, t.candidateGroups])).toEqual([
      [null, ['manager']],
    ]);
  });

  it('the same approver twice in a row: the later node is approved automatically', async () => {
    const inst = await start('emp', 'two_step');
    const [first] = await openTasks(inst.body.id);
    expect([first.elementId, first.assignee]).toEqual(['first', 'mgr']);
    await complete('mgr', first);
    // second (mgr again) was approved on mgr's behalf; third (dir) waits
    expect((await openTasks(inst.body.id)).map((t) => [t.elementId, t.assignee])).toEqual([
      ['third', 'dir'],
    ]);
    const auto = (await history(inst.body.id)).filter((h) => h.event === 'auto-approve');
    expect(auto.map((h) => [h.elementId, h.detail])).toEqual([
      ['second', { taskId: expect.any(Number), reason: 'repeated approver', approver: 'mgr' }],
    ]);
  });

  it('autoApproveRepeated=false asks the same approver again', async () => {
    const inst = await start('emp', 'two_step_off');
    await complete('mgr', (await openTasks(inst.body.id))[0]);
    expect((await openTasks(inst.body.id)).map((t) => [t.elementId, t.assignee])).toEqual([
      ['second', 'mgr'],
    ]);
  });

  it('approvers picked at submission, within the role the node allows', async () => {
    const ok = await start('emp', 'pick', { variables: { approvers: ['fin1', 'fin2'] } });
    expect(ok.status).toBe(201);
    expect((await openTasks(ok.body.id)).map((t) => t.assignee).sort()).toEqual(['fin1', 'fin2']);
  });

  it.each([
    { title: 'someone without the role', approvers: ['fin1', 'mgr'], message: /mgr may not/ },
    { title: 'not a list of logins', approvers: [1, 2], message: /list of logins/ },
  ])('refuses a pick of $title with 400 naming the variable', async ({ approvers, message }) => {
    const before = (await call('admin', 'GET', '/api/workflow/instances?processKey=pick')).body.data
      .length;
    const r = await start('emp', 'pick', { variables: { approvers } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('VARIABLES_INVALID');
    expect(r.body.errors).toEqual([
      { path: '/variables/approvers', message: expect.stringMatching(message) },
    ]);
    expect(
      (await call('admin', 'GET', '/api/workflow/instances?processKey=pick')).body.data,
    ).toHaveLength(before);
  });

  describe('preview', () => {
    const expense = async (amount: number) => {
      const r = await call('emp', 'POST', '/api/records/expense', { title: 'trip', amount });
      expect(r.status).toBe(201);
      return { entity: 'expense', id: r.body.id as number };
    };
    const preview = (user: string, body: unknown) =>
      call(user, 'POST', '/api/workflow/preview', body);

    it.each([
      { amount: 5000, route: ['lead_approval', 'head_approval', 'finance_approval'] },
      { amount: 200, route: ['lead_approval', 'finance_approval'] },
    ])('matches the tasks a start creates (amount $amount)', async ({ amount, route }) => {
      const record = await expense(amount);
      const countBefore = (await call('admin', 'GET', '/api/workflow/instances?limit=500')).body
        .data.length;
      const p = await preview('emp', { processKey: 'expense_route', record });
      expect(p.status).toBe(200);
      // nothing was started or written
      expect(
        (await call('admin', 'GET', '/api/workflow/instances?limit=500')).body.data.length,
      ).toBe(countBefore);
      expect((await call('emp', 'GET', `/api/records/expense/${record.id}`)).body.title).toBe(
        'trip',
      );
      expect(p.body.nodes.map((n: { elementId: string }) => n.elementId)).toEqual(route);
      expect(p.body.stops).toEqual([
        {
          elementId: 'push',
          name: null,
          reason: 'stops here: depends on a service result (erp:book)',
        },
      ]);
      const byId = Object.fromEntries(
        p.body.nodes.map((n: { elementId: string }) => [n.elementId, n]),
      );
      expect(byId.lead_approval).toMatchObject({
        mode: 'single',
        approval: true,
        route: 'approvers',
        onEmpty: 'admin',
        approvers: [{ login: 'mgr', displayName: 'mgr (display)' }],
        candidateGroups: [],
      });
      expect(byId.finance_approval.candidateGroups).toEqual([
        {
          name: 'finance',
          members: [
            { login: 'fin1', displayName: 'fin1 (display)' },
            { login: 'fin2', displayName: 'fin2 (display)' },
          ],
        },
      ]);
      // the real thing, node by node
      const inst = await start('emp', 'expense_route', { record });
      expect(inst.status).toBe(201);
      for (const expected of p.body.nodes as Array<{
        elementId: string;
        approvers: Array<{ login: string }>;
        candidateGroups: Array<{ name: string; members: Array<{ login: string }> }>;
      }>) {
        const [task, ...more] = await openTasks(inst.body.id);
        expect(more).toEqual([]);
        expect(task.elementId).toBe(expected.elementId);
        expect([task.assignee, ...task.candidateUsers].filter(Boolean)).toEqual(
          expected.approvers.map((a) => a.login),
        );
        expect(task.candidateGroups).toEqual(expected.candidateGroups.map((g) => g.name));
        const decider = task.assignee ?? expected.candidateGroups[0].members[0].login;
        await complete(decider, task);
      }
      // after the last approval the webhook job waits, as the preview said
      expect(await openTasks(inst.body.id)).toEqual([]);
      const view = await call('admin', 'GET', `/api/workflow/instances/${inst.body.id}`);
      expect(view.body.activeElementIds).toEqual(['push']);
    });

    it('previews an unsaved record from its values, and the initiator is the caller', async () => {
      const p = await preview('mgr', {
        processKey: 'expense_route',
        values: { title: 'new', amount: 3000, owner: 'emp' },
      });
      expect(p.status).toBe(200);
      expect(
        p.body.nodes.map((n: { elementId: string; approvers: Array<{ login: string }> }) => [
          n.elementId,
          n.approvers.map((a) => a.login),
        ]),
      ).toEqual([
        ['lead_approval', ['dir']],
        ['head_approval', ['dir']],
        ['finance_approval', []],
      ]);
      // the manager would approve their own submission: separation of duties sends it to their
      // supervisor, who then heads the next node too: the repeated-approver rule
      expect(p.body.nodes.map((n: { route: string }) => n.route)).toEqual([
        'supervisor',
        'repeated',
        'approvers',
      ]);
    });

    it.each([
      {
        title: 'the empty-list rule',
        user: 'solo',
        body: { processKey: 'empty_refuse' },
        status: 200,
        check: (b: any) => {
          expect(b.nodes).toEqual([
            expect.objectContaining({ elementId: 'head_approval', route: 'refuse', approvers: [] }),
          ]);
          expect(b.stops[0].reason).toMatch(/would be refused/);
        },
      },
      {
        title: 'the repeated approver',
        user: 'emp',
        body: { processKey: 'two_step' },
        status: 200,
        check: (b: any) =>
          expect(b.nodes.map((n: { route: string }) => n.route)).toEqual([
            'approvers',
            'repeated',
            'approvers',
          ]),
      },
      {
        title: 'a supervisor chain',
        user: 'emp',
        body: { processKey: 'chain' },
        status: 200,
        check: (b: any) =>
          expect(b.nodes[0]).toMatchObject({
            mode: 'sequential',
            approvers: [
              { login: 'mgr', displayName: 'mgr (display)' },
              { login: 'dir', displayName: 'dir (display)' },
            ],
          }),
      },
      {
        title: 'a pick outside the role (400, as the start)',
        user: 'emp',
        body: { processKey: 'pick', variables: { approvers: ['mgr'] } },
        status: 400,
        check: (b: any) => expect(b.errors[0].path).toBe('/variables/approvers'),
      },
      {
        title: 'an unknown process',
        user: 'emp',
        body: { processKey: 'nope' },
        status: 404,
        check: (b: any) => expect(b.code).toBe('DEFINITION_NOT_FOUND'),
      },
      {
        title: 'record and values together',
        user: 'emp',
        body: { processKey: 'chain', record: { entity: 'expense', id: 1 }, values: {} },
        status: 400,
        check: (b: any) => expect(b.errors[0].path).toBe('/values'),
      },
      {
        title: 'someone who may not start it',
        user: 'fin1',
        body: { processKey: 'chain' },
        status: 403,
        check: (b: any) => expect(b.code).toBe('FORBIDDEN'),
      },
    ])('shows $title', async ({ user, body, status, check }) => {
      const r = await preview(user, body);
      expect(r.status).toBe(status);
      check(r.body);
    });
  });
});
