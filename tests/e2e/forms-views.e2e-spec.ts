import { DIALECTS, type TestServer, startServer } from './support/harness';
import { BASE_FILES } from './support/fixtures';

/**
 * `form` and `view` documents (issue 10): they go through draft → plan → apply like every
 * document, a bad one is refused with pointers into it, and the entity description the web app
 * reads (`GET /api/meta/entities`) carries the entity's own layout, or a derived one.
 */
const DEAL_FORM = {
  kind: 'form',
  name: 'deal',
  sections: [
    {
      title: { 'zh-CN': '基本信息', en: 'General' },
      columns: 2,
      fields: ['number', 'title', 'stage', 'account'],
    },
    { title: { 'zh-CN': '金额', en: 'Amounts' }, fields: ['amount', 'probability'] },
  ],
  readOnly: ['probability'],
  hidden: ['website'],
  widgets: { notes: 'textarea', stage: 'radio' },
};

const DEAL_VIEW = {
  kind: 'view',
  name: 'deal',
  columns: ['number', 'title', 'stage', 'amount', 'account', 'owner'],
  filter: { stage: { ne: 'lost' } },
  sort: [{ field: 'closeDate', order: 'desc' }],
  groupBy: 'stage',
  kanban: 'stage',
  pageSize: 25,
};

describe.each(DIALECTS)('form and view documents on %s', (dialect) => {
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

  const entity = async (name: string) =>
    (await s.api('GET', '/api/meta/entities')).body.data.find(
      (e: { name: string }) => e.name === name,
    );

  it('an entity without documents is described with a derived form and view', async () => {
    const deal = await entity('deal');
    expect(deal.form).toEqual({
      kind: 'form',
      name: 'deal',
      entity: 'deal',
      // every field in document order but the json one, which forms never edit
      sections: [{ columns: 2, fields: expect.not.arrayContaining(['extra']) }],
    });
    expect(deal.form.sections[0].fields[0]).toBe('number');
    expect(deal.view).toMatchObject({ kind: 'view', name: 'deal', pageSize: 50 });
    expect(deal.view.columns[0]).toBe('title'); // the display field first
  });

  it('goes through draft → plan → apply, is versioned, and lands in the entity description', async () => {
    for (const doc of [DEAL_FORM, DEAL_VIEW])
      expect((await s.api('PUT', `/api/meta/documents/${doc.kind}/deal`, doc)).status).toBe(200);
    // drafts are not live
    expect((await entity('deal')).form.sections).toHaveLength(1);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.status).toBe(200);
    expect(plan.body.changes).toEqual([]); // no table changes: layouts are data
    expect(plan.body.documentChanges.map((c: { id: string }) => c.id)).toEqual([
      'addDocument:form/deal',
      'addDocument:view/deal',
    ]);
    const applied = await s.api('POST', '/api/meta/apply', { planHash: plan.body.hash });
    expect(applied.status).toBe(200);
    const deal = await entity('deal');
    expect(deal.form).toEqual(DEAL_FORM);
    expect(deal.view).toEqual(DEAL_VIEW);
    expect((await s.api('GET', '/api/meta/documents?kind=form')).body.data).toEqual([
      expect.objectContaining({ kind: 'form', name: 'deal' }),
    ]);
    // a list request with the view's own filter and sort is what the app sends: it works
    const list = await s.api(
      'GET',
      `/api/records/deal?filter=${encodeURIComponent(JSON.stringify(DEAL_VIEW.filter))}&sort=stage,-closeDate&limit=25`,
    );
    expect(list.status).toBe(200);
  });

  it.each([
    {
      title: 'an unknown field in a section',
      doc: { ...DEAL_FORM, sections: [{ fields: ['title', 'nope'] }] },
      errors: [
        { path: '/sections/0/fields/1', message: expect.stringContaining('no field "nope"') },
      ],
    },
    {
      title: 'a field placed twice and a widget that does not fit',
      doc: {
        ...DEAL_FORM,
        sections: [{ fields: ['title', 'stage'] }, { fields: ['title'] }],
        widgets: { startDate: 'textarea' },
      },
      errors: [
        { path: '/sections/1/fields/0', message: expect.stringContaining('already placed') },
        { path: '/widgets/startDate', message: expect.stringContaining('does not fit') },
      ],
    },
    {
      title: 'a kanban on a text field, a bad filter and a page too large',
      doc: {
        ...DEAL_VIEW,
        kanban: 'title',
        filter: { stage: { $ne: 'lost' } },
        pageSize: 1000,
      },
      errors: [{ path: '/pageSize', message: expect.stringContaining('<= 200') }],
    },
    {
      title: 'a kanban on a text field and a filter with an unknown operator',
      doc: { ...DEAL_VIEW, kanban: 'title', filter: { stage: { $ne: 'lost' } } },
      errors: [
        { path: '/kanban', message: expect.stringContaining('cannot make kanban lanes') },
        { path: '/filter/stage/$ne', message: expect.stringContaining('unknown operator') },
      ],
    },
    {
      title: 'a calendar with an end but no start',
      doc: { ...DEAL_VIEW, calendar: { end: 'closeDate' } },
      errors: [{ path: '/calendar/start', message: expect.stringContaining('is required') }],
    },
    {
      title: 'a calendar starting on a text field and titled by an unknown one',
      doc: { ...DEAL_VIEW, calendar: { start: 'title', title: 'nope' } },
      errors: [
        { path: '/calendar/title', message: expect.stringContaining('no field "nope"') },
        { path: '/calendar/start', message: expect.stringContaining('date or datetime') },
      ],
    },
  ])('refuses $title with pointers', async ({ doc, errors }) => {
    const res = await s.api('PUT', `/api/meta/documents/${doc.kind}/deal`, doc);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('METADATA_INVALID');
    expect(res.body.errors).toEqual(
      errors.map((e) => expect.objectContaining({ ...e, document: `${doc.kind}/deal` })),
    );
  });

  it('refuses to plan a field removal its form still places, naming the form', async () => {
    expect((await s.api('PUT', '/api/meta/documents/form/deal', DEAL_FORM)).status).toBe(200);
    const deal = (await s.api('GET', '/api/meta/documents/entity/deal')).body;
    delete deal.fields.probability;
    deal.rules = [];
    // the entity alone is fine; the plan checks the whole draft, the form included
    expect((await s.api('PUT', '/api/meta/documents/entity/deal', deal)).status).toBe(200);
    const plan = await s.api('POST', '/api/meta/plan');
    expect(plan.status).toBe(400);
    expect(plan.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ document: 'form/deal', path: '/sections/1/fields/1' }),
        expect.objectContaining({ document: 'form/deal', path: '/readOnly/0' }),
      ]),
    );
  });
});
