import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type TestServer, USER_PASSWORD, startServer } from '../e2e/support/harness';
import { buildWebApp, dragAndDrop, launch, shot, signIn, signOut } from './support/browser';
import { shippedFiles } from '../e2e/support/shipped-org';

/**
 * The Workspace in a real browser (Debian chromium through playwright-core) against a server on
 * a fresh database with the shipped metadata and workflows: a rep's day, a manager's approval,
 * a user without rights, kanban, and the language switch. Screenshots of each step land in
 * tests/browser/screenshots.
 */

jest.setTimeout(300_000);

let s: TestServer;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
const ids: { customer?: number; quote?: number; product?: number } = {};

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', shippedFiles(), {
    WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
  });
  const dep = (await s.api('POST', '/api/admin/departments', { name: '华东销售部' })).body.id;
  const user = async (login: string, roles: string[], locale: string, departmentId?: number) => {
    const r = await s.api('POST', '/api/admin/users', {
      login,
      displayName: login,
      password: USER_PASSWORD,
      roles,
      locale,
      ...(departmentId && { departmentId }),
    });
    expect(r.status).toBe(201);
  };
  await user('zhang', ['sales_rep'], 'zh-CN', dep);
  await user('li', ['sales_manager'], 'en', dep);
  await user('guest', [], 'zh-CN');
  const product = await s.api('POST', '/api/records/product', {
    code: 'CK6140',
    name: '数控机床 CK6140',
    listPrice: { amount: 100000, currency: 'CNY' },
  });
  expect(product.status).toBe(201);
  ids.product = product.body.id;
  browser = await launch('zh-CN');
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  // an error in the page fails the walk loudly instead of showing up as a missing element
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

const pageErrors: string[] = [];
let step = 0;
afterEach(async () => {
  // the screen each test ended on: on a failure it shows what the user saw
  await shot(page, `end-${String(++step).padStart(2, '0')}`);
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const login = (name: string) => signIn(page, s.url, name, USER_PASSWORD);
const logout = () => signOut(page);

/** The form item (label + control + errors) of a field, by its rjsf id. */
const formItem = (name: string) =>
  page
    .locator('.ant-form-item')
    .filter({ has: page.locator(`#root_${name}`) })
    .last();

async function fillField(name: string, value: string) {
  await page.locator(`#root_${name}`).fill(value);
}

async function pickRelation(name: string, search: string) {
  await page.getByTestId(`relation-root_${name}`).click();
  await page.keyboard.type(search);
  await page.locator('.ant-select-item-option', { hasText: search }).first().click();
}

test('a rep signs in (zh-CN) and sees only what they may read', async () => {
  await page.goto(`${s.url}/`);
  await shot(page, '01-login-zh');
  await login('zhang');
  const nav = page.getByTestId('nav');
  await expect(nav.getByTestId('nav-customer').textContent()).resolves.toBe('客户');
  // a rep works their own contracts and orders, but reads no receivables, payments or purchases
  // (finance's): those are not in the menu
  await nav.getByTestId('nav-contract').waitFor();
  await expect(nav.getByTestId('nav-receivable').count()).resolves.toBe(0);
  await expect(nav.getByTestId('nav-payment').count()).resolves.toBe(0);
  await expect(nav.getByTestId('nav-purchase').count()).resolves.toBe(0);
  await shot(page, '02-rep-home-zh');
});

test('creates a customer, and sees a server validation error on its field', async () => {
  await page.getByTestId('nav-customer').click();
  await page.getByTestId('list-new').click();
  await fillField('name', '华东机械有限公司');
  await page.getByTestId('record-save').click();
  await page.waitForURL(/\/records\/customer\/\d+$/);
  ids.customer = Number(page.url().split('/').pop());
  await page.getByTestId('record-title').filter({ hasText: '华东机械有限公司' }).waitFor();
  await shot(page, '03-customer-created');
  // the same name again: unique, which only the server can know
  await page.goto(`${s.url}/records/customer/new`);
  await fillField('name', '华东机械有限公司');
  await page.getByTestId('record-save').click();
  const nameItem = formItem('name');
  await nameItem.locator('.ant-form-item-explain-error').first().waitFor();
  await expect(
    nameItem.locator('.ant-form-item-explain-error').first().textContent(),
  ).resolves.toBe('已被其他记录使用，必须唯一');
  expect(page.url()).toMatch(/\/new$/);
  await nameItem.scrollIntoViewIfNeeded();
  await shot(page, '04-server-validation-error');
});

test('creates a quote with a line from the customer, and submits it for approval', async () => {
  // create-in-context: the customer is filled in
  await page.goto(`${s.url}/records/quote/new?customer=${ids.customer}`);
  await fillField('name', '机床报价');
  await page.getByTestId('record-save').click();
  await page.waitForURL(/\/records\/quote\/\d+$/);
  ids.quote = Number(page.url().split('/').pop());
  const quote = await s.api('GET', `/api/records/quote/${ids.quote}`);
  expect(quote.body).toMatchObject({ customer: ids.customer, owner: 'zhang', status: 'draft' });
  // a line, through the quote's related list
  await page.getByRole('tab', { name: '相关' }).click();
  await page.getByTestId('related-new-quote_line').click();
  await page.waitForURL(/\/records\/quote_line\/new\?quote=/);
  await pickRelation('product', '数控机床');
  await fillField('quantity', '2');
  await page.locator('#root_unitPrice').fill('95000');
  await shot(page, '05-quote-line-form');
  await page.getByTestId('record-save').click();
  await page.waitForURL(/\/records\/quote_line\/\d+$/);
  const lines = await s.api(
    'GET',
    `/api/records/quote_line?filter=${encodeURIComponent(JSON.stringify({ quote: ids.quote }))}`,
  );
  expect(lines.body.data).toHaveLength(1);
  expect(lines.body.data[0]).toMatchObject({ quantity: 2, unitPrice: { amount: 95000 } });
  // submit
  await page.goto(`${s.url}/records/quote/${ids.quote}`);
  await page.getByRole('tab', { name: '审批' }).click();
  await page.getByTestId('submit-quote_approval').click();
  await page.getByTestId(/^instance-timeline-/).waitFor();
  await shot(page, '06-quote-submitted');
  expect((await s.api('GET', `/api/records/quote/${ids.quote}`)).body.status).toBe('inApproval');
  await logout();
});

test('the manager sees the count, opens the task with its diagram, and approves', async () => {
  await login('li');
  await expect(page.getByTestId('nav-inbox-count').textContent()).resolves.toBe('1');
  // the manager's own locale (en) applies
  await expect(page.getByTestId('nav-customer').textContent()).resolves.toBe('Customer');
  await page.getByTestId('nav-inbox').click();
  await page.getByTestId('task-list').waitFor();
  await shot(page, '07-manager-inbox-en');
  await page.getByTestId('task-list').locator('a').first().click();
  await page.getByTestId('task-record').waitFor();
  // the diagram (laid out by bpmn-auto-layout: the shipped diagram has no BPMNDI), current node marked
  await page.locator('.process-diagram .djs-element.crm-current').first().waitFor();
  await expect(
    page.locator('.process-diagram [data-element-id="manager_approval"].crm-current').count(),
  ).resolves.toBe(1);
  await expect(
    page.locator('.process-diagram [data-element-id="submitted"].crm-done').count(),
  ).resolves.toBe(1);
  await shot(page, '08-task-with-diagram');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, '09-task-phone');
  await page.getByTestId('task-comment').fill('价格合理，同意');
  await page.getByTestId('task-approve').click();
  await page.waitForURL(/\/inbox$/);
  await shot(page, '10-inbox-after-approve-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  expect((await s.api('GET', `/api/records/quote/${ids.quote}`)).body.status).toBe('approved');
  await logout();
});

test('the rep sees the outcome in the timeline and a notification', async () => {
  await login('zhang');
  await page.goto(`${s.url}/records/quote/${ids.quote}`);
  await page.getByRole('tab', { name: '审批' }).click();
  const timeline = page.getByTestId(/^instance-timeline-/);
  await timeline.getByText('价格合理，同意').waitFor();
  await shot(page, '11-rep-timeline');
  await expect(
    page.getByTestId('bell-count').locator('.ant-badge-count').textContent(),
  ).resolves.toMatch(/^[1-9]/);
  await page.getByTestId('bell').click();
  await page
    .getByTestId('notification-list')
    .getByText(/is approved/)
    .waitFor();
  await shot(page, '12-rep-notification');
  await page.keyboard.press('Escape');
});

test("forms and views: the quote's sections, the customer's tabs, the quote list's columns", async () => {
  // the form document (metadata/forms/quote.yaml): titled sections, amounts apart
  await page.goto(`${s.url}/records/quote/${ids.quote}`);
  const titles = page.locator('.form-section-title');
  await titles.first().waitFor();
  const sectionTitles = await titles.allTextContents();
  expect(sectionTitles[0]).toBe('基本信息');
  expect(sectionTitles).toContain('金额');
  await page.getByTestId('form-section-section-0-0').locator('#root_name').waitFor();
  await shot(page, '06b-quote-form-sections');
  // the customer's form has tabs (metadata/forms/customer.yaml)
  await page.goto(`${s.url}/records/customer/${ids.customer}`);
  await page.getByTestId('form-tabs').getByRole('tab', { name: '财务' }).click();
  // (a rep never sees the credit limit: that tab shows what they may write)
  await page.locator('#root_employees').waitFor();
  // no tab is marked: a mark means a field there was refused by the server
  await expect(page.getByTestId('form-tabs').locator('.ant-badge-dot').count()).resolves.toBe(0);
  await shot(page, '06c-customer-form-tabs');
  // the view document (metadata/views/quote.yaml): its columns in its order, its default filter
  await page.goto(`${s.url}/records/quote`);
  await page.getByTestId('record-table').getByText('机床报价').waitFor();
  const heads = (await page.locator('.ant-table-thead th').allTextContents())
    .map((t) => t.trim())
    .filter(Boolean);
  expect(heads).toEqual([
    '报价单号',
    '报价名称',
    '客户伙伴',
    '报价总额',
    '状态',
    '报价日期',
    '负责人',
  ]);
  await page.getByTestId('view-filter').filter({ hasText: '默认筛选' }).waitFor();
  await shot(page, '06d-quote-list-view');
  // quote lines are grouped by their quote (metadata/views/quote_line.yaml)
  await page.goto(`${s.url}/records/quote_line`);
  await page.getByTestId('list-group').first().waitFor();
  await expect(page.getByTestId('list-group').first().textContent()).resolves.toMatch(/^报价单/);
  await shot(page, '06e-quote-lines-grouped');
});

test('dragging a kanban card changes the status', async () => {
  await page.getByTestId('nav-customer').click();
  await page.getByTestId('list-mode').getByText('看板').click();
  await page.getByTestId('kanban-group').click();
  await page.locator('.ant-select-item-option', { hasText: '客户状态' }).click();
  const card = page.getByTestId(`kanban-card-${ids.customer}`);
  await card.waitFor();
  // someone else changes the customer after the board was read: the drop is a conflict that
  // shows the current record, and the board reloads
  const before = (await s.api('GET', `/api/records/customer/${ids.customer}`)).body;
  const other = await s.api('PATCH', `/api/records/customer/${ids.customer}`, {
    status: 'dormant',
    version: before.version,
  });
  expect(other.status).toBe(200);
  // the whole board in view: a drag that has to scroll its target into view is dropped by chromium
  await page.getByTestId('kanban').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  // the server's answer first (a conflict), then what the board shows
  const [conflict] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().endsWith(`/customer/${ids.customer}`),
    ),
    dragAndDrop(page, card, page.getByTestId('kanban-column-active')),
  ]);
  expect({ status: conflict.status(), body: await conflict.text() }).toMatchObject({
    status: 409,
  });
  await page.getByTestId('kanban-conflict').filter({ hasText: '休眠客户' }).waitFor();
  await shot(page, '13-kanban-conflict');
  await page.locator('.ant-modal-confirm-btns button').click();
  await page.locator('.ant-modal-confirm').waitFor({ state: 'hidden' });
  await page
    .getByTestId('kanban-column-dormant')
    .getByTestId(`kanban-card-${ids.customer}`)
    .waitFor();
  // the board reloaded: into view again before the second drag
  await page.getByTestId('kanban').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const [moved] = await Promise.all([
    page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().endsWith(`/customer/${ids.customer}`),
    ),
    dragAndDrop(page, card, page.getByTestId('kanban-column-active')),
  ]);
  expect(moved.status()).toBe(200);
  await page
    .getByTestId('kanban-column-active')
    .getByTestId(`kanban-card-${ids.customer}`)
    .waitFor();
  await shot(page, '13-kanban-moved');
  expect((await s.api('GET', `/api/records/customer/${ids.customer}`)).body.status).toBe('active');
});

test('a saved view survives logging out', async () => {
  await page.getByTestId('list-mode').getByText('列表').click();
  await page.getByTestId('filter-button').click();
  await page.getByTestId('filter-add').click();
  await page.getByTestId('filter-field-0').click();
  await page.locator('.ant-select-item-option', { hasText: '客户名称' }).click();
  await page.getByTestId('filter-value').fill('华东');
  await page.getByTestId('filter-apply').click();
  await page.keyboard.press('Escape');
  await page.getByTestId('save-view').click();
  await page.getByTestId('save-view-name').fill('华东客户');
  await page.getByTestId('save-view-ok').click();
  await page.getByTestId('saved-views').filter({ hasText: '华东客户' }).waitFor();
  await logout();
  await login('zhang');
  await page.getByTestId('nav-customer').click();
  await page.getByTestId('saved-views').click();
  await page.locator('.ant-select-item-option', { hasText: '华东客户' }).click();
  await page
    .getByTestId('filter-button')
    .locator('.ant-badge-count')
    .filter({ hasText: '1' })
    .waitFor();
  await page.getByTestId('record-table').getByText('华东机械有限公司').waitFor();
  await shot(page, '14-saved-view-after-login');
  const views = await s.api('GET', '/api/views/customer', undefined, {
    authorization: `Bearer ${await s.tokenFor('zhang')}`,
  });
  expect(views.body.data).toEqual([
    expect.objectContaining({
      name: '华东客户',
      definition: expect.objectContaining({
        conditions: [{ field: 'name', op: 'contains', value: '华东' }],
      }),
    }),
  ]);
});

test('switching the language flips every label, metadata labels included', async () => {
  await page.getByTestId('record-table').waitFor();
  await expect(page.getByTestId('list-title').textContent()).resolves.toBe('客户');
  await page.getByTestId('lang-switch').getByText('EN').click();
  await expect(page.getByTestId('list-title').textContent()).resolves.toBe('Customer');
  await expect(page.getByTestId('nav-quote').textContent()).resolves.toBe('Quote');
  await expect(page.getByTestId('nav-inbox').textContent()).resolves.toContain('Tasks');
  await expect(page.locator('.ant-table-thead').textContent()).resolves.toContain('Customer code');
  await shot(page, '15-list-en');
  await page.getByTestId('lang-switch').getByText('中文').click();
  await expect(page.locator('.ant-table-thead').textContent()).resolves.toContain('客户编号');
  await logout();
});

test('a user without rights sees neither the menu nor the data, and the API refuses', async () => {
  await login('guest');
  await expect(
    page
      .getByTestId('nav')
      .locator('[data-testid^="nav-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))),
  ).resolves.toEqual(['nav-inbox']);
  await page.goto(`${s.url}/records/customer`);
  await page.getByTestId('error-state').waitFor();
  await expect(page.getByText('华东机械有限公司').count()).resolves.toBe(0);
  await shot(page, '16-guest-refused');
  const token = await page.evaluate(
    () => JSON.parse(localStorage.getItem('crm.session')!).accessToken as string,
  );
  const res = await fetch(`${s.url}/api/records/customer`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(403);
});
