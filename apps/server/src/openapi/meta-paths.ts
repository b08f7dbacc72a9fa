import { DOCUMENT_KINDS } from '@crm/metadata';
import {
  BAD_ID,
  bool,
  dataOf,
  int,
  jsonBody,
  nullable,
  obj,
  operation,
  pathParam,
  queryParam,
  ref,
  reply,
  str,
  timestamp,
} from './schemas';

const tags = ['Metadata'];
const READ = '`read` on Metadata';
const MANAGE = '`manage` on Metadata';
const FORBIDDEN = 'FORBIDDEN: no role allows `manage` on Metadata';
const READ_FORBIDDEN = 'FORBIDDEN: no role allows `read` on Metadata';
/** The version the editor read (the ETag of GET): a colleague's save in between is a 409. */
const IF_MATCH = {
  name: 'If-Match',
  in: 'header',
  required: false,
  schema: str,
  description: 'the ETag the document was read with; stale → 409 DRAFT_CONFLICT',
};
const DRAFT_CONFLICT =
  'DRAFT_CONFLICT: someone saved the document since the If-Match version; the body carries `current: { version, document }`';
const documentChange = obj(
  {
    id: { type: 'string', description: 'e.g. changeDocument:role/rep' },
    kind: { enum: ['addDocument', 'changeDocument', 'removeDocument'] },
    document: str,
    properties: { type: 'array', items: str, description: 'top-level properties that differ' },
    effect: str,
    version: nullable('string'),
  },
  ['id', 'kind', 'document', 'properties', 'effect', 'version'],
);
const KINDS: string[] = [...DOCUMENT_KINDS];
const changeSummary = {
  id: {
    type: 'string',
    description: 'stable; what a user confirms, e.g. dropColumn:e_customer.score',
  },
  effect: { type: 'string', description: 'what it does to the data, in words' },
  ddl: { type: 'array', items: str },
  destructive: bool,
};
const revisionSummary = {
  id: int,
  createdAt: timestamp,
  actor: nullable('string'),
  source: { enum: ['api', 'files', 'cli', 'rollback'] },
  message: nullable('string'),
  rollbackOf: nullable('integer'),
  changes: { type: 'array', items: obj(changeSummary, ['id', 'effect', 'ddl', 'destructive']) },
};
const applied = obj(
  {
    revision: { type: 'integer', description: 'the new revision' },
    hash: { type: 'string', description: 'the hash of the plan that was applied' },
    changes: { type: 'array', items: ref('PlannedChange') },
    documentChanges: { type: 'array', items: documentChange },
  },
  ['revision', 'changes'],
);

/** The shapes the metadata routes answer (components/schemas). */
export const metaSchemas: Record<string, unknown> = {
  MetadataDocument: {
    ...obj({ kind: { enum: KINDS }, name: str, label: { type: 'object' } }, ['kind', 'name']),
    additionalProperties: true,
    description:
      'An entity or role document, as in the YAML files (see README "Metadata" and "Access")',
  },
  PlannedChange: obj(
    {
      ...changeSummary,
      kind: { type: 'string', description: 'createTable, addColumn, dropColumn, renameColumn...' },
      table: str,
      entity: str,
      column: str,
      index: str,
      blocked: { type: 'string', description: 'why it cannot be applied to the current data' },
    },
    ['id', 'kind', 'table', 'destructive', 'effect', 'ddl'],
  ),
  Plan: obj(
    {
      baseRevision: int,
      changes: { type: 'array', items: ref('PlannedChange') },
      destructive: { type: 'array', items: str, description: 'ids that need confirmation' },
      blocked: { type: 'array', items: obj({ id: str, reason: str }, ['id', 'reason']) },
      documentChanges: {
        type: 'array',
        items: documentChange,
        description: 'every document the apply makes live that differs from the live one',
      },
      hash: {
        type: 'string',
        description:
          'covers the DDL and every document applied; send it as planHash to apply exactly this plan',
      },
      documents: { type: 'integer', description: 'documents in the draft' },
    },
    ['baseRevision', 'changes', 'destructive', 'blocked', 'documentChanges', 'hash', 'documents'],
  ),
  RevisionSummary: obj(revisionSummary, ['id', 'source', 'changes']),
  Revision: obj(
    { ...revisionSummary, documents: { type: 'array', items: ref('MetadataDocument') } },
    ['id', 'source', 'changes', 'documents'],
  ),
};

/** Documents, the draft, plan and apply, revisions and compiled schemas (MetaController). */
export function metaPaths(): Record<string, unknown> {
  const doc = ref('MetadataDocument');
  const kindName = [pathParam('kind', { enum: KINDS }), pathParam('name', str)];
  const id = pathParam('id');
  return {
    '/api/meta/documents': {
      get: operation({
        operationId: 'listMetadataDocuments',
        tags,
        summary: 'The draft documents (the live ones where unedited) with their status',
        permission: READ,
        parameters: [queryParam('kind', { enum: KINDS })],
        ok: reply(
          'The documents',
          dataOf(
            obj(
              {
                kind: str,
                name: str,
                status: { enum: ['live', 'changed', 'added'] },
                version: { type: 'string', description: 'send it as If-Match when saving' },
                document: doc,
              },
              ['kind', 'name', 'status', 'version', 'document'],
            ),
          ),
        ),
        errors: { '403': READ_FORBIDDEN },
      }),
    },
    '/api/meta/documents/{kind}/{name}': {
      get: operation({
        operationId: 'getMetadataDocument',
        tags,
        summary: 'A document of the draft',
        permission: READ,
        parameters: kindName,
        ok: reply('The document (its version in the ETag header)', doc),
        errors: { '403': READ_FORBIDDEN, '404': 'DOCUMENT_NOT_FOUND' },
      }),
      put: operation({
        operationId: 'putMetadataDocument',
        tags,
        summary: 'Write a document into the draft (plan and apply make it live)',
        permission: MANAGE,
        description:
          '`kind` and `name` in the body may be left out; given, they must match the URL.',
        parameters: [...kindName, IF_MATCH],
        requestBody: jsonBody(doc),
        ok: reply('The document as stored in the draft (its new version in the ETag header)', doc),
        errors: {
          '400':
            'METADATA_INVALID: every problem with its JSON pointer (references and database limits too)',
          '403': FORBIDDEN,
          '404': 'DOCUMENT_NOT_FOUND: an unknown kind',
          '409': DRAFT_CONFLICT,
        },
      }),
      delete: operation({
        operationId: 'deleteMetadataDocument',
        tags,
        summary: 'Delete a document from the draft',
        permission: MANAGE,
        parameters: [...kindName, IF_MATCH],
        status: '204',
        ok: reply('Deleted from the draft'),
        errors: { '403': FORBIDDEN, '404': 'DOCUMENT_NOT_FOUND', '409': DRAFT_CONFLICT },
      }),
    },
    '/api/meta/draft': {
      delete: operation({
        operationId: 'discardMetadataDraft',
        tags,
        summary: 'Discard the draft (every edit since the live revision)',
        permission: MANAGE,
        status: '204',
        ok: reply('Discarded'),
        errors: { '403': FORBIDDEN },
      }),
    },
    '/api/meta/plan': {
      post: operation({
        operationId: 'planMetadataDraft',
        tags,
        summary: 'The plan of the draft against the live database',
        permission: MANAGE,
        description:
          'Each change with its DDL and data effect; destructive ones need confirming, blocked ones say why.',
        ok: reply('The plan', ref('Plan')),
        errors: { '400': 'METADATA_INVALID: the draft has errors', '403': FORBIDDEN },
      }),
    },
    '/api/meta/apply': {
      post: operation({
        operationId: 'applyMetadataDraft',
        tags,
        summary: 'Apply the draft: run its plan and record a revision',
        permission: MANAGE,
        requestBody: jsonBody(
          obj({
            confirm: {
              type: 'array',
              items: str,
              description: 'ids of the destructive changes you confirm',
            },
            planHash: { type: 'string', description: 'refuse if the plan is no longer this one' },
            message: str,
            skipDestructive: {
              type: 'boolean',
              description: 'leave the destructive changes undone',
            },
          }),
          false,
        ),
        ok: reply('Applied', applied),
        errors: {
          '400': 'confirm is not a list of strings; or METADATA_INVALID',
          '403': FORBIDDEN,
          '409':
            'DESTRUCTIVE_CHANGE_UNCONFIRMED, PLAN_BLOCKED (blocked changes) or PLAN_STALE (the draft or database changed since planHash); the body also carries `plan`',
        },
      }),
    },
    '/api/meta/revisions': {
      get: operation({
        operationId: 'listMetadataRevisions',
        tags,
        summary: 'Applied revisions, newest first',
        permission: READ,
        ok: reply('The revisions', dataOf(ref('RevisionSummary'))),
        errors: { '403': READ_FORBIDDEN },
      }),
    },
    '/api/meta/revisions/{id}': {
      get: operation({
        operationId: 'getMetadataRevision',
        tags,
        summary: 'A revision with its documents and DDL',
        permission: READ,
        parameters: [id],
        ok: reply('The revision', ref('Revision')),
        errors: { '400': BAD_ID, '403': READ_FORBIDDEN, '404': 'REVISION_NOT_FOUND' },
      }),
    },
    '/api/meta/revisions/{id}/rollback': {
      post: operation({
        operationId: 'rollbackMetadataRevision',
        tags,
        summary: "Make a revision's documents live again (non-destructive)",
        permission: MANAGE,
        description:
          'Planned and applied without destructive changes: columns the older documents lack stay, unused.',
        parameters: [id],
        ok: reply('Applied', applied),
        errors: {
          '400': BAD_ID,
          '403': FORBIDDEN,
          '404': 'REVISION_NOT_FOUND',
          '409': 'PLAN_BLOCKED: the plan cannot be applied to the current data',
        },
      }),
    },
    '/api/meta/entities/{name}/schema': {
      get: operation({
        operationId: 'getEntitySchema',
        tags,
        summary: "A live entity's compiled JSON Schema (x- keywords carry storage and labels)",
        permission: '`read` on the entity',
        parameters: [pathParam('name', str, 'the entity')],
        ok: reply('The JSON Schema (draft 2020-12)', { type: 'object' }),
        errors: { '404': 'ENTITY_NOT_FOUND (also for an entity the user may not read)' },
      }),
    },
  };
}
