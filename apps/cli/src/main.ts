import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { compile } from 'json-schema-to-typescript';
import { stringify } from 'yaml';
import { RecordsService } from '@crm/records';
import { DeploymentsService } from '@crm/workflow';
import { DemoPlanner, readDataset, writeFast } from '@crm/records';
import { DataSourceDb, isCrmError, loadConfig, openDataSource, systemClock } from '@crm/common';
import {
  MetaService,
  type Plan,
  assertValid,
  compileEntitySchema,
  hashFiles,
  loadMetadataDir,
  type EntityDocument,
  type MetadataDocument,
} from '@crm/metadata';

const USAGE = `crm — configure the CRM from metadata files

Usage: crm <command> [options]

Commands:
  validate                 check metadata/ (and --client overlay); exit 1 with every error
  plan                     show what applying metadata/ would change in the database
  apply                    apply metadata/ (destructive changes need --confirm <id,...>)
  revisions                list applied metadata revisions
  rollback <revision>      make an earlier revision live again (non-destructive)
  export --out <dir>       write the live (or --revision N) documents back to YAML files
  typegen --out <dir>      write TypeScript types for every entity
  deploy <file>...         deploy .bpmn diagrams and .dmn decisions (a new version per changed one)
  rebuild [--entity <e>]   recompute the formula and rollup fields of existing records
  seed --size <n>          load n demo customers with related records (demo/dataset.yaml), fast

Options:
  --dir <dir>              metadata directory (default: METADATA_DIR or ./metadata)
  --client <name>          client overlay under <dir>/clients/<name> (default: CRM_CLIENT)
  --database-url <url>     default: DATABASE_URL or sqlite:./data/crm.sqlite
  --confirm <ids>          comma-separated ids of destructive changes to allow
  --skip-destructive       apply only the non-destructive part of the plan
  --actor <name>           who to record as (default: $USER)
  --size <n>               seed: how many customers (the rest in proportion)
  --demo-dir <dir>         seed: where dataset.yaml is (default: DEMO_DIR or ./demo)
`;

/** Where `crm export` writes each kind: the folders metadata/ itself uses. */
const EXPORT_FOLDERS: Record<MetadataDocument['kind'], string> = {
  entity: 'entities',
  role: 'roles',
  calendar: 'calendars',
  trigger: 'triggers',
  template: 'templates',
  action: 'actions',
  form: 'forms',
  view: 'views',
};

const out = (s: string): boolean => process.stdout.write(`${s}\n`);

function printPlan(plan: Plan): void {
  if (!plan.changes.length && !plan.documentChanges.length) {
    out('No changes: the database matches the metadata.');
    return;
  }
  out(
    `${plan.changes.length} change(s) to the database, ${plan.documentChanges.length} document(s) changed, plan ${plan.hash}:`,
  );
  for (const c of plan.changes) {
    out(`  ${c.destructive ? '!' : '+'} ${c.id}${c.blocked ? '  [BLOCKED]' : ''}`);
    out(`      ${c.effect}${c.blocked ? ` — ${c.blocked}` : ''}`);
    for (const sql of c.ddl) out(`      ${sql.replace(/\n\s*/g, ' ')}`);
  }
  // a role or label change runs no DDL but goes live all the same: it is part of the plan
  for (const d of plan.documentChanges) out(`  ~ ${d.id}\n      ${d.effect}`);
  if (plan.destructive.length) out(`\nDestructive (need --confirm): ${plan.destructive.join(',')}`);
}

/** A one-line progress bar on stderr (stdout stays the summary a script reads). */
function progressBar(entity: string, done: number, total: number): void {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(
    `\r${entity.padEnd(24)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
  );
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      client: { type: 'string' },
      'database-url': { type: 'string' },
      confirm: { type: 'string' },
      'skip-destructive': { type: 'boolean' },
      out: { type: 'string' },
      revision: { type: 'string' },
      actor: { type: 'string' },
      entity: { type: 'string' },
      size: { type: 'string' },
      'demo-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (!command || values.help) {
    out(USAGE);
    return command ? 0 : 2;
  }
  const env = { ...process.env };
  if (values.dir) env.METADATA_DIR = values.dir;
  if (values.client) env.CRM_CLIENT = values.client;
  if (values['database-url']) env.DATABASE_URL = values['database-url'];
  if (values['demo-dir']) env.DEMO_DIR = values['demo-dir'];
  const config = loadConfig(env);
  const actor = values.actor ?? process.env.USER ?? 'cli';

  const loadFiles = () => {
    const loaded = loadMetadataDir(config.metadataDir, config.client);
    assertValid(loaded.documents, loaded.errors);
    return loaded;
  };

  if (command === 'validate') {
    const loaded = loadFiles();
    out(
      `OK: ${loaded.documents.length} document(s) in ${path.relative(process.cwd(), config.metadataDir) || '.'}${config.client ? ` with client ${config.client}` : ''}`,
    );
    return 0;
  }
  if (command === 'typegen') {
    if (!values.out) throw new Error('typegen needs --out <dir>');
    const loaded = loadFiles();
    fs.mkdirSync(values.out, { recursive: true });
    const entities = loaded.documents
      .map((d) => d.doc)
      .filter((d): d is EntityDocument => d.kind === 'entity');
    const names: string[] = [];
    for (const [i, e] of entities.entries()) {
      const schema = compileEntitySchema(e);
      // Property titles would become one named alias per field; inline types read better.
      const properties = schema.properties as Record<string, Record<string, unknown>>;
      for (const p of Object.values(properties)) delete p.title;
      const Name = e.name.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase());
      const ts = await compile({ ...schema, title: Name } as never, Name, {
        bannerComment: `/* Generated by crm typegen from entity ${e.name}. Do not edit. */`,
        additionalProperties: false,
      });
      fs.writeFileSync(path.join(values.out, `${e.name}.ts`), ts);
      names.push(e.name);
      out(`[${i + 1}/${entities.length}] ${e.name}.ts`);
    }
    fs.writeFileSync(
      path.join(values.out, 'index.ts'),
      names.map((n) => `export * from './${n}';\n`).join(''),
    );
    return 0;
  }

  const size = Number(values.size);
  if (command === 'seed' && (!Number.isInteger(size) || size < 1))
    throw new Error('seed needs --size <n> (n >= 1)');
  const ds = await openDataSource(config.databaseUrl, 2);
  try {
    const db = new DataSourceDb(ds);
    const meta = new MetaService(db, config, systemClock);
    await meta.init();
    switch (command) {
      case 'plan': {
        const docs = loadFiles().documents.map((d) => d.doc);
        printPlan(await meta.planDocuments(docs));
        return 0;
      }
      case 'apply': {
        const loaded = loadFiles();
        const docs = loaded.documents.map((d) => d.doc);
        const plan = await meta.planDocuments(docs, values['skip-destructive']);
        printPlan(plan);
        const started = Date.now();
        // listens to the model change: new or changed formulas and rollups backfill existing rows
        const records = new RecordsService(db, meta, systemClock, config);
        const { revision } = await meta.applyDocuments(docs, {
          actor,
          source: 'files',
          filesHash: hashFiles(loaded.files),
          confirm: (values.confirm ?? '').split(',').filter(Boolean),
          nonDestructive: values['skip-destructive'],
          message: 'crm apply',
          onProgress: (done, total, sql) =>
            out(`[${done + 1}/${total}] ${sql.split('\n')[0].slice(0, 100)}`),
        });
        await records.computedBackfill;
        out(`Applied revision ${revision} in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
        return 0;
      }
      case 'rebuild': {
        const records = new RecordsService(db, meta, systemClock, config);
        const started = Date.now();
        const changed = await records.rebuildComputed(values.entity, progressBar);
        process.stderr.write('\n');
        out(
          `Recomputed ${changed} record(s)${values.entity ? ` of ${values.entity}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)}s.`,
        );
        return 0;
      }
      case 'deploy': {
        const files = positionals.slice(1);
        if (!files.length) throw new Error('deploy needs one or more .bpmn or .dmn files');
        const deployments = new DeploymentsService(db, systemClock);
        for (const f of files) {
          for (const d of await deployments.deploy(
            fs.readFileSync(f, 'utf8'),
            actor,
            path.basename(f),
          )) {
            const note =
              d.kind === 'decision'
                ? ' (decision)'
                : d.executable
                  ? ''
                  : ' (not executable: stored, not startable)';
            out(`${d.created ? 'deployed' : 'unchanged'} ${d.key} version ${d.version}${note}`);
          }
        }
        return 0;
      }
      case 'revisions': {
        for (const r of await meta.listRevisions()) {
          out(
            `${String(r.id).padStart(4)}  ${r.createdAt}  ${r.source.padEnd(8)} ${r.actor ?? ''}  ${r.changes.length} change(s)${r.message ? `  ${r.message}` : ''}`,
          );
        }
        return 0;
      }
      case 'rollback': {
        const id = Number(arg);
        if (!Number.isInteger(id)) throw new Error('rollback needs a revision number');
        const { revision, plan } = await meta.rollback(id, actor);
        printPlan(plan);
        out(`Rolled back to revision ${id} as revision ${revision}.`);
        return 0;
      }
      case 'export': {
        if (!values.out) throw new Error('export needs --out <dir>');
        const docs = values.revision
          ? (await meta.getRevision(Number(values.revision))).documents
          : meta.model.documents;
        for (const d of docs) {
          const file = path.join(values.out, EXPORT_FOLDERS[d.kind], `${d.name}.yaml`);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, stringify(d, { lineWidth: 120 }));
          out(`wrote ${file}`);
        }
        return 0;
      }
      case 'seed': {
        // the live model: seeding an unapplied database would write into tables that lack columns
        const { dataset, fields } = readDataset(config.demoDir, meta.model.entities);
        const users = await db.query<{ login: string }>('SELECT login FROM crm_user');
        const taken = new Map<string, string[]>();
        for (const de of dataset.entities)
          for (const [name, g] of Object.entries(de.fields))
            if (g.unique) {
              const e = meta.model.entities.get(de.entity)!;
              const rows = await db.query<{ v: string }>(
                `SELECT \`${name}\` AS v FROM \`${e.table}\` WHERE \`${name}\` IS NOT NULL`,
              );
              taken.set(
                `${de.entity}.${name}`,
                rows.map((r) => String(r.v)),
              );
            }
        const now = new Date();
        const root = dataset.entities.find((e) => e.root)!;
        const [existing] = await db.query<{ n: number }>(
          `SELECT COUNT(*) AS n FROM \`${meta.model.entities.get(root.entity)!.table}\``,
        );
        const planner = new DemoPlanner({
          // a second run on the same database makes other records than the first
          dataset: { ...dataset, seed: dataset.seed + Number(existing.n) },
          size,
          now,
          fields,
          users: users.map((u) => u.login),
          fallbackOwner: users.some((u) => u.login === 'admin') ? 'admin' : actor,
          taken,
          feel: { timeZone: config.timeZone },
        });
        const expected = planner.expectedCounts();
        const total = [...expected.values()].reduce((a, b) => a + b, 0);
        const done = new Map<string, number>();
        const started = Date.now();
        let last = 0;
        const bar = (final = false) => {
          const n = [...done.values()].reduce((a, b) => a + b, 0);
          // the total is an estimate (children per parent are drawn at random): done is 100 %
          const pct = final ? 1 : Math.min(1, n / Math.max(1, total));
          const secs = (Date.now() - started) / 1000;
          const width = 30;
          const fill = Math.round(pct * width);
          process.stderr.write(
            `\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${(pct * 100).toFixed(0).padStart(3)}% ${n}/~${total} records, ${secs.toFixed(0)}s, ${Math.round(n / Math.max(secs, 0.001))}/s${final ? '\n' : ''}`,
          );
        };
        const counts = await writeFast(db, planner, {
          entity: (name) => meta.model.entities.get(name)!,
          actor,
          now,
          timeZone: config.timeZone,
          feel: { timeZone: config.timeZone },
          onProgress: (entity, n) => {
            done.set(entity, n);
            if (Date.now() - last > 200 || !process.stderr.isTTY) {
              last = Date.now();
              if (process.stderr.isTTY) bar();
            }
          },
        });
        bar(true);
        // the fast path writes stored columns only: formulas and rollups (line amounts, header
        // totals) are computed afterwards, over the seeded entities, as `crm rebuild` does
        const records = new RecordsService(db, meta, systemClock, config);
        const recomputed = await records.rebuildComputed([...counts.keys()], progressBar);
        if (recomputed) process.stderr.write('\n');
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        out(
          `Seeded in ${secs}s: ${[...counts].map(([e, n]) => `${n} ${e}`).join(', ')}; ${recomputed} record(s) with computed fields filled in.`,
        );
        return 0;
      }
      default:
        out(`unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (isCrmError(e)) {
      process.stderr.write(`${e.code}: ${e.message}\n`);
      for (const d of e.errors)
        process.stderr.write(
          `  ${[d.file, d.document, d.elementType, d.path].filter(Boolean).join(' ')}: ${d.message}\n`,
        );
    } else process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
