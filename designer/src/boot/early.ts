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
import { lastListUrl, rememberListUrl } from './lastListUrl';
import { pageOf } from './pages';
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
    answers: new Map(),
  };
  window.__crmEarly = early;
  // a clone for the JSON: the body stays whole for the app, should it take the response
  const json = async <T>(res: Promise<Response>): Promise<T> => {
    const r = await res;
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return (await r.clone().json()) as T;
  };
  const get = (url: string) => {
    const key = requestKey(url, href);
    const res = fetch(url, { headers });
    early.responses.set(key, res);
    const answer = json(res);
    // a failure reaches the app when it takes the response (a failed answer is never seeded)
    answer.then(
      (data) => early.answers.set(key, data),
      () => undefined,
    );
    return answer;
  };

  const urls = firstRequests(pathname, search);
  if (urls.inbox) early.rows = get(urls.inbox); // the inbox's rows: nothing else in their way
  const entities = get(urls.entities);
  const schema = urls.schema ? get(urls.schema) : undefined;
  // a list's rows: the URL they had last time goes out at once, before the rest (lastListUrl.ts)
  const entity = tableListOf(pathname, search);
  const last = entity && schema ? lastListUrl(entity) : undefined;
  const guessed = last === undefined ? undefined : get(last);
  guessed?.catch(() => undefined); // awaited only if it is the right one
  for (const url of [urls.me, urls.counts, urls.views, urls.notifications]) if (url) void get(url);
  // the right one depends on the list's view (with the entities) and its schema: known once both
  // are in; asked then unless it was the guess
  if (entity && schema)
    early.rows = Promise.all([entities, schema]).then(([list, s]) => {
      const entries = (list as { data: EntityEntry[] }).data;
      const url = listUrl(entity, firstPageQuery(entity, entries, s as EntitySchema));
      rememberListUrl(entity, url);
      return url === last && guessed ? guessed : get(url);
    });
  early.rows?.catch(() => undefined); // the page asks itself
}

try {
  start();
} catch {
  // never in the app's way: it asks for everything itself
}
