import type { Page } from 'playwright-core';
import { type TestServer, USER_PASSWORD, bpmn, startServer } from '../e2e/support/harness';
import { buildWebApp, launch, shot } from './support/browser';

/**
 * Record actions in a real browser: a rep opens a qualified prospect, presses "Convert", confirms,
 * and lands on the deal it created; back on the prospect the action is disabled with its reason;
 * an action the server refuses shows why inline; a button trigger starts its process. Test-only
 * entities (like tests/e2e/record-actions.e2e-spec.ts), so the shipped CRM is not assumed.
 */
const label = (n: string, zh = n) => `{ zh-CN: ${zh}, en: ${n} }`;
const rel = (target: string) =>
  `{ type: relation, relation: manyToOne, target: ${target}, label: ${label(target)} }`;
const entity = (name: string, zh: string, fields: string) =>
  `kind: entity\nname: ${name}\nlabel: ${label(name, zh)}\ndisplayField: name\nfields:\n${fields}`;

const FILES: Record<string, string> = {
  'prospect.yaml': entity(
    'prospect',
    '线索',
    `  name: { type: text, label: ${label('Name', '姓名')}, required: true }
  company: { type: text, label: ${label('Company', '公司')} }
  status:
    type: select
    label: ${label('Status', '状态')}
    default: new
    options:
      - { value: new, label: ${label('New', '新建')} }
      - { value: qualified, label: ${label('Qualified', '已确认')} }
      - { value: converted, label: ${label('Converted', '已转化')} }
  firm: ${rel('firm')}
`,
  ),
  'firm.yaml': entity(
    'firm',
    '公司',
    `  name: { type: text, label: ${label('Name', '名称')}, required: true }\n`,
  ),
  'deal.yaml': entity(
    'deal',
    '商机',
    `  name: { type: text, label: ${label('Name', '名称')}, required: true }\n  firm: ${rel('firm')}\n  prospect: ${rel('prospect')}\n`,
  ),
  'actions/convert.yaml': `kind: action
name: convert
entity: prospect
label: { zh-CN: 转化, en: Convert }
confirm: { zh-CN: 确定转化该线索？, en: Convert this prospect into a firm and a deal? }
when: 'record.status = "qualified"'
create:
  - as: account
    entity: firm
    values: { name: record.company }
  - as: opportunity
    entity: deal
    values: { name: '"Deal with " + record.company', firm: account.id, prospect: record.id }
update: { status: '"converted"', firm: account.id }
open: opportunity
`,
  'actions/broken.yaml': `kind: action
name: broken
entity: prospect
label: { zh-CN: 生成空商机, en: Empty deal }
create:
  - as: opportunity
    entity: deal
    values: { prospect: record.id }
`,
  'triggers/follow_up.yaml': `kind: trigger
name: follow_up
entity: prospect
on: button
button: { label: { zh-CN: 跟进, en: Follow up } }
process: follow_up
`,
  'roles/rep.yaml': `kind: role
name: rep
label: ${label('Rep')}
rules:
  - { action: [read, create, update, start], subject: prospect }
  - { action: run, subject: prospect, conditions: { actionName: { $in: [convert, broken] } } }
  - { action: [read, create], subject: [firm, deal] }
`,
};

const FOLLOW_UP = bpmn(`<bpmn:process id="follow_up" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
  <bpmn:userTask id="call"/><bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e"/><bpmn:endEvent id="e"/>
</bpmn:process>`);

jest.setTimeout(300_000);

let s: TestServer;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
const pageErrors: string[] = [];
let prospect: number;

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', FILES);
  const made = await s.api('POST', '/api/admin/users', {
    login: 'wang',
    displayName: 'Wang',
    password: USER_PASSWORD,
    roles: ['rep'],
    locale: 'en',
  });
  expect(made.status).toBe(201);
  const d = await s.api('POST', '/api/workflow/deployments', FOLLOW_UP, {
    'content-type': 'application/xml',
  });
  expect(d.status).toBe(201);
  const p = await s.api(
    'POST',
    '/api/records/prospect',
    { name: 'Li Lei', company: 'Acme Tools', status: 'qualified' },
    { 'x-user': 'wang' },
  );
  expect(p.status).toBe(201);
  prospect = p.body.id;
  browser = await launch('en');
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${s.url}/`);
  await page.getByTestId('login-name').fill('wang');
  await page.getByTestId('login-password').fill(USER_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

test('a rep converts a prospect with one click and lands on the deal it created', async () => {
  await page.goto(`${s.url}/records/prospect/${prospect}`);
  await page.getByTestId('record-title').filter({ hasText: 'Li Lei' }).waitFor();
  const convert = page.getByTestId('record-action-convert');
  await convert.waitFor();
  await expect(convert.isEnabled()).resolves.toBe(true);
  await expect(page.getByTestId('record-button-follow_up').textContent()).resolves.toBe(
    'Follow up',
  );
  await shot(page, 'actions-01-prospect');
  await convert.click();
  // the action's confirmation text, then run
  await page.getByText('Convert this prospect into a firm and a deal?').waitFor();
  await shot(page, 'actions-02-confirm');
  await page.getByTestId('record-action-confirm-convert').click();
  await page.waitForURL(/\/records\/deal\/\d+$/);
  await page.getByTestId('record-title').filter({ hasText: 'Deal with Acme Tools' }).waitFor();
  await shot(page, 'actions-03-deal-opened');
  const dealId = Number(page.url().split('/').pop());
  const deal = (await s.api('GET', `/api/records/deal/${dealId}`)).body;
  expect(deal).toMatchObject({ prospect, createdBy: 'wang' });
  const after = (await s.api('GET', `/api/records/prospect/${prospect}`)).body;
  expect(after).toMatchObject({ status: 'converted', firm: deal.firm });
});

test('back on the converted prospect the action is disabled, with its reason', async () => {
  await page.goto(`${s.url}/records/prospect/${prospect}`);
  const convert = page.getByTestId('record-action-convert');
  await convert.waitFor();
  await expect(convert.isDisabled()).resolves.toBe(true);
  await convert.locator('xpath=..').hover();
  await page.getByText('Not available for this record (record.status = "qualified")').waitFor();
  await shot(page, 'actions-04-disabled');
});

test("a refused action shows the server's reason inline and writes nothing", async () => {
  const deals = (await s.api('GET', '/api/records/deal?count=true&limit=1')).body.count;
  await page.goto(`${s.url}/records/prospect/${prospect}`);
  await page.getByTestId('record-action-broken').click();
  const error = page.getByTestId('record-buttons-error');
  await error.waitFor();
  await expect(error.textContent()).resolves.toContain('/create/0/values/name');
  await expect(error.textContent()).resolves.toContain('step opportunity (deal)');
  expect(page.url()).toMatch(new RegExp(`/records/prospect/${prospect}$`));
  await shot(page, 'actions-05-refused');
  expect((await s.api('GET', '/api/records/deal?count=true&limit=1')).body.count).toBe(deals);
});

test('a button trigger starts its process on the record', async () => {
  await page.getByTestId('record-button-follow_up').click();
  await page.getByText('Process started').waitFor();
  const instances = (
    await s.api('GET', `/api/workflow/instances?record=prospect:${prospect}&processKey=follow_up`)
  ).body.data;
  expect(instances).toHaveLength(1);
  expect(instances[0]).toMatchObject({ state: 'active', startedBy: 'wang' });
  await shot(page, 'actions-06-button-pressed');
});
