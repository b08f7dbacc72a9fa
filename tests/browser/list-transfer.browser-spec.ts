import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { type TestServer, USER_PASSWORD, q, startServer } from '../e2e/support/harness';
import { buildWebApp, launch, shot, signIn, signOut } from './support/browser';
import { shippedFiles } from '../e2e/support/shipped-org';

/**
 * The list page's export, import and bulk edit in a real browser, on the shipped CRM: a sales
 * manager (zh-CN) exports the filtered customer list as Excel and imports a workbook (a bad row
 * is reported by row and field, nothing written; the fixed file imports); a rep, who may neither
 * export nor import, bulk-edits two customers, one of which is only shared with them.
 */

jest.setTimeout(300_000);

let s: TestServer;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
const pageErrors: string[] = [];
const ids: Record<string, number> = {};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-list-transfer-'));
const as = async (login: string) => ({ authorization: `Bearer ${await s.tokenFor(login)}` });

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', shippedFiles(), {
    WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
  });
  const dep = (await s.api('POST', '/api/admin/departments', { name: '华东销售部' })).body.id;
  for (const [login, role] of [
    ['wang', 'sales_manager'],
    ['zhang', 'sales_rep'],
    ['zhao', 'sales_rep'],
  ]) {
    const r = await s.api('POST', '/api/admin/users', {
      login,
      displayName: login,
      password: USER_PASSWORD,
      roles: [role],
      locale: 'zh-CN',
      departmentId: dep,
    });
    expect(r.status).toBe(201);
  }
  const customer = async (key: string, owner: string, name: string, region: string) => {
    const r = await s.api('POST', '/api/records/customer', { name, region }, await as(owner));
    expect(r.status).toBe(201);
    ids[key] = r.body.id;
  };
  await customer('huadong', 'zhang', '华东机械有限公司', '上海');
  await customer('jiangnan', 'zhang', '江南纺织', '上海');
  await customer('beifang', 'zhang', '北方钢铁', '北京');
  await customer('xibu', 'zhao', '西部能源', '上海');
  // zhao shares theirs with zhang: zhang reads it but may not change it
  const share = await s.api(
    'POST',
    `/api/records/customer/${ids.xibu}/shares`,
    { login: 'zhang' },
    await as('zhao'),
  );
  expect(share.status).toBe(204);
  browser = await launch('zh-CN');
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

let step = 0;
afterEach(async () => {
  await shot(page, `list-transfer-end-${String(++step).padStart(2, '0')}`);
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const login = (name: string) => signIn(page, s.url, name, USER_PASSWORD);
const logout = () => signOut(page);

/**
 * An antd select: open it, type to search (its list is virtual), pick the option from the open
 * list, and wait until the select shows it. A click that lands while the list is still opening
 * picks nothing (seen under load): then the list is still open and the option is clicked again.
 */
async function pick(testId: string, text: string) {
  const select = page.getByTestId(testId);
  const shown = select.filter({ hasText: text });
  const option = page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: text })
    .first();
  await select.click();
  await page.keyboard.type(text);
  for (let attempt = 0; attempt < 3; attempt++) {
    await option.click();
    if (
      await shown.waitFor({ timeout: 3000 }).then(
        () => true,
        () => false,
      )
    )
      return;
    if (!(await option.isVisible())) await select.click();
  }
  await shown.waitFor();
}

const tableRow = (text: string) =>
  page.getByTestId('record-table').locator('tr', { hasText: text });

/** Rows of a workbook's first sheet, cells as text. */
async function readSheet(file: string): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const rows: string[][] = [];
  book.worksheets[0].eachRow((row) =>
    rows.push((row.values as ExcelJS.CellValue[]).slice(1).map((v) => String(v ?? ''))),
  );
  return rows;
}

async function writeSheet(name: string, rows: Array<Array<string | number>>): Promise<string> {
  const book = new ExcelJS.Workbook();
  book.addWorksheet('客户').addRows(rows);
  const file = path.join(tmp, name);
  await book.xlsx.writeFile(file);
  return file;
}

const customersNamed = async (name: string) =>
  (
    await s.api('GET', `/api/records/customer?filter=${q({ name: { eq: name } })}`, undefined, {
      ...(await as('admin')),
    })
  ).body.data as Array<Record<string, unknown>>;

test('a manager exports the filtered list as Excel: labelled columns, only the rows shown', async () => {
  await login('wang');
  await page.getByTestId('nav-customer').click();
  await page.getByTestId('filter-button').click();
  await page.getByTestId('filter-add').click();
  await pick('filter-field-0', '地区');
  await page.getByTestId('filter-value').fill('上海');
  await page.getByTestId('filter-apply').click();
  await page.keyboard.press('Escape');
  await page.getByTestId('list-count').filter({ hasText: '共 3 条' }).waitFor();
  await page.getByTestId('export-button').click();
  await page.getByTestId('export-xlsx').waitFor();
  await shot(page, 'list-transfer-01-export-menu');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-xlsx').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^客户-\d{8}\.xlsx$/);
  const file = path.join(tmp, 'export.xlsx');
  await download.saveAs(file);
  const [header, ...rows] = await readSheet(file);
  // the view's columns, named as the user reads them (id first)
  expect(header).toEqual([
    'ID',
    '客户编号',
    '客户名称',
    '客户状态',
    '客户等级',
    '所属行业',
    '地区',
    '负责人',
  ]);
  const name = header.indexOf('客户名称');
  expect(rows.map((r) => r[name]).sort()).toEqual(
    ['华东机械有限公司', '江南纺织', '西部能源'].sort(),
  );
  expect(rows.every((r) => r[header.indexOf('地区')] === '上海')).toBe(true);
  // options read as on screen (labels), not as stored values
  const status = header.indexOf('客户状态');
  expect(rows.map((r) => r[status]).filter((v) => !['潜在客户', '成交客户'].includes(v))).toEqual(
    [],
  );
});

test('an import with a bad row reports its row and field and writes nothing; the fixed file imports', async () => {
  await page.getByTestId('import-button').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByText('导入客户').waitFor();
  // the template: the fields a user fills in, by label; nothing the system generates
  const [template] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('import-template').click(),
  ]);
  const templateFile = path.join(tmp, 'template.csv');
  await template.saveAs(templateFile);
  const templateHeader = fs
    .readFileSync(templateFile, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  expect(templateHeader.split(',').slice(0, 3)).toEqual(['客户名称', '简称', '客户类型']);
  expect(templateHeader).not.toContain('客户编号');

  const bad = await writeSheet('客户导入.xlsx', [
    ['客户名称', '客户状态', '地区'],
    ['东海贸易', 'active', '宁波'],
    ['南山电子', '大客户', '深圳'],
  ]);
  await dialog.locator('input[type=file]').setInputFiles(bad);
  await page.getByTestId('import-run').click();
  const report = page.getByTestId('error-report');
  await report.waitFor();
  await page.getByTestId('import-failed').waitFor();
  // data row 2 is the sheet's row 3 (the header is row 1)
  const cells = await report.locator('tbody tr').first().locator('td').allTextContents();
  expect(cells.slice(0, 2)).toEqual(['3', '客户状态']);
  // worded in the user's language, the allowed options by their labels
  expect(cells[2]).toMatch(/^必须是以下之一.*潜在客户.*成交客户/);
  await shot(page, 'list-transfer-02-import-errors');
  const [reportDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('error-report-download').click(),
  ]);
  expect(reportDownload.suggestedFilename()).toMatch(/^客户导入-errors-\d{8}\.csv$/);
  const reportFile = path.join(tmp, 'report.csv');
  await reportDownload.saveAs(reportFile);
  expect(fs.readFileSync(reportFile, 'utf8')).toMatch(/^\uFEFF行号,字段,问题\r\n3,客户状态,/);
  // all or nothing: the good row was not written either
  expect(await customersNamed('东海贸易')).toEqual([]);

  // options by their labels, as people write them (or by value, as scripts do)
  const fixed = await writeSheet('客户导入-改.xlsx', [
    ['客户名称', '客户状态', '地区'],
    ['东海贸易', 'active', '宁波'],
    ['南山电子', '潜在客户', '深圳'],
  ]);
  await dialog.locator('input[type=file]').setInputFiles(fixed);
  await page.getByTestId('import-validate').click();
  await page.getByTestId('import-result').filter({ hasText: '全部 2 行校验通过' }).waitFor();
  expect(await customersNamed('东海贸易')).toEqual([]);
  await page.getByTestId('import-run').click();
  await page.getByTestId('import-result').filter({ hasText: '已导入 2 条记录' }).waitFor();
  await shot(page, 'list-transfer-03-imported');
  expect(await customersNamed('东海贸易')).toEqual([
    expect.objectContaining({ status: 'active', region: '宁波', owner: 'wang' }),
  ]);
  expect(await customersNamed('南山电子')).toEqual([
    expect.objectContaining({ status: 'prospect', owner: 'wang' }),
  ]);
  await page.keyboard.press('Escape');
});

test('a rep bulk-edits two customers: the shared one is refused per record, the other is updated', async () => {
  await logout();
  await login('zhang');
  await page.getByTestId('nav-customer').click();
  await tableRow('西部能源').waitFor();
  // reps neither export nor import customers
  await expect(page.getByTestId('export-button').count()).resolves.toBe(0);
  await expect(page.getByTestId('import-button').count()).resolves.toBe(0);
  await tableRow('华东机械有限公司').locator('input[type=checkbox]').check();
  await tableRow('西部能源').locator('input[type=checkbox]').check();
  await page.getByTestId('bulk-edit').click();
  await pick('bulk-field', '客户状态');
  await pick('bulk-value', '成交客户');
  await shot(page, 'list-transfer-04-bulk-edit');
  await page.getByTestId('bulk-apply').click();
  await page.getByTestId('bulk-failed').waitFor();
  const rows = page.getByTestId('error-report').locator('tbody tr');
  await expect(rows.count()).resolves.toBe(1);
  await expect(rows.first().locator('td').first().textContent()).resolves.toBe(
    `#${ids.xibu} 西部能源`,
  );
  await shot(page, 'list-transfer-05-bulk-row-error');
  const status = async (key: string) =>
    (await s.api('GET', `/api/records/customer/${ids[key]}`, undefined, await as('admin'))).body
      .status;
  // nothing was written yet
  expect(await status('huadong')).toBe('prospect');
  await page.getByTestId('bulk-apply-rest').filter({ hasText: '应用到其余 1 条' }).click();
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  await tableRow('华东机械有限公司').getByText('成交客户').waitFor();
  await shot(page, 'list-transfer-06-bulk-applied');
  expect(await status('huadong')).toBe('active');
  expect(await status('xibu')).toBe('prospect');
});
