import { isBox, INBOX_PAGE } from '../inbox/boxes';
import { entityOf, pageOf } from './pages';

/** The requests of the first screen, by what they are for. */
export interface FirstRequests {
  me: string;
  entities: string;
  counts: string;
  notifications: string;
  schema?: string;
  views?: string;
  inbox?: string;
}

/**
 * What the first screen asks the API for, known from the address alone: the early script
 * (boot/early.ts) starts these requests while the app's JS is still loading. Each URL must be the
 * one the app itself requests (same path, same parameters), or its answer goes unused.
 */
export function firstRequests(pathname: string, search: string): FirstRequests {
  // every signed-in page: the user and their rules, the navigation, the inbox badge, the bell
  const urls: FirstRequests = {
    me: '/api/auth/me',
    entities: '/api/meta/entities',
    counts: '/api/inbox?box=pending&limit=1',
    notifications: '/api/notifications',
  };
  const page = pageOf(pathname);
  const entity = entityOf(pathname);
  if (entity && (page === 'list' || page === 'record'))
    urls.schema = `/api/meta/entities/${encodeURIComponent(entity)}/schema`;
  if (entity && page === 'list') urls.views = `/api/views/${encodeURIComponent(entity)}`;
  if (page === 'inbox') {
    const box = new URLSearchParams(search).get('box');
    urls.inbox = `/api/inbox?box=${isBox(box) ? box : 'pending'}&limit=${INBOX_PAGE}`;
  }
  return urls;
}

/**
 * The entity whose list opens as a table (its first page can be asked for once the entity list
 * and its schema are in); kanban and calendar ask differently.
 */
export function tableListOf(pathname: string, search: string): string | undefined {
  const mode = new URLSearchParams(search).get('mode');
  if (pageOf(pathname) !== 'list' || mode === 'kanban' || mode === 'calendar') return undefined;
  return entityOf(pathname);
}

/**
 * One name for a GET whatever the order of its query parameters (`?a=1&b=2` = `?b=2&a=1`), so the
 * app's request finds the early one.
 */
export function requestKey(url: string, base: string): string {
  const u = new URL(url, base);
  const params = [...u.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${u.origin}${u.pathname}?${new URLSearchParams(params)}`;
}
