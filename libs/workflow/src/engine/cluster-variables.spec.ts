import { type CrmError, ErrorCode } from '@crm/common';
import { feel } from './expressions';
import {
  checkClusterVariableName,
  checkClusterVariableValue,
  feelGlobals,
  parseClusterVariableScope,
} from './cluster-variables';

/** Camunda 8.9's namespaces: cluster = global, tenant, env = the tenant's value over the global. */
describe('cluster variables in FEEL', () => {
  const globals = feelGlobals([
    { scope: 'global', name: 'API', value: { url: 'https://global' } },
    { scope: 'global', name: 'LIMIT', value: 10 },
    { scope: 'tenant', name: 'API', value: { url: 'https://tenant' } },
  ]);
  const read = (expression: string, context: Record<string, unknown> = {}) =>
    feel(expression, context, 't', { globals });

  it('reads global values as camunda.vars.cluster and the tenant values as camunda.vars.tenant', () => {
    expect(read('camunda.vars.cluster.API.url')).toBe('https://global');
    expect(read('camunda.vars.tenant.API.url')).toBe('https://tenant');
    expect(read('camunda.vars.tenant.LIMIT')).toBeNull();
  });

  it('reads env as the tenant value over the global one', () => {
    expect(read('camunda.vars.env.API.url')).toBe('https://tenant');
    expect(read('camunda.vars.env.LIMIT + 1')).toBe(11);
  });

  it('lets a process variable named camunda shadow them', () => {
    expect(read('camunda.vars.env.LIMIT', { camunda: { vars: { env: { LIMIT: 3 } } } })).toBe(3);
  });

  it('leaves expressions that do not name them alone', () => {
    expect(read('x + 1', { x: 1 })).toBe(2);
    expect(feel('camunda.vars.env.LIMIT', {}, 't', {})).toBeNull();
  });
});

describe('cluster variable input', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return { code: (e as CrmError).code, path: (e as CrmError).errors[0]?.path };
    }
    return null;
  };

  it('takes the scopes global and tenant', () => {
    expect(parseClusterVariableScope('global')).toBe('global');
    expect(parseClusterVariableScope('TENANT')).toBe('tenant');
    expect(code(() => parseClusterVariableScope('cluster'))).toEqual({
      code: ErrorCode.ClusterVariableInvalid,
      path: 'scope',
    });
  });

  it.each([undefined, '', '1ST', 'API-URL', 'a.b', 'x'.repeat(192)])('refuses the name %p', (n) => {
    expect(code(() => checkClusterVariableName(n))).toEqual({
      code: ErrorCode.ClusterVariableInvalid,
      path: '/name',
    });
  });

  it('takes FEEL names', () => {
    expect(checkClusterVariableName('API_URL')).toBe('API_URL');
    expect(checkClusterVariableName('_x1')).toBe('_x1');
  });

  it.each([undefined, null, Infinity])('refuses the value %p', (v) => {
    expect(code(() => checkClusterVariableValue(v, 100))).toEqual({
      code: ErrorCode.ClusterVariableInvalid,
      path: '/value',
    });
  });

  it('takes any other JSON value within the size limit', () => {
    expect(checkClusterVariableValue({ a: [1, true] }, 100)).toBe('{"a":[1,true]}');
    expect(checkClusterVariableValue('v1', 100)).toBe('"v1"');
    expect(code(() => checkClusterVariableValue('x'.repeat(200), 100))).toEqual({
      code: ErrorCode.ClusterVariableInvalid,
      path: '/value',
    });
  });
});
