import { type FeelOptions, evaluateFeel } from '@crm/metadata';
import { stripEq } from './process-graph';

/** A failure the process owns (bad FEEL, no matching flow, failing task type): an incident. */
export class StepIncident extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** FEEL options of the engine: also the names every expression sees below its variables. */
export interface EngineFeelOptions extends FeelOptions {
  /** Cluster variables (`camunda.vars`, cluster-variables.ts); a process variable shadows them. */
  globals?: Record<string, unknown>;
}

/**
 * Evaluates FEEL with Camunda's built-ins; `options` carry the engine's clock and the company's
 * time zone (now(), today()). Any failure is an incident on the element `at`.
 */
export function feel(
  expression: string,
  context: Record<string, unknown>,
  at: string,
  options: EngineFeelOptions = {},
): unknown {
  // only an expression that names them pays for the copy of its context
  const withGlobals =
    options.globals && expression.includes('camunda')
      ? { ...options.globals, ...context }
      : context;
  try {
    return evaluateFeel(expression, withGlobals, options) ?? null;
  } catch (e) {
    throw new StepIncident(
      'expression',
      `FEEL ${JSON.stringify(expression)} failed at ${at}: ${(e as Error).message}`,
    );
  }
}

/** Attribute values: `=expr` is FEEL, anything else the literal text. */
export function attr(
  raw: string,
  context: Record<string, unknown>,
  at: string,
  options: EngineFeelOptions = {},
): unknown {
  return raw.trim().startsWith('=') ? feel(stripEq(raw), context, at, options) : raw;
}

/** Candidate lists as stored: comma-joined, trimmed, no empties. */
export function joinList(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const items = (Array.isArray(raw) ? raw : String(raw).split(','))
    .map((g) => String(g).trim())
    .filter(Boolean);
  return items.length ? items.join(',') : null;
}
