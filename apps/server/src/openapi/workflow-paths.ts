import {
  BAD_ID,
  VARIABLES_TOO_LARGE,
  anyObject,
  bool,
  dataOf,
  int,
  jsonBody,
  nullable,
  obj,
  operation,
  pathParam,
  queryParam,
  ref,
  reply,
  str,
  timestamp,
  variables,
} from './schemas';

const tags = ['Workflow'];
const id = pathParam('id');
const workerId = { type: 'string', minLength: 1, description: 'the worker holding the lock' };
const INSTANCE_STATES = ['active', 'completed', 'terminated', 'cancelled'];

/** The shapes the workflow routes answer (components/schemas). */
export const workflowSchemas: Record<string, unknown> = {
  DefinitionVersion: obj(
    {
      version: int,
      name: nullable('string'),
      executable: bool,
      resource: { type: ['string', 'null'], description: 'the uploaded file name' },
      deployedAt: timestamp,
      deployedBy: nullable('string'),
    },
    ['version', 'name', 'executable'],
  ),
  ProcessDefinition: obj(
    {
      key: str,
      latest: ref('DefinitionVersion'),
      versions: { type: 'array', items: ref('DefinitionVersion'), description: 'newest first' },
    },
    ['key', 'latest', 'versions'],
  ),
  DecisionVersion: obj(
    {
      version: int,
      name: nullable('string'),
      decisionRequirementsId: { type: 'string', description: "the DMN file's definitions id" },
      resource: { type: ['string', 'null'], description: 'the uploaded file name' },
      deployedAt: timestamp,
      deployedBy: nullable('string'),
    },
    ['version', 'name', 'decisionRequirementsId'],
  ),
  DecisionDefinition: obj(
    {
      key: { type: 'string', description: 'the decision id (zeebe:calledDecision decisionId)' },
      latest: ref('DecisionVersion'),
      versions: { type: 'array', items: ref('DecisionVersion'), description: 'newest first' },
    },
    ['key', 'latest', 'versions'],
  ),
  DeployedDecision: obj(
    {
      kind: { enum: ['decision'] },
      key: { type: 'string', description: 'the decision id' },
      version: int,
      name: nullable('string'),
      decisionRequirementsId: str,
      created: { type: 'boolean', description: 'false: the same bytes were the latest version' },
    },
    ['kind', 'key', 'version', 'name', 'decisionRequirementsId', 'created'],
  ),
  DeployedProcess: obj(
    {
      kind: { enum: ['process'] },
      key: str,
      version: int,
      name: nullable('string'),
      executable: bool,
      created: { type: 'boolean', description: 'false: the same bytes were the latest version' },
    },
    ['kind', 'key', 'version', 'name', 'executable', 'created'],
  ),
  ProcessInstance: obj(
    {
      id: int,
      processKey: str,
      definitionVersion: int,
      businessKey: nullable('string'),
      state: { enum: INSTANCE_STATES },
      variables: anyObject,
      record: {
        oneOf: [obj({ entity: str, id: int }, ['entity', 'id']), { type: 'null' }],
        description: 'the record the instance is about',
      },
      parentInstanceId: nullable('integer'),
      activeElementIds: { type: 'array', items: str },
      completedElements: {
        type: 'object',
        additionalProperties: int,
        description: 'element id → times completed',
      },
      incidents: { type: 'integer', description: 'open incidents' },
      startedBy: nullable('string'),
      startedAt: timestamp,
      endedAt: timestamp,
      outcome: {
        type: ['string', 'null'],
        description: 'how an approval ended: approved, rejected, withdrawn, cancelled',
      },
    },
    ['id', 'processKey', 'definitionVersion', 'state', 'variables', 'activeElementIds'],
  ),
  InstanceHistoryEntry: obj(
    {
      elementId: nullable('string'),
      elementType: str,
      event: { type: 'string', description: 'start, end, cancel, complete, claim, retry...' },
      actor: nullable('string'),
      detail: { description: 'event data (e.g. the variables a task was completed with)' },
      at: timestamp,
    },
    ['elementType', 'event', 'at'],
  ),
  UserTask: obj(
    {
      id: int,
      instanceId: int,
      elementId: str,
      name: nullable('string'),
      assignee: nullable('string'),
      candidateGroups: { type: 'array', items: str, description: 'role names' },
      candidateUsers: { type: 'array', items: str, description: 'logins' },
      state: { type: 'string', description: 'created (open), completed or cancelled' },
      version: { type: 'integer', description: 'send it back to complete (optimistic lock)' },
      createdAt: timestamp,
      dueAt: {
        ...timestamp,
        description:
          "when it is due: the node's `deadline` header (or TASK_DEFAULT_DEADLINE) on its business calendar",
      },
      dueState: {
        type: ['string', 'null'],
        enum: ['ok', 'dueSoon', 'overdue', null],
        description:
          'open tasks only: overdue once due, dueSoon within TASK_DUE_SOON_HOURS (24) before, else ok; null when not open or without a due time',
      },
      kind: {
        type: ['string', 'null'],
        enum: ['before', 'after', 'along', 'resubmit', null],
        description:
          "approvals: a signer added to someone's task (they approve or reject), or the initiator's returned submission (resubmit); null: the node's own task",
      },
      owner: {
        type: ['string', 'null'],
        description: 'who delegated the task: it comes back to them after the delegate decides',
      },
      priority: {
        type: 'integer',
        minimum: 0,
        maximum: 100,
        description:
          'zeebe:priorityDefinition (Camunda 8.6), evaluated when the task was created; 50 when the diagram sets none',
      },
    },
    [
      'id',
      'instanceId',
      'elementId',
      'assignee',
      'state',
      'version',
      'dueAt',
      'dueState',
      'kind',
      'owner',
    ],
  ),
  LockedJob: obj(
    {
      id: int,
      type: str,
      instanceId: int,
      elementId: str,
      processKey: str,
      variables: anyObject,
      headers: {
        type: 'object',
        additionalProperties: str,
        description: 'zeebe:taskHeaders',
      },
      retries: int,
      lockExpiresAt: timestamp,
    },
    ['id', 'type', 'instanceId', 'elementId', 'variables', 'retries'],
  ),
  Incident: obj(
    {
      id: int,
      instanceId: int,
      elementId: nullable('string'),
      jobId: nullable('integer'),
      kind: { type: 'string', description: 'e.g. task-failed, no matching flow, FEEL error' },
      message: str,
      state: { enum: ['open', 'resolved'] },
      createdAt: timestamp,
      resolvedAt: timestamp,
      resolvedBy: nullable('string'),
    },
    ['id', 'instanceId', 'kind', 'message', 'state'],
  ),
  ApprovalPreview: obj(
    {
      processKey: str,
      version: { type: 'integer', description: 'the version a start would run (the latest)' },
      nodes: {
        type: 'array',
        description: 'the user tasks the data routes to, in the order a token reaches them',
        items: obj(
          {
            elementId: str,
            name: nullable('string'),
            mode: { enum: ['single', 'any', 'all', 'vote', 'sequential'] },
            approval: {
              type: 'boolean',
              description: 'an approval node (header approvalMode)',
            },
            approvers: {
              type: 'array',
              description: 'assignees and candidate users (multi-instance: one per inner task)',
              items: ref('PreviewPerson'),
            },
            candidateGroups: {
              type: 'array',
              items: obj({ name: str, members: { type: 'array', items: ref('PreviewPerson') } }, [
                'name',
                'members',
              ]),
            },
            route: {
              enum: [
                'approvers',
                'supervisor',
                'admin',
                'auto-approve',
                'refuse',
                'repeated',
                'task',
              ],
              description:
                "approvers: as the sources gave them; supervisor: the initiator was taken off and their supervisor decides; admin / auto-approve / refuse: the node's empty-list rule (refuse: a start would answer 422 APPROVERS_EMPTY); repeated: approved automatically, its approver approved the node before; task: a user task that is no approval node",
            },
            onEmpty: { type: ['string', 'null'], enum: ['approve', 'admin', 'refuse', null] },
          },
          ['elementId', 'mode', 'approval', 'approvers', 'candidateGroups', 'route'],
        ),
      },
      stops: {
        type: 'array',
        description:
          'where the walk could not predict what follows (a message wait, a service result, a called process); empty when every path reached its end',
        items: obj({ elementId: str, name: nullable('string'), reason: str }, [
          'elementId',
          'reason',
        ]),
      },
    },
    ['processKey', 'version', 'nodes', 'stops'],
  ),
  PreviewPerson: obj({ login: str, displayName: nullable('string') }, ['login']),
  Notification: obj(
    {
      id: int,
      subject: str,
      body: nullable('string'),
      instanceId: nullable('integer'),
      createdAt: timestamp,
      readAt: timestamp,
    },
    ['id', 'subject'],
  ),
};

const instance = ref('ProcessInstance');

/** Deployments, definitions, instances, messages, external jobs and incidents (WorkflowController). */
export function workflowPaths(): Record<string, unknown> {
  const needs = (action: string) => `\`${action}\` on Workflow`;
  const forbidden = (action: string) => `FORBIDDEN: no role allows \`${action}\` on Workflow`;
  const job = (name: string, summary: string, body: unknown, description: string) => ({
    post: operation({
      operationId: name,
      tags,
      summary,
      permission: needs('work'),
      description,
      parameters: [id],
      requestBody: jsonBody(body),
      status: '204',
      ok: reply('Done'),
      errors: {
        '400': `${BAD_ID}; or workerId missing, a field of the wrong type`,
        '403': forbidden('work'),
        '404': 'JOB_NOT_FOUND: no such job (done or cancelled)',
        '409': 'JOB_LOCK_LOST: the lock expired or another worker holds the job; or FLOW_STUCK',
        ...(name !== 'failExternalJob' ? { '413': VARIABLES_TOO_LARGE } : {}),
      },
    }),
  });
  return {
    '/api/workflow/deployments': {
      post: operation({
        operationId: 'deployProcesses',
        tags,
        summary: 'Deploy a BPMN diagram or a DMN file',
        permission: needs('deploy'),
        description:
          'The XML (BPMN or DMN, told apart by its root element) is validated; each changed process or decision gets a new version (the same bytes again: a no-op, `created: false`).',
        requestBody: {
          required: true,
          content: {
            'application/xml': { schema: { type: 'string' } },
            'text/xml': { schema: { type: 'string' } },
            'multipart/form-data': {
              schema: obj({ file: { type: 'string', format: 'binary' } }, ['file']),
            },
          },
        },
        status: '201',
        ok: reply(
          'The processes of the diagram, or the decisions of the DMN file',
          dataOf({ oneOf: [ref('DeployedProcess'), ref('DeployedDecision')] }),
        ),
        errors: {
          '400':
            'No XML; or BPMN_INVALID / DMN_INVALID, `errors` list `{ elementId, elementType, message }` of each problem',
          '403': forbidden('deploy'),
          '413': 'FILE_TOO_LARGE: a body over MAX_FILE_BYTES (refused as soon as it passes it)',
        },
      }),
    },
    '/api/workflow/definitions': {
      get: operation({
        operationId: 'listProcessDefinitions',
        tags,
        summary: 'Deployed processes with their versions',
        permission: 'any signed-in user',
        ok: reply('The processes by key', dataOf(ref('ProcessDefinition'))),
      }),
    },
    '/api/workflow/definitions/{key}/xml': {
      get: operation({
        operationId: 'getProcessDefinitionXml',
        tags,
        summary: "A process version's BPMN XML",
        permission: 'any signed-in user',
        parameters: [
          pathParam('key', str, 'the process id'),
          queryParam('version', { type: 'integer', minimum: 1 }, 'default: the latest'),
        ],
        ok: {
          description: 'The diagram',
          content: { 'application/xml': { schema: { type: 'string' } } },
        },
        errors: {
          '400': 'QUERY_INVALID: version is not an integer',
          '404': 'DEFINITION_NOT_FOUND: no such process or version',
        },
      }),
    },
    '/api/workflow/decisions': {
      get: operation({
        operationId: 'listDecisions',
        tags,
        summary: 'Deployed DMN decisions with their versions',
        permission: 'any signed-in user',
        ok: reply('The decisions by decision id', dataOf(ref('DecisionDefinition'))),
      }),
    },
    '/api/workflow/decisions/{decisionId}/xml': {
      get: operation({
        operationId: 'getDecisionXml',
        tags,
        summary: "The DMN file of a decision's version",
        permission: 'any signed-in user',
        parameters: [
          pathParam('decisionId', str, 'the decision id'),
          queryParam('version', { type: 'integer', minimum: 1 }, 'default: the latest'),
        ],
        ok: {
          description: 'The DMN file',
          content: { 'application/xml': { schema: { type: 'string' } } },
        },
        errors: {
          '400': 'QUERY_INVALID: version is not an integer',
          '404': 'DECISION_NOT_FOUND: no such decision or version',
        },
      }),
    },
    '/api/workflow/instances': {
      post: operation({
        operationId: 'startProcessInstance',
        tags,
        summary: 'Start a process instance',
        permission:
          "`start` on the record (within the rule's conditions, e.g. own quotes) when `record` is given; otherwise `start` on Workflow",
        description:
          'Runs to the first wait states in one transaction. The record is the FEEL variable `record` and the target of built-in record tasks.',
        requestBody: jsonBody(
          obj(
            {
              processKey: { type: 'string', minLength: 1 },
              version: { type: 'integer', minimum: 0, description: 'default: the latest' },
              variables,
              businessKey: { type: 'string', minLength: 1 },
              record: obj({ entity: str, id: int }, ['entity', 'id']),
            },
            ['processKey'],
          ),
        ),
        status: '201',
        ok: reply('The instance as it waits (or ended)', instance),
        errors: {
          '400':
            'processKey missing, a malformed record or version, VARIABLES_INVALID (also: an approver picked outside what `picked()` allows, at `/variables/<name>`), or an invalid body',
          '403': 'FORBIDDEN: no role allows `start` on the record (or on Workflow)',
          '404':
            'DEFINITION_NOT_FOUND, or the record (or its entity) does not exist or is not readable',
          '409':
            'NOT_STARTABLE (not executable, no none start event), FLOW_STUCK or ELEMENT_NOT_EXECUTABLE',
          '413': VARIABLES_TOO_LARGE,
          '422':
            'APPROVERS_EMPTY: an approval node found nobody to decide and its rule is `onEmpty: refuse` (the error names the element); nothing was started',
        },
      }),
      get: operation({
        operationId: 'listProcessInstances',
        tags,
        summary: 'The instances the caller may see, newest first',
        permission:
          'any signed-in user: instances they started, about a record they may read, or where they see a task; `read` on Workflow shows all',
        parameters: [
          queryParam('state', { enum: INSTANCE_STATES }),
          queryParam('processKey', str),
          queryParam(
            'record',
            { type: 'string', pattern: '^[A-Za-z_]\\w*:\\d+$' },
            'entity:id, e.g. quote:12',
          ),
          queryParam('businessKey', str),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 500, default: 100 }),
        ],
        ok: reply('The instances', dataOf(instance)),
        errors: { '400': 'QUERY_INVALID or BAD_REQUEST: a bad state, record or limit' },
      }),
    },
    '/api/workflow/preview': {
      post: operation({
        operationId: 'previewApprovalRoute',
        tags,
        summary: 'Who will approve this? The approval route the data would take',
        permission:
          'whoever may start the process: `start` on the record when `record` is given; otherwise `start` on Workflow',
        description:
          'Walks the diagram from its start event as a token would, with the FEEL context a start would give (initiator = the caller, the record or the unsaved `values`, the variables): gateway conditions, script tasks, DMN decisions and `crm:update-record` changes are evaluated on a copy, approver sources and the approval rules (separation of duties, empty lists, repeated approvers) are applied, and each approval node is taken as approved (`decision = "approve"`). It stops, saying why, where what follows is unknown. Nothing is started or written.',
        requestBody: jsonBody(
          obj(
            {
              processKey: { type: 'string', minLength: 1 },
              record: obj({ entity: str, id: int }, ['entity', 'id']),
              values: {
                ...anyObject,
                description: 'the fields of a record not saved yet (instead of `record`)',
              },
              variables,
            },
            ['processKey'],
          ),
        ),
        ok: reply('The route', ref('ApprovalPreview')),
        errors: {
          '400':
            'processKey missing, a malformed record, values with record, VARIABLES_INVALID (also a picked approver outside what `picked()` allows)',
          '403': 'FORBIDDEN: no role allows `start` on the record (or on Workflow)',
          '404':
            'DEFINITION_NOT_FOUND, or the record (or its entity) does not exist or is not readable',
          '409': 'NOT_STARTABLE: not executable, or no none start event',
          '413': VARIABLES_TOO_LARGE,
        },
      }),
    },
    '/api/workflow/instances/{id}': {
      get: operation({
        operationId: 'getProcessInstance',
        tags,
        summary: 'An instance: state, variables, active elements, counts, open incidents',
        permission: 'one who sees the instance (see the list); others get 404',
        parameters: [id],
        ok: reply('The instance', instance),
        errors: { '400': BAD_ID, '404': 'INSTANCE_NOT_FOUND (or not visible to the caller)' },
      }),
    },
    '/api/workflow/instances/{id}/history': {
      get: operation({
        operationId: 'getProcessInstanceHistory',
        tags,
        summary:
          'Every element start/end/cancel, task action, timer, message, job and incident, with who and when',
        permission: 'one who sees the instance; others get 404',
        parameters: [id],
        ok: reply('The history, oldest first', dataOf(ref('InstanceHistoryEntry'))),
        errors: { '400': BAD_ID, '404': 'INSTANCE_NOT_FOUND (or not visible to the caller)' },
      }),
    },
    '/api/workflow/instances/{id}/cancel': {
      post: operation({
        operationId: 'cancelProcessInstance',
        tags,
        summary: 'Cancel an instance with its tasks, timers, subscriptions and called children',
        permission: 'its starter (withdrawing it), or `cancel` on Workflow',
        parameters: [id],
        ok: reply('The cancelled instance', instance),
        errors: {
          '400': BAD_ID,
          '403': 'FORBIDDEN: neither the starter nor allowed `cancel` on Workflow',
          '404': 'INSTANCE_NOT_FOUND (or not visible to the caller)',
          '409': 'INSTANCE_NOT_ACTIVE: it already ended',
        },
      }),
    },
    '/api/workflow/messages': {
      post: operation({
        operationId: 'correlateMessage',
        tags,
        summary: 'Publish a message',
        permission: needs('message'),
        description:
          'As Zeebe publishes: to the waiting subscriptions with that name and key, at most one per process (the oldest), and it starts every other process with a message start event of that name. With `timeToLive` (ms) it is also buffered: a subscription opened before it expires takes it (once per process). While a message with the same `messageId` is buffered, another is refused.',
        requestBody: jsonBody(
          obj(
            {
              name: { type: 'string', minLength: 1 },
              correlationKey: {
                type: ['string', 'number', 'null'],
                description: 'a number is taken as its string',
              },
              variables,
              timeToLive: {
                type: 'integer',
                minimum: 0,
                maximum: 31536000000,
                description: 'milliseconds the message stays buffered (0: not buffered)',
              },
              messageId: {
                type: 'string',
                minLength: 1,
                maxLength: 191,
                description: 'unique while buffered (idempotent publishing)',
              },
            },
            ['name'],
          ),
        ),
        ok: reply(
          'Where it went',
          obj(
            {
              instanceId: { type: ['integer', 'null'], description: 'the first correlation' },
              started: { type: 'boolean', description: 'true: a message start event started it' },
              correlations: {
                type: 'array',
                items: obj(
                  { instanceId: int, processKey: { type: 'string' }, started: { type: 'boolean' } },
                  ['instanceId', 'processKey', 'started'],
                ),
              },
              messageKey: {
                type: ['integer', 'null'],
                description: 'the buffered message, when it has a time to live',
              },
            },
            ['instanceId', 'started', 'correlations', 'messageKey'],
          ),
        ),
        errors: {
          '400':
            'name missing, a bad correlationKey, timeToLive or messageId, or VARIABLES_INVALID',
          '403': forbidden('message'),
          '404':
            'MESSAGE_NOT_CORRELATED: nothing waits for it, no process starts with it and it has no time to live',
          '409':
            'MESSAGE_ALREADY_PUBLISHED: a message with this messageId is buffered; or FLOW_STUCK or ELEMENT_NOT_EXECUTABLE while running on',
          '413': VARIABLES_TOO_LARGE,
        },
      }),
    },
    '/api/workflow/signals': {
      post: operation({
        operationId: 'broadcastSignal',
        tags,
        summary: 'Broadcast a signal',
        permission: needs('message'),
        description:
          'As Zeebe broadcasts: to every waiting signal catch event (intermediate, boundary, event subprocess start) of every instance, and it starts every process with a signal start event of that name. Reaching nobody is not an error.',
        requestBody: jsonBody(
          obj({ signalName: { type: 'string', minLength: 1, maxLength: 191 }, variables }, [
            'signalName',
          ]),
        ),
        ok: reply(
          'Where it went',
          obj(
            {
              triggered: { type: 'array', items: int, description: 'instances it reached' },
              started: { type: 'array', items: int, description: 'instances it started' },
            },
            ['triggered', 'started'],
          ),
        ),
        errors: {
          '400': 'signalName missing or too long, or VARIABLES_INVALID',
          '403': forbidden('message'),
          '409': 'FLOW_STUCK or ELEMENT_NOT_EXECUTABLE while running on',
          '413': VARIABLES_TOO_LARGE,
        },
      }),
    },
    '/api/workflow/external-jobs/fetch-and-lock': {
      post: operation({
        operationId: 'fetchAndLockExternalJobs',
        tags,
        summary: 'Lock due external jobs of the given types for a worker',
        permission: needs('work'),
        description:
          'Rows are taken with `FOR UPDATE SKIP LOCKED`: workers never get the same job.',
        requestBody: jsonBody({
          additionalProperties: false,
          ...obj(
            {
              workerId,
              types: { type: 'array', items: str, minItems: 1 },
              maxJobs: { type: 'integer', minimum: 1, maximum: 100 },
              lockMs: { type: 'integer', minimum: 1 },
              fetchVariable: {
                type: 'array',
                items: { type: 'string', minLength: 1 },
                description:
                  "as Zeebe's activate-jobs: only these variables are sent with each job (absent or empty: all)",
              },
            },
            ['workerId', 'types'],
          ),
        }),
        ok: reply(
          'The locked jobs with their variables and task headers',
          dataOf(ref('LockedJob')),
        ),
        errors: {
          '400':
            'workerId or types missing, maxJobs outside 1-100, lockMs not positive, fetchVariable not a list of names, or a field it does not take (named in `errors`)',
          '403': forbidden('work'),
        },
      }),
    },
    '/api/workflow/external-jobs/{id}/complete': job(
      'completeExternalJob',
      'Complete a locked job',
      obj(
        {
          workerId,
          variables,
          result: {
            type: 'object',
            nullable: true,
            additionalProperties: false,
            description:
              'A user task listener job only (Camunda 8.8 job result). `denied` (a completing listener): the task stays open, the completion’s variables are not applied, `deniedReason` goes to history (event `task-denied`). `corrections` change the task; null or absent keeps a value; `followUpDate` is refused (tasks have none).',
            properties: {
              type: { type: 'string', enum: ['userTask'] },
              denied: { type: 'boolean', nullable: true },
              deniedReason: { type: 'string', nullable: true, maxLength: 2000 },
              corrections: {
                type: 'object',
                nullable: true,
                additionalProperties: false,
                properties: {
                  assignee: {
                    type: 'string',
                    nullable: true,
                    maxLength: 64,
                    description: '"" clears it',
                  },
                  dueDate: {
                    type: 'string',
                    nullable: true,
                    description: 'ISO 8601; "" clears it',
                  },
                  candidateUsers: {
                    type: 'array',
                    nullable: true,
                    items: str,
                    description: '[] clears them',
                  },
                  candidateGroups: {
                    type: 'array',
                    nullable: true,
                    items: str,
                    description: '[] clears them',
                  },
                  priority: {
                    type: 'integer',
                    nullable: true,
                    minimum: 0,
                    maximum: 100,
                  },
                },
              },
            },
          },
        },
        ['workerId'],
      ),
      'The variables are merged into the instance, which runs on. A user task listener job completes without variables, and may deny the completion or correct the task with `result`; a `result` on any other job is a 400 (`/result`), as is a bad attribute (a JSON pointer under `/result`).',
    ),
    '/api/workflow/external-jobs/{id}/fail': job(
      'failExternalJob',
      'Report a failed job',
      obj(
        {
          workerId,
          retries: {
            type: 'integer',
            minimum: 0,
            description: 'retries left; 0 opens an incident',
          },
          errorMessage: { type: 'string', minLength: 1 },
          retryBackoffMs: { type: 'integer', minimum: 0 },
        },
        ['workerId'],
      ),
      'With retries left the job runs again after retryBackoffMs; with none an incident opens.',
    ),
    '/api/workflow/external-jobs/{id}/bpmn-error': job(
      'throwBpmnError',
      'Throw a BPMN error from a job',
      obj(
        {
          workerId,
          errorCode: { type: 'string', minLength: 1 },
          errorMessage: { type: 'string', minLength: 1 },
          variables,
        },
        ['workerId', 'errorCode'],
      ),
      'Caught by a matching error boundary event; uncaught, it opens an incident.',
    ),
    '/api/workflow/incidents': {
      get: operation({
        operationId: 'listIncidents',
        tags,
        summary: 'Incidents: failed jobs, no matching flow, FEEL errors, refused record writes...',
        permission: needs('read'),
        parameters: [
          queryParam('state', { enum: ['open', 'resolved'], default: 'open' }),
          queryParam('instanceId', int),
        ],
        ok: reply('At most 500 incidents, oldest first', dataOf(ref('Incident'))),
        errors: {
          '400': 'a bad state, or instanceId not an integer',
          '403': forbidden('read'),
        },
      }),
    },
    '/api/workflow/incidents/{id}/retry': {
      post: operation({
        operationId: 'retryIncident',
        tags,
        summary: 'Resolve an incident by running its job or element again',
        permission: needs('operate'),
        description:
          'A failed job gets `retries` (default 1) back; any other incident re-runs its element, after setting `variables` if given.',
        parameters: [id],
        requestBody: jsonBody(obj({ retries: { type: 'integer', minimum: 0 }, variables }), false),
        ok: reply('The resolved incident', ref('Incident')),
        errors: {
          '400': `${BAD_ID}; or a bad retries or variables`,
          '403': forbidden('operate'),
          '404': 'INCIDENT_NOT_FOUND',
          '409': 'INCIDENT_RESOLVED: already resolved; or FLOW_STUCK while running on',
          '413': VARIABLES_TOO_LARGE,
        },
      }),
    },
  };
}
