import { CrmError, type ErrorDetail, ErrorCode } from '@crm/common';
import {
  type ActionDocument,
  type FeelOptions,
  evaluateFeel,
  feelText,
  feelToFieldValue,
} from '@crm/metadata';

const esc = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Evaluates one FEEL expression of an action; a failure is the metadata's fault (the document
 * validated, but the data made it throw), answered as such with the pointer into the document.
 */
export function evaluateActionExpression(
  action: ActionDocument,
  expression: string,
  context: Record<string, unknown>,
  options: FeelOptions,
  path: string,
): unknown {
  try {
    // values travel as JSON, like process variables (dates as ISO text, no functions); a FEEL
    // date-time (`now()`) becomes the instant it denotes, which a datetime field accepts
    const value = feelToFieldValue(
      evaluateFeel(feelText(expression), context, options),
      options.timeZone ?? 'UTC',
    );
    return JSON.parse(JSON.stringify(value ?? null));
  } catch (e) {
    throw new CrmError(
      ErrorCode.MetadataInvalid,
      `action ${action.name}: ${path} could not be evaluated: ${(e as Error).message}`,
      [{ path, message: (e as Error).message, document: `action/${action.name}` }],
    );
  }
}

/**
 * The field values a step writes: target field → its expression's value. A null (an empty
 * source field) is left out, so the target's default applies and `required` speaks for itself.
 */
export function evaluateValues(
  action: ActionDocument,
  values: Record<string, string>,
  context: Record<string, unknown>,
  options: FeelOptions,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, expression] of Object.entries(values)) {
    const v = evaluateActionExpression(
      action,
      expression,
      context,
      options,
      `${path}/${esc(field)}`,
    );
    if (v !== null) out[field] = v;
  }
  return out;
}

/** Does `when` hold? Only true does (null, a field left empty, does not). */
export function whenHolds(
  action: ActionDocument,
  context: Record<string, unknown>,
  options: FeelOptions,
): boolean {
  if (action.when === undefined) return true;
  return evaluateActionExpression(action, action.when, context, options, '/when') === true;
}

/**
 * An error of one part of an action (a step, its lines, the write-back, the process) says which:
 * the message names the step, and each detail's pointer is prefixed with where in the action it
 * happened (`/create/1/values/name`), keeping the record's own pointer after it. A denial's
 * subject (`contract/new`) stays as it is, with the step in `document`.
 */
export function inStep(e: unknown, where: string, label: string): unknown {
  if (!(e instanceof CrmError)) return e;
  const details: ErrorDetail[] = (
    e.errors.length ? e.errors : [{ path: '', message: e.message }]
  ).map((d) => ({
    ...d,
    path: !d.path || d.path.startsWith('/') ? `${where}${d.path}` : d.path,
    ...(d.path && !d.path.startsWith('/') ? { document: where } : {}),
  }));
  return new CrmError(e.code, `${label}: ${e.message}; nothing was written`, details, e.extra);
}
