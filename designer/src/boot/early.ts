/**
 * The early script: inlined into index.html's <head> by the build (build/first-screen.ts), it
 * runs before the app's JS has even been fetched. From the address and the stored session it
 * preloads the chunk of the page being opened and starts the requests that page will make, so
 * the app, once loaded, finds its data arriving or arrived instead of starting a chain of
 * requests (user → entities → schema → records) one after another. Small on purpose: only pure
 * modules, no React, no API client.
 */
import { listUrl } from '../api/listUrl';
import { currentSession } from '../api/session';
import type { EntitySchema } from '../entities/model';
import { initialLocale, LOCALE_KEY, navigatorLanguages } from '../i18n/locale';
import { type EntityEntry, firstPageQuery } from '../record-list/firstPage';
import type { EarlyRequests } from './handoff';
import { entityOf, pageOf } from './pages';
import { firstRequests, requestKey, tableListOf } from './plan';

function preloadModules(files: string[] | undefined): void {
  for (const href of files ?? []) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = href;
    document.head.appendChild(link);
  }
}

function start(): void {
  const { pathname, search, href } = location;
  const chunks = window.__crmChunks ?? {};
  const session = currentSession();
  const locale = initialLocale(localStorage.getItem(LOCALE_KEY), navigatorLanguages());
  if (locale === 'zh-CN') preloadModules(chunks.zhCN);
  if (!session?.accessToken) {
    preloadModules(chunks.login);
    return;
  }
  preloadModules(chunks[pageOf(pathname) ?? '']);
  const headers = {
    authorization: `Bearer ${session.accessToken}`,
    'accept-language': locale,
  };
  const early: EarlyRequests = {
    token: session.accessToken,
    at: performance.now(),
    responses: new Map(),
    arrived: {},
  };
  window.__crmEarly = early;
  const get = (url: string) => {
    const res = fetch(url, { headers });
    res.catch(() => undefined); // a failure reaches the app when it takes the answer
    early.responses.set(requestKey(url, href), res);
    return res;
  };
  // a clone: the body stays whole for the app
  const json = async <T>(res: Promise<Response>): Promise<T> => {
    const r = await res;
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return (await r.clone().json()) as T;
  };

  const urls = firstRequests(pathname, search);
  if (urls.inbox) void get(urls.inbox); // the inbox's rows: nothing else in their way
  const entities = get(urls.entities);
  const schema = urls.schema ? get(urls.schema) : undefined;
  const me = get(urls.me);
  for (const url of [urls.counts, urls.views, urls.notifications]) if (url) void get(url);
  const keep = (res: Promise<Response>, put: (data: unknown) => void) =>
    json(res).then(put, () => undefined); // a failure: the app asks itself
  void keep(me, (d) => (early.arrived.me = d));
  void keep(entities, (d) => (early.arrived.entities = d));
  const entityOfPage = entityOf(pathname);
  if (schema && entityOfPage)
    void keep(schema, (d) => (early.arrived.schema = { entity: entityOfPage, data: d }));
  // a list's first page depends on its view (with the entities) and its schema: ask as soon as
  // both are in, as the list page would
  const entity = tableListOf(pathname, search);
  if (entity && schema)
    Promise.all([json<{ data: EntityEntry[] }>(entities), json<EntitySchema>(schema)])
      .then(([list, s]) => get(listUrl(entity, firstPageQuery(entity, list.data, s))))
      .catch(() => undefined); // the list page asks itself
}

try {
  start();
} catch {
  // never in the app's way: it asks for everything itself
}
