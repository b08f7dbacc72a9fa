import { arm } from './events';
import { armEventSubprocesses } from './event-subprocess';
import { completeActivity } from './activity';
import type { ActivityBehavior } from './types';

/** zeebe:script: one FEEL expression, its value in `resultVariable`. */
export const scriptTask: ActivityBehavior = {
  async execute(s, exec, node) {
    const value = s.feel(node.script!.expression, s.scopeVars(exec), node.id);
    return completeActivity(s, exec, { [node.script!.resultVariable]: value });
  },
};

/** Waits for its message (a subscription, correlated by POST /api/workflow/messages). */
export const receiveTask: ActivityBehavior = {
  async execute(s, exec, node) {
    s.park(exec, 'waiting');
    return arm(s, node, exec);
  },
};

/** An embedded subprocess: the token becomes the scope, a child token starts at its start event. */
export const subProcess: ActivityBehavior = {
  async execute(s, exec, node) {
    s.park(exec, 'scope');
    await armEventSubprocesses(s, exec, node.id);
    s.queue.push(await s.createExec(exec.id, node.startNode!));
  },
};

/** Undefined tasks and manual tasks pass straight through. */
export const passThroughTask: ActivityBehavior = {
  execute: (s, exec) => completeActivity(s, exec, {}),
};
