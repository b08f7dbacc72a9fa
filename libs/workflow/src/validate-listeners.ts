import type { BpmnElement } from './bpmn-model';
import { GATEWAYS, extension, list, short } from './validate-bpmn';

/** User task listener events the engine runs (8.8 names, and the 8.7 ones read as them). */
const TASK_LISTENER_EVENTS: Record<string, string> = {
  creating: 'creating',
  create: 'creating',
  completing: 'completing',
  complete: 'completing',
};

/**
 * Execution listeners (start / end) and user task listeners (creating / completing) run as
 * jobs (engine/behaviors/listeners.ts). Refused, naming the element: what Zeebe refuses itself
 * (start listeners on start and boundary events, end listeners on gateways and error end
 * events, a repeated eventType + type) and what this engine does not run (listeners on a
 * multi-instance activity, an event subprocess, a terminate end event or a joining gateway;
 * assigning, updating and canceling task listeners).
 */
export function listenerProblems(
  el: BpmnElement,
  feelProblem: (raw: unknown) => string | undefined,
): string[] {
  const problems: string[] = [];
  const add = (_el: BpmnElement, m: string): void => {
    problems.push(m);
  };
  const t = el.$type;
  const what = short(t)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const execution = list(extension(el, 'zeebe:ExecutionListeners')?.listeners);
  const seen = new Set<string>();
  const defs = list(el.eventDefinitions).map((d) => d.$type);
  for (const l of execution) {
    const event = String(l.eventType ?? '');
    const label = `${event || 'an'} execution listener`;
    if (event !== 'start' && event !== 'end') {
      add(el, `execution listener eventType "${event}" is not start or end`);
      continue;
    }
    listenerJob(add, el, l, feelProblem, label);
    const key = `${event}/${String(l.type ?? '')}`;
    if (seen.has(key))
      add(
        el,
        `two ${event} execution listeners of type "${String(l.type)}" (Zeebe refuses duplicates)`,
      );
    seen.add(key);
    if (event === 'start' && (t === 'bpmn:StartEvent' || t === 'bpmn:BoundaryEvent'))
      add(
        el,
        `a start execution listener on a ${what} is not supported (Zeebe runs none there); use the scope's or the activity's start listener`,
      );
    if (t === 'bpmn:BoundaryEvent' && defs.includes('bpmn:CompensateEventDefinition'))
      add(
        el,
        'execution listeners on a compensation boundary event are not supported (Zeebe runs none there); put them on the compensation handler',
      );
    if (event === 'end' && GATEWAYS.has(t))
      add(
        el,
        `an end execution listener on a ${what} is not supported (Zeebe runs none there); use a start listener on the next element`,
      );
    if (event === 'end' && t === 'bpmn:EndEvent' && defs.includes('bpmn:ErrorEventDefinition'))
      add(
        el,
        'an end execution listener on an error end event is not supported (Zeebe runs none there); put it on the catching event',
      );
    if (event === 'end' && t === 'bpmn:EndEvent' && defs.includes('bpmn:TerminateEventDefinition'))
      add(el, 'an end execution listener on a terminate end event is not supported');
    if (
      event === 'start' &&
      (t === 'bpmn:ParallelGateway' || t === 'bpmn:InclusiveGateway') &&
      list((el.$parent as BpmnElement | undefined)?.flowElements).filter(
        (f) => f.$type === 'bpmn:SequenceFlow' && f.targetRef === el,
      ).length > 1
    )
      add(el, `a start execution listener on a joining ${what} is not supported`);
  }
  // an event after an event-based gateway is entered when it fires, not when armed
  const afterEventGateway = list((el.$parent as BpmnElement | undefined)?.flowElements).some(
    (f) =>
      f.$type === 'bpmn:SequenceFlow' &&
      f.targetRef === el &&
      (f.sourceRef as BpmnElement | undefined)?.$type === 'bpmn:EventBasedGateway',
  );
  if (afterEventGateway && execution.some((l) => l.eventType === 'start'))
    add(
      el,
      `a start execution listener on a ${what} after an event-based gateway is not supported`,
    );
  if (execution.length && el.loopCharacteristics)
    add(el, 'execution listeners on a multi-instance activity are not supported');
  if (execution.length && t === 'bpmn:SubProcess' && el.triggeredByEvent === true)
    add(el, 'execution listeners on an event subprocess are not supported');
  for (const l of list(extension(el, 'zeebe:TaskListeners')?.listeners)) {
    const event = String(l.eventType ?? '');
    if (!TASK_LISTENER_EVENTS[event]) {
      add(el, `a "${event}" task listener is not supported (creating and completing are)`);
      continue;
    }
    listenerJob(add, el, l, feelProblem, `${TASK_LISTENER_EVENTS[event]} task listener`);
  }
  return problems;
}

/** A listener's job: a type (literal or FEEL) and retries (a number or FEEL). */
function listenerJob(
  add: (el: BpmnElement, m: string) => void,
  el: BpmnElement,
  l: BpmnElement,
  feelProblem: (raw: unknown) => string | undefined,
  label: string,
): void {
  if (typeof l.type !== 'string' || !l.type.trim()) add(el, `a ${label} needs a job type`);
  const bad = feelProblem(l.type) ?? feelProblem(l.retries);
  if (bad) add(el, bad);
  const retries = typeof l.retries === 'string' ? l.retries.trim() : '';
  if (retries && !retries.startsWith('=') && !/^\d+$/.test(retries))
    add(el, `a ${label}'s retries "${retries}" is not a whole number`);
}
