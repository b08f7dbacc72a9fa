import { applyLayoutOverlay } from '../overlay';
import type { MetadataDocument } from '../types';
import { defaultForm, formFor } from './form.kind';
import { deal, layoutErrors } from './layout.fixtures';

const form = (over: Record<string, unknown> = {}) => ({
  kind: 'form',
  name: 'deal',
  sections: [
    {
      title: { 'zh-CN': '基本信息', en: 'General' },
      columns: 2,
      fields: ['code', 'title', 'stage'],
    },
    { title: { 'zh-CN': '金额', en: 'Amounts' }, fields: ['total', 'rate'] },
  ],
  readOnly: ['rate'],
  hidden: ['closed'],
  widgets: { note: 'textarea', stage: 'radio', tags: 'checkboxes' },
  ...over,
});

describe('form documents', () => {
  it('accepts sections with columns, read-only, hidden fields and fitting widgets', () => {
    expect(layoutErrors(form())).toEqual([]);
  });

  it('accepts tabs of sections, and a form of another name naming its entity', () => {
    const tabs = [
      { title: { 'zh-CN': '概要', en: 'Summary' }, sections: [{ fields: ['title'] }] },
      { title: { 'zh-CN': '更多', en: 'More' }, sections: [{ columns: 1, fields: ['note'] }] },
    ];
    expect(layoutErrors(form({ sections: undefined, tabs }))).toEqual([]);
    expect(layoutErrors(form({ name: 'deal_quick', entity: 'deal' }))).toEqual([]);
  });

  it.each([
    {
      title: 'unknown entity',
      over: { entity: 'nope', name: 'x' },
      path: '/entity',
      msg: 'unknown entity "nope"',
    },
    {
      title: 'no entity by that name',
      over: { name: 'x' },
      path: '/name',
      msg: 'name the entity with `entity:`',
    },
    {
      title: 'a form named like an entity about another',
      over: { name: 'account', entity: 'deal' },
      path: '/entity',
      msg: 'is the form of entity account',
    },
    {
      title: 'unknown field in a section',
      over: { sections: [{ fields: ['title', 'nope'] }] },
      path: '/sections/0/fields/1',
      msg: 'deal has no field "nope"',
    },
    {
      title: 'a field placed twice',
      over: { sections: [{ fields: ['title'] }, { fields: ['note', 'title'] }] },
      path: '/sections/1/fields/1',
      msg: 'already placed at /sections/0/fields/0',
    },
    {
      title: 'a field placed twice across tabs',
      over: {
        sections: undefined,
        tabs: [
          { title: { 'zh-CN': 'a', en: 'a' }, sections: [{ fields: ['title'] }] },
          { title: { 'zh-CN': 'b', en: 'b' }, sections: [{ fields: ['title'] }] },
        ],
      },
      path: '/tabs/1/sections/0/fields/0',
      msg: 'already placed at /tabs/0/sections/0/fields/0',
    },
    {
      title: 'a json field',
      over: { sections: [{ fields: ['extra'] }] },
      path: '/sections/0/fields/0',
      msg: 'json field',
    },
    {
      title: 'both sections and tabs',
      over: { tabs: [{ title: { 'zh-CN': 'a', en: 'a' }, sections: [{ fields: ['title'] }] }] },
      path: '/tabs',
      msg: 'sections or tabs, not both',
    },
    {
      title: 'neither sections nor tabs',
      over: { sections: undefined },
      path: '',
      msg: 'needs sections',
    },
    {
      title: 'five columns',
      over: { sections: [{ columns: 5, fields: ['title'] }] },
      path: '/sections/0/columns',
      msg: '<= 4',
    },
    {
      title: 'an empty section',
      over: { sections: [{ fields: [] }] },
      path: '/sections/0/fields',
      msg: 'fewer than 1',
    },
    {
      title: 'a title in one language',
      over: { sections: [{ title: { en: 'General' }, fields: ['title'] }] },
      path: '/sections/0/title/zh-CN',
      msg: 'required',
    },
    {
      title: 'unknown read-only field',
      over: { readOnly: ['nope'] },
      path: '/readOnly/0',
      msg: 'no field "nope"',
    },
    {
      title: 'read-only twice',
      over: { readOnly: ['rate', 'rate'] },
      path: '/readOnly/1',
      msg: 'listed twice',
    },
    {
      title: 'hiding a required field without default',
      over: { hidden: ['title'], sections: [{ fields: ['note'] }] },
      path: '/hidden/0',
      msg: 'required and has no default',
    },
    {
      title: 'locking a required field without default',
      over: { readOnly: ['title'] },
      path: '/readOnly/0',
      msg: 'could not be saved if the form locks it',
    },
    {
      title: 'a hidden field placed in a section',
      over: { hidden: ['note'], sections: [{ fields: ['note'] }] },
      path: '/hidden/0',
      msg: 'hidden but placed at /sections/0/fields/0',
    },
    {
      title: 'unknown widget',
      over: { widgets: { note: 'wysiwyg' } },
      path: '/widgets/note',
      msg: 'must be one of',
    },
    {
      title: 'a widget that does not fit the type',
      over: { widgets: { closeDate: 'textarea' } },
      path: '/widgets/closeDate',
      msg: 'widget "textarea" does not fit closeDate (date)',
    },
    {
      title: 'a widget of an unknown field',
      over: { widgets: { nope: 'textarea' } },
      path: '/widgets/nope',
      msg: 'no field',
    },
    {
      title: 'an unknown key',
      over: { layout: 'grid' },
      path: '/layout',
      msg: 'not an allowed property',
    },
  ])('refuses $title at $path', ({ over, path, msg }) => {
    expect(layoutErrors(form(over))).toContainEqual({
      path,
      message: expect.stringContaining(msg),
    });
  });

  it('derives a default form: every field but json, in document order, two columns', () => {
    const f = defaultForm(deal);
    expect(f.sections).toEqual([
      { columns: 2, fields: Object.keys(deal.fields).filter((n) => n !== 'extra') },
    ]);
    expect(layoutErrors(f)).toEqual([]);
  });

  it('formFor prefers the form named like the entity over one that only names it', () => {
    const quick = { ...form({ name: 'deal_quick', entity: 'deal' }), kind: 'form' as const };
    const own = { ...form(), kind: 'form' as const };
    expect(formFor([quick], deal)).toEqual(defaultForm(deal));
    expect(formFor([quick, own], deal)).toBe(own);
  });
});

describe('client overlays of forms and views (key by key)', () => {
  const base = {
    doc: form() as unknown as MetadataDocument,
    files: ['forms/deal.yaml'],
  };

  it("an overlay's tabs replace the base's sections; the keys it leaves keep the base's", () => {
    const tabs = [{ title: { 'zh-CN': '全部', en: 'All' }, sections: [{ fields: ['title'] }] }];
    const { merged, errors } = applyLayoutOverlay(
      base,
      { kind: 'form', name: 'deal', tabs },
      'acme/deal.yaml',
    );
    expect(errors).toEqual([]);
    const doc = merged.doc as unknown as Record<string, unknown>;
    expect(doc.tabs).toEqual(tabs);
    expect(doc).not.toHaveProperty('sections');
    expect(doc.widgets).toEqual(form().widgets);
    expect(merged.files).toEqual(['forms/deal.yaml', 'acme/deal.yaml']);
    expect(layoutErrors(doc)).toEqual([]);
  });

  it('a view overlay giving only columns keeps the filter and kanban', () => {
    const view = {
      kind: 'view',
      name: 'deal',
      columns: ['title'],
      kanban: 'stage',
      filter: { stage: 'new' },
    };
    const { merged } = applyLayoutOverlay(
      { doc: view as unknown as MetadataDocument, files: ['v.yaml'] },
      { kind: 'view', name: 'deal', columns: ['code', 'title'] },
      'acme/v.yaml',
    );
    expect(merged.doc).toEqual({ ...view, columns: ['code', 'title'] });
  });
});
