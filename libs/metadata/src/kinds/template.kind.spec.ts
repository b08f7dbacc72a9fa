import * as path from 'node:path';
import type { EntityDocument, SourcedDocument } from '../types';
import { loadMetadataDir } from '../loader';
import { validateDocuments } from '../validate';
import { NOTIFICATION_EVENTS, findTemplate } from './template.kind';
import { renderTemplate, scanTemplate } from './template-text';

const l = (en: string) => ({ 'zh-CN': `${en}-zh`, en });

const quote: EntityDocument = {
  kind: 'entity',
  name: 'quote',
  label: l('Quote'),
  displayField: 'title',
  fields: {
    title: { type: 'text', label: l('Title'), required: true },
    discount: { type: 'percent', label: l('Discount') },
  },
};

const template = (over: Record<string, unknown> = {}) => ({
  kind: 'template',
  name: 'approval_assignment',
  label: l('Assigned'),
  event: 'assignment',
  channel: 'email',
  subject: { 'zh-CN': '【待审批】{{ taskName }}', en: 'Approve {{ taskName }}' },
  body: {
    'zh-CN': '{{ recipient.displayName }}：{{ record.discount }}',
    en: 'Dear {{recipient.displayName}}, {{ record.title }} by {{ actor }}',
  },
  ...over,
});

const src = (doc: unknown): SourcedDocument => ({
  doc: doc as SourcedDocument['doc'],
  files: [`${(doc as { name: string }).name}.yaml`],
});
const validate = (...docs: unknown[]) => validateDocuments([src(quote), ...docs.map(src)]);

describe('template documents', () => {
  it('accepts a template whose placeholders are all in the context', () => {
    expect(validate(template())).toEqual([]);
    expect(validate(template({ format: 'html', event: 'purchase.mailed' }))).toEqual([]);
  });

  it.each([
    {
      title: 'an unknown placeholder',
      doc: template({ subject: { 'zh-CN': '{{ taskNmae }}', en: 'x' } }),
      path: '/subject/zh-CN',
      message: '{{ taskNmae }}: unknown placeholder "taskNmae"',
    },
    {
      title: 'a record field no entity has',
      doc: template({ body: { 'zh-CN': 'x', en: '{{ record.discont }}' } }),
      path: '/body/en',
      message: 'no entity has a field "discont"',
    },
    {
      title: 'an expression instead of a path',
      doc: template({ body: { 'zh-CN': '{{ amount * 2 }}', en: 'x' } }),
      path: '/body/zh-CN',
      message: 'is not a path',
    },
    {
      title: 'an unclosed placeholder',
      doc: template({ body: { 'zh-CN': 'x', en: 'Dear {{ recipient.displayName }' } }),
      path: '/body/en',
      message: 'unmatched braces at character 5',
    },
    {
      title: 'a missing language',
      doc: template({ body: { 'zh-CN': 'x' } }),
      path: '/body/en',
      message: 'is required',
    },
    {
      title: 'a line break in a subject (it would start a second mail header)',
      doc: template({ subject: { 'zh-CN': 'a\nb', en: 'x' } }),
      path: '/subject/zh-CN',
      message: 'must match pattern',
    },
    {
      title: 'an unknown channel',
      doc: template({ channel: 'fax' }),
      path: '/channel',
      message: 'must be one of: email',
    },
    {
      title: 'an unknown property',
      doc: template({ to: 'boss' }),
      path: '/to',
      message: 'is not an allowed property',
    },
  ])('refuses $title, with a pointer', ({ doc, path: at, message }) => {
    const errors = validate(doc);
    expect(errors).toEqual([
      expect.objectContaining({
        path: at,
        message: expect.stringContaining(message),
        document: 'template/approval_assignment',
        file: 'approval_assignment.yaml',
      }),
    ]);
  });

  it('refuses a second template for the same event and channel, on the later name', () => {
    const errors = validate(template(), template({ name: 'other_assignment' }));
    expect(errors).toEqual([
      expect.objectContaining({
        path: '/event',
        document: 'template/other_assignment',
        message: expect.stringContaining('template "approval_assignment" already handles event'),
      }),
    ]);
  });

  it('finds the template of an event and channel', () => {
    const docs = [quote, template(), template({ name: 'approval_cc', event: 'cc' })];
    expect(findTemplate(docs, 'cc', 'email')?.name).toBe('approval_cc');
    expect(findTemplate(docs, 'reminder', 'email')).toBeNull();
  });

  it('ships a valid zh-CN and en email template for each approval event', () => {
    const shipped = loadMetadataDir(path.join(__dirname, '../../../../metadata'), null);
    expect(shipped.errors).toEqual([]);
    const docs = shipped.documents.map((d) => d.doc);
    for (const event of NOTIFICATION_EVENTS) {
      const t = findTemplate(docs, event, 'email');
      expect({ event, found: !!t }).toEqual({ event, found: true });
      for (const text of [t!.subject['zh-CN'], t!.subject.en, t!.body['zh-CN'], t!.body.en])
        expect(scanTemplate(text).placeholders.length).toBeGreaterThan(0);
    }
  });
});

describe('renderTemplate', () => {
  const ctx = {
    recipient: { displayName: '李雷' },
    comment: '<b>too "cheap"</b> & late',
    record: { total: { amount: 1200.5, currency: 'CNY' }, tags: ['a', 'b'], none: null },
  };

  it('escapes every value in HTML and leaves plain text as it is', () => {
    expect(renderTemplate('<p>{{ comment }}</p>', ctx, { html: true })).toBe(
      '<p>&lt;b&gt;too &quot;cheap&quot;&lt;/b&gt; &amp; late</p>',
    );
    expect(renderTemplate('{{ comment }}', ctx, { html: false })).toBe(ctx.comment);
  });

  it('shows money, lists and empty values readably', () => {
    expect(
      renderTemplate('{{record.total}} | {{ record.tags }} | [{{ record.none }}]', ctx, {
        html: false,
      }),
    ).toBe('1200.5 CNY | a, b | []');
  });

  it('renders nothing for paths outside the context, never an inherited property', () => {
    expect(renderTemplate('[{{ nope }}][{{ record.constructor }}]', ctx, { html: false })).toBe(
      '[][]',
    );
  });
});
