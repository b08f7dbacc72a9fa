import { dataOf, obj, operation, reply, str } from './schemas';

const label = obj({ 'zh-CN': str, en: str }, ['zh-CN', 'en']);

/** Routes the web app needs beyond the records and workflow APIs (EntitiesController). */
export function workspacePaths(): Record<string, unknown> {
  return {
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
              },
              ['name', 'label', 'displayField', 'inverses'],
            ),
          ),
        ),
      }),
    },
  };
}
