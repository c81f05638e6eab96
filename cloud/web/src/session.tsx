/**
 * Who is logged in: asked of the server once at start (`GET /api/auth/me`), set by the login page,
 * cleared by logout or by any 401. Permissions only decide what the console shows; the server checks
 * every request on its own (docs/console-api.md §2).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler } from './api/client.js';
import { ENDPOINTS, type MeResponse, type Permission, type Role, type User } from './api/types.js';

interface Session {
  /** undefined while asking the server, null when nobody is logged in. */
  me: User | null | undefined;
  login(username: string, password: string): Promise<User>;
  logout(): Promise<void>;
  refresh(): Promise<void>;
  can(...perms: Permission[]): boolean;
  is(...roles: Role[]): boolean;
}

const Ctx = createContext<Session | null>(null);

function accept(r: MeResponse): User {
  setCsrfToken(r.csrfToken ?? null);
  return { ...r.user, roles: r.user.roles ?? [], permissions: r.user.permissions ?? [] };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<User | null | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      setMe(accept(await api.get<MeResponse>(ENDPOINTS.me)));
    } catch {
      setCsrfToken(null);
      setMe(null);
    }
  }, []);

  useEffect(() => {
    void refresh();
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setMe(null);
    });
    return () => setUnauthorizedHandler(null);
  }, [refresh]);

  const value = useMemo<Session>(
    () => ({
      me,
      refresh,
      async login(username, password) {
        const u = accept(await api.post<MeResponse>(ENDPOINTS.login, { username, password }));
        setMe(u);
        return u;
      },
      async logout() {
        try {
          await api.post(ENDPOINTS.logout);
        } catch {
          /* gone already */
        }
        setCsrfToken(null);
        setMe(null);
      },
      can: (...perms) => !!me && perms.some((p) => me.permissions.includes(p)),
      is: (...roles) => !!me && roles.some((r) => me.roles.includes(r)),
    }),
    [me, refresh],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
