import { parseBpmn } from '../bpmn-model';
import { buildGraph } from './process-graph';

const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="crm">
<bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements></bpmn:message>
<bpmn:process id="p" isExecutable="true">
  <bpmn:extensionElements><zeebe:properties><zeebe:property name="outcome.field" value="status"/><zeebe:property name="lockRecord" value="false"/></zeebe:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"/>
  <bpmn:startEvent id="on_paid"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
  <bpmn:sequenceFlow id="f1b" sourceRef="on_paid" targetRef="fork"/>
  <bpmn:inclusiveGateway id="fork" default="fd"/>
  <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a"><bpmn:conditionExpression>=x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="fd" sourceRef="fork" targetRef="sub"/>
  <bpmn:userTask id="a"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="=owner" candidateGroups="x, y"/><zeebe:ioMapping><zeebe:input source="=x" target="localX"/></zeebe:ioMapping></bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics isSequential="true"><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="out" outputElement="=r"/></bpmn:extensionElements><bpmn:completionCondition>=done</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:subProcess id="sub">
    <bpmn:startEvent id="s_start"/><bpmn:sequenceFlow id="s1" sourceRef="s_start" targetRef="s_task"/>
    <bpmn:serviceTask id="s_task"><bpmn:extensionElements><zeebe:taskDefinition type="erp" retries="5"/><zeebe:taskHeaders><zeebe:header key="system" value="SAP"/></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="s2" sourceRef="s_task" targetRef="s_end"/><bpmn:endEvent id="s_end"/>
  </bpmn:subProcess>
  <bpmn:boundaryEvent id="late" attachedToRef="a" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="fl" sourceRef="late" targetRef="lateEnd"/><bpmn:endEvent id="lateEnd"><bpmn:extensionElements><zeebe:properties><zeebe:property name="outcome" value="rejected"/></zeebe:properties></bpmn:extensionElements></bpmn:endEvent>
  <bpmn:sequenceFlow id="ja" sourceRef="a" targetRef="join"/>
  <bpmn:sequenceFlow id="jb" sourceRef="sub" targetRef="join"/>
  <bpmn:inclusiveGateway id="join"/>
  <bpmn:sequenceFlow id="fe" sourceRef="join" targetRef="end"/><bpmn:endEvent id="end"/>
</bpmn:process></bpmn:definitions>`;

describe('buildGraph', () => {
  let g: ReturnType<typeof buildGraph>;
  beforeAll(async () => {
    g = buildGraph((await parseBpmn(xml)).definitions!, 'p');
  });

  it('finds the none start and the event starts', () => {
    expect(g.start).toBe('start');
    expect(g.eventStarts).toEqual(['on_paid']);
    expect(g.nodes.get('on_paid')!.message).toEqual({ name: 'paid', correlationKey: '=orderId' });
  });

  it('reads gateways, flows and conditions without the leading =', () => {
    const fork = g.nodes.get('fork')!;
    expect(fork.defaultFlow).toBe('fd');
    expect(fork.outgoing).toEqual([
      { id: 'fa', target: 'a', condition: 'x > 1' },
      { id: 'fd', target: 'sub' },
    ]);
    expect(g.nodes.get('join')!.incoming).toBe(2);
  });

  it('reads the Camunda 8 extension elements', () => {
    const a = g.nodes.get('a')!;
    expect(a).toMatchObject({
      assignee: '=owner',
      candidateGroups: 'x, y',
      inputs: [{ source: '=x', target: 'localX' }],
      boundaries: ['late'],
      loop: {
        sequential: true,
        inputCollection: 'items',
        inputElement: 'item',
        outputCollection: 'out',
        outputElement: 'r',
        completionCondition: 'done',
      },
    });
    expect(g.nodes.get('late')).toMatchObject({
      attachedTo: 'a',
      cancelActivity: false,
      timer: { kind: 'cycle', expression: 'R/PT1H' },
    });
    expect(g.nodes.get('s_task')).toMatchObject({
      scope: 'sub',
      job: { type: 'erp', retries: 5 },
      headers: { system: 'SAP' },
    });
    expect(g.nodes.get('sub')!.startNode).toBe('s_start');
  });

  it('knows what a token can still reach (what an inclusive join waits for)', () => {
    expect(g.reach.get('a')!.has('join')).toBe(true);
    expect(g.reach.get('a')!.has('lateEnd')).toBe(true); // through its boundary event
    expect(g.reach.get('s_task')!.has('join')).toBe(true); // out of its subprocess
    expect(g.reach.get('lateEnd')!.has('join')).toBe(false);
    expect(g.reach.get('end')!.size).toBe(0);
  });

  it('reads zeebe:properties of the process and of its elements', () => {
    expect(g.properties).toEqual({ 'outcome.field': 'status', lockRecord: 'false' });
    expect(g.nodes.get('lateEnd')!.properties).toEqual({ outcome: 'rejected' });
    expect(g.nodes.get('end')!.properties).toEqual({});
  });
});
