import { CrmError, type ErrorDetail } from '@crm/common';
import {
  type CompiledEntity,
  type EntityDocument,
  type JsonSchema,
  type MetadataModel,
  setViewFilterCheck,
  tableName,
} from '@crm/metadata';
import { translateFilter } from './filter';

/**
 * A view document's default filter is checked by the parser list requests go through, over the
 * entities of the document set being validated (not the live model: a draft may add the fields
 * it filters on). Its pointers already start at `/filter`, where the view holds it.
 */
/**
 * What the filter parser reads of a model: fields, names and tables. Compiling each entity's JSON
 * Schema (buildModel) would double the cost of validating the shipped set for nothing.
 */
function filterModel(entities: Map<string, EntityDocument>): MetadataModel {
  const compiled = new Map<string, CompiledEntity>();
  for (const doc of entities.values())
    compiled.set(doc.name, {
      name: doc.name,
      doc,
      schema: {} as JsonSchema,
      table: tableName(doc.name),
      fields: doc.fields,
      inverses: [],
    });
  return { revision: 0, documents: [], entities: compiled, roles: new Map() };
}

const models = new WeakMap<Map<string, EntityDocument>, MetadataModel>();

export function viewFilterErrors(
  entities: Map<string, EntityDocument>,
  entity: string,
  filter: unknown,
): ErrorDetail[] {
  // one model per validation pass: every view of the set reads the same entities
  let model = models.get(entities);
  if (!model) {
    model = filterModel(entities);
    models.set(entities, model);
  }
  const compiled = model.entities.get(entity);
  if (!compiled) return [];
  try {
    translateFilter(model, compiled, filter);
    return [];
  } catch (e) {
    if (e instanceof CrmError) return e.errors.map(({ path, message }) => ({ path, message }));
    throw e;
  }
}

setViewFilterCheck(viewFilterErrors);
