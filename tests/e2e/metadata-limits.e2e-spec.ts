import { DIALECTS, type TestServer, startServer } from './support/harness';
import { BASE_FILES } from './support/fixtures';

/**
 * What the database would refuse is refused when the document is saved — every problem at once,
 * with pointers — never by a 500 half-way through an apply (MySQL commits each DDL statement).
 */
const l = (s: string) => ({ 'zh-CN': s, en: s });
const entity = (name: string, fields: Record<string, unknown>) => ({
  label: l(name),
  displayField: Object.keys(fields)[0],
  fields,
});
const texts = (count: number, length: number, prefix = 't') =>
  Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `${prefix}${i}`,
      { type: 'text', length, label: l(`${prefix}${i}`) },
    ]),
  );

describe.each(DIALECTS)('metadata the database would refuse, on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, BASE_FILES);
  });
  afterAll(async () => {
    await s?.close();
  });
  afterEach(async () => {
    await s.api('DELETE', '/api/meta/draft');
  });

  it('refuses field names that are system columns or each other in another case', async () => {
    const res = await s.api(
      'PUT',
      '/api/meta/documents/entity/clash',
      entity('clash', {
        title: { type: 'text', label: l('Title') },
        iD: { type: 'text', label: l('iD') },
        oWner: { type: 'text', label: l('oWner') },
        created_at: { type: 'text', label: l('created_at') },
        Title: { type: 'text', label: l('Title 2') },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('METADATA_INVALID');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/fields/Title',
      '/fields/created_at',
      '/fields/iD',
      '/fields/oWner',
    ]);
    expect(
      res.body.errors.find((e: { path: string }) => e.path === '/fields/iD').message,
    ).toContain('the system column "id"');
  });

  it('refuses an entity with more columns than the database allows, quickly', async () => {
    const started = Date.now();
    const res = await s.api(
      'PUT',
      '/api/meta/documents/entity/huge',
      entity('huge', texts(5000, 20)),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        path: '/fields',
        reason: 'columnCount',
        message: expect.stringContaining(
          dialect === 'mysql' ? "MySQL/InnoDB's 1,017" : "SQLite's 2,000",
        ),
      }),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses text lengths past MySQL’s row size, and applies what fits', async () => {
    // 70 × VARCHAR(255) in utf8mb4 = 71,540 bytes: over 65,535 on MySQL; SQLite has no such limit
    const wide = await s.api(
      'PUT',
      '/api/meta/documents/entity/wide',
      entity('wide', texts(70, 255)),
    );
    if (dialect === 'mysql') {
      expect(wide.status).toBe(400);
      expect(wide.body.errors).toEqual([
        expect.objectContaining({
          path: '/fields',
          reason: 'rowSize',
          message: expect.stringContaining('over its limit of 65,535'),
        }),
      ]);
    } else expect(wide.status).toBe(200);
    await s.api('DELETE', '/api/meta/draft');

    // 250 short texts stay in the page: past InnoDB's 8,126 bytes
    const many = await s.api(
      'PUT',
      '/api/meta/documents/entity/many',
      entity('many', texts(250, 10)),
    );
    expect(many.status).toBe(dialect === 'mysql' ? 400 : 200);
    if (dialect === 'mysql') expect(many.body.errors[0].message).toContain('8,126');
    await s.api('DELETE', '/api/meta/draft');

    // what fits is applied (the checks do not refuse what the database accepts)
    const fits = entity('fits', { ...texts(50, 255), ...texts(150, 10, 's') });
    expect((await s.api('PUT', '/api/meta/documents/entity/fits', fits)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.status).toBe(200);
    const applied = await s.api('POST', '/api/meta/apply', { planHash: plan.body.hash });
    expect(applied.status).toBe(200);
    expect((await s.api('POST', '/api/records/fits', { t0: 'x'.repeat(255) })).status).toBe(201);
  });

  it('a PUT reports every error at once, an unknown relation target included', async () => {
    const res = await s.api(
      'PUT',
      '/api/meta/documents/entity/order',
      entity('order', {
        title: { type: 'text', label: l('Title'), length: -1 },
        customer: {
          type: 'relation',
          relation: 'manyToOne',
          target: 'nosuch',
          label: l('Customer'),
        },
        iD: { type: 'integer', label: l('iD') },
      }),
    );
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/fields/title/length', '/fields/customer/target', '/fields/iD']),
    );
  });
});
