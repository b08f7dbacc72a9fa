import { PUBLIC } from './responses';
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
    '/api/health': publicGet('health', 'Database reachable, metadata revision, job node', {
      'application/json': {
        schema: obj(
          {
            status: { const: 'ok' },
            database: { type: 'string', description: 'sqlite or mysql' },
            metadataRevision: int,
            entities: int,
            jobs: obj({ node: str, executed: int }, ['node', 'executed']),
          },
          ['status', 'database', 'metadataRevision', 'entities', 'jobs'],
        ),
      },
    }),
    '/api/docs': publicGet('docsUi', 'This documentation (Swagger UI)', {
      'text/html': { schema: str },
    }),
    '/api/docs-json': publicGet('openApiDocument', 'This OpenAPI document', {
      'application/json': { schema: { type: 'object' } },
    }),
  };
}
