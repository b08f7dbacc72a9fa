import type { CompiledEntity } from '@crm/metadata';
import { errorResponse, errorResponses, json } from './responses';
import { jsonBody, obj, str } from './schemas';

/** Who a record is shared with, sharing and revoking (record-shares.ts in libs/records). */
export function sharePaths(
  e: CompiledEntity,
  Name: string,
  idParam: unknown,
  tags: string[],
): Record<string, unknown> {
  const notFound = errorResponse('Unknown entity, or a record you may not read');
  return {
    [`/api/records/${e.name}/{id}/shares`]: {
      get: {
        tags,
        operationId: `list${Name}RecordShares`,
        summary: 'Who the record is shared with',
        description: '**Permission:** `read` on the record.',
        parameters: [idParam],
        responses: {
          '200': {
            description: 'The users the record is shared with, in the order it was shared',
            ...json(
              obj(
                {
                  data: {
                    type: 'array',
                    items: obj({ login: str, displayName: { type: ['string', 'null'] } }, [
                      'login',
                      'displayName',
                    ]),
                  },
                },
                ['data'],
              ),
            ),
          },
          ...errorResponses,
          '404': notFound,
        },
      },
      post: {
        tags,
        operationId: `share${Name}Record`,
        summary: 'Share the record with a user (matches `$sharedWithMe`)',
        description: '**Permission:** `update` on the record.',
        parameters: [idParam],
        requestBody: jsonBody(obj({ login: str }, ['login'])),
        responses: {
          '204': {
            description:
              'Shared (sharing again changes nothing). A login that does not exist is answered alike and nothing is stored: the answer reveals no logins',
          },
          ...errorResponses,
          '404': notFound,
        },
      },
    },
    [`/api/records/${e.name}/{id}/shares/{login}`]: {
      delete: {
        tags,
        operationId: `unshare${Name}Record`,
        summary: 'Stop sharing the record with a user',
        description: '**Permission:** `update` on the record.',
        parameters: [idParam, { name: 'login', in: 'path', required: true, schema: str }],
        responses: {
          '204': {
            description:
              'Not shared with them (any more). A share or login that does not exist is answered alike',
          },
          ...errorResponses,
          '404': notFound,
        },
      },
    },
  };
}
