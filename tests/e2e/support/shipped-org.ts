import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobExecutorService } from '@crm/workflow';
import { type TestServer, USER_PASSWORD } from './harness';

/**
 * The shipped organisation (notes: org.md) on a test server: the shipped metadata/ and workflows/,
 * the demo departments and users with their shipped roles, and the requests they make — records,
 * buttons, record actions, tasks — each as the user who would make it in the product.
 */

/** The shipped metadata/ as `npm start` reads it (client overlays left out). */
export function shippedFiles(): Record<string, string> {
  const root = path.resolve(__dirname, '../../../metadata');
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (path.relative(root, full) !== 'clients') walk(full);
      } else if (e.name.endsWith('.yaml'))
        out[path.relative(root, full)] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return out;
}

export const WORKFLOWS_DIR = path.resolve(__dirname, '../../../workflows');

/** login, display name, role, department, supervisor (org.md). */
export const PEOPLE: Array<[string, string, string, string, string | null]> = [
  ['director', '王总', 'sales_director', 'hq', null],
  ['manager', '李经理', 'sales_manager', 'sales', 'director'],
  ['rep', '张销售', 'sales_rep', 'sales_east', 'manager'],
  ['rep2', '赵销售', 'sales_rep', 'sales_north', 'manager'],
  ['marketer', '陈市场', 'marketing', 'marketing', 'director'],
  ['svcmanager', '周服务经理', 'service_manager', 'service', 'director'],
  ['agent', '刘客服', 'service_agent', 'service', 'svcmanager'],
  ['engineer', '孙工程师', 'field_engineer', 'field', 'svcmanager'],
  ['finance', '吴财务', 'finance', 'finance', 'director'],
  ['legal', '郑法务', 'legal', 'legal', 'director'],
];
export const DEPARTMENTS: Array<[string, string | null]> = [
  ['hq', null],
  ['sales', 'hq'],
  ['sales_east', 'sales'],
  ['sales_north', 'sales'],
  ['marketing', 'hq'],
  ['service', 'hq'],
  ['field', 'service'],
  ['finance', 'hq'],
  ['legal', 'hq'],
];

export interface Task {
  id: number;
  elementId: string;
  instanceId: number;
  dueAt: string | null;
}

/** Creates the departments and users (admin only); answers login → user id. */
export async function createOrg(s: TestServer): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const dept = new Map<string, number>();
  for (const [code, parent] of DEPARTMENTS) {
    const res = await s.api('POST', '/api/admin/departments', {
      name: code,
      parentId: parent ? dept.get(parent) : null,
    });
    expect(res.status).toBe(201);
    dept.set(code, res.body.id);
  }
  for (const [login, displayName, role, department, supervisor] of PEOPLE) {
    const res = await s.api('POST', '/api/admin/users', {
      login,
      displayName,
      password: USER_PASSWORD,
      locale: 'en',
      departmentId: dept.get(department),
      supervisorId: supervisor ? ids.get(supervisor) : null,
      roles: [role],
    });
    expect({ login, status: res.status, body: res.status === 201 ? 'ok' : res.body }).toEqual({
      login,
      status: 201,
      body: 'ok',
    });
    ids.set(login, res.body.id);
  }
  return ids;
}

/** What the users of the org do, over HTTP; every helper fails the test with the answer's body. */
export function orgActions(server: () => TestServer) {
  const as = (login: string, method: string, url: string, body?: unknown) =>
    server().api(method, url, body, { 'x-user': login });
  const ok = (
    what: Record<string, unknown>,
    res: { status: number; body: unknown },
    want: number,
  ) =>
    expect({ ...what, status: res.status, body: res.status === want ? 'ok' : res.body }).toEqual({
      ...what,
      status: want,
      body: 'ok',
    });
  const created = async (login: string, entity: string, body: Record<string, unknown>) => {
    const res = await as(login, 'POST', `/api/records/${entity}`, body);
    ok({ login, entity }, res, 201);
    return res.body as { id: number; code?: string; version: number } & Record<string, unknown>;
  };
  const patched = async (
    login: string,
    entity: string,
    id: number,
    body: Record<string, unknown>,
  ) => {
    const res = await as(login, 'PATCH', `/api/records/${entity}/${id}`, body);
    ok({ login, entity, id }, res, 200);
    return res.body as Record<string, unknown>;
  };
  const press = async (login: string, entity: string, id: number, trigger: string) => {
    const res = await as(login, 'POST', `/api/records/${entity}/${id}/buttons/${trigger}`);
    ok({ login, trigger }, res, 201);
    return res.body as { id: number; state: string; activeElementIds: string[] };
  };
  const runAction = async (login: string, entity: string, id: number, name: string) => {
    const res = await as(login, 'POST', `/api/records/${entity}/${id}/actions/${name}`);
    ok({ login, action: name }, res, 201);
    return res.body as Record<string, unknown>;
  };
  const inbox = async (login: string, instanceId?: number): Promise<Task[]> =>
    ((await as(login, 'GET', '/api/tasks?state=created&mine=true')).body.data as Task[]).filter(
      (t) => instanceId === undefined || t.instanceId === instanceId,
    );
  const taskOf = async (login: string, instanceId: number, elementId: string): Promise<Task> => {
    const mine = (await inbox(login, instanceId)).filter((t) => t.elementId === elementId);
    expect({ login, elementId, tasks: mine.length }).toEqual({ login, elementId, tasks: 1 });
    return mine[0];
  };
  const act = async (login: string, task: Task, action: string, comment?: string) => {
    const res = await as(login, 'POST', `/api/tasks/${task.id}/actions`, { action, comment });
    ok({ login, action }, res, 200);
    return res.body;
  };
  const complete = async (login: string, task: Task, variables: Record<string, unknown>) => {
    const res = await as(login, 'POST', `/api/tasks/${task.id}/complete`, { variables });
    ok({ login }, res, 200);
    return res.body;
  };
  const instance = async (id: number) =>
    (await server().api('GET', `/api/workflow/instances/${id}`)).body as {
      state: string;
      completedElements: Record<string, number>;
      activeElementIds?: string[];
    };
  const record = async (entity: string, id: number) =>
    (await server().api('GET', `/api/records/${entity}/${id}`)).body;
  /** Runs due jobs (timers, built-in async tasks, deadlines) until none is left. */
  const runJobs = async () => {
    const executor = server().app.get(JobExecutorService);
    for (let i = 0; i < 20 && (await executor.runDue(100)) > 0; i++);
  };
  const notifications = async (login: string) =>
    (await as(login, 'GET', '/api/notifications')).body.data as Array<{
      subject: string;
      kind?: string;
      instanceId?: number;
    }>;
  return {
    as,
    created,
    patched,
    press,
    runAction,
    inbox,
    taskOf,
    act,
    complete,
    instance,
    record,
    runJobs,
    notifications,
  };
}
