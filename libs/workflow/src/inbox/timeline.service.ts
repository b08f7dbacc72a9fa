import { Injectable } from '@nestjs/common';
import { fromDbTimestamp, toDbTimestamp } from '@crm/common';
import { MetaService } from '@crm/metadata';
import { EngineService } from '../engine/engine.service';
import { instanceNotFound } from '../engine/engine-core';
import { parseTokens } from '../engine/tokens';
import { instanceVisibleSql } from '../engine/visibility';
import { type DueState, dueStateOf } from './inbox-query';
import type { InboxViewer } from './inbox.service';
import { type RecordSummary, readSummaries } from './record-summary';
import {
  type HistoryRow,
  type TimelineEvent,
  attachmentIdsOf,
  isTimelineEvent,
  loginsOf,
  timelineEvent,
} from './timeline-events';

export type { TimelineEvent } from './timeline-events';

export interface TimelineUser {
  login: string;
  displayName: string | null;
}

export interface TimelineTask {
  id: number;
  /**
   * created: open; suspended: signers added before it decide first; pending: an after-signer
   * whose turn comes once the task it was added to is approved.
   */
  state: string;
  /** before / after / along: a signer added to someone's task; resubmit: a returned submission. */
  kind: string | null;
  assignee: TimelineUser | null;
  /** Who delegated it (it comes back to them once the delegate decides). */
  owner: TimelineUser | null;
  candidateUsers: TimelineUser[];
  candidateGroups: string[];
  createdAt: string | null;
  dueAt: string | null;
  dueState: DueState | null;
}

/** A node the instance waits in now, with its open tasks (none for a timer or a message wait). */
export interface TimelineNode {
  elementId: string;
  elementName: string | null;
  elementType: string;
  tasks: TimelineTask[];
}

export interface Timeline {
  instance: {
    id: number;
    processKey: string;
    processName: string | null;
    state: string;
    outcome: string | null;
    startedBy: TimelineUser | null;
    startedAt: string | null;
    endedAt: string | null;
    record: RecordSummary | null;
  };
  events: TimelineEvent[];
  current: TimelineNode[];
}

/**
 * GET /api/workflow/instances/:id/timeline: what happened to an approval, in the order it
 * happened (history id), with who did it, their comment and attachments, and where it waits now.
 * Whoever sees the instance sees its timeline, and so does everyone it was CC'd to; opening it
 * marks the caller's CC read.
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly engine: EngineService,
    private readonly meta: MetaService,
  ) {}

  async timeline(instanceId: number, viewer: InboxViewer): Promise<Timeline> {
    const db = this.engine.db;
    const inst = await this.visibleInstance(instanceId, viewer);
    const history = await db.query<HistoryRow>(
      'SELECT id, element_id, element_type, event, actor, detail, at FROM crm_wf_history WHERE instance_id = ? ORDER BY id',
      [instanceId],
    );
    const rows = history.filter(isTimelineEvent);
    const tasks = await db.query<Record<string, unknown>>(
      `SELECT id, element_id, name, state, kind, assignee, owner, candidate_users, candidate_groups, created_at, due_at FROM crm_wf_task WHERE instance_id = ? AND state <> 'completed' ORDER BY id`,
      [instanceId],
    );
    const waiting = parseTokens(inst.tokens as string | null)
      .filter((t) => t.state === 'waiting' || t.state === 'incident')
      .map((t) => ({ element_id: t.elementId }));
    const graph = await this.engine.graph(db, Number(inst.definition_id), String(inst.process_key));
    const nameOf = (id: string | null) => (id ? (graph.nodes.get(id)?.name ?? null) : null);

    const logins = new Set<string>(loginsOf(rows));
    if (inst.started_by) logins.add(String(inst.started_by));
    for (const t of tasks) {
      for (const l of [t.assignee, t.owner]) if (l) logins.add(String(l));
      for (const l of split(t.candidate_users)) logins.add(l);
    }
    const [users, files, summaries] = await Promise.all([
      this.users([...logins]),
      this.files(attachmentIdsOf(rows)),
      inst.record_entity && inst.record_id !== null
        ? readSummaries(
            db,
            this.meta.model,
            [{ entity: String(inst.record_entity), id: Number(inst.record_id) }],
            viewer.canReadField,
          )
        : Promise.resolve(new Map<string, RecordSummary>()),
    ]);
    const user = (login: unknown): TimelineUser | null =>
      login ? { login: String(login), displayName: users.get(String(login)) ?? null } : null;
    const now = this.engine.clock.now();

    const current: TimelineNode[] = [];
    for (const w of waiting) {
      if (current.some((n) => n.elementId === w.element_id)) continue;
      const mine = tasks.filter((t) => t.element_id === w.element_id);
      current.push({
        elementId: w.element_id,
        // a returned submission waits at the start event, which rarely has a name: its task has
        elementName: nameOf(w.element_id) ?? (mine[0]?.name as string | undefined) ?? null,
        elementType: graph.nodes.get(w.element_id)?.type ?? 'Element',
        tasks: mine.map((t) => {
          const dueAt = fromDbTimestamp(t.due_at);
          return {
            id: Number(t.id),
            state: String(t.state),
            kind: (t.kind as string | null) ?? null,
            assignee: user(t.assignee),
            owner: user(t.owner),
            candidateUsers: split(t.candidate_users).map((l) => user(l)!),
            candidateGroups: split(t.candidate_groups),
            createdAt: fromDbTimestamp(t.created_at),
            dueAt,
            dueState: dueStateOf(dueAt, {
              now,
              soonHours: this.engine.settings.taskDueSoonHours,
            }),
          };
        }),
      });
    }
    await db.execute(
      'UPDATE crm_wf_cc SET read_at = ? WHERE instance_id = ? AND login = ? AND read_at IS NULL',
      [toDbTimestamp(now), instanceId, viewer.login],
    );
    return {
      instance: {
        id: Number(inst.id),
        processKey: String(inst.process_key),
        processName: (inst.process_name as string | null) ?? null,
        state: String(inst.state),
        outcome: (inst.outcome as string | null) ?? null,
        startedBy: user(inst.started_by),
        startedAt: fromDbTimestamp(inst.started_at),
        endedAt: fromDbTimestamp(inst.ended_at),
        record: summaries.get(`${String(inst.record_entity)}:${Number(inst.record_id)}`) ?? null,
      },
      events: rows.map((r) => timelineEvent(r, nameOf, user, files)),
      current,
    };
  }

  /**
   * The instance row, if the viewer sees it (started it, reads its record, takes part, `read` on
   * Workflow) or was CC'd on it; otherwise 404 exactly like a missing one, audited.
   */
  private async visibleInstance(
    instanceId: number,
    viewer: InboxViewer,
  ): Promise<Record<string, unknown>> {
    const db = this.engine.db;
    // the CC'd are among those who see an instance (visibility.ts)
    const sees = viewer.seesAll ? null : instanceVisibleSql(viewer, 'i');
    const where = sees ? { sql: ` AND ${sees.sql}`, params: sees.params } : { sql: '', params: [] };
    const [inst] = await db.query<Record<string, unknown>>(
      `SELECT i.id, i.definition_id, i.process_key, i.state, i.outcome, i.started_by, i.started_at, i.ended_at, i.record_entity, i.record_id, i.tokens, d.name AS process_name FROM crm_wf_instance i JOIN crm_wf_definition d ON d.id = i.definition_id WHERE i.id = ?${where.sql}`,
      [instanceId, ...where.params],
    );
    if (!inst) {
      await this.engine.auditHidden(
        db,
        'crm_wf_instance',
        instanceId,
        viewer,
        `instance ${instanceId}`,
      );
      throw instanceNotFound(instanceId);
    }
    return inst;
  }

  private async users(logins: string[]): Promise<Map<string, string | null>> {
    if (!logins.length) return new Map();
    const rows = await this.engine.db.query<{ login: string; display_name: string | null }>(
      `SELECT login, display_name FROM crm_user WHERE login IN (${logins.map(() => '?').join(', ')})`,
      logins,
    );
    return new Map(rows.map((r) => [r.login, r.display_name ?? null]));
  }

  private async files(
    ids: string[],
  ): Promise<Map<string, { name: string; size: number; mime: string }>> {
    if (!ids.length) return new Map();
    const rows = await this.engine.db.query<{
      id: string;
      name: string;
      size: number;
      mime: string;
    }>(
      `SELECT id, name, size, mime FROM crm_file WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, size: Number(r.size), mime: r.mime }]));
  }
}

const split = (v: unknown): string[] =>
  v
    ? String(v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
