import { checkFeel } from '@crm/metadata';
import type { BpmnDefinitions, BpmnElement } from './bpmn-model';
import { TimerSpecError, planTimer, shortestCycleMs } from './engine/timers';

/** One reason a diagram cannot run, at the element it concerns. */
export interface BpmnProblem {
  elementId: string | null;
  elementType: string;
  message: string;
}

export interface ProcessSummary {
  id: string;
  name: string | null;
  /** isExecutable="false" processes are stored and viewable, never started. */
  executable: boolean;
}

export interface BpmnValidation {
  processes: ProcessSummary[];
  problems: BpmnProblem[];
}

const short = (t: string): string => t.replace(/^bpmn:/, '');

/** Flow nodes the engine runs. Every other task type is an external job workers fetch and lock. */
const TASKS = new Set([
  'bpmn:UserTask',
  'bpmn:ServiceTask',
  'bpmn:ScriptTask',
  'bpmn:ReceiveTask',
  'bpmn:SendTask',
  'bpmn:Task',
  'bpmn:BusinessRuleTask',
  'bpmn:ManualTask',
]);
const GATEWAYS = new Set([
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:InclusiveGateway',
  'bpmn:EventBasedGateway',
]);
const EVENTS = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:BoundaryEvent',
]);
const CONTAINERS = new Set(['bpmn:SubProcess', 'bpmn:CallActivity']);
/** Elements that carry no behaviour: data, annotations, groups. */
const INERT = new Set([
  'bpmn:SequenceFlow',
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
]);

/** Which event definitions each event kind supports. */
const EVENT_DEFS: Record<string, string[]> = {
  'bpmn:StartEvent': ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'],
  'bpmn:EndEvent': ['bpmn:TerminateEventDefinition', 'bpmn:ErrorEventDefinition'],
  'bpmn:IntermediateCatchEvent': ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'],
  'bpmn:BoundaryEvent': [
    'bpmn:TimerEventDefinition',
    'bpmn:ErrorEventDefinition',
    'bpmn:MessageEventDefinition',
  ],
};

const list = <T = BpmnElement>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

function extension(el: BpmnElement, type: string): BpmnElement | undefined {
  const ext = el.extensionElements as { values?: BpmnElement[] } | undefined;
  return list(ext?.values).find((v) => v.$type === type);
}

/** A FEEL expression as written in Camunda 8 diagrams: `=expr`; plain text is a static value. */
function feelProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !raw.trim().startsWith('=')) return undefined;
  const check = checkFeel(raw.trim().slice(1));
  return check.ok ? undefined : `invalid FEEL ${JSON.stringify(raw)}: ${check.message}`;
}

export interface ValidateOptions {
  /** Shortest gap allowed between two firings of a timer cycle, ms (TIMER_MIN_CYCLE_MS). */
  minCycleMs?: number;
}

/** Process and element ids are stored in indexed columns of 191 characters. */
const MAX_ID_LENGTH = 191;

class Validator {
  readonly problems: BpmnProblem[] = [];
  constructor(private readonly opts: ValidateOptions = {}) {}

  add(el: BpmnElement | null, message: string): void {
    this.problems.push({
      elementId: el?.id ?? null,
      elementType: el ? short(el.$type) : 'Definitions',
      message,
    });
  }

  /** Checks the flow elements of a process or embedded subprocess. */
  scope(container: BpmnElement, isProcess: boolean): void {
    if (!isProcess && container.triggeredByEvent) {
      this.add(container, 'event subprocesses are not supported');
      return;
    }
    const elements = list(container.flowElements);
    const starts = elements.filter((e) => e.$type === 'bpmn:StartEvent');
    if (starts.length === 0) {
      this.add(
        container,
        isProcess
          ? 'a process needs a start event'
          : 'an embedded subprocess needs a none start event',
      );
    }
    if (!isProcess && starts.some((s) => list(s.eventDefinitions).length > 0)) {
      this.add(container, 'an embedded subprocess starts with a none start event only');
    }
    for (const el of elements) this.element(el, elements);
  }

  element(el: BpmnElement, siblings: BpmnElement[]): void {
    const t = el.$type;
    if (INERT.has(t)) {
      if (t === 'bpmn:SequenceFlow') this.sequenceFlow(el);
      return;
    }
    if (TASKS.has(t)) return this.task(el);
    if (GATEWAYS.has(t)) return this.gateway(el, siblings);
    if (EVENTS.has(t)) return this.event(el);
    if (t === 'bpmn:SubProcess') return this.scope(el, false);
    if (t === 'bpmn:CallActivity') return this.callActivity(el);
    if (CONTAINERS.has(t)) return;
    this.add(el, `${short(t)} is not in the executable subset`);
  }

  task(el: BpmnElement): void {
    if (
      el.$type === 'bpmn:ServiceTask' ||
      el.$type === 'bpmn:SendTask' ||
      el.$type === 'bpmn:BusinessRuleTask'
    ) {
      const def = extension(el, 'zeebe:TaskDefinition');
      if (!def?.type)
        this.add(
          el,
          `a ${short(el.$type)} needs zeebe:taskDefinition with a type (a built-in task type or an external job type)`,
        );
      const bad = feelProblem(def?.type);
      if (bad) this.add(el, bad);
    }
    if (el.$type === 'bpmn:ScriptTask') {
      const script = extension(el, 'zeebe:Script');
      if (!script?.expression || !script.resultVariable)
        this.add(el, 'a scriptTask needs zeebe:script with a FEEL expression and a resultVariable');
      const bad = feelProblem(script?.expression);
      if (bad) this.add(el, bad);
    }
    if (el.$type === 'bpmn:ReceiveTask')
      this.messageRef(el, el.messageRef as BpmnElement | undefined);
    if (el.$type === 'bpmn:UserTask') {
      const a = extension(el, 'zeebe:AssignmentDefinition');
      for (const key of ['assignee', 'candidateGroups', 'candidateUsers']) {
        const bad = feelProblem(a?.[key]);
        if (bad) this.add(el, bad);
      }
    }
    this.loop(el);
    this.ioMapping(el);
  }

  loop(el: BpmnElement): void {
    const lc = el.loopCharacteristics as BpmnElement | undefined;
    if (!lc) return;
    if (lc.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
      this.add(el, 'standard loops are not supported; use multi-instance');
      return;
    }
    const z = extension(lc, 'zeebe:LoopCharacteristics');
    if (!z?.inputCollection)
      this.add(
        el,
        'a multi-instance activity needs zeebe:loopCharacteristics with an inputCollection',
      );
    for (const key of ['inputCollection', 'outputCollection']) {
      const bad = feelProblem(z?.[key]);
      if (bad) this.add(el, bad);
    }
    const cond = lc.completionCondition as BpmnElement | undefined;
    const bad = feelProblem(cond?.body);
    if (bad) this.add(el, bad);
  }

  ioMapping(el: BpmnElement): void {
    const io = extension(el, 'zeebe:IoMapping');
    for (const m of [...list(io?.inputParameters), ...list(io?.outputParameters)]) {
      const bad = feelProblem(m.source);
      if (bad) this.add(el, bad);
    }
  }

  gateway(el: BpmnElement, siblings: BpmnElement[]): void {
    // from the flows' sourceRef: <bpmn:outgoing> children are optional in the XML
    const outgoing = siblings.filter((f) => f.$type === 'bpmn:SequenceFlow' && f.sourceRef === el);
    if (el.$type === 'bpmn:ExclusiveGateway' || el.$type === 'bpmn:InclusiveGateway') {
      const dflt = el.default as BpmnElement | undefined;
      if (outgoing.length > 1) {
        for (const flow of outgoing) {
          if (flow === dflt) continue;
          if (!flow.conditionExpression) {
            this.add(
              flow,
              `flow out of ${short(el.$type)} ${el.id} needs a condition (or to be its default flow)`,
            );
          }
        }
      }
    }
    if (el.$type === 'bpmn:EventBasedGateway') {
      for (const flow of outgoing) {
        const target = flow.targetRef as BpmnElement | undefined;
        const ok =
          target &&
          (target.$type === 'bpmn:ReceiveTask' ||
            (target.$type === 'bpmn:IntermediateCatchEvent' &&
              list(target.eventDefinitions).length === 1));
        if (!ok)
          this.add(
            el,
            'an event-based gateway must lead to message/timer catch events or receive tasks',
          );
      }
    }
  }

  sequenceFlow(el: BpmnElement): void {
    const cond = el.conditionExpression as BpmnElement | undefined;
    if (!cond) return;
    const body = String(cond.body ?? '').trim();
    if (!body) {
      this.add(el, 'an empty condition');
      return;
    }
    const check = checkFeel(body.startsWith('=') ? body.slice(1) : body);
    if (!check.ok) this.add(el, `invalid FEEL condition ${JSON.stringify(body)}: ${check.message}`);
  }

  event(el: BpmnElement): void {
    const defs = list(el.eventDefinitions);
    if (defs.length > 1) {
      this.add(el, 'multiple event definitions on one event are not supported');
      return;
    }
    const def = defs[0];
    if (def && !EVENT_DEFS[el.$type].includes(def.$type)) {
      this.add(
        el,
        `${short(def.$type).replace('EventDefinition', '')} ${short(el.$type)} is not in the executable subset`,
      );
      return;
    }
    if (!def && el.$type === 'bpmn:BoundaryEvent')
      this.add(el, 'a boundary event needs a timer, error or message definition');
    if (!def && el.$type === 'bpmn:IntermediateCatchEvent')
      this.add(el, 'a catch event needs a timer or message definition');
    if (!def) return;
    if (def.$type === 'bpmn:TimerEventDefinition') {
      const spec = (def.timeDate ?? def.timeDuration ?? def.timeCycle) as BpmnElement | undefined;
      if (!spec || !String(spec.body ?? '').trim())
        this.add(el, 'a timer needs a timeDate, timeDuration or timeCycle');
      else {
        const bad = feelProblem(spec.body);
        if (bad) this.add(el, bad);
        const body = String(spec.body).trim();
        if (!body.startsWith('=')) {
          // a literal spec is checked now, not when the timer is due
          const kind = def.timeDate ? 'date' : def.timeDuration ? 'duration' : 'cycle';
          try {
            planTimer(kind, body, new Date());
            const min = this.opts.minCycleMs ?? 0;
            if (kind === 'cycle' && min > 0) {
              const gap = shortestCycleMs(body, new Date());
              if (gap < min)
                this.add(
                  el,
                  `timer cycle "${body}" fires every ${gap} ms; the shortest allowed is ${min} ms (TIMER_MIN_CYCLE_MS)`,
                );
            }
          } catch (e) {
            if (!(e instanceof TimerSpecError)) throw e;
            this.add(el, `bad timer: ${e.message}`);
          }
        }
      }
      if (def.timeCycle && el.$type === 'bpmn:BoundaryEvent' && el.cancelActivity !== false) {
        this.add(el, 'a cycle is allowed on a non-interrupting timer boundary event only');
      }
    }
    if (def.$type === 'bpmn:MessageEventDefinition')
      this.messageRef(el, def.messageRef as BpmnElement | undefined);
  }

  messageRef(el: BpmnElement, message: BpmnElement | undefined): void {
    if (!message?.name) {
      this.add(el, 'needs a message with a name');
      return;
    }
    const bad = feelProblem(message.name);
    if (bad) this.add(el, bad);
  }

  callActivity(el: BpmnElement): void {
    const called = extension(el, 'zeebe:CalledElement');
    if (!called?.processId)
      this.add(el, 'a call activity needs zeebe:calledElement with a processId');
    this.loop(el);
    this.ioMapping(el);
  }
}

/**
 * Checks a parsed diagram against the executable subset. Non-executable processes are only
 * listed (they are stored and viewable); executable ones must pass every check.
 */
export function validateBpmn(
  definitions: BpmnDefinitions,
  opts: ValidateOptions = {},
): BpmnValidation {
  const v = new Validator(opts);
  const processes = list(definitions.rootElements).filter((e) => e.$type === 'bpmn:Process');
  if (processes.length === 0) v.add(definitions, 'the diagram has no process');
  const summaries: ProcessSummary[] = processes.map((p) => ({
    id: String(p.id),
    name: (p.name as string) ?? null,
    executable: p.isExecutable === true,
  }));
  for (const p of processes)
    if (String(p.id ?? '').length > MAX_ID_LENGTH) {
      // named by its start only: a 5,000-character id would swamp the answer
      v.problems.push({
        elementId: `${String(p.id).slice(0, 40)}…`,
        elementType: 'Process',
        message: `a process id is at most ${MAX_ID_LENGTH} characters (this one has ${String(p.id).length})`,
      });
    } else if (p.isExecutable === true) v.scope(p, true);
  return { processes: summaries, problems: v.problems };
}
