import { type EntityDocument, buildModel } from '@crm/metadata';
import { buildOpenApi } from './build-openapi';

const l = { 'zh-CN': '商机', en: 'Deal' };
const DEAL: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l,
  displayField: 'title',
  fields: { title: { type: 'text', label: l, required: true } },
};

type Operation = {
  security?: unknown[];
  parameters?: Array<{ name: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
};
const doc = buildOpenApi(buildModel([DEAL], 3), '0.1.0') as {
  security: unknown[];
  components: { securitySchemes: Record<string, Record<string, string>> };
  paths: Record<string, Record<string, Operation>>;
};
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ path, method, op })),
);
const PUBLIC = [
  'post /api/auth/login',
  'post /api/auth/refresh',
  'get /api/health',
  'get /api/docs',
  'get /api/docs-json',
];

describe('buildOpenApi', () => {
  it('declares bearer authentication (JWT or API token) as the default requirement', () => {
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.components.securitySchemes.bearer.description).toContain('crmapi_');
  });

  it('marks exactly login, refresh, health and docs as public', () => {
    const open = operations
      .filter((o) => Array.isArray(o.op.security) && o.op.security.length === 0)
      .map((o) => `${o.method} ${o.path}`);
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  it('gives every operation that needs a token its 401 and 403 answers', () => {
    const secured = operations.filter((o) => !PUBLIC.includes(`${o.method} ${o.path}`));
    expect(secured.length).toBeGreaterThan(20);
    for (const o of secured) {
      expect({ at: `${o.method} ${o.path}`, codes: Object.keys(o.op.responses) }).toEqual({
        at: `${o.method} ${o.path}`,
        codes: expect.arrayContaining(['401', '403']),
      });
    }
  });

  it('describes the auth routes and API tokens', () => {
    for (const [path, method] of [
      ['/api/auth/login', 'post'],
      ['/api/auth/refresh', 'post'],
      ['/api/auth/logout', 'post'],
      ['/api/auth/password', 'post'],
      ['/api/auth/me', 'get'],
      ['/api/admin/users/{id}/api-tokens', 'get'],
      ['/api/admin/users/{id}/api-tokens', 'post'],
      ['/api/admin/users/{id}/api-tokens/{tokenId}', 'delete'],
    ])
      expect(doc.paths[path]?.[method]).toBeDefined();
    expect(Object.keys(doc.paths['/api/auth/login'].post.responses)).toEqual(
      expect.arrayContaining(['200', '401', '429']),
    );
  });

  it('documents export and import of each entity', () => {
    const exp = doc.paths['/api/records/deal/export'].get;
    expect(exp.parameters!.map((p) => p.name)).toEqual(['format', 'filter', 'sort', 'fields']);
    expect(Object.keys(exp.responses['200'] as object)).toContain('content');
    const imp = doc.paths['/api/records/deal/import'].post;
    expect(imp.parameters!.map((p) => p.name)).toEqual(['dryRun']);
    expect(Object.keys(imp.requestBody!.content).sort()).toEqual([
      'application/json',
      'multipart/form-data',
      'text/csv',
    ]);
    expect(Object.keys(imp.responses)).toEqual(expect.arrayContaining(['200', '400', '413']));
  });

  it('has no dangling $ref', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)];
    const schemas = (doc.components as unknown as { schemas: Record<string, unknown> }).schemas;
    for (const [, name] of refs) expect(Object.keys(schemas)).toContain(name);
  });
});
