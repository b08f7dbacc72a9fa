import type { Page } from 'playwright-core';
import { DB, type Db } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { type TestServer, USER_PASSWORD, startServer } from '../e2e/support/harness';
import { buildWebApp, launch, shot } from './support/browser';

/**
 * The record page in a real browser (zh-CN): a rep writes rich text with bold and a list and sees
 * it formatted after a reload; stored HTML with an `<img onerror>` is shown without running; the
 * rep shares a customer with a colleague, who then finds it in their list until it is revoked; a
 * server validation error reads in Chinese on its field. Test-only entities, so the shipped CRM
 * is not assumed.
 */
const label = (en: string, zh: string) => `{ zh-CN: ${zh}, en: ${en} }`;
const FILES: Record<string, string> = {
  'customer.yaml': `kind: entity
name: customer
label: ${label('Customer', '客户')}
displayField: name
fields:
  name: { type: text, label: ${label('Name', '名称')}, required: true, length: 100 }
  email: { type: email, label: ${label('Email', '邮箱')} }
  notes: { type: richText, label: ${label('Notes', '备注')} }
`,
  'roles/rep.yaml': `kind: role
name: rep
label: ${label('Rep', '销售')}
rules:
  - { action: [read, create, update], subject: customer, conditions: { owner: $me } }
  - { action: read, subject: customer, conditions: { $sharedWithMe: true } }
`,
};

jest.setTimeout(300_000);

let s: TestServer;
const browsers: Array<Awaited<ReturnType<typeof launch>>> = [];
const pageErrors: string[] = [];

async function signIn(login: string): Promise<Page> {
  const b = await launch('zh-CN');
  browsers.push(b);
  const page = b.context.pages()[0] ?? (await b.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${s.url}/`);
  await page.getByTestId('login-name').fill(login);
  await page.getByTestId('login-password').fill(USER_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
  return page;
}

let zhang: Page;

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', FILES);
  for (const [login, displayName] of [
    ['zhang', '张销售'],
    ['li', '李同事'],
  ])
    expect(
      (
        await s.api('POST', '/api/admin/users', {
          login,
          displayName,
          password: USER_PASSWORD,
          roles: ['rep'],
          locale: 'zh-CN',
        })
      ).status,
    ).toBe(201);
  zhang = await signIn('zhang');
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  for (const b of browsers) await b.close();
  await s?.close();
});

/** The field's own form item (the last match: the form's root item holds every field too). */
const formItem = (page: Page, name: string) =>
  page
    .locator('.ant-form-item')
    .filter({ has: page.locator(`#root_${name}`) })
    .last();
const errorOf = (page: Page, name: string) =>
  formItem(page, name).locator('.ant-form-item-explain-error').first();
const pwned = (page: Page) =>
  page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

test('a rep writes rich text with bold and a list; after a reload it is still formatted', async () => {
  await zhang.goto(`${s.url}/records/customer/new`);
  await zhang.locator('#root_name').fill('华东机械有限公司');
  const editor = zhang.getByTestId('richtext-editor-notes');
  await editor.click();
  await zhang.getByTestId('richtext-bold').click();
  await zhang.keyboard.type('重点客户');
  await zhang.getByTestId('richtext-bold').click();
  await zhang.keyboard.press('Enter');
  await zhang.getByTestId('richtext-insertUnorderedList').click();
  await zhang.keyboard.type('每月拜访');
  await zhang.keyboard.press('Enter');
  await zhang.keyboard.type('季度报价');
  await shot(zhang, 'record-page-01-rich-text-typed');
  await zhang.getByTestId('record-save').click();
  await zhang.waitForURL(/\/records\/customer\/\d+$/);
  const id = Number(zhang.url().split('/').pop());

  await zhang.reload();
  const shown = zhang.getByTestId('richtext-editor-notes');
  await shown.locator('b', { hasText: '重点客户' }).waitFor();
  await expect(shown.locator('ul > li').allTextContents()).resolves.toEqual([
    '每月拜访',
    '季度报价',
  ]);
  await shot(zhang, 'record-page-02-rich-text-reloaded');
  // stored as the HTML the editor made: a bold run and a list
  const stored = (await s.api('GET', `/api/records/customer/${id}`)).body.notes as string;
  expect(stored).toMatch(/<b>重点客户<\/b>/);
  expect(stored).toContain('<ul><li>每月拜访</li><li>季度报价</li></ul>');
});

test('stored HTML with <img onerror> is shown without running, saved or written around the API', async () => {
  const payload =
    '<p>安全<img src="x" onerror="window.__pwned=1"><b onmouseover="window.__pwned=2">文本</b></p>';
  const viaApi = await s.api(
    'POST',
    '/api/records/customer',
    { name: '接口写入', notes: payload },
    { 'x-user': 'zhang' },
  );
  expect(viaApi.status).toBe(201);
  expect(viaApi.body.notes).toBe('<p>安全<b>文本</b></p>');
  // a value stored before the server cleaned (or by hand in the database): the browser cleans too
  const legacy = await s.api(
    'POST',
    '/api/records/customer',
    { name: '旧数据' },
    { 'x-user': 'zhang' },
  );
  const table = s.app.get(MetaService).model.entities.get('customer')!.table;
  await s.app
    .get<Db>(DB)
    .execute(`UPDATE ${table} SET notes = ? WHERE id = ?`, [payload, legacy.body.id]);

  for (const [id, name] of [
    [viaApi.body.id, 'api'],
    [legacy.body.id, 'legacy'],
  ]) {
    await zhang.goto(`${s.url}/records/customer/${id}`);
    const editor = zhang.getByTestId('richtext-editor-notes');
    await editor.locator('b', { hasText: '文本' }).waitFor();
    await editor.locator('b').hover();
    // the image is gone before it could fail to load; no handler survived to run
    await expect(editor.locator('img').count()).resolves.toBe(0);
    await expect(zhang.locator('[onerror], [onmouseover]').count()).resolves.toBe(0);
    await expect(pwned(zhang)).resolves.toBeUndefined();
    await shot(zhang, `record-page-03-unsafe-html-${name}`);
  }
});

test('a rep shares a customer with a colleague, who sees it in their list until it is revoked', async () => {
  const made = await s.api(
    'POST',
    '/api/records/customer',
    { name: '共享客户', notes: '<p><b>只读</b>展示</p>' },
    { 'x-user': 'zhang' },
  );
  const id = made.body.id as number;
  const li = await signIn('li');
  const row = li.getByTestId('record-table').locator(`tr[data-row-key="${id}"]`);
  await li.goto(`${s.url}/records/customer`);
  await li.getByTestId('record-table').waitFor();
  await expect(row.count()).resolves.toBe(0);

  await zhang.goto(`${s.url}/records/customer/${id}`);
  await zhang.getByTestId('tab-shares').click();
  await zhang.getByTestId('shares').getByText('尚未共享给任何人').waitFor();
  await zhang.getByTestId('share-picker').click();
  await zhang.keyboard.type('李');
  await zhang.waitForFunction(() => {
    const shown = Array.from(document.querySelectorAll('.ant-select-item-option'));
    return shown.length === 1 && shown[0].textContent === '李同事 (li)';
  });
  await zhang.keyboard.press('Enter');
  await zhang.getByTestId('share-add').click();
  await zhang.getByTestId('share-li').getByText('李同事 (li)').waitFor();
  await shot(zhang, 'record-page-04-shared');

  await li.reload();
  await row.waitFor();
  await row.locator('a').first().click();
  await li.getByTestId('record-title').filter({ hasText: '共享客户' }).waitFor();
  // read only for li: no save button, no sharing tab, the rich text shown as it reads
  await expect(li.getByTestId('record-save').count()).resolves.toBe(0);
  await expect(li.getByTestId('tab-shares').count()).resolves.toBe(0);
  await li.getByTestId('richtext-notes').locator('b', { hasText: '只读' }).waitFor();
  await shot(li, 'record-page-05-colleague-sees-shared');

  await zhang.getByTestId('share-remove-li').click();
  await zhang.getByTestId('shares').getByText('尚未共享给任何人').waitFor();
  // the history says who opened the record to whom, and who closed it again
  await zhang.getByTestId('tab-history').click();
  const history = zhang.locator('.record-history');
  await history.locator('tr', { hasText: '共享' }).filter({ hasText: 'li' }).first().waitFor();
  await history.locator('tr', { hasText: '取消共享' }).filter({ hasText: 'li' }).waitFor();
  // rich text reads as text, not as its HTML
  await history.locator('td', { hasText: /^只读展示$/ }).waitFor();
  // the create (one row per field set) and the shares all name who did them
  await history.locator('tr', { hasText: '创建' }).first().waitFor();
  await shot(zhang, 'record-page-06a-history-shares');
  const rows = await history.locator('tbody tr.ant-table-row').count();
  expect(rows).toBeGreaterThanOrEqual(3);
  await expect(history.locator('tbody td', { hasText: /^zhang$/ }).count()).resolves.toBe(rows);
  await li.goto(`${s.url}/records/customer`);
  await li.getByTestId('record-table').waitFor();
  await expect(row.count()).resolves.toBe(0);
  await shot(li, 'record-page-06-revoked');
});

test('server validation errors read in Chinese on their fields', async () => {
  await zhang.goto(`${s.url}/records/customer/new`);
  await zhang.locator('#root_email').fill('不是邮箱');
  await zhang.getByTestId('record-save').click();
  await errorOf(zhang, 'name').waitFor();
  await expect(errorOf(zhang, 'name').textContent()).resolves.toBe('必填');
  await expect(errorOf(zhang, 'email').textContent()).resolves.toBe('必须是有效的邮箱地址');
  await shot(zhang, 'record-page-07-errors-required-email');

  await zhang.locator('#root_name').fill('长'.repeat(101));
  await zhang.locator('#root_email').fill('sales@example.com');
  await zhang.getByTestId('record-save').click();
  await errorOf(zhang, 'name').filter({ hasText: '不能超过 100 个字符' }).waitFor();
  // the email is fine now: its error leaves (after antd's fade-out)
  await errorOf(zhang, 'email').waitFor({ state: 'detached', timeout: 5_000 });
  expect(zhang.url()).toMatch(/\/new$/);
  await shot(zhang, 'record-page-08-error-too-long');
});
