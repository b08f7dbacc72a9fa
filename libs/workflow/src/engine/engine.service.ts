import { Inject, Injectable } from '@nestjs/common';
import { evaluate } from 'feelin';
import {
  CLOCK,
  type Clock,
  CrmError,
  DB,
  type Db,
  ErrorCode,
  fromDbTimestamp,
  toDbTimestamp,
} from '@crm/common';
import { parseBpmn } from '../bpmn-model';
import { type GraphNode, type ProcessGraph, buildGraph } from './process-graph';

export interface StartInput {
  processKey: string;
  version?: number;
  variables?: Record<string, unknown>;
  businessKey?: string;
}

export interface InstanceView {
  id: number;
  processKey: string;
  definitionVersion: number;
  businessKey: string | null;
  state: 'active' | 'completed' | 'terminated';
  variables: Record<string, unknown>;
  activeElementIds: string[];
  completedElements: Record<string, number>;
  startedAt: string | null;
  endedAt: string | null;
}

export interface TaskView {
  id: number;
  instanceId: number;
  elementId: string;
  name: string | null;
  assignee: string | null;
  candidateGroups: string[];
  state: string;
  version: number;
  createdAt: string | null;
}

const MAX_STEPS = 10_000;
const INSTANCE_CONFLICT = 'the process instance was changed concurrently';
const MAX_STEP_ATTEMPTS = 8;

/** Candidate groups as stored: comma-joined, trimmed, no empties. */
function normaliseGroups(raw: unknown): string {
  const list = Array.isArray(raw) ? raw : String(raw).split(',');
  return list
    .map((g) => String(g).trim())
    .filter(Boolean)
    .join(',');
}

/** A step lost a race on its instance row (or MySQL chose it as a deadlock victim): run it again. */
function isRetryable(e: unknown): boolean {
  if (e instanceof CrmError) return e.message === INSTANCE_CONFLICT;
  const errno = (e as { driverError?: { errno?: number } }).driverError?.errno;
  return errno === 1213 || errno === 1205; // deadlock, lock wait timeout
}

/**
 * The first executable slice of the engine: none start, none/terminate end, user tasks, script
 * tasks, exclusive and parallel gateways. A step runs on the caller's request until every token
 * waits, and commits in ONE transaction with its history; tasks and instances carry a version
 * column, so two people completing one task at once: exactly one wins, the other gets 409.
 */
@Injectable()
export class EngineService {
  private graphs = new Map<number, ProcessGraph>();

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async graph(tx: Db, definitionId: number, processKey: string): Promise<ProcessGraph> {
    const cached = this.graphs.get(definitionId);
    if (cached) return cached;
    const [row] = await tx.query<{ xml: string }>(
      'SELECT xml FROM crm_wf_definition WHERE id = ?',
      [definitionId],
    );
    const parsed = await parseBpmn(row.xml);
    const g = buildGraph(parsed.definitions!, processKey);
    this.graphs.set(definitionId, g);
    return g;
  }

  async start(input: StartInput, actor: string): Promise<InstanceView> {
    const id = await this.db.transaction(async (tx) => {
      const rows = await tx.query<{ id: number; version: number; executable: number | boolean }>(
        `SELECT id, version, executable FROM crm_wf_definition WHERE process_key = ?${input.version ? ' AND version = ?' : ''} ORDER BY version DESC LIMIT 1`,
        input.version ? [input.processKey, input.version] : [input.processKey],
      );
      if (!rows.length)
        throw new CrmError(
          ErrorCode.DefinitionNotFound,
          `no process definition "${input.processKey}"`,
          [{ path: '/processKey', message: 'not deployed' }],
        );
      const def = rows[0];
      if (!(Number(def.executable) === 1 || def.executable === true)) {
        throw new CrmError(
          ErrorCode.NotStartable,
          `${input.processKey} is not executable (isExecutable="false")`,
          [{ path: '/processKey', message: 'not executable' }],
        );
      }
      const g = await this.graph(tx, Number(def.id), input.processKey);
      const now = toDbTimestamp(this.clock.now());
      const r = await tx.execute(
        `INSERT INTO crm_wf_instance (definition_id, process_key, definition_version, business_key, state, variables, started_by, started_at, version) VALUES (?, ?, ?, ?, 'active', ?, ?, ?, 1)`,
        [
          def.id,
          input.processKey,
          def.version,
          input.businessKey ?? null,
          JSON.stringify(input.variables ?? {}),
          actor,
          now,
        ],
      );
      const instanceId = r.insertId;
      await this.history(tx, instanceId, null, 'Process', 'start', actor);
      const exec = await tx.execute(
        `INSERT INTO crm_wf_execution (instance_id, element_id, state) VALUES (?, ?, 'ready')`,
        [instanceId, g.start],
      );
      await this.run(tx, instanceId, g, [exec.insertId], { ...(input.variables ?? {}) }, actor);
      return instanceId;
    });
    return this.instance(id);
  }

  async completeTask(
    taskId: number,
    body: { variables?: Record<string, unknown>; version?: number },
    actor: string,
  ): Promise<InstanceView> {
    // Two branches of one instance completing at the same moment: the step that loses the race on
    // the instance row rolls back entirely and runs again on fresh state, so a parallel join still
    // fires exactly once without the caller retrying.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.completeTaskOnce(taskId, body, actor);
      } catch (e) {
        if (!isRetryable(e) || attempt >= MAX_STEP_ATTEMPTS) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  private async completeTaskOnce(
    taskId: number,
    body: { variables?: Record<string, unknown>; version?: number },
    actor: string,
  ): Promise<InstanceView> {
    const instanceId = await this.db.transaction(async (tx) => {
      const [task] = await tx.query<Record<string, unknown>>(
        'SELECT * FROM crm_wf_task WHERE id = ?',
        [taskId],
      );
      if (!task)
        throw new CrmError(ErrorCode.TaskNotFound, `task ${taskId} not found`, [
          { path: 'id', message: 'not found' },
        ]);
      const version = body.version ?? Number(task.version);
      // The version check is the lock: of two concurrent completions exactly one updates a row.
      const done = await tx.execute(
        `UPDATE crm_wf_task SET state = 'completed', completed_at = ?, completed_by = ?, version = version + 1 WHERE id = ? AND version = ? AND state = 'created'`,
        [toDbTimestamp(this.clock.now()), actor, taskId, version],
      );
      if (done.affected === 0) {
        throw new CrmError(
          ErrorCode.TaskConflict,
          `task ${taskId} was already completed or changed`,
          [{ path: '/version', message: 'stale or completed task' }],
        );
      }
      const [inst] = await tx.query<{
        definition_id: number;
        process_key: string;
        variables: string;
        version: number;
      }>(
        'SELECT definition_id, process_key, variables, version FROM crm_wf_instance WHERE id = ?',
        [task.instance_id as number],
      );
      const g = await this.graph(tx, Number(inst.definition_id), inst.process_key);
      const variables = { ...JSON.parse(inst.variables), ...(body.variables ?? {}) };
      await this.history(
        tx,
        Number(task.instance_id),
        String(task.element_id),
        'UserTask',
        'complete',
        actor,
        body.variables,
      );
      await tx.execute(`UPDATE crm_wf_execution SET state = 'ready' WHERE id = ?`, [
        task.execution_id as number,
      ]);
      const node = g.nodes.get(String(task.element_id))!;
      const next = await this.leave(
        tx,
        Number(task.instance_id),
        node,
        Number(task.execution_id),
        variables,
        actor,
      );
      await this.run(tx, Number(task.instance_id), g, next, variables, actor, Number(inst.version));
      return Number(task.instance_id);
    });
    return this.instance(instanceId);
  }

  /** Moves tokens until each waits or ends, then saves variables with the instance's version check. */
  private async run(
    tx: Db,
    instanceId: number,
    g: ProcessGraph,
    ready: number[],
    variables: Record<string, unknown>,
    actor: string,
    expectedVersion = 1,
  ): Promise<void> {
    const queue = [...ready];
    let steps = 0;
    let terminated = false;
    while (queue.length && !terminated) {
      if (++steps > MAX_STEPS)
        throw new CrmError(
          ErrorCode.FlowStuck,
          'the process loops without reaching a wait state',
          [],
        );
      const execId = queue.shift()!;
      const [exec] = await tx.query<{ element_id: string }>(
        'SELECT element_id FROM crm_wf_execution WHERE id = ?',
        [execId],
      );
      if (!exec) continue;
      const node = g.nodes.get(exec.element_id)!;
      await this.history(tx, instanceId, node.id, node.type, 'start', actor);
      switch (node.type) {
        case 'StartEvent':
          queue.push(...(await this.leave(tx, instanceId, node, execId, variables, actor)));
          break;
        case 'EndEvent':
          await tx.execute('DELETE FROM crm_wf_execution WHERE id = ?', [execId]);
          await this.history(tx, instanceId, node.id, node.type, 'end', actor);
          if (node.terminate) {
            await tx.execute('DELETE FROM crm_wf_execution WHERE instance_id = ?', [instanceId]);
            await tx.execute(
              `UPDATE crm_wf_task SET state = 'cancelled' WHERE instance_id = ? AND state = 'created'`,
              [instanceId],
            );
            terminated = true;
          }
          break;
        case 'UserTask': {
          await tx.execute(`UPDATE crm_wf_execution SET state = 'waiting' WHERE id = ?`, [execId]);
          const assignee = node.assignee ? this.expr(node.assignee, variables) : null;
          const groups = node.candidateGroups ? this.expr(node.candidateGroups, variables) : null;
          await tx.execute(
            `INSERT INTO crm_wf_task (instance_id, execution_id, element_id, name, assignee, candidate_groups, state, created_at, version) VALUES (?, ?, ?, ?, ?, ?, 'created', ?, 1)`,
            [
              instanceId,
              execId,
              node.id,
              node.name,
              assignee === null ? null : String(assignee),
              groups === null ? null : normaliseGroups(groups),
              toDbTimestamp(this.clock.now()),
            ],
          );
          break;
        }
        case 'ScriptTask': {
          variables[node.script!.resultVariable] = this.feel(
            node.script!.expression,
            variables,
            node,
          );
          queue.push(...(await this.leave(tx, instanceId, node, execId, variables, actor)));
          break;
        }
        case 'ExclusiveGateway':
        case 'ParallelGateway':
          queue.push(...(await this.leave(tx, instanceId, node, execId, variables, actor)));
          break;
        default:
          throw new CrmError(
            ErrorCode.ElementNotExecutable,
            `${node.type} ${node.id} is deployed but not executable yet in this engine version`,
            [{ path: node.id, message: `${node.type} is not executable yet` }],
          );
      }
    }
    const [{ n }] = await tx.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM crm_wf_execution WHERE instance_id = ?',
      [instanceId],
    );
    const ended = terminated || Number(n) === 0;
    const r = await tx.execute(
      `UPDATE crm_wf_instance SET variables = ?, state = ?, ended_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
      [
        JSON.stringify(variables),
        ended ? (terminated ? 'terminated' : 'completed') : 'active',
        ended ? toDbTimestamp(this.clock.now()) : null,
        instanceId,
        expectedVersion,
      ],
    );
    if (r.affected === 0) {
      // another step of this instance committed first (e.g. a parallel branch): retryable conflict
      throw new CrmError(ErrorCode.TaskConflict, INSTANCE_CONFLICT, [
        { path: 'instance', message: 'concurrent step' },
      ]);
    }
    if (ended) await this.history(tx, instanceId, null, 'Process', 'end', actor);
  }

  /** Leaves a node: picks the outgoing flows (gateway semantics) and returns the new ready tokens. */
  private async leave(
    tx: Db,
    instanceId: number,
    node: GraphNode,
    execId: number,
    variables: Record<string, unknown>,
    actor: string,
  ): Promise<number[]> {
    if (node.type === 'ParallelGateway' && node.incoming > 1) {
      // join: this token waits at the gateway until one has arrived on every incoming flow
      await tx.execute(`UPDATE crm_wf_execution SET state = 'joined' WHERE id = ?`, [execId]);
      const waiting = await tx.query<{ id: number }>(
        `SELECT id FROM crm_wf_execution WHERE instance_id = ? AND element_id = ? AND state = 'joined'`,
        [instanceId, node.id],
      );
      if (waiting.length < node.incoming) return [];
      await tx.execute(
        `DELETE FROM crm_wf_execution WHERE instance_id = ? AND element_id = ? AND state = 'joined'`,
        [instanceId, node.id],
      );
      await this.history(tx, instanceId, node.id, node.type, 'end', actor);
      return this.spawn(
        tx,
        instanceId,
        node.outgoing.map((f) => f.target),
      );
    }
    let targets: string[];
    if (node.type === 'ExclusiveGateway') {
      const hit = node.outgoing.find(
        (f) =>
          f.id !== node.defaultFlow &&
          f.condition !== undefined &&
          this.feel(f.condition, variables, node) === true,
      );
      const chosen = hit ?? node.outgoing.find((f) => f.id === node.defaultFlow);
      if (!chosen) {
        throw new CrmError(
          ErrorCode.FlowStuck,
          `no condition out of ${node.id} is true and it has no default flow`,
          [{ path: node.id, message: 'no matching flow' }],
        );
      }
      targets = [chosen.target];
    } else {
      targets = node.outgoing.map((f) => f.target);
    }
    await this.history(tx, instanceId, node.id, node.type, 'end', actor);
    await tx.execute('DELETE FROM crm_wf_execution WHERE id = ?', [execId]);
    return this.spawn(tx, instanceId, targets);
  }

  private async spawn(tx: Db, instanceId: number, targets: string[]): Promise<number[]> {
    const ids: number[] = [];
    for (const t of targets) {
      ids.push(
        (
          await tx.execute(
            `INSERT INTO crm_wf_execution (instance_id, element_id, state) VALUES (?, ?, 'ready')`,
            [instanceId, t],
          )
        ).insertId,
      );
    }
    return ids;
  }

  private feel(expression: string, variables: Record<string, unknown>, node: GraphNode): unknown {
    try {
      return evaluate(expression, variables).value;
    } catch (e) {
      throw new CrmError(
        ErrorCode.FlowStuck,
        `FEEL failed at ${node.id}: ${(e as Error).message}`,
        [{ path: node.id, message: 'expression failed' }],
      );
    }
  }

  /** `=expr` attributes are FEEL; anything else is a literal. */
  private expr(raw: string, variables: Record<string, unknown>): unknown {
    return raw.trim().startsWith('=')
      ? (evaluate(raw.trim().slice(1), variables).value ?? null)
      : raw;
  }

  private async history(
    tx: Db,
    instanceId: number,
    elementId: string | null,
    elementType: string,
    event: string,
    actor: string,
    detail?: unknown,
  ): Promise<void> {
    await tx.execute(
      'INSERT INTO crm_wf_history (instance_id, element_id, element_type, event, actor, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        instanceId,
        elementId,
        elementType,
        event,
        actor,
        detail === undefined ? null : JSON.stringify(detail),
        toDbTimestamp(this.clock.now()),
      ],
    );
  }

  async instance(id: number): Promise<InstanceView> {
    const [r] = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_instance WHERE id = ?',
      [id],
    );
    if (!r)
      throw new CrmError(ErrorCode.InstanceNotFound, `instance ${id} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    const active = await this.db.query<{ element_id: string }>(
      'SELECT element_id FROM crm_wf_execution WHERE instance_id = ? ORDER BY id',
      [id],
    );
    const ended = await this.db.query<{ element_id: string; n: number }>(
      `SELECT element_id, COUNT(*) AS n FROM crm_wf_history WHERE instance_id = ? AND event = 'end' AND element_id IS NOT NULL GROUP BY element_id`,
      [id],
    );
    return {
      id: Number(r.id),
      processKey: String(r.process_key),
      definitionVersion: Number(r.definition_version),
      businessKey: (r.business_key as string) ?? null,
      state: r.state as InstanceView['state'],
      variables: JSON.parse(String(r.variables)),
      activeElementIds: active.map((a) => a.element_id),
      completedElements: Object.fromEntries(ended.map((e) => [e.element_id, Number(e.n)])),
      startedAt: fromDbTimestamp(r.started_at),
      endedAt: fromDbTimestamp(r.ended_at),
    };
  }

  async instanceHistory(id: number): Promise<Array<Record<string, unknown>>> {
    await this.instance(id);
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_history WHERE instance_id = ? ORDER BY id',
      [id],
    );
    return rows.map((r) => ({
      elementId: r.element_id ?? null,
      elementType: r.element_type,
      event: r.event,
      actor: r.actor ?? null,
      detail: r.detail ? JSON.parse(String(r.detail)) : null,
      at: fromDbTimestamp(r.at),
    }));
  }

  async tasks(filter: {
    assignee?: string;
    candidateGroup?: string;
    state?: string;
    processKey?: string;
  }): Promise<TaskView[]> {
    const where = ['1=1'];
    const params: Array<string> = [];
    if (filter.assignee) {
      where.push('t.assignee = ?');
      params.push(filter.assignee);
    }
    if (filter.state) {
      where.push('t.state = ?');
      params.push(filter.state);
    }
    if (filter.processKey) {
      where.push('i.process_key = ?');
      params.push(filter.processKey);
    }
    if (filter.candidateGroup) {
      // groups are stored comma-joined: match the whole entry, never a substring of another group
      const g = filter.candidateGroup.replace(/[!%_]/g, (c) => `!${c}`);
      where.push(
        `(t.candidate_groups = ? OR t.candidate_groups LIKE ? ESCAPE '!' OR t.candidate_groups LIKE ? ESCAPE '!' OR t.candidate_groups LIKE ? ESCAPE '!')`,
      );
      params.push(filter.candidateGroup, `${g},%`, `%,${g}`, `%,${g},%`);
    }
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT t.* FROM crm_wf_task t JOIN crm_wf_instance i ON i.id = t.instance_id WHERE ${where.join(' AND ')} ORDER BY t.id LIMIT 500`,
      params,
    );
    return rows.map((r) => this.toTask(r));
  }

  async task(id: number): Promise<TaskView> {
    const [r] = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM crm_wf_task WHERE id = ?',
      [id],
    );
    if (!r)
      throw new CrmError(ErrorCode.TaskNotFound, `task ${id} not found`, [
        { path: 'id', message: 'not found' },
      ]);
    return this.toTask(r);
  }

  private toTask(r: Record<string, unknown>): TaskView {
    return {
      id: Number(r.id),
      instanceId: Number(r.instance_id),
      elementId: String(r.element_id),
      name: (r.name as string) ?? null,
      assignee: (r.assignee as string) ?? null,
      candidateGroups: r.candidate_groups
        ? String(r.candidate_groups)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
      state: String(r.state),
      version: Number(r.version),
      createdAt: fromDbTimestamp(r.created_at),
    };
  }
}
