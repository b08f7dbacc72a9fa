import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  CLOCK,
  type Clock,
  DB,
  type Db,
  type QueryOptions,
  fromDbTimestamp,
  q,
} from '@crm/common';
import { MetaService } from '@crm/metadata';
import type { SqlWhere, WorkflowViewer } from '../engine/visibility';
import { priorityOf } from '../engine/task-priority';
import {
  type DisplayMatch,
  boxSql,
  countsSql,
  otherCountsSql,
  pageSql,
  pendingPageSql,
} from './boxes';
import {
  type DueClock,
  type DueState,
  type InboxQuery,
  containsPattern,
  dueStateOf,
  encodeInboxCursor,
  orSql,
} from './inbox-query';
import { type FieldReader, type RecordSummary, readSummaries } from './record-summary';

/** The engine's viewer plus what the inbox shows of records: the field-level read rules. */
export interface InboxViewer extends WorkflowViewer {
  canReadField: FieldReader;
}

export interface InboxCounts {
  pending: number;
  done: number;
  cc: number;
  /** CC'd instances the caller has not opened yet (its timeline marks one read). */
  ccUnread: number;
  initiated: number;
  /** Of the pending tasks: due within DUE_SOON_HOURS, and past their due date. */
  dueSoon: number;
  overdue: number;
}

/** An open task of an instance item (cc, initiated): who it waits for, and until when. */
export interface InboxOpenTask {
  taskId: number;
  nodeId: string;
  nodeName: string | null;
  assignee: string | null;
  dueAt: string | null;
  /** zeebe:priorityDefinition, 0 to 100 (50 when the diagram sets none). */
  priority: number;
}

export interface InboxItem {
  /** pending / done: the task; cc / initiated: the instance's most urgent open task (or null). */
  taskId: number | null;
  instanceId: number;
  processKey: string;
  processName: string | null;
  nodeId: string | null;
  nodeName: string | null;
  dueAt: string | null;
  dueState: DueState | null;
  /** The task's priority (0 to 100, default 50); cc / initiated: the most urgent open task's. */
  priority: number | null;
  /** pending / done: when the task was created; initiated: started; cc: when the caller was CC'd. */
  createdAt: string | null;
  assignee: string | null;
  /**
   * done: what the caller did — their decision (approve, reject, return, …; null = a plain
   * completion) or their last action on a task they did not close (delegate, transfer,
   * addSigner, a delegate's approve / reject); cc, initiated: the instance's outcome.
   */
  outcome: string | null;
  /** done: when the caller closed it, or acted on it last; pending: the task's completion (null). */
  completedAt: string | null;
  instanceState: string;
  /** approved, rejected, withdrawn, cancelled; null while running. */
  instanceOutcome: string | null;
  startedBy: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** cc / initiated: every open task of the instance, most urgent first. */
  openTasks?: InboxOpenTask[];
  /** cc: who CC'd the caller, and when the caller opened it (null = unread). */
  cc?: { by: string | null; readAt: string | null };
  record: RecordSummary | null;
}

export interface InboxPage {
  counts: InboxCounts;
  items: InboxItem[];
  nextCursor: string | null;
}

const num = (v: unknown): number => Number(v ?? 0);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * GET /api/inbox: the counts of every box, one filtered page of one box, and the record summary
 * of each item — a fixed number of statements per request whatever the page holds: the page and
 * the counts (for pending, the page carries its box's totals), the open tasks of a page of
 * instances, and one read per entity on the page.
 */
@Injectable()
export class InboxService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly meta: MetaService,
    @Optional() @Inject(APP_CONFIG) private readonly config: AppConfig | null,
  ) {}

  /** Entity names the inbox accepts in its `entity` filter. */
  entityNames(): Set<string> {
    return new Set(this.meta.model.entities.keys());
  }

  async inbox(viewer: InboxViewer, query: InboxQuery): Promise<InboxPage> {
    const clock: DueClock = {
      now: this.clock.now(),
      soonHours: this.config?.taskDueSoonHours ?? 24,
    };
    const timed: QueryOptions = { timeoutMs: this.config?.queryTimeoutMs ?? 10_000 };
    const pattern = query.text ? containsPattern(query.text) : undefined;
    const match = this.displayMatch(viewer, query.entity);
    const read = (w: SqlWhere) => this.db.query<Record<string, unknown>>(w.sql, w.params, timed);
    let c: Record<string, unknown> | undefined;
    let rows: Array<Record<string, unknown>>;
    if (query.box === 'pending') {
      // the page carries the pending box's totals: the costly union runs once
      const [page, [others]] = await Promise.all([
        read(pendingPageSql(viewer, query, clock, match, pattern)),
        read(otherCountsSql(viewer)),
      ]);
      rows = page;
      const [first] = page;
      c = first
        ? {
            ...others,
            pending: first.n_pending,
            overdue: first.n_overdue,
            due_soon: first.n_due_soon,
          }
        : (await read(countsSql(viewer, clock)))[0];
    } else {
      const box = boxSql(viewer, query, clock, match, pattern);
      [[c], rows] = await Promise.all([read(countsSql(viewer, clock)), read(pageSql(box, query))]);
    }
    const more = rows.length > query.limit;
    const shown = more ? rows.slice(0, query.limit) : rows;
    const kind = query.box === 'pending' || query.box === 'done' ? 'task' : 'instance';
    const items = await this.items(kind, shown, viewer, clock);
    const last = shown[shown.length - 1];
    return {
      counts: {
        pending: num(c?.pending),
        done: num(c?.done),
        cc: num(c?.cc),
        ccUnread: num(c?.cc_unread),
        initiated: num(c?.initiated),
        dueSoon: num(c?.due_soon),
        overdue: num(c?.overdue),
      },
      items,
      nextCursor:
        more && last
          ? encodeInboxCursor(query.box, query.sort, {
              due: fromDbTimestamp(last.sort_due),
              id: Number(last.sort_id),
            })
          : null,
    };
  }

  /**
   * The text search on the record's display field: a primary-key lookup into each entity's table
   * for the instances about it. No denormalised title on the instance is needed: the box is found
   * by index first, so only its own rows are looked up. Entities whose display field the viewer
   * may not read are left out, so a search cannot probe a hidden value.
   */
  private displayMatch(viewer: InboxViewer, only?: string): DisplayMatch {
    const entities = [...this.meta.model.entities.values()].filter(
      (e) =>
        (!only || e.name === only) &&
        e.fields[e.doc.displayField] &&
        viewer.canReadField(e.name, e.doc.displayField),
    );
    return (i, pattern) => {
      if (!entities.length) return null;
      return orSql(
        entities.map((e): SqlWhere => ({
          sql: `(${i}.record_entity = ? AND EXISTS (SELECT 1 FROM ${q(e.table)} rs WHERE rs.id = ${i}.record_id AND rs.${q(e.doc.displayField)} LIKE ? ESCAPE '!'))`,
          params: [e.name, pattern],
        })),
      );
    };
  }

  private async items(
    kind: 'task' | 'instance',
    rows: Array<Record<string, unknown>>,
    viewer: InboxViewer,
    clock: DueClock,
  ): Promise<InboxItem[]> {
    if (!rows.length) return [];
    const refs = rows
      .filter((r) => r.record_entity && r.record_id !== null)
      .map((r) => ({ entity: String(r.record_entity), id: Number(r.record_id) }));
    const [summaries, open] = await Promise.all([
      readSummaries(this.db, this.meta.model, refs, viewer.canReadField),
      kind === 'instance'
        ? this.openTasks(rows.map((r) => Number(r.instance_id)))
        : Promise.resolve(new Map<number, InboxOpenTask[]>()),
    ]);
    return rows.map((r) => {
      const record =
        r.record_entity && r.record_id !== null
          ? (summaries.get(`${String(r.record_entity)}:${Number(r.record_id)}`) ?? null)
          : null;
      const common = {
        instanceId: Number(r.instance_id),
        processKey: String(r.process_key),
        processName: str(r.process_name),
        instanceState: String(r.instance_state),
        instanceOutcome: str(r.instance_outcome),
        startedBy: str(r.started_by),
        startedAt: fromDbTimestamp(r.started_at),
        endedAt: fromDbTimestamp(r.ended_at),
        record,
      };
      if (kind === 'task') {
        const dueAt = fromDbTimestamp(r.due_at);
        // done: what the caller did — closed it (its outcome), or their last action on it
        const closedByViewer = r.completed_by === viewer.login;
        const acted = 'my_action' in r && !closedByViewer;
        return {
          taskId: Number(r.task_id),
          ...common,
          nodeId: str(r.element_id),
          nodeName: str(r.node_name),
          dueAt,
          // a decided task is no longer due, whatever its date said
          dueState: r.completed_at ? null : dueStateOf(dueAt, clock),
          priority: priorityOf(r.priority),
          createdAt: fromDbTimestamp(r.created_at),
          assignee: str(r.assignee),
          outcome: acted ? str(r.my_action) : str(r.task_outcome),
          completedAt: fromDbTimestamp(acted ? r.my_action_at : r.completed_at),
        };
      }
      const tasks = open.get(Number(r.instance_id)) ?? [];
      const first = tasks[0];
      const item: InboxItem = {
        taskId: first?.taskId ?? null,
        ...common,
        nodeId: first?.nodeId ?? null,
        nodeName: first?.nodeName ?? null,
        dueAt: first?.dueAt ?? null,
        dueState: dueStateOf(first?.dueAt ?? null, clock),
        priority: first?.priority ?? null,
        createdAt: fromDbTimestamp(r.cc_at ?? r.started_at),
        assignee: first?.assignee ?? null,
        outcome: str(r.instance_outcome),
        completedAt: null,
        openTasks: tasks,
      };
      if ('cc_by' in r) item.cc = { by: str(r.cc_by), readAt: fromDbTimestamp(r.cc_read_at) };
      return item;
    });
  }

  /** The open tasks of a page of instances, most urgent first (no due date last). */
  private async openTasks(instanceIds: number[]): Promise<Map<number, InboxOpenTask[]>> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT id, instance_id, element_id, name, assignee, due_at, priority FROM crm_wf_task WHERE instance_id IN (${instanceIds.map(() => '?').join(', ')}) AND state = 'created' ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id`,
      instanceIds,
    );
    const out = new Map<number, InboxOpenTask[]>();
    for (const r of rows) {
      const list = out.get(Number(r.instance_id)) ?? [];
      list.push({
        taskId: Number(r.id),
        nodeId: String(r.element_id),
        nodeName: str(r.name),
        assignee: str(r.assignee),
        dueAt: fromDbTimestamp(r.due_at),
        priority: priorityOf(r.priority),
      });
      out.set(Number(r.instance_id), list);
    }
    return out;
  }
}
