import { fromDbTimestamp } from '@crm/common';

/** An instance row as the database returns it. */
export interface InstanceRow {
  id: number;
  definition_id: number;
  process_key: string;
  definition_version: number;
  business_key: string | null;
  state: string;
  variables: string;
  started_by: string | null;
  version: number;
  parent_instance_id: number | null;
  parent_execution_id: number | null;
  record_entity: string | null;
  record_id: number | null;
  started_at: string;
  ended_at: string | null;
  element_counts: string | null;
  open_incidents: number | null;
  outcome?: string | null;
  last_reminded_at?: string | null;
  record_restore?: string | null;
  /** The tokens, JSON (tokens.ts); null: none written yet. */
  tokens?: string | null;
}

export const INSTANCE_CONFLICT = 'the process instance was changed concurrently';

export interface InstanceView {
  id: number;
  processKey: string;
  definitionVersion: number;
  businessKey: string | null;
  state: 'active' | 'completed' | 'terminated' | 'cancelled';
  variables: Record<string, unknown>;
  record: { entity: string; id: number } | null;
  parentInstanceId: number | null;
  activeElementIds: string[];
  completedElements: Record<string, number>;
  incidents: number;
  startedBy: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** approved, rejected, withdrawn, cancelled — how an approval ended (null while running). */
  outcome: string | null;
}

/** The API form of an instance from its row and its executions (ordered by id). */
export function instanceView(
  r: InstanceRow,
  execs: Array<{ elementId: string; state?: string }>,
  now?: {
    variables: Record<string, unknown>;
    state: InstanceView['state'];
    counts: Record<string, number>;
    incidents: number;
    endedAt: string | null;
    outcome?: string | null;
  },
): InstanceView {
  return {
    id: Number(r.id),
    processKey: String(r.process_key),
    definitionVersion: Number(r.definition_version),
    businessKey: r.business_key ?? null,
    state: now?.state ?? (r.state as InstanceView['state']),
    variables: now?.variables ?? JSON.parse(String(r.variables)),
    record: r.record_entity ? { entity: String(r.record_entity), id: Number(r.record_id) } : null,
    parentInstanceId: r.parent_instance_id === null ? null : Number(r.parent_instance_id),
    // joined tokens wait at a gateway: the diagram shows where tokens are
    activeElementIds: [
      ...new Set(execs.filter((e) => e.state !== 'listening').map((e) => e.elementId)),
    ],
    completedElements: now?.counts ?? (r.element_counts ? JSON.parse(r.element_counts) : {}),
    incidents: now?.incidents ?? Number(r.open_incidents ?? 0),
    startedBy: r.started_by ?? null,
    startedAt: fromDbTimestamp(r.started_at),
    outcome: now?.outcome ?? r.outcome ?? null,
    endedAt: fromDbTimestamp(now ? now.endedAt : r.ended_at),
  };
}
