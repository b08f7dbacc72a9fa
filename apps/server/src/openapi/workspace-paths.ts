import { type DocumentKindSpec, formKind, viewKind } from '@crm/metadata';
import {
  dataOf,
  jsonBody,
  nullable,
  obj,
  operation,
  pathParam,
  queryParam,
  reply,
  str,
  timestamp,
} from './schemas';

const label = obj({ 'zh-CN': str, en: str }, ['zh-CN', 'en']);

/** A form / view as the API returns it: the kind's own meta-schema (one source of truth). */
const layoutSchema = (kind: DocumentKindSpec): Record<string, unknown> =>
  kind.schema as Record<string, unknown>;

const savedView = obj(
  {
    id: { type: 'integer' },
    entity: str,
    name: str,
    definition: {
      type: 'object',
      additionalProperties: true,
      description: "the web app's list state: filter rows, sort, columns, mode, group field",
    },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  ['id', 'entity', 'name', 'definition'],
);
const viewBody = jsonBody(
  obj(
    {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      definition: {
        type: 'object',
        additionalProperties: true,
        description: 'at most 64 KB as JSON',
      },
    },
    ['name', 'definition'],
  ),
);
const entityParam = pathParam('entity', str, 'entity name');
const READER =
  'any signed-in user who may read the entity; each user sees and changes only their own views';
const ENTITY_ERRORS = {
  '403': 'FORBIDDEN: no role lets the caller read the entity',
  '404': 'ENTITY_NOT_FOUND: unknown entity',
};
const VIEW_ERRORS = {
  '400':
    'BAD_REQUEST: name or definition missing or too long (`/name`, `/definition`); QUERY_INVALID: a bad id',
  '403': 'FORBIDDEN: no role lets the caller read the entity',
  '404': 'ENTITY_NOT_FOUND, or SAVED_VIEW_NOT_FOUND: no such view of the caller',
};

/** Routes the web app needs beyond the records and workflow APIs (entities, saved views, users). */
export function workspacePaths(): Record<string, unknown> {
  return {
    '/api/users': {
      get: operation({
        operationId: 'searchUsers',
        tags: ['Users'],
        summary: 'Active users by login or display name, for pickers (login and display name only)',
        permission: 'any signed-in user',
        parameters: [
          queryParam(
            'search',
            { type: 'string', maxLength: 64 },
            'text the login or the display name contains (case-insensitive for Latin letters); empty: the first users by login',
          ),
          queryParam('limit', { type: 'integer', minimum: 1, maximum: 50 }, 'default 20'),
        ],
        ok: reply(
          'The users, by login',
          dataOf(obj({ login: str, displayName: nullable('string') }, ['login', 'displayName'])),
        ),
        errors: {
          '400':
            'QUERY_INVALID: search longer than 64 characters, a bad limit, or an unknown parameter',
        },
      }),
    },
    '/api/views/{entity}': {
      get: operation({
        operationId: 'listSavedViews',
        tags: ['Metadata'],
        summary: "The caller's saved list views of an entity, by name",
        permission: READER,
        parameters: [entityParam],
        ok: reply('The views', dataOf(savedView)),
        errors: ENTITY_ERRORS,
      }),
      post: operation({
        operationId: 'createSavedView',
        tags: ['Metadata'],
        summary: 'Save a list view',
        permission: READER,
        parameters: [entityParam],
        requestBody: viewBody,
        status: '201',
        ok: reply('The saved view', savedView),
        errors: {
          ...VIEW_ERRORS,
          '404': 'ENTITY_NOT_FOUND: unknown entity',
          '409': 'UNIQUE_VIOLATION: the caller has a view of that name for the entity',
        },
      }),
    },
    '/api/views/{entity}/{id}': {
      put: operation({
        operationId: 'updateSavedView',
        tags: ['Metadata'],
        summary: 'Rename or change a saved view',
        permission: READER,
        parameters: [entityParam, pathParam('id')],
        requestBody: viewBody,
        ok: reply('The saved view', savedView),
        errors: {
          ...VIEW_ERRORS,
          '409': 'UNIQUE_VIOLATION: the caller has another view of that name',
        },
      }),
      delete: operation({
        operationId: 'deleteSavedView',
        tags: ['Metadata'],
        summary: 'Delete a saved view',
        permission: READER,
        parameters: [entityParam, pathParam('id')],
        status: '204',
        ok: { description: 'Deleted' },
        errors: VIEW_ERRORS,
      }),
    },
    '/api/meta/entities': {
      get: operation({
        operationId: 'listReadableEntities',
        tags: ['Metadata'],
        summary: 'The entities the caller may read, with their labels and display field',
        permission: 'any signed-in user; lists only entities some role of theirs lets them read',
        description:
          "Navigation and global search of the web app. Each entity's JSON Schema: `GET /api/meta/entities/{name}/schema`.",
        ok: reply(
          'The readable entities, by name',
          dataOf(
            obj(
              {
                name: str,
                label,
                description: label,
                displayField: str,
                inverses: {
                  type: 'array',
                  description:
                    'related lists: readable entities whose many-to-one field points here',
                  items: obj({ name: str, entity: str, field: str, label }, [
                    'name',
                    'entity',
                    'field',
                    'label',
                  ]),
                },
                buttons: {
                  type: 'array',
                  description:
                    "the record page's buttons (`trigger` documents, `on: button`) the caller may press: `POST /api/records/{entity}/{id}/buttons/{name}`",
                  items: obj({ name: str, label, process: str }, ['name', 'label', 'process']),
                },
                actions: {
                  type: 'array',
                  description:
                    'the record actions (`action` documents) a run rule lets the caller run: `GET /api/records/{entity}/{id}/actions` says which apply to one record, `POST .../actions/{name}` runs one',
                  items: obj({ name: str, label, description: label, confirm: label, when: str }, [
                    'name',
                    'label',
                  ]),
                },
                form: {
                  ...layoutSchema(formKind),
                  description:
                    "the record page's layout: the entity's `form` document, or one section of every field when it has none",
                },
                view: {
                  ...layoutSchema(viewKind),
                  description:
                    "the list page's columns, default filter, sort, grouping, kanban field and page size: the entity's `view` document, or one derived from its fields",
                },
              },
              ['name', 'label', 'displayField', 'inverses', 'buttons', 'actions', 'form', 'view'],
            ),
          ),
        ),
      }),
    },
  };
}
