import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type TestServer, startServer } from '../e2e/support/harness';
import { buildWebApp, launch, shot } from './support/browser';
import { shippedFiles } from '../e2e/support/shipped-org';

jest.setTimeout(300_000);

const DEMO_PASSWORD = 'demo-password-5min';
let s: TestServer;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
const pageErrors: string[] = [];
let quoteId = 0;

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', shippedFiles(), {
    WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
    DEMO_DIR: path.resolve(__dirname, '../../demo'),
    DEMO_DATA: 'true',
    DEMO_PASSWORD,
  });
  browser = await launch('zh-CN');
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

let step = 0;
afterEach(async () => {
  await shot(page, `5min-end-${String(++step).padStart(2, '0')}`);
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function login(name: string) {
  await page.goto(`${s.url}/`);
  await page.evaluate(() => localStorage.removeItem('crm.session'));
  await page.goto(`${s.url}/`);
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(DEMO_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}

/** The quote's status once it is `want`, or whatever it is after 10 s (the page acts async). */
async function statusBecomes(want: string): Promise<string> {
  let status = '';
  for (const until = Date.now() + 10_000; Date.now() < until;) {
    status = (await s.api('GET', `/api/records/quote/${quoteId}`)).body.status as string;
    if (status === want) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return status;
}

async function pickRelation(name: string, search: string) {
  await page.getByTestId(`relation-root_${name}`).click();
  await page.keyboard.type(search);
  const option = page.locator('.ant-select-item-option').first();
  await option.waitFor();
  await option.click();
}

test('1. rep (张销售) signs in with the demo password and creates a quote for a demo customer', async () => {
  await login('rep');
  await shot(page, '5min-01-rep-home');
  await page.getByTestId('nav-quote').click();
  // the demo company's quotes are there to look at
  await page.locator('.ant-table-row').first().waitFor();
  await shot(page, '5min-02-quotes');
  await page.getByTestId('list-new').click();
  await page.locator('#root_name').fill('五分钟报价');
  // a customer of the rep's (the demo data gives each rep theirs)
  const mine = await s.api(
    'GET',
    `/api/records/customer?filter=${encodeURIComponent(JSON.stringify({ owner: 'rep' }))}&limit=1`,
  );
  expect(mine.body.data.length).toBe(1);
  await pickRelation('customer', String(mine.body.data[0].name).slice(0, 2));
  await page.getByTestId('record-save').click();
  await page.waitForURL(/\/records\/quote\/\d+$/);
  quoteId = Number(page.url().split('/').pop());
  const quote = (await s.api('GET', `/api/records/quote/${quoteId}`)).body;
  expect(quote).toMatchObject({ owner: 'rep', status: 'draft' });
});

test('…adds a line (产品, 数量, 单价) through the quote’s related list', async () => {
  await page.getByRole('tab', { name: '相关' }).click();
  await page.getByTestId('related-new-quote_line').click();
  await page.waitForURL(/\/records\/quote_line\/new\?quote=/);
  const product = (await s.api('GET', '/api/records/product?limit=1')).body.data[0];
  await pickRelation('product', String(product.name).slice(0, 2));
  await page.locator('#root_quantity').fill('3');
  await page.locator('#root_unitPrice').fill('1200');
  await shot(page, '5min-03-line');
  await page.getByTestId('record-save').click();
  await page.waitForURL(/\/records\/quote_line\/\d+$/);
  const lines = await s.api(
    'GET',
    `/api/records/quote_line?filter=${encodeURIComponent(JSON.stringify({ quote: quoteId }))}`,
  );
  expect(lines.body.data).toHaveLength(1);
  expect(lines.body.data[0]).toMatchObject({ quantity: 3, unitPrice: { amount: 1200 } });
});

test('2. on the quote’s page, 提交审批 turns it 审批中 (locked)', async () => {
  await page.goto(`${s.url}/records/quote/${quoteId}`);
  await page.getByTestId('record-button-quote_submit').click();
  expect(await statusBecomes('inApproval')).toBe('inApproval');
  await page.reload();
  await page.getByText('审批中').first().waitFor();
  await shot(page, '5min-04-submitted');
});

test('3. manager (李经理) finds it in the inbox beside the demo quotes, and approves it', async () => {
  await login('manager');
  await page.getByTestId('nav-inbox').click();
  const row = page.locator('[data-testid^="inbox-item-"]', { hasText: '五分钟报价' });
  await row.waitFor();
  // the demo quotes already waiting are there too
  await expect(page.locator('[data-testid^="inbox-item-"]').count()).resolves.toBeGreaterThan(1);
  await shot(page, '5min-05-manager-inbox');
  await row.locator('[data-testid^="open-"]').first().click();
  await page.getByTestId('task-approve').waitFor();
  await page.getByTestId('task-comment').fill('同意，按此报价');
  await page.getByTestId('task-approve').click();
  await page.waitForURL(/\/inbox$/);
  await shot(page, '5min-06-approved');
  expect(await statusBecomes('approved')).toBe('approved');
});
