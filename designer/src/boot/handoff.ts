import { requestKey } from './plan';

/**
 * Requests the early script (boot/early.ts) started before the app loaded, waiting to be taken
 * by the app's own identical GET: the app asks as it always does, through authFetch, and gets the
 * early answer instead of a second request. A 401 among them takes authFetch's usual path
 * (refresh the token, ask again).
 */
export interface EarlyRequests {
  /** the access token they carried: another user's session must never get them */
  token: string;
  /** performance.now() when they started */
  at: number;
  /** by requestKey */
  responses: Map<string, Promise<Response>>;
  /**
   * The answers as they arrive, by requestKey (JSON): those already in when the app starts go
   * straight into its query cache (boot/seed.ts), so the first render has them instead of
   * rendering "loading" and rendering again as each answer lands.
   */
  answers: Map<string, unknown>;
  /**
   * Settles when the answer with the page's rows (the inbox's, the list's first page) is in or
   * failed: the app's first render waits for it a little (main.tsx), as rendering the page
   * without its rows first costs as much as rendering it with them.
   */
  rows?: Promise<unknown>;
}

declare global {
  interface Window {
    __crmEarly?: EarlyRequests;
    /** page id → the JS files of its lazy chunk (written into index.html by the build) */
    __crmChunks?: Record<string, string[]>;
  }
}

/**
 * How long early answers wait: they are the first screen's; a page opened later asks afresh (an
 * answer kept longer would show data older than the user expects).
 */
const MAX_AGE_MS = 20_000;

/** The early answer to this GET, once; undefined when there is none (ask the server). */
export function takeEarly(req: Request, token: string | undefined): Promise<Response> | undefined {
  const early = window.__crmEarly;
  if (!early || req.method !== 'GET' || token !== early.token) return undefined;
  if (performance.now() - early.at > MAX_AGE_MS) {
    dropEarly();
    return undefined;
  }
  const key = requestKey(req.url, location.href);
  const res = early.responses.get(key);
  early.responses.delete(key);
  return res;
}

/** Signed out or another user: what was asked for the last session is not theirs. */
export function dropEarly(): void {
  delete window.__crmEarly;
}
