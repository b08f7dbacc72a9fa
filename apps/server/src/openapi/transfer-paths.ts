import type { CompiledEntity } from '@crm/metadata';
import { XLSX_TYPE as XLSX } from '@crm/records';
import { authResponses, errorResponse, json } from './responses';

/** `GET .../export` and `POST .../import` of one entity (record-transfer.controller.ts). */
export function transferPaths(
  e: CompiledEntity,
  Name: string,
  ref: { $ref: string },
  tags: string[],
): Record<string, unknown> {
  const label = e.doc.label.en;
  return {
    [`/api/records/${e.name}/export`]: {
      get: {
        tags,
        operationId: `export${Name}Records`,
        summary: `Export every ${label} you may read as CSV, Excel (.xlsx) or JSON`,
        description:
          'Needs the role action `export` on the entity; rows are those both your read and export conditions allow, fields those you may read (hidden ones are not even columns). Streamed page by page. CSV: UTF-8 with BOM, CRLF, RFC 4180 quoting; text starting with = + - @ tab or CR gets a leading apostrophe (formula injection); multi-selects and many-to-many ids joined by `;`; a currency field is two columns, `<field>` and `<field>.currency`. Excel (.xlsx): one worksheet with the same header and cells (numbers as numbers, the rest as text, nothing neutralised: a worksheet never evaluates text).',
        parameters: [
          {
            name: 'format',
            in: 'query',
            schema: { enum: ['csv', 'json', 'xlsx'], default: 'csv' },
          },
          {
            name: 'headers',
            in: 'query',
            schema: { enum: ['names', 'labels'], default: 'names' },
            description:
              'CSV and Excel column headers: field names, or the fields\' labels in the request language (Accept-Language, else the user\'s); the currency code column is then "<label>（币种）" / "<label> (currency)". Import reads either.',
          },
          {
            name: 'filter',
            in: 'query',
            schema: { type: 'string' },
            description: 'JSON filter, as on the list endpoint',
          },
          {
            name: 'sort',
            in: 'query',
            schema: { type: 'string' },
            description: 'e.g. -createdAt,name',
          },
          {
            name: 'fields',
            in: 'query',
            schema: { type: 'string' },
            description: 'comma-separated fields (entity or system); `id` always comes first',
          },
        ],
        responses: {
          '200': {
            description:
              'The file (Content-Disposition: attachment; filename="<entity>-<yyyymmdd>.<format>")',
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/json': { schema: { type: 'array', items: ref } },
              [XLSX]: { schema: { type: 'string', format: 'binary' } },
            },
          },
          '400': errorResponse(
            'Bad format, or a filter/sort/field naming an unknown or hidden field',
          ),
          '404': errorResponse('Unknown entity'),
          ...authResponses,
        },
      },
    },
    [`/api/records/${e.name}/import`]: {
      post: {
        tags,
        operationId: `import${Name}Records`,
        summary: `Import ${label} records from CSV, Excel (.xlsx) or JSON, all or nothing`,
        description:
          "Needs the role actions `import` and `create`, and create permission on every column (403 naming the field). Every row is validated like a create; one bad row answers 400 with errors at `/rows/<n>/<field>` (n: 1-based data row) and writes nothing. A column is named by its field or by the field's label in zh-CN or en (a label two fields share must use the field name). Columns the system generates (id, audit columns, auto-numbers) are skipped, so an export imports back. At most IMPORT_MAX_ROWS rows (413 IMPORT_TOO_LARGE).",
        parameters: [
          {
            name: 'dryRun',
            in: 'query',
            schema: { type: 'boolean' },
            description: 'validate everything (in a rolled-back transaction), write nothing',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'text/csv': { schema: { type: 'string' } },
            [XLSX]: { schema: { type: 'string', format: 'binary' } },
            'application/json': { schema: { type: 'array', items: ref } },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: {
                  file: {
                    type: 'string',
                    format: 'binary',
                    description: '.csv, .xlsx or .json (by name or type)',
                  },
                },
                required: ['file'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'Imported (or, on a dry run, valid)',
            ...json({
              type: 'object',
              required: ['created', 'ids'],
              properties: {
                created: { type: 'integer' },
                ids: { type: 'array', items: { type: 'integer' } },
                dryRun: { const: true },
                valid: { type: 'integer' },
                ignoredColumns: { type: 'array', items: { type: 'string' } },
              },
            }),
          },
          '400': errorResponse(
            'A malformed file, an unknown column or invalid rows; nothing written',
          ),
          '404': errorResponse('Unknown entity'),
          '409': errorResponse('A unique value is taken; nothing written'),
          '413': errorResponse('More rows than IMPORT_MAX_ROWS, or a body over MAX_FILE_BYTES'),
          ...authResponses,
        },
      },
    },
  };
}
