import type { Principal } from '@crm/access';
import { q } from '@crm/common';
import type { MetadataModel } from '@crm/metadata';
import type { SqlWhere, WorkflowViewer } from '@crm/workflow';

/**
 * The engine's view of a user: candidate groups are their role names, Workflow actions of their
 * roles decide the overrides, and the records they may read decide which instances about records
 * they see (an instance of a quote the user cannot read stays hidden unless they take part in it).
 */
export async function workflowViewer(p: Principal, model: MetadataModel): Promise<WorkflowViewer> {
  const can = (action: string) => p.ability.can(action, 'Workflow');
  const seesAll = can('read');
  // needed even by those who see everything: group candidates must read the task's record
  const parts: Array<{ table: string; entity: string; rows: SqlWhere }> = [];
  for (const e of model.entities.values()) {
    const rows = await p.readableRows(e, 'vr');
    if (rows) parts.push({ table: e.table, entity: e.name, rows });
  }
  return {
    login: p.user.login,
    groups: p.user.roles,
    seesAll,
    worksAll: can('operate'),
    cancelsAll: can('cancel'),
    readableRecords: (i) =>
      parts.length
        ? {
            sql: `(${parts.map((x) => `(${i}.record_entity = ? AND EXISTS (SELECT 1 FROM ${q(x.table)} vr WHERE vr.id = ${i}.record_id AND vr.deleted_at IS NULL AND ${x.rows.sql}))`).join(' OR ')})`,
            params: parts.flatMap((x) => [x.entity, ...x.rows.params]),
          }
        : null,
    deny: (action, subject, reason) => p.deny(action, subject, reason),
  };
}
