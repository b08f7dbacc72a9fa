import { StepIncident } from './expressions';
import { DEFAULT_TASK_PRIORITY, priorityOf, taskPriority } from './task-priority';

/** A user task's priority as Zeebe computes it when the task is created. */
describe('taskPriority', () => {
  const never = () => {
    throw new Error('a static priority is not evaluated');
  };

  it('is 50 without zeebe:priorityDefinition, the static value otherwise', () => {
    expect(taskPriority(undefined, never, 'u')).toBe(DEFAULT_TASK_PRIORITY);
    expect(DEFAULT_TASK_PRIORITY).toBe(50);
    expect(taskPriority('76', never, 'u')).toBe(76);
  });

  it('evaluates a FEEL priority', () => {
    expect(taskPriority('=urgency * 10', () => 80, 'u')).toBe(80);
    expect(taskPriority('=0', () => 0, 'u')).toBe(0);
  });

  it.each([
    [null, "to be 'NUMBER', but was 'NULL'"],
    ['high', 'to be \'NUMBER\', but was "high"'],
    [2.5, 'to be an integer, but was a decimal'],
    [101, "Expected priority to be in the range [0,100] but was '101'"],
    [-1, "Expected priority to be in the range [0,100] but was '-1'"],
  ])('raises an incident when the expression gives %p', (value, says) => {
    let thrown: unknown;
    try {
      taskPriority('=p', () => value, 'review');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StepIncident);
    expect((thrown as StepIncident).message).toContain(says);
    expect((thrown as StepIncident).message).toContain('priority of review');
  });

  it('reads a task row from before priorities were kept as the default', () => {
    expect(priorityOf(null)).toBe(50);
    expect(priorityOf(7)).toBe(7);
    expect(priorityOf('7')).toBe(7);
  });
});
