/**
 * The query keys of what the first screen seeds (boot/seed.ts) from the early answers: the
 * queries of the user, the inbox badge, the bell and the inbox use these, so seed and query
 * cannot drift apart. (Lists: record-list/firstPage.ts's recordsKey; entities and schemas:
 * entities/queries.ts.)
 */
export const ME_KEY = ['me'];
export const COUNTS_KEY = ['inbox', 'counts'];
export const NOTIFICATIONS_KEY = ['notifications'];

/** The inbox page's filter as it opens (the one the early answer is for). */
export const INBOX_FIRST_FILTER: { due?: 'dueSoon' | 'overdue'; q?: string } = {};
export const inboxKey = (box: string, filter: typeof INBOX_FIRST_FILTER) => ['inbox', box, filter];
