import { CrmError, type ErrorDetail } from '@crm/common';
import { type EntityDocument, buildModel, setViewFilterCheck } from '@crm/metadata';
import { translateFilter } from './filter';

/**
 * A view document's default filter is checked by the parser list requests go through, over the
 * entities of the document set being validated (not the live model: a draft may add the fields
 * it filters on). Its pointers already start at `/filter`, where the view holds it.
 */
export function viewFilterErrors(
  entities: Map<string, EntityDocument>,
  entity: string,
  filter: unknown,
): ErrorDetail[] {
  const model = buildModel([...entities.values()], 0);
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
