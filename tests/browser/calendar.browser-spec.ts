import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type TestServer, USER_PASSWORD, startServer } from '../e2e/support/harness';
import { buildWebApp, launch, shot } from './support/browser';

/**
 * The calendar mode of a list (a `view` with `calendar`), on the shipped activities: a rep's
 * activities on known days of this month show in the month and the week, a cancelled one is kept
 * out by the view's filter, next month's shows after "next", a click opens the record and "new"
 * on a day opens the form with the start filled in. The browser runs in the machine's time zone,
 * as node does here, so local times written by the test are the ones the page shows.
 */
function shippedFiles(): Record<string, string> {
  const root = path.resolve(__dirname, '../../metadata');
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'clients') walk(full);
      } else if (e.name.endsWith('.yaml'))
        out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return out;
}

jest.setTimeout(300_000);

let s: TestServer;
let browser: Awaited<ReturnType<typeof launch>>;
let page: Page;
const pageErrors: string[] = [];
const ids: Record<string, number> = {};
const now = new Date();
/** A local time on a day of this month (the 15th and 16th are in this month's grid). */
const at = (day: number, h: number, m = 0, monthShift = 0) =>
  new Date(now.getFullYear(), now.getMonth() + monthShift, day, h, m);
const pad = (n: number) => String(n).padStart(2, '0');
const dayKey = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

beforeAll(async () => {
  buildWebApp();
  s = await startServer('sqlite', shippedFiles(), {
    WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
  });
  const r = await s.api('POST', '/api/admin/users', {
    login: 'zhang',
    displayName: 'zhang',
    password: USER_PASSWORD,
    roles: ['sales_rep'],
    locale: 'en',
  });
  expect(r.status).toBe(201);
  const auth = { authorization: `Bearer ${await s.tokenFor('zhang')}` };
  const activity = async (key: string, body: Record<string, unknown>) => {
    const c = await s.api('POST', '/api/records/activity', body, auth);
    expect([c.status, c.body]).toEqual([201, expect.anything()]);
    ids[key] = c.body.id;
  };
  await activity('visit', {
    subject: 'Visit Huadong Machinery',
    kind: 'visit',
    startAt: at(15, 10).toISOString(),
    endAt: at(15, 11, 30).toISOString(),
  });
  await activity('call', {
    subject: 'Call about the quote',
    startAt: at(16, 14, 30).toISOString(),
  });
  await activity('cancelled', {
    subject: 'Cancelled meeting',
    kind: 'meeting',
    status: 'cancelled',
    startAt: at(16, 9).toISOString(),
  });
  await activity('next', {
    subject: 'Next month review',
    kind: 'meeting',
    startAt: at(10, 9, 0, 1).toISOString(),
  });
  browser = await launch('en');
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

let step = 0;
afterEach(async () => {
  await shot(page, `calendar-end-${String(++step).padStart(2, '0')}`);
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await s?.close();
});

const entries = (scope: ReturnType<Page['getByTestId']>) =>
  scope.getByTestId('calendar-entry').allTextContents();

test('the month shows activities on their days; the view filter keeps cancelled ones out', async () => {
  await page.goto(`${s.url}/`);
  await page.getByTestId('login-name').fill('zhang');
  await page.getByTestId('login-password').fill(USER_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
  await page.goto(`${s.url}/records/activity`);
  await page.getByTestId('list-mode').getByText('Calendar').click();
  await page.getByTestId('calendar-view').waitFor();
  const d15 = page.locator(`[data-testid=calendar-cell][data-day="${dayKey(at(15, 0))}"]`);
  const d16 = page.locator(`[data-testid=calendar-cell][data-day="${dayKey(at(16, 0))}"]`);
  await d15.getByTestId('calendar-entry').first().waitFor();
  await expect(entries(d15)).resolves.toEqual(['10:00 Visit Huadong Machinery']);
  await expect(entries(d16)).resolves.toEqual(['14:30 Call about the quote']);
  await expect(page.getByText('Cancelled meeting').count()).resolves.toBe(0);
  await shot(page, 'calendar-01-month');
});

test('next shows next month; today comes back', async () => {
  await page.getByTestId('calendar-next').click();
  const d10 = page.locator(`[data-testid=calendar-cell][data-day="${dayKey(at(10, 0, 0, 1))}"]`);
  await d10.getByTestId('calendar-entry').first().waitFor();
  await expect(entries(d10)).resolves.toEqual(['09:00 Next month review']);
  await shot(page, 'calendar-02-next-month');
  await page.getByTestId('calendar-today').click();
  await page
    .locator(`[data-testid=calendar-cell][data-day="${dayKey(at(15, 0))}"]`)
    .getByTestId('calendar-entry')
    .first()
    .waitFor();
});

test('the week of the 15th lists its activities by day and time', async () => {
  // picking a day moves the calendar to it; the week then is that day's
  await page
    .locator(`[data-testid=calendar-cell][data-day="${dayKey(at(15, 0))}"]`)
    .locator('xpath=ancestor::td')
    .locator('.ant-picker-calendar-date-value')
    .click();
  await page.getByTestId('calendar-mode').getByText('Week').click();
  await page.locator('[data-testid=calendar-view][data-mode=week]').waitFor();
  const day = (d: Date) => page.locator(`[data-testid=calendar-day][data-day="${dayKey(d)}"]`);
  await expect(page.getByTestId('calendar-day').count()).resolves.toBe(7);
  await day(at(15, 0)).getByTestId('calendar-entry').first().waitFor();
  await expect(entries(day(at(15, 0)))).resolves.toEqual(['10:00 Visit Huadong Machinery']);
  // the 16th may fall in the next week (when the 15th ends a week)
  if ((await day(at(16, 0)).count()) > 0)
    await expect(entries(day(at(16, 0)))).resolves.toEqual(['14:30 Call about the quote']);
  await shot(page, 'calendar-03-week');
});

test('the day lists the activity with its times; a click opens the record', async () => {
  await page.getByTestId('calendar-mode').getByText('Day').click();
  await page.locator('[data-testid=calendar-view][data-mode=day]').waitFor();
  await expect(page.getByTestId('calendar-heading').textContent()).resolves.toContain(
    dayKey(at(15, 0)),
  );
  await page.getByTestId('calendar-entry').first().waitFor();
  await expect(entries(page.getByTestId('calendar-view'))).resolves.toEqual([
    '10:00–11:30 Visit Huadong Machinery',
  ]);
  await shot(page, 'calendar-04-day');
  await page.getByTestId('calendar-entry').first().click();
  await page.waitForURL(new RegExp(`/records/activity/${ids.visit}$`));
  await page.getByTestId('record-title').filter({ hasText: 'Visit Huadong Machinery' }).waitFor();
  await shot(page, 'calendar-05-record');
});

test('"new" on a day opens the form with the start filled in', async () => {
  // back from the record: the list is still in its calendar mode (kept in the URL)
  await page.goBack();
  await page.getByTestId('calendar-view').waitFor();
  await page.getByTestId('calendar-new').first().click();
  await page.waitForURL(/\/records\/activity\/new\?startAt=/);
  const started = new URL(page.url()).searchParams.get('startAt')!;
  expect(new Date(started).getHours()).toBe(9);
  await shot(page, 'calendar-06-new');
});

test('in zh-CN the labels flip and the week starts on Monday', async () => {
  await page.goto(`${s.url}/records/activity?mode=calendar`);
  await page.getByTestId('lang-switch').getByText('中文').click();
  await page.getByTestId('list-mode').getByText('日历').waitFor();
  await page.getByTestId('calendar-mode').getByText('周').click();
  await page.locator('[data-testid=calendar-view][data-mode=week]').waitFor();
  const first = await page.getByTestId('calendar-day').first().getAttribute('data-day');
  expect(new Date(`${first!}T12:00:00`).getDay()).toBe(1);
  await expect(page.getByTestId('calendar-today').textContent()).resolves.toMatch(/^今\s?天$/);
  await shot(page, 'calendar-07-week-zh');
});

test('at phone width the week is a list of days', async () => {
  await page.setViewportSize({ width: 375, height: 740 });
  // the mode in the URL opens the calendar (the page is in zh-CN since the last test)
  await page.goto(`${s.url}/records/activity?mode=calendar`);
  // a phone opens the day; the week shows as a list
  await page.locator('[data-testid=calendar-view][data-mode=day]').waitFor();
  await page.getByTestId('calendar-mode').getByText('周').click();
  await page.locator('.calendar-list [data-testid=calendar-day]').first().waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
  await shot(page, 'calendar-08-phone-week');
});
