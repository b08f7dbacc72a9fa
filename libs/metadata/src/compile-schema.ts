import type { EntityDocument, FieldDef } from './types';

/** A JSON Schema object; x- keywords carry what the storage, relations and forms need. */
export type JsonSchema = Record<string, unknown>;

export const tableName = (entity: string): string => `e_${entity}`;
export const junctionTableName = (entity: string, field: string): string => `j_${entity}_${field}`;

/**
 * Most ids one write may link through one manyToMany field. Without a cap a huge list reached the
 * database as one statement and failed there (SQLite's bound-variable limit): a 500, not a 400.
 */
export const MAX_LINKS_PER_WRITE = 1000;

const nullable = (schema: JsonSchema, required: boolean): JsonSchema => {
  if (required) return schema;
  // an optional select can be cleared: null joins its enum as well as its type
  if (Array.isArray(schema.enum))
    schema = { ...schema, enum: [...(schema.enum as unknown[]), null] };
  const t = schema.type;
  if (typeof t === 'string') return { ...schema, type: [t, 'null'] };
  if (Array.isArray(t)) return { ...schema, type: [...t, 'null'] };
  return schema;
};

function valueSchema(f: FieldDef): JsonSchema {
  switch (f.type) {
    case 'text':
      return {
        type: 'string',
        maxLength: f.length ?? 255,
        ...(f.minLength !== undefined && { minLength: f.minLength }),
        ...(f.pattern !== undefined && { pattern: f.pattern }),
      };
    case 'longText':
      return {
        type: 'string',
        maxLength: f.length ?? 65535,
        // the column (MySQL TEXT) holds 65,535 bytes, not characters: 30,000 Chinese characters
        // are 90,000 bytes of UTF-8. Checked on both dialects, so a record moves between them.
        'x-maxBytes': 65535,
        ...(f.minLength !== undefined && { minLength: f.minLength }),
      };
    case 'richText':
      return { type: 'string', maxLength: f.length ?? 1_000_000, contentMediaType: 'text/html' };
    case 'integer':
      return {
        type: 'integer',
        minimum: typeof f.min === 'number' ? f.min : -9007199254740991,
        maximum: typeof f.max === 'number' ? f.max : 9007199254740991,
      };
    case 'decimal':
    case 'percent': {
      const precision = f.precision ?? (f.type === 'percent' ? 9 : 18);
      const scale = f.scale ?? (f.type === 'percent' ? 4 : 2);
      return {
        type: 'number',
        ...(typeof f.min === 'number' && { minimum: f.min }),
        ...(typeof f.max === 'number' && { maximum: f.max }),
        'x-decimal': { precision, scale },
      };
    }
    case 'currency': {
      const precision = f.precision ?? 18;
      const scale = f.scale ?? 2;
      return {
        type: 'object',
        required: ['amount'],
        additionalProperties: false,
        properties: {
          amount: {
            type: 'number',
            ...(typeof f.min === 'number' && { minimum: f.min }),
            ...(typeof f.max === 'number' && { maximum: f.max }),
            'x-decimal': { precision, scale },
          },
          currency: { type: 'string', pattern: '^[A-Z]{3}$', default: f.currency ?? 'CNY' },
        },
      };
    }
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return {
        type: 'string',
        format: 'date',
        ...(typeof f.min === 'string' && { formatMinimum: f.min }),
        ...(typeof f.max === 'string' && { formatMaximum: f.max }),
      };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'email':
      return { type: 'string', format: 'email', maxLength: f.length ?? 254 };
    case 'phone':
      return {
        type: 'string',
        pattern: f.pattern ?? '^\\+?[0-9][0-9 ()-]{2,31}$',
        maxLength: f.length ?? 32,
      };
    case 'url':
      return { type: 'string', format: 'uri', maxLength: f.length ?? 2048 };
    case 'select':
      return { type: 'string', enum: (f.options ?? []).map((o) => o.value) };
    case 'multiSelect':
      return {
        type: 'array',
        uniqueItems: true,
        items: { type: 'string', enum: (f.options ?? []).map((o) => o.value) },
      };
    case 'relation':
      return f.relation === 'manyToMany'
        ? {
            type: 'array',
            uniqueItems: true,
            maxItems: MAX_LINKS_PER_WRITE,
            items: { type: 'integer', minimum: 1 },
          }
        : { type: 'integer', minimum: 1 };
    case 'autoNumber':
      return { type: 'string', maxLength: 64 };
    case 'file':
      return { type: 'string', format: 'uuid' };
    case 'json':
      return {};
  }
}

/**
 * The one pivot: compiles an entity document to the JSON Schema of its records. The same schema
 * validates writes (ajv), renders forms (rjsf), documents the API (OpenAPI) and generates types.
 * Pure: no I/O, the same input gives the same output.
 */
export function compileEntitySchema(entity: EntityDocument): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    id: { type: 'integer', readOnly: true, 'x-system': true },
  };
  const required: string[] = [];
  for (const [name, f] of Object.entries(entity.fields)) {
    const isRequired = f.required === true && f.type !== 'autoNumber';
    const many = f.type === 'multiSelect' || (f.type === 'relation' && f.relation === 'manyToMany');
    const schema: JsonSchema = {
      ...nullable(valueSchema(f), many),
      title: f.label.en,
      ...(f.description && { description: f.description.en }),
      ...(f.default !== undefined && f.type !== 'currency' && { default: f.default }),
      ...((f.readOnly || f.type === 'autoNumber' || f.formula || f.rollup) && { readOnly: true }),
      // computed by the server on every write (computed/): forms show it, clients cannot set it
      ...(f.formula && { 'x-formula': f.formula }),
      ...(f.rollup && { 'x-rollup': { ...f.rollup } }),
      'x-field-type': f.type,
      'x-label': f.label,
      ...(f.unique && { 'x-unique': true }),
      ...(f.options && {
        'x-options': f.options.map((o) => ({
          value: o.value,
          label: o.label,
          ...(o.color && { color: o.color }),
        })),
      }),
      ...(f.type === 'relation' && {
        'x-relation': {
          kind: f.relation,
          target: f.target,
          ...(f.relation === 'manyToMany' && {
            junctionTable: junctionTableName(entity.name, name),
          }),
          ...(f.inverse && { inverse: f.inverse.name }),
        },
      }),
      ...(f.type === 'autoNumber' && { 'x-code-rule': f.codeRule }),
      ...(f.type === 'file' && { 'x-file': { accept: f.accept ?? [] } }),
    };
    if (f.type === 'currency' && f.default !== undefined) {
      schema.default = { amount: f.default, currency: f.currency ?? 'CNY' };
    }
    if (isRequired && !many) {
      // required means "has a value": null is refused too
      schema.type = Array.isArray(schema.type)
        ? schema.type.filter((t) => t !== 'null')
        : schema.type;
      if (Array.isArray(schema.enum)) schema.enum = schema.enum.filter((v) => v !== null);
    }
    properties[name] = schema;
    if (isRequired) required.push(name);
  }
  const system: Array<[string, JsonSchema]> = [
    ['owner', { type: ['string', 'null'], maxLength: 64 }],
    ['createdAt', { type: 'string', format: 'date-time', readOnly: true }],
    ['createdBy', { type: ['string', 'null'], readOnly: true }],
    ['updatedAt', { type: 'string', format: 'date-time', readOnly: true }],
    ['updatedBy', { type: ['string', 'null'], readOnly: true }],
    ['version', { type: 'integer', readOnly: true }],
    ['deletedAt', { type: ['string', 'null'], format: 'date-time', readOnly: true }],
  ];
  for (const [name, s] of system) properties[name] = { ...s, 'x-system': true };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `crm:entity:${entity.name}`,
    title: entity.label.en,
    ...(entity.description && { description: entity.description.en }),
    type: 'object',
    additionalProperties: false,
    properties,
    required,
    'x-entity': entity.name,
    'x-table': tableName(entity.name),
    'x-label': entity.label,
    'x-display-field': entity.displayField,
    ...(entity.rules?.length && {
      'x-rules': entity.rules.map((r) => ({
        name: r.name,
        expression: r.expression,
        message: r.message,
      })),
    }),
  };
}
