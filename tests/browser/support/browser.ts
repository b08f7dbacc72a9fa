import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it with fonts-noto-cjk, so zh-CN renders as users see it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export const SCREENSHOTS = path.resolve(__dirname, '../screenshots');
const REPO = path.resolve(__dirname, '../../..');

/** Builds designer/ when its sources changed since the last build (as `npm start` does). */
export function buildWebApp(): void {
  execFileSync(process.execPath, [path.join(REPO, 'scripts/build-web.js')], { stdio: 'inherit' });
}

/** A fresh browser profile each run: no cache, no stored session from an earlier test. */
export async function launch(
  locale: string,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    locale,
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A screenshot per step, in a folder git ignores (tests/browser/screenshots). */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/**
 * Drags `source` onto `target` with the mouse, in steps, as a hand does (the board's cards follow
 * pointer events: record-list/cardDrag.ts). The source is brought into view first.
 */
export async function dragAndDrop(page: Page, source: Locator, target: Locator): Promise<void> {
  // hover waits until the card itself receives the pointer (not a closing dialog's mask over it)
  await source.hover();
  const from = await source.boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('dragAndDrop: the source or the target is not visible');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  // a first small move starts the drag; the later ones carry it to the target
  await page.mouse.move(from.x + from.width / 2 + 8, from.y + from.height / 2 + 8, { steps: 2 });
  await page.mouse.move(to.x + to.width / 2, to.y + 40, { steps: 10 });
  await page.mouse.move(to.x + to.width / 2, to.y + 48, { steps: 2 });
  await page.mouse.up();
}

/** Signs in through the login page and waits for the navigation (the shell is up). */
export async function signIn(page: Page, url: string, name: string, password: string) {
  await page.goto(`${url}/`);
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav').waitFor();
}

/** Signs out from the user menu and waits for the login page. */
export async function signOut(page: Page) {
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem').last().click();
  await page.getByTestId('login-submit').waitFor();
}
