import {
  BAD_ID,
  VARIABLES_TOO_LARGE,
  dataOf,
  int,
  jsonBody,
  obj,
  operation,
  pathParam,
  queryParam,
  ref,
  reply,
  str,
  variables,
} from './schemas';

const tags = ['Tasks'];
const id = pathParam('id');
const HIDDEN = 'TASK_NOT_FOUND (or not visible to the caller)';
const WORKS =
  'its assignee or, while it is unassigned, one of its candidates (by login, or by a role named in candidateGroups while they may read the record); an open task with no candidates: whoever sees the instance; `operate` on Workflow: any task';

/** The task inbox (TasksController) and in-app notifications (NotificationsController). */
export function taskPaths(): Record<string, unknown> {
  const task = ref('UserTask');
  return {
    '/api/tasks': {
      get: operation({
        operationId: 'listTasks',
        tags,
        summary: "The caller's task inbox",
        permission:
          'any signed-in user: tasks assigned to them, completed by them, offered to them, or open in an instance they see; `read` on Workflow shows every task',
        description: 'Completed tasks stay in the list as the "done" list.',
        parameters: [
          queryParam('assignee', str, 'login'),
          queryParam('candidateGroup', str, 'role name (open tasks offered to it)'),
          queryParam('candidateUser', str, 'login (open tasks offered to it)'),
          queryParam('state', str, 'created (open), completed or cancelled'),
          queryParam('processKey', str),
          queryParam('instanceId', int),
          queryParam(
            'mine',
            { type: 'boolean' },
            "`true`: only the caller's own tasks, even with `read` on Workflow",
          ),
          queryParam(
            'due',
            { type: 'string', enum: ['dueSoon', 'overdue'] },
            'open tasks due within TASK_DUE_SOON_HOURS (`dueSoon`), or past due (`overdue`)',
          ),
        ],
        ok: reply('The tasks', dataOf(task)),
        errors: {
          '400':
            'QUERY_INVALID: instanceId is not an integer; BAD_REQUEST: due is not dueSoon or overdue',
        },
      }),
    },
    '/api/tasks/{id}': {
      get: operation({
        operationId: 'getTask',
        tags,
        summary: 'A task',
        permission: 'one who sees the task (see the list); others get 404',
        parameters: [id],
        ok: reply('The task', task),
        errors: { '400': BAD_ID, '404': HIDDEN },
      }),
    },
    '/api/tasks/{id}/claim': {
      post: operation({
        operationId: 'claimTask',
        tags,
        summary: 'Claim an unassigned task (or confirm one already yours)',
        permission: WORKS,
        parameters: [id],
        ok: reply('The task, assigned to the caller', task),
        errors: {
          '400': BAD_ID,
          '403': 'FORBIDDEN: the caller may not claim it',
          '404': HIDDEN,
          '409': 'TASK_CONFLICT: someone else holds it, or it is no longer open',
        },
      }),
    },
    '/api/tasks/{id}/complete': {
      post: operation({
        operationId: 'completeTask',
        tags,
        summary: 'Complete a task; the instance runs on to its next wait states',
        permission: WORKS,
        description:
          'Of two simultaneous completions exactly one wins; the other gets 409 TASK_CONFLICT. Send the `version` you read to refuse completing a task that changed since.',
        parameters: [id],
        requestBody: jsonBody(
          obj({
            variables,
            version: { type: 'integer', minimum: 0, description: 'the task version you read' },
          }),
          false,
        ),
        ok: reply('The instance after the step', ref('ProcessInstance')),
        errors: {
          '400': `${BAD_ID}; or VARIABLES_INVALID, a bad version`,
          '403': 'FORBIDDEN: the caller may not complete it',
          '404': HIDDEN,
          '409': 'TASK_CONFLICT: already completed or changed (stale version); or FLOW_STUCK',
          '413': VARIABLES_TOO_LARGE,
        },
      }),
    },
    '/api/notifications': {
      get: operation({
        operationId: 'listNotifications',
        tags: ['Notifications'],
        summary: "The caller's in-app notifications (written by crm:notify tasks), newest first",
        permission: 'any signed-in user (their own notifications)',
        ok: reply('At most 200 notifications', dataOf(ref('Notification'))),
      }),
    },
  };
}
