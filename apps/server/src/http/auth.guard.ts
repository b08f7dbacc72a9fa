import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService } from '@crm/access';

const PUBLIC = 'crm:public';
/** Marks a route that needs no authentication (login, refresh, health, docs). */
export const Public = () => SetMetadata(PUBLIC, true);

/**
 * Global guard: every route needs a valid access token or API token unless marked @Public.
 * The authenticated principal is attached to the request; `actorOf(req)` reads it from there.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()]))
      return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    req.principal = await this.auth.authenticate(req.header('authorization'));
    return true;
  }
}
