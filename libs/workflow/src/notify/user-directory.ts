import type { Db } from '@crm/common';

/** What the notifier needs to know about a user: how to greet them, where and in which language. */
export interface DirectoryUser {
  login: string;
  displayName: string | null;
  email: string | null;
  /** crm_user.locale (zh-CN | en); null when never set. */
  locale: string | null;
  active: boolean;
}

/**
 * Looks users up by login inside the caller's transaction. It must use `tx`: on SQLite the step
 * holds the only connection, so a lookup through another handle would wait for itself.
 */
export interface UserDirectory {
  lookup(tx: Db, logins: string[]): Promise<Map<string, DirectoryUser>>;
}

/** The directory over crm_user (the access layer's table), one query per call. */
export const sqlUserDirectory: UserDirectory = {
  async lookup(tx, logins) {
    const wanted = [...new Set(logins.filter(Boolean))];
    const out = new Map<string, DirectoryUser>();
    if (!wanted.length) return out;
    const rows = await tx.query<{
      login: string;
      display_name: string | null;
      email: string | null;
      locale: string | null;
      active: number | boolean | null;
    }>(
      `SELECT login, display_name, email, locale, active FROM crm_user WHERE login IN (${wanted.map(() => '?').join(', ')})`,
      wanted,
    );
    for (const r of rows)
      out.set(r.login, {
        login: r.login,
        displayName: r.display_name || null,
        email: r.email?.trim() || null,
        locale: r.locale || null,
        // read as the access layer reads it: only 1 / true is active
        active: Number(r.active) === 1 || r.active === true,
      });
    return out;
  },
};
