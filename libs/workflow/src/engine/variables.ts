import { CrmError, ErrorCode } from '@crm/common';
import type { FeelOptions } from '@crm/metadata';
import { feel } from './expressions';
import type { Mapping } from './process-graph';

/**
 * Variable rules shared by every behaviour, as Camunda 8 (Zeebe) defines them:
 *
 * - a mapping source starting with `=` is a FEEL expression; without it, an input mapping's
 *   source is a static string (a URL, `{{secrets.X}}`) and is never parsed as FEEL; an output
 *   mapping's source must be an expression (deploy refuses a static one);
 * - a target with dots (`authentication.type`) sets a nested property: the variable `authentication`
 *   becomes a context holding `type`, keeping the other properties it already has;
 * - values are JSON: what FEEL returns is stored as JSON (functions and undefined become null).
 */

/** `a.b.c` → ['a', 'b', 'c']. */
export function targetPath(target: string): string[] {
  return target
    .split('.')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** `current` with `path` set to `value`, copying every object on the way (never mutating). */
export function withPath(current: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const base =
    current && typeof current === 'object' && !Array.isArray(current)
      ? { ...(current as Record<string, unknown>) }
      : {};
  base[path[0]] = withPath(base[path[0]], path.slice(1), value);
  return base;
}

/** A mapping's source value: FEEL after `=`, else the literal text (input mappings only). */
export function mappingValue(
  m: Mapping,
  context: Record<string, unknown>,
  at: string,
  options: FeelOptions = {},
): unknown {
  const src = m.source.trim();
  if (src.startsWith('=')) return feel(src.slice(1), context, at, options);
  return m.source;
}

/**
 * Applies input mappings to a new local scope: each target becomes a local variable (nested
 * targets build contexts); later mappings see the earlier ones, as in Zeebe.
 */
export function applyInputMappings(
  mappings: Mapping[],
  context: Record<string, unknown>,
  locals: Record<string, unknown>,
  at: string,
  options: FeelOptions = {},
): Record<string, unknown> {
  const out = { ...locals };
  for (const m of mappings) {
    const value = mappingValue(m, { ...context, ...out }, at, options);
    const [head, ...rest] = targetPath(m.target);
    out[head] = withPath(out[head], rest, value);
  }
  return out;
}

/**
 * Names the engine gives every expression (see InstanceStep.scopeVars): a request could not
 * override them anyway, and storing its values beside the real ones only misleads whoever reads
 * the instance.
 */
export const RESERVED_VARIABLES = new Set([
  'initiator',
  'record',
  'processInstanceKey',
  'businessKey',
  'now',
  'today',
]);

/** Variables without the engine's own context entries. */
export function plainVariables(c: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([k]) => !RESERVED_VARIABLES.has(k)));
}

export function checkVariables(value: unknown, path: string, max: number): void {
  if (value === undefined) return;
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new CrmError(ErrorCode.VariablesInvalid, 'variables must be a JSON object', [
      { path, message: 'must be an object of name → value' },
    ]);
  const reserved = Object.keys(value).filter((k) => RESERVED_VARIABLES.has(k));
  if (reserved.length)
    throw new CrmError(
      ErrorCode.VariablesInvalid,
      `${reserved.join(', ')} ${reserved.length > 1 ? 'are' : 'is'} set by the engine, not by a request`,
      reserved.map((k) => ({ path: `${path}/${k}`, message: 'reserved variable name' })),
    );
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > max)
    throw new CrmError(
      ErrorCode.VariablesTooLarge,
      `variables take ${size} bytes, more than the limit of ${max} (WORKFLOW_MAX_VARIABLES_BYTES)`,
      [{ path, message: `${size} bytes > ${max}` }],
    );
}
