import { type TestServer, startServer } from './support/harness';
import { BASE_FILES } from './support/fixtures';

/** Waits for a condition another node brings about (its metadata poll), without a fixed sleep. */
async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('two server nodes on one MySQL database', () => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startServer('mysql', BASE_FILES, { META_POLL_MS: '50' });
    b = await startServer('mysql', {}, { META_POLL_MS: '50' }, a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('the second node starts on the applied metadata without applying it again', async () => {
    expect((await b.api('GET', '/api/meta/revisions')).body.data).toHaveLength(1);
    const created = await a.api('POST', '/api/records/account', { name: 'Seen by both' });
    expect((await b.api('GET', `/api/records/account/${created.body.id}`)).body.name).toBe(
      'Seen by both',
    );
  });

  it('metadata applied on one node is served by the other', async () => {
    const doc = (await a.api('GET', '/api/meta/documents/entity/tag')).body;
    doc.fields.colour = { type: 'text', label: { 'zh-CN': '颜色', en: 'Colour' }, default: 'blue' };
    await a.api('PUT', '/api/meta/documents/entity/tag', doc);
    const applied = await a.api('POST', '/api/meta/apply', {});
    expect(applied.status).toBe(200);
    const health = await until(
      () => b.api('GET', '/api/health'),
      (r) => r.body.metadataRevision === applied.body.revision,
    );
    expect(health.body.metadataRevision).toBe(applied.body.revision);
    const created = await b.api('POST', '/api/records/tag', { label: 'via b' });
    expect(created.body.colour).toBe('blue');
  });

  it('concurrent applies on both nodes are serialised: the work is done once', async () => {
    const doc = (await a.api('GET', '/api/meta/documents/entity/tag')).body;
    doc.fields.size = { type: 'integer', label: { 'zh-CN': '大小', en: 'Size' } };
    await a.api('PUT', '/api/meta/documents/entity/tag', doc);
    const [ra, rb] = await Promise.all([
      a.api('POST', '/api/meta/apply', {}),
      b.api('POST', '/api/meta/apply', {}),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const all = [ra.body.changes, rb.body.changes].map((c: Array<{ id: string }>) =>
      c.map((x) => x.id),
    );
    // one node added the column, the other found nothing left to do
    expect(all.flat()).toEqual(['addColumn:e_tag.size']);
    const row = await until(
      () => b.api('POST', '/api/records/tag', { label: 'sized', size: 3 }),
      (r) => r.status === 201,
    );
    expect(row.body.size).toBe(3);
  });
});
