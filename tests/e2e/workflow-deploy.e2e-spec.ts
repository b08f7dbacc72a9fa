import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DB, type Db } from '@crm/common';
import { DIALECTS, type TestServer, startServer } from './support/harness';

const APPROVAL = (label: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="crm">
  <bpmn:process id="quote_approval" name="${label}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="sales_managers"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="ok"/>
    <bpmn:exclusiveGateway id="ok" default="rejected"/>
    <bpmn:sequenceFlow id="approved" sourceRef="ok" targetRef="end_ok"><bpmn:conditionExpression>=approved = true</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="rejected" sourceRef="ok" targetRef="end_no"/>
    <bpmn:endEvent id="end_ok"/><bpmn:endEvent id="end_no"/>
  </bpmn:process>
</bpmn:definitions>`;

const MIWG = path.resolve(__dirname, '../fixtures/bpmn-miwg');

describe.each(DIALECTS)('workflow deployments on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, {});
  });
  afterAll(async () => {
    await s?.close();
  });

  const deploy = (xml: string) =>
    s.api('POST', '/api/workflow/deployments', xml, { 'content-type': 'application/xml' });

  it('deploys a diagram as version 1; the same bytes again are a no-op; a change is version 2', async () => {
    const first = await deploy(APPROVAL('Quote approval'));
    expect(first.status).toBe(201);
    expect(first.body.data).toEqual([
      {
        kind: 'process',
        key: 'quote_approval',
        version: 1,
        name: 'Quote approval',
        executable: true,
        created: true,
      },
    ]);
    expect((await deploy(APPROVAL('Quote approval'))).body.data[0]).toMatchObject({
      version: 1,
      created: false,
    });
    expect((await deploy(APPROVAL('Quote approval v2'))).body.data[0]).toMatchObject({
      version: 2,
      created: true,
    });
    const defs = await s.api('GET', '/api/workflow/definitions');
    const def = defs.body.data.find((d: { key: string }) => d.key === 'quote_approval');
    expect(def.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(def.latest).toMatchObject({
      version: 2,
      name: 'Quote approval v2',
      deployedBy: 'tester',
    });
    const v1 = await fetch(`${s.url}/api/workflow/definitions/quote_approval/xml?version=1`);
    expect(v1.headers.get('content-type')).toContain('application/xml');
    expect(await v1.text()).toContain('name="Quote approval"');
  });

  it('accepts a multipart upload', async () => {
    const form = new FormData();
    form.append(
      'file',
      new Blob([fs.readFileSync(path.join(MIWG, 'C.8.1.bpmn'))], { type: 'application/xml' }),
      'C.8.1.bpmn',
    );
    const res = await fetch(`${s.url}/api/workflow/deployments`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { data: Array<{ version: number; executable: boolean }> };
    expect(body.data[0]).toMatchObject({ version: 1, executable: true });
  });

  it('rejects a diagram it cannot run with every problem at its element, never a 500', async () => {
    const res = await deploy(fs.readFileSync(path.join(MIWG, 'C.1.0.bpmn'), 'utf8'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BPMN_INVALID');
    expect(res.body.errors).toHaveLength(5);
    for (const e of res.body.errors)
      expect(e).toEqual({
        path: e.elementId,
        elementId: expect.any(String),
        elementType: expect.any(String),
        message: expect.any(String),
      });
    const broken = await deploy('<bpmn:definitions');
    expect(broken).toMatchObject({
      status: 400,
      body: { code: 'BPMN_INVALID', errors: [{ elementType: 'Definitions' }] },
    });
    expect((await s.api('POST', '/api/workflow/deployments', {})).status).toBe(400);
  });

  it('starts the version deployed last, also when another node deployed it', async () => {
    const xml = (label: string) => APPROVAL(label).replace(/quote_approval/g, 'latest_check');
    const start = async (version?: number) =>
      (await s.api('POST', '/api/workflow/instances', { processKey: 'latest_check', version }))
        .body;
    expect((await deploy(xml('v1'))).status).toBe(201);
    expect((await deploy(xml('v2'))).status).toBe(201);
    // a start reads the latest version (and this node remembers it)
    expect((await start()).definitionVersion).toBe(2);
    expect((await start()).definitionVersion).toBe(2);
    // another node deploys version 3 into the shared database: this node's memory is stale, and
    // its next start must still run the latest version
    const db = s.app.get<Db>(DB);
    await db.execute(
      `INSERT INTO crm_wf_definition (process_key, version, name, executable, resource, xml, sha256, deployed_by, deployed_at) SELECT process_key, 3, 'v3', executable, resource, xml, 'v3', deployed_by, deployed_at FROM crm_wf_definition WHERE process_key = 'latest_check' AND version = 2`,
    );
    expect(await start()).toMatchObject({ definitionVersion: 3, activeElementIds: ['approve'] });
    expect((await start()).definitionVersion).toBe(3);
    // a pinned version starts all the same
    expect((await start(1)).definitionVersion).toBe(1);
  });

  it('stores non-executable processes (viewable, not startable)', async () => {
    const res = await deploy(fs.readFileSync(path.join(MIWG, 'B.2.0.bpmn'), 'utf8'));
    expect(res.status).toBe(201);
    expect(res.body.data.every((d: { executable: boolean }) => !d.executable)).toBe(true);
    expect((await s.api('GET', '/api/workflow/definitions/nope/xml')).status).toBe(404);
  });
});

it('crm deploy validates and deploys files', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'crm-deploy-'));
  const file = path.join(dir, 'quote.bpmn');
  fs.writeFileSync(file, APPROVAL('Quote approval'));
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite:${path.join(dir, 'x.sqlite')}`,
    METADATA_DIR: dir,
    DATA_DIR: dir,
  };
  const cli = path.resolve(__dirname, '../../dist/apps/cli/src/main.js');
  const ok = spawnSync(process.execPath, [cli, 'deploy', file], { env, encoding: 'utf8' });
  expect(ok.stdout).toContain('deployed quote_approval version 1');
  const bad = spawnSync(process.execPath, [cli, 'deploy', path.join(MIWG, 'C.3.0.bpmn')], {
    env,
    encoding: 'utf8',
  });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('BPMN_INVALID');
  expect(bad.stderr).toMatch(/SequenceFlow .*: flow out of ExclusiveGateway/);
  fs.rmSync(dir, { recursive: true, force: true });
});
