import { DIALECTS, type TestServer, startServer } from './support/harness';
import { BASE_FILES } from './support/fixtures';

/**
 * One rule for unique text on both dialects (MySQL's utf8mb4_unicode_ci ignores case and trailing
 * spaces; SQLite compared bytes): a unique value is stored trimmed and compared without letter
 * case, so "Acme", "ACME" and "Acme " are one name everywhere.
 */
describe.each(DIALECTS)('unique text values on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(dialect, BASE_FILES);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('treats values differing only in case or surrounding spaces as the same value', async () => {
    const first = await s.api('POST', '/api/records/account', { name: 'Acme Trading' });
    expect(first.status).toBe(201);
    for (const name of ['ACME TRADING', 'acme trading', 'Acme Trading ', ' Acme Trading']) {
      const dup = await s.api('POST', '/api/records/account', { name });
      expect({ name, status: dup.status, code: dup.body.code }).toEqual({
        name,
        status: 409,
        code: 'UNIQUE_VIOLATION',
      });
    }
    const spaced = await s.api('POST', '/api/records/account', { name: '  Beta Ltd  ' });
    expect(spaced.status).toBe(201);
    expect(spaced.body.name).toBe('Beta Ltd');
    // a different value is still a different value
    expect((await s.api('POST', '/api/records/account', { name: 'Acme Trading 2' })).status).toBe(
      201,
    );
    // updates follow the same rule
    const upd = await s.api('PATCH', `/api/records/account/${spaced.body.id}`, {
      version: spaced.body.version,
      name: 'acme TRADING',
    });
    expect(upd.status).toBe(409);
  });

  it('a new unique index over values that differ only in case is blocked at plan time', async () => {
    await s.api('POST', '/api/records/tag', { label: 'VIP' });
    await s.api('POST', '/api/records/tag', { label: 'vip' });
    const tag = (await s.api('GET', '/api/meta/documents/entity/tag')).body;
    tag.fields.label.unique = true;
    expect((await s.api('PUT', '/api/meta/documents/entity/tag', tag)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.body.blocked).toEqual([
      { id: 'addIndex:e_tag.ux_e_tag_label', reason: '1 value(s) occur more than once in label' },
    ]);
    const applied = await s.api('POST', '/api/meta/apply', { planHash: plan.body.hash });
    expect(applied.status).toBe(409);
    expect(applied.body.code).toBe('PLAN_BLOCKED');
    await s.api('DELETE', '/api/meta/draft');
  });
});
