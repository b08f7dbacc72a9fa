/** Response objects shared by every path of the OpenAPI document. */
export const errorRef = { $ref: '#/components/schemas/Error' };

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorRef } },
});

/** What any route that needs a token can answer. */
export const unauthenticated = {
  '401': errorResponse('UNAUTHENTICATED: no token, or an invalid, expired or revoked one'),
};

/** What a route that checks a role permission answers besides its own errors. */
export const authResponses = {
  ...unauthenticated,
  '403': errorResponse(
    'FORBIDDEN: no role allows the action (or a field); the denial is audited. `errors` name the action and field',
  ),
};

/** Errors of the record and metadata routes. */
export const errorResponses = {
  '400': errorResponse('Invalid input'),
  '404': errorResponse('Unknown entity or record'),
  ...authResponses,
};

/** An operation anyone may call: it overrides the document's default bearer requirement. */
export const PUBLIC = { security: [] as unknown[] };

export const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
