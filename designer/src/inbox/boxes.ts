/** The four boxes of the approval inbox (GET /api/inbox) and how many rows a page of one holds. */
export const BOXES = ['pending', 'done', 'cc', 'initiated'] as const;
export type Box = (typeof BOXES)[number];

export const isBox = (v: string | null): v is Box => (BOXES as readonly string[]).includes(v ?? '');

/** Rows per request: the inbox pages with a keyset cursor ("more"). */
export const INBOX_PAGE = 20;
