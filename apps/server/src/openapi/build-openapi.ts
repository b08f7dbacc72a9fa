import type { JsonSchema, MetadataModel } from '@crm/metadata';
import { authPaths } from './auth-paths';
import { PUBLIC, errorRef, errorResponses } from './responses';
import { transferPaths } from './transfer-paths';

/** OpenAPI 3.1 (whose schemas are JSON Schema) built from the live model: every entity's endpoints with its real schema. */
export function buildOpenApi(model: MetadataModel, version: string): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = {
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
              action: { type: 'string', description: 'denials: the refused action' },
              field: { type: 'string', description: 'field-level denials: the field' },
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
    const Name = e.name.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase());
    schemas[Name] = schema;
    const ref = { $ref: `#/components/schemas/${Name}` };
    const tag = [`${e.doc.label.en} (${e.name})`];
    const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };
    paths[`/api/records/${e.name}`] = {
      get: {
        tags: tag,
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
        parameters: [idParam],
        responses: {
          '200': { description: 'The record', content: { 'application/json': { schema: ref } } },
          ...errorResponses,
        },
      },
      patch: {
        tags: tag,
        parameters: [idParam],
        description:
          'Send the version you read; a stale version answers 409 with the current record.',
        requestBody: { content: { 'application/json': { schema: ref } } },
        responses: {
          '200': { description: 'Updated', content: { 'application/json': { schema: ref } } },
          '409': {
            description: 'Stale version',
            content: { 'application/json': { schema: errorRef } },
          },
          ...errorResponses,
        },
      },
      delete: {
        tags: tag,
        parameters: [idParam],
        responses: { '204': { description: 'Deleted (restorable)' }, ...errorResponses },
      },
    };
    paths[`/api/records/${e.name}/{id}/restore`] = {
      post: {
        tags: tag,
        parameters: [idParam],
        responses: { '200': { description: 'Restored' }, ...errorResponses },
      },
    };
    paths[`/api/records/${e.name}/{id}/history`] = {
      get: {
        tags: tag,
        parameters: [idParam],
        responses: {
          '200': { description: 'Every change: who, when, field, old, new' },
          ...errorResponses,
        },
      },
    };
    Object.assign(paths, transferPaths(e, ref, tag));
    paths[`/api/records/${e.name}/bulk`] = {
      post: {
        tags: tag,
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
  const metaTag = ['Metadata'];
  for (const [p, methods] of Object.entries({
    '/api/meta/documents': ['get'],
    '/api/meta/documents/{kind}/{name}': ['get', 'put', 'delete'],
    '/api/meta/plan': ['post'],
    '/api/meta/apply': ['post'],
    '/api/meta/revisions': ['get'],
    '/api/meta/revisions/{id}/rollback': ['post'],
    '/api/meta/entities/{name}/schema': ['get'],
  })) {
    const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[p] = Object.fromEntries(
      methods.map((m) => [
        m,
        {
          tags: metaTag,
          parameters: params,
          responses: { '200': { description: 'OK' }, ...errorResponses },
        },
      ]),
    );
  }
  Object.assign(paths, authPaths());
  const system = (summary: string, content: string) => ({
    get: {
      tags: ['System'],
      summary,
      ...PUBLIC,
      responses: { '200': { description: 'OK', content: { [content]: {} } } },
    },
  });
  paths['/api/health'] = system(
    'Database reachable, metadata revision, job node',
    'application/json',
  );
  paths['/api/docs'] = system('This documentation (Swagger UI)', 'text/html');
  paths['/api/docs-json'] = system('This OpenAPI document', 'application/json');
  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM API',
      version,
      description: `Generated from metadata revision ${model.revision}.`,
    },
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
