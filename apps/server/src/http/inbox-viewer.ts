import { type Principal, buildAbility, permittedFields } from '@crm/access';
import type { MetadataModel } from '@crm/metadata';
import type { FieldReader, InboxViewer } from '@crm/workflow';
import { workflowViewer } from './workflow-viewer';

/**
 * Which fields of a record a user sees in an approval they take part in (inbox summaries, the
 * timeline). A role that reads the entity decides field by field, as on the record page. A user
 * whose roles read none of it still takes part — CC'd (抄送: read-only, that is its point), or
 * named as an approver by the process — and sees the record's fields except those a rule of
 * theirs explicitly denies (an inverted rule with `fields`).
 */
export function participantFieldReader(p: Principal, model: MetadataModel): FieldReader {
  const cache = new Map<string, Set<string>>();
  return (entity, field) => {
    const e = model.entities.get(entity);
    if (!e) return false;
    if (p.ability.can('read', entity)) return p.canRead(e, field);
    let allowed = cache.get(entity);
    if (!allowed) {
      // an allow-all read of the entity, then the user's denials on it (later rules win in CASL)
      const denials = p.rules.filter((r) => r.inverted);
      allowed = permittedFields(
        buildAbility([{ action: 'read', subject: entity }, ...denials]),
        'read',
        e,
      );
      cache.set(entity, allowed);
    }
    return allowed.has(field);
  };
}

/** The engine's viewer of a user plus the field-level read rules the inbox masks with. */
export async function inboxViewer(p: Principal, model: MetadataModel): Promise<InboxViewer> {
  return {
    ...(await workflowViewer(p, model)),
    canReadField: participantFieldReader(p, model),
  };
}
