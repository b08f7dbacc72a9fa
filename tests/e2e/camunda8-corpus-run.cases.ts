/**
 * Real Camunda 8 diagrams of tests/fixtures/camunda8-corpus, each driven the way the test that
 * ships with it drives a real Zeebe, and expected to end as that test asserts. Every expectation
 * below is copied from the upstream test named beside it (package tarballs as pinned in
 * scripts/collect-camunda8-corpus.js: `npm pack <package>@<version>`), never from what this engine
 * does. Checked by tests/e2e/camunda8-corpus-run.e2e-spec.ts on SQLite and MySQL.
 *
 * How an upstream call maps to this server's API:
 * - `createProcessInstance` / `createInstances` → `POST /api/workflow/instances`;
 *   `createProcessInstanceWithResult` → the same, then the instance must be completed (that call
 *   only returns once it is) with the asserted variables.
 * - a job worker of `taskType` → `fetch-and-lock` for that type; each fetched job must belong to an
 *   instance this run started (the tests' `job.processInstanceKey === wf.processInstanceKey`).
 *   `job.complete(vars)` → `complete`; `job.fail(msg[, retries])` → `fail` with what the client
 *   sends (zeebe-node 8.4 `ZBWorkerBase.ts`: `retries ?? job.retries - 1`, `retryBackOff ?? 0`; an
 *   exception in the handler: `ZBWorker.ts`, the same with `retryBackOff: 0`, or a cancel of the
 *   instance with `failProcessOnException`); `job.error(code, msg)` → `bpmn-error`.
 * - `publishMessage` / `publishStartMessage` → `POST /api/workflow/messages`;
 *   `broadcastSignal` → `POST /api/workflow/signals`.
 * - a Tasklist user completing a task → `POST /api/tasks/{id}/complete`; Operate showing an
 *   instance active / completed → `GET /api/workflow/instances/{id}`; Tasklist's priority label
 *   of a task → its `priority` from `GET /api/tasks`, labelled as Tasklist labels it.
 * - `createJsonClusterVariable` / `createStringClusterVariable` / `createTenantClusterVariable`
 *   (`POST /v2/cluster-variables/global` or `/tenants/{id}` with `{ name, value }`, a 409 taken as
 *   success) → `POST /api/workflow/cluster-variables/{global|tenant}`; an Admin UI edit of its
 *   value → `PUT /api/workflow/cluster-variables/{scope}/{name}`.
 * - time the test waits for a timer or a retry back-off → the test clock moved on, due jobs run.
 */

export type Vars = Record<string, unknown>;

/** How Tasklist shows a priority (0..100) in a task's details. */
export type TasklistPriority = 'low' | 'medium' | 'high' | 'critical';

/** Where an expectation comes from. */
export interface Upstream {
  /** npm package and version. */
  pkg: string;
  /** Path in the package tarball. */
  file: string;
  /** The test's name, as written there. */
  test: string;
}

export type JobAction =
  | { complete: Vars }
  | { fail: { retries: number; retryBackoffMs: number; errorMessage: string } }
  | { bpmnError: { errorCode: string; errorMessage: string; variables?: Vars } }
  /** The test does nothing more with the job (it cancels the instance next). */
  | 'leave';

export type Step =
  | { start: string; variables?: Vars; times?: number }
  | { publish: { name: string; correlationKey?: string; timeToLive?: number; variables?: Vars } }
  | { signal: { signalName: string; variables?: Vars } }
  /** Activate jobs of `job` (`count` of them, default 1): each as `expect` says, then `then`. */
  | {
      job: string;
      count?: number;
      expect?: { variables?: Vars; retries?: number };
      then: JobAction;
    }
  /** No job of this type can be activated now (a retry back-off not yet over). */
  | { noJob: string }
  /**
   * The open tasks of this run's instances: how many, Tasklist's priority label of each (by task
   * name), then complete each with `complete`.
   */
  | {
      tasks: {
        count?: number;
        atLeast?: number;
        complete?: Vars;
        getById?: true;
        priorities?: Record<string, TasklistPriority>;
      };
    }
  /** A cluster variable created (a 409 is success, as the upstream helper has it) or updated. */
  | {
      clusterVariable: {
        scope: 'global' | 'tenant';
        name: string;
        value: unknown;
        update?: true;
      };
    }
  /** Time passes (ms): due timers fire, backed-off jobs become available. */
  | { wait: number }
  /** Cancel the instance: `ok`, or `refused` (the tests' "throws if not found"). */
  | { cancel: 'ok' | 'refused' }
  /** The run's (first) instance, as Operate / the result of createProcessInstanceWithResult shows. */
  | {
      instance: {
        state?: 'active' | 'completed';
        processKey?: string;
        /** A subset of the instance's variables. */
        variables?: Vars;
        incidents?: number;
        /** The elements waiting now (Play's "next element active"). */
        activeElementIds?: string[];
      };
    };

export interface Run {
  upstream: Upstream;
  steps: Step[];
  /** Where this run drives the diagram differently from the upstream test, and why that is sound. */
  deviation?: string;
}

const ZEEBE = '@camunda8/zeebe@8.4.0';
const E2E = '@camunda/e2e-test-suite@0.0.1247';
const zeebeTest = (spec: string, test: string): Upstream => ({
  pkg: ZEEBE,
  file: `package/src/__tests__/integration/${spec}`,
  test,
});
const hto = (test: string, version = '8.7'): Upstream => ({
  pkg: E2E,
  file: `package/dist/tests/c8Run-${version}/hto-user-flows.spec.js`,
  test,
});

/** zeebe-node's `setVariables` has no counterpart here; see each run's deviation. */
const NO_SET_VARIABLES =
  'the test first sets conditionVariable=false with setVariables, which this server has no API for';

/** ZBWorker.ts: what the client sends when a task handler throws (failProcessOnException unset). */
const handlerThrew = (retries: number): JobAction => ({
  fail: {
    retries,
    retryBackoffMs: 0,
    errorMessage:
      'Unhandled exception in task handler Error: Unhandled exception in task handler for testing purposes',
  },
});

/** A user task completed in Tasklist, then Operate shows the instance completed. */
const userTaskFlow = (
  process: string,
  test: string,
  complete: Vars = {},
  version = '8.7',
): Run => ({
  upstream: hto(test, version),
  steps: [
    { start: process },
    { instance: { state: 'active' } },
    { tasks: { count: 1, complete } },
    { instance: { state: 'completed' } },
  ],
});

/**
 * Operate shows the start variable on the active instance, then the test edits it there; only
 * the part before the edit is driven.
 */
const variableEditing = (process: string, version: string): Run => ({
  upstream: hto('User Task Editing Variables Flow', version),
  deviation:
    'only the part before the Operate variable edit: this server has no API to edit an instance variable',
  steps: [
    { start: process, variables: { testVariable: 'testValue' } },
    { instance: { state: 'active', variables: { testVariable: 'testValue' } } },
  ],
});

/**
 * The e2e suite's cluster variable flows (8.9 SaaS for global variables, Self-Managed 8.9 for the
 * tenant's): a readonly process maps the variable into process variables a user task shows, then
 * the task is completed; an updatable process, started after the value was edited in Admin, ends
 * with the new value in its variables.
 */
function clusterVariableRuns(scope: 'global' | 'tenant'): Record<string, Run[]> {
  const tenant = scope === 'tenant';
  const upstream = (test: string): Upstream => ({
    pkg: E2E,
    file: tenant
      ? 'package/dist/tests/SM-8.9/cluster-variables-tenant.spec.js'
      : 'package/dist/tests/8.9/cluster-variables.spec.js',
    test,
  });
  const t = tenant ? ' tenant' : '';
  const file = (name: string) =>
    `camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_${tenant ? 'tenant_' : ''}${name}.bpmn`;
  const process = (name: string) => `cluster_variable_${tenant ? 'tenant_' : ''}${name}`;
  const ORIGINAL_DEVIATION =
    "the stored value is the CI's secret (CLUSTER_VARIABLE_JSON_VALUE / CLUSTER_VARIABLE_STRING_VALUE); a stand-in of the shape the test's Admin edit writes is stored instead, and the test's check that the task shows each of its values is the instance's variables holding them";
  const RANDOM_DEVIATION =
    'the test appends a random suffix to the new value (randomNameAgregator); a fixed one is used';
  // the shape the Admin edit of the updatable test writes: { endpoint, timeout_ms: '5000', array }
  const json = { endpoint: 'https://api.example.com', timeout_ms: '5000', array: ['a', 'b'] };
  const edited = `https://updated${tenant ? '.tenant' : ''}.api.com_x1y`;
  const editedVersion = `v3.0.0${tenant ? '-tenant' : ''}-updated_x1y`;
  const readonly = (kind: 'JSON' | 'String'): Run => ({
    upstream: upstream(
      `User views ${kind}${t} cluster variable in Tasklist from readonly process and completes task`,
    ),
    deviation: ORIGINAL_DEVIATION,
    steps: [
      kind === 'JSON'
        ? { clusterVariable: { scope, name: 'ORIGINAL_API_INFO', value: json } }
        : { clusterVariable: { scope, name: 'ORIGINAL_APP_VERSION', value: 'v2.5.0' } },
      { start: process(kind === 'JSON' ? 'original_json' : 'original_string') },
      {
        instance: {
          state: 'active',
          variables:
            kind === 'JSON'
              ? { URL: json.endpoint, TIMEOUT_MS: json.timeout_ms, ARRAY: json.array }
              : { APP_VERSION_VALUE: 'v2.5.0' },
        },
      },
      { tasks: { count: 1, complete: {} } },
      { instance: { state: 'completed' } },
    ],
  });
  const updatable = (kind: 'JSON' | 'String'): Run => ({
    upstream: upstream(
      `User updates ${kind}${t} cluster variable in Admin UI and verifies changes in Operate`,
    ),
    deviation: `${ORIGINAL_DEVIATION}; ${RANDOM_DEVIATION}`,
    steps:
      kind === 'JSON'
        ? [
            { clusterVariable: { scope, name: 'UPDATABLE_API_INFO', value: json } },
            {
              clusterVariable: {
                scope,
                name: 'UPDATABLE_API_INFO',
                value: {
                  endpoint: edited,
                  timeout_ms: '5000',
                  array: ['updated_item1', 'updated_item2'],
                },
                update: true,
              },
            },
            { start: process('updatable_json') },
            { instance: { state: 'completed', variables: { URL: edited } } },
          ]
        : [
            { clusterVariable: { scope, name: 'UPDATABLE_APP_VERSION', value: 'v2.5.0' } },
            {
              clusterVariable: {
                scope,
                name: 'UPDATABLE_APP_VERSION',
                value: editedVersion,
                update: true,
              },
            },
            { start: process('updatable_string') },
            { instance: { state: 'completed', variables: { APP_VERSION_VALUE: editedVersion } } },
          ],
  });
  return {
    [file('json_readonly')]: [readonly('JSON')],
    [file('string_readonly')]: [readonly('String')],
    [file('json_mutable')]: [updatable('JSON')],
    [file('string_mutable')]: [updatable('String')],
  };
}

export const RUNS: Record<string, Run[]> = {
  'camunda8-zeebe/src/__tests__/testdata/hello-world.bpmn': [
    {
      upstream: zeebeTest('Client-startProcess.spec.ts', 'Can start a process'),
      steps: [{ start: 'hello-world' }, { instance: { processKey: 'hello-world' } }],
    },
    {
      upstream: zeebeTest('Worker-integration.spec.ts', 'Can service a task'),
      steps: [{ start: 'hello-world' }, { job: 'console-log', then: { complete: {} } }],
    },
    {
      upstream: zeebeTest('Worker-1.0-complete.spec.ts', 'Can service a task'),
      steps: [{ start: 'hello-world' }, { job: 'console-log', then: { complete: {} } }],
    },
    {
      upstream: zeebeTest('Worker-BatchWorker.spec.ts', 'BatchWorker gets ten jobs'),
      steps: [
        { start: 'hello-world', times: 10 },
        { job: 'console-log', count: 10, then: { complete: {} } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/hello-world-complete.bpmn': [
    {
      upstream: zeebeTest('Worker-integration.spec.ts', 'Can service a task with complete.success'),
      steps: [
        { start: 'hello-world-complete' },
        { job: 'console-log-complete', then: { complete: {} } },
      ],
    },
    {
      upstream: zeebeTest(
        'Worker-1.0-complete.spec.ts',
        'Can service a task with complete.success',
      ),
      steps: [
        { start: 'hello-world-complete' },
        { job: 'console-log-complete', then: { complete: {} } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/conditional-pathway.bpmn': [
    ...['Worker-integration.spec.ts', 'Worker-1.0-complete.spec.ts'].map((spec): Run => ({
      upstream: zeebeTest(spec, 'Can update process variables with complete.success()'),
      steps: [
        { start: 'condition-test', variables: { conditionVariable: true } },
        { job: 'wait', then: { complete: { conditionVariable: false } } },
        {
          job: 'pathB',
          expect: { variables: { conditionVariable: false } },
          then: { complete: { conditionVariable: false } },
        },
      ],
    })),
  ],
  'camunda8-zeebe/src/__tests__/testdata/Worker-RaiseIncident.bpmn': [
    {
      // the incident itself: the test's name and its comment "Manually verify that an incident
      // has been raised" (it fails the job with 0 retries)
      upstream: zeebeTest(
        'Worker-RaiseIncident.spec.ts',
        'Can raise an Operate incident with complete.failure()',
      ),
      deviation: `${NO_SET_VARIABLES}; the wait job is completed with job.variables as the test does, which after that setVariables are { conditionVariable: false }, so the gateway sees the same value`,
      steps: [
        { start: 'raise-incident', variables: { conditionVariable: true } },
        { job: 'wait-raise-incident', then: { complete: { conditionVariable: false } } },
        {
          job: 'pathB-raise-incident',
          expect: { variables: { conditionVariable: false } },
          then: {
            fail: { retries: 0, retryBackoffMs: 0, errorMessage: 'Raise an incident in Operate' },
          },
        },
        { instance: { state: 'active', incidents: 1 } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure1.bpmn': [
    {
      upstream: zeebeTest('Worker-Failure.spec.ts', 'Causes a retry with complete.failure()'),
      deviation: `${NO_SET_VARIABLES}; only the gateway after the asserted job reads it`,
      steps: [
        { start: 'worker-failure', variables: { conditionVariable: true } },
        {
          job: 'wait-worker-failure',
          then: { fail: { retries: 2, retryBackoffMs: 0, errorMessage: 'Triggering a retry' } },
        },
        {
          job: 'wait-worker-failure',
          then: { fail: { retries: 1, retryBackoffMs: 0, errorMessage: 'Triggering a retry' } },
        },
        { job: 'wait-worker-failure', expect: { retries: 1 }, then: { complete: {} } },
      ],
    },
    {
      upstream: zeebeTest(
        'Worker-Failure-Backoff-Retry.spec.ts',
        'Can specify a retryBackoff with complete.failure()',
      ),
      deviation: `${NO_SET_VARIABLES}; only the gateway after the asserted job reads it. The test's "more than 1800 ms between the last failure and the completion" is checked on the test clock: no job at +1800 ms, the job at +2000 ms`,
      steps: [
        { start: 'worker-failure', variables: { conditionVariable: true } },
        {
          job: 'wait-worker-failure',
          then: {
            fail: {
              retries: 1,
              retryBackoffMs: 2000,
              errorMessage: 'Triggering a retry with a two second back-off',
            },
          },
        },
        { wait: 1800 },
        { noJob: 'wait-worker-failure' },
        { wait: 200 },
        { job: 'wait-worker-failure', expect: { retries: 1 }, then: { complete: {} } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure2.bpmn': [
    {
      upstream: zeebeTest(
        'Worker-Failure.spec.ts',
        'Does not fail a process when the handler throws, by default',
      ),
      steps: [
        { start: 'worker-failure2' },
        { job: 'console-log-worker-failure-2', then: handlerThrew(99) },
        // the job comes back, and cancelling the instance then "should NOT throw"
        { job: 'console-log-worker-failure-2', then: 'leave' },
        { cancel: 'ok' },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure3.bpmn': [
    {
      upstream: zeebeTest(
        'Worker-Failure.spec.ts',
        'Fails a process when the handler throws and options.failProcessOnException is set',
      ),
      steps: [
        { start: 'worker-failure3' },
        // the handler throws: with failProcessOnException the client cancels the instance
        { job: 'console-log-worker-failure-3', then: 'leave' },
        { cancel: 'ok' },
        // the test's own cancel then "SHOULD throw"
        { cancel: 'refused' },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/Worker-Failure-Retries.bpmn': [
    {
      upstream: zeebeTest(
        'Worker-Failure-Retries.spec.ts',
        'Decrements the retries count by default',
      ),
      steps: [
        { start: 'worker-failure-retries', variables: { conditionVariable: true } },
        {
          job: 'service-task-worker-failure-retries',
          expect: { retries: 100 },
          then: { fail: { retries: 99, retryBackoffMs: 0, errorMessage: 'Some reason' } },
        },
        {
          job: 'service-task-worker-failure-retries',
          expect: { retries: 99 },
          then: { complete: {} },
        },
      ],
    },
    ...[
      'Set the retries to a specific number when provided with one via simple signature',
      'Set the retries to a specific number when provided with one via object signature',
    ].map((test): Run => ({
      upstream: zeebeTest('Worker-Failure-Retries.spec.ts', test),
      steps: [
        { start: 'worker-failure-retries', variables: { conditionVariable: true } },
        {
          job: 'service-task-worker-failure-retries',
          expect: { retries: 100 },
          then: { fail: { retries: 101, retryBackoffMs: 0, errorMessage: 'Some reason' } },
        },
        {
          job: 'service-task-worker-failure-retries',
          expect: { retries: 101 },
          then: { complete: {} },
        },
      ],
    })),
  ],
  'camunda8-zeebe/src/__tests__/testdata/Client-ThrowError.bpmn': [
    {
      upstream: zeebeTest(
        'Client-ThrowError.spec.ts',
        'Throws a business error that is caught in the process',
      ),
      steps: [
        { start: 'throw-bpmn-error' },
        {
          job: 'throw-bpmn-error-task',
          then: {
            bpmnError: { errorCode: 'BUSINESS_ERROR', errorMessage: 'Well, that did not work' },
          },
        },
        { job: 'sad-flow', then: { complete: { bpmnErrorCaught: true } } },
        { instance: { state: 'completed', variables: { bpmnErrorCaught: true } } },
      ],
    },
    {
      upstream: zeebeTest(
        'Client-ThrowError.spec.ts',
        'Can set variables when throwing a BPMN Error',
      ),
      steps: [
        { start: 'throw-bpmn-error' },
        {
          job: 'throw-bpmn-error-task',
          then: {
            bpmnError: {
              errorCode: 'BUSINESS_ERROR',
              errorMessage: "Well, that didn't work",
              variables: { something: 'someValue' },
            },
          },
        },
        { job: 'sad-flow', then: { complete: { bpmnErrorCaught: true } } },
        { instance: { state: 'completed', variables: { bpmnErrorCaught: true } } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/await-outcome.bpmn': [
    {
      upstream: zeebeTest(
        'Client-CreateProcessInstanceWithResult.spec.ts',
        'Awaits a process outcome',
      ),
      steps: [
        { start: 'await-outcome', variables: { sourceValue: 5 } },
        { wait: 1000 },
        { instance: { state: 'completed', variables: { sourceValue: 5 } } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/await-outcome-long.bpmn': [
    {
      upstream: zeebeTest(
        'Client-CreateProcessInstanceWithResult.spec.ts',
        'can override the gateway timeout',
      ),
      steps: [
        { start: 'await-outcome-long', variables: { otherValue: 'rome', sourceValue: 5 } },
        { wait: 20_000 },
        { instance: { state: 'completed', variables: { sourceValue: 5 } } },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/Client-MessageStart.bpmn': [
    {
      upstream: zeebeTest('Client-MessageStart.spec.ts', 'Can start a process with a message'),
      steps: [
        {
          publish: { name: 'MSG-START_JOB', timeToLive: 2000, variables: { testKey: 'start-1' } },
        },
        {
          job: 'console-log-msg-start',
          expect: { variables: { testKey: 'start-1' } },
          then: { complete: {} },
        },
      ],
    },
    {
      upstream: zeebeTest('Client-PublishMessage.spec.ts', 'Can publish a message'),
      steps: [
        {
          publish: {
            name: 'MSG-START_JOB',
            correlationKey: 'something',
            variables: { testKey: 'publish-1' },
          },
        },
        {
          job: 'console-log-msg-start',
          expect: { variables: { testKey: 'publish-1' } },
          then: { complete: {} },
        },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/Signal.bpmn': [
    {
      upstream: zeebeTest('Client-BroadcastSignal.spec.ts', 'Can start a process with a signal'),
      steps: [
        { signal: { signalName: 'test-signal', variables: { success: true } } },
        {
          job: 'signal-service-task',
          expect: { variables: { success: true } },
          then: { complete: {} },
        },
      ],
    },
  ],
  'camunda8-zeebe/src/__tests__/testdata/disconnection.bpmn': [
    {
      // createProcessInstanceWithResult returns once the instance completed
      upstream: {
        pkg: ZEEBE,
        file: 'package/src/__tests__/disconnection/disconnect.spec.ts',
        test: 'reconnects after a pod reschedule',
      },
      steps: [
        { start: 'disconnection' },
        { job: 'disconnection-task', then: { complete: {} } },
        { instance: { state: 'completed', processKey: 'disconnection' } },
      ],
    },
  ],
  'camunda-e2e-test-suite/resources/Job_Worker_Process.bpmn': [
    userTaskFlow('Job_Worker_Process', 'User Task Most Common Flow'),
  ],
  'camunda-e2e-test-suite/resources/Zeebe_User_Task.bpmn': [
    userTaskFlow('Zeebe_User_Task', 'Zeebe User Task User Flow'),
  ],
  // the form (resources/New Form.form, id Form_00xfy2q) has one text field, key "name"; the test
  // types "Test User" into it
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form.bpmn': [
    userTaskFlow('Form_User_Task', 'Form.js Integration with User Task', { name: 'Test User' }),
  ],
  'camunda-e2e-test-suite/resources/Start_Form_Process.bpmn': [
    {
      upstream: hto('Form.js Integration with Start form'),
      steps: [{ start: 'Start_Form_Process' }, { instance: { state: 'completed' } }],
    },
  ],
  'camunda-e2e-test-suite/resources/Variable_Process.bpmn': [
    variableEditing('Variable_Process', '8.7'),
  ],
  'camunda-e2e-test-suite/resources/User_Task_Editing_Variables.bpmn': [
    variableEditing('User_Task_Editing_Variables', '8.10'),
  ],
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form_3.bpmn': [
    userTaskFlow(
      'Form_User_Task_3',
      'Form.js Integration with User Task',
      { name: 'Test User' },
      '8.10',
    ),
  ],
  'camunda-e2e-test-suite/resources/Play_Test_User_Service_Task.bpmn': [
    {
      upstream: {
        pkg: E2E,
        file: 'package/dist/tests/SM-8.10/play.spec.js',
        test: 'Start and complete the process instance in Play',
      },
      deviation:
        "the test uploads the file to Web Modeler and renames the process (id and name) before Play; its elements and their behaviour are the file's",
      steps: [
        { start: 'Play_Test_User_Service_Task' },
        { instance: { state: 'active', activeElementIds: ['play-user-task'] } },
        { tasks: { count: 1, complete: {} } },
        { instance: { state: 'active', activeElementIds: ['play-service-task'] } },
        { job: 'play-job-type', then: { complete: {} } },
        { instance: { state: 'completed' } },
      ],
    },
  ],
  'camunda-e2e-test-suite/resources/Zeebe_User_Task_Process_With_Priority.bpmn': [
    {
      upstream: hto('Zeebe User Task With Priority', '8.8'),
      steps: [
        { start: 'Zeebe_User_Task_Process_With_Priority' },
        {
          tasks: {
            count: 4,
            priorities: {
              priorityTest4: 'critical',
              priorityTest3: 'high',
              priorityTest2: 'medium',
              priorityTest1: 'low',
            },
            complete: {},
          },
        },
        { instance: { state: 'completed' } },
      ],
    },
  ],
  ...clusterVariableRuns('global'),
  ...clusterVariableRuns('tenant'),
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form_API.bpmn': [
    {
      upstream: {
        pkg: E2E,
        file: 'package/dist/tests/c8Run-8.7/tasklist-api-tests-docker.spec.js',
        test: 'Get a task via ID',
      },
      steps: [{ start: 'Form_User_Task_API', times: 3 }, { tasks: { atLeast: 1, getById: true } }],
    },
  ],
};

/**
 * Corpus diagrams that deploy but are not run here, and why: no upstream test runs them against
 * Zeebe with an outcome to compare, or the run needs what this server does not have.
 */
export const NOT_RUN: Record<string, string> = {
  'camunda8-zeebe/src/__tests__/testdata/Client-SkipFirstTask.bpmn':
    'its tests start at a chosen element (startInstructions) or modify the instance; this server has neither API',
  'camunda8-zeebe/src/__tests__/testdata/Client-DeployWorkflow.bpmn':
    'its tests only deploy it (camunda8-corpus.e2e-spec.ts covers deploying)',
  'camunda8-zeebe/src/__tests__/testdata/Worker-LongPoll.bpmn':
    "its test polls a random job type the diagram never creates; it asserts the worker's poll count",
  'camunda8-zeebe/src/__tests__/testdata/BpmnParser.bpmn':
    "read by the client's BpmnParser unit test (task types, message names), never run",
  'camunda8-zeebe/src/__tests__/testdata/BpmnParser2.bpmn':
    "read by the client's BpmnParser unit test (task types, message names), never run",
  'camunda8-zeebe/src/__tests__/testdata/generic-test.bpmn': 'no test of the package uses it',
  'camunda8-zeebe/example/test.bpmn': 'an example script without assertions',
  'camunda8-zeebe/example/connector_test.bpmn': 'an example script without assertions',
  'camunda8-sdk/backpressure/test-job-process.bpmn':
    'a throughput profiling script without assertions',
  'camunda-e2e-test-suite/resources/User_Task_Process_With_Form_2.bpmn':
    'no test of the package uses it',
  'camunda-e2e-test-suite/resources/cluster_variables/cluster_variable_global_scope.bpmn':
    'no test of the package uses it',
};

/** Whole families of deploying corpus diagrams that are not run, and why. */
export const NOT_RUN_FAMILIES: Array<{ files: RegExp; why: string }> = [
  {
    files: /\/resources\/(agentic_ai|connectors|mcp_server(_saas|_sm)?)\//,
    why: 'AI agent, AWS, vector database and MCP flows: their tests need the LLM providers, AWS services, vector stores and MCP servers the connectors call, and assert what those answer',
  },
  {
    files: /REST_Connector|Rest_Connector|ConnectorsBasicTest|Webhook_Connector/,
    why: 'REST and webhook connector flows: their tests need the connector runtime and the HTTP services it calls or is called by',
  },
  {
    files: /Camunda_Simple_User_Task_\d|Candidate_User_Process_/,
    why: "templates the e2e suite uploads to Web Modeler and edits (candidate groups, task names) before running; their tests assert who may see which task in Tasklist (authorizations), not the diagram's outcome",
  },
];
