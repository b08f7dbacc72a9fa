import * as fs from 'node:fs';
import * as path from 'node:path';
import { DB, type Db, fromDbTimestamp } from '@crm/common';
import { JobExecutorService } from '@crm/workflow';
import { DIALECTS, type TestServer, USER_PASSWORD, bpmn, startServer } from './support/harness';

/**
 * Task deadlines on the shipped mainland China calendar (metadata/calendars/cn.yaml), with the
 * company in Beijing (CRM_TIMEZONE=Asia/Shanghai): due dates across weekends, holidays and
 * make-up days; reminders, escalation and repeated reminders as the clock moves; calendars edited
 * through the draft → plan → apply cycle; business dates formed in the company's zone.
 */
const CN = fs.readFileSync(path.resolve(__dirname, '../../metadata/calendars/cn.yaml'), 'utf8');

const DIRECTOR = `
kind: role
name: director
label: { zh-CN: 总监, en: Director }
rules:
  - { action: read, subject: visit }
`;

const VISIT = `
kind: entity
name: visit
label: { zh-CN: 拜访, en: Visit }
displayField: title
fields:
  code: { type: autoNumber, label: { zh-CN: 编号, en: Code }, codeRule: "BF-{YYYY}{MM}{DD}-{seq:3}" }
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  visitedOn: { type: date, label: { zh-CN: 拜访日期, en: Visited on } }
rules:
  - name: notInFuture
    expression: visitedOn = null or date(visitedOn) <= today()
    message: { zh-CN: 拜访日期不能晚于今天, en: A visit cannot be dated after today }
`;

/** One user task with the given headers, assigned to the `approver` variable. */
const TASK = (id: string, headers: Record<string, string>) =>
  bpmn(`<bpmn:process id="${id}" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
  <bpmn:userTask id="approve" name="Approve"><bpmn:extensionElements>
    <zeebe:assignmentDefinition assignee="=approver"/>
    <zeebe:taskHeaders>${Object.entries(headers)
      .map(([k, v]) => `<zeebe:header key="${k}" value="${v}"/>`)
      .join('')}</zeebe:taskHeaders>
  </bpmn:extensionElements></bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

const TODAY = bpmn(`<bpmn:process id="today" isExecutable="true">
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="s"/>
  <bpmn:scriptTask id="s"><bpmn:extensionElements><zeebe:script expression="=string(today())" resultVariable="day"/></bpmn:extensionElements></bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

/** Beijing wall-clock time (UTC+8, no DST) as an ISO instant. */
const bj = (local: string): string => new Date(`${local}+08:00`).toISOString();

describe.each(DIALECTS)('task deadlines on business calendars, on %s', (dialect) => {
  let s: TestServer;
  let db: Db;
  const as = (login: string) => ({ 'x-user': login });

  const deploy = async (xml: string) => {
    const r = await s.api('POST', '/api/workflow/deployments', xml, {
      'content-type': 'application/xml',
    });
    expect(r.status).toBe(201);
  };
  const start = async (processKey: string, approver = 'worker') => {
    const r = await s.api('POST', '/api/workflow/instances', {
      processKey,
      variables: { approver },
    });
    expect(r.status).toBe(201);
    return r.body as { id: number; state: string };
  };
  const taskOf = async (instanceId: number) => {
    const r = await s.api('GET', `/api/tasks?instanceId=${instanceId}&state=created`);
    expect(r.body.data).toHaveLength(1);
    return r.body.data[0];
  };
  /** Sets the clock to a Beijing time and runs one round of the job executor. */
  const at = async (local: string) => {
    s.clock.set(new Date(bj(local)));
    return s.app.get(JobExecutorService).runDue(100);
  };
  const notes = (instanceId: number) =>
    db.query<{ recipient: string; kind: string; task_id: number }>(
      // what deadlines send (assignment notices are the user task's own)
      "SELECT recipient, kind, task_id FROM crm_notification WHERE instance_id = ? AND kind IN ('reminder', 'escalation') ORDER BY id",
      [instanceId],
    );
  const history = async (instanceId: number, event: string) =>
    (
      (await s.api('GET', `/api/workflow/instances/${instanceId}/history`)).body.data as Array<{
        event: string;
        actor: string;
        detail: Record<string, unknown>;
      }>
    ).filter((h) => h.event === event);
  const jobsOf = (instanceId: number) =>
    db.query<{ type: string; due_at: unknown }>(
      "SELECT type, due_at FROM crm_wf_job WHERE instance_id = ? AND kind = 'deadline' ORDER BY due_at",
      [instanceId],
    );

  beforeAll(async () => {
    s = await startServer(
      dialect,
      { 'calendars/cn.yaml': CN, 'roles/director.yaml': DIRECTOR, 'visit.yaml': VISIT },
      { CRM_TIMEZONE: 'Asia/Shanghai' },
    );
    db = s.app.get<Db>(DB);
    const user = async (login: string, roles: string[], supervisorId: number | null = null) => {
      const r = await s.api(
        'POST',
        '/api/admin/users',
        { login, password: USER_PASSWORD, roles, supervisorId, locale: 'en' },
        as('admin'),
      );
      expect(r.status).toBe(201);
      return r.body.id as number;
    };
    const boss = await user('boss', ['admin']);
    await user('worker', ['admin'], boss);
    await user('loner', ['admin']);
    await user('dir1', ['director']);
    await user('dir2', ['director']);
    await deploy(
      TASK('escalating', {
        deadline: '2 workingHours',
        remindBefore: '1 workingHours',
        onOverdue: 'escalate',
      }),
    );
    await deploy(TASK('to_directors', { deadline: '1 hours', onOverdue: 'escalate:director' }));
    await deploy(TASK('nagging', { deadline: '1 workingHours', onOverdue: 'remind' }));
    await deploy(TASK('two_days', { deadline: '2 workingDays', calendar: 'cn' }));
    await deploy(TASK('plain', {}));
    await deploy(TASK('on_hk', { deadline: '1 workingDays', calendar: 'hk' }));
    await deploy(TODAY);
    for (const [key, decision] of [
      ['auto_yes', 'approve'],
      ['auto_no', 'reject'],
    ])
      await deploy(TASK(key, { approvalMode: 'single', deadline: '1 hours', onOverdue: decision }));
    await deploy(
      TASK('returnable', {
        approvalMode: 'single',
        deadline: '2 workingHours',
        remindBefore: '1 workingHours',
      }),
    );
  });
  afterAll(async () => {
    await s?.close();
  });

  it('reminds before the due time, then escalates to the supervisor when overdue', async () => {
    await at('2026-03-16T09:00'); // Monday
    const inst = await start('escalating');
    const task = await taskOf(inst.id);
    expect(task).toMatchObject({
      assignee: 'worker',
      dueAt: bj('2026-03-16T11:00'),
      dueState: 'dueSoon',
    });
    expect(await jobsOf(inst.id)).toHaveLength(2);

    await at('2026-03-16T09:59');
    expect(await notes(inst.id)).toEqual([]);
    await at('2026-03-16T10:00');
    expect(await notes(inst.id)).toEqual([
      expect.objectContaining({ recipient: 'worker', kind: 'reminder', task_id: task.id }),
    ]);
    expect(await history(inst.id, 'remind')).toEqual([
      expect.objectContaining({
        actor: 'system',
        detail: expect.objectContaining({ taskId: task.id, reason: 'dueSoon' }),
      }),
    ]);

    await at('2026-03-16T11:00');
    const escalated = await taskOf(inst.id);
    expect(escalated).toMatchObject({ id: task.id, assignee: 'boss', dueState: 'overdue' });
    expect((await notes(inst.id)).map((n) => `${n.kind}:${n.recipient}`)).toEqual([
      'reminder:worker',
      'escalation:boss',
    ]);
    expect(await history(inst.id, 'escalate')).toEqual([
      expect.objectContaining({
        actor: 'system',
        detail: expect.objectContaining({ taskId: task.id, from: 'worker', to: 'boss' }),
      }),
    ]);
    // each job fired once, and nothing is left to fire
    expect(await jobsOf(inst.id)).toEqual([]);
    await at('2026-03-18T11:00');
    expect(await notes(inst.id)).toHaveLength(2);

    // the overdue filter finds it, the due-soon one does not; the supervisor decides it
    const overdue = await s.api(
      'GET',
      '/api/tasks?due=overdue&state=created',
      undefined,
      as('boss'),
    );
    expect(overdue.body.data.map((t: { id: number }) => t.id)).toContain(task.id);
    const soon = await s.api('GET', '/api/tasks?due=dueSoon', undefined, as('boss'));
    expect(soon.body.data.map((t: { id: number }) => t.id)).not.toContain(task.id);
    const done = await s.api('POST', `/api/tasks/${task.id}/complete`, {}, as('boss'));
    expect(done.body.state).toBe('completed');
    expect((await s.api('GET', `/api/tasks/${task.id}`)).body.dueState).toBeNull();
  });

  it.each([
    // a rejection without a rejected path ends the instance with outcome rejected
    ['auto_yes', 'approve', null],
    ['auto_no', 'reject', 'rejected'],
  ])(
    '%s: decides an overdue task through the approval actions as system (%s)',
    async (processKey, decision, outcome) => {
      await at('2026-03-16T09:00');
      const inst = await start(processKey);
      const task = await taskOf(inst.id);
      expect(await at('2026-03-16T09:59')).toBe(0);
      expect(await at('2026-03-16T10:00')).toBe(1);
      const after = (await s.api('GET', `/api/workflow/instances/${inst.id}`)).body;
      expect(after).toMatchObject({ state: 'completed', variables: { decision } });
      if (outcome) expect(after.outcome).toBe(outcome);
      expect(await history(inst.id, decision)).toEqual([
        expect.objectContaining({
          actor: 'system',
          detail: expect.objectContaining({ taskId: task.id, comment: 'overdue', system: true }),
        }),
      ]);
      const [row] = await db.query<{ outcome: string; completed_by: string }>(
        'SELECT outcome, completed_by FROM crm_wf_task WHERE id = ?',
        [task.id],
      );
      expect(row).toEqual({ outcome: decision, completed_by: 'system' });
      expect(await jobsOf(inst.id)).toEqual([]);
    },
  );

  it('a reminder survives a return and resubmission: it fires for the new task, never the old', async () => {
    await at('2026-03-16T09:00');
    const inst = await start('returnable');
    const old = await taskOf(inst.id);
    expect(old.dueAt).toBe(bj('2026-03-16T11:00'));
    s.clock.set(new Date(bj('2026-03-16T09:30')));
    const returned = await s.api(
      'POST',
      `/api/tasks/${old.id}/actions`,
      { action: 'return', comment: '补充材料' },
      as('worker'),
    );
    expect(returned.status).toBe(200);
    // the returned task's token went, and its reminder with it
    expect(await jobsOf(inst.id)).toEqual([]);
    s.clock.set(new Date(bj('2026-03-16T09:45')));
    const resubmission = await taskOf(inst.id);
    expect(resubmission).toMatchObject({ assignee: 'tester', dueAt: null, dueState: null });
    const re = await s.api('POST', `/api/tasks/${resubmission.id}/actions`, {
      action: 'resubmit',
    });
    expect(re.status).toBe(200);
    const fresh = await taskOf(inst.id);
    expect(fresh).toMatchObject({ assignee: 'worker', dueAt: bj('2026-03-16T11:45') });
    expect(fresh.id).not.toBe(old.id);
    // 10:00, when the old task's reminder was due: nothing
    await at('2026-03-16T10:00');
    expect(await notes(inst.id)).toEqual([]);
    await at('2026-03-16T10:45');
    expect(await notes(inst.id)).toEqual([
      expect.objectContaining({ recipient: 'worker', kind: 'reminder', task_id: fresh.id }),
    ]);
    expect((await history(inst.id, 'remind')).map((h) => h.detail.taskId)).toEqual([fresh.id]);
  });

  it('escalates to a role: its members become the candidates and are told', async () => {
    await at('2026-03-16T09:00');
    const inst = await start('to_directors');
    const task = await taskOf(inst.id);
    await at('2026-03-16T10:00');
    expect(await taskOf(inst.id)).toMatchObject({
      id: task.id,
      assignee: null,
      candidateGroups: ['director'],
      candidateUsers: [],
    });
    expect((await notes(inst.id)).map((n) => `${n.kind}:${n.recipient}`).sort()).toEqual([
      'escalation:dir1',
      'escalation:dir2',
    ]);
    const inbox = await s.api('GET', '/api/tasks?state=created', undefined, as('dir2'));
    expect(inbox.body.data.map((t: { id: number }) => t.id)).toContain(task.id);
  });

  it('escalates a task whose assignee has no supervisor to the admins', async () => {
    await at('2026-03-16T09:00');
    const inst = await start('escalating', 'loner');
    await at('2026-03-16T11:00');
    expect(await taskOf(inst.id)).toMatchObject({ assignee: null, candidateGroups: ['admin'] });
    expect(await history(inst.id, 'escalate')).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          from: 'loner',
          toRole: 'admin',
          reason: 'no supervisor',
        }),
      }),
    ]);
  });

  it('reminds an overdue task every working day until it is decided', async () => {
    await at('2026-03-13T17:30'); // Friday
    const inst = await start('nagging');
    expect((await taskOf(inst.id)).dueAt).toBe(bj('2026-03-16T09:30'));
    await at('2026-03-14T12:00'); // Saturday: nothing due
    expect(await notes(inst.id)).toEqual([]);
    await at('2026-03-16T09:30');
    expect((await notes(inst.id)).map((n) => n.kind)).toEqual(['reminder']);
    // the next reminder is one working day later
    const [next] = await jobsOf(inst.id);
    expect(fromDbTimestamp(next.due_at)).toBe(bj('2026-03-17T09:30'));
    await at('2026-03-17T09:29');
    expect(await notes(inst.id)).toHaveLength(1);
    await at('2026-03-17T09:30');
    expect(await notes(inst.id)).toHaveLength(2);
    expect(
      (await history(inst.id, 'remind')).map((h) => (h.detail as { reason: string }).reason),
    ).toEqual(['overdue', 'overdue']);
    // decided: the pending reminder does nothing
    const task = await taskOf(inst.id);
    await s.api('POST', `/api/tasks/${task.id}/complete`, {}, as('worker'));
    await at('2026-03-19T12:00');
    expect(await notes(inst.id)).toHaveLength(2);
    expect(await jobsOf(inst.id)).toEqual([]);
  });

  it.each([
    ['across a weekend', 'two_days', '2026-03-13T15:00', '2026-03-17T15:00'],
    ['across Qingming (Sat-Mon)', 'two_days', '2026-04-02T10:00', '2026-04-07T10:00'],
    ['onto a make-up Saturday', 'two_days', '2026-02-27T10:00', '2026-03-02T10:00'],
    ['from Friday evening', 'two_days', '2026-03-13T19:00', '2026-03-17T18:00'],
    // no header: TASK_DEFAULT_DEADLINE (3 workingDays) on the default calendar (cn):
    // the make-up Saturday 2-14 counts, Spring Festival 2-15..2-23 does not
    ['by default, across Spring Festival', 'plain', '2026-02-13T15:00', '2026-02-25T15:00'],
  ])('gives a working-day deadline %s', async (_why, processKey, startAt, due) => {
    await at(startAt);
    const inst = await start(processKey);
    const task = await taskOf(inst.id);
    expect(task.dueAt).toBe(bj(due));
    const [row] = await db.query<{ due_at: unknown }>(
      'SELECT due_at FROM crm_wf_task WHERE id = ?',
      [task.id],
    );
    expect(fromDbTimestamp(row.due_at)).toBe(bj(due));
  });

  it('edits calendars through draft, plan and apply; a bad one is a 400 with pointers', async () => {
    const hk = {
      label: { 'zh-CN': '香港', en: 'Hong Kong' },
      timeZone: 'Asia/Hong_Kong',
      workingWeek: [1, 2, 3, 4, 5, 6],
      workingHours: ['09:00-13:00'],
      holidays: [{ date: '2026-04-03', name: 'Good Friday' }],
    };
    const bad = await s.api('PUT', '/api/meta/documents/calendar/bad', {
      ...hk,
      timeZone: 'Asia/Beijing',
      workingHours: ['09:00-13:00', '12:00-18:00'],
      workingDays: ['2026-04-03', { from: '2026-05-05', to: '2026-05-01' }],
      default: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('METADATA_INVALID');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/default',
      '/timeZone',
      '/workingDays/0', // also a holiday
      '/workingDays/1/to',
      '/workingHours/1',
    ]);
    expect(bad.body.errors.find((e: { path: string }) => e.path === '/default').message).toContain(
      'cn',
    );

    expect((await s.api('PUT', '/api/meta/documents/calendar/hk', hk)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.status).toBe(200);
    expect(plan.body.changes).toEqual([]);
    const applied = await s.api('POST', '/api/meta/apply', { planHash: plan.body.hash });
    expect(applied.status).toBe(200);
    const calendars = await s.api('GET', '/api/meta/documents?kind=calendar');
    expect(calendars.body.data.map((d: { name: string }) => d.name).sort()).toEqual(['cn', 'hk']);

    // the live model has it: Saturday is a working morning in this calendar
    await at('2026-04-03T12:00'); // Good Friday (a holiday in hk), 12:00 in Hong Kong too
    const inst = await start('on_hk');
    expect((await taskOf(inst.id)).dueAt).toBe(bj('2026-04-04T13:00'));
  });

  it('refuses bad deadline headers at deploy, naming the element', async () => {
    const r = await s.api(
      'POST',
      '/api/workflow/deployments',
      TASK('bad_deadline', { deadline: '2 days', onOverdue: 'escalate:' }),
      { 'content-type': 'application/xml' },
    );
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('BPMN_INVALID');
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        elementId: 'approve',
        message: expect.stringContaining('header deadline: "2 days"'),
      }),
      expect.objectContaining({
        elementId: 'approve',
        message: expect.stringContaining('header onOverdue'),
      }),
    ]);
  });

  it('raises an incident, and leaves no task behind, for a calendar that does not exist', async () => {
    await deploy(TASK('lost_calendar', { calendar: 'atlantis' }));
    await at('2026-03-16T09:00');
    const inst = await start('lost_calendar');
    expect((await s.api('GET', `/api/tasks?instanceId=${inst.id}`)).body.data).toEqual([]);
    const incidents = await s.api('GET', `/api/workflow/incidents?instanceId=${inst.id}`);
    expect(incidents.body.data).toEqual([
      expect.objectContaining({
        elementId: 'approve',
        kind: 'deadline',
        message: expect.stringContaining('calendar "atlantis" is not a calendar document'),
      }),
    ]);
  });

  it('forms business dates in CRM_TIMEZONE: 07:00 in Beijing is today, not yesterday (UTC)', async () => {
    s.clock.set(new Date('2026-03-15T23:00:00Z')); // Monday 2026-03-16 07:00 in Beijing
    const first = await s.api('POST', '/api/records/visit', {
      title: 'Morning visit',
      visitedOn: '2026-03-16',
    });
    expect(first.status).toBe(201);
    expect(first.body.code).toBe('BF-20260316-001');
    const tomorrow = await s.api('POST', '/api/records/visit', {
      title: 'Too early',
      visitedOn: '2026-03-17',
    });
    expect(tomorrow.status).toBe(400);
    expect(tomorrow.body.errors[0].reason).toBe('rule:notInFuture');
    // the day's counter runs on; at midnight Beijing time a new one starts
    s.clock.set(new Date('2026-03-16T15:59:00Z'));
    expect((await s.api('POST', '/api/records/visit', { title: 'Late' })).body.code).toBe(
      'BF-20260316-002',
    );
    s.clock.set(new Date('2026-03-16T16:00:00Z'));
    expect((await s.api('POST', '/api/records/visit', { title: 'Night' })).body.code).toBe(
      'BF-20260317-001',
    );
    // FEEL today() in the engine, and the export's file date
    s.clock.set(new Date('2026-03-15T23:00:00Z'));
    const inst = await s.api('POST', '/api/workflow/instances', { processKey: 'today' });
    expect(inst.body.variables.day).toBe('2026-03-16');
    const exported = await fetch(`${s.url}/api/records/visit/export?format=csv`);
    expect(exported.headers.get('content-disposition')).toContain('visit-20260316.csv');
  });
});

/** Deadline jobs are acquired like timers: two nodes on one MySQL database fire each once. */
describe('deadline jobs on two nodes of one MySQL database', () => {
  const N = 30;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer('mysql', { 'calendars/cn.yaml': CN }, { CRM_TIMEZONE: 'Asia/Shanghai' });
    b = await startServer('mysql', {}, { CRM_TIMEZONE: 'Asia/Shanghai' }, a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(`fires ${N} reminders and ${N} overdue reminders once each, whichever node takes them`, async () => {
    const dep = await a.api(
      'POST',
      '/api/workflow/deployments',
      TASK('nag_both', { deadline: '2 hours', remindBefore: '1 hours', onOverdue: 'remind' }),
      { 'content-type': 'application/xml' },
    );
    expect(dep.status).toBe(201);
    for (const n of [a, b]) n.clock.set(new Date(bj('2026-03-16T09:00')));
    const ids: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = await a.api('POST', '/api/workflow/instances', {
        processKey: 'nag_both',
        variables: { approver: 'worker' },
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const round = async (local: string) => {
      for (const n of [a, b]) n.clock.set(new Date(bj(local)));
      // both executors at once, in small batches so they interleave
      const run = (n: TestServer) => n.app.get(JobExecutorService).runDue(5);
      for (;;) {
        const [x, y] = await Promise.all([run(a), run(b)]);
        if (x + y === 0) break;
      }
    };
    await round('2026-03-16T10:00');
    await round('2026-03-16T11:00');
    const db = a.app.get<Db>(DB);
    const fired = await db.query<{ instance_id: number; n: number }>(
      `SELECT instance_id, COUNT(*) AS n FROM crm_wf_history WHERE event = 'remind' GROUP BY instance_id`,
    );
    expect(fired).toHaveLength(N);
    expect(fired.filter((r) => Number(r.n) !== 2)).toEqual([]);
    const [notified] = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM crm_notification WHERE kind = 'reminder'`,
    );
    expect(Number(notified.n)).toBe(2 * N);
    // and each instance has exactly one next reminder, a working day on
    const next = await db.query<{ instance_id: number; due_at: unknown }>(
      `SELECT instance_id, due_at FROM crm_wf_job WHERE kind = 'deadline'`,
    );
    expect(next.map((j) => Number(j.instance_id)).sort((x, y) => x - y)).toEqual(
      [...ids].sort((x, y) => x - y),
    );
    expect(new Set(next.map((j) => fromDbTimestamp(j.due_at)))).toEqual(
      new Set([bj('2026-03-17T11:00')]),
    );
    const executed = [a, b].map((n) => n.app.get(JobExecutorService).executed);
    expect(executed[0] + executed[1]).toBe(2 * N);
  });
});
