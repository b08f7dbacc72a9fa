import { PUBLIC, errorResponse } from './responses';
import { int, obj, str } from './schemas';

const tags = ['System'];
const publicGet = (operationId: string, summary: string, content: Record<string, unknown>) => ({
  get: {
    tags,
    operationId,
    summary,
    description: '**Permission:** public (no token)',
    ...PUBLIC,
    responses: { '200': { description: 'OK', content } },
  },
});

/** Health and this documentation (SystemController); all public. */
export function systemPaths(): Record<string, unknown> {
  return {
    '/api/health/live': publicGet('healthLive', 'Liveness: the process answers', {
      'application/json': { schema: obj({ status: { const: 'ok' } }, ['status']) },
    }),
    '/api/health/ready': {
      get: {
        ...publicGet('healthReady', 'Readiness (terminus): database, metadata, not shutting down', {
          'application/json': { schema: { type: 'object' } },
        }).get,
        responses: {
          '200': {
            description: 'Ready: `{ status: "ok", info: { database, metadata, lifecycle } }`',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '503': errorResponse(
            'NOT_READY: errors name each failing check (database, metadata, lifecycle)',
          ),
        },
      },
    },
    '/api/health': publicGet(
      'health',
      'Database reachable, metadata revision, jobs run (node name: admins only)',
      {
        'application/json': {
          schema: obj(
            {
              status: { const: 'ok' },
              database: { type: 'string', description: 'sqlite or mysql' },
              metadataRevision: int,
              entities: int,
              jobs: obj(
                {
                  node: { ...str, description: 'host:pid:id, only for a caller with manage all' },
                  executed: int,
                },
                ['executed'],
              ),
            },
            ['status', 'database', 'metadataRevision', 'entities', 'jobs'],
          ),
        },
      },
    ),
    '/api/docs': publicGet('docsUi', 'This documentation (Swagger UI)', {
      'text/html': { schema: str },
    }),
    '/api/docs-json': publicGet('openApiDocument', 'This OpenAPI document', {
      'application/json': { schema: { type: 'object' } },
    }),
  };
}
