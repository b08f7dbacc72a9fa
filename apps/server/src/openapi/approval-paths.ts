import {
  BAD_ID,
  anyObject,
  bool,
  int,
  jsonBody,
  obj,
  operation,
  pathParam,
  ref,
  reply,
  str,
  timestamp,
  variables,
} from './schemas';

const id = pathParam('id');
const ACTOR =
  'a current assignee or candidate of the task (`operate` on Workflow overrides, audited)';
const ACTIONS = [
  'approve',
  'reject',
  'return',
  'delegate',
  'transfer',
  'addSigner',
  'cc',
  'comment',
  'resubmit',
];

const actionBody = obj(
  {
    action: { enum: ACTIONS },
    comment: { type: 'string', maxLength: 2000 },
    attachments: {
      type: 'array',
      items: { type: 'string', maxLength: 36 },
      maxItems: 20,
      description: 'file ids, as POST /api/files answers them',
    },
    targetElementId: {
      type: 'string',
      description: 'return: the node to return to (default: the initiator)',
    },
    userIds: {
      type: 'array',
      items: str,
      maxItems: 20,
      description: 'delegate / transfer (one), addSigner / cc (several): logins',
    },
    position: { enum: ['before', 'after', 'alongside'], description: 'addSigner' },
    variables,
  },
  ['action'],
);

const actionResult = obj({ taskId: int, action: str, instance: ref('ProcessInstance') }, [
  'taskId',
  'action',
  'instance',
]);

/** Approval actions (ApprovalTasksController, ApprovalInstancesController). */
export function approvalPaths(): Record<string, unknown> {
  return {
    '/api/tasks/{id}/actions': {
      post: operation({
        operationId: 'actOnTask',
        tags: ['Tasks'],
        summary:
          'Approve, reject, return (退回), delegate (委托), transfer (转交), add a signer (加签), CC (抄送), comment, or resubmit a returned submission',
        permission: ACTOR,
        description:
          'Each action is recorded in the instance history with actor, time, comment and attachments. approve / reject validate `variables` against the node’s schema. Of two simultaneous decisions exactly one wins.',
        parameters: [id],
        requestBody: jsonBody(actionBody),
        ok: reply('The action and the instance after it', actionResult),
        errors: {
          '400': `${BAD_ID}; BAD_REQUEST naming the property; VARIABLES_INVALID naming the field`,
          '403': 'FORBIDDEN: not an assignee or candidate',
          '404': 'TASK_NOT_FOUND (or not visible to the caller)',
          '409': 'TASK_CONFLICT: decided or changed meanwhile',
          '422':
            'ACTION_NOT_ALLOWED: the node does not allow the action, or the target; APPROVERS_EMPTY: the approval node the decision leads to has nobody to decide and its rule is `onEmpty: refuse` (nothing of the step is saved)',
        },
      }),
    },
    '/api/tasks/actions': {
      post: operation({
        operationId: 'actOnTasks',
        tags: ['Tasks'],
        summary: 'Approve or reject many tasks: each on its own, each outcome reported',
        permission: `${ACTOR}, per task`,
        requestBody: jsonBody(
          obj(
            {
              taskIds: { type: 'array', items: int, minItems: 1, maxItems: 200 },
              action: { enum: ['approve', 'reject'] },
              comment: str,
            },
            ['taskIds', 'action'],
          ),
        ),
        ok: reply(
          'One result per task',
          obj({
            results: {
              type: 'array',
              items: obj(
                { taskId: int, ok: bool, status: int, code: str, message: str, instanceId: int },
                ['taskId', 'ok', 'status'],
              ),
            },
          }),
        ),
        errors: { '400': 'BAD_REQUEST: taskIds or action' },
      }),
    },
    '/api/workflow/instances/{id}/withdraw': {
      post: operation({
        operationId: 'withdrawInstance',
        tags: ['Workflow'],
        summary: 'Withdraw (撤回) a submission while no approver has acted',
        permission: 'the initiator',
        parameters: [id],
        requestBody: jsonBody(obj({ comment: str }), false),
        ok: reply('The instance, cancelled with outcome withdrawn', ref('ProcessInstance')),
        errors: {
          '400': BAD_ID,
          '403': 'FORBIDDEN: not the initiator',
          '404': 'INSTANCE_NOT_FOUND',
          '409': 'WITHDRAW_NOT_ALLOWED (with the reason), or INSTANCE_NOT_ACTIVE',
        },
      }),
    },
    '/api/workflow/instances/{id}/remind': {
      post: operation({
        operationId: 'remindInstance',
        tags: ['Workflow'],
        summary: 'Remind (催办) the current approvers; at most once an hour per instance',
        permission: 'the initiator, or `operate` on Workflow',
        parameters: [id],
        requestBody: jsonBody(obj({ comment: str }), false),
        ok: reply(
          'Who was reminded, and when the next reminder is allowed',
          obj({ reminded: { type: 'array', items: str }, nextAllowedAt: timestamp }),
        ),
        errors: {
          '400': BAD_ID,
          '403': 'FORBIDDEN',
          '404': 'INSTANCE_NOT_FOUND',
          '409': 'INSTANCE_NOT_ACTIVE',
          '429': 'RATE_LIMITED: reminded less than an hour ago (retryAfterSeconds)',
        },
      }),
    },
    '/api/workflow/instances/{id}/modify': {
      post: operation({
        operationId: 'modifyInstance',
        tags: ['Workflow'],
        summary: 'Modify an instance: cancel element instances, start before elements (audited)',
        permission: '`operate` on Workflow',
        parameters: [id],
        requestBody: jsonBody(
          obj({
            cancel: {
              type: 'array',
              items: obj({ elementId: str, executionId: int }),
            },
            startBefore: {
              type: 'array',
              items: obj({ elementId: str, variables: anyObject }, ['elementId']),
            },
            comment: str,
          }),
        ),
        ok: reply('The instance after the modification', ref('ProcessInstance')),
        errors: {
          '400': 'BAD_REQUEST naming the entry (unknown element, nothing active there)',
          '403': 'FORBIDDEN',
          '404': 'INSTANCE_NOT_FOUND',
          '409': 'INSTANCE_NOT_ACTIVE',
        },
      }),
    },
    '/api/workflow/instances/{id}/record': {
      get: operation({
        operationId: 'getInstanceRecord',
        tags: ['Workflow'],
        summary: 'The record an instance is about, read-only (what its CC’d users see)',
        permission: 'one who sees the instance, the CC’d included',
        parameters: [id],
        ok: reply(
          'The record',
          obj({ entity: str, id: int, data: { type: ['object', 'null'] } }, ['entity', 'id']),
        ),
        errors: { '400': BAD_ID, '404': 'INSTANCE_NOT_FOUND or RECORD_NOT_FOUND' },
      }),
    },
  };
}
