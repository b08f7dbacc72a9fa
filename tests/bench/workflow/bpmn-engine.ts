import { EventEmitter } from 'node:events';
import { BpmnModdle } from 'bpmn-moddle';
import { Engine } from 'bpmn-engine';
import { evaluate } from 'feelin';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { type BenchSystem, DIAGRAM, type Steps } from './diagram';

interface WaitApi {
  id: string;
  type: string;
  environment: { variables: Record<string, unknown> };
  owner: { behaviour: { extensionElements?: { values?: Array<{ assignee?: string }> } } };
  signal(message?: unknown): void;
}

/** `=expr` is FEEL (feelin, as in our engine); anything else is left to bpmn-engine. */
const feelExpressions = {
  resolveExpression(expression: string, from: { environment: { variables: object } }) {
    return typeof expression === 'string' && expression.startsWith('=')
      ? evaluate(expression.slice(1), { ...from.environment.variables }).value
      : expression;
  },
};

/**
 * bpmn-engine (paed01) in memory: nothing persisted. The diagram is parsed once and the parsed
 * moddle context handed to each Engine (its documented option), so per instance it pays for its
 * own model set-up, not for XML parsing. FEEL is plugged in through its `expressions` option so
 * the gateway condition is the same feelin call; the assignee is evaluated when the task waits.
 */
export async function bpmnEngineInMemory(): Promise<BenchSystem> {
  const moddleContext = await new BpmnModdle({ zeebe }).fromXML(DIAGRAM);
  let completed = 0;
  let seq = 0;
  return {
    name: 'bpmn-engine',
    async iteration(approved) {
      const manager = `u${++seq}`;
      const engine = new Engine({
        name: manager,
        moddleContext: moddleContext as never,
        expressions: feelExpressions as never,
      });
      const listener = new EventEmitter();
      let assignee: unknown;
      listener.once('activity.wait', (api: WaitApi) => {
        const raw = api.owner.behaviour.extensionElements?.values?.[0]?.assignee ?? '';
        assignee = evaluate(raw.slice(1), api.environment.variables).value;
      });
      const t0 = performance.now();
      const execution = await engine.execute({ listener, variables: { manager } });
      const t1 = performance.now();
      const task = (execution.getPostponed() as unknown as WaitApi[]).find(
        (a) => a.type === 'bpmn:UserTask',
      );
      if (!task || assignee !== manager) throw new Error(`bpmn-engine: no task for ${manager}`);
      const t2 = performance.now();
      const ended = engine.waitFor('end');
      task.environment.variables.approved = approved;
      task.signal({ approved });
      await ended;
      const t3 = performance.now();
      const process = execution.definitions[0].getProcesses()[0];
      const end = process.getActivityById(approved ? 'approved' : 'rejected') as unknown as {
        counters: { taken: number };
      };
      if (end?.counters.taken !== 1) throw new Error('bpmn-engine: wrong branch');
      completed++;
      return { start: t1 - t0, find: t2 - t1, complete: t3 - t2 } satisfies Steps;
    },
    async states() {
      return { completed };
    },
    async close() {},
  };
}
