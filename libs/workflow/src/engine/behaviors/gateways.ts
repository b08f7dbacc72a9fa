import { StepIncident } from '../expressions';
import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { arm, endToken } from './events';
import { forgetStartListened } from './listeners';
import { isActivity } from './index';
import type { ElementBehavior } from './types';

/**
 * Sequence flow selection and the gateways. `leave` picks the outgoing flows of any element (an
 * exclusive gateway the first true condition or its default, an inclusive one every true one, a
 * parallel one all, other elements their unconditional flows plus the true conditional ones) and
 * moves the token; more flows fork new tokens.
 */
export async function leave(s: InstanceStep, exec: Exec): Promise<void> {
  const node = s.node(exec.elementId);
  const c = () => s.scopeVars(exec);
  let targets: string[];
  const conditional = node.outgoing.filter(
    (f) => f.id !== node.defaultFlow && f.condition !== undefined,
  );
  const holds = (f: { condition?: string }) => s.feel(f.condition!, c(), node.id) === true;
  const dflt = node.outgoing.find((f) => f.id === node.defaultFlow);
  if (node.type === 'ExclusiveGateway') {
    const hit = node.outgoing.find(
      (f) => f.id !== node.defaultFlow && (f.condition === undefined || holds(f)),
    );
    const chosen = hit ?? dflt;
    if (!chosen)
      throw new StepIncident(
        'no-matching-flow',
        `no condition out of ${node.id} is true and it has no default flow`,
      );
    targets = [chosen.target];
  } else if (node.type === 'InclusiveGateway') {
    const hits = node.outgoing.filter(
      (f) => f.id !== node.defaultFlow && (f.condition === undefined || holds(f)),
    );
    if (!hits.length && !dflt)
      throw new StepIncident(
        'no-matching-flow',
        `no condition out of ${node.id} is true and it has no default flow`,
      );
    targets = (hits.length ? hits : [dflt!]).map((f) => f.target);
  } else if (node.type === 'ParallelGateway') {
    targets = node.outgoing.map((f) => f.target);
  } else {
    const plain = node.outgoing.filter(
      (f) => f.condition === undefined && f.id !== node.defaultFlow,
    );
    const taken = [...plain, ...conditional.filter(holds)];
    targets = (taken.length ? taken : dflt ? [dflt] : []).map((f) => f.target);
  }
  if (!isActivity(node.type) && node.type !== 'EndEvent') s.hist(node.id, node.type, 'end');
  if (targets.length === 0) return endToken(s, exec);
  exec.elementId = targets[0];
  forgetStartListened(exec);
  exec.state = 'ready';
  exec.vars = null;
  s.queue.push(exec);
  for (const t of targets.slice(1)) s.queue.push(await s.createExec(exec.parentId, t));
}

async function join(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  s.park(exec, 'joined');
  if (node.type === 'InclusiveGateway') return; // settled when nothing else can arrive
  const joined = s
    .children(exec.parentId)
    .filter((e) => e.elementId === node.id && e.state === 'joined');
  if (joined.length < node.incoming) return;
  await fireJoin(s, exec, joined);
}

async function fireJoin(s: InstanceStep, exec: Exec, joined: Exec[]): Promise<void> {
  for (const other of joined) if (other !== exec) s.drop(other);
  exec.state = 'ready';
  await leave(s, exec);
}

/** An inclusive join fires once no other token of its scope can still reach it. */
export async function settleInclusiveJoins(s: InstanceStep): Promise<boolean> {
  let fired = false;
  for (const exec of [...s.execs.values()]) {
    if (exec.state !== 'joined' || !s.execs.has(exec.id)) continue;
    const node = s.node(exec.elementId);
    if (node.type !== 'InclusiveGateway') continue;
    const siblings = s.children(exec.parentId);
    const pending = siblings.some(
      (o) =>
        !(o.elementId === node.id && o.state === 'joined') &&
        (s.graph.reach.get(o.elementId)?.has(node.id) ?? false),
    );
    if (pending) continue;
    const joined = siblings.filter((o) => o.elementId === node.id && o.state === 'joined');
    await s.guard(exec, () => fireJoin(s, exec, joined));
    fired = true;
  }
  return fired;
}

export const exclusiveGateway: ElementBehavior = { enter: (s, exec) => leave(s, exec) };

/** Parallel and inclusive gateways: a fork passes, a join (several incoming flows) waits. */
export const forkOrJoin: ElementBehavior = {
  enter: (s, exec, node) => (node.incoming > 1 ? join(s, exec, node) : leave(s, exec)),
};

/** The token waits on every event after the gateway; the first to fire wins (events.ts). */
export const eventBasedGateway: ElementBehavior = {
  async enter(s, exec, node) {
    s.park(exec, 'waiting');
    for (const f of node.outgoing) await arm(s, s.node(f.target), exec);
  },
};
