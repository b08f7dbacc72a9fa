import { scryptSync } from 'node:crypto';
import * as http from 'node:http';
import { DB, type Db } from '@crm/common';
import { Lifecycle } from '../../apps/server/src/controllers/health.controller';
import {
  ADMIN_PASSWORD,
  DIALECTS,
  type TestServer,
  bpmn,
  eventually,
  q,
  startServer,
} from './support/harness';

/**
 * Attacks on the server's limits rather than on its data: oversized or unauthorised uploads,
 * patterns that backtrack, requests that would hold the database, inputs past what a column or a
 * parser can hold. Each class answers a precise 4xx (or 503) at once and leaves other users served.
 */
const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  code: { type: autoNumber, label: { zh-CN: 编号, en: Code }, codeRule: "SJ-{seq:4}" }
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  note: { type: longText, label: { zh-CN: 备注, en: Note } }
  contract: { type: file, label: { zh-CN: 合同, en: Contract } }
  extra: { type: json, label: { zh-CN: 扩展, en: Extra } }
`;
const ACCOUNT = `
kind: entity
name: account
label: { zh-CN: 客户, en: Account }
displayField: name
fields:
  name: { type: text, label: { zh-CN: 名称, en: Name }, required: true, unique: true }
  secret: { type: text, label: { zh-CN: 机密, en: Secret } }
`;
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const ROLES = {
  'roles/rep.yaml': `
kind: role
name: rep
label: ${label('Rep')}
rules:
  - { action: [read, create, update], subject: [account, deal], conditions: { owner: $me } }
`,
  'roles/reader.yaml': `
kind: role
name: reader
label: ${label('Reader')}
rules:
  - { action: read, subject: deal }
`,
};
const PASSWORD = 'limits-password-1';
const MAX_FILE_BYTES = 256 * 1024;

interface RawAnswer {
  status: number;
  body: { code?: string; errors?: Array<{ path: string }> };
  /** Bytes of the body the client had written when the answer came. */
  sent: number;
}

/**
 * A POST announcing `declared` bytes (or chunked when null) that sends `chunk` every few ms until
 * the server answers or `total` bytes went out: shows whether the server answers before reading.
 */
function rawPost(
  url: string,
  headers: Record<string, string>,
  declared: number | null,
  total: number,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    let sent = 0;
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        headers: { ...headers, ...(declared === null ? {} : { 'content-length': declared }) },
      },
      (res) => {
        clearInterval(timer);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}'), sent });
        });
      },
    );
    let answered = false;
    // a server waiting for the rest of the body never answers: fail instead of hanging
    const noAnswer = setTimeout(() => {
      clearInterval(timer);
      req.destroy();
      reject(new Error(`no answer after ${sent} bytes: the server waits for the body`));
    }, 10_000);
    req.on('response', () => {
      answered = true;
      clearTimeout(noAnswer);
    });
    req.on('error', (e) => {
      clearInterval(timer);
      // the server closes the connection right after answering, while the client still writes
      const code = (e as { code?: string }).code;
      if (code !== 'ECONNRESET' && code !== 'EPIPE') reject(e);
      else
        setTimeout(
          () => answered || reject(new Error(`connection closed unanswered (${code})`)),
          2000,
        );
    });
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const timer: NodeJS.Timeout = setInterval(() => {
      if (sent >= total) {
        clearInterval(timer);
        // a client that stops writing: an answer must not wait for the rest of the body
        return;
      }
      req.write(chunk);
      sent += chunk.length;
    }, 2);
  });
}

describe.each(DIALECTS)('limits on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  const as = (login: string) => ({ authorization: `Bearer ${token.get(login)}` });
  const login = async (name: string, password = PASSWORD) =>
    (await s.api('POST', '/api/auth/login', { login: name, password }, { 'x-no-auth': '1' })).body
      .accessToken as string;

  beforeAll(async () => {
    s = await startServer(
      dialect,
      { 'deal.yaml': DEAL, 'account.yaml': ACCOUNT, ...ROLES },
      { MAX_FILE_BYTES: String(MAX_FILE_BYTES), HEAVY_REQUESTS_PER_USER: '1' },
    );
    token.set('admin', await login('admin', ADMIN_PASSWORD));
    for (const [name, roles] of [
      ['norole', []],
      ['reader', ['reader']],
      ['rep', ['rep']],
    ] as const) {
      const r = await s.api(
        'POST',
        '/api/admin/users',
        { login: name, password: PASSWORD, roles, locale: 'en' },
        as('admin'),
      );
      expect(r.status).toBe(201);
      token.set(name, await login(name));
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('hygiene', () => {
    it('a password hashed with the old scrypt cost is rehashed with the current one at login', async () => {
      const db = s.app.get<Db>(DB);
      const salt = Buffer.from('0123456789abcdef');
      const key = scryptSync(PASSWORD, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 << 20 });
      const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), key.toString('base64')].join(
        '$',
      );
      await db.execute('UPDATE crm_user SET password_hash = ? WHERE login = ?', [old, 'reader']);
      expect(await login('reader')).toEqual(expect.any(String));
      const [row] = await db.query<{ password_hash: string }>(
        'SELECT password_hash FROM crm_user WHERE login = ?',
        ['reader'],
      );
      expect(row.password_hash.split('$').slice(0, 4)).toEqual(['scrypt', '32768', '8', '3']);
      token.set('reader', await login('reader'));
    });

    it('health: live and ready are public; ready says 503 NOT_READY while shutting down', async () => {
      const live = await s.api('GET', '/api/health/live', undefined, { 'x-no-auth': '1' });
      expect(live).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await s.api('GET', '/api/health/ready', undefined, { 'x-no-auth': '1' });
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        info: {
          database: { status: 'up' },
          metadata: { status: 'up' },
          lifecycle: { status: 'up' },
        },
      });
      const lifecycle = s.app.get(Lifecycle);
      lifecycle.shuttingDown = true;
      try {
        const draining = await s.api('GET', '/api/health/ready', undefined, { 'x-no-auth': '1' });
        expect(draining.status).toBe(503);
        expect(draining.body).toMatchObject({
          code: 'NOT_READY',
          errors: [{ path: 'lifecycle', message: 'shutting down' }],
        });
      } finally {
        lifecycle.shuttingDown = false;
      }
    });

    it('health names the node (host and pid) only to an admin', async () => {
      const anonymous = await s.api('GET', '/api/health', undefined, { 'x-no-auth': '1' });
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.jobs).toEqual({ executed: expect.any(Number) });
      expect(JSON.stringify(anonymous.body)).not.toContain(String(process.pid));
      const rep = await s.api('GET', '/api/health', undefined, as('reader'));
      expect(rep.body.jobs).not.toHaveProperty('node');
      const admin = await s.api('GET', '/api/health', undefined, as('admin'));
      expect(admin.body.jobs.node).toContain(`:${process.pid}:`);
    });

    it("every answer carries a request id (the caller's X-Request-Id when it gives a sane one)", async () => {
      const own = await s.api('GET', '/api/health/live', undefined, {
        'x-no-auth': '1',
        'x-request-id': 'lb-42',
      });
      expect(own.headers.get('x-request-id')).toBe('lb-42');
      const fresh = await s.api('GET', '/api/records/nope', undefined, as('admin'));
      expect(fresh.status).toBe(404);
      expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('TRUST_PROXY makes rate limits and the audit see the client address behind a proxy', async () => {
      const failFrom = async (forwarded: string) => {
        await s.api(
          'POST',
          '/api/auth/login',
          { login: 'ghost2', password: 'nope-nope-1' },
          { 'x-no-auth': '1', 'x-forwarded-for': forwarded },
        );
        const audit = await s.api(
          'GET',
          '/api/admin/audit?outcome=failed&limit=1',
          undefined,
          as('admin'),
        );
        return audit.body.data[0].detail.address as string;
      };
      expect(await failFrom('203.0.113.7')).not.toBe('203.0.113.7');
      await s.restart({ TRUST_PROXY: 'loopback' });
      try {
        token.set('admin', await login('admin', ADMIN_PASSWORD));
        expect(await failFrom('203.0.113.7')).toBe('203.0.113.7');
      } finally {
        await s.restart();
        token.set('admin', await login('admin', ADMIN_PASSWORD));
      }
    });

    it('failed-login rows older than the rate-limit window are pruned', async () => {
      const db = s.app.get<Db>(DB);
      const long = new Date(s.clock.now().getTime() - 2 * 900_000).toISOString();
      const at = long.replace('T', ' ').replace('Z', '');
      for (let i = 0; i < 5; i++)
        await db.execute('INSERT INTO crm_login_attempt (attempt_key, at) VALUES (?, ?)', [
          `user:old${i}`,
          at,
        ]);
      const bad = await s.api(
        'POST',
        '/api/auth/login',
        { login: 'ghost', password: 'nope-nope-1' },
        { 'x-no-auth': '1' },
      );
      expect(bad.status).toBe(401);
      const left = await db.query<{ attempt_key: string }>(
        'SELECT attempt_key FROM crm_login_attempt',
      );
      expect(left.map((r) => r.attempt_key).filter((k) => k.startsWith('user:old'))).toEqual([]);
      expect(left.map((r) => r.attempt_key)).toContain('user:ghost');
    });
  });

  describe('attacks: query parameters', () => {
    it.each([
      ['a search parameter the list does not have', '/api/records/deal?q=acme', ['q']],
      ['a typo of a real one', '/api/records/deal?limt=1&sort=title', ['limt']],
      ['parameters on a route that takes none', '/api/auth/me?debug=1', ['debug']],
      [
        'an unknown one beside a known one on a task list',
        '/api/tasks?state=created&owner=x',
        ['owner'],
      ],
    ])('%s is refused with 400 naming it, not ignored', async (_name, path, names) => {
      const r = await s.api('GET', path, undefined, as('admin'));
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('QUERY_INVALID');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(names);
      expect(r.body.data).toBeUndefined();
    });

    it('fields= may name system fields, which are always returned', async () => {
      const d = await s.api('POST', '/api/records/deal', { title: 'sys', note: 'n' }, as('admin'));
      const r = await s.api(
        'GET',
        `/api/records/deal/${d.body.id}?fields=id,owner`,
        undefined,
        as('admin'),
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: d.body.id, owner: 'admin' });
      expect(r.body).not.toHaveProperty('note');
      const list = await s.api(
        'GET',
        '/api/records/deal?fields=id,owner,title&limit=1',
        undefined,
        as('admin'),
      );
      expect(list.status).toBe(200);
      expect(Object.keys(list.body.data[0])).toEqual(
        expect.arrayContaining(['id', 'owner', 'title']),
      );
      expect(list.body.data[0]).not.toHaveProperty('note');
    });
  });

  describe('attacks: existence oracles', () => {
    it('a unique value held by a hidden record answers 409 with nothing of that record', async () => {
      const hidden = await s.api(
        'POST',
        '/api/records/account',
        { name: 'Hidden Co', secret: 'top secret 4711' },
        as('admin'),
      );
      expect(hidden.status).toBe(201);
      const r = await s.api('POST', '/api/records/account', { name: 'Hidden Co' }, as('rep'));
      // the documented rule: a unique constraint tells that the value is taken, nothing more
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('UNIQUE_VIOLATION');
      expect(r.body).not.toHaveProperty('current');
      const text = JSON.stringify(r.body);
      expect(text).not.toContain('4711');
      expect(text).not.toContain(`${hidden.body.id}`);
      expect(text).not.toContain('admin');
    });

    it('sharing with a login that does not exist answers exactly like sharing with one that does', async () => {
      const own = await s.api('POST', '/api/records/account', { name: 'Rep Co' }, as('rep'));
      expect(own.status).toBe(201);
      const share = (login: string) =>
        s.api('POST', `/api/records/account/${own.body.id}/shares`, { login }, as('rep'));
      const known = await share('reader');
      const unknown = await share('nobody-here');
      expect([known.status, unknown.status]).toEqual([204, 204]);
      expect(unknown.body).toEqual(known.body);
      // and nothing was stored for the unknown login
      const db = s.app.get<Db>(DB);
      const rows = await db.query(
        'SELECT login FROM crm_record_share WHERE record_id = ? AND entity = ?',
        [own.body.id, 'account'],
      );
      expect(rows).toEqual([{ login: 'reader' }]);
    });
  });

  describe('attacks: uploads', () => {
    // Each body announces just under MAX_FILE_BYTES and the client sends only its first 64 KB:
    // a server that reads before checking never answers; one that checks first answers at once.
    const uploads: Array<[string, string, string]> = [
      ['a file upload', '/api/files', 'multipart/form-data; boundary=x'],
      ['a BPMN deployment', '/api/workflow/deployments', 'application/xml'],
      ['a CSV import', '/api/records/deal/import', 'text/csv'],
      ['a JSON import', '/api/records/deal/import', 'application/json'],
    ];

    it.each(uploads)(
      '%s by a user without the right is refused before its body is read',
      async (_name, path, type) => {
        for (const who of ['norole', 'reader']) {
          const r = await rawPost(
            `${s.url}${path}`,
            { ...as(who), 'content-type': type },
            MAX_FILE_BYTES - 1024,
            64 * 1024,
          );
          expect(r.status).toBe(403);
          expect(r.body.code).toBe('FORBIDDEN');
          expect(r.sent).toBeLessThan(MAX_FILE_BYTES - 1024);
        }
      },
    );

    it.each(uploads)(
      '%s announcing more than MAX_FILE_BYTES is refused with 413 before it is read',
      async (_name, path, type) => {
        const r = await rawPost(
          `${s.url}${path}`,
          { ...as('admin'), 'content-type': type },
          50 * 1024 * 1024,
          64 * 1024,
        );
        expect(r.status).toBe(413);
        expect(r.body.code).toBe('FILE_TOO_LARGE');
      },
    );

    it.each(uploads.filter(([, , type]) => !type.startsWith('multipart')))(
      '%s sent chunked (no length) is cut off with 413 once it passes MAX_FILE_BYTES',
      async (_name, path, type) => {
        const r = await rawPost(
          `${s.url}${path}`,
          { ...as('admin'), 'content-type': type },
          null,
          4 * MAX_FILE_BYTES,
        );
        expect(r.status).toBe(413);
        expect(r.body.code).toBe('FILE_TOO_LARGE');
        expect(r.sent).toBeLessThan(4 * MAX_FILE_BYTES);
      },
    );

    it('a multipart file larger than MAX_FILE_BYTES is refused with 413', async () => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(MAX_FILE_BYTES + 1, 'x')]), 'big.bin');
      const r = await fetch(`${s.url}/api/files`, {
        method: 'POST',
        body: form,
        headers: as('admin'),
      });
      expect(r.status).toBe(413);
      expect(((await r.json()) as { code: string }).code).toBe('FILE_TOO_LARGE');
    });

    it('uploads within the limit still work: a file, a deployment, an import', async () => {
      const form = new FormData();
      form.append('file', new Blob(['%PDF-1.4 ok'], { type: 'application/pdf' }), 'c.pdf');
      const up = await fetch(`${s.url}/api/files`, {
        method: 'POST',
        body: form,
        headers: as('admin'),
      });
      expect(up.status).toBe(201);
      const dep = await fetch(`${s.url}/api/workflow/deployments`, {
        method: 'POST',
        headers: { ...as('admin'), 'content-type': 'application/xml' },
        body: bpmn(
          '<bpmn:process id="p_limits" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>',
        ),
      });
      expect(dep.status).toBe(201);
      const csv = await fetch(`${s.url}/api/records/deal/import?dryRun=true`, {
        method: 'POST',
        headers: { ...as('admin'), 'content-type': 'text/csv' },
        body: 'title\nx\n',
      });
      expect(csv.status).toBe(200);
      const json = await fetch(`${s.url}/api/records/deal/import?dryRun=true`, {
        method: 'POST',
        headers: { ...as('admin'), 'content-type': 'application/json' },
        body: JSON.stringify([{ title: 'y' }]),
      });
      expect(json.status).toBe(200);
      expect(((await json.json()) as { valid: number }).valid).toBe(1);
    });
  });

  describe('attacks: inputs past what the server holds', () => {
    const deploy = (xml: string) =>
      s.api('POST', '/api/workflow/deployments', xml, {
        ...as('admin'),
        'content-type': 'application/xml',
      });

    /** JSON text nested `n` deep (built as text: JSON.stringify itself recurses). */
    const nested = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

    it('30,000 Chinese characters in a longText (90,000 bytes: its column holds 65,535) are a 400', async () => {
      const r = await s.api(
        'POST',
        '/api/records/deal',
        { title: 'cjk', note: '汉'.repeat(30_000) },
        as('admin'),
      );
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('RECORD_INVALID');
      expect(r.body.errors).toEqual([
        expect.objectContaining({ path: '/note', message: expect.stringContaining('65535 bytes') }),
      ]);
      const fits = await s.api(
        'POST',
        '/api/records/deal',
        { title: 'cjk', note: '汉'.repeat(21_845) },
        as('admin'),
      );
      expect(fits.status).toBe(201);
      expect(fits.body.note).toHaveLength(21_845);
    });

    it.each([
      [
        'a record with JSON',
        '/api/records/deal',
        (deep: string) => `{"title":"deep","extra":${deep}}`,
        '/extra/a/a',
      ],
      [
        'process variables',
        '/api/workflow/instances',
        (deep: string) => `{"processKey":"p_limits","variables":{"v":${deep}}}`,
        '/variables/v/a',
      ],
    ])('%s nested 5,000 deep are a 400 naming where', async (_name, path, body, prefix) => {
      const r = await s.api('POST', path, body(nested(5000)), as('admin'));
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('BAD_REQUEST');
      expect(r.body.errors[0].path.startsWith(prefix)).toBe(true);
      expect(r.body.message).toContain('deeper than 64 levels');
    });

    it('of concurrent restores of one record exactly one succeeds; the others answer 409', async () => {
      const d = (await s.api('POST', '/api/records/deal', { title: 'restore me' }, as('admin')))
        .body;
      await s.api(
        'DELETE',
        `/api/records/deal/${d.id}?version=${d.version}`,
        undefined,
        as('admin'),
      );
      const rs = await Promise.all(
        Array.from({ length: 6 }, () =>
          s.api('POST', `/api/records/deal/${d.id}/restore`, undefined, as('admin')),
        ),
      );
      expect(rs.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
      for (const r of rs.filter((x) => x.status === 409))
        expect(r.body.code).toBe('VERSION_CONFLICT');
      const history = await s.api(
        'GET',
        `/api/records/deal/${d.id}/history`,
        undefined,
        as('admin'),
      );
      const restores = history.body.data.filter((h: { action?: string; op?: string }) =>
        [h.action, h.op].includes('restore'),
      );
      expect(restores).toHaveLength(1);
    });

    it.each([
      [
        'a timer cycle of a millisecond (would start ~190 instances a second)',
        '<bpmn:process id="p_fast" isExecutable="true"><bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT0.001S</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent></bpmn:process>',
        'tick',
        'fires every 1 ms; the shortest allowed is 60000 ms',
      ],
      [
        'a 5,000-character process id',
        `<bpmn:process id="${'p'.repeat(5000)}" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>`,
        `${'p'.repeat(40)}…`,
        'a process id is at most 191 characters',
      ],
    ])('%s is refused at deploy with the element', async (_name, body, elementId, message) => {
      const r = await deploy(bpmn(body));
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('BPMN_INVALID');
      expect(r.body.errors).toEqual([
        expect.objectContaining({ elementId, message: expect.stringContaining(message) }),
      ]);
    });
  });

  describe('attacks: holding the database', () => {
    const ROWS = 30_000;
    beforeAll(async () => {
      // 30,000 deals with a 1 KB note each, written straight into the table
      const db = s.app.get<Db>(DB);
      const now = "'2026-03-15 08:00:00'";
      const note =
        dialect === 'mysql' ? "REPEAT('n', 1000)" : 'substr(hex(zeroblob(500)), 1, 1000)';
      const title = dialect === 'mysql' ? "CONCAT('deal ', i)" : "'deal ' || i";
      // ten digits crossed five times (MariaDB caps recursive CTEs at 1,000 iterations)
      const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        .map((d) => `SELECT ${d} AS i`)
        .join(' UNION ALL ');
      await db.execute(
        `INSERT INTO e_deal (title, note, owner, created_at, updated_at, version) WITH d AS (${digits}), n AS (SELECT a.i + 10 * b.i + 100 * c.i + 1000 * e.i + 10000 * f.i AS i FROM d a, d b, d c, d e, d f) SELECT ${title}, ${note}, 'admin', ${now}, ${now}, 1 FROM n WHERE i < ${ROWS}`,
      );
    });

    it('the owner column every "own records" condition filters on is indexed', async () => {
      const db = s.app.get<Db>(DB);
      const indexed =
        dialect === 'mysql'
          ? await db.query<{ Key_name: string }>(
              "SHOW INDEX FROM e_deal WHERE Column_name = 'owner'",
            )
          : await db.query<{ name: string }>(
              "SELECT il.name FROM pragma_index_list('e_deal') il, pragma_index_info(il.name) ii WHERE ii.name = 'owner'",
            );
      expect(indexed).toHaveLength(1);
    });

    it('a filter with more than 50 conditions is refused with its pointer', async () => {
      const filter = {
        or: Array.from({ length: 180 }, (_, i) => ({ note: { contains: `z${i}` } })),
      };
      const r = await s.api(
        'GET',
        `/api/records/deal?count=true&filter=${q(filter)}`,
        undefined,
        as('admin'),
      );
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('FILTER_INVALID');
      expect(r.body.errors[0].path).toBe('/filter/or/50/note/contains');
    });

    it('a date beyond what the database holds is refused instead of matching every row', async () => {
      const filter = { createdAt: { lt: '+275760-09-13T00:00:00.000Z' } };
      const r = await s.api(
        'GET',
        `/api/records/deal?count=true&filter=${q(filter)}`,
        undefined,
        as('admin'),
      );
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('FILTER_INVALID');
      expect(r.body.errors[0].path).toBe('/filter/createdAt/lt');
    });

    it('a list that runs past QUERY_TIMEOUT_MS is stopped with 503 QUERY_TIMEOUT, and the server serves on', async () => {
      const [{ first }] = await s.app
        .get<Db>(DB)
        .query<{ first: number }>('SELECT MIN(id) AS first FROM e_deal');
      await s.restart({ QUERY_TIMEOUT_MS: '5' });
      token.set('admin', await login('admin', ADMIN_PASSWORD));
      try {
        // 50 unindexable contains over 30,000 notes of 1 KB, counted: far longer than 5 ms
        const filter = {
          or: Array.from({ length: 50 }, (_, i) => ({ note: { contains: `z${i}` } })),
        };
        const r = await s.api(
          'GET',
          `/api/records/deal?count=true&filter=${q(filter)}`,
          undefined,
          as('admin'),
        );
        expect(r.status).toBe(503);
        expect(r.body.code).toBe('QUERY_TIMEOUT');
        expect(r.body.errors[0].path).toBe('filter');
        const light = await s.api(
          'GET',
          `/api/records/deal?limit=1&filter=${q({ id: first })}`,
          undefined,
          as('admin'),
        );
        expect(light.status).toBe(200);
        expect(light.body.data).toHaveLength(1);
      } finally {
        await s.restart();
        token.set('admin', await login('admin', ADMIN_PASSWORD));
      }
    });

    it('one user gets HEAVY_REQUESTS_PER_USER lists or exports at once (429 beyond); others are served', async () => {
      // an export the client stops reading holds its slot: 30 MB cannot fit in socket buffers
      const u = new URL(`${s.url}/api/records/deal/export?format=json`);
      let held: http.ClientRequest | undefined;
      const opened = await new Promise<http.IncomingMessage>((resolve, reject) => {
        held = http.get(
          { host: u.hostname, port: u.port, path: u.pathname + u.search, headers: as('admin') },
          (res) => {
            res.pause();
            resolve(res);
          },
        );
        held.on('error', reject);
      });
      try {
        expect(opened.statusCode).toBe(200);
        const list = await s.api('GET', '/api/records/deal?limit=1', undefined, as('admin'));
        expect(list.status).toBe(429);
        expect(list.body.code).toBe('TOO_MANY_REQUESTS');
        expect(list.headers.get('retry-after')).toBe('1');
        const other = await s.api('GET', '/api/records/deal?limit=1', undefined, as('reader'));
        expect(other.status).toBe(200);
      } finally {
        held?.destroy();
      }
      // the slot is given back when the export ends (here: the client went away)
      await eventually(async () => {
        const again = await s.api('GET', '/api/records/deal?limit=1', undefined, as('admin'));
        expect(again.status).toBe(200);
      });
    });
  });

  if (dialect === 'mysql')
    it('a server that refuses to start (bad metadata) leaves no MySQL database behind', async () => {
      const ours = async () => {
        const db = s.app.get<Db>(DB);
        const rows = await db.query<Record<string, string>>(
          `SHOW DATABASES LIKE 'crm\\_e2e\\_${process.pid}\\_%'`,
        );
        return rows.map((r) => Object.values(r)[0]).sort();
      };
      const before = await ours();
      await expect(
        startServer(dialect, { 'deal.yaml': DEAL.replace('type: longText', 'type: novel') }),
      ).rejects.toMatchObject({ code: 'METADATA_INVALID' });
      expect(await ours()).toEqual(before);
    });

  // MySQL only: SQLite has one writer, so any import waits for another writing transaction
  if (dialect === 'mysql')
    it('a dry-run import takes no auto-numbers: it runs while another transaction holds the counter', async () => {
      const first = await s.api('POST', '/api/records/deal', { title: 'numbered' }, as('admin'));
      expect(first.status).toBe(201);
      const u = new URL(s.config.databaseUrl);
      const mysql = await import('mysql2/promise');
      const conn = await mysql.createConnection({
        host: u.hostname,
        port: Number(u.port || 3306),
        user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password),
        database: u.pathname.slice(1),
      });
      try {
        // a create numbering right now holds this row until it commits
        await conn.query('SET SESSION innodb_lock_wait_timeout = 30');
        await conn.beginTransaction();
        await conn.query("SELECT * FROM crm_sequence WHERE seq_key LIKE 'deal.code%' FOR UPDATE");
        const csv = `title\n${Array.from({ length: 50 }, (_, i) => `dry ${i}`).join('\n')}\n`;
        const r = await fetch(`${s.url}/api/records/deal/import?dryRun=true`, {
          method: 'POST',
          headers: { ...as('admin'), 'content-type': 'text/csv' },
          body: csv,
          // the old dry run waited for the lock (30 s here): give up long before
          signal: AbortSignal.timeout(10_000),
        });
        expect(r.status).toBe(200);
        expect(await r.json()).toMatchObject({ created: 0, dryRun: true, valid: 50 });
        await conn.rollback();
      } finally {
        await conn.end();
      }
      // the dry run's 50 rows took no numbers: the next create gets the one after the first's
      const next = await s.api('POST', '/api/records/deal', { title: 'numbered 2' }, as('admin'));
      const seq = (code: string) => Number(code.slice('SJ-'.length));
      expect(seq(next.body.code)).toBe(seq(first.body.code) + 1);
    });
});
