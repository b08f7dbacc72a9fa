import type { GraphNode } from '../process-graph';
import type { Exec, InstanceStep } from '../step';

/**
 * What one kind of BPMN element does when a token arrives (the bpmn-js pattern: one behaviour per
 * element kind, registered in index.ts). Behaviours move tokens through the InstanceStep they are
 * given and never write the instance's own rows: the step persists them at commit.
 */
export interface ElementBehavior {
  enter(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void>;
}

/**
 * Activities share one lifecycle (activity.ts): multi-instance, input mappings and boundary events
 * first, then their own `execute`; they complete through `completeActivity`.
 */
export interface ActivityBehavior {
  execute(s: InstanceStep, exec: Exec, node: GraphNode): Promise<void>;
}
