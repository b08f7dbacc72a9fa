import {
  BAD_ID,
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
} from './schemas';

const tags = ['Admin'];
const MANAGE_USER = '`manage` on User (the admin role has it); audited';
const FORBIDDEN = 'FORBIDDEN: no role allows `manage` on User';
const i18n = { type: 'object', additionalProperties: str, description: 'locale → text' };

const userProperties = {
  displayName: { type: ['string', 'null'], maxLength: 200 },
  email: { type: ['string', 'null'], format: 'email', maxLength: 200 },
  phone: { type: ['string', 'null'], pattern: '^[+0-9 ()-]{3,64}$' },
  locale: { enum: ['zh-CN', 'en'] },
  active: { type: 'boolean', description: 'false ends every session of the user' },
  departmentId: nullable('integer'),
  supervisorId: { type: ['integer', 'null'], description: 'no cycles' },
  roles: { type: 'array', items: str, description: 'role names' },
  password: {
    type: 'string',
    description: 'checked for strength; a new password ends every session of the user',
  },
};
const login = {
  type: 'string',
  pattern: '^[a-zA-Z0-9][a-zA-Z0-9._@-]{1,63}$',
  description: 'unique; cannot be changed',
};
const departmentProperties = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  parentId: { type: ['integer', 'null'], description: 'no cycles' },
  headId: nullable('integer'),
};

/** The shapes the admin routes answer (components/schemas). */
export const adminSchemas: Record<string, unknown> = {
  User: obj(
    {
      id: int,
      login: str,
      displayName: nullable('string'),
      email: nullable('string'),
      phone: nullable('string'),
      locale: str,
      active: bool,
      departmentId: nullable('integer'),
      supervisorId: nullable('integer'),
      roles: { type: 'array', items: str },
      createdAt: timestamp,
      updatedAt: timestamp,
    },
    ['id', 'login', 'locale', 'active', 'roles'],
  ),
  Department: obj(
    { id: int, name: str, parentId: nullable('integer'), headId: nullable('integer') },
    ['id', 'name', 'parentId', 'headId'],
  ),
  Role: obj(
    {
      kind: { const: 'role' },
      name: str,
      label: i18n,
      description: i18n,
      rules: {
        type: 'array',
        items: obj(
          {
            action: { oneOf: [str, { type: 'array', items: str }] },
            subject: { oneOf: [str, { type: 'array', items: str }] },
            fields: { type: 'array', items: str },
            conditions: anyObject,
            inverted: bool,
            reason: str,
          },
          ['action', 'subject'],
        ),
      },
    },
    ['kind', 'name', 'label', 'rules'],
  ),
  AuditEntry: obj(
    {
      id: int,
      at: timestamp,
      actor: nullable('string'),
      action: str,
      subject: nullable('string'),
      outcome: { enum: ['ok', 'denied', 'failed'] },
      detail: { description: 'what changed, or why it was denied' },
    },
    ['id', 'at', 'action', 'outcome'],
  ),
  OutboxMail: obj(
    {
      id: int,
      recipient: nullable('string'),
      address: str,
      locale: nullable('string'),
      template: {
        type: ['string', 'null'],
        description: 'the template document it was rendered from',
      },
      subject: str,
      body: { type: 'string', description: 'HTML' },
      state: { enum: ['pending', 'sending', 'sent', 'failed'] },
      attempts: int,
      nextAttemptAt: {
        ...timestamp,
        description: 'pending: when it is tried; sending: claim expiry',
      },
      lastError: nullable('string'),
      instanceId: nullable('integer'),
      createdAt: timestamp,
      sentAt: timestamp,
    },
    ['id', 'address', 'subject', 'state', 'attempts'],
  ),
};

/** Users, departments, roles and the audit trail (AdminController; API tokens: auth-paths.ts). */
export function adminPaths(): Record<string, unknown> {
  const user = ref('User');
  const department = ref('Department');
  const id = pathParam('id');
  return {
    '/api/admin/users': {
      get: operation({
        operationId: 'listUsers',
        tags,
        summary: 'Every user',
        permission: MANAGE_USER,
        ok: reply('The users', dataOf(user)),
        errors: { '403': FORBIDDEN },
      }),
      post: operation({
        operationId: 'createUser',
        tags,
        summary: 'Create a user',
        permission: MANAGE_USER,
        requestBody: jsonBody({
          ...obj({ login, ...userProperties }, ['login']),
          additionalProperties: false,
        }),
        status: '201',
        ok: reply('The new user', user),
        errors: {
          '400':
            'RECORD_INVALID: every bad property (unknown ones too), each at its pointer; a weak password; an unknown role, department or supervisor',
          '403': FORBIDDEN,
          '409': 'UNIQUE_VIOLATION: the login is taken',
        },
      }),
    },
    '/api/admin/users/{id}': {
      get: operation({
        operationId: 'getUser',
        tags,
        summary: 'A user',
        permission: MANAGE_USER,
        parameters: [id],
        ok: reply('The user', user),
        errors: { '400': BAD_ID, '403': FORBIDDEN, '404': 'USER_NOT_FOUND' },
      }),
      patch: operation({
        operationId: 'updateUser',
        tags,
        summary: 'Change a user (the login stays)',
        permission: MANAGE_USER,
        description: 'A new password or deactivation ends every session of the user.',
        parameters: [id],
        requestBody: jsonBody({ ...obj(userProperties), additionalProperties: false }),
        ok: reply('The user', user),
        errors: {
          '400': `${BAD_ID}; or RECORD_INVALID: every bad property, a login, a supervisor cycle`,
          '403': FORBIDDEN,
          '404': 'USER_NOT_FOUND',
        },
      }),
    },
    '/api/admin/departments': {
      get: operation({
        operationId: 'listDepartments',
        tags,
        summary: 'The department tree (flat, with parentId)',
        permission: MANAGE_USER,
        ok: reply('The departments', dataOf(department)),
        errors: { '403': FORBIDDEN },
      }),
      post: operation({
        operationId: 'createDepartment',
        tags,
        summary: 'Create a department',
        permission: MANAGE_USER,
        requestBody: jsonBody({
          ...obj(departmentProperties, ['name']),
          additionalProperties: false,
        }),
        status: '201',
        ok: reply('The new department', department),
        errors: {
          '400': 'RECORD_INVALID: a bad name, an unknown parent or head, an unknown property',
          '403': FORBIDDEN,
        },
      }),
    },
    '/api/admin/departments/{id}': {
      patch: operation({
        operationId: 'updateDepartment',
        tags,
        summary: 'Change a department; a parent inside its own subtree is refused',
        permission: MANAGE_USER,
        parameters: [id],
        requestBody: jsonBody({ ...obj(departmentProperties), additionalProperties: false }),
        ok: reply('The department', department),
        errors: {
          '400': `${BAD_ID}; or RECORD_INVALID: a bad name, parent or head, a cycle`,
          '403': FORBIDDEN,
          '404': 'DEPARTMENT_NOT_FOUND',
        },
      }),
    },
    '/api/admin/roles': {
      get: operation({
        operationId: 'listRoles',
        tags,
        summary: 'The live roles',
        permission: MANAGE_USER,
        description:
          'Role documents, plus the built-in admin (`manage all`) unless a document named admin overrides it. Edit roles as documents: `PUT /api/meta/documents/role/{name}`, then plan and apply.',
        ok: reply('The roles', dataOf(ref('Role'))),
        errors: { '403': FORBIDDEN },
      }),
    },
    '/api/admin/audit': {
      get: operation({
        operationId: 'listAuditEntries',
        tags,
        summary: 'The audit trail, newest first',
        permission: '`manage` on Audit',
        description:
          'Admin changes, logins and every denial with user, action, subject and reason.',
        parameters: [
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 500, default: 100 }),
          queryParam('outcome', { enum: ['ok', 'denied', 'failed'] }),
        ],
        ok: reply('The entries', dataOf(ref('AuditEntry'))),
        errors: {
          '400': 'QUERY_INVALID: limit is not an integer',
          '403': 'FORBIDDEN: no role allows `manage` on Audit',
        },
      }),
    },
    '/api/admin/mail': {
      get: operation({
        operationId: 'listOutboxMail',
        tags,
        summary: 'The mail outbox, newest first',
        permission: '`manage` on Mail',
        description:
          'Email notifications queued by approval steps and sent by the mail job (SMTP_URL); `state=failed` lists what did not go out, with the last SMTP error.',
        parameters: [
          queryParam('state', { enum: ['pending', 'sending', 'sent', 'failed'] }),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 500, default: 100 }),
        ],
        ok: reply('The mails', dataOf(ref('OutboxMail'))),
        errors: {
          '400': 'QUERY_INVALID: an unknown state, limit out of range',
          '403': 'FORBIDDEN: no role allows `manage` on Mail',
        },
      }),
    },
    '/api/admin/mail/{id}/retry': {
      post: operation({
        operationId: 'retryOutboxMail',
        tags,
        summary: 'Send a failed mail once more',
        permission: '`manage` on Mail; audited',
        description:
          'Puts a failed mail back in the queue, due now; the next round of the mail job sends it. A further failure leaves it failed.',
        parameters: [id],
        ok: reply('The mail, pending again', ref('OutboxMail')),
        errors: {
          '400': BAD_ID,
          '403': 'FORBIDDEN: no role allows `manage` on Mail',
          '404': 'MAIL_NOT_FOUND',
          '409': 'MAIL_NOT_FAILED: the mail is pending, sending or sent',
        },
      }),
    },
  };
}
