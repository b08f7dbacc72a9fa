/**
 * The lazily loaded pages and the paths that open them, as App's router matches them. The early
 * script (boot/early.ts) reads this to preload the chunk of the page being opened before the app
 * has even loaded; the build (build/first-screen.ts) maps each page's module to its chunk files.
 * A page added to App.tsx belongs here too, or its first load waits for the app to ask for it.
 */
export const PAGES = {
  login: 'src/auth/LoginPage.tsx',
  home: 'src/app/HomePage.tsx',
  list: 'src/record-list/ListPage.tsx',
  record: 'src/record-show/RecordPage.tsx',
  inbox: 'src/inbox/InboxPage.tsx',
  task: 'src/inbox/TaskPage.tsx',
  instance: 'src/approvals/InstancePage.tsx',
} as const;
export type PageId = keyof typeof PAGES;

/** Every chunk the early script may preload: the pages, and antd's Chinese texts. */
export const CHUNKS = { ...PAGES, zhCN: 'src/i18n/zhCN.ts' } as const;

/** Path patterns in App's order (`records/:entity/new` is the record page too). */
const ROUTES: Array<[RegExp, PageId]> = [
  [/^\/$/, 'home'],
  [/^\/records\/[^/]+\/?$/, 'list'],
  [/^\/records\/[^/]+\/[^/]+\/?$/, 'record'],
  [/^\/inbox\/?$/, 'inbox'],
  [/^\/inbox\/[^/]+\/?$/, 'task'],
  [/^\/approvals\/[^/]+\/?$/, 'instance'],
];

/** The page a signed-in user sees at `pathname` (undefined: App's "not found"). */
export function pageOf(pathname: string): PageId | undefined {
  return ROUTES.find(([re]) => re.test(pathname))?.[1];
}

/** The entity of a list or record path (`/records/customer/12` → customer). */
export function entityOf(pathname: string): string | undefined {
  const m = /^\/records\/([^/]+)/.exec(pathname)?.[1];
  return m === undefined ? undefined : decodeURIComponent(m);
}
