/**
 * The URL of each list's first page as the early script last computed it (boot/early.ts), kept in
 * this browser. That URL depends on the entity list and the entity's schema (the view's columns,
 * filter, sort and page size), so computing it waits for both answers, and the rows' request
 * went out only after them: a chain on every list load. With the last URL at hand the early
 * script asks for it at once, alongside the others, and uses that answer when the freshly
 * computed URL is the same (the view has not changed); else it asks for the computed one as
 * before, the guess costing one unused request.
 */
const KEY = 'crm.listUrls';
/** Enough for the lists one works with; the oldest entry goes first. */
const MAX_ENTITIES = 20;

function read(): Record<string, string> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return v && typeof v === 'object' ? (v as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function lastListUrl(entity: string): string | undefined {
  const url = read()[entity];
  return typeof url === 'string' && url.startsWith('/api/records/') ? url : undefined;
}

export function rememberListUrl(entity: string, url: string): void {
  const all = read();
  if (all[entity] === url) return;
  delete all[entity]; // re-inserted last: the most recent
  all[entity] = url;
  const names = Object.keys(all);
  for (const old of names.slice(0, Math.max(0, names.length - MAX_ENTITIES))) delete all[old];
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage full or off: the next load computes the URL first, as before
  }
}
