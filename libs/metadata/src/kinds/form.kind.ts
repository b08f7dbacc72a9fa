import type { ErrorDetail } from '@crm/common';
import type { EntityDocument, FieldType, I18nText } from '../types';
import {
  type DocumentKindSpec,
  type KindCheckContext,
  docNameSchema,
  i18nSchema,
} from './registry';

/**
 * `form` documents lay out the record page of an entity: sections (a title, 1 to 4 columns, the
 * fields in order), optionally grouped into tabs, fields the form shows read-only or hides, and a
 * widget per field from a fixed list. The web app turns one into an rjsf uiSchema. The form named
 * like its entity is the one the app uses; without it the app derives one (see defaultForm).
 */
export interface FormSection {
  title?: I18nText;
  /** Columns on a desktop (a phone always shows one). */
  columns?: number;
  fields: string[];
}

export interface FormTab {
  title: I18nText;
  sections: FormSection[];
}

export interface FormDocument {
  kind: 'form';
  name: string;
  label?: I18nText;
  /** The entity laid out; without it, the entity named like the form. */
  entity?: string;
  /** Sections on one page, or `tabs` of sections (one of the two). */
  sections?: FormSection[];
  tabs?: FormTab[];
  readOnly?: string[];
  hidden?: string[];
  widgets?: Record<string, FormWidget>;
}

/**
 * The widgets a form may ask for, and the field types each fits. Every other field keeps the
 * widget of its type (relation picker, date picker, currency...), which cannot be swapped.
 */
export const FORM_WIDGETS = {
  textarea: ['text', 'longText', 'richText', 'email', 'url'],
  radio: ['select', 'boolean'],
  checkboxes: ['multiSelect'],
  updown: ['integer', 'decimal', 'percent'],
  range: ['integer', 'percent'],
  color: ['text'],
} as const satisfies Record<string, readonly FieldType[]>;
export type FormWidget = keyof typeof FORM_WIDGETS;

const fieldList = {
  type: 'array',
  items: { type: 'string', pattern: '^[a-z][a-zA-Z0-9_]{0,63}$' },
  maxItems: 200,
};

const sectionSchema = {
  type: 'object',
  required: ['fields'],
  properties: {
    title: i18nSchema,
    columns: { type: 'integer', minimum: 1, maximum: 4 },
    fields: { ...fieldList, minItems: 1 },
  },
  additionalProperties: false,
};

export const formKind: DocumentKindSpec = {
  kind: 'form',
  schema: {
    type: 'object',
    required: ['kind', 'name'],
    properties: {
      kind: { const: 'form' },
      name: docNameSchema,
      label: i18nSchema,
      entity: docNameSchema,
      sections: { type: 'array', items: sectionSchema, minItems: 1, maxItems: 50 },
      tabs: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        items: {
          type: 'object',
          required: ['title', 'sections'],
          properties: {
            title: i18nSchema,
            sections: { type: 'array', items: sectionSchema, minItems: 1, maxItems: 50 },
          },
          additionalProperties: false,
        },
      },
      readOnly: fieldList,
      hidden: fieldList,
      widgets: {
        type: 'object',
        propertyNames: { pattern: '^[a-z][a-zA-Z0-9_]{0,63}$' },
        additionalProperties: { enum: Object.keys(FORM_WIDGETS) },
      },
    },
    additionalProperties: false,
  },
  check: checkForm,
};

/** JSON pointer escaping of one reference token (RFC 6901). */
export const pointerToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The entity a form or view is about: `entity`, else the one named like the document. */
export const layoutEntity = (doc: { name: string; entity?: string }): string =>
  doc.entity ?? doc.name;

/**
 * A form or view named like an entity is that entity's own (the one the app uses): it may not be
 * about another entity, or the app would lay out one entity with another's fields.
 */
export function namedLikeAnother(
  doc: { kind: string; name: string; entity?: string },
  ctx: KindCheckContext,
): ErrorDetail[] {
  if (doc.entity === undefined || doc.entity === doc.name || !ctx.entities.has(doc.name)) return [];
  return [
    {
      path: '/entity',
      message: `a ${doc.kind} named "${doc.name}" is the ${doc.kind} of entity ${doc.name}, not of ${doc.entity}: rename it`,
    },
  ];
}

/** Problems of a field name in a layout: it must be a field of the entity (`what` says why not). */
export function unknownField(
  entity: EntityDocument,
  field: string,
  path: string,
  extra: readonly string[] = [],
): ErrorDetail[] {
  if (Object.hasOwn(entity.fields, field) || extra.includes(field)) return [];
  return [{ path, message: `${entity.name} has no field "${field}"` }];
}

/** Each section with the pointer of its place in the document. */
export function formSections(doc: FormDocument): Array<{ section: FormSection; path: string }> {
  if (doc.tabs)
    return doc.tabs.flatMap((t, i) =>
      t.sections.map((section, j) => ({ section, path: `/tabs/${i}/sections/${j}` })),
    );
  return (doc.sections ?? []).map((section, i) => ({ section, path: `/sections/${i}` }));
}

function checkForm(raw: Record<string, unknown>, ctx: KindCheckContext): ErrorDetail[] {
  const doc = raw as unknown as FormDocument;
  const name = layoutEntity(doc);
  const entity = ctx.entities.get(name);
  if (!entity)
    return [
      {
        path: doc.entity ? '/entity' : '/name',
        message: doc.entity
          ? `unknown entity "${name}"`
          : `no entity is named "${name}": name the entity with \`entity:\``,
      },
    ];
  const errors: ErrorDetail[] = namedLikeAnother(doc, ctx);
  // a page of sections or a set of tabs: not both, not neither (said here, plainer than oneOf)
  if (doc.sections && doc.tabs)
    errors.push({ path: '/tabs', message: 'a form has sections or tabs, not both' });
  if (!doc.sections && !doc.tabs)
    errors.push({ path: '', message: 'a form needs sections (or tabs of sections)' });
  const placed = new Map<string, string>();
  for (const { section, path } of formSections(doc)) {
    section.fields.forEach((f, i) => {
      const at = `${path}/fields/${i}`;
      const bad = unknownField(entity, f, at);
      if (bad.length) return void errors.push(...bad);
      if (entity.fields[f].type === 'json')
        return void errors.push({
          path: at,
          message: `${f} is a json field: forms do not edit it`,
        });
      const before = placed.get(f);
      if (before)
        return void errors.push({ path: at, message: `${f} is already placed at ${before}` });
      placed.set(f, at);
    });
  }
  const listed = (key: 'readOnly' | 'hidden'): void => {
    const seen = new Set<string>();
    (doc[key] ?? []).forEach((f, i) => {
      const at = `/${key}/${i}`;
      const bad = unknownField(entity, f, at);
      if (bad.length) return void errors.push(...bad);
      if (seen.has(f)) return void errors.push({ path: at, message: `${f} is listed twice` });
      seen.add(f);
      const def = entity.fields[f];
      // the form could never create a record: the server would refuse the missing value
      if (def.required && def.default === undefined && def.type !== 'autoNumber')
        errors.push({
          path: at,
          message: `${f} is required and has no default: a new record could not be saved if the form ${key === 'hidden' ? 'hides' : 'locks'} it`,
        });
      if (key === 'hidden' && placed.has(f))
        errors.push({ path: at, message: `${f} is hidden but placed at ${placed.get(f)}` });
    });
  };
  listed('readOnly');
  listed('hidden');
  for (const [f, widget] of Object.entries(doc.widgets ?? {})) {
    const at = `/widgets/${pointerToken(f)}`;
    const bad = unknownField(entity, f, at);
    if (bad.length) {
      errors.push(...bad);
      continue;
    }
    const type = entity.fields[f].type;
    const fits: readonly FieldType[] = FORM_WIDGETS[widget];
    if (!fits.includes(type))
      errors.push({
        path: at,
        message: `widget "${widget}" does not fit ${f} (${type}); it fits ${fits.join(', ')}`,
      });
  }
  return errors;
}

/** The form documents of a document set. */
export function formDocuments(documents: readonly { kind: string }[]): FormDocument[] {
  return documents.filter((d): d is FormDocument => d.kind === 'form');
}

/**
 * The form the app shows for an entity: its own (the form named like it), else one section of
 * every field in document order, two columns (json fields are never edited in a form).
 */
export function formFor(
  documents: readonly { kind: string }[],
  entity: EntityDocument,
): FormDocument {
  const own = formDocuments(documents).find((f) => f.name === entity.name);
  if (own) return own;
  return defaultForm(entity);
}

export function defaultForm(entity: EntityDocument): FormDocument {
  return {
    kind: 'form',
    name: entity.name,
    entity: entity.name,
    sections: [
      {
        columns: 2,
        fields: Object.entries(entity.fields)
          .filter(([, f]) => f.type !== 'json')
          .map(([n]) => n),
      },
    ],
  };
}
