import { checkDeployable } from './conformance';

/**
 * Deploy refuses a FEEL call of a function nobody defines, at its element — Zeebe would evaluate
 * it to null at run time, silently. Camunda's own built-ins (`is defined`, `get or else`, ...) pass.
 * A business rule task calling a DMN decision deploys; whether the decision exists is a run-time
 * question, as in Zeebe.
 */
const wrap = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>${body}</bpmn:process>
</bpmn:definitions>`;

const io = (source: string) =>
  `<bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="${source}" target="x"/></zeebe:ioMapping></bpmn:extensionElements>`;

describe('deploy validation of FEEL functions', () => {
  it.each([
    [
      'an input mapping',
      `<bpmn:task id="t">${io('=foo(amount)')}</bpmn:task>`,
      {
        elementId: 't',
        elementType: 'Task',
        message: 'unknown FEEL function foo in "=foo(amount)"',
      },
    ],
    [
      'a condition',
      `<bpmn:exclusiveGateway id="g" default="b"/>
       <bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e"><bpmn:conditionExpression>=is valid(order)</bpmn:conditionExpression></bpmn:sequenceFlow>
       <bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>`,
      {
        elementId: 'a',
        elementType: 'SequenceFlow',
        message: 'unknown FEEL function is valid in "=is valid(order)"',
      },
    ],
    [
      'a script task',
      `<bpmn:scriptTask id="sc"><bpmn:extensionElements><zeebe:script expression="=lookup(a) + lookup(b)" resultVariable="r"/></bpmn:extensionElements></bpmn:scriptTask>`,
      {
        elementId: 'sc',
        elementType: 'ScriptTask',
        message: 'unknown FEEL function lookup in "=lookup(a) + lookup(b)"',
      },
    ],
    [
      'a decision id',
      `<bpmn:businessRuleTask id="br"><bpmn:extensionElements><zeebe:calledDecision decisionId="=pick(kind)" resultVariable="r"/></bpmn:extensionElements></bpmn:businessRuleTask>`,
      {
        elementId: 'br',
        elementType: 'BusinessRuleTask',
        message: 'unknown FEEL function pick in "=pick(kind)"',
      },
    ],
  ])('refuses an unknown function in %s, naming the element', async (_what, body, problem) => {
    const r = await checkDeployable(wrap(body));
    expect(r.accepted).toBe(false);
    expect(r.problems).toEqual([problem]);
  });

  it("accepts Camunda's built-ins, names with spaces, and functions the expression defines", async () => {
    const r = await checkDeployable(
      wrap(`<bpmn:task id="t"><bpmn:extensionElements><zeebe:ioMapping>
        <zeebe:input source="=if is defined(order) then get or else(order.total, 0) else 0" target="a"/>
        <zeebe:input source="=string join(for i in items return trim(i.name), &quot;, &quot;)" target="b"/>
        <zeebe:input source="={double: function(n) n * 2, r: double(3)}.r" target="c"/>
        <zeebe:output source="=is empty(errors) and last day of month(today()) &gt; today()" target="d"/>
      </zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`),
    );
    expect(r.problems).toEqual([]);
  });
});

describe('business rule tasks', () => {
  it('deploy with zeebe:calledDecision (no job type needed)', async () => {
    const r = await checkDeployable(
      wrap(
        `<bpmn:businessRuleTask id="br"><bpmn:extensionElements><zeebe:calledDecision decisionId="approver" resultVariable="approver"/></bpmn:extensionElements></bpmn:businessRuleTask>`,
      ),
    );
    expect(r.problems).toEqual([]);
  });

  it.each([
    [
      `<zeebe:calledDecision decisionId="approver"/>`,
      'zeebe:calledDecision needs a resultVariable',
    ],
    [`<zeebe:calledDecision resultVariable="r"/>`, 'zeebe:calledDecision needs a decisionId'],
    [
      '',
      'a BusinessRuleTask needs zeebe:calledDecision (a deployed DMN decision) or zeebe:taskDefinition with a type (a job)',
    ],
  ])('refuse %s', async (ext, message) => {
    const r = await checkDeployable(
      wrap(
        `<bpmn:businessRuleTask id="br"><bpmn:extensionElements>${ext}</bpmn:extensionElements></bpmn:businessRuleTask>`,
      ),
    );
    expect(r.problems).toEqual([{ elementId: 'br', elementType: 'BusinessRuleTask', message }]);
  });

  it('also run as a job with zeebe:taskDefinition', async () => {
    const r = await checkDeployable(
      wrap(
        `<bpmn:businessRuleTask id="br"><bpmn:extensionElements><zeebe:taskDefinition type="rules"/></bpmn:extensionElements></bpmn:businessRuleTask>`,
      ),
    );
    expect(r.problems).toEqual([]);
  });
});

describe('mapping sources', () => {
  it('an output mapping needs an expression (Zeebe refuses a static value at deploy)', async () => {
    const r = await checkDeployable(
      wrap(
        `<bpmn:task id="t"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="https://example.com/{{secrets.TOKEN}}" target="url"/><zeebe:output source="result" target="total"/></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`,
      ),
    );
    expect(r.problems).toEqual([
      {
        elementId: 't',
        elementType: 'Task',
        message:
          'output mapping to "total": the source must be an expression, but found the static value "result"; an expression starts with "=" (e.g. "=result")',
      },
    ]);
  });
});

/**
 * Camunda 8.9's cluster variables and 8.6's user task priorities deploy as Zeebe deploys them:
 * any FEEL may read `camunda.vars`, and a static priority must be an integer from 0 to 100
 * (ZeebePriorityDefinitionValidator); a FEEL priority is checked when the task is created.
 */
describe('cluster variables and user task priorities', () => {
  it('accepts expressions reading cluster variables', async () => {
    const r = await checkDeployable(
      wrap(`<bpmn:task id="t"><bpmn:extensionElements><zeebe:ioMapping>
        <zeebe:input source="=camunda.vars.tenant.API.url" target="a"/>
        <zeebe:output source="=camunda . vars.env.VERSION" target="b"/>
        <zeebe:output source="=camunda.vars.cluster.X" target="c"/>
      </zeebe:ioMapping></bpmn:extensionElements></bpmn:task>`),
    );
    expect(r.problems).toEqual([]);
  });

  const priority = (value: string) =>
    checkDeployable(
      wrap(
        `<bpmn:userTask id="u"><bpmn:extensionElements><zeebe:userTask/><zeebe:priorityDefinition priority="${value}"/></bpmn:extensionElements></bpmn:userTask>`,
      ),
    );

  it.each(['0', '76', '100', '=urgency * 10'])('accepts priority %s', async (value) => {
    expect((await priority(value)).problems).toEqual([]);
  });

  it.each(['101', '-1', '2.5', 'high'])('refuses priority %s at its task', async (value) => {
    expect((await priority(value)).problems).toEqual([
      {
        elementId: 'u',
        elementType: 'UserTask',
        message: `zeebe:priorityDefinition priority must be a number between 0 and 100 or a FEEL expression, but was "${value}"`,
      },
    ]);
  });

  it('refuses a priority expression that does not parse', async () => {
    const [p] = (await priority('=1 +')).problems;
    expect(p).toMatchObject({ elementId: 'u', message: expect.stringContaining('invalid FEEL') });
  });
});
