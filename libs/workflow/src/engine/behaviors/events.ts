import { type Db, toDbTimestamp } from '@crm/common';
import { StepIncident } from '../expressions';
import { type GraphNode, stripEq } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { type TimerPlan, planTimer } from '../timers';
import { hasBuffered } from '../messages';
import { broadcastSignal } from '../signals';
import { applyInputMappings } from '../variables';
import { reachedEnd } from '../../approvals/outcome';
import { leave } from './gateways';
import { startJob } from './job-task';
import { adHocFlowEnded } from './ad-hoc';
import { throwCompensation } from './compensation';
import { forgetStartListened, listenersOf, runListeners } from './listeners';
import { eventSubprocessStart, scopeTokenOf, startEventSubprocess } from './event-subprocess';
import type { ElementBehavior } from './types';

/**
 * Events: what a token does at start, intermediate, boundary and end events, and how timers and
 * messages are armed and fire. Output mappings of events are applied as Zeebe applies them: the
 * event's variables (a message's payload) are its local input, and each target is propagated from
 * the event's flow scope; without output mappings the variables propagate as they are.
 */

function applyEventOutputs(
  s: InstanceStep,
  exec: Exec,
  node: GraphNode,
  variables: Record<string, unknown>,
): void {
  if (!node.outputs.length) return s.setVars(exec, variables);
  const c = { ...s.scopeVars(exec), ...variables };
  for (const m of node.outputs)
    s.setTarget(s.parent(exec), m.target, s.feel(stripEq(m.source), c, node.id));
}

/** Start and boundary events: their output mappings, then on. */
export const passEvent: ElementBehavior = {
  async enter(s, exec, node) {
    // a boundary token may carry the message that triggered it as its locals
    const locals = exec.vars ?? {};
    exec.vars = null;
    applyEventOutputs(s, exec, node, locals);
    return endListenersThenLeave(s, exec, node);
  },
};

/** An event's end listeners (after its output mappings), then it leaves. */
function endListenersThenLeave(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  if (listenersOf(node, 'end').length) return runListeners(s, exec, node, 'end');
  return leaveEvent(s, exec, node);
}

/** A start, intermediate or boundary event leaves: a link throw jumps to its catch event. */
export function leaveEvent(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  if (node.type === 'IntermediateThrowEvent' && node.link !== undefined)
    return Promise.resolve(jumpToLink(s, exec, node));
  return leave(s, exec);
}

export const intermediateThrowEvent: ElementBehavior = {
  async enter(s, exec, node) {
    if (node.job) return startJob(s, exec, node); // message throw with a job: completes later
    // compensation: waits as the scope of the handlers it started (compensation.ts)
    if (node.compensation && (await throwCompensation(s, exec, node))) return;
    if (node.escalation && !(await throwEscalation(s, exec, node))) return;
    if (node.signal) await throwSignal(s, exec, node);
    if (!s.execs.has(exec.id)) return; // an interrupting catch of its own signal ended it
    applyEventOutputs(s, exec, node, {});
    return endListenersThenLeave(s, exec, node);
  },
};

export const intermediateCatchEvent: ElementBehavior = {
  async enter(s, exec, node) {
    // reached by its link throw event
    if (node.link !== undefined) return endListenersThenLeave(s, exec, node);
    s.park(exec, 'waiting');
    return arm(s, node, exec);
  },
};

export const endEvent: ElementBehavior = {
  async enter(s, exec, node) {
    if (node.job) return startJob(s, exec, node); // message end event with a job
    if (node.compensation && (await throwCompensation(s, exec, node))) return;
    if (node.escalation && !(await throwEscalation(s, exec, node))) return;
    if (node.signal) await throwSignal(s, exec, node);
    if (!s.execs.has(exec.id)) return;
    // none end events: end listeners before the token ends (deploy refuses them elsewhere)
    if (listenersOf(node, 'end').length && !node.error && !node.terminate)
      return runListeners(s, exec, node, 'end');
    s.hist(node.id, node.type, 'end');
    reachedEnd(s, node);
    if (node.error) return throwError(s, exec, node.error.code ?? '', `error end event ${node.id}`);
    if (node.terminate) return terminate(s, exec);
    return endToken(s, exec);
  },
};

/**
 * A message throw or end event whose job completed (InstanceStep.completeActivity routes events
 * here): its output mappings, then the throw event leaves and the end event ends its token.
 */
export async function completeEvent(
  s: InstanceStep,
  exec: Exec,
  variables: Record<string, unknown>,
): Promise<void> {
  const node = s.node(exec.elementId);
  applyEventOutputs(s, exec, node, variables);
  exec.state = 'ready';
  await disarm(s, exec, node);
  if (listenersOf(node, 'end').length) return runListeners(s, exec, node, 'end');
  if (node.type === 'EndEvent') return finishEndEvent(s, exec, node);
  return leaveEvent(s, exec, node);
}

/** A none or message end event ends its token (after its end listeners). */
export function finishEndEvent(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  s.hist(node.id, node.type, 'end');
  reachedEnd(s, node);
  return endToken(s, exec);
}

/**
 * A signal throw or end event broadcasts its signal in this step; its variables are the event's
 * input mappings (Zeebe's signal variables).
 */
async function throwSignal(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  const c = s.scopeVars(exec);
  const name = String(s.attr(node.signal!.name, c, node.id));
  const variables = applyInputMappings(node.inputs, c, {}, node.id, s.feelOptions);
  s.hist(node.id, node.type, 'signal', { name });
  await broadcastSignal(s.ctx, name, variables);
}

/** A link throw event continues at the link catch event of the same name in its scope. */
function jumpToLink(s: InstanceStep, exec: Exec, node: GraphNode): void {
  const target = [...s.graph.nodes.values()].find(
    (n) => n.type === 'IntermediateCatchEvent' && n.link === node.link && n.scope === node.scope,
  );
  if (!target) throw new StepIncident('link', `no link catch event "${node.link}" for ${node.id}`);
  s.hist(node.id, node.type, 'end');
  exec.elementId = target.id;
  forgetStartListened(exec);
  exec.state = 'ready';
  s.queue.push(exec);
}

/**
 * A token reached the end of its path: the scope completes when its last token ends (event
 * subprocess listeners do not keep it alive; they are closed with it).
 */
export async function endToken(s: InstanceStep, exec: Exec): Promise<void> {
  s.drop(exec);
  const scope = s.parent(exec);
  if (!scope || scope.loop?.items) return;
  const scopeNode = s.node(scope.elementId);
  if (scopeNode.adHoc) return adHocFlowEnded(s, scope, scopeNode);
  const rest = s.children(scope.id);
  if (rest.every((c) => c.state === 'listening')) {
    for (const listener of rest) await s.cancelExec(listener);
    await s.completeActivity(scope, {});
  }
}

/**
 * Terminate end event: ends every token of its scope. In a subprocess the subprocess completes;
 * at the top the instance ends `completed` (as Zeebe reports it), so a calling instance goes on.
 */
async function terminate(s: InstanceStep, exec: Exec): Promise<void> {
  const scope = s.parent(exec);
  s.drop(exec);
  for (const other of s.children(scope?.id ?? null)) await s.cancelExec(other);
  if (scope) return s.completeActivity(scope, {});
  await s.end('completed', { terminatedBy: exec.elementId });
}

// ---- timers and messages --------------------------------------------------------------------

/** Creates the timer job or message subscription an event waits on, for token `exec`. */
export async function arm(s: InstanceStep, node: GraphNode, exec: Exec): Promise<void> {
  if (node.timer) {
    const spec = String(s.attr(node.timer.expression, s.scopeVars(exec), node.id));
    const plan = planTimer(node.timer.kind, spec, s.deps.now(), s.deps.settings.timeZone);
    await insertTimerJob(s.tx, plan, {
      definitionId: Number(s.row.definition_id),
      instanceId: s.id,
      executionId: await s.idOf(exec),
      elementId: node.id,
      now: s.now(),
    });
  } else if (node.signal) {
    const name = String(s.attr(node.signal.name, s.scopeVars(exec), node.id));
    await s.tx.execute(
      `INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at, kind) VALUES (?, ?, ?, ?, ?, NULL, ?, 'signal')`,
      [s.row.definition_id, s.id, await s.idOf(exec), node.id, name, s.now()],
    );
  } else if (node.message) {
    const c = s.scopeVars(exec);
    const name = String(s.attr(node.message.name, c, node.id));
    const key = node.message.correlationKey
      ? s.attr(node.message.correlationKey, c, node.id)
      : null;
    const correlationKey = key === null ? null : String(key);
    const sub = await s.tx.execute(
      'INSERT INTO crm_wf_subscription (definition_id, instance_id, execution_id, element_id, message_name, correlation_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [s.row.definition_id, s.id, await s.idOf(exec), node.id, name, correlationKey, s.now()],
    );
    // a message published earlier with a time to live is taken once the step settles
    if (await hasBuffered(s, name, correlationKey))
      s.pendingDeliveries.push({
        exec,
        elementId: node.id,
        subscriptionId: sub.insertId,
        name,
        key: correlationKey,
      });
  }
}

export async function armBoundaries(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  for (const b of node.boundaries) await arm(s, s.node(b), exec);
}

/** Removes the timers and subscriptions a token no longer waits on. */
export async function disarm(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  const armed =
    node.boundaries.some((b) => s.node(b).timer || s.node(b).message || s.node(b).signal) ||
    node.type === 'IntermediateCatchEvent' ||
    node.type === 'ReceiveTask' ||
    node.type === 'EventBasedGateway';
  if (!armed || exec.id < 0) return;
  await s.tx.execute(`DELETE FROM crm_wf_job WHERE execution_id = ? AND kind = 'timer'`, [exec.id]);
  await s.tx.execute('DELETE FROM crm_wf_subscription WHERE execution_id = ?', [exec.id]);
}

/** A timer or message fired for `element` on token `exec`. */
export async function trigger(
  s: InstanceStep,
  exec: Exec,
  element: string,
  variables: Record<string, unknown> = {},
): Promise<void> {
  const node = s.node(element);
  await s.guard(exec, async () => {
    if (exec.state === 'listening') return startEventSubprocess(s, exec.parentId, node, variables);
    if (node.type === 'BoundaryEvent') {
      const parentId = exec.parentId;
      if (node.cancelActivity) await s.cancelExec(exec);
      // the payload is the boundary event's local input (passEvent applies its mappings)
      s.queue.push(await s.createExec(parentId, node.id, 'ready', { ...variables }));
      return;
    }
    const at = s.node(exec.elementId);
    if (at.type === 'EventBasedGateway') {
      await disarm(s, exec, at);
      s.hist(at.id, at.type, 'end');
      exec.elementId = node.id;
      forgetStartListened(exec);
      s.hist(node.id, node.type, 'start');
    }
    if (node.type === 'ReceiveTask') return s.completeActivity(exec, variables);
    await completeEvent(s, exec, variables);
  });
  await s.drain();
}

// ---- errors and escalations -----------------------------------------------------------------

/**
 * Looks for the catcher of an error or escalation thrown at `thrower`, as Zeebe does: the boundary
 * events of the throwing activity, then the event subprocesses of its scope, then the boundary
 * events of that scope's activity, and so on outwards (an end event throws from its scope).
 * `catchesOn` picks a matching boundary event or event subprocess start. Returns the catch made,
 * or null when nothing in this instance catches.
 */
async function catchInScopes(
  s: InstanceStep,
  thrower: Exec,
  catchesOn: (n: GraphNode) => boolean,
  detail: Record<string, unknown>,
  event: string,
): Promise<{ interrupting: boolean } | null> {
  const fromEnd = s.node(thrower.elementId).type === 'EndEvent';
  for (let t: Exec | null = thrower; t; t = s.parent(t)) {
    const n = s.node(t.elementId);
    if (!(t === thrower && fromEnd) && !(s.isInner(t) && n.loop)) {
      const catcher = n.boundaries.map((b) => s.node(b)).find(catchesOn);
      if (catcher) {
        s.hist(n.id, n.type, event, detail);
        const parentId = t.parentId;
        const interrupting = catcher.cancelActivity !== false;
        if (interrupting) await s.cancelExec(t);
        if (fromEnd && s.execs.has(thrower.id) && interrupting) s.drop(thrower);
        s.queue.push(await s.createExec(parentId, catcher.id));
        return { interrupting };
      }
    }
    if (s.isInner(t) && n.loop) continue; // the body is next: same scope
    const start = eventSubprocessStart(s, n.scope, catchesOn);
    if (start) {
      s.hist(start.id, start.type, event, detail);
      const scope = scopeTokenOf(s, t, n.scope);
      const interrupting = start.interrupting !== false;
      if (fromEnd && s.execs.has(thrower.id) && interrupting) s.drop(thrower);
      await startEventSubprocess(s, scope ? scope.id : null, start, {});
      return { interrupting };
    }
  }
  return null;
}

/**
 * Throws a BPMN error from `exec`: the nearest catcher (catchInScopes), then a calling instance's
 * call activity; uncaught, it becomes an incident.
 */
export async function throwError(
  s: InstanceStep,
  exec: Exec,
  code: string,
  message: string,
): Promise<void> {
  const matches = (n: GraphNode) => !!n.error && (!n.error.code || n.error.code === code);
  if (await catchInScopes(s, exec, matches, { code, message }, 'error')) return;
  if (s.row.parent_instance_id) {
    const parent = await s.ctx.load(Number(s.row.parent_instance_id));
    const callExec = parent.execs.get(Number(s.row.parent_execution_id));
    if (callExec) {
      await s.end('terminated');
      await parent.throwError(callExec, code, message);
      await parent.drain();
      return;
    }
  }
  throw new StepIncident(
    'unhandled-error',
    `BPMN error "${code}" (${message}) is not caught by any boundary event or event subprocess`,
  );
}

/**
 * Throws an escalation from an intermediate throw or end event: the nearest catcher
 * (catchInScopes), also across a call activity. An interrupting catch cancels that scope (and the
 * throwing token with it); a non-interrupting one lets the throwing token go on. Uncaught, the
 * token simply goes on — Zeebe raises no incident for an escalation. Returns whether the throwing
 * token continues.
 */
async function throwEscalation(s: InstanceStep, exec: Exec, node: GraphNode): Promise<boolean> {
  const code = node.escalation?.code ?? '';
  const matches = (n: GraphNode) =>
    !!n.escalation && (!n.escalation.code || n.escalation.code === code);
  const detail = { code, from: node.id };
  const here = await catchInScopes(s, exec, matches, detail, 'escalation');
  if (here) return !here.interrupting && s.execs.has(exec.id);
  // not caught in this instance: the calling instances, from their call activities outwards
  let step = s;
  while (step.row.parent_instance_id) {
    const parent = await step.ctx.load(Number(step.row.parent_instance_id));
    const callExec = parent.execs.get(Number(step.row.parent_execution_id));
    if (!callExec) return true;
    const caught = await catchInScopes(parent, callExec, matches, detail, 'escalation');
    if (caught) {
      await parent.drain();
      return !caught.interrupting && s.execs.has(exec.id) && !s.ended;
    }
    step = parent;
  }
  return true;
}

/** Inserts a timer job from its plan (instance timers and definition start timers alike). */
export async function insertTimerJob(
  tx: Db,
  plan: TimerPlan,
  at: {
    definitionId: number;
    instanceId: number | null;
    executionId: number | null;
    elementId: string;
    now: string;
  },
): Promise<void> {
  await tx.execute(
    `INSERT INTO crm_wf_job (kind, type, definition_id, instance_id, execution_id, element_id, due_at, retries, attempts, state, payload, created_at) VALUES ('timer', NULL, ?, ?, ?, ?, ?, 3, 0, 'ready', ?, ?)`,
    [
      at.definitionId,
      at.instanceId,
      at.executionId,
      at.elementId,
      toDbTimestamp(plan.due),
      plan.cycle ? JSON.stringify({ cycle: plan.cycle }) : null,
      at.now,
    ],
  );
}
