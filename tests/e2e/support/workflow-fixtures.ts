import { bpmn } from './harness';

/** One BPMN fixture per element of the executable subset (Camunda 8 extension elements). */

const ut = (id: string, extra = '') =>
  `<bpmn:userTask id="${id}" name="${id}">${extra}</bpmn:userTask>`;
const flow = (id: string, from: string, to: string, cond?: string) =>
  cond
    ? `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"><bpmn:conditionExpression>${cond}</bpmn:conditionExpression></bpmn:sequenceFlow>`
    : `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`;
const headers = (h: Record<string, string>) =>
  `<zeebe:taskHeaders>${Object.entries(h)
    .map(([k, v]) => `<zeebe:header key="${k}" value="${v.replace(/"/g, '&quot;')}"/>`)
    .join('')}</zeebe:taskHeaders>`;
const service = (id: string, type: string, h: Record<string, string> = {}, retries = 3) =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" retries="${retries}"/>${headers(h)}</bpmn:extensionElements></bpmn:serviceTask>`;

export const TIMER_CATCH = bpmn(`<bpmn:process id="wait_an_hour" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'wait')}
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  ${flow('f2', 'wait', 'after')}${ut('after')}${flow('f3', 'after', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>`);

/** Interrupting 2h deadline and a non-interrupting hourly reminder (twice) on one approval. */
export const DEADLINE = bpmn(`<bpmn:process id="deadline" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'approve')}
  ${ut('approve', '<bpmn:extensionElements><zeebe:assignmentDefinition assignee="=approver"/></bpmn:extensionElements>')}
  ${flow('f2', 'approve', 'done')}<bpmn:endEvent id="done"/>
  <bpmn:boundaryEvent id="remind" attachedToRef="approve" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  ${flow('f3', 'remind', 'notify')}${service('notify', 'crm:notify', { to: '=approver', subject: 'Reminder: please approve' })}${flow('f4', 'notify', 'reminded')}<bpmn:endEvent id="reminded"/>
  <bpmn:boundaryEvent id="overdue" attachedToRef="approve"><bpmn:timerEventDefinition><bpmn:timeDuration>PT150M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  ${flow('f5', 'overdue', 'escalate')}${ut('escalate', '<bpmn:extensionElements><zeebe:assignmentDefinition assignee="boss"/></bpmn:extensionElements>')}${flow('f6', 'escalate', 'end2')}<bpmn:endEvent id="end2"/>
</bpmn:process>`);

/** Starts every working day at 9:00 (cron in the engine's time zone). */
export const DAILY = bpmn(`<bpmn:process id="daily_report" isExecutable="true">
  <bpmn:startEvent id="nine"><bpmn:timerEventDefinition><bpmn:timeCycle>0 9 * * MON-FRI</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
  ${flow('f1', 'nine', 'review')}${ut('review')}${flow('f2', 'review', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>`);

export const MESSAGES =
  bpmn(`<bpmn:message id="m_paid" name="payment-received"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
<bpmn:message id="m_lead" name="lead-created"/>
<bpmn:message id="m_cancel" name="order-cancelled"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
<bpmn:process id="order" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'pay')}
  <bpmn:receiveTask id="pay" messageRef="m_paid"/>${flow('f2', 'pay', 'ship')}
  ${ut('ship')}${flow('f3', 'ship', 'end')}<bpmn:endEvent id="end"/>
  <bpmn:boundaryEvent id="cancelled" attachedToRef="ship"><bpmn:messageEventDefinition messageRef="m_cancel"/></bpmn:boundaryEvent>
  ${flow('f4', 'cancelled', 'refund')}${ut('refund')}${flow('f5', 'refund', 'end2')}<bpmn:endEvent id="end2"/>
</bpmn:process>
<bpmn:process id="lead_intake" isExecutable="true">
  <bpmn:startEvent id="on_lead"><bpmn:messageEventDefinition messageRef="m_lead"/></bpmn:startEvent>
  ${flow('g1', 'on_lead', 'qualify')}${ut('qualify')}${flow('g2', 'qualify', 'gend')}<bpmn:endEvent id="gend"/>
</bpmn:process>`);

/** Wait for the customer's answer or give up after 3 days, whichever comes first. */
export const RACE =
  bpmn(`<bpmn:message id="m_answer" name="customer-answer"><bpmn:extensionElements><zeebe:subscription correlationKey="=ticket"/></bpmn:extensionElements></bpmn:message>
<bpmn:process id="race" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'gw')}
  <bpmn:eventBasedGateway id="gw"/>
  ${flow('f2', 'gw', 'answer')}<bpmn:intermediateCatchEvent id="answer"><bpmn:messageEventDefinition messageRef="m_answer"/></bpmn:intermediateCatchEvent>
  ${flow('f3', 'gw', 'timeout')}<bpmn:intermediateCatchEvent id="timeout"><bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  ${flow('f4', 'answer', 'answered')}<bpmn:endEvent id="answered"/>
  ${flow('f5', 'timeout', 'closed')}<bpmn:endEvent id="closed"/>
</bpmn:process>`);

/** Approve a deal: the record's stage changes in the step's transaction; a note and an account. */
export const RECORD_TASKS = bpmn(`<bpmn:process id="close_deal" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'mark')}
  ${service('mark', 'crm:update-record', { stage: '=targetStage', won: '=targetStage = "won"' })}${flow('f2', 'mark', 'open_account')}
  ${service('open_account', 'crm:create-record', { entity: 'account', name: '="Customer of " + record.title', resultVariable: 'accountId' })}${flow('f3', 'open_account', 'tell')}
  ${service('tell', 'crm:notify', { to: 'alice,bob', subject: '="Deal " + record.title + " is " + record.stage' })}${flow('f4', 'tell', 'end')}
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

export const WEBHOOK = (url: string) =>
  bpmn(`<bpmn:process id="push_erp" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'call')}
  ${service('call', 'crm:webhook', { url, body: '={order: orderId}', resultVariable: 'erp' }, 3)}${flow('f2', 'call', 'end')}
  <bpmn:endEvent id="end"/>
</bpmn:process>`);

/** An ERP sync done by an external worker; its BPMN error "CREDIT" goes to a review. */
export const EXTERNAL = bpmn(`<bpmn:error id="e_credit" errorCode="CREDIT"/>
<bpmn:process id="erp_sync" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'sync')}
  ${service('sync', 'erp-sync', { system: 'SAP' }, 2)}${flow('f2', 'sync', 'end')}<bpmn:endEvent id="end"/>
  <bpmn:boundaryEvent id="credit" attachedToRef="sync"><bpmn:errorEventDefinition errorRef="e_credit"/></bpmn:boundaryEvent>
  ${flow('f3', 'credit', 'review')}${ut('review')}${flow('f4', 'review', 'end2')}<bpmn:endEvent id="end2"/>
</bpmn:process>`);

/** An embedded subprocess with a local variable, an output mapping and an error end event. */
export const SUBPROCESS = bpmn(`<bpmn:error id="e_bad" errorCode="BAD_DATA"/>
<bpmn:process id="sub" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'check')}
  <bpmn:subProcess id="check"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=amount * 2" target="limit"/><zeebe:output source="=limit" target="checkedLimit"/></zeebe:ioMapping></bpmn:extensionElements>
    <bpmn:startEvent id="s_start"/>${flow('s1', 's_start', 's_gw')}
    <bpmn:exclusiveGateway id="s_gw" default="s_ok"/>
    ${flow('s_bad', 's_gw', 's_error', '=amount &lt; 0')}<bpmn:endEvent id="s_error"><bpmn:errorEventDefinition errorRef="e_bad"/></bpmn:endEvent>
    ${flow('s_ok', 's_gw', 's_task')}${ut('s_task')}${flow('s2', 's_task', 's_end')}<bpmn:endEvent id="s_end"/>
  </bpmn:subProcess>
  ${flow('f2', 'check', 'end')}<bpmn:endEvent id="end"/>
  <bpmn:boundaryEvent id="bad" attachedToRef="check"><bpmn:errorEventDefinition errorRef="e_bad"/></bpmn:boundaryEvent>
  ${flow('f3', 'bad', 'fix')}${ut('fix')}${flow('f4', 'fix', 'end3')}<bpmn:endEvent id="end3"/>
</bpmn:process>`);

/** Inclusive fork/join: the join waits only for the branches that were taken. */
export const INCLUSIVE = bpmn(`<bpmn:process id="reviews" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f0', 'start', 'fork')}
  <bpmn:inclusiveGateway id="fork"/>
  ${flow('fa', 'fork', 'finance', '=amount &gt; 1000')}${flow('fb', 'fork', 'legal', '=nonStandard')}${flow('fc', 'fork', 'tech', '=custom')}
  ${ut('finance')}${ut('legal')}${ut('tech')}
  ${flow('ja', 'finance', 'join')}${flow('jb', 'legal', 'join')}${flow('jc', 'tech', 'join')}
  <bpmn:inclusiveGateway id="join"/>${flow('fe', 'join', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>`);

/** Countersign: any two of the approvers decide (parallel), or one after another (sequential). */
export const MULTI = bpmn(`<bpmn:process id="countersign_mi" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'sign')}
  <bpmn:userTask id="sign"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=approver"/></bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=approvers" inputElement="approver" outputCollection="decisions" outputElement="=decision"/></bpmn:extensionElements>
      <bpmn:completionCondition>=numberOfCompletedInstances &gt;= 2</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
  ${flow('f2', 'sign', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>
<bpmn:process id="sequential_mi" isExecutable="true">
  <bpmn:startEvent id="s_start"/>${flow('s1', 's_start', 's_sign')}
  <bpmn:userTask id="s_sign"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=approver"/></bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=approvers" inputElement="approver"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
  ${flow('s2', 's_sign', 's_end')}<bpmn:endEvent id="s_end"/>
</bpmn:process>`);

export const CHILD = (label: string) =>
  bpmn(`<bpmn:process id="credit_check" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'score')}
  <bpmn:scriptTask id="score"><bpmn:extensionElements><zeebe:script expression="=&quot;${label}&quot;" resultVariable="childVersion"/></bpmn:extensionElements></bpmn:scriptTask>
  ${flow('f2', 'score', 'decide')}${ut('decide')}${flow('f3', 'decide', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>`);

export const PARENT = bpmn(`<bpmn:process id="onboard" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'call')}
  <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="credit_check" propagateAllChildVariables="true"/></bpmn:extensionElements></bpmn:callActivity>
  ${flow('f2', 'call', 'after')}${ut('after')}${flow('f3', 'after', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>
<bpmn:process id="onboard_pinned" isExecutable="true">
  <bpmn:startEvent id="p_start"/>${flow('p1', 'p_start', 'p_call')}
  <bpmn:callActivity id="p_call"><bpmn:extensionElements><zeebe:calledElement processId="credit_check" bindingType="versionTag" versionTag="1" propagateAllChildVariables="false" propagateAllParentVariables="false"/><zeebe:ioMapping><zeebe:input source="=customer" target="who"/><zeebe:output source="=childVersion" target="usedVersion"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:callActivity>
  ${flow('p2', 'p_call', 'p_end')}<bpmn:endEvent id="p_end"/>
</bpmn:process>`);

export const CLAIMABLE = bpmn(`<bpmn:process id="claimable" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'pick')}
  ${ut('pick', '<bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="sales, sales_managers" candidateUsers="=[&quot;carol&quot;]"/></bpmn:extensionElements>')}
  ${flow('f2', 'pick', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>`);

/** FEEL's now() is the engine's clock; a timer computed from it. */
export const CLOCKED = bpmn(`<bpmn:process id="clocked" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'stamp')}
  <bpmn:scriptTask id="stamp"><bpmn:extensionElements><zeebe:script expression="=string(now())" resultVariable="at"/></bpmn:extensionElements></bpmn:scriptTask>
  ${flow('f2', 'stamp', 'wait')}
  <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDate>=now() + duration("PT2H")</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  ${flow('f3', 'wait', 'end')}<bpmn:endEvent id="end"/>
</bpmn:process>`);

/** A child that fails with a BPMN error its caller catches; a non-interrupting message note. */
export const PROPAGATE = bpmn(`<bpmn:error id="e_stock" errorCode="NO_STOCK"/>
<bpmn:message id="m_note" name="add-note"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
<bpmn:process id="reserve" isExecutable="true">
  <bpmn:startEvent id="r_start"/>${flow('r1', 'r_start', 'r_fail')}
  <bpmn:endEvent id="r_fail"><bpmn:errorEventDefinition errorRef="e_stock"/></bpmn:endEvent>
</bpmn:process>
<bpmn:process id="fulfil" isExecutable="true">
  <bpmn:startEvent id="start"/>${flow('f1', 'start', 'call')}
  <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="reserve"/></bpmn:extensionElements></bpmn:callActivity>
  ${flow('f2', 'call', 'end')}<bpmn:endEvent id="end"/>
  <bpmn:boundaryEvent id="no_stock" attachedToRef="call"><bpmn:errorEventDefinition errorRef="e_stock"/></bpmn:boundaryEvent>
  ${flow('f3', 'no_stock', 'backorder')}${ut('backorder')}${flow('f4', 'backorder', 'end2')}<bpmn:endEvent id="end2"/>
  <bpmn:boundaryEvent id="note" attachedToRef="backorder" cancelActivity="false"><bpmn:messageEventDefinition messageRef="m_note"/></bpmn:boundaryEvent>
  ${flow('f5', 'note', 'noted')}<bpmn:scriptTask id="noted"><bpmn:extensionElements><zeebe:script expression="=notes + 1" resultVariable="notes"/></bpmn:extensionElements></bpmn:scriptTask>${flow('f6', 'noted', 'end3')}<bpmn:endEvent id="end3"/>
</bpmn:process>`);
