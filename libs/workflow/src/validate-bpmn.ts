import { checkFeel } from '@crm/metadata';
import { routingHeaderProblems } from './approvals/approvers';
import { ORG_FUNCTION_NAMES } from './approvals/org';
import { CALENDAR_FUNCTION_NAMES } from './engine/calendar-functions';
import type { BpmnDefinitions, BpmnElement } from './bpmn-model';
import { TimerSpecError, planTimer, shortestCycleMs } from './engine/timers';
import { approvalHeaderProblems } from './approvals/settings';
import type { GraphNode } from './engine/process-graph';
import { propertyProblems } from './approvals/outcome';
import { deadlineHeaderProblems } from './engine/deadline-headers';
import { listenerProblems } from './validate-listeners';

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

export const short = (t: string): string => t.replace(/^bpmn:/, '');

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
export const GATEWAYS = new Set([
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:InclusiveGateway',
  'bpmn:EventBasedGateway',
]);
const EVENTS = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:IntermediateThrowEvent',
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
  'bpmn:StartEvent': [
    'bpmn:TimerEventDefinition',
    'bpmn:MessageEventDefinition',
    'bpmn:SignalEventDefinition',
  ],
  'bpmn:EndEvent': [
    'bpmn:CompensateEventDefinition',
    'bpmn:SignalEventDefinition',
    'bpmn:TerminateEventDefinition',
    'bpmn:ErrorEventDefinition',
    'bpmn:EscalationEventDefinition',
    'bpmn:MessageEventDefinition',
  ],
  'bpmn:IntermediateCatchEvent': [
    'bpmn:SignalEventDefinition',
    'bpmn:TimerEventDefinition',
    'bpmn:MessageEventDefinition',
    'bpmn:LinkEventDefinition',
  ],
  'bpmn:IntermediateThrowEvent': [
    'bpmn:CompensateEventDefinition',
    'bpmn:SignalEventDefinition',
    'bpmn:LinkEventDefinition',
    'bpmn:EscalationEventDefinition',
    'bpmn:MessageEventDefinition',
  ],
  'bpmn:BoundaryEvent': [
    'bpmn:CompensateEventDefinition',
    'bpmn:SignalEventDefinition',
    'bpmn:TimerEventDefinition',
    'bpmn:ErrorEventDefinition',
    'bpmn:MessageEventDefinition',
    'bpmn:EscalationEventDefinition',
  ],
};

/** Start events of event subprocesses. */
const ESP_START_DEFS = [
  'bpmn:SignalEventDefinition',
  'bpmn:TimerEventDefinition',
  'bpmn:MessageEventDefinition',
  'bpmn:ErrorEventDefinition',
  'bpmn:EscalationEventDefinition',
];

/** Zeebe extensions that change what runs: accepted only once the engine runs them too. */
const UNSUPPORTED_EXTENSIONS: Record<string, string> = {};

/** Zeebe's bounds of a user task priority (ZeebePriorityDefinitionValidator). */
export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 100;

/**
 * zeebe:priorityDefinition's priority: FEEL after `=` (checked when the task is created), else an
 * integer from 0 to 100, as Zeebe checks it at deploy.
 */
function priorityProblem(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  if (text.startsWith('=')) return feelProblem(text);
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < PRIORITY_MIN || n > PRIORITY_MAX)
    return `zeebe:priorityDefinition priority must be a number between ${PRIORITY_MIN} and ${PRIORITY_MAX} or a FEEL expression, but was ${JSON.stringify(raw)}`;
  return undefined;
}

/** "signal intermediate throw event": how a modeler user names an event construct. */
export function eventConstruct(eventType: string, definitionType?: string): string {
  const noun = short(eventType)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  if (!definitionType) return `none ${noun}`;
  const kind = short(definitionType)
    .replace('EventDefinition', '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `${kind} ${noun}`;
}

export const list = <T = BpmnElement>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

export function extension(el: BpmnElement, type: string): BpmnElement | undefined {
  const ext = el.extensionElements as { values?: BpmnElement[] } | undefined;
  return list(ext?.values).find((v) => v.$type === type);
}

/** The activity a compensation boundary event's association leads to (in any enclosing scope). */
function compensationHandlerOf(boundary: BpmnElement): BpmnElement | undefined {
  for (
    let c = boundary.$parent as BpmnElement | undefined;
    c;
    c = c.$parent as BpmnElement | undefined
  )
    for (const a of list(c.artifacts))
      if (a.$type === 'bpmn:Association' && a.sourceRef === boundary) {
        const target = a.targetRef as BpmnElement | undefined;
        if (target?.isForCompensation === true) return target;
      }
  return undefined;
}

/** zeebe:taskHeaders as key → value. */
function taskHeaders(el: BpmnElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list(extension(el, 'zeebe:TaskHeaders')?.values))
    if (h.key !== undefined) out[String(h.key)] = String(h.value ?? '');
  return out;
}

const KNOWN_FUNCTIONS = [...ORG_FUNCTION_NAMES, ...CALENDAR_FUNCTION_NAMES];

/**
 * What is wrong with a FEEL expression, if anything: a syntax error, or a call of a function that
 * is neither a FEEL built-in (feelin's plus Camunda's, libs/metadata/src/feel) nor defined in the
 * expression — Zeebe would evaluate it to null at run time; deploy names it instead.
 */
function feelTextProblem(raw: string, text: string, what = 'FEEL'): string | undefined {
  // the approver sources (approvals/org.ts) and the calendar functions (calendar-functions.ts)
  // are known functions of every engine expression
  const check = checkFeel(text, KNOWN_FUNCTIONS);
  if (check.ok) return undefined;
  if (check.unknownFunctions.length)
    return `${check.unknownFunctions.map((n) => `unknown FEEL function ${n}`).join('; ')} in ${JSON.stringify(raw)}`;
  return `invalid ${what} ${JSON.stringify(raw)}: ${check.message}`;
}

/** A FEEL expression as written in Camunda 8 diagrams: `=expr`; plain text is a static value. */
function feelProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !raw.trim().startsWith('=')) return undefined;
  return feelTextProblem(raw, raw.trim().slice(1));
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
    if (!isProcess && container.triggeredByEvent) return this.eventSubprocess(container);
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
    if (isProcess) {
      this.crmProperties(container, 'process');
      if (list(extension(container, 'zeebe:ExecutionListeners')?.listeners).length)
        this.add(
          container,
          'execution listeners on a process are not supported; put them on its first and last elements',
        );
    }
  }

  /**
   * An ad-hoc subprocess (Camunda 8.7, BPMN implementation): inner activities without start or
   * end events, FEEL `activeElementsCollection` and `completionCondition`; multi-instance (the
   * Camunda 8.8 AI agent's tools: one ad-hoc instance per tool call) as for any activity. What
   * Camunda 8.8 added to the element itself — a job worker deciding (zeebe:taskDefinition) and an
   * output collection — is refused rather than run differently.
   */
  adHoc(el: BpmnElement): void {
    const elements = list(el.flowElements);
    if (extension(el, 'zeebe:TaskDefinition'))
      this.add(el, 'an ad-hoc subprocess handled by a job worker (Camunda 8.8) is not supported');
    const z = extension(el, 'zeebe:AdHoc');
    if (z?.outputCollection || z?.outputElement)
      this.add(
        el,
        'outputCollection / outputElement of an ad-hoc subprocess (Camunda 8.8) are not supported',
      );
    this.loop(el);
    const bad =
      feelProblem(z?.activeElementsCollection) ??
      feelProblem((el.completionCondition as BpmnElement | undefined)?.body);
    if (bad) this.add(el, bad);
    if (
      !elements.some(
        (e) =>
          TASKS.has(e.$type) ||
          CONTAINERS.has(e.$type) ||
          (e.$type === 'bpmn:SubProcess' && e.triggeredByEvent !== true),
      )
    )
      this.add(el, 'an ad-hoc subprocess needs at least one activity');
    for (const e of elements)
      if (e.$type === 'bpmn:StartEvent' || e.$type === 'bpmn:EndEvent')
        this.add(e, 'an ad-hoc subprocess has no start or end events');
      else this.element(e, elements);
    this.ioMapping(el);
  }

  /** The CRM's process and end event properties (approvals/outcome.ts). */
  crmProperties(el: BpmnElement, on: 'process' | 'endEvent'): void {
    const props: Record<string, string> = {};
    for (const p of list(extension(el, 'zeebe:Properties')?.properties))
      if (p.name !== undefined) props[String(p.name)] = String(p.value ?? '');
    for (const problem of propertyProblems(props, on)) this.add(el, problem);
  }

  /**
   * An event subprocess starts with one timer, message, error or escalation start event (an error
   * start always interrupts; a timer cycle only where it does not) and is reached by no sequence
   * flow; its contents are checked like any scope.
   */
  eventSubprocess(esp: BpmnElement): void {
    const elements = list(esp.flowElements);
    const starts = elements.filter((e) => e.$type === 'bpmn:StartEvent');
    const allowed = ESP_START_DEFS;
    if (starts.length !== 1) {
      this.add(esp, 'an event subprocess needs exactly one start event');
    } else {
      const start = starts[0];
      const defs = list(start.eventDefinitions);
      if (defs.length !== 1 || !allowed.includes(defs[0].$type))
        this.add(
          start,
          defs.length === 1
            ? `${eventConstruct('bpmn:StartEvent', defs[0].$type)} of an event subprocess is not supported`
            : 'the start event of an event subprocess needs a timer, message, error or escalation definition',
        );
      else {
        const def = defs[0];
        if (def.$type === 'bpmn:ErrorEventDefinition' && start.isInterrupting === false)
          this.add(
            start,
            'an error start event always interrupts (isInterrupting must not be false)',
          );
        if (
          def.$type === 'bpmn:TimerEventDefinition' &&
          def.timeCycle &&
          start.isInterrupting !== false
        )
          this.add(start, 'a cycle is allowed on a non-interrupting timer start event only');
      }
    }
    const parentFlows = list((esp.$parent as BpmnElement | undefined)?.flowElements);
    if (
      parentFlows.some(
        (f) => f.$type === 'bpmn:SequenceFlow' && (f.sourceRef === esp || f.targetRef === esp),
      )
    )
      this.add(esp, 'an event subprocess has no incoming or outgoing sequence flows');
    for (const el of elements) this.element(el, elements);
  }

  element(el: BpmnElement, siblings: BpmnElement[]): void {
    const t = el.$type;
    if (INERT.has(t)) {
      if (t === 'bpmn:SequenceFlow') this.sequenceFlow(el);
      return;
    }
    this.unsupportedExtensions(el);
    for (const m of listenerProblems(el, feelProblem)) this.add(el, m);
    this.compensationHandler(el);
    if (t === 'bpmn:AdHocSubProcess') return this.adHoc(el);
    if (t === 'bpmn:Transaction') return this.add(el, 'transaction subprocesses are not supported');
    if (TASKS.has(t)) return this.task(el);
    if (GATEWAYS.has(t)) return this.gateway(el, siblings);
    if (t === 'bpmn:EndEvent') this.crmProperties(el, 'endEvent');
    if (EVENTS.has(t)) return this.event(el, siblings);
    if (t === 'bpmn:SubProcess') return this.scope(el, false);
    if (t === 'bpmn:CallActivity') return this.callActivity(el);
    if (CONTAINERS.has(t)) return;
    this.add(el, `${short(t)} is not in the executable subset`);
  }

  task(el: BpmnElement): void {
    const decision =
      el.$type === 'bpmn:BusinessRuleTask' ? extension(el, 'zeebe:CalledDecision') : undefined;
    if (decision) {
      // a DMN decision evaluated by the engine; whether it is deployed is known only when the
      // task runs (Zeebe raises an incident then, and so does the engine)
      if (!decision.decisionId || !String(decision.decisionId).trim())
        this.add(el, 'zeebe:calledDecision needs a decisionId');
      if (!decision.resultVariable || !String(decision.resultVariable).trim())
        this.add(el, 'zeebe:calledDecision needs a resultVariable');
      const bad = feelProblem(decision.decisionId);
      if (bad) this.add(el, bad);
    } else if (
      el.$type === 'bpmn:ServiceTask' ||
      el.$type === 'bpmn:SendTask' ||
      el.$type === 'bpmn:BusinessRuleTask'
    ) {
      const def = extension(el, 'zeebe:TaskDefinition');
      if (!def?.type)
        this.add(
          el,
          el.$type === 'bpmn:BusinessRuleTask'
            ? 'a BusinessRuleTask needs zeebe:calledDecision (a deployed DMN decision) or zeebe:taskDefinition with a type (a job)'
            : `a ${short(el.$type)} needs zeebe:taskDefinition with a type (a built-in task type or an external job type)`,
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
      const priority = priorityProblem(extension(el, 'zeebe:PriorityDefinition')?.priority);
      if (priority) this.add(el, priority);
      this.approval(el);
      // deadline, calendar, remindBefore, onOverdue (engine/deadline-headers.ts)
      for (const m of deadlineHeaderProblems(taskHeaders(el), feelProblem)) this.add(el, m);
    }
    this.loop(el);
    this.ioMapping(el);
  }

  /** Approval headers (README, "Approvals") and the task's embedded form. */
  approval(el: BpmnElement): void {
    const headers: Record<string, string> = {};
    for (const h of list(extension(el, 'zeebe:TaskHeaders')?.values))
      headers[String(h.key)] = String(h.value ?? '');
    const lc = el.loopCharacteristics as BpmnElement | undefined;
    const node = {
      headers,
      loop: lc ? { sequential: lc.isSequential === true } : undefined,
    } as unknown as GraphNode;
    for (const p of [...approvalHeaderProblems(node), ...routingHeaderProblems(headers)])
      this.add(el, p);
    const formKey = extension(el, 'zeebe:FormDefinition')?.formKey;
    const embedded = /^camunda-forms:bpmn:(.+)$/.exec(String(formKey ?? ''));
    if (embedded) {
      let process: BpmnElement | undefined = el;
      while (process && process.$type !== 'bpmn:Process')
        process = process.$parent as BpmnElement | undefined;
      const form = list(
        (process?.extensionElements as { values?: unknown } | undefined)?.values,
      ).find((v) => v.$type === 'zeebe:UserTaskForm' && v.id === embedded[1]);
      if (!form) this.add(el, `formKey ${String(formKey)}: no zeebe:userTaskForm ${embedded[1]}`);
      else
        try {
          JSON.parse(String(form.body ?? ''));
        } catch {
          this.add(el, `zeebe:userTaskForm ${embedded[1]} is not JSON`);
        }
    }
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

  unsupportedExtensions(el: BpmnElement): void {
    const ext = el.extensionElements as { values?: BpmnElement[] } | undefined;
    for (const v of list(ext?.values)) {
      const why = UNSUPPORTED_EXTENSIONS[v.$type];
      if (why) this.add(el, why);
    }
  }

  /**
   * Input sources without `=` are static values (never parsed); output sources must be
   * expressions, as Zeebe refuses a static one at deploy.
   */
  ioMapping(el: BpmnElement): void {
    const io = extension(el, 'zeebe:IoMapping');
    for (const m of list(io?.inputParameters)) {
      const bad = feelProblem(m.source);
      if (bad) this.add(el, bad);
    }
    // an input source without `=` is a static value; an output source must be an expression, and
    // Zeebe refuses a static one at deploy
    for (const m of list(io?.outputParameters)) {
      const source = typeof m.source === 'string' ? m.source.trim() : '';
      if (!source.startsWith('='))
        this.add(
          el,
          `output mapping to "${String(m.target)}": the source must be an expression, but found the static value ${JSON.stringify(source)}; an expression starts with "=" (e.g. "=${source}")`,
        );
      else {
        const bad = feelProblem(source);
        if (bad) this.add(el, bad);
      }
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
    const bad = feelTextProblem(
      body,
      body.startsWith('=') ? body.slice(1) : body,
      'FEEL condition',
    );
    if (bad) this.add(el, bad);
  }

  event(el: BpmnElement, siblings: BpmnElement[]): void {
    const defs = list(el.eventDefinitions);
    if (defs.length > 1) {
      this.add(el, 'multiple event definitions on one event are not supported');
      return;
    }
    const def = defs[0];
    const inEventSubprocess =
      el.$type === 'bpmn:StartEvent' &&
      (el.$parent as BpmnElement | undefined)?.triggeredByEvent === true;
    if (
      inEventSubprocess &&
      (!def || ['bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition'].includes(def.$type))
    )
      return this.ioMapping(el); // checked by eventSubprocess()
    if (def && !EVENT_DEFS[el.$type].includes(def.$type)) {
      this.add(el, `${eventConstruct(el.$type, def.$type)} is not supported`);
      return;
    }
    this.ioMapping(el);
    if (!def && el.$type === 'bpmn:BoundaryEvent')
      this.add(
        el,
        'a boundary event needs a timer, error, message, signal or escalation definition',
      );
    if (!def && el.$type === 'bpmn:IntermediateCatchEvent')
      this.add(el, 'a catch event needs a timer, message, signal or link definition');
    if (!def) return;
    if (def.$type === 'bpmn:LinkEventDefinition') return this.link(el, def, siblings);
    if (def.$type === 'bpmn:CompensateEventDefinition') return this.compensation(el, def, siblings);
    if (def.$type === 'bpmn:SignalEventDefinition') {
      const signal = def.signalRef as BpmnElement | undefined;
      if (!signal?.name)
        return this.add(el, `a ${eventConstruct(el.$type, def.$type)} needs a signal with a name`);
      const bad = feelProblem(signal.name);
      if (bad) this.add(el, bad);
      return;
    }
    if (def.$type === 'bpmn:EscalationEventDefinition') return this.escalation(el, def);
    if (
      def.$type === 'bpmn:MessageEventDefinition' &&
      (el.$type === 'bpmn:IntermediateThrowEvent' || el.$type === 'bpmn:EndEvent')
    ) {
      // Zeebe sends messages from throw and end events through a job, like a send task
      const task = extension(el, 'zeebe:TaskDefinition');
      if (!task?.type)
        this.add(
          el,
          `a ${eventConstruct(el.$type, def.$type)} needs zeebe:taskDefinition with a type (the job that sends the message)`,
        );
      const bad = feelProblem(task?.type);
      if (bad) this.add(el, bad);
      return;
    }
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

  /**
   * A compensation boundary event is linked by an association to its handler (an activity marked
   * isForCompensation) and has no outgoing flows; a throw's `activityRef` names an activity of
   * the same scope that has a compensation boundary event.
   */
  compensation(el: BpmnElement, def: BpmnElement, siblings: BpmnElement[]): void {
    const isCompensationBoundary = (b: BpmnElement): boolean =>
      b.$type === 'bpmn:BoundaryEvent' &&
      list(b.eventDefinitions).some((d) => d.$type === 'bpmn:CompensateEventDefinition');
    if (el.$type === 'bpmn:BoundaryEvent') {
      const handler = compensationHandlerOf(el);
      if (!handler)
        this.add(
          el,
          'a compensation boundary event needs an association to its compensation handler (an activity marked isForCompensation)',
        );
      if (siblings.some((f) => f.$type === 'bpmn:SequenceFlow' && f.sourceRef === el))
        this.add(
          el,
          'a compensation boundary event has no outgoing sequence flows (its handler is linked by an association)',
        );
      return;
    }
    const ref = def.activityRef as BpmnElement | undefined;
    if (!ref) return;
    const compensable =
      siblings.includes(ref) &&
      siblings.some((b) => isCompensationBoundary(b) && b.attachedToRef === ref);
    if (!compensable)
      this.add(
        el,
        `activityRef ${String(ref.id)} is not an activity with a compensation boundary event in the same scope`,
      );
  }

  /** A compensation handler runs only when compensation invokes it: no sequence flows. */
  compensationHandler(el: BpmnElement): void {
    if (el.isForCompensation !== true) return;
    const flows = list((el.$parent as BpmnElement | undefined)?.flowElements).filter(
      (f) => f.$type === 'bpmn:SequenceFlow' && (f.sourceRef === el || f.targetRef === el),
    );
    if (flows.length)
      this.add(
        el,
        'a compensation handler (isForCompensation) has no incoming or outgoing sequence flows',
      );
  }

  /** A link throw needs exactly one link catch event of its name in the same scope. */
  link(el: BpmnElement, def: BpmnElement, siblings: BpmnElement[]): void {
    const name = String(def.name ?? '').trim();
    if (!name) return this.add(el, `a ${eventConstruct(el.$type, def.$type)} needs a link name`);
    const catches = siblings.filter(
      (x) =>
        x.$type === 'bpmn:IntermediateCatchEvent' &&
        list(x.eventDefinitions).some(
          (d) => d.$type === 'bpmn:LinkEventDefinition' && String(d.name ?? '').trim() === name,
        ),
    );
    if (el.$type === 'bpmn:IntermediateThrowEvent' && catches.length === 0)
      this.add(el, `no link catch event named "${name}" in the same scope`);
    if (el.$type === 'bpmn:IntermediateCatchEvent' && catches.length > 1)
      this.add(el, `more than one link catch event named "${name}" in the same scope`);
  }

  /** Throw events name an escalation code; a boundary event without one catches every code. */
  escalation(el: BpmnElement, def: BpmnElement): void {
    const ref = def.escalationRef as BpmnElement | undefined;
    if (el.$type !== 'bpmn:BoundaryEvent' && !ref?.escalationCode)
      this.add(
        el,
        `an ${eventConstruct(el.$type, def.$type)} needs an escalation with an escalationCode`,
      );
  }

  messageRef(el: BpmnElement, message: BpmnElement | undefined): void {
    if (!message?.name) {
      this.add(el, 'needs a message with a name');
      return;
    }
    const bad = feelProblem(message.name);
    if (bad) this.add(el, bad);
    // Zeebe finds the waiting instance by the key: every message catch inside an instance (not a
    // process's own message start event) needs one
    const processStart =
      el.$type === 'bpmn:StartEvent' &&
      (el.$parent as BpmnElement | undefined)?.triggeredByEvent !== true;
    if (processStart) return;
    const key = extension(message, 'zeebe:Subscription')?.correlationKey;
    if (typeof key !== 'string' || !key.trim())
      this.add(
        el,
        `message "${String(message.name)}" needs zeebe:subscription with a correlationKey (the value that finds the waiting instance)`,
      );
    else {
      const badKey = feelProblem(key);
      if (badKey) this.add(el, badKey);
    }
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
