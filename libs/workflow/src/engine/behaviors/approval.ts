import { approvalSettings } from '../../approvals/settings';
import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep, LoopState } from '../step';

/**
 * The decision semantics of an approval node (a userTask with header `approvalMode`): the
 * engine, not the diagram, decides when a multi-instance node has its outcome (或签 / 会签 / vote /
 * 依次) and where a rejection goes. Zeebe ignores the headers; the README says so.
 */
export const isApprovalNode = (node: GraphNode): boolean =>
  node.type === 'UserTask' && node.headers.approvalMode !== undefined;

export type Decision = 'approve' | 'reject';
const asDecision = (v: unknown): Decision => (v === 'reject' ? 'reject' : 'approve');

/** An inner instance of an approval node decided: kept on the body for the node's outcome. */
export function noteDecision(body: Exec, inner: Exec, decision: unknown): void {
  const loop = body.loop!;
  const decisions = (loop.decisions ??= loop.items!.map(() => null));
  decisions[inner.loop!.index!] = asDecision(decision);
}

function tally(loop: LoopState): { approvals: number; rejections: number; total: number } {
  const ds = loop.decisions ?? [];
  return {
    approvals: ds.filter((d) => d === 'approve').length,
    rejections: ds.filter((d) => d === 'reject').length,
    total: loop.items?.length ?? 0,
  };
}

/** Approvals a vote needs: the smallest count reaching the pass ratio. */
export const votesNeeded = (total: number, ratio: number): number =>
  Math.max(1, Math.ceil(total * ratio - 1e-9));

/** The node's outcome is certain: its other open tasks are cancelled and it completes. */
export function approvalSettled(node: GraphNode, loop: LoopState): boolean {
  const st = approvalSettings(node);
  const { approvals, rejections, total } = tally(loop);
  switch (st.mode) {
    case 'any':
      return approvals + rejections > 0;
    case 'all':
    case 'sequential':
      return rejections > 0;
    case 'vote': {
      const need = votesNeeded(total, st.passRatio);
      return approvals >= need || rejections > total - need;
    }
    default:
      return false;
  }
}

/** The outcome of a multi-instance approval node from its inner decisions. */
export function approvalOutcome(node: GraphNode, loop: LoopState): Decision {
  const st = approvalSettings(node);
  const { approvals, rejections, total } = tally(loop);
  // nobody to ask and the node's rule approved it (onEmpty: approve, approvals/approvers.ts)
  if (total === 0) return 'approve';
  if (st.mode === 'vote')
    return approvals >= votesNeeded(total, st.passRatio) ? 'approve' : 'reject';
  if (st.mode === 'any') {
    const first = (loop.decisions ?? []).find((d) => d !== null);
    return asDecision(first ?? 'approve');
  }
  return rejections > 0 ? 'reject' : 'approve';
}

/**
 * A rejected approval node: an error boundary event with errorCode `rejected` on it is the
 * rejected path; without one the instance ends with outcome `rejected`.
 */
export async function rejectAt(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  const caught = node.boundaries.some((b) => s.node(b).error?.code === 'rejected');
  if (caught) return s.throwError(exec, 'rejected', `${node.id} was rejected`);
  s.outcome = 'rejected';
  for (const e of [...s.children(null)]) if (s.execs.has(e.id)) await s.cancelExec(e);
  await s.end('completed', { rejectedAt: node.id });
}

/**
 * A resubmission with policy `jump` (or a node re-run after a return to it) goes straight back to
 * the node that returned it instead of following its flows: the token carries `crmJumpBack`.
 * Returns whether it jumped.
 */
export async function jumpBack(s: InstanceStep, exec: Exec): Promise<boolean> {
  const target = exec.vars?.crmJumpBack;
  if (typeof target !== 'string' || !s.graph.nodes.has(target)) return false;
  s.drop(exec);
  s.queue.push(await s.createExec(exec.parentId, target));
  s.hist(target, s.node(target).type, 'jump-back', { from: exec.elementId });
  return true;
}
