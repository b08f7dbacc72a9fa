import type { MetadataModel } from '@crm/metadata';
import { HISTORY_ACTIONS } from '@crm/records';
import { adminPaths, adminSchemas } from './admin-paths';
import { approvalPaths } from './approval-paths';
import { authPaths } from './auth-paths';
import { actionPaths } from './action-paths';
import { buttonPaths } from './button-paths';
import { filePaths, fileSchemas } from './file-paths';
import { inboxPaths, inboxSchemas } from './inbox-paths';
import { clusterVariablePaths, clusterVariableSchemas } from './cluster-variable-paths';
import { metaPaths, metaSchemas } from './meta-paths';
import { errorRef, errorResponse, errorResponses, json } from './responses';
import { sharePaths } from './share-paths';
import { systemPaths } from './system-paths';
import { taskPaths } from './task-paths';
import { transferPaths } from './transfer-paths';
import { workflowPaths, workflowSchemas } from './workflow-paths';
import { workspacePaths } from './workspace-paths';

const TAGS = [
  ['Authentication', 'Login, tokens, the caller; API tokens for integrations'],
  ['Workflow', 'BPMN deployments, process instances, messages, external jobs, incidents'],
  ['Tasks', 'The task inbox: list, claim, complete; the approval inbox with its boxes'],
  ['Notifications', 'In-app notifications'],
  ['Admin', 'Users, departments, roles, the audit trail'],
  ['Users', 'Colleagues by name, for pickers: login and display name, for any signed-in user'],
  ['Metadata', 'Entity and role documents: draft, plan, apply, revisions'],
  ['Files', 'Files of `file` fields'],
  ['System', 'Health and this documentation'],
];

/** OpenAPI 3.1 (whose schemas are JSON Schema) built from the live model: every entity's endpoints with its real schema. */
export function buildOpenApi(model: MetadataModel, version: string): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    ...workflowSchemas,
    ...clusterVariableSchemas,
    ...inboxSchemas,
    ...adminSchemas,
    ...metaSchemas,
    ...fileSchemas,
    Error: {
      type: 'object',
      required: ['statusCode', 'code', 'message', 'errors'],
      properties: {
        statusCode: { type: 'integer' },
        code: { type: 'string' },
        message: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string', description: 'JSON pointer, field or parameter' },
              message: { type: 'string' },
              reason: {
                type: 'string',
                description:
                  'machine-readable reason: the JSON Schema keyword (required, maxLength, format, enum...), `unique`, or `rule:<name>`',
              },
              params: {
                type: 'object',
                description:
                  "record validation: the keyword's parameters (limit, format, allowedValues...), for a client that words the message itself",
              },
              action: { type: 'string', description: 'denials: the refused action' },
              field: { type: 'string', description: 'field-level denials: the field' },
              document: { type: 'string', description: 'metadata errors: kind/name' },
              elementId: {
                type: ['string', 'null'],
                description: 'BPMN_INVALID: the diagram element',
              },
              elementType: { type: 'string', description: 'BPMN_INVALID: its type' },
            },
          },
        },
      },
    },
  };
  const paths: Record<string, unknown> = {};
  for (const e of model.entities.values()) {
    const { $schema: _drop, $id: _id, ...schema } = e.schema;
    void _drop;
    void _id;
    const pascal = e.name.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase());
    // an entity named like a system schema (user, incident...) must not replace it
    const Name = pascal in schemas ? `${pascal}Record` : pascal;
    schemas[Name] = schema;
    const ref = { $ref: `#/components/schemas/${Name}` };
    const tag = [`${e.doc.label.en} (${e.name})`];
    const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
    paths[`/api/records/${e.name}`] = {
      get: {
        tags: tag,
        operationId: `list${Name}Records`,
        summary: `List ${e.doc.label.en}`,
        parameters: [
          {
            name: 'filter',
            in: 'query',
            schema: { type: 'string' },
            description: 'JSON filter, e.g. {"name":{"startsWith":"A"}}',
          },
          {
            name: 'sort',
            in: 'query',
            schema: { type: 'string' },
            description: 'e.g. -createdAt,name',
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 500 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'fields', in: 'query', schema: { type: 'string' } },
          { name: 'include', in: 'query', schema: { type: 'string' } },
          { name: 'count', in: 'query', schema: { type: 'boolean' } },
          {
            name: 'deleted',
            in: 'query',
            schema: { enum: ['only'] },
            description: 'only: the deleted (restorable) records',
          },
        ],
        responses: {
          '200': {
            description: 'A page of records',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: { type: 'array', items: ref },
                    nextCursor: { type: ['string', 'null'] },
                    count: { type: 'integer' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
      post: {
        tags: tag,
        operationId: `create${Name}Record`,
        summary: `Create a ${e.doc.label.en}`,
        requestBody: { content: { 'application/json': { schema: ref } } },
        responses: {
          '201': { description: 'Created', content: { 'application/json': { schema: ref } } },
          ...errorResponses,
        },
      },
    };
    paths[`/api/records/${e.name}/{id}`] = {
      get: {
        tags: tag,
        operationId: `get${Name}Record`,
        parameters: [
          idParam,
          { name: 'fields', in: 'query', schema: { type: 'string' } },
          { name: 'include', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The record', content: { 'application/json': { schema: ref } } },
          ...errorResponses,
        },
      },
      patch: {
        tags: tag,
        operationId: `update${Name}Record`,
        parameters: [idParam],
        description:
          'Send the version you read; a stale version answers 409 with the current record.',
        requestBody: { content: { 'application/json': { schema: ref } } },
        responses: {
          '200': { description: 'Updated', content: { 'application/json': { schema: ref } } },
          '409': {
            description:
              'VERSION_CONFLICT: a stale version (with the current record); RECORD_LOCKED: a process bound to the record locks it (`extra`: instanceId, editableFields)',
            content: { 'application/json': { schema: errorRef } },
          },
          ...errorResponses,
        },
      },
      delete: {
        tags: tag,
        operationId: `delete${Name}Record`,
        parameters: [
          idParam,
          {
            name: 'version',
            in: 'query',
            schema: { type: 'integer' },
            description: 'refuse (409) if the record changed since',
          },
        ],
        responses: {
          '204': { description: 'Deleted (restorable)' },
          '409': errorResponse(
            'VERSION_CONFLICT: the record changed since `version`; RECORD_LOCKED: a process bound to the record locks it',
          ),
          ...errorResponses,
        },
      },
    };
    paths[`/api/records/${e.name}/{id}/restore`] = {
      post: {
        tags: tag,
        operationId: `restore${Name}Record`,
        parameters: [idParam],
        responses: { '200': { description: 'Restored' }, ...errorResponses },
      },
    };
    Object.assign(paths, sharePaths(e, Name, idParam, tag));
    paths[`/api/records/${e.name}/{id}/history`] = {
      get: {
        tags: tag,
        operationId: `get${Name}RecordHistory`,
        parameters: [idParam],
        responses: {
          '200': {
            description:
              'Every change, oldest first: who (`actor`, a login), when, what (`action`: create, update — one entry per changed field —, delete, restore, share and unshare — `new` / `old` is the login —, computed: a formula or rollup recalculated by the system), old and new values. Fields the caller may not read are left out.',
            ...json(recordHistorySchema),
          },
          ...errorResponses,
        },
      },
    };
    Object.assign(
      paths,
      transferPaths(e, Name, ref, tag),
      buttonPaths(model, e, tag),
      actionPaths(model, e, tag),
    );
    paths[`/api/records/${e.name}/bulk`] = {
      post: {
        tags: tag,
        operationId: `bulkWrite${Name}Records`,
        summary: 'Create or update many, all-or-nothing',
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { records: { type: 'array', items: ref } } },
            },
          },
        },
        responses: { '200': { description: 'All written' }, ...errorResponses },
      },
    };
  }
  Object.assign(
    paths,
    metaPaths(),
    authPaths(),
    adminPaths(),
    workflowPaths(),
    clusterVariablePaths(),
    taskPaths(),
    approvalPaths(),
    inboxPaths(),
    filePaths(),
    systemPaths(),
    workspacePaths(),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM API',
      version,
      description: `Generated from metadata revision ${model.revision}.`,
    },
    tags: TAGS.map(([name, description]) => ({ name, description })),
    paths,
    // every operation needs a token unless it says `security: []` (login, refresh, health, docs)
    security: [{ bearer: [] }],
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token from POST /api/auth/login (a JWT, ACCESS_TOKEN_TTL seconds), or an API token (`crmapi_...`, from POST /api/admin/users/{id}/api-tokens) in the same header: `Authorization: Bearer <token>`.',
        },
      },
    },
  };
}

const nullableStr = { type: ['string', 'null'] };
/** GET /api/records/:entity/:id/history (record-history.ts in libs/records). */
const recordHistorySchema = {
  type: 'object',
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'at', 'actor', 'action', 'field', 'old', 'new'],
        properties: {
          id: { type: 'integer' },
          at: { ...nullableStr, format: 'date-time' },
          actor: nullableStr,
          action: { type: 'string', enum: [...HISTORY_ACTIONS] },
          field: nullableStr,
          old: {},
          new: {},
        },
      },
    },
  },
};
