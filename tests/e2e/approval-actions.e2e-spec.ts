import { ADMIN_PASSWORD, DIALECTS, type TestServer, bpmn, startServer } from './support/harness';

/**
 * The approval actions over HTTP, one behaviour per test: modes (会签 / 或签 / vote / 依次),
 * return and resubmission (both policies), delegate, transfer, add signer, withdraw, CC, remind,
 * bulk, task variables, instance modification — and the bugs other approval systems shipped.
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
    `  - { action: [read, create, update, start], subject: deal, conditions: { owner: $me } }\n  - { action: start, subject: Workflow }`,
  ),
  'roles/approver.yaml': role('approver', `  - { action: read, subject: deal }`),
  'roles/outsider.yaml': role(
    'outsider',
    `  - { action: read, subject: Workflow, inverted: true }`,
  ),
  'roles/ops.yaml': role(
    'ops',
    `  - { action: [read, cancel, work, operate], subject: Workflow }\n  - { action: read, subject: deal }`,
  ),
};

const headers = (h: Record<string, string>) =>
  Object.keys(h).length
    ? `<zeebe:taskHeaders>${Object.entries(h)
        .map(([k, v]) => `<zeebe:header key="${k}" value="${v}"/>`)
        .join('')}</zeebe:taskHeaders>`
    : '';

/** An approval node: one assignee, or a multi-instance over `=<collection>`. */
const node = (
  id: string,
  opts: {
    assignee?: string;
    over?: string;
    mode?: string;
    sequential?: boolean;
    cond?: string;
    h?: Record<string, string>;
  },
) => {
  const loop = opts.over
    ? `<bpmn:multiInstanceLoopCharacteristics${opts.sequential ? ' isSequential="true"' : ''}><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=${opts.over}" inputElement="approver"/></bpmn:extensionElements>${opts.cond ? `<bpmn:completionCondition>${opts.cond}</bpmn:completionCondition>` : ''}</bpmn:multiInstanceLoopCharacteristics>`
    : '';
  const assignee = opts.over ? '=approver' : opts.assignee!;
  return `<bpmn:userTask id="${id}" name="${id}"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="${assignee}"/>${headers({ approvalMode: opts.mode ?? (opts.over ? 'all' : 'single'), ...opts.h })}</bpmn:extensionElements>${loop}</bpmn:userTask>`;
};

/** start → nodes in a row → end. */
const chain = (key: string, nodes: string[], props = '') => {
  const ids = nodes.map((n) => /id="([^"]+)"/.exec(n)![1]);
  const flows = ['s', ...ids, 'e']
    .slice(0, -1)
    .map((from, i) => {
      const to = [...ids, 'e'][i];
      return `<bpmn:sequenceFlow id="${key}_f${i}" sourceRef="${from === 's' ? `${key}_s` : from}" targetRef="${to === 'e' ? `${key}_e` : to}"/>`;
    })
    .join('');
  return `<bpmn:process id="${key}" isExecutable="true">${props}<bpmn:startEvent id="${key}_s"/>${nodes.join('')}<bpmn:endEvent id="${key}_e"/>${flows}</bpmn:process>`;
};

const REJECT_Q = '=decision = &quot;reject&quot;';
// one deployment each: element ids repeat across them
const PROCESSES = [
  chain('single', [node('one', { assignee: '=boss' })]),
  chain('allsign', [node('sign', { over: 'signers', mode: 'all', cond: REJECT_Q })]),
  chain('anysign', [node('sign', { over: 'signers', mode: 'any', cond: '=true' })]),
  chain('votesign', [node('sign', { over: 'signers', mode: 'vote', h: { passRatio: '0.6' } })]),
  chain('seqsign', [
    node('sign', { over: 'signers', mode: 'sequential', sequential: true, cond: REJECT_Q }),
  ]),
  chain('steps', [
    node('first', { assignee: '=boss' }),
    node('second', { over: 'signers', mode: 'all', cond: REJECT_Q }),
    node('third', { assignee: '=last' }),
  ]),
  chain('stepsjump', [
    node('first', { assignee: '=boss' }),
    node('second', { over: 'signers', mode: 'all', cond: REJECT_Q, h: { resubmit: 'jump' } }),
    node('third', { assignee: '=last' }),
  ]),
  chain(
    'nowithdraw',
    [node('one', { assignee: '=boss' })],
    '<bpmn:extensionElements><zeebe:properties><zeebe:property name="withdraw" value="never"/></zeebe:properties></bpmn:extensionElements>',
  ),
  chain('formed', [
    node('one', {
      assignee: '=boss',
      h: {
        variablesSchema:
          '{&quot;type&quot;:&quot;object&quot;,&quot;properties&quot;:{&quot;score&quot;:{&quot;type&quot;:&quot;integer&quot;,&quot;minimum&quot;:1}},&quot;required&quot;:[&quot;score&quot;]}',
      },
    }),
  ]),
  chain('limited', [node('one', { assignee: '=boss', h: { actions: 'approve,reject' } })]),
  chain('ccnode', [node('one', { assignee: '=boss', h: { cc: '=watchers' } })]),
].map(bpmn);

const PASSWORD = 'approval-actions-pw-1';
const USERS: Array<[string, string[]]> = [
  ['init', ['rep']],
  ['a1', ['approver']],
  ['a2', ['approver']],
  ['a3', ['approver']],
  ['a4', ['approver']],
  ['cc1', ['outsider']],
  ['ops', ['ops']],
];

describe.each(DIALECTS)('approval actions on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  const login = async (name: string) =>
    (
      await s.api(
        'POST',
        '/api/auth/login',
        { login: name, password: name === 'admin' ? ADMIN_PASSWORD : PASSWORD },
        { 'x-no-auth': '1' },
      )
    ).body.accessToken as string;
  /** A call as `user`; a token the moved clock expired is renewed once. */
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    let r = await s.api(method, path, body, { authorization: `Bearer ${token.get(user)}` });
    if (r.status === 401) {
      token.set(user, await login(user));
      r = await s.api(method, path, body, { authorization: `Bearer ${token.get(user)}` });
    }
    return r;
  };
  const start = async (
    processKey: string,
    variables: Record<string, unknown>,
    record?: { entity: string; id: number },
  ) => {
    const r = await call('init', 'POST', '/api/workflow/instances', {
      processKey,
      variables,
      record,
    });
    expect(r.status).toBe(201);
    return r.body.id as number;
  };
  type Task = { id: number; elementId: string; assignee: string | null; state: string };
  const open = async (instanceId: number): Promise<Task[]> => {
    const r = await call('admin', 'GET', `/api/tasks?state=created&instanceId=${instanceId}`);
    expect(r.status).toBe(200);
    return r.body.data;
  };
  const taskOf = async (instanceId: number, assignee: string): Promise<Task> => {
    const t = (await open(instanceId)).find((x) => x.assignee === assignee);
    if (!t) throw new Error(`no open task of ${assignee} in instance ${instanceId}`);
    return t;
  };
  const act = (user: string, taskId: number, body: Record<string, unknown>) =>
    call(user, 'POST', `/api/tasks/${taskId}/actions`, body);
  const instance = async (id: number) =>
    (await call('admin', 'GET', `/api/workflow/instances/${id}`)).body;
  const history = async (id: number) =>
    (await call('admin', 'GET', `/api/workflow/instances/${id}/history`)).body.data as Array<{
      event: string;
      actor: string;
      elementId: string | null;
      detail: Record<string, unknown> | null;
    }>;

  beforeAll(async () => {
    s = await startServer(dialect, { 'deal.yaml': DEAL, ...ROLES });
    token.set('admin', await login('admin'));
    for (const [name, roles] of USERS) {
      const r = await call('admin', 'POST', '/api/admin/users', {
        login: name,
        password: PASSWORD,
        roles,
        locale: 'en',
      });
      expect(r.status).toBe(201);
      token.set(name, await login(name));
    }
    for (const xml of PROCESSES) {
      const deployed = await s.api('POST', '/api/workflow/deployments', xml, {
        authorization: `Bearer ${token.get('admin')}`,
        'content-type': 'application/xml',
      });
      expect(deployed.status).toBe(201);
    }
  }, 120_000);
  afterAll(() => s?.close());

  it('approve ends a single-approver node; a rejection ends the instance rejected', async () => {
    const ok = await start('single', { boss: 'a1' });
    const r = await act('a1', (await taskOf(ok, 'a1')).id, { action: 'approve', comment: '同意' });
    expect(r.status).toBe(200);
    expect(r.body.instance).toMatchObject({
      state: 'completed',
      variables: { decision: 'approve' },
    });
    const no = await start('single', { boss: 'a1' });
    const rej = await act('a1', (await taskOf(no, 'a1')).id, {
      action: 'reject',
      comment: '价格太低',
    });
    expect(rej.body.instance).toMatchObject({ state: 'completed', outcome: 'rejected' });
    const h = await history(no);
    expect(h.find((e) => e.event === 'reject')).toMatchObject({
      actor: 'a1',
      elementId: 'one',
      detail: expect.objectContaining({ comment: '价格太低' }),
    });
  });

  it('countersign (会签): one rejection decides and cancels the other signers', async () => {
    const id = await start('allsign', { signers: ['a1', 'a2', 'a3'] });
    expect((await open(id)).map((t) => t.assignee).sort()).toEqual(['a1', 'a2', 'a3']);
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    const r = await act('a2', (await taskOf(id, 'a2')).id, { action: 'reject', comment: 'no' });
    expect(r.status).toBe(200);
    expect(r.body.instance).toMatchObject({ state: 'completed', outcome: 'rejected' });
    expect(await open(id)).toEqual([]);
    // all approving passes
    const ok = await start('allsign', { signers: ['a1', 'a2'] });
    await act('a1', (await taskOf(ok, 'a1')).id, { action: 'approve' });
    expect((await instance(ok)).state).toBe('active');
    await act('a2', (await taskOf(ok, 'a2')).id, { action: 'approve' });
    expect(await instance(ok)).toMatchObject({
      state: 'completed',
      variables: { decision: 'approve' },
    });
  });

  it('any-one (或签): two acting at the same moment make one decision', async () => {
    const id = await start('anysign', { signers: ['a1', 'a2'] });
    const [t1, t2] = [await taskOf(id, 'a1'), await taskOf(id, 'a2')];
    const [r1, r2] = await Promise.all([
      act('a1', t1.id, { action: 'approve' }),
      act('a2', t2.id, { action: 'reject' }),
    ]);
    const statuses = [r1.status, r2.status].sort();
    expect(statuses[0]).toBe(200);
    expect([404, 409]).toContain(statuses[1]);
    const decided = (await history(id)).filter((e) => ['approve', 'reject'].includes(e.event));
    expect(decided).toHaveLength(1);
    const inst = await instance(id);
    expect(inst.state).toBe('completed');
    expect(inst.outcome === 'rejected').toBe(decided[0].event === 'reject');
  });

  it('vote: the node passes once the ratio is reached, and fails once it cannot be', async () => {
    const id = await start('votesign', { signers: ['a1', 'a2', 'a3', 'a4', 'init'] });
    // 5 voters × 0.6 = 3 approvals needed
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    await act('a2', (await taskOf(id, 'a2')).id, { action: 'reject' });
    await act('a3', (await taskOf(id, 'a3')).id, { action: 'approve' });
    expect((await instance(id)).state).toBe('active');
    await act('a4', (await taskOf(id, 'a4')).id, { action: 'approve' });
    expect(await instance(id)).toMatchObject({
      state: 'completed',
      variables: { decision: 'approve' },
    });
    expect(await open(id)).toEqual([]);
    const no = await start('votesign', { signers: ['a1', 'a2', 'a3'] });
    // 3 × 0.6 → 2 needed: two rejections make it impossible
    await act('a1', (await taskOf(no, 'a1')).id, { action: 'reject' });
    expect((await instance(no)).state).toBe('active');
    await act('a2', (await taskOf(no, 'a2')).id, { action: 'reject' });
    expect(await instance(no)).toMatchObject({ state: 'completed', outcome: 'rejected' });
  });

  it('sequential (依次): one after another, in order', async () => {
    const id = await start('seqsign', { signers: ['a2', 'a1', 'a3'] });
    expect((await open(id)).map((t) => t.assignee)).toEqual(['a2']);
    await act('a2', (await taskOf(id, 'a2')).id, { action: 'approve' });
    expect((await open(id)).map((t) => t.assignee)).toEqual(['a1']);
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    await act('a3', (await taskOf(id, 'a3')).id, { action: 'approve' });
    expect((await instance(id)).state).toBe('completed');
  });

  it('a countersigner returns to the initiator: everyone’s tasks go, resubmission recreates them all', async () => {
    const id = await start('steps', { boss: 'a4', signers: ['a1', 'a2', 'a3'], last: 'a4' });
    await act('a4', (await taskOf(id, 'a4')).id, { action: 'approve' });
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    const r = await act('a2', (await taskOf(id, 'a2')).id, {
      action: 'return',
      comment: '补充材料',
    });
    expect(r.status).toBe(200);
    // there is always someone who can act: the initiator's resubmission
    const after = await open(id);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ assignee: 'init', elementId: 'steps_s' });
    const notes = (await call('init', 'GET', '/api/notifications')).body.data;
    expect(notes).toContainEqual(expect.objectContaining({ kind: 'return', instanceId: id }));
    // the initiator sees and resubmits it (rerun: every step again)
    const mine = (await call('init', 'GET', '/api/tasks?state=created')).body.data as Task[];
    expect(mine.map((t) => t.id)).toContain(after[0].id);
    const re = await act('init', after[0].id, { action: 'resubmit', comment: '已补充' });
    expect(re.status).toBe(200);
    expect((await open(id)).map((t) => [t.elementId, t.assignee])).toEqual([['first', 'a4']]);
    await act('a4', (await taskOf(id, 'a4')).id, { action: 'approve' });
    expect((await open(id)).map((t) => t.assignee).sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('return with resubmit policy jump goes straight back to the node that returned', async () => {
    const id = await start('stepsjump', { boss: 'a4', signers: ['a1', 'a2'], last: 'a3' });
    await act('a4', (await taskOf(id, 'a4')).id, { action: 'approve' });
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'return' });
    const resub = (await open(id))[0];
    expect(resub).toMatchObject({ assignee: 'init', elementId: 'stepsjump_s' });
    await act('init', resub.id, { action: 'resubmit' });
    // not `first` again: straight to the countersign, every signer anew
    expect((await open(id)).map((t) => [t.elementId, t.assignee]).sort()).toEqual([
      ['second', 'a1'],
      ['second', 'a2'],
    ]);
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    await act('a2', (await taskOf(id, 'a2')).id, { action: 'approve' });
    expect((await open(id)).map((t) => [t.elementId, t.assignee])).toEqual([['third', 'a3']]);
  });

  it('return to a middle node re-runs it and what follows; an unknown or future target is refused', async () => {
    const id = await start('steps', { boss: 'a4', signers: ['a1'], last: 'a3' });
    await act('a4', (await taskOf(id, 'a4')).id, { action: 'approve' });
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    const t3 = await taskOf(id, 'a3');
    const future = await act('a3', t3.id, { action: 'return', targetElementId: 'nowhere' });
    expect(future.status).toBe(422);
    expect(future.body.code).toBe('ACTION_NOT_ALLOWED');
    const r = await act('a3', t3.id, { action: 'return', targetElementId: 'second' });
    expect(r.status).toBe(200);
    expect((await open(id)).map((t) => [t.elementId, t.assignee])).toEqual([['second', 'a1']]);
    await act('a1', (await taskOf(id, 'a1')).id, { action: 'approve' });
    expect((await open(id)).map((t) => [t.elementId, t.assignee])).toEqual([['third', 'a3']]);
  });

  it('delegate (委托): the delegate gives an opinion, the task comes back to its holder', async () => {
    const id = await start('single', { boss: 'a1' });
    const t = await taskOf(id, 'a1');
    expect((await act('a1', t.id, { action: 'delegate', userIds: ['a2'] })).status).toBe(200);
    expect((await open(id)).map((x) => x.assignee)).toEqual(['a2']);
    // the delegator may not decide meanwhile (nor see the task: it is not theirs now)
    expect([403, 404]).toContain((await act('a1', t.id, { action: 'approve' })).status);
    await act('a2', t.id, { action: 'approve', comment: 'looks fine' });
    expect(await instance(id)).toMatchObject({ state: 'active' });
    expect((await open(id)).map((x) => x.assignee)).toEqual(['a1']);
    await act('a1', t.id, { action: 'approve' });
    expect((await instance(id)).state).toBe('completed');
    const opinion = (await history(id)).find((e) => e.actor === 'a2' && e.event === 'approve');
    expect(opinion?.detail).toMatchObject({ onBehalfOf: 'a1', comment: 'looks fine' });
  });

  it('transfer (转交): it is theirs now', async () => {
    const id = await start('single', { boss: 'a1' });
    const t = await taskOf(id, 'a1');
    expect((await act('a1', t.id, { action: 'transfer', userIds: ['a3'] })).status).toBe(200);
    expect([403, 404]).toContain((await act('a1', t.id, { action: 'approve' })).status);
    await act('a3', t.id, { action: 'approve' });
    expect((await instance(id)).state).toBe('completed');
    expect((await act('a1', t.id, { action: 'transfer', userIds: ['nobody-here'] })).status).toBe(
      400,
    );
  });

  it('add signer before: they decide first, then the task is back with me', async () => {
    const id = await start('single', { boss: 'a1' });
    const t = await taskOf(id, 'a1');
    const r = await act('a1', t.id, {
      action: 'addSigner',
      position: 'before',
      userIds: ['a2', 'a3'],
    });
    expect(r.status).toBe(200);
    expect((await open(id)).map((x) => x.assignee).sort()).toEqual(['a2', 'a3']);
    await act('a2', (await taskOf(id, 'a2')).id, { action: 'approve' });
    expect((await open(id)).map((x) => x.assignee)).toEqual(['a3']);
    await act('a3', (await taskOf(id, 'a3')).id, { action: 'approve' });
    expect((await open(id)).map((x) => [x.id, x.assignee])).toEqual([[t.id, 'a1']]);
    await act('a1', t.id, { action: 'approve' });
    expect((await instance(id)).state).toBe('completed');
  });

  it('add signer after: an extra approval after mine', async () => {
    const id = await start('single', { boss: 'a1' });
    const t = await taskOf(id, 'a1');
    await act('a1', t.id, { action: 'addSigner', position: 'after', userIds: ['a2'] });
    expect((await open(id)).map((x) => x.assignee)).toEqual(['a1']);
    await act('a1', t.id, { action: 'approve' });
    expect((await instance(id)).state).toBe('active');
    await act('a2', (await taskOf(id, 'a2')).id, { action: 'approve' });
    expect((await instance(id)).state).toBe('completed');
    // and an after-signer's rejection rejects the node
    const no = await start('single', { boss: 'a1' });
    const t2 = await taskOf(no, 'a1');
    await act('a1', t2.id, { action: 'addSigner', position: 'after', userIds: ['a2'] });
    await act('a1', t2.id, { action: 'approve' });
    await act('a2', (await taskOf(no, 'a2')).id, { action: 'reject' });
    expect(await instance(no)).toMatchObject({ state: 'completed', outcome: 'rejected' });
  });

  it('add signer alongside: they join the countersign', async () => {
    const id = await start('allsign', { signers: ['a1', 'a2'] });
    await act('a1', (await taskOf(id, 'a1')).id, {
      action: 'addSigner',
      position: 'alongside',
      userIds: ['a3'],
    });
    expect((await open(id)).map((x) => x.assignee).sort()).toEqual(['a1', 'a2', 'a3']);
    for (const u of ['a1', 'a2']) await act(u, (await taskOf(id, u)).id, { action: 'approve' });
    expect((await instance(id)).state).toBe('active');
    await act('a3', (await taskOf(id, 'a3')).id, { action: 'approve' });
    expect((await instance(id)).state).toBe('completed');
  });

  it('withdraw (撤回): allowed before the first action, refused after, never where the process says so', async () => {
    const id = await start('single', { boss: 'a1' });
    expect((await call('a1', 'POST', `/api/workflow/instances/${id}/withdraw`)).status).toBe(403);
    const w = await call('init', 'POST', `/api/workflow/instances/${id}/withdraw`, {
      comment: 'oops',
    });
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ state: 'cancelled', outcome: 'withdrawn' });
    expect(await open(id)).toEqual([]);
    const late = await start('steps', { boss: 'a1', signers: ['a2'], last: 'a3' });
    await act('a1', (await taskOf(late, 'a1')).id, { action: 'approve' });
    const refused = await call('init', 'POST', `/api/workflow/instances/${late}/withdraw`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('WITHDRAW_NOT_ALLOWED');
    expect(refused.body.message).toContain('a1 already acted');
    const never = await start('nowithdraw', { boss: 'a1' });
    const n = await call('init', 'POST', `/api/workflow/instances/${never}/withdraw`);
    expect(n.status).toBe(409);
    expect(n.body.message).toContain('does not allow withdrawal');
  });

  it('CC (抄送): the CC’d see the instance and its record read-only and cannot act', async () => {
    const deal = await call('init', 'POST', '/api/records/deal', { title: 'Big one' });
    expect(deal.status).toBe(201);
    expect((await call('cc1', 'GET', `/api/records/deal/${deal.body.id}`)).status).not.toBe(200);
    const id = await start('single', { boss: 'a1' }, { entity: 'deal', id: deal.body.id });
    expect((await call('cc1', 'GET', `/api/workflow/instances/${id}`)).status).toBe(404);
    const t = await taskOf(id, 'a1');
    expect((await act('a1', t.id, { action: 'cc', userIds: ['cc1'], comment: 'FYI' })).status).toBe(
      200,
    );
    expect((await call('cc1', 'GET', `/api/workflow/instances/${id}`)).status).toBe(200);
    const rec = await call('cc1', 'GET', `/api/workflow/instances/${id}/record`);
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({ entity: 'deal', data: { title: 'Big one' } });
    const tried = await act('cc1', t.id, { action: 'approve' });
    expect(tried.status).toBe(403);
    expect((await call('cc1', 'GET', '/api/notifications')).body.data.length).toBeGreaterThan(0);
    expect(await instance(id)).toMatchObject({ state: 'active' });
  });

  it('a diagram with bad approval settings is refused at deploy, naming the element', async () => {
    const r = await s.api(
      'POST',
      '/api/workflow/deployments',
      bpmn(chain('badmode', [node('lonely', { assignee: '=boss', mode: 'vote' })])),
      { authorization: `Bearer ${token.get('admin')}`, 'content-type': 'application/xml' },
    );
    expect(r.status).toBe(400);
    expect(r.body.errors).toContainEqual(
      expect.objectContaining({
        elementId: 'lonely',
        message: expect.stringContaining('approvalMode vote needs multi-instance'),
      }),
    );
  });

  it('a node’s cc header CCs its users when the node is entered', async () => {
    const id = await start('ccnode', { boss: 'a1', watchers: ['cc1'] });
    expect((await call('cc1', 'GET', `/api/workflow/instances/${id}`)).status).toBe(200);
    const cc = (await history(id)).find((e) => e.event === 'cc');
    expect(cc).toMatchObject({
      elementId: 'one',
      detail: expect.objectContaining({ userIds: ['cc1'] }),
    });
    expect((await act('cc1', (await taskOf(id, 'a1')).id, { action: 'approve' })).status).toBe(403);
  });

  it('remind (催办): at most once an hour per instance', async () => {
    const id = await start('single', { boss: 'a2' });
    const r1 = await call('init', 'POST', `/api/workflow/instances/${id}/remind`);
    expect(r1.status).toBe(200);
    expect(r1.body.reminded).toEqual(['a2']);
    const r2 = await call('init', 'POST', `/api/workflow/instances/${id}/remind`);
    expect(r2.status).toBe(429);
    expect(r2.body.message).toMatch(/try again in \d+ min/);
    s.clock.advance(61 * 60 * 1000);
    expect((await call('init', 'POST', `/api/workflow/instances/${id}/remind`)).status).toBe(200);
    expect((await call('a3', 'POST', `/api/workflow/instances/${id}/remind`)).status).toBe(404);
  });

  it('bulk approve: each task on its own, a forbidden one reported among them', async () => {
    const ids = [await start('single', { boss: 'a1' }), await start('single', { boss: 'a1' })];
    const other = await start('single', { boss: 'a2' });
    const taskIds = [
      (await taskOf(ids[0], 'a1')).id,
      (await taskOf(other, 'a2')).id,
      (await taskOf(ids[1], 'a1')).id,
    ];
    const r = await call('a1', 'POST', '/api/tasks/actions', {
      taskIds,
      action: 'approve',
      comment: 'ok',
    });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: { ok: boolean }) => x.ok)).toEqual([true, false, true]);
    expect([403, 404]).toContain(r.body.results[1].status);
    expect((await instance(ids[0])).state).toBe('completed');
    expect((await instance(other)).state).toBe('active');
    expect(
      (await call('a1', 'POST', '/api/tasks/actions', { taskIds, action: 'return' })).status,
    ).toBe(400);
  });

  it('task variables are validated against the node’s schema (400 naming the field)', async () => {
    const id = await start('formed', { boss: 'a1' });
    const t = await taskOf(id, 'a1');
    const bad = await act('a1', t.id, { action: 'approve', variables: { score: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/variables/score');
    const missing = await call('a1', 'POST', `/api/tasks/${t.id}/complete`, { variables: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].path).toBe('/variables/score');
    expect((await act('a1', t.id, { action: 'approve', variables: { score: 3 } })).status).toBe(
      200,
    );
    expect(await instance(id)).toMatchObject({ state: 'completed', variables: { score: 3 } });
  });

  it('bad action bodies and actions the node does not allow are clear 4xx', async () => {
    const id = await start('limited', { boss: 'a1' });
    const t = await taskOf(id, 'a1');
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ action: 'explode' }, 400, '/action'],
      [{ action: 'approve', extra: 1 }, 400, '/extra'],
      [{ action: 'delegate' }, 400, '/userIds'],
      [{ action: 'addSigner', userIds: ['a2'] }, 400, '/position'],
      [{ action: 'approve', comment: 'x'.repeat(2001) }, 400, '/comment'],
      [{ action: 'approve', attachments: [999999] }, 400, '/attachments/0'],
      [{ action: 'transfer', userIds: ['a2'] }, 422, '/action'],
    ];
    for (const [body, status, path] of cases) {
      const r = await act('a1', t.id, body);
      expect([r.status, r.body.errors?.[0]?.path]).toEqual([status, path]);
    }
    expect((await instance(id)).state).toBe('active');
  });

  it('an operator overrides (audited) and modifies an instance: cancel a node, start before another', async () => {
    const id = await start('steps', { boss: 'a1', signers: ['a2'], last: 'a3' });
    const t = await taskOf(id, 'a1');
    expect((await act('ops', t.id, { action: 'approve' })).status).toBe(200);
    const h = await history(id);
    expect(h.find((e) => e.event === 'approve')?.detail).toMatchObject({ override: true });
    const audit = await call('admin', 'GET', '/api/admin/audit?limit=50');
    if (audit.status === 200)
      expect(JSON.stringify(audit.body)).toContain('workflow.override.approve');
    expect(
      (
        await call('a2', 'POST', `/api/workflow/instances/${id}/modify`, {
          cancel: [{ elementId: 'second' }],
        })
      ).status,
    ).toBe(403);
    const m = await call('ops', 'POST', `/api/workflow/instances/${id}/modify`, {
      cancel: [{ elementId: 'second' }],
      startBefore: [{ elementId: 'third' }],
      comment: 'skip the countersign',
    });
    expect(m.status).toBe(200);
    expect((await open(id)).map((x) => [x.elementId, x.assignee])).toEqual([['third', 'a3']]);
    const bad = await call('ops', 'POST', `/api/workflow/instances/${id}/modify`, {
      startBefore: [{ elementId: 'ghost' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/startBefore/0/elementId');
    expect((await history(id)).some((e) => e.event === 'modify')).toBe(true);
  });
});
