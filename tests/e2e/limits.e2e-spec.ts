import * as http from 'node:http';
import { ADMIN_PASSWORD, DIALECTS, type TestServer, bpmn, startServer } from './support/harness';

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
`;
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const ROLES = {
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
      { 'deal.yaml': DEAL, ...ROLES },
      { MAX_FILE_BYTES: String(MAX_FILE_BYTES) },
    );
    token.set('admin', await login('admin', ADMIN_PASSWORD));
    for (const [name, roles] of [
      ['norole', []],
      ['reader', ['reader']],
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
});
