import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { parse } from 'yaml';
import {
  type AppConfig,
  CLOCK,
  type Clock,
  DB,
  type Db,
  isCrmError,
  isUniqueViolation,
} from '@crm/common';
import { IdentityService, assertOrganisation, passwordTable, seedOrganisation } from '@crm/access';
import { MetaService } from '@crm/metadata';
import { DemoPlanner, RecordsService, readDataset, writeThroughService } from '@crm/records';
import { RecordTriggers } from '@crm/workflow';

/** Customers the first start's demo data set has (the rest is in proportion). */
export const FIRST_START_CUSTOMERS = 30;
const CLAIM = 'demo_data';

/**
 * First start on an empty database (DEMO_DATA not false): the demo organisation and its users
 * (demo/organisation.yaml), their passwords printed once, then a small data set
 * (demo/dataset.yaml) written through the records service as each record's owner, and some quotes
 * submitted for approval. Two nodes starting at once: the one that inserts the claim row seeds.
 */
export async function seedDemoData(app: INestApplication, config: AppConfig): Promise<void> {
  const log = new Logger('demo');
  const db = app.get<Db>(DB);
  const clock = app.get<Clock>(CLOCK);
  const meta = app.get(MetaService);
  const orgFile = path.join(config.demoDir, 'organisation.yaml');
  if (!fs.existsSync(orgFile)) {
    log.warn(`no ${orgFile}: no demo data (set DEMO_DATA=false to silence this)`);
    return;
  }
  // both files are checked before the claim: a mistake in them stops this start with its
  // pointer, and the next start (the files fixed) still seeds
  const org = assertOrganisation(parse(fs.readFileSync(orgFile, 'utf8')), orgFile);
  const hasDataset = fs.existsSync(path.join(config.demoDir, 'dataset.yaml'));
  let data: ReturnType<typeof readDataset> | null = null;
  try {
    data = hasDataset ? readDataset(config.demoDir, meta.model.entities) : null;
  } catch (e) {
    // metadata without the entities the data set describes (a company's own, a test's) still
    // starts: the demo users come, the demo records do not
    if (!isCrmError(e)) throw e;
    const first = e.errors[0];
    log.warn(
      `demo data set skipped: ${e.message}${first ? ` (${first.path}: ${first.message})` : ''}`,
    );
  }
  try {
    await db.execute('INSERT INTO crm_setting (setting_key, value) VALUES (?, ?)', [
      CLAIM,
      clock.now().toISOString(),
    ]);
  } catch (e) {
    if (isUniqueViolation(e)) return; // another node seeds
    throw e;
  }
  const identity = app.get(IdentityService);
  const users = await seedOrganisation(identity, org, {
    password: config.demoPassword,
    roleDefined: (r) => meta.model.roles.has(r),
    warn: (m) => log.warn(m),
  });
  log.warn(
    `demo users (passwords shown once${config.demoPassword ? ': DEMO_PASSWORD' : ''}):\n${passwordTable(users, 'ADMIN_PASSWORD / logged above')}`,
  );
  if (!data) return;
  const { dataset, fields } = data;
  const planner = new DemoPlanner({
    dataset,
    size: FIRST_START_CUSTOMERS,
    now: clock.now(),
    fields,
    users: (await identity.listUsers()).map((u) => u.login),
    fallbackOwner: 'admin',
    feel: { clock, timeZone: config.timeZone },
  });
  const triggers = app.get(RecordTriggers);
  const started = Date.now();
  let result: Awaited<ReturnType<typeof writeThroughService>>;
  try {
    result = await writeThroughService(
      app.get(RecordsService),
      planner,
      async (entity, id, trigger, owner) => {
        await triggers.press(triggers.button(entity, trigger), id, owner);
      },
    );
  } catch (e) {
    // a data set that no longer fits the metadata must not keep the CRM from starting: the
    // users are there, the records written so far stay, and the log says what to fix
    if (!isCrmError(e)) throw e;
    const first = e.errors[0];
    log.error(
      `demo data stopped: ${e.message}${first ? ` (${first.path}: ${first.message})` : ''}; fix demo/dataset.yaml`,
    );
    return;
  }
  for (const s of result.skipped.slice(0, 3)) log.warn(`demo process not started: ${s}`);
  log.log(
    `demo data: ${[...result.counts].map(([e, n]) => `${n} ${e}`).join(', ')}; ${result.started} process(es) started, in ${Date.now() - started} ms`,
  );
}
