import { bpmn } from '../support/harness';

/**
 * One small diagram per Camunda 8 rule the engine must follow, each beside the outcome Zeebe
 * documents for it (asserted in zeebe-conformance.e2e-spec.ts). Sources of the rules: Camunda 8
 * docs, "Variables" (propagation, input/output mappings), "Call activities", "Multi-instance",
 * "Terminate events", "Link events", "Escalation events", "Message events".
 */

const flow = (from: string, to: string, cond?: string): string =>
  cond
    ? `<bpmn:sequenceFlow id="${from}_${to}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression>${cond}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${from}_${to}" sourceRef="${from}" targetRef="${to}"/>`;
/** Flows between consecutive element ids. */
const chain = (...ids: string[]): string =>
  ids
    .slice(1)
    .map((id, i) => flow(ids[i], id))
    .join('');
const io = (inputs: Array<[string, string]>, outputs: Array<[string, string]> = []): string =>
  `<zeebe:ioMapping>${inputs.map(([s, t]) => `<zeebe:input source="${s}" target="${t}"/>`).join('')}${outputs.map(([s, t]) => `<zeebe:output source="${s}" target="${t}"/>`).join('')}</zeebe:ioMapping>`;
const task = (id: string, ext = ''): string =>
  `<bpmn:task id="${id}"><bpmn:extensionElements>${ext}</bpmn:extensionElements></bpmn:task>`;
const script = (id: string, expression: string, result: string): string =>
  `<bpmn:scriptTask id="${id}"><bpmn:extensionElements><zeebe:script expression="${expression}" resultVariable="${result}"/></bpmn:extensionElements></bpmn:scriptTask>`;
const process = (id: string, body: string): string =>
  `<bpmn:process id="${id}" isExecutable="true">${body}</bpmn:process>`;

/** Input sources without `=` are static text; dotted targets build contexts. */
export const MAPPINGS = bpmn(
  process(
    'c_mappings',
    `<bpmn:startEvent id="s"/>
    ${task(
      't',
      io(
        [
          ['{{secrets.ERP_TOKEN}}', 'token'],
          ['https://erp.example.com/api?x=1', 'url'],
          ['=1 + 1', 'cfg.retries'],
          ['=&quot;fast&quot;', 'cfg.mode'],
        ],
        [
          ['=token', 'seenToken'],
          ['=url', 'seenUrl'],
          ['=cfg', 'seenCfg'],
          ['=&quot;basic&quot;', 'authentication.type'],
          ['=&quot;u1&quot;', 'authentication.user'],
        ],
      ),
    )}
    <bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
  ),
);

/** A loop counter set by the start event's output mapping: the loop ends after three rounds. */
export const START_OUTPUT_LOOP = bpmn(
  process(
    'c_loop',
    `<bpmn:startEvent id="s"><bpmn:extensionElements>${io([], [['=0', 'counter']])}</bpmn:extensionElements></bpmn:startEvent>
    ${script('inc', '=counter + 1', 'counter')}
    <bpmn:exclusiveGateway id="g" default="g_e"/>
    <bpmn:endEvent id="e"/>
    ${chain('s', 'inc', 'g')}${flow('g', 'inc', '=counter &lt; 3')}${flow('g', 'e')}`,
  ),
);

/** Message catch and boundary events: the payload is local, only the mapped targets propagate. */
export const EVENT_OUTPUTS = bpmn(
  `<bpmn:message id="m_pay" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="m_stop" name="stop"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>` +
    process(
      'c_events',
      `<bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:extensionElements>${io([], [['=amount * 2', 'doubled']])}</bpmn:extensionElements><bpmn:messageEventDefinition messageRef="m_pay"/></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="review"/>
    <bpmn:boundaryEvent id="stopped" attachedToRef="review"><bpmn:extensionElements>${io([], [['=reason', 'stopReason']])}</bpmn:extensionElements><bpmn:messageEventDefinition messageRef="m_stop"/></bpmn:boundaryEvent>
    <bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
    ${chain('s', 'wait', 'review', 'e')}${flow('stopped', 'e2')}`,
    ),
);

/** Inner instances' output mappings feed outputCollection through outputElement. */
export const MI_OUTPUTS = bpmn(
  process(
    'c_mi',
    `<bpmn:startEvent id="s"/>
    <bpmn:task id="each"><bpmn:extensionElements>${io([], [['=n * 10', 'r']])}</bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2, 3]" inputElement="n" outputCollection="results" outputElement="=r"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:task>
    <bpmn:endEvent id="e"/>${chain('s', 'each', 'e')}`,
  ),
);

/** Call activities: every parent variable goes in (input mappings on top) unless told not to. */
export const CALL_CHILD = bpmn(
  process(
    'c_child_sum',
    `<bpmn:startEvent id="cs"/>${script('add', '=a + b', 'sum')}<bpmn:endEvent id="ce"/>${chain('cs', 'add', 'ce')}`,
  ),
);
export const CALL_ALL = bpmn(
  process(
    'c_call_all',
    `<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="c_child_sum"/>${io([['=a + 100', 'b']])}</bpmn:extensionElements></bpmn:callActivity><bpmn:endEvent id="e"/>${chain('s', 'call', 'e')}`,
  ),
);
export const CALL_MAPPED = bpmn(
  process(
    'c_call_mapped',
    `<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="c_child_sum" propagateAllParentVariables="false"/>${io([['=a + 100', 'b']])}</bpmn:extensionElements></bpmn:callActivity><bpmn:endEvent id="e"/>${chain('s', 'call', 'e')}`,
  ),
);

/** A terminate end event ends its instance completed; in a called child, the call completes. */
export const TERMINATE = bpmn(
  process(
    'c_term_child',
    `<bpmn:startEvent id="cs"/><bpmn:parallelGateway id="fork"/><bpmn:userTask id="never"/><bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>
    ${chain('cs', 'fork', 'never')}${flow('fork', 'stop')}`,
  ) +
    process(
      'c_term_parent',
      `<bpmn:startEvent id="s"/><bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="c_term_child"/></bpmn:extensionElements></bpmn:callActivity>
    ${script('after', '=true', 'continued')}<bpmn:endEvent id="e"/>${chain('s', 'call', 'after', 'e')}`,
    ),
);

/** Link events jump within their scope; a none throw event applies its output mappings. */
export const LINKS = bpmn(
  process(
    'c_links',
    `<bpmn:startEvent id="s"/>${script('one', '=1', 'counter')}
    <bpmn:intermediateThrowEvent id="mark"><bpmn:extensionElements>${io([], [['=&quot;passed&quot;', 'marker']])}</bpmn:extensionElements></bpmn:intermediateThrowEvent>
    <bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition name="B"/></bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="B"/></bpmn:intermediateCatchEvent>
    ${script('two', '=counter + 1', 'counter')}<bpmn:endEvent id="e"/>
    ${chain('s', 'one', 'mark', 'jump')}${chain('land', 'two', 'e')}`,
  ),
);

/** Escalations: caught by an interrupting or a non-interrupting boundary event, or not at all. */
const LATE = `<bpmn:escalation id="late" escalationCode="LATE"/>`;
export const ESC_INTERRUPT = bpmn(
  LATE +
    process(
      'c_esc_interrupt',
      `<bpmn:startEvent id="s"/>
    <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="se"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:endEvent>${chain('ss', 'se')}</bpmn:subProcess>
    <bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:boundaryEvent>
    ${script('handle', '=true', 'handled')}${script('normal', '=true', 'normalPath')}<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
    ${chain('s', 'sub', 'normal', 'e')}${chain('caught', 'handle', 'e2')}`,
    ),
);
export const ESC_NON_INTERRUPT = bpmn(
  LATE +
    process(
      'c_esc_non_interrupt',
      `<bpmn:startEvent id="s"/>
    <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:intermediateThrowEvent id="warn"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:intermediateThrowEvent>${script('inner', '=true', 'innerContinued')}<bpmn:endEvent id="se"/>${chain('ss', 'warn', 'inner', 'se')}</bpmn:subProcess>
    <bpmn:boundaryEvent id="noted" attachedToRef="sub" cancelActivity="false"><bpmn:escalationEventDefinition/></bpmn:boundaryEvent>
    ${script('notify', '=true', 'notified')}${script('after', '=true', 'after')}<bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>
    ${chain('s', 'sub', 'after', 'e')}${chain('noted', 'notify', 'e2')}`,
    ),
);
export const ESC_UNCAUGHT = bpmn(
  LATE +
    process(
      'c_esc_uncaught',
      `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="warn"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:intermediateThrowEvent>${script('after', '=true', 'after')}<bpmn:endEvent id="e"/>${chain('s', 'warn', 'after', 'e')}`,
    ),
);

/** A message throw event carrying a job waits for it, then applies the job's variables. */
export const MESSAGE_THROW = bpmn(
  process(
    'c_msg_throw',
    `<bpmn:startEvent id="s"/>
    <bpmn:intermediateThrowEvent id="send"><bpmn:extensionElements><zeebe:taskDefinition type="c-mailer"/></bpmn:extensionElements><bpmn:messageEventDefinition/></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"><bpmn:extensionElements><zeebe:taskDefinition type="c-mailer"/></bpmn:extensionElements><bpmn:messageEventDefinition/></bpmn:endEvent>
    ${chain('s', 'send', 'e')}`,
  ),
);

/** A message catch behind a user task: a message published earlier with a time to live waits. */
export const BUFFERED = bpmn(
  `<bpmn:message id="m_ready" name="goods-ready"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>` +
    process(
      'c_buffered',
      `<bpmn:startEvent id="s"/><bpmn:userTask id="pack"/>
    <bpmn:intermediateCatchEvent id="ready"><bpmn:messageEventDefinition messageRef="m_ready"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"/>${chain('s', 'pack', 'ready', 'e')}`,
    ),
);

/** Event subprocesses: a timer that interrupts, a message that does not, error and escalation. */
export const ESP_TIMER = bpmn(
  process(
    'c_esp_timer',
    `<bpmn:startEvent id="s"/><bpmn:userTask id="work"/><bpmn:endEvent id="e"/>${chain('s', 'work', 'e')}
    <bpmn:subProcess id="timeout" triggeredByEvent="true">
      <bpmn:startEvent id="ts"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
      ${script('mark', '=true', 'timedOut')}<bpmn:endEvent id="te"/>${chain('ts', 'mark', 'te')}
    </bpmn:subProcess>`,
  ),
);
export const ESP_MESSAGE = bpmn(
  `<bpmn:message id="m_note" name="note"><bpmn:extensionElements><zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>` +
    process(
      'c_esp_message',
      `<bpmn:startEvent id="s"><bpmn:extensionElements>${io([], [['=0', 'notes']])}</bpmn:extensionElements></bpmn:startEvent><bpmn:userTask id="work"/><bpmn:endEvent id="e"/>${chain('s', 'work', 'e')}
    <bpmn:subProcess id="noting" triggeredByEvent="true">
      <bpmn:startEvent id="ns" isInterrupting="false"><bpmn:messageEventDefinition messageRef="m_note"/></bpmn:startEvent>
      ${script('count', '=notes + 1', 'notes')}<bpmn:endEvent id="ne"/>${chain('ns', 'count', 'ne')}
    </bpmn:subProcess>`,
    ),
);
export const ESP_ERROR = bpmn(
  `<bpmn:error id="err" errorCode="E1"/>` +
    process(
      'c_esp_error',
      `<bpmn:startEvent id="s"/>
    <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>${chain('ss', 'boom')}
      <bpmn:subProcess id="onError" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:errorEventDefinition errorRef="err"/></bpmn:startEvent>${script('fix', '=true', 'recovered')}<bpmn:endEvent id="ee"/>${chain('es', 'fix', 'ee')}</bpmn:subProcess>
    </bpmn:subProcess>
    ${script('after', '=true', 'after')}<bpmn:endEvent id="e"/>${chain('s', 'sub', 'after', 'e')}`,
    ),
);
export const ESP_ESCALATION = bpmn(
  LATE +
    process(
      'c_esp_escalation',
      `<bpmn:startEvent id="s"/>
    <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:intermediateThrowEvent id="warn"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:intermediateThrowEvent><bpmn:userTask id="finish"/><bpmn:endEvent id="se"/>${chain('ss', 'warn', 'finish', 'se')}</bpmn:subProcess>
    <bpmn:endEvent id="e"/>${chain('s', 'sub', 'e')}
    <bpmn:subProcess id="onLate" triggeredByEvent="true"><bpmn:startEvent id="ls" isInterrupting="false"><bpmn:escalationEventDefinition escalationRef="late"/></bpmn:startEvent>${script('flag', '=true', 'escalated')}<bpmn:endEvent id="le"/>${chain('ls', 'flag', 'le')}</bpmn:subProcess>`,
    ),
);

/** A business rule task calling a deployed DMN decision; and one calling a missing decision. */
export const DECIDE = bpmn(
  process(
    'c_decide',
    `<bpmn:startEvent id="s"/>
    <bpmn:businessRuleTask id="route"><bpmn:extensionElements><zeebe:calledDecision decisionId="approver" resultVariable="approver"/></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:businessRuleTask id="missing"><bpmn:extensionElements><zeebe:calledDecision decisionId="=&quot;nope_&quot; + kind" resultVariable="x"/></bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:endEvent id="e"/>${chain('s', 'route', 'missing', 'e')}`,
  ),
);

/** today() and now() in the company's time zone (CRM_TIMEZONE). */
export const TODAY = bpmn(
  process(
    'c_today',
    `<bpmn:startEvent id="s"/>${script('on_day', '=string(today())', 'day')}${script('at_time', '=string(now())', 'at')}<bpmn:endEvent id="e"/>${chain('s', 'on_day', 'at_time', 'e')}`,
  ),
);

/** Signals: a catch, a non-interrupting boundary, a start event, and a throw that broadcasts. */
const ALARM = `<bpmn:signal id="sig_alarm" name="alarm"/>`;
export const SIGNAL_WAIT = bpmn(
  ALARM +
    process(
      'c_sig_wait',
      `<bpmn:startEvent id="s"/><bpmn:userTask id="work"/><bpmn:endEvent id="e"/>${chain('s', 'work', 'e')}
    <bpmn:boundaryEvent id="noticed" attachedToRef="work" cancelActivity="false"><bpmn:signalEventDefinition signalRef="sig_alarm"/></bpmn:boundaryEvent>
    ${script('count', '=if alarms = null then 1 else alarms + 1', 'alarms')}<bpmn:endEvent id="e2"/>${chain('noticed', 'count', 'e2')}`,
    ),
);
export const SIGNAL_START = bpmn(
  ALARM +
    process(
      'c_sig_start',
      `<bpmn:startEvent id="s"><bpmn:signalEventDefinition signalRef="sig_alarm"/></bpmn:startEvent><bpmn:userTask id="handle"/><bpmn:endEvent id="e"/>${chain('s', 'handle', 'e')}`,
    ),
);
export const SIGNAL_THROW = bpmn(
  ALARM +
    process(
      'c_sig_throw',
      `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="raise"><bpmn:extensionElements>${io([['=&quot;high&quot;', 'level']])}</bpmn:extensionElements><bpmn:signalEventDefinition signalRef="sig_alarm"/></bpmn:intermediateThrowEvent><bpmn:endEvent id="e"/>${chain('s', 'raise', 'e')}`,
    ),
);

// ---- execution and user task listeners (Camunda 8 docs: "Execution listeners", "User task
// listeners"): each listener is a job the element waits on, in diagram order ----

const listeners = (...ls: Array<[string, string, string?]>): string =>
  `<zeebe:executionListeners>${ls.map(([event, type, retries]) => `<zeebe:executionListener eventType="${event}" type="${type}"${retries ? ` retries="${retries}"` : ''}/>`).join('')}</zeebe:executionListeners>`;

/**
 * A start listener sees the input mappings and its variables stay local to the task; an end
 * listener sees the output mappings' results and its variables reach the process; a gateway's
 * start listener decides the route with a local variable; a none end event's end listener runs
 * before the token ends.
 */
export const EXECUTION_LISTENERS = bpmn(
  process(
    'c_el',
    `<bpmn:startEvent id="s"/>
    ${task('t', io([['=1', 'base']], [['=base + fromStart', 'out']]) + listeners(['start', 'el-start'], ['start', 'el-start-2'], ['end', 'el-end']))}
    <bpmn:exclusiveGateway id="g" default="g_b"><bpmn:extensionElements>${listeners(['start', 'el-route'])}</bpmn:extensionElements></bpmn:exclusiveGateway>
    <bpmn:endEvent id="a"><bpmn:extensionElements>${listeners(['end', 'el-bye'])}</bpmn:extensionElements></bpmn:endEvent>
    <bpmn:endEvent id="b"/>
    ${chain('s', 't', 'g')}${flow('g', 'a', '=route = &quot;a&quot;')}${flow('g', 'b')}`,
  ),
);

/** A start listener computes the correlation key its message catch event subscribes with. */
export const LISTENER_KEY = bpmn(
  `<bpmn:message id="m_go" name="el-go"><bpmn:extensionElements><zeebe:subscription correlationKey="=key"/></bpmn:extensionElements></bpmn:message>` +
    process(
      'c_el_key',
      `<bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:extensionElements>${listeners(['start', 'el-key'])}</bpmn:extensionElements><bpmn:messageEventDefinition messageRef="m_go"/></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"/>${chain('s', 'wait', 'e')}`,
    ),
);

/** A listener job out of retries is an incident on its element; a retry runs that listener. */
export const LISTENER_INCIDENT = bpmn(
  process(
    'c_el_fail',
    `<bpmn:startEvent id="s"/>
    ${task('t', listeners(['start', 'el-ok'], ['start', 'el-flaky', '1']))}
    <bpmn:endEvent id="e"/>${chain('s', 't', 'e')}`,
  ),
);

/**
 * An element that fails after its start listeners ran (a gateway with no true condition): the
 * incident's retry goes on after them, as Zeebe does, without a new listener job.
 */
export const START_LISTENED_RETRY = bpmn(
  process(
    'c_sl_retry',
    `<bpmn:startEvent id="s"/>
    <bpmn:exclusiveGateway id="g"><bpmn:extensionElements>${listeners(['start', 'el-gate'])}</bpmn:extensionElements></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"/>${chain('s', 'g')}${flow('g', 'e', '=route = &quot;a&quot;')}`,
  ),
);

/**
 * User task listeners: `creating` runs before the task exists, `completing` before the
 * completion takes effect (its variables are applied after the listener).
 */
export const TASK_LISTENERS = bpmn(
  process(
    'c_tl',
    `<bpmn:startEvent id="s"/>
    <bpmn:userTask id="u"><bpmn:extensionElements><zeebe:taskListeners><zeebe:taskListener eventType="creating" type="tl-create"/><zeebe:taskListener eventType="complete" type="tl-complete"/></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="e"/>${chain('s', 'u', 'e')}`,
  ),
);

/**
 * User task listener results (Camunda 8.8 job result, docs "User task listeners": "Deny a task
 * lifecycle transition", "Correct user task data"): a creating listener corrects the assignment
 * before the task exists; a completing listener may deny the completion (the task stays open,
 * the next completing listener does not run) or correct the task. A plain job after it.
 */
export const TASK_LISTENER_RESULTS = bpmn(
  process(
    'c_tl_res',
    `<bpmn:startEvent id="s"/>
    <bpmn:userTask id="u" name="Check"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="ann" candidateGroups="sales"/><zeebe:taskListeners><zeebe:taskListener eventType="creating" type="tl2-create"/><zeebe:taskListener eventType="completing" type="tl2-check"/><zeebe:taskListener eventType="completing" type="tl2-after"/></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="p"><bpmn:extensionElements><zeebe:taskDefinition type="tl2-plain"/></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:endEvent id="e"/>${chain('s', 'u', 'p', 'e')}`,
  ),
);

// ---- compensation (Camunda 8 docs: "Compensation events", "Compensation handler") ----

/** An activity with a compensation boundary event linked to a script task handler. */
const compensable = (activity: string, handler: string, expression: string, result: string) =>
  `<bpmn:boundaryEvent id="${activity}_comp" attachedToRef="${activity}"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
  <bpmn:scriptTask id="${handler}" isForCompensation="true"><bpmn:extensionElements><zeebe:script expression="${expression}" resultVariable="${result}"/></bpmn:extensionElements></bpmn:scriptTask>
  <bpmn:association id="${activity}_assoc" associationDirection="One" sourceRef="${activity}_comp" targetRef="${handler}"/>`;

/**
 * A compensation throw event compensates every completed activity of its scope, those inside a
 * completed embedded subprocess too, waits for the handlers, then goes on.
 */
export const COMPENSATION = bpmn(
  process(
    'c_comp',
    `<bpmn:startEvent id="s"/>
    ${script('hotel', '=&quot;hotel&quot;', 'booked')}${compensable('hotel', 'undoHotel', '=append(undo, &quot;hotel&quot;)', 'undo')}
    ${script('flight', '=&quot;flight&quot;', 'booked')}${compensable('flight', 'undoFlight', '=append(undo, &quot;flight&quot;)', 'undo')}
    <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/>${script('car', '=&quot;car&quot;', 'booked')}${compensable('car', 'undoCar', '=append(undo, &quot;car&quot;)', 'undo')}<bpmn:endEvent id="se"/>${chain('ss', 'car', 'se')}</bpmn:subProcess>
    <bpmn:intermediateThrowEvent id="undoAll"><bpmn:compensateEventDefinition/></bpmn:intermediateThrowEvent>
    ${script('after', '=undo', 'seenAfter')}
    <bpmn:endEvent id="e"/>${chain('s', 'hotel', 'flight', 'sub', 'undoAll', 'after', 'e')}`,
  ),
);

/** An activity completed twice is compensated twice; a compensation end event ends its token. */
export const COMPENSATION_LOOP = bpmn(
  process(
    'c_comp_loop',
    `<bpmn:startEvent id="s"/>
    ${script('inc', '=counter + 1', 'counter')}${compensable('inc', 'undoInc', '=undone + 1', 'undone')}
    <bpmn:exclusiveGateway id="g" default="g_e"/>
    <bpmn:endEvent id="e"><bpmn:compensateEventDefinition/></bpmn:endEvent>
    ${chain('s', 'inc', 'g')}${flow('g', 'inc', '=counter &lt; 2')}${flow('g', 'e')}`,
  ),
);

/**
 * `activityRef` compensates that activity only (its handler a user task the throw waits on); a
 * later compensation end event compensates what is left.
 */
export const COMPENSATION_REF = bpmn(
  process(
    'c_comp_ref',
    `<bpmn:startEvent id="s"/>
    ${task('charge')}
    <bpmn:boundaryEvent id="charge_comp" attachedToRef="charge"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>
    <bpmn:userTask id="refund" isForCompensation="true"/>
    <bpmn:association id="charge_assoc" associationDirection="One" sourceRef="charge_comp" targetRef="refund"/>
    ${script('ship', '=&quot;shipped&quot;', 'shipState')}${compensable('ship', 'unship', '=&quot;unshipped&quot;', 'shipState')}
    <bpmn:intermediateThrowEvent id="undoCharge"><bpmn:compensateEventDefinition activityRef="charge"/></bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"><bpmn:compensateEventDefinition/></bpmn:endEvent>
    ${chain('s', 'charge', 'ship', 'undoCharge', 'e')}`,
  ),
);

/** An error event subprocess compensates the scope it listens in (a common Zeebe pattern). */
export const COMPENSATION_ESP = bpmn(
  `<bpmn:error id="err_pay" errorCode="PAY_FAILED"/>` +
    process(
      'c_comp_esp',
      `<bpmn:startEvent id="s"/>
    ${script('pay', '=true', 'paid')}${compensable('pay', 'refundPay', '=false', 'paid')}
    <bpmn:endEvent id="boom"><bpmn:errorEventDefinition errorRef="err_pay"/></bpmn:endEvent>
    ${chain('s', 'pay', 'boom')}
    <bpmn:subProcess id="onError" triggeredByEvent="true">
      <bpmn:startEvent id="es"><bpmn:errorEventDefinition errorRef="err_pay"/></bpmn:startEvent>
      <bpmn:endEvent id="ee"><bpmn:compensateEventDefinition/></bpmn:endEvent>
      ${chain('es', 'ee')}
    </bpmn:subProcess>`,
    ),
);

// ---- ad-hoc subprocesses (Camunda 8 docs, "Ad-hoc subprocesses", BPMN implementation) ----

const adHoc = (id: string, attrs: string, active: string, condition?: string) =>
  `<bpmn:adHocSubProcess id="${id}"${attrs}><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="${active}"/></bpmn:extensionElements>
    ${script(`${id}_a`, '=&quot;a&quot;', 'a')}${script(`${id}_b`, '=&quot;b&quot;', 'b')}
    <bpmn:userTask id="${id}_c"/>
    ${script(`${id}_done`, '=true', 'done')}${script(`${id}_after_done`, '=true', 'followed')}${flow(`${id}_done`, `${id}_after_done`)}
    ${condition ? `<bpmn:completionCondition>${condition}</bpmn:completionCondition>` : ''}
  </bpmn:adHocSubProcess>`;

/** Activates the elements its collection names; completes when the last inner flow ends. */
export const AD_HOC = bpmn(
  process(
    'c_adhoc',
    `<bpmn:startEvent id="s"/>${adHoc('ah', '', '=toActivate')}${script('after', '=true', 'after')}<bpmn:endEvent id="e"/>${chain('s', 'ah', 'after', 'e')}`,
  ),
);

/** A completion condition, with cancelRemainingInstances true (the default) and false. */
export const AD_HOC_CONDITION = bpmn(
  process(
    'c_adhoc_cond',
    `<bpmn:startEvent id="s"/>${adHoc('ac', '', '=toActivate', '=done = true')}<bpmn:endEvent id="e"/>${chain('s', 'ac', 'e')}`,
  ),
);
export const AD_HOC_WAIT = bpmn(
  process(
    'c_adhoc_wait',
    `<bpmn:startEvent id="s2"/>${adHoc('aw', ' cancelRemainingInstances="false"', '=toActivate', '=done = true')}<bpmn:endEvent id="e2"/>${chain('s2', 'aw', 'e2')}`,
  ),
);

/**
 * A multi-instance ad-hoc subprocess, as the Camunda 8.8 AI agent blueprint's `Agent_Tools`: one
 * ad-hoc instance per tool call, activating the element its call names (evaluated in the inner
 * instance, where `toolCall` is), each tool leaving `toolCallResult`; the output element gathers
 * them. `stopAfter` feeds the body's completion condition.
 */
const miAdHoc = (id: string, sequential: boolean) =>
  process(
    id,
    `<bpmn:startEvent id="s"/>
    <bpmn:adHocSubProcess id="tools"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[toolCall.name]"/></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics${sequential ? ' isSequential="true"' : ''}>
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=toolCalls" inputElement="toolCall" outputCollection="toolCallResults" outputElement="={id: toolCall.id, content: toolCallResult}"/></bpmn:extensionElements>
        <bpmn:completionCondition>=numberOfCompletedInstances &gt;= stopAfter</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
      ${script('double', '=toolCall.x * 2', 'toolCallResult')}${script('negate', '=-toolCall.x', 'toolCallResult')}
      <bpmn:userTask id="ask"/>
    </bpmn:adHocSubProcess>
    ${script('after', '=count(toolCallResults)', 'collected')}<bpmn:endEvent id="e"/>${chain('s', 'tools', 'after', 'e')}`,
  );
export const MI_AD_HOC = bpmn(miAdHoc('c_mi_adhoc', false));
export const MI_AD_HOC_SEQ = bpmn(miAdHoc('c_mi_adhoc_seq', true));

/** An end listener whose type expression fails: the retry runs the end listeners, not the task. */
export const LISTENER_RETRY = bpmn(
  process(
    'c_el_retry',
    `<bpmn:startEvent id="s"/>
    <bpmn:scriptTask id="count"><bpmn:extensionElements><zeebe:script expression="=runs + 1" resultVariable="runs"/>${listeners(['end', '=listenerType'])}</bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:endEvent id="e"/>${chain('s', 'count', 'e')}`,
  ),
);
