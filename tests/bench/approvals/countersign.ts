/**
 * bench:approvals (a): the diagram both systems run — start → a countersign (会签) approval node
 * over five approvers (parallel multi-instance, `approvalMode: all`, one rejection decides) → end
 * — and what a contestant offers the run.
 */
export const PROCESS_KEY = 'bench_countersign';
export const SIGNERS = 5;

export const DIAGRAM = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench" targetNamespace="crm">
  <bpmn:process id="${PROCESS_KEY}" name="Countersign" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sign"/>
    <bpmn:userTask id="sign" name="Countersign">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="=approver"/>
        <zeebe:taskHeaders><zeebe:header key="approvalMode" value="all"/></zeebe:taskHeaders>
      </bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=approvers" inputElement="approver"/></bpmn:extensionElements>
        <bpmn:completionCondition>=decision = "reject"</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>`;

/** One contestant: instances started untimed, then their decisions timed. */
export interface CountersignSystem {
  readonly name: string;
  /** Starts one instance whose five approvers are unique to it; returns its id. */
  start(): Promise<number>;
  /**
   * Decides one instance: finds its open tasks (the approvers' inbox lookup), then each approver
   * approves theirs in turn — the fifth approval completes the node and ends the instance.
   * Returns the number of decisions made.
   */
  decide(instanceId: number): Promise<number>;
  /** Instances by state and outcome (a check that the work really happened). */
  states(): Promise<Record<string, number>>;
  close(): Promise<void>;
}
