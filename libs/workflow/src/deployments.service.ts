import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  fromDbTimestamp,
  toDbTimestamp,
  withNamedLock,
} from '@crm/common';
import { checkDeployable } from './conformance';
import { isDmnXml, parseDmn } from './dmn/parse';
import {
  type DecisionVersion,
  type DeployedDecision,
  decisionXml,
  listDecisions,
  storeDecisions,
} from './dmn/store';
import { readClusterGlobals } from './engine/cluster-variables';
import { scheduleEventStarts } from './engine/event-starts';

export interface DeployedProcess {
  kind: 'process';
  key: string;
  version: number;
  name: string | null;
  executable: boolean;
  /** false when the same bytes were already the latest version (a no-op). */
  created: boolean;
}

export interface DefinitionVersion {
  version: number;
  name: string | null;
  executable: boolean;
  resource: string | null;
  deployedAt: string | null;
  deployedBy: string | null;
}

/** What one file deployed: the processes of a BPMN diagram or the decisions of a DMN file. */
export type Deployed = DeployedProcess | DeployedDecision;

/**
 * Deploys BPMN diagrams and DMN decisions (told apart by the file's root element): validates the
 * executable subset, then stores each process (decision) of the file as a new version of its key.
 * Redeploying the same bytes is a no-op; running instances stay on the version they started with.
 */
@Injectable()
export class DeploymentsService {
  private readonly log = new Logger('workflow');

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig | null,
  ) {
    this.timeZone = config?.timeZone ?? 'UTC';
    this.minCycleMs = config?.timerMinCycleMs ?? 0;
  }
  private readonly timeZone: string;
  private readonly minCycleMs: number;

  async deploy(xml: string, actor: string, resource: string | null = null): Promise<Deployed[]> {
    return isDmnXml(xml)
      ? this.deployDmn(xml, actor, resource)
      : this.deployBpmn(xml, actor, resource);
  }

  /** A DMN file: every decision checked (element-level problems), then stored as a new version. */
  private async deployDmn(
    xml: string,
    actor: string,
    resource: string | null,
  ): Promise<DeployedDecision[]> {
    const parsed = await parseDmn(xml);
    if (!parsed.model) {
      throw new CrmError(
        ErrorCode.DmnInvalid,
        `the DMN file cannot be deployed: ${parsed.problems.length} problem(s)`,
        parsed.problems.map((p) => ({
          path: p.elementId ?? '',
          elementId: p.elementId,
          elementType: p.elementType,
          message: p.message,
        })),
      );
    }
    const model = parsed.model;
    return withNamedLock(this.db, 'crm_wf_deploy', () =>
      this.db.transaction((tx) =>
        storeDecisions(tx, model, xml, actor, resource, this.clock.now()),
      ),
    );
  }

  private async deployBpmn(
    xml: string,
    actor: string,
    resource: string | null,
  ): Promise<DeployedProcess[]> {
    const check = await checkDeployable(xml, { minCycleMs: this.minCycleMs });
    if (!check.accepted) {
      throw new CrmError(
        ErrorCode.BpmnInvalid,
        `the diagram cannot be deployed: ${check.problems.length} problem(s)`,
        check.problems.map((p) => ({
          path: p.elementId ?? '',
          elementId: p.elementId,
          elementType: p.elementType,
          message: p.message,
        })),
      );
    }
    const sha256 = createHash('sha256').update(xml).digest('hex');
    return withNamedLock(this.db, 'crm_wf_deploy', () =>
      this.db.transaction(async (tx) => {
        const out: DeployedProcess[] = [];
        for (const p of check.processes) {
          const [latest] = await tx.query<{ version: number; sha256: string }>(
            'SELECT version, sha256 FROM crm_wf_definition WHERE process_key = ? ORDER BY version DESC LIMIT 1',
            [p.id],
          );
          if (latest && latest.sha256 === sha256) {
            out.push({
              kind: 'process',
              key: p.id,
              version: Number(latest.version),
              name: p.name,
              executable: p.executable,
              created: false,
            });
            continue;
          }
          const version = latest ? Number(latest.version) + 1 : 1;
          const ins = await tx.execute(
            'INSERT INTO crm_wf_definition (process_key, version, name, executable, resource, xml, sha256, deployed_by, deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
              p.id,
              version,
              p.name,
              p.executable ? 1 : 0,
              resource,
              xml,
              sha256,
              actor,
              toDbTimestamp(this.clock.now()),
            ],
          );
          if (p.executable)
            await scheduleEventStarts(
              tx,
              xml,
              ins.insertId,
              p.id,
              this.clock.now(),
              this.timeZone,
              // read afresh in the deploy's transaction, only for a diagram that names them
              xml.includes('camunda.vars') ? await readClusterGlobals(tx) : undefined,
            );
          out.push({
            kind: 'process',
            key: p.id,
            version,
            name: p.name,
            executable: p.executable,
            created: true,
          });
        }
        return out;
      }),
    );
  }

  /**
   * Deploys every .bpmn and .dmn file of a folder (workflows/ at start-up); a bad file stops
   * start-up. Decisions first: a diagram's business rule tasks find them from its first instance.
   */
  async deployDir(dir: string, actor = 'system'): Promise<Deployed[]> {
    if (!fs.existsSync(dir)) return [];
    const out: Deployed[] = [];
    const files = fs.readdirSync(dir);
    for (const f of [
      ...files.filter((x) => x.endsWith('.dmn')).sort(),
      ...files.filter((x) => x.endsWith('.bpmn')).sort(),
    ]) {
      try {
        out.push(...(await this.deploy(fs.readFileSync(path.join(dir, f), 'utf8'), actor, f)));
      } catch (e) {
        if (e instanceof CrmError)
          throw new CrmError(
            e.code,
            `${f}: ${e.message}`,
            e.errors.map((d) => ({ ...d, file: f })),
          );
        throw e;
      }
    }
    const created = out.filter((d) => d.created);
    if (created.length)
      this.log.log(`deployed ${created.map((d) => `${d.key} v${d.version}`).join(', ')}`);
    return out;
  }

  async list(): Promise<
    Array<{ key: string; latest: DefinitionVersion; versions: DefinitionVersion[] }>
  > {
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT process_key, version, name, executable, resource, deployed_at, deployed_by FROM crm_wf_definition ORDER BY process_key, version DESC',
    );
    const byKey = new Map<string, DefinitionVersion[]>();
    for (const r of rows) {
      const list = byKey.get(String(r.process_key)) ?? [];
      list.push({
        version: Number(r.version),
        name: (r.name as string) ?? null,
        executable: Number(r.executable) === 1 || r.executable === true,
        resource: (r.resource as string) ?? null,
        deployedAt: fromDbTimestamp(r.deployed_at),
        deployedBy: (r.deployed_by as string) ?? null,
      });
      byKey.set(String(r.process_key), list);
    }
    return [...byKey.entries()].map(([key, versions]) => ({ key, latest: versions[0], versions }));
  }

  /** Deployed decisions by decision id, newest version first. */
  decisions(): Promise<
    Array<{ key: string; latest: DecisionVersion; versions: DecisionVersion[] }>
  > {
    return listDecisions(this.db);
  }

  async decisionXml(decisionId: string, version?: number): Promise<string> {
    const xml = await decisionXml(this.db, decisionId, version);
    if (xml === null)
      throw new CrmError(
        ErrorCode.DecisionNotFound,
        `no decision "${decisionId}"${version ? ` version ${version}` : ''}`,
        [{ path: 'decisionId', message: 'not found' }],
      );
    return xml;
  }

  async xml(key: string, version?: number): Promise<string> {
    const rows = await this.db.query<{ xml: string }>(
      `SELECT xml FROM crm_wf_definition WHERE process_key = ?${version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
      version ? [key, version] : [key],
    );
    if (!rows.length) {
      throw new CrmError(
        ErrorCode.DefinitionNotFound,
        `no process definition "${key}"${version ? ` version ${version}` : ''}`,
        [{ path: 'key', message: 'not found' }],
      );
    }
    return rows[0].xml;
  }
}
