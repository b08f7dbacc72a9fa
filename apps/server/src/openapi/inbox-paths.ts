import {
  BAD_ID,
  anyObject,
  int,
  nullable,
  obj,
  operation,
  pathParam,
  queryParam,
  ref,
  reply,
  str,
  timestamp,
} from './schemas';

const DUE_STATE = {
  type: ['string', 'null'],
  enum: ['ok', 'dueSoon', 'overdue', null],
  description: 'overdue: past due; dueSoon: due within 24 hours; ok: later; null: no due date',
};
const user = ref('TimelineUser');
const arrayOf = (items: unknown, description?: string) => ({
  type: 'array',
  items,
  ...(description ? { description } : {}),
});

/** The shapes the inbox and the timeline answer (components/schemas). */
/** zeebe:priorityDefinition of the task (Camunda 8.6). */
const PRIORITY = {
  type: 'integer',
  minimum: 0,
  maximum: 100,
  description: 'zeebe:priorityDefinition, 0 to 100; 50 when the diagram sets none',
};

export const inboxSchemas: Record<string, unknown> = {
  RecordSummary: obj(
    {
      entity: str,
      id: int,
      display: {
        type: ['string', 'null'],
        description: "the display field's value; null when hidden from the caller or gone",
      },
      fields: {
        ...anyObject,
        description:
          "a few of the record's fields (the first 3 a summary can show), minus those the caller's field-level read rules hide",
      },
    },
    ['entity', 'id', 'display', 'fields'],
  ),
  InboxOpenTask: obj(
    {
      taskId: int,
      nodeId: str,
      nodeName: nullable('string'),
      assignee: nullable('string'),
      dueAt: timestamp,
      priority: PRIORITY,
    },
    ['taskId', 'nodeId'],
  ),
  InboxItem: obj(
    {
      taskId: {
        type: ['integer', 'null'],
        description: "pending/done: the task; cc/initiated: the instance's most urgent open task",
      },
      instanceId: int,
      processKey: str,
      processName: nullable('string'),
      nodeId: nullable('string'),
      nodeName: nullable('string'),
      dueAt: timestamp,
      dueState: DUE_STATE,
      priority: {
        ...PRIORITY,
        type: ['integer', 'null'],
        description:
          "the task's priority, 0 to 100 (50 when the diagram sets none); cc/initiated: the most urgent open task's, null without one",
      },
      createdAt: {
        ...timestamp,
        description: 'task created (pending, done), instance started (initiated), CC’d (cc)',
      },
      assignee: nullable('string'),
      outcome: {
        type: ['string', 'null'],
        description:
          "done: what the caller did (approve, reject, return, delegate, transfer, addSigner, ...; null = a plain completion); cc, initiated: the instance's outcome",
      },
      completedAt: timestamp,
      instanceState: { enum: ['active', 'completed', 'terminated', 'cancelled'] },
      instanceOutcome: {
        type: ['string', 'null'],
        description: 'approved, rejected, withdrawn, cancelled; null while running',
      },
      startedBy: nullable('string'),
      startedAt: timestamp,
      endedAt: timestamp,
      openTasks: arrayOf(ref('InboxOpenTask'), 'cc, initiated: the open tasks, most urgent first'),
      cc: obj({ by: nullable('string'), readAt: timestamp }, ['by', 'readAt']),
      record: { oneOf: [ref('RecordSummary'), { type: 'null' }] },
    },
    ['taskId', 'instanceId', 'processKey', 'dueState', 'instanceState', 'record'],
  ),
  InboxPage: obj(
    {
      counts: obj(
        {
          pending: { type: 'integer', description: 'open tasks the caller may act on' },
          done: {
            type: 'integer',
            description:
              'tasks the caller decided, or handed on (delegated, transferred, added signers to)',
          },
          cc: { type: 'integer', description: 'instances the caller was CC’d on' },
          ccUnread: { type: 'integer', description: 'of those, not opened yet' },
          initiated: { type: 'integer', description: 'instances the caller started' },
          dueSoon: { type: 'integer', description: 'pending tasks due within 24 hours' },
          overdue: { type: 'integer', description: 'pending tasks past their due date' },
        },
        ['pending', 'done', 'cc', 'ccUnread', 'initiated', 'dueSoon', 'overdue'],
      ),
      items: arrayOf(ref('InboxItem')),
      nextCursor: {
        type: ['string', 'null'],
        description: 'send as `cursor` for the next page; null on the last',
      },
    },
    ['counts', 'items', 'nextCursor'],
  ),
  TimelineUser: obj({ login: str, displayName: nullable('string') }, ['login', 'displayName']),
  TimelineEvent: obj(
    {
      id: { type: 'integer', description: 'the history entry: the timeline is in this order' },
      at: timestamp,
      event: {
        type: 'string',
        description:
          'start, approve, reject, return, resubmit, delegate, transfer, addSigner, withdraw, cc, remind, comment, auto-approve, escalate, modify, complete, claim, cancel (a task cancelled), end, cancelled, terminated',
      },
      elementId: nullable('string'),
      elementName: nullable('string'),
      elementType: nullable('string'),
      actor: { oneOf: [user, { type: 'null' }] },
      comment: nullable('string'),
      attachments: arrayOf(
        obj(
          {
            id: str,
            name: nullable('string'),
            size: nullable('integer'),
            mime: nullable('string'),
          },
          ['id', 'name', 'size'],
        ),
        'files from the files API; name and size null when the file is gone',
      ),
      taskId: nullable('integer'),
      users: arrayOf(user, 'users the action named (delegate, transfer, add signer, cc, remind)'),
      detail: {
        type: ['object', 'null'],
        additionalProperties: true,
        description:
          "what else the action recorded (a return's target node `to`, position, onBehalfOf, override, decision...); process variables are not repeated",
      },
    },
    ['id', 'at', 'event', 'actor', 'comment', 'attachments', 'users'],
  ),
  TimelineTask: obj(
    {
      id: int,
      state: {
        enum: ['created', 'suspended', 'pending'],
        description:
          'created: open; suspended: signers added before it decide first; pending: an after-signer, whose turn comes once the task it was added to is approved',
      },
      kind: {
        type: ['string', 'null'],
        enum: ['before', 'after', 'along', 'resubmit', null],
        description:
          "a signer added to someone's task, or a returned submission; null: the node's own",
      },
      assignee: { oneOf: [user, { type: 'null' }] },
      owner: {
        oneOf: [user, { type: 'null' }],
        description: 'who delegated it: it comes back to them',
      },
      candidateUsers: arrayOf(user),
      candidateGroups: arrayOf(str, 'role names'),
      createdAt: timestamp,
      dueAt: timestamp,
      dueState: DUE_STATE,
    },
    ['id', 'state', 'kind', 'assignee', 'candidateUsers', 'candidateGroups', 'dueAt', 'dueState'],
  ),
  Timeline: obj(
    {
      instance: obj(
        {
          id: int,
          processKey: str,
          processName: nullable('string'),
          state: { enum: ['active', 'completed', 'terminated', 'cancelled'] },
          outcome: nullable('string'),
          startedBy: { oneOf: [user, { type: 'null' }] },
          startedAt: timestamp,
          endedAt: timestamp,
          record: { oneOf: [ref('RecordSummary'), { type: 'null' }] },
        },
        ['id', 'processKey', 'state', 'record'],
      ),
      events: arrayOf(ref('TimelineEvent'), 'oldest first'),
      current: arrayOf(
        obj(
          {
            elementId: str,
            elementName: nullable('string'),
            elementType: str,
            tasks: arrayOf(ref('TimelineTask'), 'none for a timer or message wait'),
          },
          ['elementId', 'elementType', 'tasks'],
        ),
        'the nodes the instance waits in now',
      ),
    },
    ['instance', 'events', 'current'],
  ),
};

/** GET /api/inbox (InboxController) and GET /api/workflow/instances/{id}/timeline. */
export function inboxPaths(): Record<string, unknown> {
  return {
    '/api/inbox': {
      get: operation({
        operationId: 'getInbox',
        tags: ['Tasks'],
        summary: 'One page of the approval inbox, with the counts of every box',
        permission:
          'any signed-in user: their own work only (an administrator’s override to act on any task does not fill their inbox)',
        description: [
          '- `pending`: open tasks the caller may act on — assigned to them, or unassigned and offered to them by login, by a role they hold (narrowed by the role’s row rules: the record must be readable, and never their own submission), or open to whoever sees an instance of theirs. Tasks another candidate claimed are not pending for the others.',
          '- `done`: tasks the caller decided, or handed on (delegated, transferred, added signers to; found through their actions in the history), newest first; `outcome` says what they did.',
          '- `cc`: instances the caller was CC’d on (抄送), with read / unread.',
          '- `initiated`: instances the caller started (not the children of call activities).',
          '',
          'Counts ignore the filters. Each item carries its record’s summary (display field and a few fields), masked by the caller’s field-level read rules; a CC’d user sees it even where their role cannot read the record. Text (`q`) matches the record’s display field (where the caller may read it), the task or node name and the process name or key.',
        ].join('\n'),
        parameters: [
          {
            ...queryParam('box', { enum: ['pending', 'done', 'cc', 'initiated'] }),
            required: true,
          },
          queryParam('processKey', str, 'only this process'),
          queryParam('entity', str, 'only instances about records of this entity'),
          queryParam(
            'due',
            { enum: ['dueSoon', 'overdue'] },
            'pending: the task; cc, initiated: the most urgent open task (not for done)',
          ),
          queryParam('q', { type: 'string', maxLength: 100 }, 'text to find (substring)'),
          queryParam(
            'sort',
            { enum: ['due', 'newest'] },
            'due: soonest due first, no due date last (default for pending); newest: newest first (default otherwise)',
          ),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 100 }, 'default 20'),
          queryParam('cursor', str, 'nextCursor of the previous page (same box and sort)'),
        ],
        ok: reply('The counts and one page', ref('InboxPage')),
        errors: {
          '400':
            'QUERY_INVALID: box missing or unknown, an unknown sort, due or entity, due with box=done, a bad limit, q too long, or a cursor of another box or sort; or an unknown query parameter',
          '503': 'QUERY_TIMEOUT: the page took longer than QUERY_TIMEOUT_MS',
        },
      }),
    },
    '/api/workflow/instances/{id}/timeline': {
      get: operation({
        operationId: 'getProcessInstanceTimeline',
        tags: ['Workflow'],
        summary:
          'What happened to an approval (every action with who, when, comment and attachments) and where it waits now',
        permission:
          'one who sees the instance (its starter, readers of its record, its participants, `read` on Workflow) or was CC’d on it; others get 404',
        description:
          'Events are in history order. Opening it marks the caller’s CC of the instance read.',
        parameters: [pathParam('id')],
        ok: reply('The timeline', ref('Timeline')),
        errors: { '400': BAD_ID, '404': 'INSTANCE_NOT_FOUND (or not visible to the caller)' },
      }),
    },
  };
}
