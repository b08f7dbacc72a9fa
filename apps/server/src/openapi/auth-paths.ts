import { PUBLIC, authResponses, errorResponse, json, unauthenticated } from './responses';

const tags = ['Authentication'];
const str = { type: 'string' };
const body = (properties: Record<string, unknown>, required: string[]) => ({
  required: true,
  ...json({ type: 'object', required, properties }),
});
const tokenPair = json({
  type: 'object',
  required: ['accessToken', 'tokenType', 'expiresIn', 'refreshToken'],
  properties: {
    accessToken: { type: 'string', description: 'JWT (HS256); send as `Authorization: Bearer`' },
    tokenType: { const: 'Bearer' },
    expiresIn: { type: 'integer', description: 'seconds (ACCESS_TOKEN_TTL)' },
    refreshToken: { type: 'string', description: 'single use; rotated by /api/auth/refresh' },
  },
});
const userId = { name: 'id', in: 'path', required: true, schema: { type: 'integer' } };

/** Login, tokens and the caller's identity (auth.controller.ts), and API tokens (admin.controller.ts). */
export function authPaths(): Record<string, unknown> {
  return {
    '/api/auth/login': {
      post: {
        tags,
        operationId: 'login',
        summary: 'Log in with login and password',
        description:
          'Rate-limited per login and per address (429 RATE_LIMITED after LOGIN_MAX_ATTEMPTS failures within LOGIN_WINDOW).',
        ...PUBLIC,
        requestBody: body({ login: str, password: str }, ['login', 'password']),
        responses: {
          '200': { description: 'A token pair', ...tokenPair },
          '400': errorResponse('login or password missing'),
          '401': errorResponse('UNAUTHENTICATED: wrong login or password, or an inactive user'),
          '429': errorResponse('RATE_LIMITED: too many failed logins; `retryAfter` in seconds'),
        },
      },
    },
    '/api/auth/refresh': {
      post: {
        tags,
        operationId: 'refreshTokens',
        summary: 'Exchange a refresh token for a new pair',
        description:
          'The presented refresh token is revoked (rotation); presenting a revoked one again ends every session of its user.',
        ...PUBLIC,
        requestBody: body({ refreshToken: str }, ['refreshToken']),
        responses: {
          '200': { description: 'A new token pair', ...tokenPair },
          '401': errorResponse('UNAUTHENTICATED: unknown, expired or revoked refresh token'),
        },
      },
    },
    '/api/auth/logout': {
      post: {
        tags,
        operationId: 'logout',
        summary: 'Revoke a refresh token (without one: every session of the caller)',
        requestBody: {
          required: false,
          ...json({ type: 'object', properties: { refreshToken: str } }),
        },
        responses: { '204': { description: 'Revoked' }, ...unauthenticated },
      },
    },
    '/api/auth/password': {
      post: {
        tags,
        operationId: 'changePassword',
        summary: "Change the caller's password; ends every session",
        requestBody: body({ currentPassword: str, newPassword: str }, [
          'currentPassword',
          'newPassword',
        ]),
        responses: {
          '204': { description: 'Changed' },
          '400': errorResponse('The new password is too weak (`/newPassword`)'),
          ...authResponses,
          '403': errorResponse('FORBIDDEN: the current password is wrong'),
        },
      },
    },
    '/api/auth/me': {
      get: {
        tags,
        operationId: 'getMe',
        summary: 'The caller: user, roles, CASL rules packed for the browser, placeholder values',
        responses: {
          '200': {
            description: 'The caller',
            ...json({
              type: 'object',
              properties: {
                user: { type: 'object' },
                roles: { type: 'array', items: str },
                rules: {
                  type: 'array',
                  description: '`packRules` form; `unpackRules` on the client',
                },
                context: {
                  type: 'object',
                  description: 'what $me, $myDepartmentTree, ... stand for',
                },
              },
            }),
          },
          ...unauthenticated,
        },
      },
    },
    '/api/admin/users/{id}/api-tokens': {
      get: {
        tags,
        operationId: 'listApiTokens',
        summary: "A user's API tokens (never the token text); needs manage User",
        parameters: [userId],
        responses: {
          '200': {
            description: 'The tokens',
            ...json({
              type: 'object',
              properties: {
                data: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'integer' },
                      name: str,
                      createdAt: str,
                      revokedAt: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            }),
          },
          '400': errorResponse('QUERY_INVALID: the id is not a positive integer'),
          ...authResponses,
        },
      },
      post: {
        tags,
        operationId: 'createApiToken',
        summary: 'Create an API token acting as the user; needs manage User',
        description:
          'The token (`crmapi_...`) is shown once. Integrations send it exactly like an access token: `Authorization: Bearer crmapi_...`. It does not expire; revoke it.',
        parameters: [userId],
        requestBody: body({ name: { type: 'string', maxLength: 200 } }, ['name']),
        responses: {
          '201': {
            description: 'The new token',
            ...json({
              type: 'object',
              properties: { id: { type: 'integer' }, name: str, token: str },
            }),
          },
          '400': errorResponse('name missing, or the id is not a positive integer'),
          '404': errorResponse('USER_NOT_FOUND'),
          ...authResponses,
        },
      },
    },
    '/api/admin/users/{id}/api-tokens/{tokenId}': {
      delete: {
        tags,
        operationId: 'revokeApiToken',
        summary: 'Revoke an API token; needs manage User',
        parameters: [
          userId,
          { name: 'tokenId', in: 'path', required: true, schema: { type: 'integer' } },
        ],
        responses: {
          '204': { description: 'Revoked' },
          '400': errorResponse('QUERY_INVALID: an id is not a positive integer'),
          '404': errorResponse('No such live token of this user'),
          ...authResponses,
        },
      },
    },
  };
}
