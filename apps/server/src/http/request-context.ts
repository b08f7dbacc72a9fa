import type { Request } from 'express';
import type { Actor, Locale } from '@crm/records';

/**
 * Who is acting. Until the access issue lands authentication, the caller names itself with the
 * `X-User` header (default "anonymous"); history and revisions record that name.
 */
export function actorOf(req: Request): Actor {
  const raw = req.header('x-user');
  const id = raw && /^[\w.@-]{1,64}$/.test(raw) ? raw : 'anonymous';
  return { id, locale: localeOf(req) };
}

export function localeOf(req: Request): Locale {
  const lang = (req.header('accept-language') ?? '').toLowerCase();
  return lang.startsWith('zh') ? 'zh-CN' : 'en';
}
