import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { createMongoAbility, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { unpackRules, type PackRule } from '@casl/ability/extra';
import { AbilityProvider } from '@casl/react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { currentSession, onSessionChange, setSession } from '../api/session';
import { ME_KEY } from '../boot/queryKeys';
import { useI18n } from '../i18n/i18n';
import { rulesForRecords } from './placeholders';

export type AppAbility = MongoAbility;
type RawRule = RawRuleOf<AppAbility>;

export interface Me {
  user: {
    login: string;
    displayName?: string | null;
    locale?: string | null;
    [k: string]: unknown;
  };
  roles: string[];
}

interface Auth {
  signedIn: boolean;
  me: Me | null;
  /** What the roles allow on some record of a type: menus, buttons. */
  ability: AppAbility;
  /**
   * The same rules with `$me` resolved, for one record (`can('start', subject('quote', q))`);
   * placeholders the browser cannot resolve (departments, reports, shares) count as matching, so
   * this hides only what certainly fails. The server still decides.
   */
  recordAbility: AppAbility;
  login(login: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const AuthCtx = createContext<Auth | null>(null);

/** <Can I="create" a="customer"> hides what the user's roles forbid (the server still decides). */
export { Can } from '@casl/react';

export function AuthProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(() => currentSession() !== null);
  const qc = useQueryClient();
  const { adoptUserLocale } = useI18n();
  useEffect(
    () =>
      onSessionChange((s) => {
        setSignedIn(s !== null);
        if (!s) qc.clear();
      }),
    [qc],
  );
  const meQuery = useQuery({
    queryKey: ME_KEY,
    enabled: signedIn,
    staleTime: 60_000,
    queryFn: async () => ok(await api.GET('/api/auth/me')),
  });
  const me = (meQuery.data as Me | undefined) ?? null;
  useEffect(() => adoptUserLocale(me?.user.locale), [me, adoptUserLocale]);
  const ability = useMemo(() => {
    // placeholders ($me...) stay symbolic in the packed rules: in the browser they only decide
    // whether a button shows, so a conditional rule counts as "may, on some records"
    const packed = (meQuery.data?.rules ?? []) as PackRule<never>[];
    return createMongoAbility(unpackRules(packed));
  }, [meQuery.data]);
  const recordAbility = useMemo(() => {
    const packed = (meQuery.data?.rules ?? []) as PackRule<RawRule>[];
    const login = (meQuery.data as Me | undefined)?.user.login ?? '';
    const rules = rulesForRecords(unpackRules<RawRule>(packed) as never[], login);
    return createMongoAbility(rules);
  }, [meQuery.data]);
  const value = useMemo<Auth>(
    () => ({
      signedIn,
      me,
      ability,
      recordAbility,
      async login(login, password) {
        const pair = ok(await api.POST('/api/auth/login', { body: { login, password } }));
        setSession({ accessToken: pair.accessToken, refreshToken: pair.refreshToken });
        qc.clear();
      },
      async logout() {
        const s = currentSession();
        try {
          if (s) await api.POST('/api/auth/logout', { body: { refreshToken: s.refreshToken } });
        } finally {
          setSession(null);
        }
      },
    }),
    [signedIn, me, ability, recordAbility, qc],
  );
  return (
    <AuthCtx.Provider value={value}>
      <AbilityProvider value={ability}>{children}</AbilityProvider>
    </AuthCtx.Provider>
  );
}

export function useAuth(): Auth {
  const ctx = useContext(AuthCtx);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
