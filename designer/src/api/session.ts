import { dropEarly, takeEarly } from '../boot/handoff';

/**
 * The login session of this browser tab: the token pair from /api/auth/login, kept in
 * localStorage so a reload stays signed in. Access tokens are short-lived (ACCESS_TOKEN_TTL); on a
 * 401 the client exchanges the refresh token once (rotation: the old one is revoked) and retries.
 */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

const KEY = 'crm.session';
type Listener = (pair: TokenPair | null) => void;
const listeners = new Set<Listener>();

export function currentSession(): TokenPair | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as TokenPair) : null;
  } catch {
    return null;
  }
}

export function setSession(pair: TokenPair | null): void {
  if (pair) localStorage.setItem(KEY, JSON.stringify(pair));
  else localStorage.removeItem(KEY);
  dropEarly();
  for (const l of listeners) l(pair);
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time: parallel 401s wait for the same exchange. */
function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const s = currentSession();
    if (!s) return false;
    const res = await fetch('/api/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    if (!res.ok) {
      setSession(null);
      return false;
    }
    const pair = (await res.json()) as TokenPair;
    setSession({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** fetch with the bearer token and one refresh-and-retry on 401. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const withToken = (r: Request) => {
    const s = currentSession();
    if (s) r.headers.set('authorization', `Bearer ${s.accessToken}`);
    const lang = document.documentElement.lang;
    if (lang) r.headers.set('accept-language', lang);
    return r;
  };
  // the first screen's GETs were started before the app loaded (boot/early.ts): take that answer
  const res = await (takeEarly(input, currentSession()?.accessToken) ?? fetch(withToken(input)));
  if (res.status !== 401 || !currentSession() || input.url.includes('/api/auth/login')) return res;
  if (!(await refresh())) return res;
  return fetch(withToken(retry));
}
