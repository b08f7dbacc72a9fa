import { ApiError } from '../api/client';

/**
 * An action's refusal as the panel shows it, inline beside the buttons: the server's message,
 * the fields it names, and for a 429 how long to wait. Pure.
 */
export interface Problem {
  status: number;
  code: string;
  message: string;
  /** `{ path, message }` of the server's answer, e.g. `/variables/score` "must be >= 1". */
  fields: Array<{ path: string; message: string }>;
  /** 429: seconds until the next try is allowed. */
  retryAfterSeconds: number | null;
}

export function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) {
    const body = e.body as typeof e.body & { retryAfterSeconds?: unknown };
    const wait = Number(body.retryAfterSeconds);
    return {
      status: e.status,
      code: body.code,
      message: body.message,
      fields: (body.errors ?? [])
        .filter((d): d is { path: string; message: string } => !!d.path && !!d.message)
        .map((d) => ({ path: d.path, message: d.message })),
      retryAfterSeconds: Number.isFinite(wait) && wait > 0 ? wait : null,
    };
  }
  return {
    status: 0,
    code: 'NETWORK',
    message: (e as Error)?.message ?? String(e),
    fields: [],
    retryAfterSeconds: null,
  };
}

/**
 * Field errors under `/variables/...` as rjsf extraErrors (`{ score: { __errors: [...] } }`), for
 * the task's variables form; the rest stays in the problem's list.
 */
export function variableErrors(p: Problem | null): Record<string, { __errors: string[] }> {
  const out: Record<string, { __errors: string[] }> = {};
  for (const f of p?.fields ?? []) {
    const m = /^\/variables\/([^/]+)/.exec(f.path);
    if (m) (out[m[1]] ??= { __errors: [] }).__errors.push(f.message);
  }
  return out;
}

/** Whole minutes to wait, at least one. */
export const minutesToWait = (seconds: number): number => Math.max(1, Math.ceil(seconds / 60));
