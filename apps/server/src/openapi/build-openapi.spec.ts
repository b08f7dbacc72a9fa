import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import { type AppConfig, systemClock } from '@crm/common';
import { type EntityDocument, buildModel, loadMetadataDir } from '@crm/metadata';
import { AppModule } from '../app.module';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { buildOpenApi } from './build-openapi';

const l = { 'zh-CN': '商机', en: 'Deal' };
const DEAL: EntityDocument = {
  kind: 'entity',
  name: 'deal',
  label: l,
  displayField: 'title',
  fields: { title: { type: 'text', label: l, required: true } },
};

type Schema = {
  type?: string | string[];
  required?: string[];
  properties?: Record<string, Schema>;
  enum?: unknown[];
  $ref?: string;
};
type Operation = {
  operationId?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: Schema }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
};
type Document = {
  security: unknown[];
  components: { securitySchemes: Record<string, Record<string, string>> };
  paths: Record<string, Record<string, Operation>>;
};
const doc = buildOpenApi(buildModel([DEAL], 3), '0.1.0') as Document;
const operationsOf = (d: Document) =>
  Object.entries(d.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
const operations = operationsOf(doc);
const PUBLIC = [
  'post /api/auth/login',
  'post /api/auth/refresh',
  'get /api/health',
  'get /api/health/live',
  'get /api/health/ready',
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

  it('gives every operation that needs a token its 401 answer', () => {
    const secured = operations.filter((o) => !PUBLIC.includes(`${o.method} ${o.path}`));
    expect(secured.length).toBeGreaterThanOrEqual(60);
    for (const o of secured)
      expect({ at: `${o.method} ${o.path}`, codes: Object.keys(o.op.responses) }).toEqual({
        at: `${o.method} ${o.path}`,
        codes: expect.arrayContaining(['401']),
      });
  });

  it('answers 403 only where a role permission is checked, and says which in the description', () => {
    const area = operations.filter((o) =>
      /^\/api\/(workflow|tasks|notifications|admin\/(?!users\/\{id\}\/api-tokens)|meta|files)/.test(
        o.path,
      ),
    );
    expect(area.length).toBe(62);
    for (const o of area) expect(o.op.description).toMatch(/^\*\*Permission:\*\* \S/);
    const withForbidden = (o: (typeof area)[number]) => '403' in o.op.responses;
    const checked = area.filter(withForbidden).map((o) => `${o.method} ${o.path}`);
    // reading what any signed-in user may see never answers 403 (hidden things answer 404)
    for (const open of [
      'get /api/tasks',
      'get /api/tasks/{id}',
      'get /api/notifications',
      'get /api/workflow/definitions',
      'get /api/workflow/decisions',
      'get /api/workflow/instances/{id}',
      'get /api/workflow/instances/{id}/timeline',
      'get /api/inbox',
      'get /api/meta/entities/{name}/schema',
      'get /api/files/{id}',
      'get /api/workflow/instances/{id}/record',
      'post /api/tasks/actions',
    ])
      expect(checked).not.toContain(open);
    for (const guarded of [
      'post /api/files',
      'post /api/workflow/deployments',
      'post /api/workflow/preview',
      'post /api/workflow/messages',
      'post /api/workflow/external-jobs/fetch-and-lock',
      'get /api/workflow/cluster-variables',
      'post /api/workflow/cluster-variables/{scope}',
      'put /api/workflow/cluster-variables/{scope}/{name}',
      'delete /api/workflow/cluster-variables/{scope}/{name}',
      'post /api/workflow/incidents/{id}/retry',
      'get /api/workflow/incidents',
      'post /api/workflow/instances/{id}/cancel',
      'post /api/tasks/{id}/claim',
      'post /api/tasks/{id}/complete',
      'post /api/tasks/{id}/actions',
      'post /api/workflow/instances/{id}/withdraw',
      'post /api/workflow/instances/{id}/modify',
      'get /api/admin/users',
      'get /api/admin/audit',
      'put /api/meta/documents/{kind}/{name}',
      'post /api/meta/apply',
      // drafts show pending role edits and revisions actors and DDL: `read` on Metadata
      'get /api/meta/documents',
      'get /api/meta/revisions',
    ])
      expect(checked).toContain(guarded);
    const permission = (path: string, method: string) => doc.paths[path][method].description;
    expect(permission('/api/workflow/deployments', 'post')).toContain('`deploy` on Workflow');
    expect(permission('/api/workflow/messages', 'post')).toContain('`message` on Workflow');
    expect(permission('/api/workflow/external-jobs/{id}/fail', 'post')).toContain('`work`');
    expect(permission('/api/workflow/incidents/{id}/retry', 'post')).toContain('`operate`');
    expect(permission('/api/workflow/incidents', 'get')).toContain('`read` on Workflow');
    expect(permission('/api/admin/departments/{id}', 'patch')).toContain('`manage` on User');
    expect(permission('/api/admin/audit', 'get')).toContain('`manage` on Audit');
    expect(permission('/api/meta/draft', 'delete')).toContain('`manage` on Metadata');
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
    expect(exp.parameters!.map((p) => p.name)).toEqual([
      'format',
      'headers',
      'filter',
      'sort',
      'fields',
    ]);
    expect(Object.keys(exp.responses['200'] as object)).toContain('content');
    const imp = doc.paths['/api/records/deal/import'].post;
    expect(imp.parameters!.map((p) => p.name)).toEqual(['dryRun']);
    expect(Object.keys(imp.requestBody!.content).sort()).toEqual([
      'application/json',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'multipart/form-data',
      'text/csv',
    ]);
    expect(Object.keys(imp.responses)).toEqual(expect.arrayContaining(['200', '400', '413']));
  });
});

const op = (path: string, method: string): Operation => {
  const o = doc.paths[path]?.[method];
  if (!o) throw new Error(`${method} ${path} is not documented`);
  return o;
};
const codes = (o: Operation) => Object.keys(o.responses);
const jsonSchema = (o: Operation, status: string) =>
  o.responses[status].content!['application/json'].schema;
const bodySchema = (o: Operation) => o.requestBody!.content['application/json'].schema;
const component = (s: Schema) =>
  (doc.components as unknown as { schemas: Record<string, Schema> }).schemas[
    s.$ref!.replace('#/components/schemas/', '')
  ];

describe('buildOpenApi: workflow', () => {
  it('deploys BPMN sent as XML or as a multipart file', () => {
    const deploy = op('/api/workflow/deployments', 'post');
    expect(Object.keys(deploy.requestBody!.content).sort()).toEqual([
      'application/xml',
      'multipart/form-data',
      'text/xml',
    ]);
    expect(deploy.requestBody!.content['multipart/form-data'].schema.required).toEqual(['file']);
    expect(codes(deploy).sort()).toEqual(['201', '400', '401', '403', '413']);
    // a BPMN diagram deploys processes, a DMN file decisions
    const list = jsonSchema(deploy, '201').properties!.data as { items: { oneOf: Schema[] } };
    for (const item of list.items.oneOf) expect(component(item).required).toContain('created');
    const decisionXml = op('/api/workflow/decisions/{decisionId}/xml', 'get');
    expect(codes(decisionXml)).toContain('404');
    const xml = op('/api/workflow/definitions/{key}/xml', 'get');
    expect(Object.keys(xml.responses['200'].content!)).toEqual(['application/xml']);
    expect(xml.parameters!.map((p) => [p.name, p.in])).toEqual([
      ['key', 'path'],
      ['version', 'query'],
    ]);
    expect(codes(xml)).toContain('404');
  });

  it('starts, lists and cancels instances with their real parameters and errors', () => {
    const start = op('/api/workflow/instances', 'post');
    expect(bodySchema(start).required).toEqual(['processKey']);
    expect(Object.keys(bodySchema(start).properties!)).toEqual(
      expect.arrayContaining(['version', 'variables', 'businessKey', 'record']),
    );
    expect(codes(start).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '422']);
    expect(component(jsonSchema(start, '201')).properties!.state.enum).toEqual([
      'active',
      'completed',
      'terminated',
      'cancelled',
    ]);
    const list = op('/api/workflow/instances', 'get');
    expect(list.parameters!.map((p) => p.name)).toEqual([
      'state',
      'processKey',
      'record',
      'businessKey',
      'limit',
    ]);
    expect(codes(op('/api/workflow/instances/{id}/cancel', 'post'))).toContain('409');
    expect(codes(op('/api/workflow/instances/{id}/history', 'get'))).toContain('404');
  });

  it('documents the approval route preview', () => {
    const preview = op('/api/workflow/preview', 'post');
    expect(bodySchema(preview).required).toEqual(['processKey']);
    expect(Object.keys(bodySchema(preview).properties!)).toEqual([
      'processKey',
      'record',
      'values',
      'variables',
    ]);
    expect(codes(preview).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413']);
    const route = component(jsonSchema(preview, '200'));
    expect(route.required).toEqual(['processKey', 'version', 'nodes', 'stops']);
  });

  it('documents the external job protocol and incidents', () => {
    const fetch = op('/api/workflow/external-jobs/fetch-and-lock', 'post');
    expect(bodySchema(fetch).required).toEqual(['workerId', 'types']);
    expect(bodySchema(fetch).properties!.maxJobs).toMatchObject({ minimum: 1, maximum: 100 });
    for (const [action, required] of [
      ['complete', ['workerId']],
      ['fail', ['workerId']],
      ['bpmn-error', ['workerId', 'errorCode']],
    ] as const) {
      const o = op(`/api/workflow/external-jobs/{id}/${action}`, 'post');
      expect(bodySchema(o).required).toEqual(required);
      expect(codes(o)).toEqual(expect.arrayContaining(['204', '404', '409']));
    }
    expect(op('/api/workflow/incidents', 'get').parameters![0].schema.enum).toEqual([
      'open',
      'resolved',
    ]);
    const message = op('/api/workflow/messages', 'post');
    expect(bodySchema(message).required).toEqual(['name']);
    expect(codes(message)).toContain('404');
  });
});

describe('buildOpenApi: tasks and notifications', () => {
  it('lists the inbox with its filters, `mine` among them', () => {
    const list = op('/api/tasks', 'get');
    expect(list.parameters!.map((p) => p.name)).toEqual([
      'assignee',
      'candidateGroup',
      'candidateUser',
      'state',
      'processKey',
      'instanceId',
      'mine',
      'due',
    ]);
    expect(list.parameters!.find((p) => p.name === 'mine')!.schema.type).toBe('boolean');
    expect(list.parameters!.find((p) => p.name === 'due')!.schema.enum).toEqual([
      'dueSoon',
      'overdue',
    ]);
    const items = jsonSchema(list, '200').properties!.data as { items: Schema };
    expect(component(items.items).properties).toHaveProperty('candidateGroups');
    expect(component(items.items).required).toEqual(expect.arrayContaining(['dueAt', 'dueState']));
  });

  it('completes a task with variables and a version, answering 409 to the loser of a race', () => {
    const complete = op('/api/tasks/{id}/complete', 'post');
    expect(Object.keys(bodySchema(complete).properties!)).toEqual(['variables', 'version']);
    expect(codes(complete).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413']);
    expect(complete.responses['409'].description).toContain('TASK_CONFLICT');
    expect(codes(op('/api/tasks/{id}/claim', 'post'))).toContain('409');
    expect(codes(op('/api/tasks/{id}', 'get')).sort()).toEqual(['200', '400', '401', '404']);
    expect(jsonSchema(op('/api/notifications', 'get'), '200').required).toEqual(['data']);
  });
});

describe('buildOpenApi: admin, metadata, files', () => {
  it('describes users and departments with their writable properties', () => {
    const create = op('/api/admin/users', 'post');
    expect(bodySchema(create).required).toEqual(['login']);
    expect(bodySchema(create).properties!.locale.enum).toEqual(['zh-CN', 'en']);
    expect(codes(create)).toEqual(expect.arrayContaining(['201', '400', '403', '409']));
    expect(Object.keys(bodySchema(op('/api/admin/users/{id}', 'patch')).properties!)).not.toContain(
      'login',
    );
    expect(bodySchema(op('/api/admin/departments', 'post')).required).toEqual(['name']);
    expect(codes(op('/api/admin/departments/{id}', 'patch'))).toContain('404');
    const audit = op('/api/admin/audit', 'get');
    expect(audit.parameters!.map((p) => [p.name, p.schema.enum ?? p.schema.type])).toEqual([
      ['limit', 'integer'],
      ['outcome', ['ok', 'denied', 'failed']],
    ]);
    for (const o of operations.filter((x) => x.path.startsWith('/api/admin/')))
      expect(o.op.tags).toEqual([o.path.includes('api-tokens') ? 'Authentication' : 'Admin']);
  });

  it('describes the draft → plan → apply cycle and revisions', () => {
    const apply = op('/api/meta/apply', 'post');
    expect(Object.keys(bodySchema(apply).properties!)).toEqual([
      'confirm',
      'planHash',
      'message',
      'skipDestructive',
    ]);
    expect(codes(apply)).toEqual(expect.arrayContaining(['400', '403', '409']));
    expect(component(jsonSchema(op('/api/meta/plan', 'post'), '200')).required).toContain('hash');
    expect(codes(op('/api/meta/draft', 'delete'))).toContain('204');
    expect(op('/api/meta/documents/{kind}/{name}', 'put').parameters![0].schema.enum).toEqual([
      'entity',
      'role',
      'calendar',
      'trigger',
      'template',
      'action',
      'form',
      'view',
    ]);
    expect(codes(op('/api/meta/revisions/{id}', 'get'))).toContain('404');
    for (const o of operations.filter((x) => x.path.startsWith('/api/meta/')))
      expect(o.op.tags).toEqual(['Metadata']);
  });

  it('uploads files as multipart and hides unreadable ones behind 404', () => {
    const upload = op('/api/files', 'post');
    expect(Object.keys(upload.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(codes(upload).sort()).toEqual(['201', '400', '401', '403', '413']);
    expect(codes(op('/api/files/{id}', 'get')).sort()).toEqual(['200', '401', '404']);
    expect(component(jsonSchema(op('/api/files/{id}/meta', 'get'), '200')).required).toContain(
      'sha256',
    );
  });

  it('keeps system schemas when an entity has the same name', () => {
    const incident: EntityDocument = { ...DEAL, name: 'incident', label: l };
    const d = buildOpenApi(buildModel([DEAL, incident], 3), '0.1.0') as {
      components: { schemas: Record<string, Schema> };
    };
    expect(d.components.schemas.Incident.required).toContain('instanceId');
    expect(d.components.schemas.IncidentRecord.properties).toHaveProperty('title');
  });
});

/** Every route NestJS registers for a controller: its method and its path as OpenAPI writes it. */
function routesOf(controller: Type): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
  const proto = controller.prototype as Record<string, unknown>;
  // handlers a controller inherits are routes too
  const names = new Set<string>();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as typeof proto)
    Object.getOwnPropertyNames(p).forEach((n) => names.add(n));
  return [...names].flatMap((name) => {
    const handler = proto[name];
    if (name === 'constructor' || typeof handler !== 'function') return [];
    const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (path === undefined || method === undefined) return [];
    return [path].flat().map((p) => {
      const full = `/${base}/${p}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      return `${RequestMethod[method].toLowerCase()} ${full.replace(/:(\w+)/g, '{$1}')}`;
    });
  });
}

describe('buildOpenApi: every route the server registers', () => {
  const controllers = AppModule.forRoot({} as AppConfig, systemClock).controllers as Type[];
  // the record routes are documented per entity: /api/records/{entity}/... as /api/records/deal/...
  const routes = controllers
    .flatMap(routesOf)
    .map((r) => r.replace('/api/records/{entity}', '/api/records/deal'));

  it('finds the routes of every controller', () => {
    expect(controllers.length).toBe(20);
    expect(routes).toEqual(
      expect.arrayContaining([
        'post /api/workflow/deployments',
        'get /api/tasks',
        'post /api/tasks/{id}/complete',
        'get /api/workflow/cluster-variables/{scope}/{name}',
        'delete /api/admin/users/{id}/api-tokens/{tokenId}',
        'get /api/records/deal',
        'get /api/records/deal/{id}/shares',
        'post /api/records/deal/{id}/shares',
        'delete /api/records/deal/{id}/shares/{login}',
        'get /api/health',
        'get /api/health/ready',
        'get /api/users',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(60);
  });

  it('documents each of them with its method', () => {
    const documented = new Set(operations.map((o) => `${o.method} ${o.path}`));
    expect(routes.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('documents nothing the server does not answer', () => {
    expect([...new Set(routes)].sort()).toEqual(
      operations.map((o) => `${o.method} ${o.path}`).sort(),
    );
  });
});

/** Every value under `key` anywhere in `node`, with its JSON pointer. */
function collect(node: unknown, key: string, at = ''): Array<{ at: string; value: unknown }> {
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => {
    const here = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    return [...(k === key ? [{ at: here, value: v }] : []), ...collect(v, key, here)];
  });
}
const resolve = (d: Document, pointer: string): unknown =>
  pointer
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((n, p) => (n as Record<string, unknown> | undefined)?.[p], d);

// the document of one test entity, and the one of the shipped metadata/ (every entity and role)
const shipped = loadMetadataDir(path.join(__dirname, '../../../../metadata'), null);
it('reads the shipped metadata', () => {
  expect(shipped.errors).toEqual([]);
  expect(shipped.documents.length).toBeGreaterThan(10);
});
describe.each([
  ['one entity', doc],
  [
    'the shipped metadata',
    buildOpenApi(
      buildModel(
        shipped.documents.map((d) => d.doc),
        1,
      ),
      '0.1.0',
    ) as Document,
  ],
])('buildOpenApi: a structurally valid OpenAPI 3.1 document (%s)', (_name, doc) => {
  const operations = operationsOf(doc);

  it('resolves every $ref', () => {
    const refs = collect(doc, '$ref');
    expect(refs.length).toBeGreaterThan(50);
    for (const r of refs)
      expect({ at: r.at, target: typeof resolve(doc, String(r.value)) }).toEqual({
        at: r.at,
        target: 'object',
      });
  });

  it('gives every operation a unique operationId, valid responses and known tags', () => {
    const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
    const declared = (doc as unknown as { tags: Array<{ name: string }> }).tags.map((t) => t.name);
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[A-Za-z][\w.-]*$/.test(id))).toBe(true);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    for (const o of operations) {
      const at = `${o.method} ${o.path}`;
      expect({ at, method: METHODS.includes(o.method) }).toEqual({ at, method: true });
      expect(o.path.startsWith('/')).toBe(true);
      const statuses = Object.keys(o.op.responses);
      expect({ at, ok: statuses.some((c) => /^2\d\d$/.test(c)) }).toEqual({ at, ok: true });
      for (const [code, r] of Object.entries(o.op.responses)) {
        expect({ at, code, valid: /^[1-5]\d\d$/.test(code) }).toEqual({ at, code, valid: true });
        expect({ at, code, description: typeof r.description }).toEqual({
          at,
          code,
          description: 'string',
        });
        // errors answer the shared Error shape
        if (code >= '400')
          expect({ at, code, schema: r.content?.['application/json']?.schema }).toEqual({
            at,
            code,
            schema: { $ref: '#/components/schemas/Error' },
          });
      }
      if (o.op.requestBody) expect(Object.keys(o.op.requestBody.content).length).toBeGreaterThan(0);
      if (!o.path.startsWith('/api/records/'))
        for (const tag of o.op.tags ?? []) expect(declared).toContain(tag);
    }
  });

  it('declares each {param} of a path, required, and no path parameter it lacks', () => {
    for (const o of operations) {
      const at = `${o.method} ${o.path}`;
      const params = o.op.parameters ?? [];
      for (const p of params) {
        expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
        expect(p.schema).toBeDefined();
        if (p.in === 'path')
          expect({ at, name: p.name, required: p.required }).toEqual({
            at,
            name: p.name,
            required: true,
          });
      }
      const keys = params.map((p) => `${p.in}:${p.name}`);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
      const inTemplate = [...o.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declaredPath = params
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      expect({ at, params: declaredPath }).toEqual({ at, params: inTemplate });
    }
  });

  it('holds only valid JSON Schema 2020-12 whose references compile', () => {
    // OpenAPI 3.1 schemas are JSON Schema 2020-12: check each against the meta-schema and compile
    // it with the components it refers to
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const rebased = JSON.parse(
      JSON.stringify({ components: doc.components }).replace(
        /"#\/components\//g,
        '"openapi.json#/components/',
      ),
    ) as Record<string, unknown>;
    ajv.addSchema({ $id: 'openapi.json', ...rebased });
    const schemas = [
      ...collect(doc.paths, 'schema'),
      ...Object.entries(doc.components as unknown as { schemas: Record<string, unknown> })
        .filter(([k]) => k === 'schemas')
        .flatMap(([, v]) =>
          Object.entries(v as object).map(([name, value]) => ({ at: name, value })),
        ),
    ];
    expect(schemas.length).toBeGreaterThan(150);
    for (const { at, value } of schemas) {
      const valid = ajv.validateSchema(value as object);
      expect({ at, errors: valid ? null : ajv.errors }).toEqual({ at, errors: null });
      const local = JSON.parse(
        JSON.stringify(value).replace(/"#\/components\//g, '"openapi.json#/components/'),
      ) as object;
      expect(() => ajv.compile(local)).not.toThrow();
    }
  });
});
