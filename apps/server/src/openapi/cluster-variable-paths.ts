import {
  dataOf,
  jsonBody,
  nullable,
  obj,
  operation,
  pathParam,
  ref,
  reply,
  timestamp,
} from './schemas';

const tags = ['Workflow'];
const ADMIN = '`manage` on Workflow (the admin role has it); changes are audited (not the value)';
const FORBIDDEN = 'FORBIDDEN: no role allows `manage` on Workflow';
const BAD_NAME =
  'CLUSTER_VARIABLE_INVALID: a scope other than global / tenant, a name that is not a FEEL name (letters, digits, _; not starting with a digit; at most 191 characters), or a value that is null, missing or over WORKFLOW_MAX_VARIABLES_BYTES';
const NOT_FOUND = 'CLUSTER_VARIABLE_NOT_FOUND: the scope has no variable of that name';

const scope = pathParam(
  'scope',
  { enum: ['global', 'tenant'] },
  'global: `camunda.vars.cluster`; tenant: `camunda.vars.tenant` (this CRM has one tenant)',
);
const name = pathParam('name', { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
const value = {
  description: 'any JSON value but null: string, number, boolean, object or array',
  type: ['string', 'number', 'boolean', 'object', 'array'],
};

/** Cluster variables as the API answers them. */
export const clusterVariableSchemas: Record<string, unknown> = {
  ClusterVariable: obj(
    {
      scope: { enum: ['GLOBAL', 'TENANT'] },
      name: { type: 'string' },
      value,
      updatedAt: timestamp,
      updatedBy: nullable('string'),
    },
    ['scope', 'name', 'value'],
  ),
};

/**
 * /api/workflow/cluster-variables: Camunda 8.9's cluster variables (engine/cluster-variables.ts),
 * shaped like its Orchestration Cluster API.
 */
export function clusterVariablePaths(): Record<string, unknown> {
  const one = reply('The variable', ref('ClusterVariable'));
  return {
    '/api/workflow/cluster-variables': {
      get: operation({
        operationId: 'listClusterVariables',
        tags,
        summary: 'Every cluster variable, global and tenant',
        permission: ADMIN,
        ok: reply('By scope, then name', dataOf(ref('ClusterVariable'))),
        errors: { '403': FORBIDDEN },
      }),
    },
    '/api/workflow/cluster-variables/{scope}': {
      post: operation({
        operationId: 'createClusterVariable',
        tags,
        summary: 'Create a cluster variable',
        permission: ADMIN,
        description:
          'As Camunda 8.9: every FEEL expression the engine evaluates from then on reads it as `camunda.vars.cluster.NAME` (global) or `camunda.vars.tenant.NAME` (tenant), and as `camunda.vars.env.NAME` (the tenant value over the global one). A process variable named `camunda` shadows them.',
        parameters: [scope],
        requestBody: jsonBody(
          obj({ name: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, value }, [
            'name',
            'value',
          ]),
        ),
        status: '201',
        ok: one,
        errors: {
          '400': BAD_NAME,
          '403': FORBIDDEN,
          '409': 'CLUSTER_VARIABLE_EXISTS: the scope has one of that name (PUT changes it)',
        },
      }),
    },
    '/api/workflow/cluster-variables/{scope}/{name}': {
      get: operation({
        operationId: 'getClusterVariable',
        tags,
        summary: 'One cluster variable',
        permission: ADMIN,
        parameters: [scope, name],
        ok: one,
        errors: { '400': BAD_NAME, '403': FORBIDDEN, '404': NOT_FOUND },
      }),
      put: operation({
        operationId: 'updateClusterVariable',
        tags,
        summary: "Change a cluster variable's value",
        permission: ADMIN,
        description: 'Expressions evaluated after the change read the new value.',
        parameters: [scope, name],
        requestBody: jsonBody(obj({ value }, ['value'])),
        ok: one,
        errors: { '400': BAD_NAME, '403': FORBIDDEN, '404': NOT_FOUND },
      }),
      delete: operation({
        operationId: 'deleteClusterVariable',
        tags,
        summary: 'Delete a cluster variable',
        permission: ADMIN,
        description: 'Expressions evaluated afterwards read null for it.',
        parameters: [scope, name],
        status: '204',
        ok: reply('Deleted'),
        errors: { '400': BAD_NAME, '403': FORBIDDEN, '404': NOT_FOUND },
      }),
    },
  };
}
