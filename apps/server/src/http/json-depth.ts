import type { NextFunction, Request, Response } from 'express';
import { CrmError, ErrorCode } from '@crm/common';

/**
 * How deep a JSON body may nest. Validation, FEEL, history diffs and JSON.stringify all recurse:
 * a body nested 5,000 deep overflowed the stack in one of them (a 500). Records and variables
 * that people and integrations send nest a handful of levels; 64 leaves plenty of room.
 */
export const MAX_JSON_DEPTH = 64;

/** The pointer of the first value nested deeper than `max`, or null. Iterative: cannot overflow. */
export function tooDeep(value: unknown, max = MAX_JSON_DEPTH): string | null {
  const stack: Array<{ v: unknown; path: string; depth: number }> = [
    { v: value, path: '', depth: 0 },
  ];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return path || '/';
    for (const [k, child] of Object.entries(v))
      if (child !== null && typeof child === 'object')
        stack.push({
          v: child,
          path: `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          depth: depth + 1,
        });
  }
  return null;
}

export function assertJsonDepth(value: unknown, where = 'body'): void {
  const at = tooDeep(value);
  if (at !== null)
    throw new CrmError(
      ErrorCode.BadRequest,
      `the ${where} nests deeper than ${MAX_JSON_DEPTH} levels`,
      [{ path: at, message: `nested deeper than ${MAX_JSON_DEPTH} levels` }],
    );
}

/** After the JSON parser: refuses a body nested too deep before any handler recurses into it. */
export function refuseDeepJson(req: Request, _res: Response, next: NextFunction): void {
  try {
    assertJsonDepth(req.body);
    next();
  } catch (e) {
    next(e);
  }
}
