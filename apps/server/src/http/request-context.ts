import type { Request } from 'express';
import { CrmError, ErrorCode } from '@crm/common';
import type { Principal } from '@crm/access';
import type { Actor, Locale } from '@crm/records';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the global AuthGuard on every authenticated route. */
    principal?: Principal;
  }
}

export interface RequestActor extends Actor {
  userId: number;
  departmentId: number | null;
  roles: string[];
  principal: Principal;
}

/**
 * Who is acting: the user the global AuthGuard authenticated. `id` is the login (recorded in
 * history and revisions); `access` makes the records service apply the user's permissions.
 */
export function actorOf(req: Request): RequestActor {
  const p = req.principal;
  if (!p)
    // only a route wrongly marked @Public can get here; refuse rather than act as nobody
    throw new CrmError(ErrorCode.Unauthenticated, 'authentication required', [
      { path: 'authorization', message: 'missing' },
    ]);
  return {
    id: p.user.login,
    locale: localeOf(req, p.user.locale),
    access: p,
    userId: p.user.id,
    departmentId: p.user.departmentId,
    roles: p.user.roles,
    principal: p,
  };
}

export function localeOf(req: Request, fallback?: string): Locale {
  const lang = (req.header('accept-language') ?? fallback ?? '').toLowerCase();
  return lang.startsWith('zh') ? 'zh-CN' : 'en';
}
