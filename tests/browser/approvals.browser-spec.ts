import type { Page } from 'playwright-core';
import { type TestServer, USER_PASSWORD, bpmn, startServer } from '../e2e/support/harness';
import { buildWebApp, launch, shot } from './support/browser';

/**
 * The approval experience in a real browser (Debian chromium) against a server on a fresh
 * database, on a desktop and on a 375 px phone: an approver approves from the task page (with a
 * CC through the user picker, a comment and an attachment); a countersigner returns the claim to
 * its initiator, who edits it and resubmits; the initiator reminds and withdraws; a bulk approval
 * where one task was decided meanwhile reports each row. Screenshots land in
 * tests/browser/screenshots (approval-*).
 */
const META = {
  'claim.yaml': `kind: entity
name: claim
label: { zh-CN: 报销单, en: Expense claim }
displayField: title
fields:
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  amount: { type: decimal, precision: 12, scale: 2, label: { zh-CN: 金额, en: Amount } }
  receipt: { type: file, label: { zh-CN: 票据, en: Receipt } }
`,
  'roles/staff.yaml': `kind: role
name: staff
label: { zh-CN: 员工, en: Staff }
rules:
  - { action: [read, create, update, start], subject: claim, conditions: { owner: $me } }
  - { action: start, subject: Workflow }
`,
  'roles/approver.yaml': `kind: role
name: approver
label: { zh-CN: 审批人, en: Approver }
rules:
  - { action: [read, update], subject: claim }
`,
};

const header = (h: Record<string, string>) =>
  `<zeebe:taskHeaders>${Object.entries(h)
    .map(([k, v]) => `<zeebe:header key="${k}" value="${v}"/>`)
    .join('')}</zeebe:taskHeaders>`;
/** start → one approval node → end. */
const single = bpmn(`<bpmn:process id="claim_single" name="报销审批" isExecutable="true">
  <bpmn:startEvent id="submitted" name="提交"/>
  <bpmn:userTask id="boss_ok" name="主管审批">
    <bpmn:extensionElements><zeebe:assignmentDefinition assignee="=boss"/>${header({ approvalMode: 'single' })}</bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:endEvent id="done" name="结束"/>
  <bpmn:sequenceFlow id="f1" sourceRef="submitted" targetRef="boss_ok"/>
  <bpmn:sequenceFlow id="f2" sourceRef="boss_ok" targetRef="done"/>
</bpmn:process>`);
/** start → a countersign (会签) by `signers` → end. */
const countersign = bpmn(`<bpmn:process id="claim_sign" name="报销会签" isExecutable="true">
  <bpmn:startEvent id="submitted" name="提交"/>
  <bpmn:userTask id="sign" name="会签">
    <bpmn:extensionElements><zeebe:assignmentDefinition assignee="=approver"/>${header({ approvalMode: 'all' })}</bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics>
      <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="approver"/></bpmn:extensionElements>
      <bpmn:completionCondition>=decision = "reject"</bpmn:completionCondition>
    </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:endEvent id="done" name="结束"/>
  <bpmn:sequenceFlow id="f1" sourceRef="submitted" targetRef="sign"/>
  <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="done"/>
</bpmn:process>`);

/** A node that declares its task variables (a JSON Schema): a score from 1 to 5 is required. */
const SCORE = JSON.stringify({
  type: 'object',
  properties: { score: { type: 'integer', minimum: 1, maximum: 5, title: '评分' } },
  required: ['score'],
}).replace(/"/g, '&quot;');
const scored = bpmn(`<bpmn:process id="claim_scored" name="报销评分" isExecutable="true">
  <bpmn:startEvent id="submitted" name="提交"/>
  <bpmn:userTask id="score_it" name="评分审批">
    <bpmn:extensionElements><zeebe:assignmentDefinition assignee="=boss"/>${header({ approvalMode: 'single', actions: 'approve,reject', variablesSchema: SCORE })}</bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:endEvent id="done" name="结束"/>
  <bpmn:sequenceFlow id="f1" sourceRef="submitted" targetRef="score_it"/>
  <bpmn:sequenceFlow id="f2" sourceRef="score_it" targetRef="done"/>
</bpmn:process>`);

jest.setTimeout(600_000);

let s: TestServer;
const tokens = new Map<string, string>();

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', META);
  for (const [login, roles, displayName] of [
    ['zhang', ['staff'], '张三'],
    ['li', ['approver'], '李四'],
    ['wang', ['approver'], '王五'],
  ] as const) {
    const r = await s.api('POST', '/api/admin/users', {
      login,
      displayName,
      password: USER_PASSWORD,
      roles,
      locale: 'zh-CN',
    });
    expect(r.status).toBe(201);
  }
  for (const xml of [single, countersign, scored]) {
    const r = await s.api('POST', '/api/workflow/deployments', xml, {
      'content-type': 'application/xml',
    });
    expect(r.status).toBe(201);
  }
});

afterAll(async () => {
  await s?.close();
});

/** A call as a user (the harness calls as admin by default). */
async function as(user: string, method: string, path: string, body?: unknown) {
  if (!tokens.has(user)) {
    const r = await s.api(
      'POST',
      '/api/auth/login',
      { login: user, password: USER_PASSWORD },
      { 'x-no-auth': '1' },
    );
    tokens.set(user, r.body.accessToken);
  }
  return s.api(method, path, body, { authorization: `Bearer ${tokens.get(user)}` });
}

/** zhang files a claim and submits it to `processKey`. */
async function submit(title: string, processKey: string, variables: Record<string, unknown>) {
  const claim = await as('zhang', 'POST', '/api/records/claim', { title, amount: 320 });
  expect(claim.status).toBe(201);
  const started = await as('zhang', 'POST', '/api/workflow/instances', {
    processKey,
    variables,
    record: { entity: 'claim', id: claim.body.id },
  });
  expect(started.status).toBe(201);
  return { claimId: claim.body.id as number, instanceId: started.body.id as number };
}

async function openTasks(instanceId: number) {
  const r = await s.api('GET', `/api/tasks?state=created&instanceId=${instanceId}`);
  return r.body.data as Array<{ id: number; assignee: string; elementId: string }>;
}

async function history(instanceId: number) {
  const r = await s.api('GET', `/api/workflow/instances/${instanceId}/history`);
  return r.body.data as Array<{ event: string; actor: string; detail: Record<string, unknown> }>;
}

describe.each([
  ['desktop', 1280, 800],
  ['phone', 375, 812],
])('approvals on a %s', (device, width, height) => {
  let browser: Awaited<ReturnType<typeof launch>>;
  let page: Page;
  const pageErrors: string[] = [];
  const snap = (name: string) => shot(page, `approval-${device}-${name}`);
  const runs: { approved?: number; returned?: number } = {};

  beforeAll(async () => {
    browser = await launch('zh-CN');
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.setViewportSize({ width, height });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  afterEach(async () => {
    expect(pageErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function login(name: string) {
    // a fresh sign-in: whoever was signed in before is forgotten
    await page.goto(`${s.url}/`);
    await page.evaluate(() => localStorage.removeItem('crm.session'));
    await page.goto(`${s.url}/`);
    await page.getByTestId('login-name').fill(name);
    await page.getByTestId('login-password').fill(USER_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
  }

  test('an approver CCs a colleague, attaches a file and approves from the task page', async () => {
    const run = await submit(`差旅报销 ${device}`, 'claim_single', { boss: 'li' });
    runs.approved = run.instanceId;
    const [task] = await openTasks(run.instanceId);
    await login('li');
    // the count in the navigation (on a phone the navigation is in the drawer: the home page
    // shows the count too), then the inbox with the record's preview in the row
    await page.goto(`${s.url}/inbox`);
    const row = page.getByTestId(`inbox-item-${task.id}`);
    await row.getByText(`差旅报销 ${device}`).waitFor();
    await snap('00-inbox');
    await page.getByTestId(`open-${task.id}`).click();
    await page.getByTestId('task-record').getByText(`差旅报销 ${device}`).waitFor();
    await page.getByTestId('task-approve').waitFor();
    await snap('01-task');
    // CC 王五 through the user picker (searching by display name)
    await page.getByTestId('task-cc').click();
    await page.getByTestId('user-picker').click();
    await page.keyboard.type('王');
    // the list answers the search: wait for it before picking (a stale row would be replaced)
    await page.waitForFunction(() => {
      const shown = Array.from(document.querySelectorAll('.ant-select-item-option'));
      return shown.length === 1 && shown[0].textContent === '王五 (wang)';
    });
    // picked with the keyboard (the list's first row is the active one): a click on the phone-width
    // layout could land while the list was being re-aligned under the dialog and pick nothing
    await page.keyboard.press('Enter');
    await page.locator('.ant-select-selection-item', { hasText: '王五 (wang)' }).waitFor();
    // the list stays open for more picks: close it as a user does, by clicking beside it
    await page.locator('.ant-modal-title').click();
    await snap('02-cc-picker');
    await page.getByTestId('action-dialog-ok').click();
    await page.getByTestId('action-dialog').waitFor({ state: 'detached' });
    // a comment with an attachment, then approve
    await page.getByTestId('task-comment').fill('票据齐全，同意');
    await page
      .getByTestId('attachments')
      .locator('input[type=file]')
      .setInputFiles({
        name: '发票.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 x'),
      });
    await page.getByTestId('attachment').filter({ hasText: '发票.pdf' }).waitFor();
    await snap('03-comment-attachment');
    await page.getByTestId('task-approve').click();
    await page.waitForURL(/\/inbox$/);
    await snap('04-inbox-after');
    const inst = (await s.api('GET', `/api/workflow/instances/${run.instanceId}`)).body;
    expect(inst.state).toBe('completed');
    const h = await history(run.instanceId);
    expect(h.find((e) => e.event === 'cc')).toMatchObject({ actor: 'li' });
    const approve = h.find((e) => e.event === 'approve')!;
    expect(approve).toMatchObject({
      actor: 'li',
      detail: expect.objectContaining({ comment: '票据齐全，同意' }),
    });
    expect(approve.detail.attachments).toHaveLength(1);
  });

  test('a countersigner returns the claim to its initiator, who edits it and resubmits', async () => {
    const run = await submit(`会签报销 ${device}`, 'claim_sign', { signers: ['li', 'wang'] });
    runs.returned = run.instanceId;
    const mine = (await openTasks(run.instanceId)).find((t) => t.assignee === 'li')!;
    await login('li');
    await page.goto(`${s.url}/inbox/${mine.id}`);
    await page.getByTestId('task-comment').fill('金额与票据不符，请修改');
    await page.getByTestId('task-return').click();
    await page.getByTestId('return-target-initiator').waitFor();
    await snap('05-return-dialog');
    await page.getByTestId('return-target-initiator').click();
    await page.getByTestId('action-dialog-ok').click();
    await page.waitForURL(/\/inbox$/);
    // the other signer's task went with the return; the initiator has a resubmission
    const open = await openTasks(run.instanceId);
    expect(open).toEqual([expect.objectContaining({ assignee: 'zhang' })]);
    await login('zhang');
    await page.goto(`${s.url}/inbox/${open[0].id}`);
    await page.getByTestId('resubmit-hint').waitFor();
    await snap('06-resubmit-task');
    await page.getByTestId('edit-record').click();
    await page.waitForURL(new RegExp(`/records/claim/${run.claimId}$`));
    await page.locator('#root_title').fill(`会签报销 ${device}（已修改）`);
    await page.getByTestId('record-save').click();
    await page.getByTestId('record-title').filter({ hasText: '已修改' }).waitFor();
    await page.goBack();
    await page.getByTestId('task-resubmit').waitFor();
    await page.getByTestId('task-comment').fill('已按票据修改金额');
    await page.getByTestId('task-resubmit').click();
    await page.waitForURL(/\/inbox$/);
    // both signers decide again
    const again = await openTasks(run.instanceId);
    expect(again.map((t) => t.assignee).sort()).toEqual(['li', 'wang']);
    expect((await as('zhang', 'GET', `/api/records/claim/${run.claimId}`)).body.title).toBe(
      `会签报销 ${device}（已修改）`,
    );
  });

  test('a refused action shows the server’s reason inline', async () => {
    const run = await submit(`并发报销 ${device}`, 'claim_single', { boss: 'li' });
    const [task] = await openTasks(run.instanceId);
    await login('li');
    await page.goto(`${s.url}/inbox/${task.id}`);
    await page.getByTestId('task-approve').waitFor();
    // an operator decides it while the page is open
    const other = await s.api('POST', `/api/tasks/${task.id}/actions`, { action: 'reject' });
    expect(other.status).toBe(200);
    await page.getByTestId('task-approve').click();
    const error = page.getByTestId('action-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('already reject');
    await snap('07-conflict-inline');
  });
  test('bulk approval where one task was decided meanwhile shows each row’s outcome', async () => {
    const runsOf = [];
    for (const n of [1, 2, 3])
      runsOf.push(await submit(`批量报销${n} ${device}`, 'claim_single', { boss: 'li' }));
    const tasks = await Promise.all(runsOf.map(async (r) => (await openTasks(r.instanceId))[0]));
    await login('li');
    await page.goto(`${s.url}/inbox`);
    for (const task of tasks) await page.getByTestId(`select-${task.id}`).check();
    await snap('08-bulk-selected');
    // an operator decides the second one before li's bulk approval arrives
    const other = await s.api('POST', `/api/tasks/${tasks[1].id}/actions`, { action: 'approve' });
    expect(other.status).toBe(200);
    await page.getByTestId('bulk-comment').fill('批量同意');
    await page.getByTestId('bulk-approve').click();
    const summary = page.getByTestId('bulk-summary');
    await summary.getByText('成功 2 个，失败 1 个').waitFor();
    await expect(summary.getByTestId(`bulk-row-${tasks[1].id}`).textContent()).resolves.toContain(
      'already',
    );
    await expect(summary.getByTestId(`bulk-row-${tasks[0].id}`).textContent()).resolves.toContain(
      '已同意',
    );
    await snap('09-bulk-results');
    for (const r of [runsOf[0], runsOf[2]]) {
      const h = await history(r.instanceId);
      expect(h.find((e) => e.event === 'approve')).toMatchObject({
        actor: 'li',
        detail: expect.objectContaining({ comment: '批量同意' }),
      });
    }
  });

  test('the initiator reminds (then sees the wait) and withdraws; after an approver acted, withdrawal is refused with the reason', async () => {
    const run = await submit(`撤回报销 ${device}`, 'claim_single', { boss: 'li' });
    await login('zhang');
    await page.goto(`${s.url}/inbox?box=initiated`);
    await page.getByTestId(`open-i${run.instanceId}`).click();
    await page.getByTestId('instance-remind').click();
    await page.getByText('已催办：li').waitFor();
    await page.getByTestId('instance-remind').click();
    const wait = page.getByTestId('action-error');
    await wait.getByText(/请 \d+ 分钟后再催办/).waitFor();
    await snap('10-remind-wait');
    await page.getByTestId('instance-withdraw').click();
    const confirm = page.locator('.ant-popconfirm-buttons .ant-btn-primary');
    await confirm.waitFor();
    // the server's answer first (so a failure says whether the click reached it), then the page
    const [withdrawn] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/instances/${run.instanceId}/withdraw`)),
      confirm.click(),
    ]);
    expect(withdrawn.status()).toBe(200);
    await page.getByTestId('outcome-withdrawn').waitFor();
    await page.getByTestId('timeline-event-withdraw').waitFor();
    await snap('11-withdrawn');
    expect((await s.api('GET', `/api/workflow/instances/${run.instanceId}`)).body).toMatchObject({
      state: 'cancelled',
      outcome: 'withdrawn',
    });
    // the returned-and-resubmitted claim: li acted on it, so it cannot be withdrawn any more
    await page.goto(`${s.url}/approvals/${runs.returned}`);
    await page.getByTestId('timeline-event-return').waitFor();
    await page.getByTestId('instance-withdraw').click();
    // the server's answer first (so a failure here says which side went wrong), then the page
    const [refusal] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/instances/${runs.returned}/withdraw`)),
      page.locator('.ant-popconfirm-buttons .ant-btn-primary').click(),
    ]);
    expect({ status: refusal.status(), body: await refusal.text() }).toEqual({
      status: 409,
      body: expect.stringContaining('li already acted'),
    });
    await page
      .getByTestId('action-error')
      .getByText(/li already acted/)
      .waitFor();
    await snap('12-withdraw-refused');
  });

  test('a CC’d colleague finds the approval in the CC box and reads its timeline', async () => {
    await login('wang');
    await page.goto(`${s.url}/inbox?box=cc`);
    await page.getByTestId(`open-i${runs.approved}`).click();
    const timeline = page.getByTestId(`instance-timeline-${runs.approved}`);
    await timeline.getByText('票据齐全，同意').waitFor();
    await timeline.getByTestId('timeline-attachment').getByText('发票.pdf').waitFor();
    await timeline.getByTestId('timeline-event-cc').waitFor();
    await snap('13-cc-timeline');
    // a CC'd user may not act: no decision panel
    await expect(page.getByTestId('task-approve').count()).resolves.toBe(0);
  });
  test('a node’s task variables are a form, and the server’s 400 lands on the field', async () => {
    const run = await submit(`评分报销 ${device}`, 'claim_scored', { boss: 'li' });
    const [task] = await openTasks(run.instanceId);
    await login('li');
    await page.goto(`${s.url}/inbox/${task.id}`);
    await page.getByTestId('task-variables').locator('#root_score').waitFor();
    // the node allows approve and reject only (and comments)
    await expect(page.getByTestId('task-return').count()).resolves.toBe(0);
    await page.getByTestId('task-approve').click();
    const field = page
      .locator('.ant-form-item')
      .filter({ has: page.locator('#root_score') })
      .last();
    await field.locator('.ant-form-item-explain-error').getByText('is required').waitFor();
    await page.getByTestId('action-error').waitFor();
    await snap('14-variables-error');
    await page.locator('#root_score').fill('4');
    await page.getByTestId('task-approve').click();
    await page.waitForURL(/\/inbox$/);
    const h = await history(run.instanceId);
    expect(h.find((e) => e.event === 'approve')).toMatchObject({ actor: 'li' });
    const vars = (await s.api('GET', `/api/workflow/instances/${run.instanceId}`)).body.variables;
    expect(vars).toMatchObject({ score: 4, decision: 'approve' });
  });
  test('an approver adds a signer before themselves: the signer decides first, then it is back with them', async () => {
    const run = await submit(`加签报销 ${device}`, 'claim_single', { boss: 'li' });
    const [task] = await openTasks(run.instanceId);
    await login('li');
    await page.goto(`${s.url}/inbox/${task.id}`);
    await page.getByTestId('task-addSigner').click();
    await page.getByTestId('signer-position').getByText('前加签').click();
    await page.getByTestId('user-picker').click();
    await page.keyboard.type('wang');
    await page.waitForFunction(() => {
      const shown = Array.from(document.querySelectorAll('.ant-select-item-option'));
      return shown.length === 1 && shown[0].textContent === '王五 (wang)';
    });
    await page.keyboard.press('Enter');
    await page.locator('.ant-select-selection-item', { hasText: '王五 (wang)' }).waitFor();
    await page.locator('.ant-modal-title').click();
    await snap('15-add-signer');
    await page.getByTestId('action-dialog-ok').click();
    // li's task waits for the signer: no decision offered meanwhile
    await page.getByTestId('task-suspended').waitFor();
    await expect(page.getByTestId('task-approve').count()).resolves.toBe(0);
    await page.getByTestId('timeline-event-addSigner').getByText('王五').waitFor();
    await snap('16-waiting-for-signer');
    const signer = (await openTasks(run.instanceId)).find((t) => t.assignee === 'wang')!;
    await login('wang');
    await page.goto(`${s.url}/inbox/${signer.id}`);
    // an added signer approves or rejects; it cannot hand the task on or return it
    await page.getByTestId('task-approve').waitFor();
    await expect(page.getByTestId('task-return').count()).resolves.toBe(0);
    await expect(page.getByTestId('task-delegate').count()).resolves.toBe(0);
    await page.getByTestId('task-comment').fill('同意，金额无误');
    await page.getByTestId('task-approve').click();
    await page.waitForURL(/\/inbox$/);
    await login('li');
    await page.goto(`${s.url}/inbox/${task.id}`);
    await page.getByTestId('task-approve').click();
    await page.waitForURL(/\/inbox$/);
    expect((await s.api('GET', `/api/workflow/instances/${run.instanceId}`)).body.state).toBe(
      'completed',
    );
  });
});
