import { FeelDate, FeelDateTime, FeelDuration, FeelTime, isRange } from 'feelin';

/**
 * A FEEL function as feelin invokes it: a plain JS function whose `$args` names its parameters,
 * so both `f(1, 2)` and `f(a: 1, b: 2)` bind. A name starting with `...` collects the rest.
 */
export type FeelFunction = ((...args: unknown[]) => unknown) & { $args: string[] };

export function fn(params: string[], impl: (...args: unknown[]) => unknown): FeelFunction {
  const f = (...args: unknown[]) => impl(...args);
  return Object.assign(f, { $args: params });
}

// Camunda's rule for built-ins: "if something goes wrong, return null" (wrong argument types,
// missing arguments). Only assert() fails an evaluation on purpose. These guards keep to it.
export const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;
export const isStr = (v: unknown): v is string => typeof v === 'string';
export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isList = (v: unknown): v is unknown[] => Array.isArray(v);
export const isContext = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;
export const isDate = (v: unknown): v is FeelDate => v instanceof FeelDate;
export const isDateTime = (v: unknown): v is FeelDateTime => v instanceof FeelDateTime;
export const isTime = (v: unknown): v is FeelTime => v instanceof FeelTime;
export const isDuration = (v: unknown): v is FeelDuration => v instanceof FeelDuration;
export { isRange };

/** Camunda's list functions take a list or the elements as separate arguments. */
export const listArg = (args: unknown[]): unknown[] | null =>
  args.length === 1 && isList(args[0]) ? args[0] : args.length ? args : null;
