import { createHash } from 'node:crypto';
import { type Db, fromDbTimestamp, toDbTimestamp } from '@crm/common';
import type { FeelOptions } from '@crm/metadata';
import { DmnEvaluationError, evaluateDecision } from './evaluate';
import { type DmnModel, parseDmn } from './parse';

/**
 * Deployed decisions (crm_wf_decision): one row per decision and version, holding the whole DMN
 * file it came from. Redeploying the same bytes is a no-op; changed bytes give every decision of
 * the file a new version. Business rule tasks evaluate the latest version, as Zeebe's default
 * binding does.
 */

export interface DeployedDecision {
  kind: 'decision';
  /** The decision id (what `zeebe:calledDecision decisionId` names). */
  key: string;
  version: number;
  name: string | null;
  /** The DMN file's definitions id (Zeebe's decision requirements id). */
  decisionRequirementsId: string;
  created: boolean;
}

export interface DecisionVersion {
  version: number;
  name: string | null;
  decisionRequirementsId: string;
  resource: string | null;
  deployedAt: string | null;
  deployedBy: string | null;
}

/** Stores every decision of a valid DMN model; the caller holds the deploy lock and transaction. */
export async function storeDecisions(
  tx: Db,
  model: DmnModel,
  xml: string,
  actor: string,
  resource: string | null,
  now: Date,
): Promise<DeployedDecision[]> {
  const sha256 = createHash('sha256').update(xml).digest('hex');
  const out: DeployedDecision[] = [];
  for (const d of model.decisions) {
    const [latest] = await tx.query<{ version: number; sha256: string }>(
      'SELECT version, sha256 FROM crm_wf_decision WHERE decision_id = ? ORDER BY version DESC LIMIT 1',
      [d.id],
    );
    const base = {
      kind: 'decision' as const,
      key: d.id,
      name: d.name,
      decisionRequirementsId: model.id,
    };
    if (latest && latest.sha256 === sha256) {
      out.push({ ...base, version: Number(latest.version), created: false });
      continue;
    }
    const version = latest ? Number(latest.version) + 1 : 1;
    await tx.execute(
      'INSERT INTO crm_wf_decision (decision_id, version, name, drg_id, drg_name, resource, xml, sha256, deployed_by, deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        d.id,
        version,
        d.name,
        model.id,
        model.name,
        resource,
        xml,
        sha256,
        actor,
        toDbTimestamp(now),
      ],
    );
    out.push({ ...base, version, created: true });
  }
  return out;
}

export async function listDecisions(
  db: Db,
): Promise<Array<{ key: string; latest: DecisionVersion; versions: DecisionVersion[] }>> {
  const rows = await db.query<Record<string, unknown>>(
    'SELECT decision_id, version, name, drg_id, resource, deployed_at, deployed_by FROM crm_wf_decision ORDER BY decision_id, version DESC',
  );
  const byKey = new Map<string, DecisionVersion[]>();
  for (const r of rows) {
    const list = byKey.get(String(r.decision_id)) ?? [];
    list.push({
      version: Number(r.version),
      name: (r.name as string) ?? null,
      decisionRequirementsId: String(r.drg_id),
      resource: (r.resource as string) ?? null,
      deployedAt: fromDbTimestamp(r.deployed_at),
      deployedBy: (r.deployed_by as string) ?? null,
    });
    byKey.set(String(r.decision_id), list);
  }
  return [...byKey.entries()].map(([key, versions]) => ({ key, latest: versions[0], versions }));
}

/** The DMN file of a decision's version (the latest when none is given), or null. */
export async function decisionXml(
  db: Db,
  decisionId: string,
  version?: number,
): Promise<string | null> {
  const rows = await db.query<{ xml: string }>(
    `SELECT xml FROM crm_wf_decision WHERE decision_id = ?${version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
    version ? [decisionId, version] : [decisionId],
  );
  return rows[0]?.xml ?? null;
}

// Parsed files by content: a deployed version never changes, so its model is parsed once per node.
const MODELS_MAX = 200;
const models = new Map<string, DmnModel>();

async function modelOf(xml: string): Promise<DmnModel> {
  const key = createHash('sha256').update(xml).digest('hex');
  let model = models.get(key);
  if (!model) {
    const parsed = await parseDmn(xml);
    // deploy refused bad files; a row that no longer parses (a stricter release) is an incident
    if (!parsed.model)
      throw new DmnEvaluationError(
        '',
        null,
        `stored DMN no longer valid: ${parsed.problems.map((p) => p.message).join('; ')}`,
      );
    if (models.size >= MODELS_MAX) models.clear();
    models.set(key, (model = parsed.model));
  }
  return model;
}

/**
 * Evaluates the latest deployed version of `decisionId` with `variables` (Zeebe's business rule
 * task: the result goes to its resultVariable). Throws DmnEvaluationError when the decision is not
 * deployed (Zeebe: an incident) or cannot be evaluated (no unique match, failing FEEL...).
 */
export async function evaluateDeployedDecision(
  db: Db,
  decisionId: string,
  variables: Record<string, unknown>,
  options: FeelOptions = {},
): Promise<unknown> {
  const xml = await decisionXml(db, decisionId);
  if (xml === null)
    throw new DmnEvaluationError(decisionId, null, `no decision "${decisionId}" is deployed`);
  return evaluateDecision(await modelOf(xml), decisionId, variables, options);
}
