import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Logger } from '@nestjs/common';
import { BASE_FILES } from './support/fixtures';
import { DIALECTS, type TestServer, q, startServer } from './support/harness';
import { shippedFiles } from './support/shipped-org';

/** The shipped metadata/, as `npm start` applies it. */

// applying the whole shipped metadata, then seeding, takes minutes on MySQL on a busy machine
jest.setTimeout(400_000);

const DEMO_ENV = {
  DEMO_DATA: 'true',
  DEMO_DIR: path.resolve(__dirname, '../../demo'),
  WORKFLOWS_DIR: path.resolve(__dirname, '../../workflows'),
};

describe.each(DIALECTS)('demo data on the first start on %s', (dialect) => {
  let s: TestServer;
  let logged: string[];
  let admin: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const login = async (name: string, password: string) =>
    (await s.api('POST', '/api/auth/login', { login: name, password })) as {
      status: number;
      body: { accessToken: string };
    };
  const count = async (entity: string, filter: unknown = {}) =>
    (
      await s.api(
        'GET',
        `/api/records/${entity}?limit=1&count=true&filter=${q(filter)}`,
        undefined,
        as(admin),
      )
    ).body.count as number;

  beforeAll(async () => {
    logged = [];
    const spy = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((m: unknown) => void logged.push(String(m)));
    try {
      s = await startServer(dialect, shippedFiles(), DEMO_ENV);
    } finally {
      spy.mockRestore();
    }
    admin = await s.tokenFor('admin');
  });
  afterAll(async () => {
    await s?.close();
  });

  const users = async () =>
    (await s.api('GET', '/api/admin/users', undefined, as(admin))).body.data as Array<{
      id: number;
      login: string;
      roles: string[];
      departmentId: number | null;
      supervisorId: number | null;
    }>;

  it('creates the demo users in their departments, with roles and supervisors', async () => {
    const all = await users();
    const by = new Map(all.map((u) => [u.login, u]));
    expect([...by.keys()].sort()).toEqual(
      [
        'admin',
        'director',
        'manager',
        'rep',
        'rep2',
        'marketer',
        'agent',
        'svcmanager',
        'engineer',
        'finance',
        'legal',
      ].sort(),
    );
    expect(by.get('rep')!.roles).toEqual(['sales_rep']);
    expect(by.get('manager')!.roles).toEqual(['sales_manager']);
    expect(by.get('director')!.roles).toEqual(['sales_director']);
    expect(by.get('rep')!.supervisorId).toBe(by.get('manager')!.id);
    expect(by.get('manager')!.supervisorId).toBe(by.get('director')!.id);
    expect(by.get('engineer')!.supervisorId).toBe(by.get('svcmanager')!.id);
    const depts = (await s.api('GET', '/api/admin/departments', undefined, as(admin))).body
      .data as Array<{ id: number; name: string; parentId: number | null; headId: number | null }>;
    const dept = (name: string) => depts.find((d) => d.name === name)!;
    expect(depts).toHaveLength(9);
    expect(dept('华东销售组').parentId).toBe(dept('销售部').id);
    expect(dept('销售部').parentId).toBe(dept('总公司').id);
    expect(dept('销售部').headId).toBe(by.get('manager')!.id);
    expect(by.get('rep')!.departmentId).toBe(dept('华东销售组').id);
    expect(by.get('admin')!.departmentId).toBe(dept('总公司').id);
  });

  it('prints each password once, and it logs the user in', async () => {
    const table = logged.find((m) => m.includes('demo users'));
    expect(table).toBeDefined();
    const line = table!.split('\n').find((l) => l.startsWith('manager '))!;
    const password = line.trim().split(/\s+/).pop()!;
    expect(password).toMatch(/^[\w-]{16}a7$/);
    expect((await login('manager', password)).status).toBe(200);
    expect((await login('manager', 'not-the-password-1')).status).toBe(401);
  });

  it('loads the data set: 30 customers and their related records', async () => {
    expect(await count('customer')).toBe(30);
    expect(await count('opportunity')).toBe(30);
    expect(await count('quote')).toBe(30);
    expect(await count('product')).toBe(12);
    expect(await count('contact')).toBeGreaterThanOrEqual(30);
    expect(await count('quote_line')).toBeGreaterThanOrEqual(30);
    expect(await count('sales_order')).toBeGreaterThan(0);
    expect(await count('receivable')).toBe(await count('sales_order'));
    // written as their owners, numbered by their code rules
    const [c] = (await s.api('GET', '/api/records/customer?limit=1', undefined, as(admin))).body
      .data;
    expect(['rep', 'rep2', 'manager']).toContain(c.owner);
    expect(c.code).toMatch(/^KH-\d{6}-\d{5}$/);
  });

  it('leaves work in progress: quotes in approval in the manager inbox, overdue tasks, open requests', async () => {
    const inApproval = await count('quote', { status: 'inApproval' });
    expect(inApproval).toBeGreaterThan(0);
    // the manager decides on the reps' quotes: the tasks are in their inbox
    const managerLine = logged
      .find((m) => m.includes('demo users'))!
      .split('\n')
      .find((l) => l.startsWith('manager '))!;
    const token = (await login('manager', managerLine.trim().split(/\s+/).pop()!)).body.accessToken;
    const inbox = await s.api('GET', '/api/inbox?box=pending&limit=100', undefined, as(token));
    expect(inbox).toMatchObject({ status: 200 });
    // the reps' quotes; the manager's own go past them (nobody approves their own price)
    const quotes = (
      await s.api(
        'GET',
        `/api/records/quote?limit=100&filter=${q({ status: 'inApproval' })}`,
        undefined,
        as(admin),
      )
    ).body.data as Array<{ owner: string }>;
    expect(quotes).toHaveLength(inApproval);
    const fromReps = quotes.filter((x) => x.owner !== 'manager').length;
    expect(fromReps).toBeGreaterThan(0);
    expect(inbox.body.items.length).toBe(fromReps);
    const now = s.clock.now().toISOString();
    expect(
      await count('activity', { status: 'planned', kind: 'task', startAt: { lt: now } }),
    ).toBeGreaterThan(0);
    // open service requests: the SLA process (started when one is created) assigns them at once
    expect(
      await count('service_request', { status: { in: ['open', 'assigned', 'inProgress'] } }),
    ).toBeGreaterThan(0);
  });

  it('does not seed again on the next start', async () => {
    const before = await count('customer');
    const usersBefore = (await users()).length;
    await s.restart(DEMO_ENV);
    admin = await s.tokenFor('admin', true);
    expect(await count('customer')).toBe(before);
    expect(await users()).toHaveLength(usersBefore);
  });
});

describe.each(DIALECTS)('DEMO_DATA=false on %s', (dialect) => {
  it('creates only admin', async () => {
    const s = await startServer(dialect, shippedFiles(), { ...DEMO_ENV, DEMO_DATA: 'false' });
    try {
      const token = await s.tokenFor('admin');
      const all = await s.api('GET', '/api/admin/users', undefined, {
        authorization: `Bearer ${token}`,
      });
      expect(all.body.data.map((u: { login: string }) => u.login)).toEqual(['admin']);
      const customers = await s.api('GET', '/api/records/customer?limit=1&count=true', undefined, {
        authorization: `Bearer ${token}`,
      });
      expect(customers.body.count).toBe(0);
    } finally {
      await s.close();
    }
  });
});

const CLI = path.resolve(__dirname, '../../dist/apps/cli/src/main.js');

describe.each(DIALECTS)('crm seed on %s', (dialect) => {
  it('loads N customers with proportional related records, valid and numbered, twice', async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
    const s = await startServer(dialect, shippedFiles(), DEMO_ENV);
    try {
      const token = await s.tokenFor('admin');
      const auth = { authorization: `Bearer ${token}` };
      const count = async (entity: string) =>
        (await s.api('GET', `/api/records/${entity}?limit=1&count=true`, undefined, auth)).body
          .count as number;
      const before = await count('customer');
      // asynchronously: the server under test runs in this process and must keep answering
      const run = () =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [CLI, 'seed', '--size', '50', '--database-url', s.config.databaseUrl],
            { env: { ...process.env, METADATA_DIR: s.metadataDir, DEMO_DIR: DEMO_ENV.DEMO_DIR } },
          );
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      const r = await run();
      expect(r.stderr).toContain('100%');
      expect(r).toMatchObject({ status: 0 });
      expect(r.stdout).toMatch(/Seeded in [\d.]+s: 12 product, 50 customer/);
      expect(await count('customer')).toBe(before + 50);
      expect(await count('quote')).toBe(30 + 50);
      // the records read back through the API: owners, code-rule numbers, relations, history
      const page = await s.api('GET', `/api/records/quote?limit=100&sort=-id`, undefined, auth);
      const quote = page.body.data[0];
      expect(quote.code).toMatch(/^BJ-\d{6}-\d{5}$/);
      expect(['rep', 'rep2', 'manager']).toContain(quote.owner);
      const codes = page.body.data.map((x: { code: string }) => x.code);
      expect(new Set(codes).size).toBe(codes.length);
      const history = await s.api('GET', `/api/records/quote/${quote.id}/history`, undefined, auth);
      expect(history.body.data[0]).toMatchObject({ action: 'create' });
      // a second run adds 50 more, with names that do not collide
      const again = await run();
      expect(again).toMatchObject({ status: 0 });
      expect(await count('customer')).toBe(before + 100);
      // the page's customers are in the database (a relation the API resolves)
      expect(typeof quote.customer).toBe('number');
      const c = await s.api('GET', `/api/records/customer/${quote.customer}`, undefined, auth);
      expect(c.status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('refuses a bad size with a message', () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
    const r = spawnSync(process.execPath, [CLI, 'seed', '--size', 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('seed needs --size <n>');
  });
});

describe.each(DIALECTS)('demo data over other metadata on %s', (dialect) => {
  it('still starts: the demo users come, the data set is skipped with a warning', async () => {
    const logged: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((m: unknown) => void logged.push(String(m)));
    let s: TestServer | undefined;
    try {
      s = await startServer(dialect, BASE_FILES, { ...DEMO_ENV, DEMO_PASSWORD: 'demo-pass-2026' });
    } finally {
      spy.mockRestore();
    }
    try {
      expect(logged.some((m) => m.startsWith('demo data set skipped: '))).toBe(true);
      expect(logged.some((m) => m.includes('without role "sales_rep"'))).toBe(true);
      const res = await s.api('POST', '/api/auth/login', {
        login: 'rep',
        password: 'demo-pass-2026',
      });
      expect(res.status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
