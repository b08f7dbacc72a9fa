/**
 * The one diagram every system runs: start → user task (assignee from the `manager` variable) →
 * exclusive gateway (FEEL condition on `approved`, default flow) → one of two end events.
 */
export const PROCESS_KEY = 'bench_approval';

export const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="bench" targetNamespace="crm">
  <bpmn:process id="${PROCESS_KEY}" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve"/>
    <bpmn:userTask id="approve" name="Approve">
      <bpmn:extensionElements><zeebe:assignmentDefinition assignee="=manager"/></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="no"/>
    <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="approved">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=approved = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="rejected"/>
    <bpmn:endEvent id="approved"/>
    <bpmn:endEvent id="rejected"/>
  </bpmn:process>
</bpmn:definitions>`;

/** FEEL of the gateway's condition flow, as the raw baseline evaluates it (same feelin call). */
export const CONDITION = 'approved = true';

/** Milliseconds spent in each step of one instance's life. */
export interface Steps {
  start: number;
  find: number;
  complete: number;
}

/** One contestant: runs whole instances (start, find the task, complete it). */
export interface BenchSystem {
  readonly name: string;
  /** Starts one instance, finds its task, completes it; `approved` picks the gateway branch. */
  iteration(approved: boolean): Promise<Steps>;
  /** How many instances ended in each state (a sanity check that the work really happened). */
  states(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
