import { CrmError, ErrorCode } from '@crm/common';
import { type GraphNode, type ProcessGraph, stripEq } from '../engine/process-graph';
import { isApprovalNode } from '../engine/behaviors/approval';
import type { Exec, InstanceStep } from '../engine/step';
import { type OrgIndex, loginsOf } from './org';

/**
 * Who an approval node goes to, once its approver sources (FEEL over the organisation, org.ts)
 * have given their lists: separation of duties, the empty-list rule and the repeated-approver
 * rule. The decisions are pure functions (`routeApprovers`, `routeCollection`); the few step-bound
 * helpers below them record an automatic approval and find the previous approver. user-task.ts
 * and multi-instance.ts call `assignApprovalTask` / `approverItems`; preview.ts calls the pure
 * ones, so a preview routes exactly as a start does.
 */

export const ON_EMPTY = ['approve', 'admin', 'refuse'] as const;
export type OnEmpty = (typeof ON_EMPTY)[number];

export interface RoutingSettings {
  onEmpty: OnEmpty;
  allowSelfApproval: boolean;
}

/** The role whose users an `onEmpty: admin` node goes to. */
export const ADMIN_ROLE = 'admin';

export function routingSettings(node: GraphNode): RoutingSettings {
  const onEmpty = node.headers.onEmpty as OnEmpty | undefined;
  return {
    onEmpty: onEmpty && ON_EMPTY.includes(onEmpty) ? onEmpty : 'admin',
    allowSelfApproval: node.headers.allowSelfApproval === 'true',
  };
}

/** Problems with the routing headers, for deploy-time validation. */
export function routingHeaderProblems(headers: Record<string, string>): string[] {
  const out: string[] = [];
  if (headers.onEmpty !== undefined && !(ON_EMPTY as readonly string[]).includes(headers.onEmpty))
    out.push(`header onEmpty must be one of ${ON_EMPTY.join(', ')}`);
  if (
    headers.allowSelfApproval !== undefined &&
    !['true', 'false'].includes(headers.allowSelfApproval)
  )
    out.push('header allowSelfApproval must be true or false');
  return out;
}

/** Process property `autoApproveRepeated` (default true). */
export function autoApprovesRepeated(g: Pick<ProcessGraph, 'properties'>): boolean {
  return g.properties?.autoApproveRepeated !== 'false';
}

/** A task's assignment as its expressions gave it (logins and role names). */
export interface Assignment {
  assignee: string | null;
  users: string[];
  groups: string[];
}

/** A comma-joined list (`a, b`) or a FEEL list, as names (trimmed, no empties or repeats). */
function namesOf(v: unknown): string[] {
  const items = Array.isArray(v) ? v.flat() : typeof v === 'string' ? v.split(',') : [v];
  const names = items.filter((x) => x !== null && x !== undefined).map((x) => String(x).trim());
  return [...new Set(names.filter(Boolean))];
}

/**
 * The assignment from the node's zeebe:assignmentDefinition, each attribute evaluated by `value`
 * (literal or FEEL). An assignee that comes out as a list is one person when it holds one login,
 * else its logins become candidate users (any one of them decides).
 */
export function evaluateAssignment(node: GraphNode, value: (raw: string) => unknown): Assignment {
  const raw = node.assignee ? value(node.assignee) : null;
  const assignees = Array.isArray(raw)
    ? namesOf(raw)
    : raw === null || raw === undefined || raw === ''
      ? []
      : [String(raw)];
  const users = namesOf(node.candidateUsers ? value(node.candidateUsers) : null);
  return {
    assignee: assignees.length === 1 ? assignees[0] : null,
    users: assignees.length > 1 ? [...new Set([...assignees, ...users])] : users,
    groups: namesOf(node.candidateGroups ? value(node.candidateGroups) : null),
  };
}

/** How an approval node's list came out. */
export type Route =
  | {
      kind: 'assigned';
      assignment: Assignment;
      /** approvers: as the sources gave them; supervisor: separation of duties; admin: onEmpty. */
      via: 'approvers' | 'supervisor' | 'admin';
    }
  | { kind: 'auto-approve' }
  | { kind: 'refuse' };

/**
 * Separation of duties and the empty-list rule, over an evaluated assignment. Unless the node
 * allows self-approval, the initiator is taken off the list; when that empties it, the
 * initiator's supervisor decides (a manager's own quote goes to the manager's supervisor). A list
 * that is still empty follows `onEmpty`. A candidate group counts as empty when no active user
 * other than the initiator holds the role (the group stays on the task: row rules narrow it when
 * someone claims it, visibility.ts). Named logins are taken as written: a source function has
 * already left out inactive users.
 */
export function routeApprovers(
  a: Assignment,
  org: OrgIndex,
  initiator: string | null,
  s: RoutingSettings,
): Route {
  const self = s.allowSelfApproval ? null : initiator;
  const holders = org.roleMembers(a.groups);
  const before = [a.assignee, ...a.users, ...holders].filter((x): x is string => !!x);
  const kept: Assignment = {
    assignee: a.assignee === self ? null : a.assignee,
    users: a.users.filter((u) => u !== self),
    groups: a.groups,
  };
  const left = [kept.assignee, ...kept.users, ...holders.filter((h) => h !== self)].filter(
    (x): x is string => !!x,
  );
  if (left.length) return { kind: 'assigned', assignment: kept, via: 'approvers' };
  if (before.length && self) {
    const sup = org.supervisor(self);
    if (sup) return { kind: 'assigned', assignment: single(sup), via: 'supervisor' };
  }
  return onEmpty(org, self, s.onEmpty);
}

const single = (login: string): Assignment => ({ assignee: login, users: [], groups: [] });

function onEmpty(org: OrgIndex, self: string | null, rule: OnEmpty): Route {
  switch (rule) {
    case 'approve':
      return { kind: 'auto-approve' };
    case 'refuse':
      return { kind: 'refuse' };
    case 'admin': {
      // the initiator is no second pair of eyes, unless nobody else administers
      const all = org.roleMembers([ADMIN_ROLE]);
      const others = all.filter((l) => l !== self);
      const admins = others.length ? others : all;
      if (!admins.length) return { kind: 'refuse' };
      return {
        kind: 'assigned',
        assignment:
          admins.length === 1 ? single(admins[0]) : { assignee: null, users: admins, groups: [] },
        via: 'admin',
      };
    }
  }
}

/**
 * A multi-instance approval node whose collection is its approvers: each inner task is assigned
 * its element (`assignee="=approver"` or `candidateUsers="=approver"` with
 * `inputElement="approver"`). Its rules apply to the collection, not to each inner task.
 */
export function isApproverCollection(node: GraphNode): boolean {
  const el = node.loop?.inputElement;
  if (!el || !isApprovalNode(node)) return false;
  return [node.assignee, node.candidateUsers].some(
    (x) => x !== undefined && stripEq(x).trim() === el,
  );
}

/**
 * The collection of an approver multi-instance node after the rules: the approvers left, the
 * initiator's supervisor, or the admins as one element (a list: any one of them decides — an
 * assignee that is a list becomes candidate users); an empty list when the node approves itself.
 */
export function routeCollection(
  items: unknown[],
  org: OrgIndex,
  initiator: string | null,
  s: RoutingSettings,
): { route: Route; items: unknown[] } {
  const route = routeApprovers(
    { assignee: null, users: loginsOf(items), groups: [] },
    org,
    initiator,
    s,
  );
  if (route.kind !== 'assigned') return { route, items: [] };
  const a = route.assignment;
  if (route.via === 'admin') return { route, items: [a.assignee ? a.assignee : a.users] };
  return { route, items: a.assignee ? [a.assignee] : a.users };
}

/** The one person an assignment names, if it names exactly one (and no group). */
export function singleApprover(a: Assignment): string | null {
  if (a.groups.length) return null;
  if (a.assignee && !a.users.filter((u) => u !== a.assignee).length) return a.assignee;
  if (!a.assignee && a.users.length === 1) return a.users[0];
  return null;
}

export function approversEmpty(node: GraphNode): CrmError {
  const name = node.name ? `${node.name} (${node.id})` : node.id;
  return new CrmError(
    ErrorCode.ApproversEmpty,
    `approval node ${name} has no approvers and its rule is to refuse (onEmpty: refuse)`,
    [{ path: node.id, elementId: node.id, message: 'no approvers' }],
  );
}

// ---- step-bound: what the engine does with a route --------------------------------------------

/** A decision the engine made itself: a completed task row (the timeline shows it) and history. */
export async function recordAutoApproval(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  detail: { reason: 'no approvers' | 'repeated approver'; approver?: string },
): Promise<number> {
  const now = s.now();
  const task = await s.tx.execute(
    `INSERT INTO crm_wf_task (instance_id, execution_id, element_id, name, assignee, state, created_at, completed_at, completed_by, outcome, version) VALUES (?, ?, ?, ?, ?, 'completed', ?, ?, ?, 'auto-approve', 1)`,
    [
      s.id,
      await s.idOf(exec),
      node.id,
      node.name,
      detail.approver ?? null,
      now,
      now,
      detail.approver ?? null,
    ],
  );
  s.hist(node.id, node.type, 'auto-approve', { taskId: task.insertId, ...detail });
  return task.insertId;
}

/**
 * Completes an approval task the engine decided (as actions.ts completes a person's approve):
 * recorded, then the node goes on with `decision: "approve"`. Other modules may call it.
 */
export async function autoApprove(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  detail: { reason: 'no approvers' | 'repeated approver'; approver?: string },
): Promise<void> {
  await recordAutoApproval(s, exec, node, detail);
  await s.completeActivity(exec, { decision: 'approve' });
}

/** Task outcomes that count as approving (null: a plain completion that let the flow go on). */
const APPROVING = `(outcome IS NULL OR outcome IN ('approve', 'auto-approve'))`;

/**
 * Did `login` approve the approval node completed last in this instance (other than `node`)? The
 * last completed task says which node that was; any approving task of `login` there counts (a
 * countersigner of the previous node).
 */
export async function approvedPrevious(
  s: InstanceStep,
  node: GraphNode,
  login: string,
): Promise<boolean> {
  const [last] = await s.tx.query<{ element_id: string }>(
    `SELECT element_id FROM crm_wf_task WHERE instance_id = ? AND state = 'completed' AND element_id <> ? ORDER BY completed_at DESC, id DESC LIMIT 1`,
    [s.id, node.id],
  );
  const prev = last && s.graph.nodes.get(last.element_id);
  if (!prev || !isApprovalNode(prev)) return false;
  const [mine] = await s.tx.query(
    `SELECT id FROM crm_wf_task WHERE instance_id = ? AND element_id = ? AND state = 'completed' AND completed_by = ? AND ${APPROVING} LIMIT 1`,
    [s.id, prev.id, login],
  );
  return !!mine;
}

/**
 * The assignment of a user task about to be created, after the approval rules; null when the
 * engine approved it itself (the activity has completed). `node` must be a UserTask.
 */
export async function assignApprovalTask(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
): Promise<Assignment | null> {
  const c = s.scopeVars(exec);
  const evaluated = evaluateAssignment(node, (raw) => s.attr(raw, c, node.id));
  if (!isApprovalNode(node)) return evaluated;
  const inner = s.isInner(exec) && !!node.loop;
  let a = evaluated;
  // an approver collection had its rules applied once, to the whole collection
  if (!(inner && isApproverCollection(node))) {
    const route = routeApprovers(a, s.org, s.row.started_by, routingSettings(node));
    if (route.kind === 'refuse') throw approversEmpty(node);
    if (route.kind === 'auto-approve') {
      await autoApprove(s, exec, node, { reason: 'no approvers' });
      return null;
    }
    a = route.assignment;
  }
  const one = singleApprover(a);
  const alone = !inner || s.parent(exec)?.loop?.items?.length === 1;
  if (one && alone && autoApprovesRepeated(s.graph) && (await approvedPrevious(s, node, one))) {
    await autoApprove(s, exec, node, { reason: 'repeated approver', approver: one });
    return null;
  }
  return a;
}

/**
 * The items of a multi-instance node after the approval rules (unchanged for other nodes). When
 * the node approves itself, the decision is recorded and the items are empty: the body completes
 * at once, and a node with no inner decisions comes out approved (behaviors/approval.ts).
 */
export async function approverItems(
  s: InstanceStep,
  body: Exec,
  node: GraphNode,
  items: unknown[],
): Promise<unknown[]> {
  if (!isApproverCollection(node)) return items;
  const routed = routeCollection(items, s.org, s.row.started_by, routingSettings(node));
  if (routed.route.kind === 'refuse') throw approversEmpty(node);
  if (routed.route.kind === 'auto-approve')
    await recordAutoApproval(s, body, node, { reason: 'no approvers' });
  return routed.items;
}
