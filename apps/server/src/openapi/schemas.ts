import { errorResponse, unauthenticated } from './responses';

/** JSON Schema and OpenAPI building blocks shared by the path modules. */
export const str = { type: 'string' };
export const int = { type: 'integer' };
export const bool = { type: 'boolean' };
export const nullable = (type: string) => ({ type: [type, 'null'] });
/** An ISO 8601 timestamp, null where the row has none (e.g. not ended yet). */
export const timestamp = { type: ['string', 'null'], format: 'date-time' };
/** A JSON object of any properties (process variables, BPMN headers, documents...). */
export const anyObject = { type: 'object', additionalProperties: true };

export const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  ...(required.length ? { required } : {}),
  properties,
});
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
/** `{ data: [...] }`, the envelope of every list answer. */
export const dataOf = (items: unknown) => obj({ data: { type: 'array', items } }, ['data']);

export const pathParam = (name: string, schema: unknown = int, description?: string) => ({
  name,
  in: 'path',
  required: true,
  schema,
  ...(description ? { description } : {}),
});
export const queryParam = (name: string, schema: unknown, description?: string) => ({
  name,
  in: 'query',
  schema,
  ...(description ? { description } : {}),
});
export const jsonBody = (schema: unknown, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});
/** A response with a JSON body (or, without a schema, none). */
export const reply = (description: string, schema?: unknown) =>
  schema ? { description, content: { 'application/json': { schema } } } : { description };

export interface OperationSpec {
  operationId: string;
  tags: string[];
  summary: string;
  /** Who may call it: goes first in the description. */
  permission: string;
  description?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  /** The success status (200 unless given). */
  status?: '200' | '201' | '204';
  ok: unknown;
  /** The errors this route really answers besides 401, status → description. */
  errors?: Record<string, string>;
}

/** An operation that needs a token: its permission in the description, its errors, and 401. */
export function operation(o: OperationSpec): Record<string, unknown> {
  const errors = Object.fromEntries(
    Object.entries(o.errors ?? {}).map(([code, text]) => [code, errorResponse(text)]),
  );
  return {
    tags: o.tags,
    operationId: o.operationId,
    summary: o.summary,
    description: `**Permission:** ${o.permission}${o.description ? `\n\n${o.description}` : ''}`,
    ...(o.parameters?.length ? { parameters: o.parameters } : {}),
    ...(o.requestBody ? { requestBody: o.requestBody } : {}),
    responses: sortByStatus({ [o.status ?? '200']: o.ok, ...errors, ...unauthenticated }),
  };
}

const sortByStatus = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));

/** The process variables of a request: a JSON object, at most MAX_VARIABLES_BYTES as JSON. */
export const variables = {
  ...anyObject,
  description: 'process variables (a JSON object; at most MAX_VARIABLES_BYTES serialized)',
};

/** Error texts several areas share. */
export const BAD_ID = 'QUERY_INVALID: the id is not a positive integer';
export const VARIABLES_TOO_LARGE = 'VARIABLES_TOO_LARGE: variables over MAX_VARIABLES_BYTES';
