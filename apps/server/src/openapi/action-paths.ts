import { type CompiledEntity, type MetadataModel, recordActions } from '@crm/metadata';
import { BAD_ID, dataOf, int, obj, operation, pathParam, reply, str } from './schemas';

const i18n = obj({ 'zh-CN': str, en: str }, ['zh-CN', 'en']);
const recordRef = obj({ entity: str, id: int }, ['entity', 'id']);

/**
 * `GET .../{id}/actions` and `POST .../{id}/actions/{action}` of one entity
 * (record-actions.controller.ts): its `action` documents.
 */
export function actionPaths(
  model: MetadataModel,
  e: CompiledEntity,
  tags: string[],
): Record<string, unknown> {
  const names = recordActions(model.documents, e.name).map((a) => a.name);
  const Name = e.name.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase());
  return {
    [`/api/records/${e.name}/{id}/actions`]: {
      get: operation({
        operationId: `list${Name}RecordActions`,
        tags,
        summary: "The record's actions the caller may run, each enabled by its `when` or not",
        permission:
          "read access to the record; an action is listed when a `run` rule for it (condition key `actionName`) exists on the entity — the rule's record conditions are checked when it runs",
        parameters: [pathParam('id')],
        ok: reply(
          'The actions, by name',
          dataOf(
            obj(
              {
                name: str,
                label: i18n,
                description: i18n,
                confirm: { ...i18n, description: 'ask the user to confirm with this text first' },
                enabled: { type: 'boolean' },
                reason: obj({ expression: str }, ['expression']),
              },
              ['name', 'label', 'enabled'],
            ),
          ),
        ),
        errors: {
          '400': BAD_ID,
          '404': 'ENTITY_NOT_FOUND, RECORD_NOT_FOUND (also for a record the caller may not read)',
        },
      }),
    },
    [`/api/records/${e.name}/{id}/actions/{action}`]: {
      post: operation({
        operationId: `run${Name}RecordAction`,
        tags,
        summary:
          'Run a record action: create linked records (and copy lines), write back, start a process — all or nothing',
        permission:
          'a `run` rule on the entity that reaches this record (`conditions: { actionName: ... }` names the actions); every record it creates or updates is written as the caller, so their create / update rules and field write rules apply too',
        description:
          'Record actions are `action` documents (metadata/README.md, "Record actions"). Nothing comes from the request: the values are the document\'s FEEL over the record, the caller and the earlier steps. Everything runs in one transaction: any refusal writes nothing. An error names the step in its message and points into the action document (`/create/1/values/name`, `/update/status`, `/process`, `/when`).',
        parameters: [
          pathParam('id'),
          pathParam(
            'action',
            names.length ? { enum: names } : str,
            names.length ? 'the action' : `${e.name} has no actions: every name answers 404`,
          ),
        ],
        status: '201',
        ok: reply(
          'What the action wrote',
          obj(
            {
              created: {
                type: 'object',
                description:
                  "every created record by its step's `as`, with the ids of copied lines",
                additionalProperties: obj(
                  { entity: str, id: int, lines: { type: 'array', items: int } },
                  ['entity', 'id'],
                ),
              },
              updated: {
                ...obj({ entity: str, id: int, version: int }, ['entity', 'id', 'version']),
                nullable: true,
                description: 'the record written back onto, or null',
              },
              open: { ...recordRef, description: 'the record the web app opens next' },
              instanceId: { ...int, description: 'the process instance it started' },
            },
            ['created', 'updated', 'open'],
          ),
        ),
        errors: {
          '400':
            'QUERY_INVALID: a bad id; RECORD_INVALID / FIELD_UNKNOWN: a record a step writes is invalid (the step is named); METADATA_INVALID: an expression could not be evaluated',
          '403':
            'FORBIDDEN: no run rule reaches this record, or the caller may not create / update a record a step writes',
          '404':
            'ENTITY_NOT_FOUND, RECORD_NOT_FOUND (also for a record the caller may not read), DOCUMENT_NOT_FOUND: no such action on the entity, DEFINITION_NOT_FOUND: the process is not deployed',
          '409':
            'VERSION_CONFLICT: the record changed since; RECORD_LOCKED; NOT_STARTABLE; TRIGGER_LOOP',
          '422':
            'ACTION_NOT_ALLOWED: its `when` is not true for this record, or it would copy more than 1000 lines',
        },
      }),
    },
  };
}
