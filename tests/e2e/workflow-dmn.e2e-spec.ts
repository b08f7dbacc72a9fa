import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DB, type Db } from '@crm/common';
import { evaluateDeployedDecision } from '@crm/workflow';
import { DIALECTS, type TestServer, startServer } from './support/harness';

/**
 * DMN decisions deploy through the same endpoint as BPMN (told apart by the root element), are
 * versioned by decision id, listed, and evaluated from the database by the engine's business rule
 * tasks; a file the engine cannot evaluate is refused with every problem at its element.
 */
const FIXTURE = path.resolve(
  __dirname,
  '../../libs/workflow/src/dmn/fixtures/discount-approval.dmn',
);
const DISCOUNT = fs.readFileSync(FIXTURE, 'utf8');

describe.each(DIALECTS)('DMN deployments on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, {});
  });
  afterAll(async () => {
    await s?.close();
  });

  const deploy = (xml: string) =>
    s.api('POST', '/api/workflow/deployments', xml, { 'content-type': 'application/xml' });

  it('deploys the discount approval decisions as version 1; the same bytes are a no-op; a change is version 2', async () => {
    const first = await deploy(DISCOUNT);
    expect(first.status).toBe(201);
    expect(first.body.data).toEqual([
      {
        kind: 'decision',
        key: 'approver',
        version: 1,
        name: 'Who approves the discount',
        decisionRequirementsId: 'discount_approval',
        created: true,
      },
      {
        kind: 'decision',
        key: 'discount_band',
        version: 1,
        name: 'Discount band',
        decisionRequirementsId: 'discount_approval',
        created: true,
      },
    ]);
    const again = await deploy(DISCOUNT);
    expect(again.body.data.map((d: { created: boolean }) => d.created)).toEqual([false, false]);
    const changed = await deploy(DISCOUNT.replace('"ceo"', '"board"'));
    expect(changed.body.data.map((d: { version: number }) => d.version)).toEqual([2, 2]);

    const list = await s.api('GET', '/api/workflow/decisions');
    expect(list.status).toBe(200);
    const approver = list.body.data.find((d: { key: string }) => d.key === 'approver');
    expect(approver.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(approver.latest).toMatchObject({
      version: 2,
      decisionRequirementsId: 'discount_approval',
      deployedBy: 'tester',
    });
    const v1 = await fetch(`${s.url}/api/workflow/decisions/approver/xml?version=1`);
    expect(v1.headers.get('content-type')).toContain('application/xml');
    expect(await v1.text()).toContain('"ceo"');
    expect((await s.api('GET', '/api/workflow/decisions/nobody/xml')).body).toMatchObject({
      statusCode: 404,
      code: 'DECISION_NOT_FOUND',
    });
  });

  it.each([
    [5, 'manager'],
    [25, 'director'],
    [40, 'board'],
  ])(
    'evaluates the latest deployed version from the database: discount %j → %j',
    async (discount, approver) => {
      const db = s.app.get<Db>(DB);
      expect(await evaluateDeployedDecision(db, 'approver', { discount })).toBe(approver);
    },
  );

  it('a decision that is not deployed is an error the engine turns into an incident', async () => {
    const db = s.app.get<Db>(DB);
    await expect(evaluateDeployedDecision(db, 'missing', {})).rejects.toThrow(
      'no decision "missing" is deployed',
    );
  });

  it('refuses a DMN file it cannot evaluate with every problem at its element (400, never a 500)', async () => {
    const bad = DISCOUNT.replace('<text>&lt;= 10</text>', '<text>isSmall(?)</text>')
      .replace('hitPolicy="FIRST"', 'hitPolicy="FIRST" aggregation="SUM"')
      .replace('<requiredDecision href="#discount_band" />', '<requiredDecision href="#gone" />');
    const res = await deploy(bad);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'DMN_INVALID' });
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          elementId: 'approver',
          elementType: 'Decision',
          message: 'requires decision "gone", which is not in this file',
        }),
        expect.objectContaining({
          elementId: 'DecisionTable_approver',
          message: 'an aggregation (SUM) needs the COLLECT hit policy',
        }),
        expect.objectContaining({
          elementId: 'Rule_band_small',
          elementType: 'DecisionRule',
          message: 'unknown FEEL function isSmall in input entry "isSmall(?)"',
        }),
      ]),
    );
    expect(res.body.errors).toHaveLength(3);
    // nothing of a refused file is stored
    const list = await s.api('GET', '/api/workflow/decisions');
    expect(list.body.data.find((d: { key: string }) => d.key === 'approver').latest.version).toBe(
      2,
    );
  });

  it('deploys .dmn files of WORKFLOWS_DIR at start-up, next to the diagrams', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-dmn-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'vip.dmn'),
        DISCOUNT.replace(/discount_approval/g, 'vip').replace(/"approver"/g, '"vip_approver"'),
      );
      await s.restart({ WORKFLOWS_DIR: dir });
      const list = await s.api('GET', '/api/workflow/decisions');
      const vip = list.body.data.find((d: { key: string }) => d.key === 'vip_approver');
      expect(vip.latest).toMatchObject({ version: 1, resource: 'vip.dmn', deployedBy: 'system' });
    } finally {
      await s.restart();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
