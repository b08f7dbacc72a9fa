import { StepIncident } from './expressions';

/** Zeebe's priority of a user task without zeebe:priorityDefinition. */
export const DEFAULT_TASK_PRIORITY = 50;

/** A task's priority column: null on tasks from before it was kept, read as Zeebe's default. */
export const priorityOf = (v: unknown): number =>
  v === null || v === undefined ? DEFAULT_TASK_PRIORITY : Number(v);

/**
 * A user task's priority as Zeebe computes it when the task is created
 * (BpmnUserTaskBehavior.evaluatePriorityExpression): none → 50; a static value was checked at
 * deploy (0..100); a FEEL expression must give an integer (a decimal, or anything but a number,
 * is an incident) within [0,100] (else an incident too). `evaluate` runs the expression in the
 * token's scope.
 */
export function taskPriority(
  raw: string | undefined,
  evaluate: (expression: string) => unknown,
  at: string,
): number {
  if (raw === undefined) return DEFAULT_TASK_PRIORITY;
  if (!raw.startsWith('=')) return Number(raw);
  const value = evaluate(raw);
  if (typeof value !== 'number')
    throw new StepIncident(
      'expression',
      `Expected result of the expression '${raw.slice(1)}' to be 'NUMBER', but was ${value === null ? "'NULL'" : JSON.stringify(value)} (priority of ${at})`,
    );
  if (value % 1 !== 0)
    throw new StepIncident(
      'expression',
      `Expected result of the expression '${raw.slice(1)}' to be an integer, but was a decimal (priority of ${at})`,
    );
  if (value < 0 || value > 100)
    throw new StepIncident(
      'expression',
      `Expected priority to be in the range [0,100] but was '${value}' (priority of ${at})`,
    );
  return value;
}
