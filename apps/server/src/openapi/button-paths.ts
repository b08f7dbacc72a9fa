import { type CompiledEntity, type MetadataModel, buttonTriggers } from '@crm/metadata';
import { operation, pathParam, reply, ref, str } from './schemas';

/** `POST .../{id}/buttons/{trigger}` of one entity (records.controller.ts): its button triggers. */
export function buttonPaths(
  model: MetadataModel,
  e: CompiledEntity,
  tags: string[],
): Record<string, unknown> {
  const names = buttonTriggers(model.documents, e.name).map((t) => t.name);
  return {
    [`/api/records/${e.name}/{id}/buttons/{trigger}`]: {
      post: operation({
        operationId: `press${e.name.replace(/(^|_)([a-z])/g, (_m, _p, c: string) => c.toUpperCase())}Button`,
        tags,
        summary: 'Press a button: start its process bound to the record, as the caller',
        permission:
          "read access to the record, and one of the trigger's `roles` — or, without roles, a start rule for the trigger's process on this record (as `POST /api/workflow/instances` checks)",
        description:
          "Buttons are `trigger` documents with `on: button` (listed with their labels in `GET /api/meta/entities`). The process gets the trigger's `variables`, evaluated over the record; nothing from the request. While it runs, the record is locked by the engine (409 RECORD_LOCKED on edits) unless the process says `lockRecord: false`.",
        parameters: [
          pathParam('id'),
          pathParam(
            'trigger',
            names.length ? { enum: names } : str,
            names.length
              ? 'the button trigger'
              : `${e.name} has no buttons: every name answers 404`,
          ),
        ],
        status: '201',
        ok: reply('The started instance', ref('ProcessInstance')),
        errors: {
          '400': 'QUERY_INVALID: a bad id; METADATA_INVALID: the trigger could not be evaluated',
          '403': 'FORBIDDEN: none of the trigger roles, or no start rule allows it on this record',
          '404':
            'ENTITY_NOT_FOUND, RECORD_NOT_FOUND (also for a record the caller may not read), TRIGGER_NOT_FOUND, or DEFINITION_NOT_FOUND: the process is not deployed',
          '409':
            "NOT_STARTABLE: the button's condition does not hold, or the process is not executable; TRIGGER_LOOP",
        },
      }),
    },
  };
}
