/**
 * npm run bench:web — the web app's weight and speed.
 *
 * 1. Gzip size of each route's JS and CSS in the production build (goal: first load ≤ 400 KB;
 *    bpmn-js only in the chunk that draws diagrams).
 * 2. In chromium: time until the task inbox with BENCH_TASKS (1,000) pending tasks and a list over
 *    BENCH_ROWS (100,000) records show their rows, side by side with a minimal hand-written React +
 *    antd page fetching the same API (goal ≤ 1.5×). MySQL at TEST_MYSQL_URL.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, benchServer, pct } from '../support';
import { breakdown, traceLoad } from './profile';
import { routeSizes } from './sizes';

const DIST = path.join(ROOT, 'designer/dist');
const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const PORT = process.env.BENCH_PORT ?? '3917';
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="crm">
  <bpmn:process id="bench_review" name="Review" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="review"/>
    <bpmn:userTask id="review" name="Review the item">
      <bpmn:extensionElements><zeebe:assignmentDefinition assignee="admin"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>`;

async function sizes(): Promise<void> {
  const { routes, bpmnChunks } = routeSizes(DIST);
  console.log('\n| route | JS gzip | CSS gzip |\n|---|---:|---:|');
  for (const r of routes) console.log(`| ${r.route} | ${kb(r.jsGzip)} | ${kb(r.cssGzip)} |`);
  const first = routes[0];
  const diagram = routes.find((r) => r.route.startsWith('process diagram'))!;
  const total = first.jsGzip + first.cssGzip;
  console.log(
    `\nfirst load: ${kb(total)} gzip (goal ≤ 400 KB): ${total <= 400 * 1024 ? 'met' : 'NOT met'}`,
  );
  const outside = bpmnChunks.filter((f) => !diagram.files.includes(f));
  console.log(
    `bpmn-js (diagram-js) in: ${bpmnChunks.join(', ')}: ${outside.length ? `ALSO OUTSIDE the diagram chunk: ${outside.join(', ')}` : 'only the diagram chunk'}`,
  );
}

async function load(api: Awaited<ReturnType<typeof benchServer>>['api'], admin: string) {
  const started = Date.now();
  await api('POST', '/api/workflow/deployments', admin, DIAGRAM, 'application/xml');
  for (let i = 0; i < ROWS; i += 1000) {
    const records = Array.from({ length: Math.min(1000, ROWS - i) }, (_v, j) => ({
      title: `item ${i + j}`,
      status: ['open', 'won', 'lost'][(i + j) % 3],
      amount: { amount: (i + j) % 10000, currency: 'CNY' },
      dueOn: `2026-${String(((i + j) % 12) + 1).padStart(2, '0')}-15`,
    }));
    await api('POST', '/api/records/item/bulk', admin, { records });
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < TASKS) {
        next++;
        await api('POST', '/api/workflow/instances', admin, { processKey: 'bench_review' });
      }
    }),
  );
  console.log(
    `loaded ${ROWS} records and ${TASKS} pending tasks in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

function buildBaseline(): void {
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--logLevel',
      'error',
      '--config',
      path.join(ROOT, 'tests/bench/web/baseline/vite.config.mjs'),
    ],
    { stdio: 'inherit', env: { ...process.env, BASELINE_OUT: path.join(DIST, 'bench-baseline') } },
  );
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-web.js')], { stdio: 'inherit' });
  await sizes();
  buildBaseline();
  const s = await benchServer({
    db: 'crm_bench_web',
    port: PORT,
    metadataDir: path.join(ROOT, 'tests/bench/web/metadata'),
    adminPassword: 'bench-admin-password-1',
  });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-bench-chromium-'));
  try {
    await load(s.api, s.admin);
    const refresh = (
      await s.api<{ refreshToken: string }>('POST', '/api/auth/login', undefined, {
        login: 'admin',
        password: 'bench-admin-password-1',
      })
    ).refreshToken;
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
      headless: true,
      viewport: { width: 1280, height: 800 },
    });
    const session = JSON.stringify({ accessToken: s.admin, refreshToken: refresh });
    await context.addInitScript(
      ([sess]) => {
        localStorage.setItem('crm.session', sess);
        localStorage.setItem('crm.locale', 'en');
      },
      [session],
    );
    const base = `http://127.0.0.1:${PORT}`;
    /** API requests of the last Workspace load of each case: the early script must not double them. */
    let requests: string[] = [];
    /** ms from navigation start until the selector's rows are in the page (and React idle). */
    const ready = async (url: string, selector: string) => {
      const page = await context.newPage();
      const asked: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/')) asked.push(`${r.method()} ${r.url().replace(base, '')}`);
      });
      await page.goto(url, { waitUntil: 'commit' });
      await page.waitForSelector(selector, { timeout: 60_000 });
      const ms = await page.evaluate(() => performance.now());
      await page.close();
      if (!url.includes('bench-baseline')) requests = asked;
      return ms;
    };
    const cases: Array<[string, string, string, string]> = [
      [
        `task inbox, ${TASKS} pending`,
        '/inbox',
        '/bench-baseline/index.html?page=inbox',
        '.task-item',
      ],
      [
        `list over ${ROWS} records`,
        '/records/item',
        '/bench-baseline/index.html?page=list',
        '.ant-table-row',
      ],
    ];
    console.log(
      `\n| in chromium (median of ${RUNS}, warm cache) | Workspace ms | hand-written page ms | ratio |\n|---|---:|---:|---:|`,
    );
    const notes: string[] = [];
    for (const [name, ours, theirs, selector] of cases) {
      await ready(base + ours, selector); // warm caches, JIT and the server
      await ready(base + theirs, selector);
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        if (i % 2) {
          a.push(await ready(base + ours, selector));
          b.push(await ready(base + theirs, selector));
        } else {
          b.push(await ready(base + theirs, selector));
          a.push(await ready(base + ours, selector));
        }
      }
      const ma = pct(a, 50);
      const mb = pct(b, 50);
      console.log(`| ${name} | ${ma.toFixed(0)} | ${mb.toFixed(0)} | ${(ma / mb).toFixed(2)}× |`);
      const twice = requests.filter((r, i) => requests.indexOf(r) !== i);
      notes.push(
        `${name}: the Workspace made ${requests.length} API requests, ${twice.length ? `asked twice: ${twice.join(', ')}` : 'none twice'}`,
      );
    }
    console.log(`\n${notes.join('\n')}`);
    if (process.env.BENCH_PROFILE)
      for (const [name, ours, theirs, selector] of cases)
        for (const [who, url] of [
          ['Workspace', ours],
          ['hand-written page', theirs],
        ]) {
          const events = await traceLoad(context, base + url, selector);
          console.log(`\ntraced: ${name}, ${who}\n${breakdown(events, base).join('\n')}`);
        }
    await context.close();
  } finally {
    await s.stop();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(path.join(DIST, 'bench-baseline'), { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
