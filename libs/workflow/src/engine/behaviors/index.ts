import { CrmError, ErrorCode } from '@crm/common';
import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';
import { completeActivity, enterActivity, executeActivity, leaveActivity } from './activity';
import { adHocSubProcess } from './ad-hoc';
import { callActivity } from './call-activity';
import {
  endEvent,
  finishEndEvent,
  intermediateCatchEvent,
  intermediateThrowEvent,
  leaveEvent,
  passEvent,
} from './events';
import { eventBasedGateway, forkOrJoin, exclusiveGateway } from './gateways';
import { businessRuleTask, jobTask } from './job-task';
import {
  type ListenerResume,
  listenersOf,
  markStartListened,
  resumeListenersAfterIncident,
  runListeners,
  setListenerResume,
  startListened,
} from './listeners';
import { passThroughTask, receiveTask, scriptTask, subProcess } from './simple-activities';
import type { TaskCorrections } from './task-listener-result';
import type { ActivityBehavior, ElementBehavior } from './types';
import { createUserTask, userTask } from './user-task';

/**
 * The one place element kinds meet their behaviour. Built on first use: behaviours import each
 * other (an activity completes by leaving through a gateway's flow selection...), so the table
 * must not read them while the modules are still loading.
 */
let registry:
  | { activities: Record<string, ActivityBehavior>; flow: Record<string, ElementBehavior> }
  | undefined;

const build = (): NonNullable<typeof registry> => ({
  activities: {
    UserTask: userTask,
    ServiceTask: jobTask,
    SendTask: jobTask,
    BusinessRuleTask: businessRuleTask,
    ScriptTask: scriptTask,
    ReceiveTask: receiveTask,
    SubProcess: subProcess,
    AdHocSubProcess: adHocSubProcess,
    CallActivity: callActivity,
    Task: passThroughTask,
    ManualTask: passThroughTask,
  },
  flow: {
    StartEvent: passEvent,
    BoundaryEvent: passEvent,
    IntermediateThrowEvent: intermediateThrowEvent,
    IntermediateCatchEvent: intermediateCatchEvent,
    EndEvent: endEvent,
    EventBasedGateway: eventBasedGateway,
    ParallelGateway: forkOrJoin,
    InclusiveGateway: forkOrJoin,
    ExclusiveGateway: exclusiveGateway,
  },
});

const behaviors = (): NonNullable<typeof registry> => {
  if (!registry) {
    registry = build();
    setListenerResume(resume);
  }
  return registry;
};

export const isActivity = (type: string): boolean => type in behaviors().activities;

export function activityBehavior(type: string): ActivityBehavior {
  return behaviors().activities[type];
}

function flowBehavior(node: GraphNode): ElementBehavior {
  const behavior = behaviors().flow[node.type];
  if (!behavior)
    throw new CrmError(ErrorCode.ElementNotExecutable, `${node.type} ${node.id} cannot run`, [
      { path: node.id, message: `${node.type} is not executable` },
    ]);
  return behavior;
}

/** A token enters its element (start listeners first: activity.ts runs them for activities). */
export async function enterElement(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void> {
  if (await resumeListenersAfterIncident(s, exec, node)) return;
  // a retry of an element that failed after its start listeners: they ran, do not run them again
  if (startListened(exec, node)) return resume(s, exec, node, 'start', {});
  s.hist(node.id, node.type, 'start');
  if (isActivity(node.type)) return enterActivity(s, exec, node);
  const behavior = flowBehavior(node);
  if (listenersOf(node, 'start').length) return runListeners(s, exec, node, 'start');
  return behavior.enter(s, exec, node);
}

/** Where an element goes on once the listeners of an event are done (listeners.ts). */
const resume: ListenerResume = async (s, exec, node, event, result) => {
  if (event === 'creating') return createUserTask(s, exec, node, result as TaskCorrections);
  if (event === 'completing') return completeActivity(s, exec, result, true);
  if (event === 'start') {
    markStartListened(s, exec, node);
    return isActivity(node.type)
      ? executeActivity(s, exec, node)
      : flowBehavior(node).enter(s, exec, node);
  }
  if (isActivity(node.type)) return leaveActivity(s, exec, node);
  if (node.type === 'EndEvent') return finishEndEvent(s, exec, node);
  return leaveEvent(s, exec, node);
};

export { completeActivity };
