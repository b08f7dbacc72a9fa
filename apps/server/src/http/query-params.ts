import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { CrmError, ErrorCode } from '@crm/common';

const QUERY_PARAMS = 'crm:query-params';

/** The query parameters a route reading the whole query (`@Query() q`) understands. */
export const QueryParams = (...names: string[]) => SetMetadata(QUERY_PARAMS, names);

/**
 * Unknown query parameters are refused (400 naming them), not ignored: `?q=acme` on a list used to
 * return every record, as if the search had matched. A route's parameters are its `@Query('name')`
 * arguments, or its @QueryParams list when it reads the whole query.
 */
@Injectable()
export class KnownQueryParamsGuard implements CanActivate {
  private readonly cache = new Map<unknown, Set<string> | null>();

  constructor(private readonly reflector: Reflector) {}

  private allowed(ctx: ExecutionContext): Set<string> | null {
    const handler = ctx.getHandler();
    let known = this.cache.get(handler);
    if (known !== undefined) return known;
    const args =
      (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctx.getClass(), handler.name) as
        Record<string, { data?: unknown }> | undefined) ?? {};
    const named: string[] = [];
    let whole = false;
    for (const [key, arg] of Object.entries(args)) {
      if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY) continue;
      if (typeof arg.data === 'string') named.push(arg.data);
      else whole = true;
    }
    const declared = this.reflector.get<string[] | undefined>(QUERY_PARAMS, handler);
    // a route reading the whole query without saying what it reads is left alone
    known = whole && !declared ? null : new Set([...named, ...(declared ?? [])]);
    this.cache.set(handler, known);
    return known;
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const names = Object.keys(req.query ?? {});
    if (!names.length) return true;
    const known = this.allowed(ctx);
    if (!known) return true;
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length)
      throw new CrmError(
        ErrorCode.QueryInvalid,
        `unknown query parameter(s): ${unknown.join(', ')}${known.size ? ` (this route takes ${[...known].join(', ')})` : ' (this route takes none)'}`,
        unknown.map((n) => ({ path: n, message: 'unknown query parameter' })),
      );
    return true;
  }
}
