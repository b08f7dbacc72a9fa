import { DB, type Db, toDbTimestamp } from '@crm/common';
import { ADMIN_PASSWORD, DIALECTS, type TestServer, bpmn, startServer } from './support/harness';

/**
 * The approval inbox (GET /api/inbox) and an instance's timeline, over HTTP on both databases.
 * Tasks come from real processes: deployed diagrams, started, decided through the task API and
 * the approval actions (POST /api/tasks/:id/actions).
 *
 * Due dates (crm_wf_task.due_at) are written straight into the database by `due()` until the
 * deadlines work (`deadline` headers on a business calendar) lands and fills them; then switch
 * to a `deadline` header and a moved clock.
 */
const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  amount: { type: integer, label: { zh-CN: 金额, en: Amount } }
  stage: { type: text, label: { zh-CN: 阶段, en: Stage } }
  region: { type: text, label: { zh-CN: 区域, en: Region } }
  notes: { type: longText, label: { zh-CN: 备注, en: Notes } }
  contract: { type: file, label: { zh-CN: 合同, en: Contract } }
`;
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const role = (name: string, rules: string) =>
  `kind: role\nname: ${name}\nlabel: ${label(name)}\nrules:\n${rules}`;
const ROLES = {
  'roles/rep.yaml': role(
    'rep',
    `  - { action: [read, create, update, start], subject: deal, conditions: { owner: $me } }
  - { action: start, subject: Workflow }`,
  ),
  // approvers read every deal but never its amount: the summary must not show it either
  'roles/approver.yaml': role(
    'approver',
    `  - { action: read, subject: deal }
  - { action: read, subject: deal, fields: [amount], inverted: true }`,
  ),
  // reads no deal at all, and one field of deals never: what a CC shows her keeps that denial
  'roles/no_amounts.yaml': role(
    'no_amounts',
    `  - { action: read, subject: deal, fields: [amount], inverted: true }`,
  ),
};
const PROCESSES = bpmn(`
<bpmn:process id="deal_approval" name="Deal approval" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
  <bpmn:userTask id="review" name="Review"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="approver"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="sign"/>
  <bpmn:userTask id="sign" name="Sign"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=boss"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="sign" targetRef="e"/>
  <bpmn:endEvent id="e"/>
</bpmn:process>
<bpmn:process id="expense" name="Expense claim" isExecutable="true">
  <bpmn:startEvent id="s2"/>
  <bpmn:sequenceFlow id="g1" sourceRef="s2" targetRef="approve"/>
  <bpmn:userTask id="approve" name="Approve expense"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=approver"/></bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="g2" sourceRef="approve" targetRef="e2"/>
  <bpmn:endEvent id="e2"/>
</bpmn:process>`);
const PASSWORD = 'approval-inbox-pw-1';

interface Item {
  taskId: number | null;
  instanceId: number;
  processKey: string;
  processName: string | null;
  nodeId: string | null;
  nodeName: string | null;
  dueAt: string | null;
  dueState: string | null;
  assignee: string | null;
  outcome: string | null;
  completedAt: string | null;
  instanceState: string;
  openTasks?: Array<{ taskId: number; nodeId: string; assignee: string | null }>;
  cc?: { by: string | null; readAt: string | null };
  record: { entity: string; id: number; display: string | null; fields: Record<string, unknown> };
}
interface Page {
  counts: Record<string, number>;
  items: Item[];
  nextCursor: string | null;
}

describe.each(DIALECTS)('approval inbox and timeline on %s', (dialect) => {
  let s: TestServer;
  let db: Db;
  const token = new Map<string, string>();
  const deal: Record<string, number> = {};
  const run: Record<string, number> = {};
  let fileId = '';
  const call = (user: string, method: string, path: string, body?: unknown) =>
    s.api(method, path, body, { authorization: `Bearer ${token.get(user)}` });
  const inbox = async (user: string, query: string): Promise<Page> => {
    const r = await call(user, 'GET', `/api/inbox?${query}`);
    expect({ status: r.status, body: r.status === 200 ? 'ok' : r.body }).toEqual({
      status: 200,
      body: 'ok',
    });
    return r.body as Page;
  };
  const openTask = async (instanceId: number, elementId: string) => {
    const r = await call('admin', 'GET', `/api/tasks?state=created&instanceId=${instanceId}`);
    const t = (r.body.data as Array<{ id: number; elementId: string }>).find(
      (x) => x.elementId === elementId,
    );
    if (!t) throw new Error(`no open ${elementId} in instance ${instanceId}`);
    return t.id;
  };
  /** Until deadlines land: the task's due date, hours from the server's clock. */
  const due = async (taskId: number, hours: number) => {
    const at = new Date(s.clock.now().getTime() + hours * 3_600_000);
    await db.execute('UPDATE crm_wf_task SET due_at = ? WHERE id = ?', [toDbTimestamp(at), taskId]);
  };
  const act = (user: string, taskId: number, body: Record<string, unknown>) =>
    call(user, 'POST', `/api/tasks/${taskId}/actions`, body);

  beforeAll(async () => {
    s = await startServer(dialect, { 'deal.yaml': DEAL, ...ROLES });
    db = s.app.get<Db>(DB);
    const login = async (name: string, password = PASSWORD) =>
      (await s.api('POST', '/api/auth/login', { login: name, password }, { 'x-no-auth': '1' })).body
        .accessToken as string;
    token.set('admin', await login('admin', ADMIN_PASSWORD));
    const users: Array<[string, string, string[]]> = [
      ['rep1', 'Rita Rep', ['rep']],
      ['appr', 'Alan Approver', ['approver']],
      ['appr2', 'Anna Approver', ['approver']],
      ['boss', 'Bea Boss', []],
      ['carol', 'Carol Copied', ['no_amounts']],
      ['stranger', 'Sam Stranger', []],
    ];
    for (const [name, displayName, roles] of users) {
      const r = await call('admin', 'POST', '/api/admin/users', {
        login: name,
        displayName,
        password: PASSWORD,
        roles,
        locale: 'en',
      });
      expect(r.status).toBe(201);
      token.set(name, await login(name));
    }
    const deployed = await s.api('POST', '/api/workflow/deployments', PROCESSES, {
      authorization: `Bearer ${token.get('admin')}`,
      'content-type': 'application/xml',
    });
    expect(deployed.status).toBe(201);
    const deals: Array<[string, string, number, string]> = [
      ['alpha', 'Alpha deal', 1000, 'north'],
      ['beta', 'Beta deal', 2000, 'south'],
      ['gamma', 'Gamma 50% off', 3000, 'east'],
    ];
    for (const [key, title, amount, region] of deals) {
      const r = await call('rep1', 'POST', '/api/records/deal', {
        title,
        amount,
        stage: 'open',
        region,
      });
      expect(r.status).toBe(201);
      deal[key] = r.body.id;
    }
    const start = async (key: string, processKey: string, body: Record<string, unknown>) => {
      const r = await call('rep1', 'POST', '/api/workflow/instances', { processKey, ...body });
      expect(r.status).toBe(201);
      run[key] = r.body.id;
    };
    for (const key of ['alpha', 'beta', 'gamma'])
      await start(key, 'deal_approval', {
        record: { entity: 'deal', id: deal[key] },
        variables: { boss: 'boss' },
      });
    await start('expense', 'expense', { variables: { approver: 'appr' } });
    // gamma's review is decided by appr: it moves to boss, and into appr's done box
    const done = await call(
      'appr',
      'POST',
      `/api/tasks/${await openTask(run.gamma, 'review')}/complete`,
      {
        variables: { decision: 'approve' },
      },
    );
    expect(done.status).toBe(200);
    await due(await openTask(run.alpha, 'review'), -1); // overdue
    await due(await openTask(run.beta, 'review'), 2); // due within 24 hours
    await due(await openTask(run.expense, 'approve'), 72);
    // a task without a due date (one created before deadlines existed) sorts last: every new task
    // gets TASK_DEFAULT_DEADLINE now, so gamma's sign is made such a task
    await db.execute('UPDATE crm_wf_task SET due_at = NULL WHERE id = ?', [
      await openTask(run.gamma, 'sign'),
    ]);
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4 quote'], { type: 'application/pdf' }), 'quote.pdf');
    const upload = await fetch(`${s.url}/api/files`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${token.get('rep1')}` },
    });
    expect(upload.status).toBe(201);
    fileId = ((await upload.json()) as { id: string }).id;
    const copied = await act('appr', await openTask(run.alpha, 'review'), {
      action: 'cc',
      userIds: ['carol'],
      comment: 'FYI: the big one',
      attachments: [fileId],
    });
    expect(copied.status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("counts every box and lists an approver's pending work by due date", async () => {
    const page = await inbox('appr', 'box=pending');
    expect(page.counts).toEqual({
      pending: 3,
      done: 1,
      cc: 0,
      ccUnread: 0,
      initiated: 0,
      dueSoon: 1,
      overdue: 1,
    });
    expect(page.items.map((i) => [i.instanceId, i.nodeId, i.dueState])).toEqual([
      [run.alpha, 'review', 'overdue'],
      [run.beta, 'review', 'dueSoon'],
      [run.expense, 'approve', 'ok'],
    ]);
    expect(page.nextCursor).toBeNull();
    const [alpha, , expense] = page.items;
    expect(alpha).toMatchObject({
      processKey: 'deal_approval',
      processName: 'Deal approval',
      nodeName: 'Review',
      assignee: null,
      instanceState: 'active',
      // the approver role hides amount: the summary shows the other fields, not that one
      record: {
        entity: 'deal',
        id: deal.alpha,
        display: 'Alpha deal',
        fields: { stage: 'open', region: 'north' },
      },
    });
    expect(alpha.record.fields).not.toHaveProperty('amount');
    expect(expense).toMatchObject({ processName: 'Expense claim', assignee: 'appr', record: null });
  });

  it("shows the starter's instances, with the amount their role reads", async () => {
    const page = await inbox('rep1', 'box=initiated');
    expect(page.counts).toMatchObject({ pending: 0, done: 0, cc: 0, initiated: 4 });
    expect(page.items.map((i) => i.instanceId)).toEqual([
      run.expense,
      run.gamma,
      run.beta,
      run.alpha,
    ]);
    const gamma = page.items[1];
    expect(gamma).toMatchObject({
      nodeId: 'sign',
      assignee: 'boss',
      record: { display: 'Gamma 50% off', fields: { amount: 3000, stage: 'open', region: 'east' } },
    });
    expect(gamma.openTasks).toEqual([
      expect.objectContaining({ nodeId: 'sign', assignee: 'boss' }),
    ]);
  });

  it('lists what the approver decided in done, and work assigned by name in pending', async () => {
    const done = await inbox('appr', 'box=done');
    expect(done.items).toHaveLength(1);
    expect(done.items[0]).toMatchObject({
      instanceId: run.gamma,
      nodeId: 'review',
      dueState: null,
      completedAt: expect.any(String),
    });
    // boss holds no role that reads deals, but was named as the signer: the summary shows
    const boss = await inbox('boss', 'box=pending');
    expect(boss.counts).toMatchObject({ pending: 1, done: 0 });
    expect(boss.items[0]).toMatchObject({
      instanceId: run.gamma,
      nodeName: 'Sign',
      record: { display: 'Gamma 50% off', fields: { amount: 3000 } },
    });
  });

  it('reads "due soon" from TASK_DUE_SOON_HOURS: the counts, the badges, the filter and the timeline', async () => {
    await s.restart({ TASK_DUE_SOON_HOURS: '96' });
    try {
      const page = await inbox('appr', 'box=pending');
      expect(page.counts).toMatchObject({ pending: 3, dueSoon: 2, overdue: 1 });
      // the expense task is due in 72 hours: due soon within 96
      expect(page.items.map((i) => [i.instanceId, i.dueState])).toEqual([
        [run.alpha, 'overdue'],
        [run.beta, 'dueSoon'],
        [run.expense, 'dueSoon'],
      ]);
      const soon = await inbox('appr', 'box=pending&due=dueSoon');
      expect(soon.items.map((i) => i.instanceId)).toEqual([run.beta, run.expense]);
      const story = await call('appr', 'GET', `/api/workflow/instances/${run.expense}/timeline`);
      expect(story.status).toBe(200);
      expect(story.body.current[0].tasks[0]).toMatchObject({ dueState: 'dueSoon' });
    } finally {
      await s.restart();
    }
    expect((await inbox('appr', 'box=pending')).counts).toMatchObject({ dueSoon: 1 });
  });

  it('takes a task another candidate claimed out of the pending box', async () => {
    expect((await inbox('appr2', 'box=pending')).counts.pending).toBe(2);
    const beta = await openTask(run.beta, 'review');
    expect((await call('appr', 'POST', `/api/tasks/${beta}/claim`)).status).toBe(200);
    const other = await inbox('appr2', 'box=pending');
    expect(other.items.map((i) => i.instanceId)).toEqual([run.alpha]);
    expect(other.counts).toMatchObject({ pending: 1, dueSoon: 0, overdue: 1 });
    // still the claimer's
    expect((await inbox('appr', 'box=pending')).items.map((i) => i.taskId)).toContain(beta);
  });

  it("shows a CC'd user the instance and its summary, read-only, and marks it read on opening", async () => {
    const before = await inbox('carol', 'box=cc');
    expect(before.counts).toMatchObject({ cc: 1, ccUnread: 1, pending: 0, initiated: 0 });
    expect(before.items).toHaveLength(1);
    expect(before.items[0]).toMatchObject({
      instanceId: run.alpha,
      nodeId: 'review',
      dueState: 'overdue',
      cc: { by: 'appr', readAt: null },
      record: { display: 'Alpha deal', fields: { stage: 'open', region: 'north' } },
    });
    expect(before.items[0].record.fields).not.toHaveProperty('amount');
    // no role of hers reads deals (the summary shows through the CC); a CC cannot act
    const task = before.items[0].taskId!;
    expect([403, 404]).toContain(
      (await call('carol', 'POST', `/api/tasks/${task}/complete`, {})).status,
    );

    expect(
      (await call('carol', 'GET', `/api/workflow/instances/${run.alpha}/timeline`)).status,
    ).toBe(200);
    const after = await inbox('carol', 'box=cc');
    expect(after.counts).toMatchObject({ cc: 1, ccUnread: 0 });
    expect(after.items[0].cc!.readAt).toEqual(expect.any(String));
    // not CC'd on beta: its timeline is hidden like a missing one
    const hidden = await call('carol', 'GET', `/api/workflow/instances/${run.beta}/timeline`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('INSTANCE_NOT_FOUND');
  });

  it.each([
    ['processKey=expense', ['expense']],
    ['entity=deal', ['alpha', 'beta']],
    ['due=overdue', ['alpha']],
    ['due=dueSoon', ['beta']],
    ['q=alpha', ['alpha']], // the record's display field
    ['q=EXPENSE%20claim', ['expense']], // the process name, any case
    ['q=review', ['alpha', 'beta']], // the task name
    ['q=50%25', []], // % is a character, not a wildcard ("Gamma 50% off" is not pending)
    ['q=nothing-like-this', []],
  ])('filters pending by %s', async (filter, expected) => {
    const page = await inbox('appr', `box=pending&${filter}`);
    expect(page.items.map((i) => i.instanceId)).toEqual(expected.map((k) => run[k]));
    // the counts are the boxes' sizes whatever the filter
    expect(page.counts.pending).toBe(3);
  });

  it('finds the literal % in a display field and filters instance boxes by due state', async () => {
    const page = await inbox('rep1', 'box=initiated&q=50%25');
    expect(page.items.map((i) => i.instanceId)).toEqual([run.gamma]);
    const overdue = await inbox('rep1', 'box=initiated&due=overdue');
    expect(overdue.items.map((i) => i.instanceId)).toEqual([run.alpha]);
    const soonest = await inbox('rep1', 'box=initiated&sort=due');
    // alpha (overdue), beta (in 2 h), expense (in 3 days), then gamma's sign (no due date)
    expect(soonest.items.map((i) => i.instanceId)).toEqual([
      run.alpha,
      run.beta,
      run.expense,
      run.gamma,
    ]);
  });

  it('pages with a cursor in both sorts, and refuses a cursor of another sort', async () => {
    const walk = async (user: string, query: string) => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page = await inbox(
          user,
          `${query}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        seen.push(...page.items.map((i) => i.instanceId));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      return seen;
    };
    expect(await walk('appr', 'box=pending')).toEqual([run.alpha, run.beta, run.expense]);
    expect(await walk('appr', 'box=pending&sort=newest')).toEqual([
      run.expense,
      run.beta,
      run.alpha,
    ]);
    expect(await walk('rep1', 'box=initiated&sort=due')).toEqual([
      run.alpha,
      run.beta,
      run.expense,
      run.gamma,
    ]);
    const first = await inbox('appr', 'box=pending&limit=1');
    const wrong = await call(
      'appr',
      'GET',
      `/api/inbox?box=pending&sort=newest&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'QUERY_INVALID', errors: [{ path: 'cursor' }] });
  });

  it.each([
    ['', 'box'],
    ['box=mine', 'box'],
    ['box=pending&sort=oldest', 'sort'],
    ['box=pending&due=late', 'due'],
    ['box=done&due=overdue', 'due'],
    ['box=pending&limit=0', 'limit'],
    ['box=pending&limit=101', 'limit'],
    ['box=pending&limit=ten', 'limit'],
    ['box=pending&entity=nope', 'entity'],
    [`box=pending&q=${'x'.repeat(101)}`, 'q'],
    ['box=pending&cursor=garbage', 'cursor'],
    ['box=pending&text=alpha', 'text'],
  ])('answers GET /api/inbox?%s with 400 naming %s', async (query, path) => {
    const r = await call('appr', 'GET', `/api/inbox?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('QUERY_INVALID');
    expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
  });

  it('tells the story of an instance: who did what, with comments and files, and who is next', async () => {
    const r = await call('rep1', 'GET', `/api/workflow/instances/${run.alpha}/timeline`);
    expect(r.status).toBe(200);
    expect(r.body.instance).toMatchObject({
      id: run.alpha,
      processKey: 'deal_approval',
      processName: 'Deal approval',
      state: 'active',
      startedBy: { login: 'rep1', displayName: 'Rita Rep' },
      record: { entity: 'deal', id: deal.alpha, display: 'Alpha deal' },
    });
    expect(r.body.events.map((e: { event: string }) => e.event)).toEqual(['start', 'cc']);
    expect(r.body.events[1]).toMatchObject({
      elementId: 'review',
      elementName: 'Review',
      actor: { login: 'appr', displayName: 'Alan Approver' },
      comment: 'FYI: the big one',
      users: [{ login: 'carol', displayName: 'Carol Copied' }],
      attachments: [{ id: fileId, name: 'quote.pdf', size: 14, mime: 'application/pdf' }],
    });
    expect(r.body.current).toEqual([
      {
        elementId: 'review',
        elementName: 'Review',
        elementType: 'UserTask',
        tasks: [
          expect.objectContaining({
            assignee: null,
            candidateGroups: ['approver'],
            candidateUsers: [],
            dueState: 'overdue',
          }),
        ],
      },
    ]);

    const g = await call('boss', 'GET', `/api/workflow/instances/${run.gamma}/timeline`);
    expect(g.status).toBe(200);
    expect(
      g.body.events.map((e: { event: string; actor: { login: string } }) => [
        e.event,
        e.actor.login,
      ]),
    ).toEqual([
      ['start', 'rep1'],
      ['complete', 'appr'],
    ]);
    expect(g.body.events[1]).toMatchObject({
      elementName: 'Review',
      actor: { displayName: 'Alan Approver' },
      detail: { decision: 'approve' },
    });
    expect(g.body.current).toEqual([
      expect.objectContaining({
        elementId: 'sign',
        tasks: [expect.objectContaining({ assignee: { login: 'boss', displayName: 'Bea Boss' } })],
      }),
    ]);
  });

  it('ends the story when the last task is done, and hides it from those who take no part', async () => {
    const sign = await openTask(run.gamma, 'sign');
    expect((await call('boss', 'POST', `/api/tasks/${sign}/complete`, {})).status).toBe(200);
    const r = await call('rep1', 'GET', `/api/workflow/instances/${run.gamma}/timeline`);
    expect(r.body.instance.state).toBe('completed');
    expect(r.body.events.map((e: { event: string }) => e.event)).toEqual([
      'start',
      'complete',
      'complete',
      'end',
    ]);
    expect(r.body.current).toEqual([]);
    expect(
      (await call('stranger', 'GET', `/api/workflow/instances/${run.gamma}/timeline`)).status,
    ).toBe(404);
    const bad = await call('rep1', 'GET', '/api/workflow/instances/abc/timeline');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('id');
  });

  it('puts tasks handed on (transfer, delegate) in done, with what each did, and tells it in order', async () => {
    const r = await call('rep1', 'POST', '/api/records/deal', { title: 'Delta deal', amount: 5 });
    const started = await call('rep1', 'POST', '/api/workflow/instances', {
      processKey: 'deal_approval',
      record: { entity: 'deal', id: r.body.id },
      variables: { boss: 'boss' },
    });
    const delta = started.body.id as number;
    const review = await openTask(delta, 'review');
    const doneOf = async (user: string) =>
      (await inbox(user, 'box=done')).items.find((i) => i.taskId === review);
    const pendingOf = async (user: string) =>
      (await inbox(user, 'box=pending')).items.find((i) => i.taskId === review);

    expect(
      (await act('appr', review, { action: 'transfer', userIds: ['appr2'], comment: 'yours' }))
        .status,
    ).toBe(200);
    // appr handed it on: done for appr (as a transfer), pending for appr2 alone
    expect(await doneOf('appr')).toMatchObject({
      outcome: 'transfer',
      completedAt: expect.any(String),
    });
    expect(await pendingOf('appr')).toBeUndefined();
    expect(await pendingOf('appr2')).toMatchObject({ assignee: 'appr2' });

    expect((await act('appr2', review, { action: 'delegate', userIds: ['boss'] })).status).toBe(
      200,
    );
    expect(await doneOf('appr2')).toMatchObject({ outcome: 'delegate' });
    expect(await pendingOf('boss')).toMatchObject({ assignee: 'boss' });
    // the delegate gives an opinion; the task comes back to appr2, who decides
    expect((await act('boss', review, { action: 'approve', comment: 'looks fine' })).status).toBe(
      200,
    );
    expect(await doneOf('boss')).toMatchObject({ outcome: 'approve', assignee: 'appr2' });
    expect(await pendingOf('appr2')).toMatchObject({ assignee: 'appr2' });
    expect((await act('appr2', review, { action: 'approve' })).status).toBe(200);
    expect(await doneOf('appr2')).toMatchObject({ outcome: 'approve', dueState: null });
    expect(await pendingOf('appr2')).toBeUndefined();

    const t = await call('rep1', 'GET', `/api/workflow/instances/${delta}/timeline`);
    expect(
      t.body.events.map(
        (e: { event: string; actor: { login: string }; users: Array<{ login: string }> }) => [
          e.event,
          e.actor.login,
          e.users.map((u) => u.login),
        ],
      ),
    ).toEqual([
      ['start', 'rep1', []],
      ['transfer', 'appr', ['appr2']],
      ['delegate', 'appr2', ['boss']],
      ['approve', 'boss', []],
      ['approve', 'appr2', []],
    ]);
    expect(t.body.events[1]).toMatchObject({ comment: 'yours', taskId: review });
    expect(t.body.events[3]).toMatchObject({
      comment: 'looks fine',
      detail: { onBehalfOf: 'appr2' },
    });
    expect(t.body.current).toEqual([
      expect.objectContaining({
        elementId: 'sign',
        tasks: [expect.objectContaining({ state: 'created', kind: null })],
      }),
    ]);
  });
});
