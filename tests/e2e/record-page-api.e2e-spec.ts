import { DIALECTS, type TestServer, USER_PASSWORD, startServer } from './support/harness';

/**
 * What the record page needs of the API: rich text is stored only as allow-listed HTML whatever
 * the write path; the people a record is shared with can be listed and revoked; and validation
 * errors carry their keyword and parameters, so the web app can word them in the user's language.
 */
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const NOTE = `
kind: entity
name: note
label: ${label('Note')}
displayField: title
fields:
  title: { type: text, label: ${label('Title')}, required: true, length: 20 }
  body: { type: richText, label: ${label('Body')} }
  email: { type: email, label: ${label('Email')} }
  site: { type: url, label: ${label('Site')} }
  code: { type: text, label: ${label('Code')}, unique: true }
  size: { type: integer, label: ${label('Size')}, min: 1, max: 9 }
  level:
    type: select
    label: ${label('Level')}
    options:
      - { value: low, label: ${label('Low')} }
      - { value: high, label: ${label('High')} }
`;
const ROLES = {
  'roles/rep.yaml': `
kind: role
name: rep
label: ${label('Rep')}
rules:
  - { action: [read, create, update], subject: note, conditions: { owner: $me } }
  - { action: read, subject: note, conditions: { $sharedWithMe: true } }
`,
  'roles/frozen.yaml': `
kind: role
name: frozen
label: ${label('Frozen')}
rules:
  - { action: read, subject: note }
  - { action: update, subject: note, conditions: { level: low } }
`,
};

const PAYLOAD =
  '<p onclick="steal()">Hi <b>there</b><script>window.pwned=1</script>' +
  '<img src="x" onerror="window.pwned=1"><a href="javascript:alert(1)">x</a>' +
  '<a href="https://example.com">ok</a></p><ul><li>one</li></ul>';
const CLEAN =
  '<p>Hi <b>there</b><a>x</a><a href="https://example.com">ok</a></p><ul><li>one</li></ul>';

describe.each(DIALECTS)('record page API on %s', (dialect) => {
  let s: TestServer;
  const as = (login: string) => ({ 'x-user': login });
  const user = async (login: string, displayName: string, roles: string[]) =>
    expect(
      (
        await s.api('POST', '/api/admin/users', {
          login,
          displayName,
          password: USER_PASSWORD,
          roles,
          locale: 'en',
        })
      ).status,
    ).toBe(201);

  beforeAll(async () => {
    s = await startServer(dialect, { 'note.yaml': NOTE, ...ROLES });
    await user('rep1', '张一', ['rep']);
    await user('rep2', '李二', ['rep']);
    await user('rep3', '王三', ['rep']);
    await user('viewer', '赵四', ['frozen']);
  });
  afterAll(async () => {
    await s?.close();
  });

  const note = async (values: Record<string, unknown>, login = 'rep1') => {
    const r = await s.api('POST', '/api/records/note', { title: 'n', ...values }, as(login));
    expect(r.status).toBe(201);
    return r.body as { id: number; version: number; body: string };
  };
  const stored = async (id: number) =>
    (await s.api('GET', `/api/records/note/${id}`)).body.body as string;

  describe('rich text', () => {
    it('create: scripts, event handlers and javascript: links are stripped before storing', async () => {
      const n = await note({ body: PAYLOAD });
      expect(n.body).toBe(CLEAN);
      expect(await stored(n.id)).toBe(CLEAN);
      // the history shows what was stored, not what was sent
      const h = (await s.api('GET', `/api/records/note/${n.id}/history`)).body;
      expect(JSON.stringify(h)).not.toContain('pwned');
    });

    it('update, bulk and import are cleaned alike', async () => {
      const n = await note({ body: '<p>x</p>' });
      const u = await s.api('PATCH', `/api/records/note/${n.id}`, {
        version: n.version,
        body: PAYLOAD,
      });
      expect(u.status).toBe(200);
      expect(await stored(n.id)).toBe(CLEAN);

      const b = await s.api('POST', '/api/records/note/bulk', {
        records: [{ title: 'bulk', body: PAYLOAD }],
      });
      expect(b.status).toBe(200);
      expect(await stored(b.body.data[0].id)).toBe(CLEAN);

      const csv = `title,body\nimported,"${PAYLOAD.replace(/"/g, '""')}"\n`;
      const i = await s.api('POST', '/api/records/note/import', csv, {
        'content-type': 'text/csv',
      });
      expect(i.status).toBe(200);
      const found = await s.api(
        'GET',
        `/api/records/note?filter=${encodeURIComponent(JSON.stringify({ title: 'imported' }))}`,
      );
      expect(found.body.data.map((r: { body: string }) => r.body)).toEqual([CLEAN]);
    });
  });

  describe('shares', () => {
    let id: number;
    beforeAll(async () => {
      id = (await note({ title: 'shared' })).id;
    });
    const list = (login: string, recordId = id) =>
      s.api('GET', `/api/records/note/${recordId}/shares`, undefined, as(login));

    it('the owner shares, the colleague then reads the record, the list names them', async () => {
      expect((await s.api('GET', `/api/records/note/${id}`, undefined, as('rep2'))).status).toBe(
        404,
      );
      const shared = await s.api(
        'POST',
        `/api/records/note/${id}/shares`,
        { login: 'rep2' },
        as('rep1'),
      );
      expect(shared.status).toBe(204);
      expect((await s.api('GET', `/api/records/note/${id}`, undefined, as('rep2'))).status).toBe(
        200,
      );
      const r = await list('rep1');
      expect(r).toMatchObject({
        status: 200,
        body: { data: [{ login: 'rep2', displayName: '李二' }] },
      });
      // whoever may read the record sees whom it is shared with
      expect((await list('rep2')).body.data).toEqual([{ login: 'rep2', displayName: '李二' }]);
    });

    it('revoking takes the record away again; revoking again (or a nobody) is 204 too', async () => {
      const del = (login: string, who = 'rep1') =>
        s.api('DELETE', `/api/records/note/${id}/shares/${login}`, undefined, as(who));
      expect((await del('rep2')).status).toBe(204);
      expect((await s.api('GET', `/api/records/note/${id}`, undefined, as('rep2'))).status).toBe(
        404,
      );
      expect((await list('rep1')).body.data).toEqual([]);
      const again = await del('rep2');
      const nobody = await del('no-such-user');
      expect([again.status, nobody.status]).toEqual([204, 204]);
      expect(nobody.body).toEqual(again.body);
    });

    it('the history records each share and revoke once, by whom (repeats and nobodies leave none)', async () => {
      // the two tests above shared with rep2, revoked, then revoked again and revoked a nobody
      const h = await s.api('GET', `/api/records/note/${id}/history`, undefined, as('rep1'));
      expect(h.status).toBe(200);
      const audit = (h.body.data as Array<{ action: string }>).filter((e) =>
        ['share', 'unshare'].includes(e.action),
      );
      expect(audit).toMatchObject([
        { action: 'share', actor: 'rep1', field: null, old: null, new: 'rep2' },
        { action: 'unshare', actor: 'rep1', field: null, old: 'rep2', new: null },
      ]);
      // sharing twice stores one share and one history row
      for (let i = 0; i < 2; i++)
        await s.api('POST', `/api/records/note/${id}/shares`, { login: 'rep3' }, as('rep1'));
      const again = await s.api('GET', `/api/records/note/${id}/history`, undefined, as('rep1'));
      const shares = (again.body.data as Array<{ action: string; new: unknown }>).filter(
        (e) => e.action === 'share' && e.new === 'rep3',
      );
      expect(shares).toHaveLength(1);
      await s.api('DELETE', `/api/records/note/${id}/shares/rep3`, undefined, as('rep1'));
    });

    it.each([
      ['GET the list of a record they cannot read', 'GET', '', 'rep3', 404, 'RECORD_NOT_FOUND'],
      ['DELETE on a record they cannot read', 'DELETE', '/rep2', 'rep3', 404, 'RECORD_NOT_FOUND'],
      ['DELETE by a reader who may not update it', 'DELETE', '/rep2', 'viewer', 403, 'FORBIDDEN'],
      ['POST by a reader who may not update it', 'POST', '', 'viewer', 403, 'FORBIDDEN'],
      ['DELETE with a malformed login', 'DELETE', '/a%20b', 'rep1', 400, 'BAD_REQUEST'],
    ])('%s', async (_t, method, suffix, login, status, code) => {
      const r = await s.api(
        method,
        `/api/records/note/${id}/shares${suffix}`,
        method === 'POST' ? { login: 'rep3' } : undefined,
        as(login),
      );
      expect(r).toMatchObject({ status, body: { code } });
    });

    it('a missing record and an unknown entity are 404', async () => {
      expect((await list('rep1', 999999)).body.code).toBe('RECORD_NOT_FOUND');
      const r = await s.api('GET', `/api/records/nope/1/shares`);
      expect(r).toMatchObject({ status: 404, body: { code: 'ENTITY_NOT_FOUND' } });
    });

    it('a reader who may not update the record still sees whom it is shared with', async () => {
      expect((await list('viewer')).status).toBe(200);
    });
  });

  describe('validation errors carry keyword and parameters', () => {
    it.each([
      [
        'missing required',
        { title: undefined },
        '/title',
        'required',
        { missingProperty: 'title' },
      ],
      ['too long', { title: 'x'.repeat(21) }, '/title', 'maxLength', { limit: 20 }],
      ['not an email', { email: 'nope' }, '/email', 'format', { format: 'email' }],
      ['not a url', { site: 'nope' }, '/site', 'format', { format: 'uri' }],
      ['below min', { size: 0 }, '/size', 'minimum', { limit: 1, comparison: '>=' }],
      ['above max', { size: 10 }, '/size', 'maximum', { limit: 9, comparison: '<=' }],
      [
        'not an option',
        { level: 'mid' },
        '/level',
        'enum',
        { allowedValues: ['low', 'high', null] },
      ],
    ])('%s', async (_t, values, path, reason, params) => {
      const r = await s.api('POST', '/api/records/note', { title: 'v', ...values });
      expect(r.status).toBe(400);
      expect(r.body.errors).toContainEqual(expect.objectContaining({ path, reason, params }));
    });

    it('a unique violation says unique on its field', async () => {
      await note({ code: 'U-1' });
      const r = await s.api('POST', '/api/records/note', { title: 'v', code: 'U-1' });
      expect(r).toMatchObject({
        status: 409,
        body: { code: 'UNIQUE_VIOLATION', errors: [{ path: '/code', reason: 'unique' }] },
      });
    });
  });
});
