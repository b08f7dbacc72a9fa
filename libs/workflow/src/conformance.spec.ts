import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkDeployable } from './conformance';

/**
 * Every BPMN MIWG reference model must parse, and deploy must accept it or reject it with
 * element-level problems — never crash. The table in libs/workflow/README.md is checked against
 * what the validator really says, so it cannot go stale.
 */
const DIR = path.resolve(__dirname, '../../../tests/fixtures/bpmn-miwg');
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.bpmn'))
  .sort();

async function row(file: string): Promise<string> {
  const r = await checkDeployable(fs.readFileSync(path.join(DIR, file), 'utf8'));
  const executable = r.processes.filter((p) => p.executable).length;
  const reasons = [
    ...new Set(
      r.problems.map((p) => `${p.elementType}: ${p.message.replace(/ [_A-Za-z0-9-]{20,}/g, ' …')}`),
    ),
  ];
  return `| ${file} | ${r.processes.length} | ${executable} | ${r.accepted ? 'accepted' : `rejected (${r.problems.length})`} | ${reasons.join('; ').replace(/\|/g, '\\|') || '—'} |`;
}

describe('BPMN MIWG conformance', () => {
  it('has the 21 reference models', () => {
    expect(files).toHaveLength(21);
  });

  it.each(files)(
    '%s parses and is accepted or rejected with element-level problems',
    async (file) => {
      const r = await checkDeployable(fs.readFileSync(path.join(DIR, file), 'utf8'));
      expect(r.processes.length).toBeGreaterThan(0);
      expect(r.problems.every((p) => p.elementType && p.message && p.elementId !== undefined)).toBe(
        true,
      );
      expect(r.accepted).toBe(r.problems.length === 0);
      // the diagram elements named in problems exist in the file
      for (const p of r.problems)
        if (p.elementId)
          expect(fs.readFileSync(path.join(DIR, file), 'utf8')).toContain(`"${p.elementId}"`);
    },
  );

  it('matches the result table in the engine README', async () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
    const rows = await Promise.all(files.map(row));
    for (const r of rows) expect(readme).toContain(r);
  });
});

describe('deploy validation of the executable subset', () => {
  /** A zeebe:executionListeners block with one listener. */
  const el = (event: string, type = 'audit', extra = '') =>
    `<bpmn:extensionElements><zeebe:executionListeners><zeebe:executionListener eventType="${event}" type="${type}"${extra}/></zeebe:executionListeners></bpmn:extensionElements>`;
  const wrap = (body: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  ${extra}
  <bpmn:process id="p" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;

  it('accepts start → user task → exclusive gateway with FEEL conditions and a default → end', async () => {
    const r = await checkDeployable(
      wrap(`
      <bpmn:startEvent id="s"/>
      <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="approve"/>
      <bpmn:userTask id="approve"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=initiator.supervisor"/></bpmn:extensionElements></bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="g"/>
      <bpmn:exclusiveGateway id="g" default="no"/>
      <bpmn:sequenceFlow id="yes" sourceRef="g" targetRef="e1"><bpmn:conditionExpression>=approved = true and amount &lt; 100000</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="no" sourceRef="g" targetRef="e2"/>
      <bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>`),
    );
    expect(r).toEqual({
      accepted: true,
      processes: [{ id: 'p', name: null, executable: true }],
      problems: [],
    });
  });

  it.each([
    [
      'no start event',
      `<bpmn:endEvent id="e"/>`,
      { elementId: 'p', elementType: 'Process', message: 'a process needs a start event' },
    ],
    [
      'a non-default flow without condition',
      `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/><bpmn:exclusiveGateway id="g"/>
       <bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e"><bpmn:conditionExpression>=x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
       <bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>`,
      {
        elementId: 'b',
        elementType: 'SequenceFlow',
        message: 'flow out of ExclusiveGateway g needs a condition (or to be its default flow)',
      },
    ],
    [
      'invalid FEEL',
      `<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g"/><bpmn:exclusiveGateway id="g" default="b"/>
       <bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e"><bpmn:conditionExpression>=amount &gt; </bpmn:conditionExpression></bpmn:sequenceFlow>
       <bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>`,
      {
        elementId: 'a',
        elementType: 'SequenceFlow',
        message: expect.stringContaining('invalid FEEL condition'),
      },
    ],
    [
      'an unsupported element',
      `<bpmn:startEvent id="s"/><bpmn:complexGateway id="cg"/>`,
      {
        elementId: 'cg',
        elementType: 'ComplexGateway',
        message: 'ComplexGateway is not in the executable subset',
      },
    ],
    [
      'a conditional event',
      `<bpmn:startEvent id="s"><bpmn:conditionalEventDefinition/></bpmn:startEvent>`,
      {
        elementId: 's',
        elementType: 'StartEvent',
        message: 'conditional start event is not supported',
      },
    ],
    [
      'a signal event without a signal',
      `<bpmn:startEvent id="s"><bpmn:signalEventDefinition/></bpmn:startEvent>`,
      {
        elementId: 's',
        elementType: 'StartEvent',
        message: 'a signal start event needs a signal with a name',
      },
    ],
    [
      'a compensation boundary event without its handler',
      `<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent>`,
      {
        elementId: 'b',
        elementType: 'BoundaryEvent',
        message:
          'a compensation boundary event needs an association to its compensation handler (an activity marked isForCompensation)',
      },
    ],
    [
      'a compensation boundary event with an outgoing flow',
      `<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:compensateEventDefinition/></bpmn:boundaryEvent><bpmn:task id="h" isForCompensation="true"/><bpmn:association id="a" sourceRef="b" targetRef="h"/><bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f" sourceRef="b" targetRef="e"/>`,
      {
        elementId: 'b',
        elementType: 'BoundaryEvent',
        message: expect.stringContaining(
          'a compensation boundary event has no outgoing sequence flows',
        ),
      },
    ],
    [
      'a compensation handler with a sequence flow',
      `<bpmn:startEvent id="s"/><bpmn:task id="h" isForCompensation="true"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="h"/>`,
      {
        elementId: 'h',
        elementType: 'Task',
        message:
          'a compensation handler (isForCompensation) has no incoming or outgoing sequence flows',
      },
    ],
    [
      'an activityRef to an activity without a compensation boundary event',
      `<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:intermediateThrowEvent id="c"><bpmn:compensateEventDefinition activityRef="t"/></bpmn:intermediateThrowEvent>`,
      {
        elementId: 'c',
        elementType: 'IntermediateThrowEvent',
        message:
          'activityRef t is not an activity with a compensation boundary event in the same scope',
      },
    ],
    [
      'execution listeners on a compensation boundary event',
      `<bpmn:startEvent id="s"/><bpmn:task id="t"/><bpmn:boundaryEvent id="b" attachedToRef="t">${el('end')}<bpmn:compensateEventDefinition/></bpmn:boundaryEvent><bpmn:task id="h" isForCompensation="true"/><bpmn:association id="a" sourceRef="b" targetRef="h"/>`,
      {
        elementId: 'b',
        elementType: 'BoundaryEvent',
        message: expect.stringContaining(
          'execution listeners on a compensation boundary event are not supported',
        ),
      },
    ],
    [
      'a link throw without its catch',
      `<bpmn:startEvent id="s"/><bpmn:intermediateThrowEvent id="l"><bpmn:linkEventDefinition name="next"/></bpmn:intermediateThrowEvent>`,
      {
        elementId: 'l',
        elementType: 'IntermediateThrowEvent',
        message: 'no link catch event named "next" in the same scope',
      },
    ],
    [
      'a message end event without a job',
      `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"><bpmn:messageEventDefinition/></bpmn:endEvent>`,
      {
        elementId: 'e',
        elementType: 'EndEvent',
        message: expect.stringContaining('a message end event needs zeebe:taskDefinition'),
      },
    ],
    [
      'an escalation throw without a code',
      `<bpmn:startEvent id="s"/><bpmn:endEvent id="e"><bpmn:escalationEventDefinition/></bpmn:endEvent>`,
      {
        elementId: 'e',
        elementType: 'EndEvent',
        message: 'an escalation end event needs an escalation with an escalationCode',
      },
    ],
    [
      'a static output mapping',
      `<bpmn:startEvent id="s"/><bpmn:task id="t"><bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="fixed" target="x"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: expect.stringContaining('output mapping to "x": the source must be an expression'),
      },
    ],
    [
      'a non-interrupting error event subprocess',
      `<bpmn:startEvent id="s"/><bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es" isInterrupting="false"><bpmn:errorEventDefinition/></bpmn:startEvent><bpmn:endEvent id="ee"/><bpmn:sequenceFlow id="ef" sourceRef="es" targetRef="ee"/></bpmn:subProcess>`,
      {
        elementId: 'es',
        elementType: 'StartEvent',
        message: expect.stringContaining('an error start event always interrupts'),
      },
    ],
    [
      'a conditional event subprocess',
      `<bpmn:startEvent id="s"/><bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es"><bpmn:conditionalEventDefinition/></bpmn:startEvent></bpmn:subProcess>`,
      {
        elementId: 'es',
        elementType: 'StartEvent',
        message: 'conditional start event of an event subprocess is not supported',
      },
    ],
    [
      'a start listener on a start event',
      `<bpmn:startEvent id="s">${el('start')}</bpmn:startEvent>`,
      {
        elementId: 's',
        elementType: 'StartEvent',
        message: expect.stringContaining(
          'a start execution listener on a start event is not supported',
        ),
      },
    ],
    [
      'an end listener on a gateway',
      `<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g">${el('end')}</bpmn:exclusiveGateway>`,
      {
        elementId: 'g',
        elementType: 'ExclusiveGateway',
        message: expect.stringContaining(
          'an end execution listener on a exclusive gateway is not supported',
        ),
      },
    ],
    [
      'an end listener on an error end event',
      `<bpmn:startEvent id="s"/><bpmn:endEvent id="e">${el('end')}<bpmn:errorEventDefinition/></bpmn:endEvent>`,
      {
        elementId: 'e',
        elementType: 'EndEvent',
        message: expect.stringContaining('an end execution listener on an error end event'),
      },
    ],
    [
      'an end listener on a terminate end event',
      `<bpmn:startEvent id="s"/><bpmn:endEvent id="e">${el('end')}<bpmn:terminateEventDefinition/></bpmn:endEvent>`,
      {
        elementId: 'e',
        elementType: 'EndEvent',
        message: 'an end execution listener on a terminate end event is not supported',
      },
    ],
    [
      'a start listener on a joining parallel gateway',
      `<bpmn:startEvent id="s"/><bpmn:parallelGateway id="f"/><bpmn:parallelGateway id="j">${el('start')}</bpmn:parallelGateway><bpmn:sequenceFlow id="a" sourceRef="f" targetRef="j"/><bpmn:sequenceFlow id="b" sourceRef="f" targetRef="j"/>`,
      {
        elementId: 'j',
        elementType: 'ParallelGateway',
        message: 'a start execution listener on a joining parallel gateway is not supported',
      },
    ],
    [
      'an execution listener without a type',
      `<bpmn:startEvent id="s"/><bpmn:task id="t">${el('start', '')}</bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: 'a start execution listener needs a job type',
      },
    ],
    [
      'an execution listener of an unknown event',
      `<bpmn:startEvent id="s"/><bpmn:task id="t">${el('take')}</bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: 'execution listener eventType "take" is not start or end',
      },
    ],
    [
      'two start listeners of one type',
      `<bpmn:startEvent id="s"/><bpmn:task id="t"><bpmn:extensionElements><zeebe:executionListeners><zeebe:executionListener eventType="start" type="a"/><zeebe:executionListener eventType="start" type="a"/></zeebe:executionListeners></bpmn:extensionElements></bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: expect.stringContaining('two start execution listeners of type "a"'),
      },
    ],
    [
      'listener retries that are not a number',
      `<bpmn:startEvent id="s"/><bpmn:task id="t">${el('end', 'audit', ' retries="many"')}</bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: `a end execution listener's retries "many" is not a whole number`,
      },
    ],
    [
      'a listener type calling an unknown FEEL function',
      `<bpmn:startEvent id="s"/><bpmn:task id="t">${el('start', '=nope(x)')}</bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: expect.stringContaining('unknown FEEL function nope'),
      },
    ],
    [
      'a start listener on a catch event after an event-based gateway',
      `<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="g"/><bpmn:intermediateCatchEvent id="c">${el('start')}<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="f" sourceRef="g" targetRef="c"/>`,
      {
        elementId: 'c',
        elementType: 'IntermediateCatchEvent',
        message:
          'a start execution listener on a intermediate catch event after an event-based gateway is not supported',
      },
    ],
    [
      'execution listeners on a multi-instance activity',
      `<bpmn:startEvent id="s"/><bpmn:task id="t">${el('start')}<bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1]"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: 'execution listeners on a multi-instance activity are not supported',
      },
    ],
    [
      'an assigning task listener',
      `<bpmn:startEvent id="s"/><bpmn:userTask id="u"><bpmn:extensionElements><zeebe:taskListeners><zeebe:taskListener eventType="assigning" type="audit"/></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>`,
      {
        elementId: 'u',
        elementType: 'UserTask',
        message: 'a "assigning" task listener is not supported (creating and completing are)',
      },
    ],
    [
      'a canceling task listener',
      `<bpmn:startEvent id="s"/><bpmn:userTask id="u"><bpmn:extensionElements><zeebe:taskListeners><zeebe:taskListener eventType="canceling" type="audit"/></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>`,
      {
        elementId: 'u',
        elementType: 'UserTask',
        message: 'a "canceling" task listener is not supported (creating and completing are)',
      },
    ],
    [
      'an ad-hoc subprocess with a start event',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"><bpmn:startEvent id="inner"/><bpmn:task id="t"/></bpmn:adHocSubProcess>`,
      {
        elementId: 'inner',
        elementType: 'StartEvent',
        message: 'an ad-hoc subprocess has no start or end events',
      },
    ],
    [
      'an empty ad-hoc subprocess',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"/>`,
      {
        elementId: 'ah',
        elementType: 'AdHocSubProcess',
        message: 'an ad-hoc subprocess needs at least one activity',
      },
    ],
    [
      'an ad-hoc subprocess handled by a job worker',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"><bpmn:extensionElements><zeebe:taskDefinition type="agent"/></bpmn:extensionElements><bpmn:task id="t"/></bpmn:adHocSubProcess>`,
      {
        elementId: 'ah',
        elementType: 'AdHocSubProcess',
        message: 'an ad-hoc subprocess handled by a job worker (Camunda 8.8) is not supported',
      },
    ],
    [
      'a multi-instance ad-hoc subprocess handled by a job worker',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"><bpmn:extensionElements><zeebe:taskDefinition type="agent"/></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=calls" inputElement="call"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics><bpmn:task id="t"/></bpmn:adHocSubProcess>`,
      {
        elementId: 'ah',
        elementType: 'AdHocSubProcess',
        message: 'an ad-hoc subprocess handled by a job worker (Camunda 8.8) is not supported',
      },
    ],
    [
      'a multi-instance ad-hoc subprocess without an inputCollection',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[call]"/></bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics/><bpmn:task id="t"/></bpmn:adHocSubProcess>`,
      {
        elementId: 'ah',
        elementType: 'AdHocSubProcess',
        message:
          'a multi-instance activity needs zeebe:loopCharacteristics with an inputCollection',
      },
    ],
    [
      'an ad-hoc output collection',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=[]" outputCollection="results" outputElement="=r"/></bpmn:extensionElements><bpmn:task id="t"/></bpmn:adHocSubProcess>`,
      {
        elementId: 'ah',
        elementType: 'AdHocSubProcess',
        message:
          'outputCollection / outputElement of an ad-hoc subprocess (Camunda 8.8) are not supported',
      },
    ],
    [
      'an ad-hoc activeElementsCollection calling an unknown function',
      `<bpmn:startEvent id="s"/><bpmn:adHocSubProcess id="ah"><bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=pick(x)"/></bpmn:extensionElements><bpmn:task id="t"/></bpmn:adHocSubProcess>`,
      {
        elementId: 'ah',
        elementType: 'AdHocSubProcess',
        message: expect.stringContaining('unknown FEEL function pick'),
      },
    ],
    [
      'a service task without a type',
      `<bpmn:startEvent id="s"/><bpmn:serviceTask id="t"/>`,
      {
        elementId: 't',
        elementType: 'ServiceTask',
        message: expect.stringContaining('needs zeebe:taskDefinition'),
      },
    ],
    [
      'a timer without a time',
      `<bpmn:startEvent id="s"><bpmn:timerEventDefinition/></bpmn:startEvent>`,
      {
        elementId: 's',
        elementType: 'StartEvent',
        message: 'a timer needs a timeDate, timeDuration or timeCycle',
      },
    ],
  ])('rejects %s, naming the element', async (_name, body, problem) => {
    const r = await checkDeployable(wrap(body));
    expect(r.accepted).toBe(false);
    expect(r.problems).toContainEqual(problem);
  });

  it('accepts link, escalation, none throw and job-carrying message events, and static input sources', async () => {
    const r = await checkDeployable(
      `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
<bpmn:escalation id="esc" escalationCode="LATE"/>
<bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="s"/>
  <bpmn:intermediateThrowEvent id="none"/>
  <bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition name="B"/></bpmn:intermediateThrowEvent>
  <bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="B"/></bpmn:intermediateCatchEvent>
  <bpmn:intermediateThrowEvent id="send"><bpmn:extensionElements><zeebe:taskDefinition type="mailer"/></bpmn:extensionElements><bpmn:messageEventDefinition/></bpmn:intermediateThrowEvent>
  <bpmn:subProcess id="sub"><bpmn:startEvent id="ss"/><bpmn:endEvent id="se"><bpmn:escalationEventDefinition escalationRef="esc"/></bpmn:endEvent></bpmn:subProcess>
  <bpmn:boundaryEvent id="caught" attachedToRef="sub"><bpmn:escalationEventDefinition/></bpmn:boundaryEvent>
  <bpmn:task id="t"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="{{secrets.TOKEN}}" target="auth.token"/><zeebe:output source="=auth" target="auth"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>
  <bpmn:endEvent id="e"/>
</bpmn:process>
</bpmn:definitions>`,
    );
    expect(r.problems).toEqual([]);
  });

  it('refuses a message catch whose message has no correlation key (Zeebe needs one)', async () => {
    const r = await checkDeployable(
      wrap(
        `<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>`,
        '<bpmn:message id="m" name="paid"/>',
      ),
    );
    expect(r.problems).toEqual([
      {
        elementId: 'c',
        elementType: 'IntermediateCatchEvent',
        message:
          'message "paid" needs zeebe:subscription with a correlationKey (the value that finds the waiting instance)',
      },
    ]);
  });

  it('rejects unreadable XML without throwing', async () => {
    const r = await checkDeployable('<bpmn:definitions');
    expect(r).toMatchObject({
      accepted: false,
      problems: [
        {
          elementId: null,
          elementType: 'Definitions',
          message: expect.stringContaining('not readable BPMN XML'),
        },
      ],
    });
  });

  it('stores a non-executable process without running its checks', async () => {
    const r = await checkDeployable(
      wrap('<bpmn:complexGateway id="cg"/>').replace('isExecutable="true"', 'isExecutable="false"'),
    );
    expect(r).toEqual({
      accepted: true,
      processes: [{ id: 'p', name: null, executable: false }],
      problems: [],
    });
  });

  describe('limits', () => {
    const cycle = (spec: string) =>
      wrap(
        `<bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>${spec}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>`,
      );

    it.each([
      ['R/PT0.001S', 1],
      ['R5/PT30S', 30_000],
      ['* * * * * *', 1000],
      ['*/10 * * * *', 600_000],
    ])('a timer cycle %s (every %d ms) is held to TIMER_MIN_CYCLE_MS', async (spec, every) => {
      const r = await checkDeployable(cycle(spec), { minCycleMs: 60_000 });
      if (every < 60_000) {
        expect(r.accepted).toBe(false);
        expect(r.problems).toEqual([
          {
            elementId: 'tick',
            elementType: 'StartEvent',
            message: `timer cycle "${spec}" fires every ${every} ms; the shortest allowed is 60000 ms (TIMER_MIN_CYCLE_MS)`,
          },
        ]);
      } else expect(r).toMatchObject({ accepted: true, problems: [] });
    });

    it('refuses a process id longer than its 191-character column, naming its start', async () => {
      const id = 'p'.repeat(5000);
      const r = await checkDeployable(
        wrap('<bpmn:startEvent id="s"/>').replace('id="p"', `id="${id}"`),
      );
      expect(r.accepted).toBe(false);
      expect(r.problems).toEqual([
        {
          elementId: `${'p'.repeat(40)}…`,
          elementType: 'Process',
          message: 'a process id is at most 191 characters (this one has 5000)',
        },
      ]);
    });
  });
});
