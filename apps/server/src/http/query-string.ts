import type { NextFunction, Request, Response } from 'express';
import { CrmError, ErrorCode } from '@crm/common';

/**
 * Query strings as flat name → string maps. Express's default parser (qs) turns `a[]=x`,
 * `a[b]=x` and repeated names into arrays and objects, which every handler would have to guard
 * against; here `a[]` is just an unknown name, and a repeated name is kept as a list only so that
 * `refuseRepeatedParams` can answer it with a 400.
 */
export function parseQueryString(str: string): Record<string, string | string[]> {
  // no prototype: `?__proto__=x` or `?constructor=x` are plain (unknown) names, nothing inherited
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of new URLSearchParams(str)) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

/** A parameter given twice is ambiguous (which one filters?): refuse it rather than guess. */
export function refuseRepeatedParams(req: Request, res: Response, next: NextFunction): void {
  const repeated = Object.entries(req.query).find(([, v]) => typeof v !== 'string');
  if (!repeated) return next();
  const err = new CrmError(ErrorCode.BadRequest, `query parameter "${repeated[0]}" is repeated`, [
    { path: `query.${repeated[0]}`, message: 'give it once' },
  ]);
  res.status(err.status).json({
    statusCode: err.status,
    code: err.code,
    message: err.message,
    errors: err.errors,
  });
}
