import { recordCompletion } from './compensation';
import { approverItems } from '../../approvals/approvers';
import { StepIncident } from '../expressions';
import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { approvalOutcome, approvalSettled, isApprovalNode, jumpBack, rejectAt } from './approval';
import { armBoundaries, disarm } from './events';
import { leave } from './gateways';

/**
 * Multi-instance: the token at the activity becomes the body (a scope holding the items and the
 * progress); each inner instance is a child token carrying `loopCounter`, the `inputElement` and
 * the `outputElement` as local variables. Parallel spawns every inner instance at once,
 * sequential one after another. `outputElement` is evaluated in each inner instance's scope when
 * it completes; the body ends when all completed or `completionCondition` holds (unfinished
 * instances are cancelled), and `outputCollection` goes to the body's flow scope.
 */
export async function startMultiInstance(
  s: InstanceStep,
  body: Exec,
  node: GraphNode,
): Promise<void> {
  const collection = s.feel(node.loop!.inputCollection, s.scopeVars(body), node.id);
  if (!Array.isArray(collection))
    throw new StepIncident(
      'expression',
      `multi-instance ${node.id}: inputCollection is not a list`,
    );
  // an approval node's approvers: separation of duties and the empty-list rule
  const items = await approverItems(s, body, node, collection);
  body.state = 'scope';
  body.loop = { items, next: 0, completed: 0, outputs: items.map(() => null) };
  await armBoundaries(s, body, node);
  if (items.length === 0) return finishMultiInstance(s, body, node);
  const n = node.loop!.sequential ? 1 : items.length;
  for (let i = 0; i < n; i++) await spawnInner(s, body, node);
}

async function spawnInner(s: InstanceStep, body: Exec, node: GraphNode): Promise<void> {
  const i = body.loop!.next!;
  body.loop!.next = i + 1;
  const vars: Record<string, unknown> = { loopCounter: i + 1 };
  if (node.loop!.inputElement) vars[node.loop!.inputElement] = body.loop!.items![i];
  if (node.loop!.outputElement && node.loop!.outputCollection) {
    // the output element is usually a variable the inner instance sets: make it local
    const name = node.loop!.outputElement;
    if (/^[A-Za-z_]\w*$/.test(name) && !(name in vars)) vars[name] = null;
  }
  s.queue.push(await s.createExec(body.id, node.id, 'ready', vars, { index: i }));
}

export async function innerDone(s: InstanceStep, inner: Exec, node: GraphNode): Promise<void> {
  const body = s.parent(inner)!;
  const loop = body.loop!;
  if (node.loop!.outputElement)
    loop.outputs![inner.loop!.index!] = s.feel(
      node.loop!.outputElement,
      s.scopeVars(inner),
      node.id,
    );
  loop.completed = (loop.completed ?? 0) + 1;
  await disarm(s, inner, node);
  s.hist(node.id, node.type, 'end');
  s.drop(inner);
  const total = loop.items!.length;
  const active = s.children(body.id).length;
  const done =
    loop.completed >= total ||
    (isApprovalNode(node) && approvalSettled(node, loop)) ||
    (node.loop!.completionCondition !== undefined &&
      s.feel(
        node.loop!.completionCondition,
        {
          ...s.scopeVars(body),
          numberOfInstances: total,
          numberOfCompletedInstances: loop.completed,
          numberOfActiveInstances: active,
        },
        node.id,
      ) === true);
  if (done) {
    for (const other of s.children(body.id)) await s.cancelExec(other);
    return finishMultiInstance(s, body, node);
  }
  if (node.loop!.sequential && loop.next! < total) await spawnInner(s, body, node);
}

async function finishMultiInstance(s: InstanceStep, body: Exec, node: GraphNode): Promise<void> {
  if (node.loop!.outputCollection)
    s.setVar(s.parent(body), node.loop!.outputCollection, body.loop!.outputs ?? []);
  if (isApprovalNode(node)) {
    // the node's outcome, for the flows after it (an inner decision set `decision` too)
    const outcome = approvalOutcome(node, body.loop!);
    s.setVar(s.parent(body), 'decision', outcome);
    if (outcome === 'reject') return rejectAt(s, body, node);
  }
  // compensable only when every instance completed (Zeebe), and then once for them all
  const allCompleted = (body.loop!.completed ?? 0) >= body.loop!.items!.length;
  body.loop = null;
  body.state = 'ready';
  await disarm(s, body, node);
  s.hist(node.id, node.type, 'end');
  if (allCompleted) await recordCompletion(s, body, node);
  if (body.vars?.crmJumpBack !== undefined && (await jumpBack(s, body))) return;
  await leave(s, body);
}

/** 加签 alongside on a multi-instance node: one more inner instance for `item`. */
export async function addInnerInstance(
  s: InstanceStep,
  body: Exec,
  node: GraphNode,
  item: unknown,
): Promise<void> {
  const loop = body.loop!;
  loop.items = [...loop.items!, item];
  loop.outputs = [...(loop.outputs ?? []), null];
  if (loop.decisions) loop.decisions = [...loop.decisions, null];
  // sequential: it comes last, when its turn comes; parallel: it starts now
  if (!node.loop!.sequential) await spawnInner(s, body, node);
}
